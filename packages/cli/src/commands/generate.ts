import {
  ValidationError,
  encodeNpy,
  requireInteger,
  streams,
  writeFileAtomic,
  type ChannelBatch,
  type PluginSpec,
  type Registry,
} from '@rrm/core';

export interface GenerateOptions {
  readonly registry: Registry;
  readonly channel: PluginSpec;
  readonly users: number;
  readonly samples: number;
  readonly seed: number;
  readonly out: string;
  readonly weightsOut?: string;
  readonly dtype?: 'float32' | 'float64';
}

/** Draws a seeded channel data set from a registered model and writes it as .npy ([B, K, K], rx-tx power gains). */
export function generate(opts: GenerateOptions): { channels: ChannelBatch; seconds: number } {
  const users = requireInteger('--users', opts.users, 1);
  const samples = requireInteger('--samples', opts.samples, 1);
  const seed = requireInteger('--seed', opts.seed, 0);
  const dtype = opts.dtype ?? 'float64';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValidationError('--dtype', "'float32' or 'float64'", dtype);
  const model = opts.registry.create('channel', opts.channel, 'channel');
  const start = performance.now();
  const channels = model.generate({ batch: samples, users, rng: streams(seed).get('channels') });
  const gains = dtype === 'float32' ? Float32Array.from(channels.gains) : channels.gains;
  // Encode both files before writing either, so a failure leaves neither behind.
  const gainBytes = encodeNpy(gains, [samples, users, users]);
  const weightBytes = opts.weightsOut
    ? encodeNpy(channels.weights ?? new Float64Array(samples * users).fill(1), [samples, users])
    : undefined;
  writeFileAtomic(opts.out, gainBytes);
  if (opts.weightsOut && weightBytes) writeFileAtomic(opts.weightsOut, weightBytes);
  return { channels, seconds: (performance.now() - start) / 1000 };
}
