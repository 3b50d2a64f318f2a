import { nonNegative, parseOptions, positive, strictOptions, z, type ChannelBatch, type ChannelModel, type Geometry, type Rng } from '@rrm/core';
import { checkRequest, commonShape, generateSamples } from './common';
import { fillStandardNormal } from './sampling';

/**
 * Geometric device-to-device (D2D) networks, as in Cui, Shen & Yu, "Spatial deep learning for wireless
 * scheduling" (JSAC 2019) and Shen, Shi, Zhang & Letaief, "Graph neural networks for scalable radio
 * resource management" (WCGCN, JSAC 2021), following their public code
 * (willtop/Spatial_Deep_Learning_for_Wireless_Scheduling, yshenaw/GNN-Resource-Management:
 * `layout_generate`, `compute_path_losses`, `add_shadowing`, `add_fast_fading`).
 *
 * Physical parameters (defaults = theirs unless noted):
 *   fieldSize          1000 m       side of the square field [0, L]² where transmitters are dropped uniformly
 *   dMin, dMax         2 m, 65 m    tx–rx distance of each pair ~ U[dMin, dMax], direction ~ U[0, 2π)
 *   minCrossDistance   1 m          every cross distance ‖tx_j − rx_i‖ (j ≠ i) must exceed this
 *   carrierGHz         2.4 GHz      λ = c / f with c = 2.998e8 m/s (their constant) → λ ≈ 0.1249 m
 *   antennaHeight      1.5 m        h_t = h_r (transmitter and receiver heights)
 *   antennaGainDbi     2.5 dB       antenna gain; their code adds it ONCE (not per antenna) and only to the
 *                                   direct links (`np.eye(N) * antenna_gain_decibel`); antennaGainLinks 'all'
 *                                   adds it to the interference links too
 *   txPowerDbm         40 dBm       P_tx = 10 W, the full power every link may use (p_max = 1 ↔ P_tx)
 *   noiseDbmPerHz      −169 dBm/Hz  N0; noise power N0·W = −102 dBm over W
 *   bandwidthHz        5 MHz        W
 *   shadowingDb        8 dB         σ of log-normal shadowing, i.i.d. per link and sample (0 = off), as their
 *                                   public code draws it (`add_shadowing`)
 *   fading             true         Rayleigh block fading |h|², h ~ CN(0, 1), i.i.d. per link (`add_fast_fading`)
 *   pathLoss           'dual-slope' see below; 'log-distance' is the alternative
 *   pathLossExponent   3.67         α of the log-distance model (3GPP TR 36.814 UMi NLOS: 36.7·log10(d))
 *   referenceDistance  1 m          d0 of the log-distance model
 *
 * Dual-slope path loss (ITU-R P.1411 LoS street-canyon model, UHF, as coded by Cui et al.), in dB, d in m:
 *   Rbp = 4 h_t h_r / λ                        (breakpoint distance, ≈ 72.0 m at the defaults)
 *   Lbp = |20 log10(λ² / (8π h_t h_r))|        (basic transmission loss at the breakpoint, ≈ 71.2 dB)
 *   PL(d) = Lbp + 6 + 20 log10(d / Rbp)   for d ≤ Rbp
 *   PL(d) = Lbp + 6 + 40 log10(d / Rbp)   for d > Rbp
 * The "+ 6" is P.1411's median curve: the lower bound (Lbp + 0) and the upper bound (Lbp + 20) bracket
 * the LoS loss, and the median sits 6 dB above the lower bound; Cui et al.'s code uses the median.
 *
 * Log-distance path loss (alternative): PL(d) = FSPL(d0) + 10 α log10(max(d, d0) / d0),
 * FSPL(d0) = 20 log10(4π d0 / λ) (free space at the reference distance; closer than d0 is held at d0).
 *
 * Normalised gains (what the batch holds): with noise σ² = 1 and p_max = 1 meaning full transmit power,
 *   g_ij = P_tx · G_ij · 10^(−PL(d_ij)/10) · 10^(σ_sh·n_ij/10) · |h_ij|²  /  (N0 · W),
 * n_ij ~ N(0, 1), |h_ij|² ~ Exp(1), d_ij = ‖tx_j − rx_i‖ (row = receiver i, column = transmitter j).
 * At the defaults P_tx/(N0 W) ≈ 142.0 dB, so a 65 m direct link has a median SNR of about 68 dB.
 *
 * Layout: receivers are redrawn (distance and angle together) until they land inside the field and
 * farther than minCrossDistance from every other transmitter — exactly the rejection loop of Cui et al.'s
 * `layout_generate` (which redraws the layout when any cross link is ≤ 1 m; since each receiver's constraint
 * involves only its own position and the fixed transmitters, redrawing receiver by receiver gives the same
 * conditional distribution, at far less cost). Near the field's edge this slightly favours shorter pairs.
 */
export const PATH_LOSS_KINDS = ['dual-slope', 'log-distance'] as const;
export type PathLossKind = (typeof PATH_LOSS_KINDS)[number];

/** The speed of light as in Cui et al.'s code (2.998e8 m/s), so path losses match theirs digit for digit. */
export const SPEED_OF_LIGHT = 2.998e8;

/** The options, with the defaults of the table above. */
export const d2dSchema = strictOptions({
  fieldSize: positive().default(1000),
  dMin: positive().default(2),
  dMax: positive().default(65),
  minCrossDistance: nonNegative().default(1),
  carrierGHz: positive().default(2.4),
  antennaHeight: positive().default(1.5),
  antennaGainDbi: z.number().default(2.5),
  antennaGainLinks: z.enum(['direct', 'all']).default('direct'),
  txPowerDbm: z.number().default(40),
  noiseDbmPerHz: z.number().default(-169),
  bandwidthHz: positive().default(5e6),
  shadowingDb: nonNegative().default(8),
  fading: z.boolean({ error: 'true or false' }).default(true),
  pathLoss: z.enum(PATH_LOSS_KINDS).default('dual-slope'),
  pathLossExponent: positive().default(3.67),
  referenceDistance: positive().default(1),
  /** Interference distance threshold (m): cross links with ‖tx_j − rx_i‖ ≥ threshold get gain 0; null = none. */
  threshold: positive().nullable().default(null),
  ...commonShape,
}).superRefine((o, ctx) => {
  const bad = (field: 'dMin' | 'dMax', message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
  if (o.dMax < o.dMin) bad('dMax', `a distance >= dMin (${o.dMin} m)`);
  // A receiver must fit: at distance dMin from any point of the field some direction stays inside iff
  // dMin < L/2 covers the worst case (a transmitter at the centre sees the whole circle inside).
  else if (o.dMin >= o.fieldSize / 2) bad('dMin', `a distance < fieldSize / 2 (${o.fieldSize / 2} m)`);
});
export type D2DOptions = z.output<typeof d2dSchema>;
export const D2D_DEFAULTS: D2DOptions = parseOptions(d2dSchema, {}, 'channel');

/** The physical path-loss parameters (a subset of D2DOptions). */
export type PathLossParams = Pick<D2DOptions, 'carrierGHz' | 'antennaHeight' | 'pathLoss' | 'pathLossExponent' | 'referenceDistance'>;

/** Wavelength λ = c / f in metres. */
export function wavelength(carrierGHz: number): number {
  return SPEED_OF_LIGHT / (carrierGHz * 1e9);
}

/** Breakpoint distance Rbp (m) and breakpoint loss Lbp (dB) of the dual-slope model. */
export function dualSlopeBreakpoint(carrierGHz: number, antennaHeight: number): { rbp: number; lbp: number } {
  const lambda = wavelength(carrierGHz);
  const h2 = antennaHeight * antennaHeight;
  return { rbp: (4 * h2) / lambda, lbp: Math.abs(20 * Math.log10((lambda * lambda) / (8 * Math.PI * h2))) };
}

/** Path loss in dB at distance d (m) — the reference formula (the generator uses an equivalent linear form). */
export function pathLossDb(d: number, params: PathLossParams = D2D_DEFAULTS): number {
  if (params.pathLoss === 'dual-slope') {
    const { rbp, lbp } = dualSlopeBreakpoint(params.carrierGHz, params.antennaHeight);
    const slope = d <= rbp ? 20 : 40;
    return lbp + 6 + slope * Math.log10(d / rbp);
  }
  const d0 = params.referenceDistance;
  const fspl = 20 * Math.log10((4 * Math.PI * d0) / wavelength(params.carrierGHz));
  return fspl + 10 * params.pathLossExponent * Math.log10(Math.max(d, d0) / d0);
}

/**
 * Linear path gain 10^(−PL/10) as a function of the SQUARED distance d² (m²), with every constant folded
 * in, so the hot loop needs no sqrt, log or pow for the dual-slope model:
 *   d ≤ Rbp: 10^(−(Lbp+6)/10) · Rbp² / d²,     d > Rbp: 10^(−(Lbp+6)/10) · Rbp⁴ / d⁴.
 */
export function pathGainOfSquaredDistance(params: PathLossParams = D2D_DEFAULTS): (d2: number) => number {
  if (params.pathLoss === 'dual-slope') {
    const { rbp, lbp } = dualSlopeBreakpoint(params.carrierGHz, params.antennaHeight);
    const c = 10 ** (-(lbp + 6) / 10);
    const rbp2 = rbp * rbp;
    const c1 = c * rbp2;
    const c2 = c * rbp2 * rbp2;
    return (d2) => (d2 <= rbp2 ? c1 / d2 : c2 / (d2 * d2));
  }
  const d0 = params.referenceDistance;
  const d02 = d0 * d0;
  const half = -params.pathLossExponent / 2;
  const c0 = 10 ** (-pathLossDb(d0, params) / 10) * d0 ** params.pathLossExponent;
  return (d2) => c0 * Math.pow(d2 > d02 ? d2 : d02, half);
}

/** Linear path gain 10^(−PL(d)/10) at distance d (m); used by mobility to rescale gains. */
export function pathGain(params: PathLossParams = D2D_DEFAULTS): (d: number) => number {
  const g = pathGainOfSquaredDistance(params);
  return (d) => g(d * d);
}

/** P_tx / (N0 · W), linear: the factor that normalises received power by the noise power. */
export function snrScale(options: Pick<D2DOptions, 'txPowerDbm' | 'noiseDbmPerHz' | 'bandwidthHz'>): number {
  const ptx = 10 ** ((options.txPowerDbm - 30) / 10); // W
  const noise = 10 ** ((options.noiseDbmPerHz - 30) / 10) * options.bandwidthHz; // W
  return ptx / noise;
}

const MAX_ATTEMPTS = 100_000;

/**
 * Drops one sample's K pairs into tx/rx at [offset, offset + 2K) (x, y interleaved): transmitters uniform
 * in [0, L]², each receiver at U[dMin, dMax] in a uniform direction, redrawn until inside the field and
 * farther than minCrossDistance from every other transmitter (see the header).
 */
export function placeSample(
  tx: Float64Array,
  rx: Float64Array,
  offset: number,
  users: number,
  options: Pick<D2DOptions, 'fieldSize' | 'dMin' | 'dMax' | 'minCrossDistance'>,
  rng: Rng,
): void {
  const { fieldSize: L, dMin, dMax, minCrossDistance } = options;
  const c2 = minCrossDistance * minCrossDistance;
  for (let n = offset; n < offset + 2 * users; n++) tx[n] = L * rng.uniform();
  for (let i = 0; i < users; i++) {
    const tX = tx[offset + 2 * i];
    const tY = tx[offset + 2 * i + 1];
    let attempts = 0;
    for (;;) {
      if (++attempts > MAX_ATTEMPTS) {
        throw new Error(
          `d2d layout: could not place receiver ${i} after ${MAX_ATTEMPTS} draws; the field is too crowded for ` +
            `minCrossDistance = ${minCrossDistance} m with ${users} pairs in ${L} m × ${L} m`,
        );
      }
      const d = dMin + (dMax - dMin) * rng.uniform();
      const phi = 2 * Math.PI * rng.uniform();
      const x = tX + d * Math.cos(phi);
      const y = tY + d * Math.sin(phi);
      if (x < 0 || x > L || y < 0 || y > L) continue;
      let ok = true;
      if (c2 > 0) {
        for (let j = 0; j < users; j++) {
          if (j === i) continue;
          const dx = tx[offset + 2 * j] - x;
          const dy = tx[offset + 2 * j + 1] - y;
          if (dx * dx + dy * dy <= c2) {
            ok = false;
            break;
          }
        }
      }
      if (!ok) continue;
      rx[offset + 2 * i] = x;
      rx[offset + 2 * i + 1] = y;
      break;
    }
  }
}

/** Layouts only (no gains): geometry [B, K, 2] for tx and rx. */
export function d2dLayout(request: { batch: number; users: number; rng: Rng }, input: Partial<D2DOptions> = {}): Geometry {
  const { batch, users } = checkRequest(request);
  const rng = request.rng;
  const options = parseOptions(d2dSchema, input, 'options');
  const tx = new Float64Array(batch * users * 2);
  const rx = new Float64Array(batch * users * 2);
  for (let b = 0; b < batch; b++) placeSample(tx, rx, b * users * 2, users, options, rng);
  return { tx, rx };
}

/**
 * Gains of one sample from its geometry (the hot loop; the equation is in the header). Constants are
 * folded so that per link the dual-slope law costs one division, shadowing one exp of a pre-drawn normal
 * and fading one log. Every link draws its shadowing and fading even when the threshold zeroes it, so a
 * threshold changes which links are kept, never the realisation of the others.
 */
function fillD2DGains(
  gains: Float64Array,
  offset: number,
  tx: Float64Array,
  rx: Float64Array,
  pos: number,
  users: number,
  o: D2DOptions,
  normals: Float64Array,
  rng: Rng,
): void {
  const scale = snrScale(o);
  const gDirect = scale * 10 ** (o.antennaGainDbi / 10);
  const gCross = o.antennaGainLinks === 'all' ? gDirect : scale;
  const shadowK = (o.shadowingDb * Math.LN10) / 10; // 10^(σ n / 10) = exp(σ ln10 / 10 · n)
  const shadow = o.shadowingDb > 0;
  const fading = o.fading;
  const t2 = o.threshold === null ? Infinity : o.threshold * o.threshold;
  // Dual-slope constants (see pathGainOfSquaredDistance) and log-distance constants.
  const dual = o.pathLoss === 'dual-slope';
  const { rbp, lbp } = dualSlopeBreakpoint(o.carrierGHz, o.antennaHeight);
  const rbp2 = rbp * rbp;
  const c1 = 10 ** (-(lbp + 6) / 10) * rbp2;
  const c2 = c1 * rbp2;
  const d0 = o.referenceDistance;
  const d02 = d0 * d0;
  const half = -o.pathLossExponent / 2;
  const c0 = 10 ** (-pathLossDb(d0, o) / 10) * d0 ** o.pathLossExponent;
  if (shadow) fillStandardNormal(rng, normals, 0, users * users);
  for (let i = 0; i < users; i++) {
    const rxX = rx[pos + 2 * i];
    const rxY = rx[pos + 2 * i + 1];
    const row = i * users;
    for (let j = 0; j < users; j++) {
      const dx = tx[pos + 2 * j] - rxX;
      const dy = tx[pos + 2 * j + 1] - rxY;
      const d2 = dx * dx + dy * dy;
      let g = dual ? (d2 <= rbp2 ? c1 / d2 : c2 / (d2 * d2)) : c0 * Math.exp(half * Math.log(d2 > d02 ? d2 : d02));
      g *= j === i ? gDirect : gCross;
      if (shadow) g *= Math.exp(shadowK * normals[row + j]);
      if (fading) g *= -Math.log(1 - rng.uniform());
      gains[offset + row + j] = j !== i && d2 >= t2 ? 0 : g;
    }
  }
}

export function generateD2D(request: { batch: number; users: number; rng: Rng }, options: D2DOptions = D2D_DEFAULTS): ChannelBatch {
  const { batch, users } = checkRequest(request);
  const tx = new Float64Array(batch * users * 2);
  const rx = new Float64Array(batch * users * 2);
  const normals = new Float64Array(users * users);
  return generateSamples(
    request,
    options,
    (gains, offset, b, rng) => {
      const pos = b * users * 2;
      placeSample(tx, rx, pos, users, options, rng);
      fillD2DGains(gains, offset, tx, rx, pos, users, options, normals, rng);
    },
    { geometry: { tx, rx } },
  );
}

/** A D2D channel model also exposes its path gain vs distance (for mobility.ts). */
export type D2DModel = ChannelModel & {
  readonly options: D2DOptions;
  /** Linear path gain 10^(−PL(d)/10) at d metres (no antenna gain, shadowing or fading). */
  pathGain(d: number): number;
};

/** Factory for the registry: `{ kind: 'd2d', ...D2DOptions }`. */
export function createD2D(input: unknown = {}, field = 'channel'): D2DModel {
  const options = parseOptions(d2dSchema, input, field);
  return {
    kind: 'd2d',
    options,
    pathGain: pathGain(options),
    generate: (request) => generateD2D(request, options),
  };
}
