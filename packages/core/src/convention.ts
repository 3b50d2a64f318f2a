import { ValidationError, requireOneOf } from './errors';

/**
 * Public code in this field stores channels in several ways; this toolkit converts once, at the boundary.
 * - `layout: 'rx-tx'` (ours): entry [i][j] is from transmitter j to receiver i.
 *   `'tx-rx'`: entry [i][j] is from transmitter i to receiver j (e.g. Sun et al. store H[tx][rx]).
 * - `gain: 'power'`: entries are |h|². `'amplitude'`: entries are |h| and are squared on the way in.
 */
export type Layout = 'rx-tx' | 'tx-rx';
export type GainKind = 'power' | 'amplitude';

export interface ChannelFormat {
  readonly layout?: Layout;
  readonly gain?: GainKind;
}

export const LAYOUTS: readonly Layout[] = ['rx-tx', 'tx-rx'];
export const GAIN_KINDS: readonly GainKind[] = ['power', 'amplitude'];

export function checkFormat(format: ChannelFormat): Required<ChannelFormat> {
  return {
    layout: requireOneOf('layout', format.layout ?? 'rx-tx', LAYOUTS),
    gain: requireOneOf('gain', format.gain ?? 'power', GAIN_KINDS),
  };
}

/** Converts external [B, K, K] data to canonical rx-tx power gains (a new array). */
export function toCanonical(data: ArrayLike<number>, batch: number, users: number, format: ChannelFormat = {}): Float64Array {
  const { layout, gain } = checkFormat(format);
  const out = new Float64Array(batch * users * users);
  const transpose = layout === 'tx-rx';
  const square = gain === 'amplitude';
  for (let b = 0; b < batch; b++) {
    const base = b * users * users;
    for (let i = 0; i < users; i++) {
      for (let j = 0; j < users; j++) {
        const v = data[base + (transpose ? j * users + i : i * users + j)];
        // Squaring would hide a negative entry (e.g. Re h passed as |h|); power gains are checked later.
        if (square && !(v >= 0 && Number.isFinite(v))) {
          throw new ValidationError(`gains[${b}][${transpose ? j : i}][${transpose ? i : j}]`, 'a finite, non-negative amplitude |h|', v);
        }
        out[base + i * users + j] = square ? v * v : v;
      }
    }
  }
  return out;
}

/** The inverse of `toCanonical`: canonical power gains to an external format (amplitudes as √g). */
export function fromCanonical(gains: ArrayLike<number>, batch: number, users: number, format: ChannelFormat = {}): Float64Array {
  const { layout, gain } = checkFormat(format);
  const out = new Float64Array(batch * users * users);
  const transpose = layout === 'tx-rx';
  for (let b = 0; b < batch; b++) {
    const base = b * users * users;
    for (let i = 0; i < users; i++) {
      for (let j = 0; j < users; j++) {
        const v = gains[base + i * users + j];
        out[base + (transpose ? j * users + i : i * users + j)] = gain === 'amplitude' ? Math.sqrt(v) : v;
      }
    }
  }
  return out;
}
