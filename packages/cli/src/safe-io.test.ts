import { beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, type Registry } from '@rrm/core';
import { builtinRegistry, resolveConfig, runTraining } from '@rrm/pipeline';
import { teach } from './commands/teach';
import { evaluateRun } from './pipeline/evaluate-run';
import { runCli, tempDir } from './test-helpers';

/**
 * Never destroy inputs, fail loudly and early: outputs are checked before any work (never an input, right
 * extension, not a directory), broken run folders are exit 2 naming the file, and a run folder whose
 * training died or was interrupted is used with a warning.
 */
let registry: Registry;
let run: string;
let gShared: string;
let g: string;

beforeAll(async () => {
  registry = builtinRegistry();
  run = join(tempDir('rrm-safe-'), 'run');
  const config = resolveConfig(undefined, [
    ['backend', 'cpu'],
    ['scenario.users', 4],
    ['data.train', 32],
    ['data.test', 16],
    ['model.kind', 'mlp'],
    ['model.hidden', [8]],
    ['trainer.epochs', 1],
    ['trainer.batch', 16],
    ['cache', tempDir('rrm-safe-')],
  ]);
  await runTraining(config, { registry, out: run });
  g = gShared = join(tempDir('rrm-safe-'), 'g.npy');
  writeFileSync(g, encodeNpy(new Float64Array(6 * 16).map((_, n) => ((n * 7919) % 101) / 50 + 0.01), [6, 4, 4]));
});

/** A copy of the trained run to break. */
function copyRun(): string {
  const copy = join(tempDir('rrm-safe-'), 'run');
  cpSync(run, copy, { recursive: true });
  return copy;
}

const bytes = (path: string) => readFileSync(path).toString('base64');

describe('outputs never destroy inputs', () => {
  it('teach and predict refuse to write over their own input, and outputs must end in .npy', async () => {
    // A copy: on a CLI that writes over its input, the other tests keep their channels.
    const g = join(tempDir('rrm-safe-'), 'g.npy');
    cpSync(gShared, g);
    const before = bytes(g);
    const cases: [string[], RegExp][] = [
      [['teach', '--teacher', 'full', '--channels', g, '--out', g], /--out: expected a path other than the input --channels/],
      [['predict', '--run', run, '--channels', g, '--out', g], /--out: expected a path other than the input --channels/],
      [['predict', '--run', run, '--channels', g, '--out', join(run, 'weights', 'p.txt')], /--out: expected a file name ending in \.npy/],
      [['teach', '--teacher', 'full', '--channels', g, '--out', join(run, 'p.json')], /--out: expected a file name ending in \.npy/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, registry);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(pattern);
    }
    expect(bytes(g)).toBe(before);
  });

  it('an output path that is a directory fails before any label is computed', async () => {
    const out = tempDir('rrm-safe-');
    const onProgress = vi.fn();
    const solve = vi.fn();
    const reg = builtinRegistry();
    reg.add('teacher', { name: 'spy', description: 'records calls', create: () => ({ kind: 'spy', options: {}, solve: async (p) => (solve(), new Float64Array(p.channels.batch * p.channels.users)) }) });
    await expect(teach({ registry: reg, teacher: { kind: 'spy' }, input: { channels: g }, noise: 1, pmax: 1, out, onProgress })).rejects.toThrow(
      /--out: expected a file name ending in \.npy/,
    );
    const dirNpy = join(out, 'labels.npy');
    mkdirSync(dirNpy);
    await expect(teach({ registry: reg, teacher: { kind: 'spy' }, input: { channels: g }, noise: 1, pmax: 1, out: dirNpy, onProgress })).rejects.toThrow(
      /--out: expected a file path, not an existing directory/,
    );
    expect(solve).not.toHaveBeenCalled();
    expect(onProgress).not.toHaveBeenCalled();
    expect(statSync(dirNpy).isDirectory()).toBe(true);
  });
});

describe('broken run folders are exit 2 naming the file', () => {
  it('a truncated weights file, a corrupt or invalid config.json', async () => {
    const truncated = copyRun();
    const bin = join(truncated, 'weights', 'weights.bin');
    truncateSync(bin, statSync(bin).size - 10);
    const corrupt = copyRun();
    writeFileSync(join(corrupt, 'config.json'), '{"seed": 0, "scenario": {');
    const invalid = copyRun();
    const config = JSON.parse(readFileSync(join(invalid, 'config.json'), 'utf8'));
    writeFileSync(join(invalid, 'config.json'), JSON.stringify({ ...config, scenario: { ...config.scenario, noise: -1 } }));
    const cases: [string, RegExp][] = [
      [truncated, /weights\/weights\.bin: expected \d+ bytes for the weights model\.json lists \(truncated, or from another run\), got "\d+ bytes"/],
      [corrupt, /config\.json: expected the JSON config written by rrm train/],
      [invalid, /config\.json: scenario\.noise: expected a finite number > 0/],
    ];
    for (const [dir, pattern] of cases) {
      for (const cmd of [['evaluate'], ['predict', '--out', join(tempDir('rrm-safe-'), 'p.npy')]]) {
        const r = await runCli([...cmd, '--run', dir, '--channels', g], registry);
        expect(r.code, `${cmd[0]} ${dir}: ${r.err}`).toBe(2);
        expect(r.err).toMatch(pattern);
        expect(r.err).not.toMatch(/internal error|\n\s+at /);
      }
    }
  });
});

describe('a run whose training did not finish', () => {
  const setStatus = (dir: string, status: string) => {
    const path = join(dir, 'summary.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), status }));
  };
  const lock = (dir: string, pid: number) => writeFileSync(join(dir, '.lock'), JSON.stringify({ pid, host: hostname(), started: new Date().toISOString() }));

  it("warns when summary.json says running but no live process holds the run, and for interrupted runs", async () => {
    const input = { channels: g };
    const completed = await evaluateRun({ registry, run, input });
    expect(completed.warnings).toEqual([]);

    const noLock = copyRun();
    setStatus(noLock, 'running');
    const a = await evaluateRun({ registry, run: noLock, input });
    expect(a.warnings.join('\n')).toMatch(/says 'running' but no live process holds the run .*died; results are from its last finished epoch \(1/);

    const deadLock = copyRun();
    setStatus(deadLock, 'running');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid is free
    lock(deadLock, dead);
    expect((await evaluateRun({ registry, run: deadLock, input })).warnings.join('\n')).toMatch(/died/);

    const live = copyRun();
    setStatus(live, 'running');
    lock(live, process.pid);
    const l = await evaluateRun({ registry, run: live, input });
    expect(l.warnings.join('\n')).toMatch(new RegExp(`still being trained by pid ${process.pid}`));
    expect(l.warnings.join('\n')).not.toMatch(/died/);

    const interrupted = copyRun();
    setStatus(interrupted, 'interrupted');
    const i = await runCli(['evaluate', '--run', interrupted, '--channels', g], registry);
    expect(i.code, i.err).toBe(0);
    expect(i.err).toMatch(/rrm: warning: .* was interrupted \(status interrupted\): results are from its last finished epoch .*rrm train --resume/);
    const p = await runCli(['predict', '--run', noLock, '--channels', g, '--out', join(tempDir('rrm-safe-'), 'p.npy')], registry);
    expect(p.code, p.err).toBe(0);
    expect(p.err).toMatch(/rrm: warning: .*died/);
  });
});
