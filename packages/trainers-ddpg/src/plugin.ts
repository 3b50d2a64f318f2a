import { ValidationError, streams, type ChannelModel, type Plugin, type Registry, type Trainer, type TrainerContext } from '@rrm/core';
import { moveReceivers, type MobilityOptions } from '@rrm/channels';
import { trainDdpg } from './ddpg';
import type { EvolveFn } from './environment';
import { ddpgSchema, resolveDdpgOptions } from './options';

/**
 * The `ddpg` trainer (RL pattern): fresh channels from the run's channel model every environment step, the
 * run's fixed test set, AD when the run distils (the teacher solves every fresh batch). Records are logged
 * every `logEvery` environment steps with `samples` on the x axis.
 */
export function ddpgTrainer(options: Record<string, unknown> = {}, field = 'trainer'): Trainer {
  const config = resolveDdpgOptions(options, field);
  return {
    kind: 'ddpg',
    pattern: 'environment',
    progressKey: 'samples',
    options: config,
    async run(ctx: TrainerContext) {
      const { users, noise, pmax } = ctx.scenario;
      const { mobility, ...rest } = config;
      // A resumed run's clock continues from its last record.
      const offset = ctx.resume?.records.at(-1)?.wallSeconds ?? 0;
      const result = await trainDdpg({
        ...rest,
        actor: ctx.model,
        actorBuilder: ctx.buildModel,
        environment: { channel: ctx.channel, users, noise, pmax, evolve: mobilityEvolve(mobility, ctx.channel, users, `${field}.mobility`) },
        test: ctx.test,
        distill: ctx.distill && { teacher: ctx.teacher, schedule: ctx.distill.schedule, distance: ctx.distill.distance },
        seed: ctx.seed,
        signal: ctx.signal,
        resume: ctx.resume && { step: Number(ctx.resume.checkpoint.state.step), tensors: ctx.resume.checkpoint.tensors },
        onLog: (rec, checkpoint) =>
          ctx.record({ ...rec, epoch: 0, trainSeconds: offset + rec.wallSeconds, wallSeconds: offset + rec.wallSeconds }, async () => {
            const c = await checkpoint();
            return { state: { step: c.step }, tensors: c.tensors };
          }),
      });
      result.critic.dispose();
      return { status: result.aborted ? 'interrupted' : 'completed' };
    },
  };
}

/**
 * `mobility: { std, coverage?, direct? }` turns multi-step episodes (`episodeLength`) into receiver
 * mobility (UWGNN §V-G): between the steps of an episode every receiver moves by a Gaussian displacement
 * and the gains follow the channel model's path loss. Needs a channel model with geometry (d2d).
 */
export function mobilityEvolve(spec: Record<string, unknown> | undefined, channel: ChannelModel, users: number, field = 'trainer.mobility'): EvolveFn | undefined {
  if (spec === undefined) return undefined;
  const probe = channel.generate({ batch: 1, users, rng: streams(0).get('mobility-probe') });
  if (!probe.geometry) throw new ValidationError(field, `a channel model with geometry (e.g. d2d), not ${channel.kind}`, channel.kind);
  const withPathGain = channel as ChannelModel & { pathGain?: (d: number) => number };
  const fieldSize = typeof channel.options.fieldSize === 'number' ? channel.options.fieldSize : undefined;
  const opts: MobilityOptions = { ...(spec as unknown as MobilityOptions), pathGain: withPathGain.pathGain, fieldSize };
  moveReceivers(probe, opts, streams(0).get('mobility-probe'));
  return (batch, rng) => moveReceivers(batch, opts, rng);
}

/** Registers the `ddpg` trainer. */
export const ddpgPlugin: Plugin = {
  name: '@rrm/trainers-ddpg',
  register(registry: Registry) {
    registry.add('trainer', {
      name: 'ddpg',
      description: 'RL pattern: DDPG actor–critic on fresh channels (+ β·D with an AD teacher)',
      schema: ddpgSchema,
      create: (options, ctx) => ddpgTrainer(options, ctx.field),
    });
  },
};
