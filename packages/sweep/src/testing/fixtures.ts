import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

/** The `rrm` command as a child process (see rrm-cli.mjs). */
export const RRM = fileURLToPath(new URL('./rrm-cli.mjs', import.meta.url));

export const tempDir = (prefix = 'rrm-sweep-test-') => mkdtempSync(join(tmpdir(), prefix));

/**
 * A tiny sweep (K = 5, 50 training and 50 test samples, an MLP, `epochs` epochs): 2 β schedules × 3 seeds
 * = 6 runs of about a second each. Returns the sweep file's path.
 */
export function tinySweep(dir: string, o: { name?: string; epochs?: number; grid?: Record<string, unknown[]>; variants?: Record<string, Record<string, unknown>>; seeds?: number | number[]; base?: Record<string, unknown>; train?: number } = {}): string {
  const file = join(dir, `${o.name ?? 'tiny'}.yaml`);
  writeFileSync(
    file,
    stringify({
      name: o.name ?? 'tiny',
      base: o.base ?? {
        scenario: { users: 5 },
        data: { train: o.train ?? 50, test: 50 },
        model: { kind: 'mlp', hidden: [16] },
        teacher: { kind: 'wmmse', iterations: 20 },
        trainer: { kind: 'unsupervised', epochs: o.epochs ?? 2, batch: 25 },
        cache: join(dir, 'cache'),
      },
      ...(o.variants ? { variants: o.variants } : {}),
      grid: o.grid ?? (o.variants ? {} : { 'distill.beta.kind': ['none', 'decreasing'] }),
      seeds: o.seeds ?? 3,
    }),
  );
  return file;
}

export interface Spawned {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnRrm(args: readonly string[], opts: { cwd?: string } = {}): Spawned {
  const child = spawn(process.execPath, [RRM, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Spawned = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d) => ((s as { stdout: string }).stdout += d));
  child.stderr!.on('data', (d) => ((s as { stderr: string }).stderr += d));
  return s;
}

/** Polls `check` every 50 ms until it returns a value (not undefined/false) or `ms` pass. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
