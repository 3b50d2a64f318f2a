import { ValidationError, nonNegative, parseOptions, positive, requireInteger, z, type ChannelBatch, type Geometry, type Rng } from '@rrm/core';

/**
 * Receiver mobility (Yang et al., UWGNN, §V-G): at every step each receiver moves by a Gaussian
 * displacement (i.i.d. N(0, std²) per coordinate, metres), the gains follow the new distances, and links
 * whose transmitter–receiver distance exceeds a coverage radius are cut.
 *
 * Gains follow distance through the batch's path-loss model while the small- and large-scale randomness
 * (fading, shadowing) of each link is kept — a receiver that moves a few metres in one step sees the same
 * scatterers (block fading over the step):
 *   g_ij(new) = g_ij(old) · PG(d_ij,new) / PG(d_ij,old),
 * with PG the linear path gain of the batch's model: for D2D batches pass `pathGain: model.pathGain`
 * (the dual-slope or log-distance law of d2d.ts, so PL is recomputed exactly at the new distance); for any
 * other geometric batch the generic law PG(d) ∝ d^−α gives g·(d_old/d_new)^α (`exponent`, default 3.67).
 * Distances below `minDistance` (default 1 m, Cui et al.'s shortest cross link) are held at it, so a
 * receiver passing next to a transmitter cannot blow a gain up to infinity.
 *
 * Coverage (`coverage`, metres; default: none):
 * - an interference link j → i with ‖tx_j − rx_i‖ > coverage gets gain 0 (the receiver no longer hears it);
 * - the direct link: `direct: 'clamp'` (default) keeps every receiver within coverage of its own
 *   transmitter by pulling a step that would leave the disc back onto its boundary — the pair stays
 *   associated, as a device following its partner would, and no pair ends with g_ii = 0 (which would make
 *   its rate identically 0 and break log-gain features). `direct: 'zero'` lets it leave and sets g_ii = 0
 *   (an outage: the pair's rate is 0 whatever its power).
 * Zeros are sticky in `moveReceivers` (a zero gain times any ratio stays 0): a link cut by coverage, a
 * threshold or η_lc link removal does not come back. `mobilityTrajectory` keeps the un-cut gains between
 * steps, so links re-enter coverage when receivers come back.
 */
const mobilitySchema = z.object({
  /** Standard deviation of the displacement per coordinate per step (m). */
  std: nonNegative(),
  /** Coverage radius (m); links longer than this are cut. Default: none. */
  coverage: positive().default(Infinity),
  /** Linear path gain vs distance of the batch's model (e.g. `createD2D().pathGain`). */
  pathGain: z.custom<(d: number) => number>((v) => typeof v === 'function', 'a function of distance (m)').optional(),
  /** Path-loss exponent α of the generic d^−α rescaling when `pathGain` is absent. */
  exponent: positive().default(3.67),
  /** What happens to a direct link beyond coverage (see above). */
  direct: z.enum(['clamp', 'zero']).default('clamp'),
  /** If given, receivers are clamped into the field [0, fieldSize]² (m). */
  fieldSize: positive().default(Infinity),
  /** Distances are held at ≥ this for the path-gain ratio (m). */
  minDistance: positive().default(1),
});
export type MobilityOptions = z.input<typeof mobilitySchema>;
export type DirectLinkPolicy = z.output<typeof mobilitySchema>['direct'];

type Resolved = z.output<typeof mobilitySchema> & {
  /** PG(d_new) / PG(d_old) from squared distances (m²), already held at ≥ minDistance². */
  ratio: (d2Old: number, d2New: number) => number;
};

function resolve(opts: MobilityOptions): Resolved {
  const o = parseOptions(mobilitySchema, opts, 'mobility');
  const pg = o.pathGain;
  // Without a path gain: (d_old / d_new)^α = exp(α/2 · ln(d_old² / d_new²)), one log and one exp, cheaper than Math.pow.
  const halfAlpha = o.exponent / 2;
  const ratio = pg
    ? (d2Old: number, d2New: number) => pg(Math.sqrt(d2New)) / pg(Math.sqrt(d2Old))
    : (d2Old: number, d2New: number) => Math.exp(halfAlpha * Math.log(d2Old / d2New));
  return { ...o, ratio };
}

function requireGeometry(channels: ChannelBatch): Geometry {
  const g = channels.geometry;
  const n = channels.batch * channels.users * 2;
  if (!g || g.tx.length !== n || g.rx.length !== n) {
    throw new ValidationError('channels.geometry', `tx and rx positions ([B, K, 2] = ${n} values each) — mobility needs a geometric model such as d2d`, g === undefined ? 'none' : 'a mismatched shape');
  }
  return g;
}

/**
 * One step on the un-cut state: new receiver positions and gains rescaled by the path-gain ratio
 * (interference beyond coverage is NOT cut here; see `cutBeyondCoverage`).
 */
function advance(channels: ChannelBatch, o: Resolved, rng: Rng): ChannelBatch {
  const { batch, users, gains } = channels;
  const { tx, rx } = requireGeometry(channels);
  const newRx = new Float64Array(rx.length);
  const out = new Float64Array(gains.length);
  const cov = o.coverage;
  const L = o.fieldSize;
  const min2 = o.minDistance * o.minDistance;
  for (let b = 0; b < batch; b++) {
    const pos = b * users * 2;
    // Move the receivers of sample b.
    for (let i = 0; i < users; i++) {
      const p = pos + 2 * i;
      let x = rx[p] + o.std * rng.normal();
      let y = rx[p + 1] + o.std * rng.normal();
      if (L !== Infinity) {
        x = x < 0 ? 0 : x > L ? L : x;
        y = y < 0 ? 0 : y > L ? L : y;
      }
      if (o.direct === 'clamp' && cov !== Infinity) {
        const dx = x - tx[p];
        const dy = y - tx[p + 1];
        const d = Math.sqrt(dx * dx + dy * dy);
        if (d > cov) {
          x = tx[p] + (dx * cov) / d;
          y = tx[p + 1] + (dy * cov) / d;
        }
      }
      newRx[p] = x;
      newRx[p + 1] = y;
    }
    // Rescale every link by PG(d_new) / PG(d_old), keeping its fading and shadowing.
    const base = b * users * users;
    for (let i = 0; i < users; i++) {
      const p = pos + 2 * i;
      const oX = rx[p], oY = rx[p + 1], nX = newRx[p], nY = newRx[p + 1];
      const row = base + i * users;
      for (let j = 0; j < users; j++) {
        const g = gains[row + j];
        if (g === 0) continue; // sticky zero (out is zero-initialised)
        const tX = tx[pos + 2 * j], tY = tx[pos + 2 * j + 1];
        let d2Old = (tX - oX) * (tX - oX) + (tY - oY) * (tY - oY);
        let d2New = (tX - nX) * (tX - nX) + (tY - nY) * (tY - nY);
        if (d2Old < min2) d2Old = min2;
        if (d2New < min2) d2New = min2;
        out[row + j] = d2Old === d2New ? g : g * o.ratio(d2Old, d2New);
      }
    }
  }
  return { batch, users, gains: out, weights: channels.weights, geometry: { tx, rx: newRx } };
}

/** Zeroes links longer than the coverage radius (interference always; direct links when direct = 'zero'). */
function cutBeyondCoverage(channels: ChannelBatch, o: Resolved): ChannelBatch {
  if (o.coverage === Infinity) return channels;
  const { batch, users } = channels;
  const { tx, rx } = channels.geometry!;
  const gains = channels.gains.slice();
  const c2 = o.coverage * o.coverage;
  for (let b = 0; b < batch; b++) {
    const pos = b * users * 2;
    const base = b * users * users;
    for (let i = 0; i < users; i++) {
      const rX = rx[pos + 2 * i], rY = rx[pos + 2 * i + 1];
      const row = base + i * users;
      for (let j = 0; j < users; j++) {
        if (j === i && o.direct === 'clamp') continue;
        const dx = tx[pos + 2 * j] - rX;
        const dy = tx[pos + 2 * j + 1] - rY;
        if (dx * dx + dy * dy > c2) gains[row + j] = 0;
      }
    }
  }
  return { ...channels, gains };
}

/** One mobility step: a new batch (receivers moved, gains rescaled, links beyond coverage cut). */
export function moveReceivers(channels: ChannelBatch, opts: MobilityOptions, rng: Rng): ChannelBatch {
  const o = resolve(opts);
  return cutBeyondCoverage(advance(channels, o, rng), o);
}

/**
 * `steps` consecutive mobility steps from `channels`; element t is the network after t + 1 steps. The
 * un-cut gains are carried between steps, so coverage is applied to each snapshot afresh (a link that
 * leaves coverage and comes back reappears with its original fading and shadowing).
 */
export function mobilityTrajectory(channels: ChannelBatch, steps: number, opts: MobilityOptions, rng: Rng): ChannelBatch[] {
  requireInteger('steps', steps, 1);
  const o = resolve(opts);
  const out: ChannelBatch[] = [];
  let state = channels;
  for (let t = 0; t < steps; t++) {
    state = advance(state, o, rng);
    out.push(cutBeyondCoverage(state, o));
  }
  return out;
}
