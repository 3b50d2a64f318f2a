import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { match } from 'ts-pattern';
import {
  ValidationError,
  loadLocalPlugins,
  meanSumRate,
  streams,
  sumRates,
  useBackend,
  type ChannelBatch,
  type DistillService,
  type PowerModel,
  type Registry,
  type Trainer,
  type TrainerContext,
  type TrainRecord,
} from '@rrm/core';
import { saveModelWeights } from '@rrm/trainers-unsup';
import { distillationTerm, teacherLabels } from '@rrm/distill';
import { canonicalJson, defaultRunName, type PipelineConfig } from './config';
import { builtinRegistry } from './registry';
import { RunFolder, epochsToFraction, readRunSummary, type RunStatus, type RunSummary } from './run-folder';

export interface RunTrainingOptions {
  /** The run folder (default: runs/<model>-<trainer>-k<K>-s<seed>-<config hash>). */
  readonly out?: string;
  readonly signal?: AbortSignal;
  /** Called after every recorded epoch (or RL logging interval), once it is on disk. */
  readonly onEpoch?: (record: TrainRecord) => void;
  readonly log?: (line: string) => void;
  /** Progress within long phases (teacher labels, an epoch's batches): units done of total. */
  readonly onProgress?: (what: string, done: number, total: number) => void;
  /** Default: the built-in plugins; the config's local plugin files are added to it. */
  readonly registry?: Registry;
  /** Continue an interrupted or killed run of the same config from its last finished epoch. */
  readonly resume?: boolean;
  /** Replace a run folder that holds another config, or a finished run of this one. */
  readonly force?: boolean;
  /** Series label in reports (default: the run folder's name). */
  readonly name?: string;
}

export interface RunTrainingResult {
  readonly summary: RunSummary;
  readonly records: readonly TrainRecord[];
  readonly out: string;
  /** True when the folder already held this config's finished run and nothing was trained. */
  readonly skipped: boolean;
}

/** Every part a config names, resolved (and so validated) before any data is drawn or any file is written. */
export function validateConfig(config: PipelineConfig, registry: Registry) {
  const distilling = config.distill.beta.kind !== 'none';
  if (!registry.has('distance', config.distill.distance)) {
    // Checked even without distillation: a typo in a config never passes silently.
    registry.entry('distance', config.distill.distance, 'distill.distance');
  }
  registry.entry('backend', config.backend, 'backend');
  return {
    channel: registry.create('channel', config.channel, 'channel'),
    teacher: registry.create('teacher', config.teacher, 'teacher'),
    reference: registry.create('teacher', config.reference, 'reference'),
    modelBuilder: registry.create('model', config.model, 'model'),
    trainer: registry.create('trainer', config.trainer, 'trainer') as Trainer,
    schedule: distilling ? registry.create('beta-schedule', config.distill.beta, 'distill.beta') : undefined,
    distance: distilling ? registry.create('distance', { kind: config.distill.distance }, 'distill.distance') : undefined,
  };
}
export type ResolvedParts = ReturnType<typeof validateConfig>;

/** The AD term service of a run (undefined without distillation). */
export function distillService(parts: ResolvedParts): DistillService | undefined {
  const { schedule, distance } = parts;
  if (!schedule || !distance) return undefined;
  return { schedule, distance, term: (labels, users) => distillationTerm({ schedule, distance, labels, users }) };
}

/** The run's model for K users, seeded from the config's 'model' stream. */
export function buildModel(registry: Registry, config: PipelineConfig, users: number): PowerModel {
  const builder = registry.create('model', config.model, 'model');
  return builder({ users, pmax: config.scenario.pmax, noise: config.scenario.noise, seed: streams(config.seed).get('model').seed32() });
}

const sameConfig = (a: unknown, b: PipelineConfig) => {
  const strip = (c: unknown) => ({ ...(c as Record<string, unknown>), cache: undefined });
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
};

/**
 * What to do with the folder: train from scratch, resume, or report the finished run. Never replaces a
 * run silently: another config or a finished run needs `force`, an interrupted one `resume` (or `force`).
 */
function plan(run: RunFolder, config: PipelineConfig, opts: RunTrainingOptions): 'fresh' | 'resume' | 'done' {
  const hasConfig = existsSync(run.path('config.json'));
  if (opts.force) return 'fresh';
  if (!hasConfig) {
    if (opts.resume) throw new ValidationError('--resume', 'a run folder written by rrm train', run.dir);
    const foreign = existsSync(run.dir) && readdirSync(run.dir).some((f) => f !== '.lock');
    if (foreign) throw new ValidationError('--out', 'a new or empty folder, or a run folder (use --force to replace what is there)', run.dir);
    return 'fresh';
  }
  if (!sameConfig(RunFolder.readConfig(run.dir), config)) {
    throw new ValidationError('--out', `a run folder of the same config (${run.dir} holds a run of another config: choose another --out, or --force to replace it)`, run.dir);
  }
  const summary = readRunSummary(run.dir);
  const status = summary?.status ?? 'running';
  if (status === 'completed' || status === 'stopped') return 'done';
  if (!opts.resume) {
    const epoch = summary ? `at epoch ${summary.epochs} (${summary.samples ?? 0} samples)` : 'before its first epoch';
    throw new ValidationError('--out', `a finished run or a new folder (${run.dir} holds this config's run, ${status === 'running' ? 'whose process died' : status} ${epoch}: continue it with --resume, or start again with --force)`, run.dir);
  }
  if (!run.hasCheckpoint()) return 'fresh';
  return 'resume';
}

/**
 * Trains one config end to end — the one training path of rrm (`rrm train`, the demo, benchmarks and sweep
 * workers call it). Every part, the trainer too, comes from the registry through a per-run scope holding
 * the run's services; the trainer reports records and the run folder is rewritten atomically after each.
 */
export async function runTraining(config: PipelineConfig, opts: RunTrainingOptions = {}): Promise<RunTrainingResult> {
  const base = opts.registry ?? builtinRegistry();
  await loadLocalPlugins(config.plugins, base);
  // Plugins of this run are resolved through its own scope, which holds the run's shared services.
  const rng = streams(config.seed);
  const scope = base.scope().provide('streams', rng).provide('scenario', config.scenario).provide('cacheDir', config.cache);
  const parts = validateConfig(config, scope);
  const out = opts.out ?? defaultRunName(config);
  const log = opts.log ?? (() => {});
  const name = opts.name ?? out.split('/').filter(Boolean).pop() ?? 'run';
  const run = new RunFolder(out);
  run.lock();
  try {
    return await match(plan(run, config, opts))
      .with('done', () => {
        log(`${out}: this config's run is already finished (use --force to train it again)`);
        return { summary: readRunSummary(out)!, records: RunFolder.readRecords(out), out, skipped: true };
      })
      .with('fresh', () => {
        run.clear();
        return train(config, parts, scope, run, { ...opts, log, name, resume: false });
      })
      .with('resume', () => train(config, parts, scope, run, { ...opts, log, name, resume: true }))
      .exhaustive();
  } finally {
    run.unlock();
  }
}

async function train(config: PipelineConfig, parts: ResolvedParts, scope: Registry, run: RunFolder, opts: RunTrainingOptions & { log: (l: string) => void; name: string }) {
  const { log, name } = opts;
  const { users, noise, pmax } = config.scenario;
  await useBackend(scope, config.backend);
  const rng = scope.service<ReturnType<typeof streams>>('streams');
  const draw = (stream: string, batch: number): ChannelBatch => parts.channel.generate({ batch, users, rng: rng.get(stream) });
  const labelsOf = async (teacher: typeof parts.teacher, channels: ChannelBatch, what: string) => {
    const t0 = performance.now();
    const onProgress = opts.onProgress && ((done: number, total: number) => opts.onProgress!(what, done, total));
    const r = await teacherLabels({ teacher, problem: { channels, noise, pmax, onProgress }, cacheDir: config.cache });
    const secs = (performance.now() - t0) / 1000;
    log(`${what}: ${teacher.kind} on ${channels.batch} samples, ${meanSumRate(channels, r.powers, { noise }).toFixed(4)} bit/s/Hz (${r.hit ? 'cached' : `computed in ${secs.toFixed(1)} s`})`);
    return r.powers;
  };
  scope.provide('labels', labelsOf);

  log(`drawing ${config.data.test} test samples of ${config.channel.kind} at K = ${users}`);
  const test = draw('test', config.data.test);
  const reference = sumRates(test, await labelsOf(parts.reference, test, 'reference on the test set'), { noise });
  const wmmseMean = reference.reduce((a, b) => a + b, 0) / reference.length;
  const model = buildModel(scope, config, users);
  const trainer = parts.trainer;

  const records: TrainRecord[] = [];
  let resume: TrainerContext['resume'];
  if (opts.resume) {
    const cp = run.readCheckpoint();
    records.push(...RunFolder.readRecords(run.dir).slice(0, cp.records));
    model.loadWeights(cp.model);
    tf.dispose(Object.values(cp.model));
    resume = { records: [...records], checkpoint: cp.checkpoint };
    log(`resuming ${run.dir} after ${describe(records[records.length - 1])}`);
  }
  run.writeConfig(config);
  run.preload(records.map((r) => ({ ...r })));

  const epochs = typeof trainer.options.epochs === 'number' ? trainer.options.epochs : undefined;
  const finish = async (status: RunStatus, message?: string) => {
    if (records.length === 0) return undefined;
    const summary = summarize({ name, status, trainer: trainer.kind, records, wmmse: wmmseMean, paramCount: model.paramCount(), message });
    run.writeSummary(summary);
    await run.writeReport({
      title: `${name}: ${config.model.kind}, ${trainer.kind}${parts.schedule ? ` + AD (${config.distill.beta.kind} β)` : ''}, K=${users}`,
      xLabel: trainer.progressKey === 'epoch' ? 'epoch' : 'training samples',
      series: [{ name, x: records.map((r) => r[trainer.progressKey] as number), y: records.map((r) => r.testSumRate) }],
      reference: { name: `${parts.reference.kind} (test)`, y: wmmseMean },
      body: reportBody(summary, config),
    });
    return summary;
  };

  const signal = opts.signal ?? new AbortController().signal;
  const ctx: TrainerContext = {
    scenario: config.scenario,
    seed: config.seed,
    trainSamples: config.data.train,
    channel: parts.channel,
    teacher: parts.teacher,
    model,
    buildModel: parts.modelBuilder,
    distill: distillService(parts),
    test: { channels: test, reference },
    draw,
    labels: (channels, what) => labelsOf(parts.teacher, channels, `teacher labels (${what})`),
    replica: (labels) => ({ module: fileURLToPath(new URL('./replica.ts', import.meta.url)), args: { config, users, labels } }),
    resume,
    log,
    progress: (what, done, total) => opts.onProgress?.(what, done, total),
    signal,
    async record(rec, checkpoint) {
      records.push(rec);
      run.addRecord({ ...rec });
      await saveModelWeights(model, run.weightsDir);
      if (checkpoint) {
        const named = Object.fromEntries(model.namedWeights().map((w) => [w.name, w.tensor]));
        await run.writeCheckpoint(records.length, named, await checkpoint());
      }
      await finish('running');
      log(progressLine(rec, epochs, records));
      opts.onEpoch?.(rec);
    },
  };

  let result: { status: RunStatus; message?: string };
  try {
    result = await trainer.run(ctx);
  } catch (err) {
    await finish('failed', (err as Error).message);
    model.dispose();
    throw err;
  }
  if (result.status === 'interrupted') log(`interrupted: ${run.dir} holds ${records.length ? describe(records[records.length - 1]) : 'no epoch'}; continue with rrm train --resume ${run.dir}`);
  if (result.message) log(result.message);
  const summary = await finish(result.status, result.message);
  model.dispose();
  if (!summary) throw new ValidationError('trainer', `a trainer that records at least one evaluation (${trainer.kind} recorded none)`);
  return { summary, records, out: run.dir, skipped: false };
}

function describe(rec: TrainRecord | undefined): string {
  if (!rec) return 'no epoch';
  return rec.epoch > 0 ? `epoch ${rec.epoch}` : `step ${rec.step} (${rec.samples} samples)`;
}

function progressLine(rec: TrainRecord, epochs: number | undefined, records: readonly TrainRecord[]): string {
  const pct = rec.pctReference !== null ? ` (${rec.pctReference.toFixed(1)} % of WMMSE)` : '';
  const first = records[0];
  const rate = rec.wallSeconds > first.wallSeconds ? (rec.samples - first.samples) / (rec.wallSeconds - first.wallSeconds) : 0;
  return match(epochs)
    .with(undefined, () =>
      `step ${String(rec.step).padStart(6)}  samples ${rec.samples}  test ${rec.testSumRate.toFixed(4)} bit/s/Hz${pct}` +
      (typeof rec.criticLoss === 'number' ? `  critic ${rec.criticLoss.toExponential(2)}` : '') +
      (rec.beta ? `  β ${rec.beta.toFixed(3)}` : '') +
      `  ${rate.toFixed(0)} samples/s`,
    )
    .otherwise((total) => {
      const perEpoch = rec.epoch > first.epoch ? (rec.wallSeconds - first.wallSeconds) / (rec.epoch - first.epoch) : 0;
      const left = perEpoch * (total - rec.epoch);
      const eta = left < 60 ? `${left.toFixed(0)}s` : `${(left / 60).toFixed(1)}m`;
      return (
        `epoch ${String(rec.epoch).padStart(3)}/${total}  loss ${(rec.trainLoss ?? NaN).toFixed(4)}  test ${rec.testSumRate.toFixed(4)} bit/s/Hz${pct}` +
        (rec.epoch > 0 ? `  ${rate.toFixed(0)} samples/s  ETA ${eta}` : '')
      );
    });
}

export function summarize(o: {
  name: string;
  status: RunStatus;
  trainer: string;
  records: readonly TrainRecord[];
  wmmse: number | null;
  paramCount: number;
  message?: string;
}): RunSummary {
  const { records } = o;
  const last = records[records.length - 1];
  const best = records.reduce((a, b) => (b.testSumRate > a.testSumRate ? b : a), records[0]);
  const pct = (v: number) => (o.wmmse ? (100 * v) / o.wmmse : null);
  const rates = records.map((r) => r.testSumRate);
  return {
    name: o.name,
    status: o.status,
    trainer: o.trainer,
    epochs: last.epoch,
    steps: last.step,
    samples: last.samples,
    finalTestSumRate: last.testSumRate,
    finalPctWmmse: pct(last.testSumRate),
    bestTestSumRate: best.testSumRate,
    bestEpoch: best.epoch,
    bestSamples: best.samples,
    bestPctWmmse: pct(best.testSumRate),
    wmmseTestSumRate: o.wmmse,
    epochsTo95: last.epoch > 0 ? epochsToFraction(records.map((r) => r.epoch), rates) : null,
    samplesTo95: epochsToFraction(records.map((r) => r.samples), rates),
    trainSeconds: last.trainSeconds,
    wallSeconds: last.wallSeconds,
    paramCount: o.paramCount,
    ...(o.message ? { message: o.message } : {}),
  };
}

function reportBody(s: RunSummary, config: PipelineConfig): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} %`);
  return [
    `| measure | value |`,
    `|---|---|`,
    `| status | ${s.status}${s.message ? ` (${s.message})` : ''} |`,
    `| trainer | ${s.trainer}: ${s.epochs} epochs, ${s.steps} steps, ${s.samples} training samples |`,
    `| final test sum rate | ${s.finalTestSumRate.toFixed(4)} bit/s/Hz (${pct(s.finalPctWmmse)} of WMMSE) |`,
    `| best test sum rate | ${s.bestTestSumRate.toFixed(4)} bit/s/Hz at epoch ${s.bestEpoch} / ${s.bestSamples} samples (${pct(s.bestPctWmmse)}) |`,
    `| WMMSE on the test set | ${s.wmmseTestSumRate?.toFixed(4) ?? 'n/a'} bit/s/Hz |`,
    `| epochs to 95 % of final | ${s.epochsTo95 ?? 'n/a'} (samples: ${s.samplesTo95 ?? 'n/a'}) |`,
    `| training time | ${s.trainSeconds.toFixed(1)} s (wall ${s.wallSeconds.toFixed(1)} s) |`,
    `| parameters | ${s.paramCount} |`,
    '',
    '## Config',
    '',
    '```json',
    JSON.stringify(config, null, 2),
    '```',
  ].join('\n');
}
