import { fileURLToPath } from 'node:url';
import {
  ValidationError,
  meanSumRate,
  streams,
  sumRates,
  useBackend,
  type ChannelBatch,
  type PowerModel,
  type Registry,
} from '@rrm/core';
import {
  loadModelWeights,
  resolveEarlyStopping,
  resolveOptimizer,
  resolveWorkers,
  saveModelWeights,
  trainDataset,
  type Dataset,
  type EpochRecord,
  type OptimizerSpec,
} from '@rrm/trainers-unsup';
import { distillationTerm, teacherLabels } from '@rrm/distill';
import { resolveDdpgOptions } from '@rrm/trainers-ddpg';
import type { PipelineConfig } from '../config';
import { RunFolder, epochsToFraction, type RunSummary } from './run-folder';

export interface TrainPipelineOptions {
  readonly registry: Registry;
  readonly config: PipelineConfig;
  readonly out: string;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Series label in reports (default: the run folder's name). */
  readonly name?: string;
}

export interface TrainPipelineResult {
  readonly summary: RunSummary;
  readonly records: readonly EpochRecord[];
  readonly run: RunFolder;
}

/**
 * Everything a config names is resolved (and so validated) before any data is drawn or any file is
 * written: an invalid config fails fast with the field in the message.
 */
export function resolvePlugins(registry: Registry, config: PipelineConfig) {
  const channel = registry.create('channel', config.channel, 'channel');
  const teacher = registry.create('teacher', config.teacher, 'teacher');
  const reference = registry.create('teacher', config.reference, 'reference');
  const buildModel = registry.create('model', config.model, 'model');
  registry.entry('backend', config.backend, 'backend');
  const distilling = config.distill.beta.kind !== 'none';
  const schedule = distilling ? registry.create('beta-schedule', config.distill.beta, 'distill.beta') : undefined;
  // Checked even without distillation: a typo in a config never passes silently.
  if (!registry.has('distance', config.distill.distance)) {
    const known = registry.list('distance').map((e) => e.name);
    throw new ValidationError('distill.distance', `a registered distance (${known.join(', ')})`, config.distill.distance);
  }
  const distance = distilling ? registry.create('distance', { kind: config.distill.distance }, 'distill.distance') : undefined;
  const optimizer = optimizerSpec(config);
  let workers = 1;
  if (config.trainer.kind === 'ddpg') resolveDdpgOptions(ddpgOptions(config), 'trainer');
  else {
    resolveOptimizer(optimizer, 'trainer.optimizer');
    workers = resolveWorkers(config.trainer.workers, 'trainer.workers');
  }
  const earlyStopping = config.trainer.earlyStopping === undefined ? undefined : resolveEarlyStopping(config.trainer.earlyStopping as Record<string, unknown>, 'trainer.earlyStopping');
  return { channel, teacher, reference, buildModel, schedule, distance, optimizer, earlyStopping, workers };
}

/** The DDPG options of a config: everything under `trainer` except the dataset-pattern keys. */
export function ddpgOptions(config: PipelineConfig): Record<string, unknown> {
  const { kind: _kind, epochs: _epochs, optimizer: _optimizer, earlyStopping: _early, mobility: _mobility, ...rest } = config.trainer;
  return rest;
}

/** The config's `trainer.optimizer` ({ kind, lr, ... }) as the trainer's OptimizerSpec ({ kind, learningRate, ... }). */
export function optimizerSpec(config: PipelineConfig): OptimizerSpec {
  const { lr, ...rest } = config.trainer.optimizer;
  return { ...rest, learningRate: lr } as OptimizerSpec;
}

/** The AD term of a config (undefined without distillation or labels). */
export function extraLossOf(plugins: ReturnType<typeof resolvePlugins>, labels: Float64Array | undefined, users: number) {
  return plugins.schedule && plugins.distance && labels ? distillationTerm({ schedule: plugins.schedule, distance: plugins.distance, labels, users }) : undefined;
}

export function buildModel(registry: Registry, config: PipelineConfig, users: number): PowerModel {
  const builder = registry.create('model', config.model, 'model');
  return builder({ users, pmax: config.scenario.pmax, noise: config.scenario.noise, seed: streams(config.seed).get('model').seed32() });
}

export async function trainPipeline(opts: TrainPipelineOptions): Promise<TrainPipelineResult> {
  const { registry, config } = opts;
  const log = opts.log ?? (() => {});
  const plugins = resolvePlugins(registry, config);
  if (config.trainer.kind === 'ddpg') throw new Error('trainer.kind ddpg: use trainDdpgPipeline');
  await useBackend(registry, config.backend);

  const { users, noise, pmax } = config.scenario;
  const rng = streams(config.seed);
  const train = plugins.channel.generate({ batch: config.data.train, users, rng: rng.get('train') });
  const test = plugins.channel.generate({ batch: config.data.test, users, rng: rng.get('test') });
  const problem = (channels: ChannelBatch) => ({ channels, noise, pmax });

  const cacheDir = config.cache;
  const ref = await teacherLabels({ teacher: plugins.reference, problem: problem(test), cacheDir });
  const reference = sumRates(test, ref.powers, { noise });
  log(`reference ${plugins.reference.kind} on the test set: ${meanSumRate(test, ref.powers, { noise }).toFixed(4)} bit/s/Hz (${ref.hit ? 'cached' : 'computed'})`);
  const needLabels = config.trainer.kind === 'supervised' || plugins.schedule !== undefined;
  let labels: Float64Array | undefined;
  if (needLabels) {
    const l = await teacherLabels({ teacher: plugins.teacher, problem: problem(train), cacheDir });
    labels = l.powers;
    log(`teacher ${plugins.teacher.kind} labels on the training set: ${meanSumRate(train, labels, { noise }).toFixed(4)} bit/s/Hz (${l.hit ? 'cached' : 'computed'})`);
  }

  const trainSet: Dataset = { channels: train, noise, pmax, labels };
  const testSet: Dataset = { channels: test, noise, pmax, reference };
  const model = buildModel(registry, config, users);
  const run = RunFolder.create(opts.out, config);
  const name = opts.name ?? opts.out.split('/').filter(Boolean).pop() ?? 'run';
  const wmmseMean = reference.reduce((a, b) => a + b, 0) / reference.length;
  const extraLoss = extraLossOf(plugins, labels, users);
  const workers = plugins.workers;

  const epochs = config.trainer.epochs;
  let status: RunSummary['status'] = 'running';
  const finish = (records: readonly EpochRecord[]) => {
    const summary = summarize(name, status, records, wmmseMean, model.paramCount());
    run.writeSummary(summary);
    run.writeReport({
      title: `${name}: ${config.model.kind}, ${config.trainer.kind}${extraLoss ? ` + AD (${config.distill.beta.kind} β)` : ''}, K=${users}`,
      xKey: 'epoch',
      xLabel: 'epoch',
      series: [{ name, x: records.map((r) => r.epoch), y: records.map((r) => r.testSumRate) }],
      reference: { name: `${plugins.reference.kind} (test)`, y: wmmseMean },
      body: reportBody(summary, config),
    });
    return summary;
  };

  const records: EpochRecord[] = [];
  const result = await trainDataset({
    model,
    train: trainSet,
    test: testSet,
    epochs,
    batchSize: config.trainer.batch,
    seed: config.seed,
    optimizer: plugins.optimizer,
    loss: config.trainer.kind as 'unsupervised' | 'supervised',
    extraLoss,
    workers,
    // Worker threads rebuild the model and the AD term from the config (see replica.ts).
    replica: workers > 1 ? { module: fileURLToPath(new URL('./replica.ts', import.meta.url)), args: { config, users, labels } } : undefined,
    signal: opts.signal,
    earlyStopping: plugins.earlyStopping,
    callbacks: {
      onEpochEnd: async (rec) => {
        records.push(rec);
        run.addRecord({ ...rec });
        await saveModelWeights(model, run.weightsDir);
        finish(records);
        log(
          `epoch ${String(rec.epoch).padStart(3)}/${epochs}  loss ${rec.trainLoss.toFixed(4)}  test ${rec.testSumRate.toFixed(4)} bit/s/Hz` +
            (rec.pctReference !== null ? ` (${rec.pctReference.toFixed(1)} % of WMMSE)` : '') +
            (rec.epoch > 0 ? `  ${rec.samplesPerSecond.toFixed(0)} samples/s  ETA ${eta(rec, epochs)}` : ''),
        );
      },
    },
  });
  status = result.stopReason === 'aborted' ? 'interrupted' : result.stopReason;
  const summary = finish(records);
  model.dispose();
  return { summary, records, run };
}

function eta(rec: EpochRecord, epochs: number): string {
  const perEpoch = rec.wallSeconds / Math.max(rec.epoch, 1);
  const s = perEpoch * (epochs - rec.epoch);
  return s < 60 ? `${s.toFixed(0)}s` : `${(s / 60).toFixed(1)}m`;
}

export function summarize(
  name: string,
  status: RunSummary['status'],
  records: readonly { epoch: number; testSumRate: number; trainSeconds: number; wallSeconds: number }[],
  wmmse: number | null,
  paramCount: number,
): RunSummary {
  const last = records[records.length - 1];
  const best = records.reduce((a, b) => (b.testSumRate > a.testSumRate ? b : a), records[0]);
  const pct = (v: number) => (wmmse ? (100 * v) / wmmse : null);
  return {
    name,
    status,
    epochs: last.epoch,
    finalTestSumRate: last.testSumRate,
    finalPctWmmse: pct(last.testSumRate),
    bestTestSumRate: best.testSumRate,
    bestEpoch: best.epoch,
    bestPctWmmse: pct(best.testSumRate),
    wmmseTestSumRate: wmmse,
    epochsTo95: epochsToFraction(records.map((r) => r.epoch), records.map((r) => r.testSumRate)),
    trainSeconds: last.trainSeconds,
    wallSeconds: last.wallSeconds,
    paramCount,
  };
}

function reportBody(s: RunSummary, config: PipelineConfig): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} %`);
  return [
    `| measure | value |`,
    `|---|---|`,
    `| status | ${s.status} |`,
    `| epochs | ${s.epochs} |`,
    `| final test sum rate | ${s.finalTestSumRate.toFixed(4)} bit/s/Hz (${pct(s.finalPctWmmse)} of WMMSE) |`,
    `| best test sum rate | ${s.bestTestSumRate.toFixed(4)} bit/s/Hz at epoch ${s.bestEpoch} (${pct(s.bestPctWmmse)}) |`,
    `| WMMSE on the test set | ${s.wmmseTestSumRate?.toFixed(4) ?? 'n/a'} bit/s/Hz |`,
    `| epochs to 95 % of final | ${s.epochsTo95 ?? 'n/a'} |`,
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

export { loadModelWeights };
