import { makeScenario, meanSumRate, sumRates, summarize, useBackend, writeNpy, type Registry } from '@rrm/core';
import { loadModelWeights, predictPowersTimed } from '@rrm/trainers-unsup';
import { readChannelFile, type ChannelFileOptions } from '../channel-files';
import { RunFolder, buildModel, checkConfig } from '@rrm/pipeline';

export interface RunEvalOptions {
  readonly registry: Registry;
  readonly run: string;
  readonly input: ChannelFileOptions;
  /** Overrides the run's σ² (e.g. a test at another SNR); p_max always comes from the run. */
  readonly noise?: number;
  readonly backend?: string;
}

/** Loads a run's config and weights and builds its model for the channels' K (GNNs accept any K). */
async function loadRun(opts: RunEvalOptions) {
  const config = checkConfig(RunFolder.readConfig(opts.run));
  const channels = readChannelFile(opts.input);
  const scenario = makeScenario({ users: channels.users, noise: opts.noise ?? config.scenario.noise, pmax: config.scenario.pmax });
  await useBackend(opts.registry, opts.backend ?? config.backend);
  // Built as trained: GNNs then accept the channels' K, and a model tied to one K (the MLP) says so clearly.
  const model = buildModel(opts.registry, config, config.scenario.users);
  await loadModelWeights(model, new RunFolder(opts.run).weightsDir);
  return { config, channels, scenario, model };
}

export interface RunEvalResult {
  readonly mean: number;
  readonly std: number;
  readonly ci95: [number, number];
  readonly samples: number;
  readonly wmmse: number;
  /** mean / wmmse (1.0 = WMMSE's sum rate on the same channels). */
  readonly ratio: number;
  readonly msPerSample: number;
  readonly users: number;
}

/** A saved model on any channel file: mean sum rate, WMMSE on the same channels, inference time. */
export async function evaluateRun(opts: RunEvalOptions): Promise<RunEvalResult> {
  const { config, channels, scenario, model } = await loadRun(opts);
  const problem = { noise: scenario.noise, pmax: scenario.pmax };
  // Warm-up: the first call compiles kernels on some backends.
  predictPowersTimed(model, { ...channels, batch: 1, gains: channels.gains.subarray(0, channels.users ** 2), weights: channels.weights?.subarray(0, channels.users) }, problem);
  const pred = predictPowersTimed(model, channels, problem);
  model.dispose();
  const s = summarize(sumRates(channels, pred.powers, { noise: scenario.noise }));
  const reference = opts.registry.create('teacher', config.reference, 'reference');
  const refPowers = await reference.solve({ channels, ...problem });
  const wmmse = meanSumRate(channels, refPowers, { noise: scenario.noise });
  return { ...s, wmmse, ratio: s.mean / wmmse, msPerSample: pred.secondsPerSample * 1000, users: channels.users };
}

/** Writes a saved model's powers [B, K] for a channel file. */
export async function predictRun(opts: RunEvalOptions & { out: string }): Promise<{ batch: number; users: number; msPerSample: number }> {
  const { channels, scenario, model } = await loadRun(opts);
  const pred = predictPowersTimed(model, channels, { noise: scenario.noise, pmax: scenario.pmax });
  model.dispose();
  writeNpy(opts.out, pred.powers, [channels.batch, channels.users]);
  return { batch: channels.batch, users: channels.users, msPerSample: pred.secondsPerSample * 1000 };
}
