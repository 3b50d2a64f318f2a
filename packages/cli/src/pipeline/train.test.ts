import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeNpy, meanSumRate, readNpy, makeChannelBatch } from '@rrm/core';
import { resolveConfig } from '../config';
import { builtinRegistry } from '../registry';
import { trainPipeline } from './train';
import { evaluateRun, predictRun } from './evaluate-run';
import { loadLocalPlugins } from '@rrm/distill';

const dir = () => mkdtempSync(join(tmpdir(), 'rrm-train-'));

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

describe('rrm train pipeline', () => {
  it('writes a complete run folder whose model evaluates and predicts on any channel file', async () => {
    const out = join(dir(), 'run');
    const registry = builtinRegistry();
    const { summary, records } = await trainPipeline({ registry, config: tiny(), out });
    expect(records.map((r) => r.epoch)).toEqual([0, 1, 2, 3]);
    for (const f of ['config.json', 'metrics.csv', 'metrics.jsonl', 'summary.json', 'report.md', 'convergence.svg', 'weights']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toContain('testSumRate');
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(summary.status).toBe('completed');
    expect(summary.finalTestSumRate).toBe(records[3].testSumRate);
    expect(summary.finalPctWmmse).toBeCloseTo((100 * records[3].testSumRate) / summary.wmmseTestSumRate!, 8);
    expect(readFileSync(join(out, 'convergence.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>$/);

    // The saved model on a channel file: eval's mean agrees with the Float64 objective on predict's powers.
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
  });

  it('the same config and seed give the same metrics', async () => {
    const registry = builtinRegistry();
    const a = await trainPipeline({ registry, config: tiny(), out: join(dir(), 'a') });
    const b = await trainPipeline({ registry, config: tiny(), out: join(dir(), 'b') });
    expect(b.records.map((r) => r.testSumRate)).toEqual(a.records.map((r) => r.testSumRate));
  });

  it('distills from a teacher (labels cached once per data set) and records β', async () => {
    const cache = dir();
    const registry = builtinRegistry();
    const config = tiny([['distill.beta.kind', 'decreasing'], ['teacher.kind', 'wmmse'], ['teacher.iterations', 20]], cache);
    const first = await trainPipeline({ registry, config, out: join(dir(), 'ad') });
    expect(first.records[1].beta).toBeGreaterThan(first.records[3].beta);
    expect(first.records[1].distillLoss).toBeGreaterThan(0);
    const cached = readdirSync(cache).filter((f) => f.endsWith('.npy'));
    const again = await trainPipeline({ registry, config, out: join(dir(), 'ad2') });
    expect(readdirSync(cache).filter((f) => f.endsWith('.npy'))).toEqual(cached);
    expect(again.records.map((r) => r.testSumRate)).toEqual(first.records.map((r) => r.testSumRate));
  });

  it('an interrupted run leaves a valid folder with the epochs finished so far', async () => {
    const out = join(dir(), 'int');
    const controller = new AbortController();
    const { summary } = await trainPipeline({
      registry: builtinRegistry(),
      config: tiny([['trainer.epochs', 50]]),
      out,
      signal: controller.signal,
      log: (line) => {
        if (line.startsWith('epoch   2/')) controller.abort();
      },
    });
    expect(summary.status).toBe('interrupted');
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).epochs).toBe(2);
    expect(existsSync(join(out, 'weights', 'model.json'))).toBe(true);
  });

  it('loads a local plugin named in the config (the shipped sqrt-decay β example)', async () => {
    const registry = builtinRegistry();
    const file = resolve(__dirname, '../../../../examples/plugins/sqrt-decay-beta.ts');
    await loadLocalPlugins([file], registry);
    const config = tiny([['distill.beta.kind', 'sqrt-decay'], ['plugins', [file]], ['teacher.iterations', 10]]);
    const { records } = await trainPipeline({ registry, config, out: join(dir(), 'local') });
    expect(records[1].beta).toBeGreaterThan(records[3].beta);
  });

  it('trains data-parallel with trainer.workers = 2 (worker threads load the local β plugin too): same metrics as one thread up to float rounding', async () => {
    const registry = builtinRegistry();
    const file = resolve(__dirname, '../../../../examples/plugins/sqrt-decay-beta.ts');
    await loadLocalPlugins([file], registry);
    const sets: [string, unknown][] = [['distill.beta.kind', 'sqrt-decay'], ['plugins', [file]], ['teacher.iterations', 10], ['backend', 'wasm']];
    const cache = dir();
    const one = await trainPipeline({ registry, config: tiny(sets, cache), out: join(dir(), 'w1') });
    const two = await trainPipeline({ registry, config: tiny([...sets, ['trainer.workers', 2]], cache), out: join(dir(), 'w2') });
    expect(two.records).toHaveLength(4);
    two.records.forEach((r, i) => {
      expect(r.testSumRate).toBeCloseTo(one.records[i].testSumRate, 4);
      expect(r.distillLoss).toBeCloseTo(one.records[i].distillLoss, 4);
      expect(r.beta).toBeCloseTo(one.records[i].beta, 10);
    });
    expect(two.records[3].testSumRate).not.toBe(two.records[0].testSumRate);
  });
});

describe('config validation', () => {
  const registry = builtinRegistry();
  const fails = async (sets: [string, unknown][], pattern: RegExp) => {
    const out = join(dir(), 'never');
    await expect((async () => trainPipeline({ registry, config: tiny(sets), out }))()).rejects.toThrow(pattern);
    expect(existsSync(out)).toBe(false);
  };

  it('names the bad field before any work', async () => {
    expect(() => tiny([['trainer.epochs', 0]])).toThrow(/trainer\.epochs: expected an integer >= 1/);
    expect(() => tiny([['scenario.noise', -1]])).toThrow(/scenario\.noise/);
    expect(() => tiny([['trainer.kind', 'magic']])).toThrow(/trainer\.kind: expected one of/);
    expect(() => tiny([['scenari.users', 3]])).toThrow(/scenari: expected a known top-level key/);
    expect(() => tiny([['data.tset', 3]])).toThrow(/data\.tset/);
    await fails([['model.kind', 'transformer']], /model\.kind: expected a registered model \(.*mlp.*\)/);
    await fails([['model.hidden', 'wide']], /model\.hidden/);
    await fails([['teacher.kind', 'oracle']], /teacher\.kind: expected a registered teacher/);
    await fails([['distill.beta.kind', 'wobbly']], /distill\.beta\.kind: expected a registered beta-schedule/);
    await fails([['channel.variance', -2]], /channel\.variance/);
    await fails([['backend', 'quantum']], /backend\.kind: expected a registered backend/);
    await fails([['distill.distance', 'l3']], /distill\.distance: expected a registered distance \(l1, l2, mse\), got "l3"/);
    await fails([['trainer.workers', 0]], /trainer\.workers: expected an integer/);
    await fails([['trainer.workers', 'many']], /trainer\.workers/);
  });
});

describe('rrm train with trainer.kind = ddpg', () => {
  it('trains an MLP actor by AD-DDPG into the same run-folder format', async () => {
    const out = join(dir(), 'ddpg');
    const config = tiny([
      ['trainer.kind', 'ddpg'],
      ['trainer.steps', 30],
      ['trainer.batch', 8],
      ['trainer.logEvery', 10],
      ['trainer.warmup', 5],
      ['distill.beta.kind', 'fixed'],
      ['teacher.kind', 'wmmse'],
    ]);
    const { trainDdpgPipeline } = await import('./train-ddpg');
    const { summary, records } = await trainDdpgPipeline({ registry: builtinRegistry(), config, out });
    expect(records.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(records.map((r) => r.samples)).toEqual([0, 80, 160, 240]);
    expect(records[3].beta).toBe(1);
    expect(summary.status).toBe('completed');
    for (const f of ['metrics.csv', 'metrics.jsonl', 'summary.json', 'convergence.svg', 'weights/model.json']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('validates DDPG and dataset-trainer keys before any work', async () => {
    const registry = builtinRegistry();
    const out = join(dir(), 'never');
    await expect(trainPipeline({ registry, config: tiny([['trainer.kind', 'ddpg'], ['trainer.tau', 2]]), out })).rejects.toThrow(/trainer\.tau/);
    expect(() => tiny([['trainer.steps', 100]])).toThrow(/trainer\.steps: expected one of kind, epochs, batch, optimizer, earlyStopping/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('DDPG with mobility episodes', () => {
  it('moves receivers between the steps of an episode on d2d channels, and rejects mobility without geometry', async () => {
    const { trainDdpgPipeline } = await import('./train-ddpg');
    const base: [string, unknown][] = [
      ['trainer.kind', 'ddpg'],
      ['trainer.steps', 12],
      ['trainer.batch', 4],
      ['trainer.logEvery', 6],
      ['trainer.warmup', 2],
      ['trainer.gamma', 0.5],
      ['trainer.episodeLength', 3],
      ['trainer.mobility', { std: 5, coverage: 150 }],
    ];
    const out = join(dir(), 'mob');
    const { records } = await trainDdpgPipeline({ registry: builtinRegistry(), config: tiny([...base, ['channel.kind', 'd2d'], ['channel.fieldSize', 200]]), out });
    expect(records.map((r) => r.step)).toEqual([0, 6, 12]);
    expect(records.every((r) => Number.isFinite(r.testSumRate))).toBe(true);
    const { mobilityEvolve } = await import('./train-ddpg');
    const { streams } = await import('@rrm/core');
    const d2d = builtinRegistry().create('channel', { kind: 'd2d', fieldSize: 200 });
    const evolve = mobilityEvolve({ std: 5 }, d2d, 4)!;
    const before = d2d.generate({ batch: 2, users: 4, rng: streams(1).get('x') });
    const after = evolve(before, streams(1).get('y'));
    expect(after.geometry!.tx).toEqual(before.geometry!.tx);
    expect(after.geometry!.rx).not.toEqual(before.geometry!.rx);
    expect(after.gains).not.toEqual(before.gains);
    await expect(trainDdpgPipeline({ registry: builtinRegistry(), config: tiny(base), out: join(dir(), 'x') })).rejects.toThrow(
      /trainer\.mobility: expected a channel model with geometry/,
    );
  });
});

describe('rrm compare', () => {
  it('overlays run folders and reports the final value and when 95 % of it was reached', async () => {
    const { compareRuns } = await import('../commands/compare');
    const registry = builtinRegistry();
    const a = join(dir(), 'a');
    const b = join(dir(), 'b');
    const ra = await trainPipeline({ registry, config: tiny(), out: a });
    const rb = await trainPipeline({ registry, config: tiny([['trainer.kind', 'supervised'], ['teacher.kind', 'wmmse']]), out: b });
    const out = join(dir(), 'cmp.svg');
    const rows = compareRuns({ runs: [a, b], out });
    expect(rows.map((r) => r.final)).toEqual([ra.summary.finalTestSumRate, rb.summary.finalTestSumRate]);
    expect(rows[0].xTo95).toBe(ra.summary.epochsTo95);
    expect(readFileSync(out, 'utf8').match(/<path /g)).toHaveLength(2);
    expect(readFileSync(out.replace('.svg', '.md'), 'utf8')).toContain('| run |');
    expect(() => compareRuns({ runs: [dir()], out })).toThrow(/--runs: expected run folders/);
  });
});

describe('rrm evaluate errors', () => {
  it('a K-tied model at another K and a missing run folder give clear errors', async () => {
    const registry = builtinRegistry();
    const out = join(dir(), 'mlp');
    await trainPipeline({ registry, config: tiny([['trainer.epochs', 1]]), out });
    const d = dir();
    writeFileSync(join(d, 'k6.npy'), encodeNpy(new Float64Array(2 * 36).fill(0.5), [2, 6, 6]));
    await expect(evaluateRun({ registry, run: out, input: { channels: join(d, 'k6.npy') } })).rejects.toThrow(/model.*4.*6|model.*6.*4/);
    await expect(evaluateRun({ registry, run: join(d, 'none'), input: { channels: join(d, 'k6.npy') } })).rejects.toThrow(/--run: expected a run folder/);
  });
});
