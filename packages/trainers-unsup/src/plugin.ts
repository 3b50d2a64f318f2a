import type * as tf from '@tensorflow/tfjs';
import {
  integer,
  nonNegative,
  parseOptions,
  strict,
  strictOptions,
  z,
  type Plugin,
  type Registry,
  type Trainer,
  type TrainerContext,
  type TrainStatus,
} from '@rrm/core';
import { SUPERVISED_DISTANCES } from './loss';
import { optimizerSchema } from './optimizers';
import { trainDataset, type EpochRecord, type StopReason } from './trainer';

/**
 * The dataset-pattern trainers `unsupervised` (−sum rate) and `supervised` (distance to teacher labels):
 * a fixed training set drawn from the run's 'train' stream, labelled by the run's teacher when the loss
 * or the AD term needs labels, mini-batch epochs, the test set evaluated after every epoch.
 * Options are the config's `trainer` section, validated by one schema.
 */
const common = {
  epochs: integer(0).default(20),
  batch: integer(1).default(64),
  optimizer: optimizerSchema.prefault({}),
  earlyStopping: strict({ patience: integer(1).default(10), minDelta: nonNegative().default(0), restoreBest: z.boolean().default(false) }).optional(),
  /** Data-parallel gradient threads: an integer or 'auto' (one per core). */
  workers: z.union([integer(1), z.literal('auto')]).default(1),
  unit: z.enum(['bits', 'nats']).default('bits'),
  /** Samples per inference batch of the test-set evaluation. */
  evalBatch: integer(1).default(1024),
  shuffle: z.boolean().default(true),
};
export const unsupervisedSchema = strictOptions(common);
export const supervisedSchema = strictOptions({ ...common, distance: z.enum(SUPERVISED_DISTANCES).default('mse') });
export type DatasetTrainerOptions = z.output<typeof supervisedSchema>;

const STATUS: Record<StopReason, TrainStatus> = { completed: 'completed', stopped: 'stopped', aborted: 'interrupted' };

/** An epoch as the pipeline records it (samples = epochs · training-set size). */
function trainRecord(rec: EpochRecord, trainSize: number) {
  return { ...rec, samples: rec.epoch * trainSize };
}

export function datasetTrainer(kind: 'unsupervised' | 'supervised', options: Record<string, unknown> = {}, field = 'trainer'): Trainer {
  const o: DatasetTrainerOptions = kind === 'supervised' ? parseOptions(supervisedSchema, options, field) : { ...parseOptions(unsupervisedSchema, options, field), distance: 'mse' };
  return {
    kind,
    pattern: 'dataset',
    progressKey: 'epoch',
    options: kind === 'supervised' ? o : (({ distance: _d, ...rest }) => rest)(o),
    async run(ctx: TrainerContext) {
      const { users, noise, pmax } = ctx.scenario;
      const channels = ctx.draw('train', ctx.trainSamples);
      const labels = kind === 'supervised' || ctx.distill ? await ctx.labels(channels, 'train') : undefined;
      const resume = ctx.resume && {
        records: ctx.resume.records as unknown as EpochRecord[],
        optimizer: Object.entries(ctx.resume.checkpoint.tensors).map(([name, tensor]) => ({ name, tensor })),
      };
      const result = await trainDataset({
        model: ctx.model,
        train: { channels, noise, pmax, labels },
        test: { channels: ctx.test.channels, noise, pmax, reference: ctx.test.reference },
        epochs: o.epochs,
        batchSize: o.batch,
        seed: ctx.seed,
        optimizer: o.optimizer,
        loss: kind === 'supervised' ? { kind, distance: o.distance } : { kind },
        extraLoss: ctx.distill && labels ? ctx.distill.term(labels, users) : undefined,
        workers: o.workers,
        replica: o.workers !== 1 ? ctx.replica(labels) : undefined,
        earlyStopping: o.earlyStopping,
        unit: o.unit,
        evalBatchSize: o.evalBatch,
        shuffle: o.shuffle,
        signal: ctx.signal,
        resume,
        callbacks: {
          onBatchEnd: (info) => ctx.progress(`epoch ${info.epoch}`, Math.min(channels.batch, (info.batch + 1) * o.batch), channels.batch),
          onEpochEnd: (rec, cb) =>
            ctx.record(trainRecord(rec, channels.batch), async () => ({
              state: {},
              tensors: Object.fromEntries((await cb.optimizerWeights()).map((w): [string, tf.Tensor] => [w.name, w.tensor])),
            })),
        },
      });
      return { status: STATUS[result.stopReason], message: result.message };
    },
  };
}

/** Registers trainers `unsupervised` (−sum rate) and `supervised` (distance to teacher labels). */
export const trainersPlugin: Plugin = {
  name: '@rrm/trainers-unsup',
  register(registry: Registry) {
    registry.add('trainer', {
      name: 'unsupervised',
      description: 'dataset pattern, loss = −mean weighted sum rate (+ β·D with an AD term)',
      schema: unsupervisedSchema,
      create: (options, ctx) => datasetTrainer('unsupervised', options, ctx.field),
    });
    registry.add('trainer', {
      name: 'supervised',
      description: 'dataset pattern, loss = distance to teacher labels (mse, l1 or l2)',
      schema: supervisedSchema,
      create: (options, ctx) => datasetTrainer('supervised', options, ctx.field),
    });
  },
};
