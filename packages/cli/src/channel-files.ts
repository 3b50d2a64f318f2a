import {
  ValidationError,
  checkFormat,
  checkWeights,
  makeChannelBatch,
  NpyFile,
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
 * A channel file opened for reading samples in chunks: the header is checked at once, the gains are read
 * (and converted to the canonical rx-tx power gains) only for the samples asked for, so a file of any size
 * runs in the memory of one chunk. Weights ([B, K] or [K]) are small and read whole.
 */
export class ChannelSource {
  readonly batch: number;
  readonly users: number;
  /** Bytes per value in the file (4 or 8). */
  readonly fileWidth: number;
  readonly weights?: Float64Array;
  private readonly format: ReturnType<typeof checkFormat>;
  private readonly file: NpyFile;

  constructor(readonly opts: ChannelFileOptions) {
    this.format = checkFormat(opts);
    const file = NpyFile.open(opts.channels);
    this.file = file;
    try {
      const shape = file.shape.length === 2 ? [1, ...file.shape] : file.shape;
      if (shape.length !== 3 || shape[1] !== shape[2]) {
        throw new ValidationError(`--channels (${opts.channels})`, 'an array of shape [B, K, K] or [K, K]', `shape [${file.shape.join(', ')}]`);
      }
      [this.batch, this.users] = shape;
      if (this.batch < 1 || this.users < 1) throw new ValidationError(`--channels (${opts.channels})`, 'at least one sample of K >= 1 users', `shape [${file.shape.join(', ')}]`);
      this.fileWidth = file.dtype === 'float32' ? 4 : 8;
      if (opts.weights) {
        const w = readNpy(opts.weights);
        const { batch, users } = this;
        const ok = (w.shape.length === 2 && w.shape[0] === batch && w.shape[1] === users) || (w.shape.length === 1 && w.shape[0] === users);
        if (!ok) throw new ValidationError(`--weights (${opts.weights})`, `shape [${batch}, ${users}] or [${users}]`, `shape [${w.shape.join(', ')}]`);
        this.weights = checkWeights(`--weights (${opts.weights})`, w.data, batch, users);
      }
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** Samples [start, end) as a validated ChannelBatch (errors name the sample by its index in the file). */
  read(start: number, end: number): ChannelBatch {
    const { users } = this;
    const n = end - start;
    const rows = this.file.shape.length === 2 ? this.file.readAll().data : this.file.readRows(start, end);
    try {
      const gains = toCanonical(rows, n, users, this.format);
      return makeChannelBatch(gains, [n, users, users], { weights: this.weights?.subarray(start * users, end * users), field: `--channels (${this.opts.channels})` });
    } catch (err) {
      throw start > 0 && err instanceof ValidationError ? shiftSampleIndex(err, start) : err;
    }
  }

  close(): void {
    this.file.close();
  }
}

/** A chunk's error `field[b][i][j]` renamed to the sample's index in the whole file. */
function shiftSampleIndex(err: ValidationError, start: number): ValidationError {
  const field = err.field.replace(/\[(\d+)\](?=\[\d+\]\[\d+\]$)/, (_, b: string) => `[${Number(b) + start}]`);
  return new ValidationError(field, err.expected, err.got);
}

export function openChannelFile(opts: ChannelFileOptions): ChannelSource {
  return new ChannelSource(opts);
}

/**
 * Reads a channel file from any source (NumPy, PyTorch, this toolkit) and converts it once, at the
 * boundary, to the canonical rx-tx power gains; optional weights are [B, K] or [K].
 */
export function readChannelFile(opts: ChannelFileOptions): ChannelBatch {
  const source = openChannelFile(opts);
  try {
    return source.read(0, source.batch);
  } finally {
    source.close();
  }
}

/** A powers file of exactly shape [B, K] (a transposed [K, B] file is an error, not a silent reshape). */
export function readPowers(flag: string, path: string, batch: number, users: number) {
  const arr = readNpy(path);
  if (arr.shape.length !== 2 || arr.shape[0] !== batch || arr.shape[1] !== users) {
    throw new ValidationError(`${flag} (${path})`, `shape [${batch}, ${users}] to match the channels`, `shape [${arr.shape.join(', ')}]`);
  }
  return arr;
}

/** Powers [B, K] that match a channel batch. */
export function readPowerFile(path: string, channels: Pick<ChannelBatch, 'batch' | 'users'>, pmax: number): Float64Array {
  const { batch, users } = channels;
  const arr = readPowers('--powers', path, batch, users);
  const p = Float64Array.from(arr.data);
  for (let n = 0; n < p.length; n++) {
    if (!Number.isFinite(p[n]) || p[n] < 0 || p[n] > pmax * (1 + 1e-6)) {
      throw new ValidationError(`--powers (${path})[${Math.floor(n / users)}][${n % users}]`, `a power in [0, ${pmax}]`, p[n]);
    }
  }
  return p;
}
