import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DISPATCH_ELEMENTS_ENV, encodeNpy, meanSumRate, readNpy, makeChannelBatch } from '@rrm/core';
import { builtinRegistry, resolveConfig, runTraining } from '@rrm/pipeline';
import { evaluateRun, predictRun } from './pipeline/evaluate-run';
import { compareRuns } from './commands/compare';

/** evaluate, predict and compare on run folders written by the pipeline. */
const dir = () => mkdtempSync(join(tmpdir(), 'rrm-run-cmd-'));

function tiny(extra: [string, unknown][] = [], cache = dir()) {
  return resolveConfig(undefined, [
    ['backend', 'cpu'],
    ['scenario.users', 4],
    ['data.train', 96],
    ['data.test', 48],
    ['model.kind', 'mlp'],
    ['model.hidden', [16]],
    ['trainer.epochs', 3],
    ['trainer.batch', 32],
    ['trainer.optimizer.lr', 0.01],
    ['cache', cache],
    ...extra,
  ]);
}

describe('a trained run on any channel file', () => {
  it('evaluates and predicts: eval mean agrees with the Float64 objective on the predicted powers', async () => {
    const registry = builtinRegistry();
    const out = join(dir(), 'run');
    await runTraining(tiny(), { registry, out });
    const d = dir();
    const gains = new Float64Array(20 * 16).map((_, n) => ((n * 7919) % 101) / 50 + 0.01);
    writeFileSync(join(d, 'g.npy'), encodeNpy(gains, [20, 4, 4]));
    const input = { channels: join(d, 'g.npy') };
    const ev = await evaluateRun({ registry, run: out, input });
    await predictRun({ registry, run: out, input, out: join(d, 'p.npy') });
    const p = readNpy(join(d, 'p.npy')).data;
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(ev.mean).toBeCloseTo(meanSumRate(makeChannelBatch(gains, [20, 4, 4]), p, { noise: 1 }), 5);
    expect(ev.ratio).toBeCloseTo(ev.mean / ev.wmmse, 12);
    expect(ev.msPerSample).toBeGreaterThan(0);

    // A dispatch limit (forced here; webgpu sets one) splits the inference, 3 samples per dispatch at
    // K = 4: the same powers and sum rates.
    process.env[MAX_DISPATCH_ELEMENTS_ENV] = '48';
    try {
      const split = await evaluateRun({ registry, run: out, input });
      await predictRun({ registry, run: out, input, out: join(d, 'p-split.npy') });
      expect(Array.from(readNpy(join(d, 'p-split.npy')).data)).toEqual(Array.from(p));
      expect([split.mean, split.std, split.wmmse]).toEqual([ev.mean, ev.std, ev.wmmse]);
    } finally {
      delete process.env[MAX_DISPATCH_ELEMENTS_ENV];
    }
  });

  it('a K-tied model at another K and a missing run folder give clear errors', async () => {
    const registry = builtinRegistry();
    const out = join(dir(), 'mlp');
    await runTraining(tiny([['trainer.epochs', 1]]), { registry, out });
    const d = dir();
    writeFileSync(join(d, 'k6.npy'), encodeNpy(new Float64Array(2 * 36).fill(0.5), [2, 6, 6]));
    await expect(evaluateRun({ registry, run: out, input: { channels: join(d, 'k6.npy') } })).rejects.toThrow(/model.*4.*6|model.*6.*4/);
    await expect(evaluateRun({ registry, run: join(d, 'none'), input: { channels: join(d, 'k6.npy') } })).rejects.toThrow(/--run: expected a run folder/);
  });
});

describe('rrm compare', () => {
  it('overlays run folders and reports the final value and when 95 % of it was reached', async () => {
    const registry = builtinRegistry();
    const a = join(dir(), 'a');
    const b = join(dir(), 'b');
    const ra = await runTraining(tiny(), { registry, out: a });
    const rb = await runTraining(tiny([['trainer.kind', 'supervised'], ['teacher.kind', 'wmmse']]), { registry, out: b });
    const out = join(dir(), 'cmp.svg');
    const rows = await compareRuns({ runs: [a, b], out });
    expect(rows.map((r) => r.final)).toEqual([ra.summary.finalTestSumRate, rb.summary.finalTestSumRate]);
    expect(rows[0].xTo95).toBe(ra.summary.epochsTo95);
    // One curve per run in the spec beside the SVG, equal to the runs' records; the SVG names both runs.
    const spec = JSON.parse(readFileSync(out.replace('.svg', '.vl.json'), 'utf8'));
    const curve = (name: string) => spec.layer[0].data.values.filter((v: { series: string }) => v.series === name).map((v: { y: number }) => v.y);
    expect(curve(ra.summary.name)).toEqual(ra.records.map((r) => r.testSumRate));
    expect(curve(rb.summary.name)).toEqual(rb.records.map((r) => r.testSumRate));
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    for (const name of [ra.summary.name, rb.summary.name]) expect(svg).toContain(name);
    expect(readFileSync(out.replace('.svg', '.md'), 'utf8')).toContain('| run |');
    await expect(compareRuns({ runs: [dir()], out })).rejects.toThrow(/--runs: expected run folders/);
  });
});
