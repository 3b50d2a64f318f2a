import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { streams, type TrainRecord } from '@rrm/core';
import { configHash, defaultRunName, resolveConfig } from './config';
import { builtinRegistry } from './registry';
import { RunFolder, readRunSummary } from './run-folder';
import { runTraining } from './run-training';

const dir = () => mkdtempSync(join(tmpdir(), 'rrm-train-'));
const examples = resolve(__dirname, '../../../examples/plugins');

function tiny(extra: [string, unknown][] = [], cache = dir()) {
  // Dataset-trainer options only for dataset trainers (a DDPG config rejects `epochs`, naming it).
  const dataset = !extra.some(([k, v]) => (k === 'trainer.kind' && v === 'ddpg') || k === 'trainer');
  return resolveConfig(undefined, [
    ['backend', 'cpu'],
    ['scenario.users', 4],
    ['data.train', 96],
    ['data.test', 48],
    ['model.kind', 'mlp'],
    ['model.hidden', [16]],
    ...((dataset
      ? [
          ['trainer.epochs', 3],
          ['trainer.batch', 32],
          ['trainer.optimizer.lr', 0.01],
        ]
      : []) as [string, unknown][]),
    ['cache', cache],
    ...extra,
  ]);
}
const rates = (records: readonly TrainRecord[]) => records.map((r) => r.testSumRate);

describe('runTraining', () => {
  it('writes a complete run folder with one summary format', async () => {
    const out = join(dir(), 'run');
    const { summary, records, skipped } = await runTraining(tiny(), { out });
    expect(skipped).toBe(false);
    expect(records.map((r) => r.epoch)).toEqual([0, 1, 2, 3]);
    expect(records.map((r) => r.samples)).toEqual([0, 96, 192, 288]);
    for (const f of ['config.json', 'metrics.csv', 'metrics.jsonl', 'summary.json', 'report.md', 'convergence.svg', 'weights', 'checkpoint.bin']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(existsSync(join(out, '.lock'))).toBe(false);
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toContain('testSumRate');
    expect(summary).toMatchObject({ status: 'completed', trainer: 'unsupervised', epochs: 3, steps: 9, samples: 288 });
    expect(summary.finalTestSumRate).toBe(records[3].testSumRate);
    expect(summary.finalPctWmmse).toBeCloseTo((100 * records[3].testSumRate) / summary.wmmseTestSumRate!, 8);
    // The plot is the Vega-Lite spec beside it, rendered: its data are the run's records.
    const spec = JSON.parse(readFileSync(join(out, 'convergence.vl.json'), 'utf8'));
    expect(spec.layer[0].data.values).toEqual(records.map((r) => ({ series: summary.name, x: r.epoch, y: r.testSumRate })));
    const [ref] = spec.layer[1].data.values;
    expect(ref.y).toBe(summary.wmmseTestSumRate);
    const svg = readFileSync(join(out, 'convergence.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(svg).toContain(ref.reference);
    expect(svg).toContain(summary.name);
  });

  it('the same config and seed give the same metrics', async () => {
    const a = await runTraining(tiny(), { out: join(dir(), 'a') });
    const b = await runTraining(tiny(), { out: join(dir(), 'b') });
    expect(rates(b.records)).toEqual(rates(a.records));
  });

  it('distills from a teacher (labels cached once per data set) and records β', async () => {
    const cache = dir();
    const config = tiny([['distill.beta.kind', 'decreasing'], ['teacher.kind', 'wmmse'], ['teacher.iterations', 20]], cache);
    const first = await runTraining(config, { out: join(dir(), 'ad') });
    expect(first.records[1].beta!).toBeGreaterThan(first.records[3].beta!);
    expect(first.records[1].distillLoss).toBeGreaterThan(0);
    const cached = readdirSync(cache).filter((f) => f.endsWith('.npy'));
    const again = await runTraining(config, { out: join(dir(), 'ad2') });
    expect(readdirSync(cache).filter((f) => f.endsWith('.npy'))).toEqual(cached);
    expect(rates(again.records)).toEqual(rates(first.records));
  });

  it('an interrupted run leaves a valid folder; --resume continues it to the same metrics as an uninterrupted run (bit-identical)', async () => {
    const cache = dir();
    const config = tiny([['trainer.epochs', 5], ['trainer.optimizer.schedule', { kind: 'cosine' }], ['distill.beta.kind', 'decreasing'], ['trainer.earlyStopping', { patience: 50 }]], cache);
    const whole = await runTraining(config, { out: join(dir(), 'whole') });
    const out = join(dir(), 'int');
    const controller = new AbortController();
    const first = await runTraining(config, { out, signal: controller.signal, onEpoch: (r) => r.epoch === 2 && controller.abort() });
    expect(first.summary.status).toBe('interrupted');
    expect(first.records.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(readRunSummary(out)!.epochs).toBe(2);
    await expect(runTraining(config, { out })).rejects.toThrow(/--resume/);
    const resumed = await runTraining(config, { out, resume: true });
    expect(resumed.summary.status).toBe('completed');
    expect(rates(resumed.records)).toEqual(rates(whole.records));
    expect(resumed.records.map((r) => r.trainLoss)).toEqual(whole.records.map((r) => r.trainLoss));
    expect(RunFolder.readRecords(out).map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('resumes a run whose process died mid-epoch (status running, stale lock)', async () => {
    const config = tiny([['trainer.epochs', 3]]);
    const whole = await runTraining(config, { out: join(dir(), 'whole') });
    const out = join(dir(), 'dead');
    const controller = new AbortController();
    await runTraining(config, { out, signal: controller.signal, onEpoch: (r) => r.epoch === 1 && controller.abort() });
    // What SIGKILL leaves: the summary says running and a lock names a process that no longer exists.
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    writeFileSync(join(out, 'summary.json'), JSON.stringify({ ...summary, status: 'running' }));
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), started: '' }));
    expect(readRunSummary(out)).toMatchObject({ status: 'running', died: true });
    await expect(runTraining(config, { out })).rejects.toThrow(/process died.*--resume/);
    expect(rates((await runTraining(config, { out, resume: true })).records)).toEqual(rates(whole.records));
  });

  it('never replaces a run silently: same finished config = already done, another config needs --force, a live writer holds the lock', async () => {
    const out = join(dir(), 'run');
    const config = tiny([['trainer.epochs', 1]]);
    const first = await runTraining(config, { out });
    const again = await runTraining(config, { out });
    expect(again.skipped).toBe(true);
    expect(again.summary).toEqual(first.summary);
    await expect(runTraining(tiny([['trainer.epochs', 2]]), { out })).rejects.toThrow(/another config.*--force/);
    expect(readRunSummary(out)!.epochs).toBe(1);
    const forced = await runTraining(tiny([['trainer.epochs', 2]]), { out, force: true });
    expect(forced.summary.epochs).toBe(2);
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), started: 'now' }));
    await expect(runTraining(config, { out, force: true })).rejects.toThrow(new RegExp(`being written by pid ${process.ppid}`));
    const other = join(dir(), 'notes');
    mkdirSync(other);
    writeFileSync(join(other, 'thesis.tex'), 'x');
    await expect(runTraining(config, { out: other })).rejects.toThrow(/--out: expected a new or empty folder/);
    expect(readFileSync(join(other, 'thesis.tex'), 'utf8')).toBe('x');
  });

  it('--set order does not matter: a kind change drops only the options of the old kind that came from the file', () => {
    const file = { trainer: { kind: 'unsupervised', epochs: 7, workers: 2 } };
    const c = resolveConfig(file, [['trainer.epochs', 3], ['trainer.kind', 'supervised']]);
    expect(c.trainer).toEqual({ kind: 'supervised', epochs: 3 });
    expect(resolveConfig(file, [['trainer.kind', 'unsupervised'], ['trainer.batch', 8]]).trainer).toEqual({ kind: 'unsupervised', epochs: 7, workers: 2, batch: 8 });
  });

  it('default run names are unique per resolved config', () => {
    const a = tiny([], '/c1');
    expect(defaultRunName(a)).toMatch(/^runs\/mlp-unsupervised-k4-s0-[0-9a-f]{10}$/);
    expect(configHash(tiny([], '/c2'))).toBe(configHash(a));
    expect(configHash(tiny([['trainer.epochs', 4]], '/c1'))).not.toBe(configHash(a));
    expect(configHash(tiny([['data.train', 97]], '/c1'))).not.toBe(configHash(a));
  });

  it('trains data-parallel with trainer.workers = 2 (worker threads load the local β plugin too): same metrics as one thread up to float rounding', async () => {
    const file = join(examples, 'sqrt-decay-beta.ts');
    const sets: [string, unknown][] = [['distill.beta.kind', 'sqrt-decay'], ['plugins', [file]], ['teacher.iterations', 10], ['backend', 'wasm']];
    const cache = dir();
    const one = await runTraining(tiny(sets, cache), { out: join(dir(), 'w1') });
    const two = await runTraining(tiny([...sets, ['trainer.workers', 2]], cache), { out: join(dir(), 'w2') });
    expect(two.records).toHaveLength(4);
    two.records.forEach((r, i) => {
      expect(r.testSumRate).toBeCloseTo(one.records[i].testSumRate, 4);
      expect(r.distillLoss!).toBeCloseTo(one.records[i].distillLoss!, 4);
      expect(r.beta!).toBeCloseTo(one.records[i].beta!, 10);
    });
    expect(one.records[1].beta!).toBeGreaterThan(one.records[3].beta!);
  });
});

describe('trainers are plugins', () => {
  it('a local trainer file (examples/plugins/evolution-trainer.ts) runs through the same pipeline', async () => {
    const out = join(dir(), 'evo');
    const config = tiny([['plugins', [join(examples, 'evolution-trainer.ts')]], ['trainer', { kind: 'evolution', iterations: 12, sigma: 0.1, logEvery: 4 }]]);
    const { summary, records } = await runTraining(config, { out });
    expect(records.map((r) => r.step)).toEqual([0, 4, 8, 12]);
    expect(summary).toMatchObject({ status: 'completed', trainer: 'evolution', samples: 12 * 96 });
    // Accept-if-better: the training-set rate never decreases.
    const train = records.map((r) => r.trainSumRate as number);
    for (let i = 1; i < train.length; i++) expect(train[i]).toBeGreaterThanOrEqual(train[i - 1]);
    expect(existsSync(join(out, 'weights', 'model.json'))).toBe(true);
    await expect(runTraining(tiny([['plugins', [join(examples, 'evolution-trainer.ts')]], ['trainer', { kind: 'evolution', sigma: -1 }]]), { out: join(dir(), 'x') })).rejects.toThrow(
      /trainer\.sigma: expected a finite number > 0/,
    );
  });
});

describe('config validation', () => {
  const registry = builtinRegistry();
  const fails = async (sets: [string, unknown][], pattern: RegExp) => {
    const out = join(dir(), 'never');
    await expect((async () => runTraining(tiny(sets), { registry, out }))()).rejects.toThrow(pattern);
    expect(existsSync(out)).toBe(false);
  };

  it('names the bad field before any work', async () => {
    expect(() => tiny([['scenario.noise', -1]])).toThrow(/scenario\.noise/);
    expect(() => tiny([['scenari.users', 3]])).toThrow(/scenari: expected one of the known options/);
    expect(() => tiny([['data.tset', 3]])).toThrow(/data\.tset/);
    await fails([['trainer.epochs', -1]], /trainer\.epochs: expected an integer >= 0/);
    await fails([['trainer.kind', 'magic']], /trainer\.kind: expected a registered trainer \(ddpg, supervised, unsupervised\)/);
    await fails([['trainer.optimizer.learningRate', 0.05]], /trainer\.optimizer\.learningRate: expected one of the known options \(kind, lr/);
    await fails([['model.kind', 'transformer']], /model\.kind: expected a registered model \(.*mlp.*\)/);
    await fails([['model.hidden', 'wide']], /model\.hidden/);
    await fails([['teacher.kind', 'oracle']], /teacher\.kind: expected a registered teacher/);
    await fails([['distill.beta.kind', 'wobbly']], /distill\.beta\.kind: expected a registered beta-schedule/);
    await fails([['channel.variance', -2]], /channel\.variance/);
    await fails([['backend', 'quantum']], /backend\.kind: expected a registered backend/);
    await fails([['distill.distance', 'l3']], /distill\.distance\.kind: expected a registered distance \(l1, l2, mse\), got "l3"/);
    await fails([['trainer.workers', 0]], /trainer\.workers/);
    await fails([['trainer.workers', 'many']], /trainer\.workers/);
    await fails([['trainer.steps', 100]], /trainer\.steps: expected one of the known options \(epochs, batch/);
    await fails([['trainer.kind', 'ddpg'], ['trainer.tau', 2]], /trainer\.tau/);
  });
});

describe('runTraining with the ddpg trainer', () => {
  it('trains an MLP actor by AD-DDPG into the same run-folder and summary format', async () => {
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
    const { summary, records } = await runTraining(config, { out });
    expect(records.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(records.map((r) => r.samples)).toEqual([0, 80, 160, 240]);
    expect(records[3].beta).toBe(1);
    expect(summary).toMatchObject({ status: 'completed', trainer: 'ddpg', epochs: 0, steps: 30, samples: 240, epochsTo95: null });
    expect(summary.samplesTo95).not.toBeNull();
    const controller = new AbortController();
    const stopped = await runTraining(config, { out: join(dir(), 'ddpg-int'), signal: controller.signal, onEpoch: (r) => r.step === 10 && controller.abort() });
    expect(stopped.summary.status).toBe('interrupted');
    expect(stopped.records[stopped.records.length - 1].step).toBeLessThan(30);
    // Resume (re-warmed): critic, targets and optimizers come back from the checkpoint; the run goes on to the end.
    const cp = new RunFolder(stopped.out).readCheckpoint();
    expect(Object.keys(cp.checkpoint.tensors).some((k) => k.startsWith('critic/'))).toBe(true);
    expect(Object.keys(cp.checkpoint.tensors).some((k) => k.startsWith('actorOpt/'))).toBe(true);
    const resumed = await runTraining(config, { out: stopped.out, resume: true });
    expect(resumed.summary.status).toBe('completed');
    expect(resumed.records.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(resumed.records.slice(0, 2)).toEqual(stopped.records.slice(0, 2));
    expect(resumed.records.every((r) => Number.isFinite(r.testSumRate))).toBe(true);
    for (const f of ['metrics.csv', 'metrics.jsonl', 'summary.json', 'convergence.svg', 'weights/model.json']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('moves receivers between the steps of an episode on d2d channels, and rejects mobility without geometry', async () => {
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
    const { records } = await runTraining(tiny([...base, ['channel.kind', 'd2d'], ['channel.fieldSize', 200]]), { out: join(dir(), 'mob') });
    expect(records.map((r) => r.step)).toEqual([0, 6, 12]);
    expect(records.every((r) => Number.isFinite(r.testSumRate))).toBe(true);
    const { mobilityEvolve } = await import('@rrm/trainers-ddpg');
    const d2d = builtinRegistry().create('channel', { kind: 'd2d', fieldSize: 200 });
    const evolve = mobilityEvolve({ std: 5 }, d2d, 4)!;
    const before = d2d.generate({ batch: 2, users: 4, rng: streams(1).get('x') });
    const after = evolve(before, streams(1).get('y'));
    expect(after.geometry!.tx).toEqual(before.geometry!.tx);
    expect(after.geometry!.rx).not.toEqual(before.geometry!.rx);
    expect(after.gains).not.toEqual(before.gains);
    await expect(runTraining(tiny(base), { out: join(dir(), 'x') })).rejects.toThrow(/trainer\.mobility: expected a channel model with geometry/);
  });
});
