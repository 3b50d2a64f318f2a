import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeNpy } from '@rrm/core';
import { builtinRegistry, resolveConfig, runTraining } from '@rrm/pipeline';
import { runCli, tempDir } from './test-helpers';

const bin = resolve(__dirname, '../bin/rrm.mjs');

/** Counts, at exit, the TensorFlow.js modules the process loaded (tfjs loads as CommonJS). */
const PROBE = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
process.on('exit', () => process.stderr.write('TFJS_MODULES ' + Object.keys(require.cache).filter((k) => k.includes('@tensorflow')).length + '\\n'));
`;

function tfjsModulesLoaded(args: string[]): { count: number; stdout: string; status: number | null } {
  const probe = join(tempDir('rrm-extras-'), 'probe.mjs');
  writeFileSync(probe, PROBE);
  const r = spawnSync(process.execPath, ['--import', probe, bin, ...args], { encoding: 'utf8' });
  const m = /TFJS_MODULES (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no probe output: ${r.stderr}`);
  return { count: Number(m[1]), stdout: r.stdout, status: r.status };
}

describe('rrm --help and --version', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')).version);
  });

  it('--help loads neither the plugins nor TensorFlow.js (a command does)', () => {
    const help = tfjsModulesLoaded(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('evaluate');
    expect(help.count).toBe(0);
    expect(tfjsModulesLoaded(['evaluate', '--help']).count).toBe(0);
    expect(tfjsModulesLoaded(['plugins']).count).toBeGreaterThan(0);
  });
});

describe('smaller things', () => {
  it('evaluate takes --nats', async () => {
    const registry = builtinRegistry();
    const run = join(tempDir('rrm-extras-'), 'run');
    const config = resolveConfig(undefined, [
      ['backend', 'cpu'],
      ['scenario.users', 3],
      ['data.train', 16],
      ['data.test', 8],
      ['model.kind', 'mlp'],
      ['model.hidden', [4]],
      ['trainer.epochs', 1],
      ['trainer.batch', 8],
      ['cache', tempDir('rrm-extras-')],
    ]);
    await runTraining(config, { registry, out: run });
    const g = join(tempDir('rrm-extras-'), 'g.npy');
    writeFileSync(g, encodeNpy(new Float64Array(4 * 9).map((_, n) => ((n * 31) % 17) / 8 + 0.05), [4, 3, 3]));
    const bits = await runCli(['evaluate', '--run', run, '--channels', g, '--json'], registry);
    const nats = await runCli(['evaluate', '--run', run, '--channels', g, '--json', '--nats'], registry);
    expect(nats.code, nats.err).toBe(0);
    const [b, n] = [JSON.parse(bits.out), JSON.parse(nats.out)];
    expect(n.unit).toBe('nats');
    expect(n.mean / b.mean).toBeCloseTo(Math.LN2, 10);
    expect(n.wmmse / b.wmmse).toBeCloseTo(Math.LN2, 10);
    expect(n.ratio).toBeCloseTo(b.ratio, 10);
    const text = await runCli(['evaluate', '--run', run, '--channels', g, '--nats'], registry);
    expect(text.out).toMatch(/nats\/s\/Hz/);
  });

  it('rrm teachers says when it skips the exhaustive binary search above K = 12', async () => {
    const r = await runCli(['teachers', '--users', '13', '--samples', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/K= 13 {2}binary \(exhaustive\) +skipped: only up to K = 12/);
  });
});
