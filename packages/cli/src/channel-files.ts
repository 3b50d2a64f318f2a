import {
  ValidationError,
  checkFormat,
  checkWeights,
  makeChannelBatch,
  readNpy,
  toCanonical,
  type ChannelBatch,
  type ChannelFormat,
} from '@rrm/core';

export interface ChannelFileOptions extends ChannelFormat {
  readonly channels: string;
  readonly weights?: string;
}

/**
 * Reads a channel file from any source (NumPy, PyTorch, this toolkit) and converts it once, at the
 * boundary, to the canonical rx-tx power gains; optional weights are [B, K] or [K].
 */
export function readChannelFile(opts: ChannelFileOptions): ChannelBatch {
  const format = checkFormat(opts);
  const arr = readNpy(opts.channels);
  const shape = arr.shape.length === 2 ? [1, ...arr.shape] : arr.shape;
  if (shape.length !== 3 || shape[1] !== shape[2]) {
    throw new ValidationError(`--channels (${opts.channels})`, 'an array of shape [B, K, K] or [K, K]', `shape [${arr.shape.join(', ')}]`);
  }
  const [batch, users] = shape;
  const gains = toCanonical(arr.data, batch, users, format);
  let weights: Float64Array | undefined;
  if (opts.weights) {
    const w = readNpy(opts.weights);
    weights = checkWeights(`--weights (${opts.weights})`, w.data, batch, users);
  }
  return makeChannelBatch(gains, [batch, users, users], { weights, field: `--channels (${opts.channels})` });
}

/** Powers [B, K] that match a channel batch. */
export function readPowerFile(path: string, channels: ChannelBatch, pmax: number): Float64Array {
  const arr = readNpy(path);
  const { batch, users } = channels;
  if (arr.data.length !== batch * users) {
    throw new ValidationError(`--powers (${path})`, `shape [${batch}, ${users}] to match the channels`, `shape [${arr.shape.join(', ')}]`);
  }
  const p = Float64Array.from(arr.data);
  for (let n = 0; n < p.length; n++) {
    if (!Number.isFinite(p[n]) || p[n] < 0 || p[n] > pmax * (1 + 1e-6)) {
      throw new ValidationError(`--powers (${path})[${Math.floor(n / users)}][${n % users}]`, `a power in [0, ${pmax}]`, p[n]);
    }
  }
  return p;
}
