import { ValidationError, meanSumRate, streams, sumRates, useBackend, type ChannelModel } from '@rrm/core';
import { moveReceivers, type MobilityOptions } from '@rrm/channels';
import type { EvolveFn } from '@rrm/trainers-ddpg';
import { saveModelWeights } from '@rrm/trainers-unsup';
import { teacherLabels } from '@rrm/distill';
import { trainDdpg, type DdpgLogRecord } from '@rrm/trainers-ddpg';
import { RunFolder, epochsToFraction, type RunSummary } from './run-folder';
import { buildModel, ddpgOptions, resolvePlugins, type TrainPipelineOptions } from './train';

export interface DdpgPipelineResult {
  readonly summary: RunSummary;
  readonly records: readonly DdpgLogRecord[];
  readonly run: RunFolder;
}

/**
 * The RL pattern from a config (`trainer.kind: ddpg`): fresh channels from `channel` every environment step,
 * a fixed held-out test set, AD when `distill.beta` is set (teacher run on every fresh batch). Same run
 * folder as the dataset pattern, with environment samples on the x axis.
 */
export async function trainDdpgPipeline(opts: TrainPipelineOptions): Promise<DdpgPipelineResult> {
  const { registry, config } = opts;
  const log = opts.log ?? (() => {});
  const plugins = resolvePlugins(registry, config);
  const evolve = mobilityEvolve(config.trainer.mobility, plugins.channel, config.scenario.users);
  await useBackend(registry, config.backend);
  const { users, noise, pmax } = config.scenario;
  const test = plugins.channel.generate({ batch: config.data.test, users, rng: streams(config.seed).get('test') });
  const ref = await teacherLabels({ teacher: plugins.reference, problem: { channels: test, noise, pmax }, cacheDir: config.cache });
  const reference = sumRates(test, ref.powers, { noise });
  const wmmseMean = meanSumRate(test, ref.powers, { noise });
  log(`reference ${plugins.reference.kind} on the test set: ${wmmseMean.toFixed(4)} bit/s/Hz (${ref.hit ? 'cached' : 'computed'})`);

  const actor = buildModel(registry, config, users);
  const actorBuilder = registry.create('model', config.model, 'model');
  const run = RunFolder.create(opts.out, config);
  const name = opts.name ?? opts.out.split('/').filter(Boolean).pop() ?? 'run';
  const records: DdpgLogRecord[] = [];
  let status: RunSummary['status'] = 'running';
  const finish = () => {
    const summary = ddpgSummary(name, status, records, wmmseMean, actor.paramCount());
    run.writeSummary(summary);
    run.writeReport({
      title: `${name}: ${config.model.kind}, DDPG${plugins.schedule ? ` + AD (${config.distill.beta.kind} β)` : ''}, K=${users}`,
      xKey: 'samples',
      xLabel: 'environment samples',
      series: [{ name, x: records.map((r) => r.samples), y: records.map((r) => r.testSumRate) }],
      reference: { name: `${plugins.reference.kind} (test)`, y: wmmseMean },
      body: `| measure | value |\n|---|---|\n| status | ${summary.status} |\n| environment steps | ${summary.steps} (${summary.samples} samples) |\n| final test sum rate | ${summary.finalTestSumRate.toFixed(4)} bit/s/Hz (${summary.finalPctWmmse?.toFixed(1)} % of WMMSE) |\n| best | ${summary.bestTestSumRate.toFixed(4)} at ${summary.bestSamples} samples |\n| samples to 95 % of final | ${summary.samplesTo95 ?? 'n/a'} |\n| wall time | ${summary.wallSeconds.toFixed(1)} s |\n\n## Config\n\n\`\`\`json\n${JSON.stringify(config, null, 2)}\n\`\`\``,
    });
    return summary;
  };

  const distill =
    plugins.schedule && plugins.distance ? { teacher: plugins.teacher, schedule: plugins.schedule, distance: plugins.distance } : undefined;
  const result = await trainDdpg({
    ...ddpgOptions(config),
    actor,
    actorBuilder,
    environment: { channel: plugins.channel, users, noise, pmax, evolve },
    test: { channels: test, reference },
    distill,
    seed: config.seed,
    signal: opts.signal,
    onLog: (rec) => {
      records.push(rec);
      run.addRecord({ ...rec });
      void saveModelWeights(actor, run.weightsDir);
      finish();
      log(
        `step ${String(rec.step).padStart(6)}  samples ${rec.samples}  test ${rec.testSumRate.toFixed(4)} bit/s/Hz` +
          (rec.pctReference !== null ? ` (${rec.pctReference.toFixed(1)} % of WMMSE)` : '') +
          (rec.criticLoss !== null ? `  critic ${rec.criticLoss.toExponential(2)}` : '') +
          (rec.beta ? `  β ${rec.beta.toFixed(3)}` : '') +
          `  ${(rec.samples / Math.max(rec.wallSeconds, 1e-9)).toFixed(0)} samples/s`,
      );
    },
  });
  await saveModelWeights(actor, run.weightsDir);
  status = result.aborted ? 'interrupted' : 'completed';
  const summary = finish();
  result.critic.dispose();
  actor.dispose();
  return { summary, records, run };
}

/**
 * `trainer.mobility: { std, coverage?, direct? }` turns multi-step episodes (`trainer.episodeLength`) into
 * receiver mobility (UWGNN §V-G): between the steps of an episode every receiver moves by a Gaussian
 * displacement and the gains follow the channel model's path loss. Needs a channel model with geometry (d2d).
 */
export function mobilityEvolve(spec: unknown, channel: ChannelModel, users: number): EvolveFn | undefined {
  if (spec === undefined) return undefined;
  if (spec === null || typeof spec !== 'object') throw new ValidationError('trainer.mobility', 'a mapping { std, coverage?, direct? }', spec);
  const probe = channel.generate({ batch: 1, users, rng: streams(0).get('mobility-probe') });
  if (!probe.geometry) throw new ValidationError('trainer.mobility', `a channel model with geometry (e.g. d2d), not ${channel.kind}`, channel.kind);
  const withPathGain = channel as ChannelModel & { pathGain?: (d: number) => number };
  const fieldSize = typeof channel.options.fieldSize === 'number' ? channel.options.fieldSize : undefined;
  const opts: MobilityOptions = { ...(spec as MobilityOptions), pathGain: withPathGain.pathGain, fieldSize };
  moveReceivers(probe, opts, streams(0).get('mobility-probe'));
  return (batch, rng) => moveReceivers(batch, opts, rng);
}

export function ddpgSummary(name: string, status: RunSummary['status'], records: readonly DdpgLogRecord[], wmmse: number, paramCount: number): RunSummary {
  const last = records[records.length - 1];
  const best = records.reduce((a, b) => (b.testSumRate > a.testSumRate ? b : a), records[0]);
  const pct = (v: number) => (100 * v) / wmmse;
  return {
    name,
    status,
    epochs: 0,
    steps: last.step,
    samples: last.samples,
    finalTestSumRate: last.testSumRate,
    finalPctWmmse: pct(last.testSumRate),
    bestTestSumRate: best.testSumRate,
    bestEpoch: 0,
    bestSamples: best.samples,
    bestPctWmmse: pct(best.testSumRate),
    wmmseTestSumRate: wmmse,
    epochsTo95: null,
    samplesTo95: epochsToFraction(records.map((r) => r.samples), records.map((r) => r.testSumRate)),
    trainSeconds: last.wallSeconds,
    wallSeconds: last.wallSeconds,
    paramCount,
  };
}
