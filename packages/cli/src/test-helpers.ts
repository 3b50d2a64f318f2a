import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from '@rrm/core';
import { main } from './main';

/** A fresh temporary folder. */
export const tempDir = (prefix = 'rrm-cli-') => mkdtempSync(join(tmpdir(), prefix));

/** Runs the CLI in-process, capturing stdout and stderr (progress bars and warnings go to stderr). */
export async function runCli(args: string[], registry?: Registry): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = registry ? await main(args, registry) : await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}
