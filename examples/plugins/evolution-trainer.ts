/**
 * Example local plugin: a user-defined trainer.
 *
 * The `evolution` trainer is a (1+1) evolution strategy: perturb every trainable weight by σ·N(0, 1),
 * keep the perturbation when the mean sum rate on the training set improves, undo it otherwise. It needs
 * no gradients, so it trains any model (and any loss a user can evaluate). It shows the trainer contract:
 *   Trainer { kind, pattern, progressKey, options, run(ctx) } — `ctx` holds the run's model, channel
 *   model, teacher, test set and services; `ctx.record(...)` writes metrics, weights and the summary.
 *
 * Use it from a config:
 *   plugins: ['./examples/plugins/evolution-trainer.ts']
 *   trainer: { kind: evolution, iterations: 200, sigma: 0.05 }
 */
import * as tf from '@tensorflow/tfjs';
import {
  disposeInputs,
  integer,
  modelInputs,
  parseOptions,
  positive,
  predictPowers,
  streams,
  strictOptions,
  sumRates,
  yieldToEventLoop,
  type ChannelBatch,
  type Plugin,
  type Trainer,
  type TrainerContext,
} from '@rrm/core';

const schema = strictOptions({
  iterations: integer(1).default(100),
  /** Standard deviation of the weight perturbation. */
  sigma: positive().default(0.05),
  /** Evaluate on the test set every this many iterations. */
  logEvery: integer(1).default(10),
});

const meanRate = async (ctx: TrainerContext, channels: ChannelBatch) => {
  const rates = sumRates(channels, await predictPowers(ctx.model, channels, ctx.scenario), { noise: ctx.scenario.noise });
  return rates.reduce((a, b) => a + b, 0) / rates.length;
};

export function evolutionTrainer(options: Record<string, unknown>, field = 'trainer'): Trainer {
  const o = parseOptions(schema, options, field);
  return {
    kind: 'evolution',
    pattern: 'dataset',
    progressKey: 'samples',
    options: o,
    async run(ctx) {
      const train = ctx.draw('train', ctx.trainSamples);
      const inputs = modelInputs(train, ctx.scenario);
      ctx.model.fit?.(inputs);
      disposeInputs(inputs);
      const rng = streams(ctx.seed).get('evolution');
      const refMean = ctx.test.reference.reduce((a, b) => a + b, 0) / ctx.test.reference.length;
      const t0 = performance.now();
      let best = await meanRate(ctx, train);
      const record = async (iteration: number) => {
        const testSumRate = await meanRate(ctx, ctx.test.channels);
        const seconds = (performance.now() - t0) / 1000;
        return ctx.record({ epoch: 0, step: iteration, samples: iteration * train.batch, testSumRate, pctReference: (100 * testSumRate) / refMean, trainSeconds: seconds, wallSeconds: seconds, trainSumRate: best });
      };
      await record(0);
      for (let it = 1; it <= o.iterations; it++) {
        if (ctx.signal.aborted) return { status: 'interrupted' };
        const saved = ctx.model.trainable.map((v) => tf.clone(v));
        for (const v of ctx.model.trainable) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, o.sigma, 'float32', rng.seed32()))));
        const rate = await meanRate(ctx, train);
        if (rate > best) best = rate;
        else ctx.model.trainable.forEach((v, i) => v.assign(saved[i]));
        tf.dispose(saved);
        if (it % o.logEvery === 0 || it === o.iterations) await record(it);
        await yieldToEventLoop();
      }
      return { status: 'completed' };
    },
  };
}

const plugin: Plugin = {
  name: 'example-evolution-trainer',
  register(registry) {
    registry.add('trainer', {
      name: 'evolution',
      description: '(1+1) evolution strategy on the training-set sum rate (example local plugin)',
      schema,
      create: (options, ctx) => evolutionTrainer(options, ctx.field),
    });
  },
};

export default plugin;
