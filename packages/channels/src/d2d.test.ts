import { describe, expect, it } from 'vitest';
import { ValidationError, streams } from '@rrm/core';
import {
  D2D_DEFAULTS,
  createD2D,
  d2dLayout,
  dualSlopeBreakpoint,
  pathGain,
  pathLossDb,
  snrScale,
  wavelength,
} from './d2d';
import { applyMask, distanceThresholdMask } from './interference-graph';

const rngOf = (seed: number) => streams(seed).get('d2d');
const dist = (tx: Float64Array, rx: Float64Array, pos: number, i: number, j: number) =>
  Math.hypot(tx[pos + 2 * j] - rx[pos + 2 * i], tx[pos + 2 * j + 1] - rx[pos + 2 * i + 1]);

describe('d2d path loss (ITU-R P.1411 dual slope as coded by Cui et al.)', () => {
  it('has the breakpoint of the defaults (2.4 GHz, 1.5 m antennas)', () => {
    expect(wavelength(2.4)).toBeCloseTo(0.1249167, 6);
    const { rbp, lbp } = dualSlopeBreakpoint(2.4, 1.5);
    expect(rbp).toBeCloseTo(72.048, 3); // 4·1.5·1.5 / 0.1249167
    expect(lbp).toBeCloseTo(71.1836, 3); // |20 log10(λ² / (8π·2.25))|
  });

  it('matches hand-computed values on both slopes', () => {
    // d = 10 m ≤ Rbp: 71.1836 + 6 + 20 log10(10 / 72.048) = 60.0312 dB
    expect(pathLossDb(10)).toBeCloseTo(60.0312, 3);
    // d = 65 m ≤ Rbp: 77.1836 + 20 log10(65 / 72.048) = 76.2895 dB
    expect(pathLossDb(65)).toBeCloseTo(76.2895, 3);
    // d = 200 m > Rbp: 77.1836 + 40 log10(200 / 72.048) = 94.9199 dB
    expect(pathLossDb(200)).toBeCloseTo(94.9199, 3);
    // continuous at the breakpoint
    const { rbp } = dualSlopeBreakpoint(2.4, 1.5);
    expect(pathLossDb(rbp * (1 + 1e-12))).toBeCloseTo(pathLossDb(rbp), 6);
  });

  it('has the log-distance alternative: FSPL(d0) + 10 α log10(d / d0)', () => {
    const params = { ...D2D_DEFAULTS, pathLoss: 'log-distance' as const };
    // FSPL(1 m) at 2.4 GHz = 20 log10(4π / 0.1249167) = 40.0518 dB; +36.7·2 at 100 m.
    expect(pathLossDb(1, params)).toBeCloseTo(40.0518, 3);
    expect(pathLossDb(100, params)).toBeCloseTo(113.4518, 3);
    expect(pathLossDb(0.5, params)).toBeCloseTo(40.0518, 3); // held at d0
  });

  it('linear path gain equals 10^(−PL/10) for both models', () => {
    for (const pl of ['dual-slope', 'log-distance'] as const) {
      const params = { ...D2D_DEFAULTS, pathLoss: pl };
      const pg = pathGain(params);
      for (const d of [3, 50, 72, 90, 400, 1200]) {
        expect(Math.abs(pg(d) / 10 ** (-pathLossDb(d, params) / 10) - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it('normalises by the noise: P_tx / (N0 W) = 40 dBm − (−169 dBm/Hz + 67 dB·Hz) = 142.01 dB', () => {
    expect(10 * Math.log10(snrScale(D2D_DEFAULTS))).toBeCloseTo(142.0103, 3);
  });
});

describe('d2d layouts and gains', () => {
  const users = 30;
  const batch = 20;
  const model = createD2D();
  const out = model.generate({ batch, users, rng: rngOf(1) });
  const { tx, rx } = out.geometry!;

  it('keeps every node in the field, pair distances in [dMin, dMax], cross distances > 1 m', () => {
    expect(tx.length).toBe(batch * users * 2);
    for (const p of [tx, rx]) expect(p.every((v) => v >= 0 && v <= 1000)).toBe(true);
    for (let b = 0; b < batch; b++) {
      const pos = b * users * 2;
      for (let i = 0; i < users; i++) {
        const d = dist(tx, rx, pos, i, i);
        expect(d).toBeGreaterThanOrEqual(2);
        expect(d).toBeLessThanOrEqual(65);
        for (let j = 0; j < users; j++) if (j !== i) expect(dist(tx, rx, pos, i, j)).toBeGreaterThan(1);
      }
    }
  });

  it('spreads pair distances over [dMin, dMax] and transmitters over the field', () => {
    const d = [];
    for (let b = 0; b < batch; b++) for (let i = 0; i < users; i++) d.push(dist(tx, rx, b * users * 2, i, i));
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    expect(Math.abs(mean - 33.5)).toBeLessThan(3); // U[2, 65] has mean 33.5 (slightly less near edges)
    const mx = tx.filter((_, k) => k % 2 === 0).reduce((s, v) => s + v, 0) / (batch * users);
    expect(Math.abs(mx - 500)).toBeLessThan(60);
  });

  it('without shadowing and fading equals P_tx·G·10^(−PL/10)/(N0 W) from the geometry', () => {
    const m = createD2D({ shadowingDb: 0, fading: false });
    const o = m.generate({ batch: 2, users: 6, rng: rngOf(2) });
    const g = o.geometry!;
    const scale = snrScale(D2D_DEFAULTS);
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) {
          const d = dist(g.tx, g.rx, b * 12, i, j);
          const antenna = i === j ? 10 ** 0.25 : 1; // 2.5 dB on direct links only (Cui et al.'s code)
          const expected = scale * antenna * 10 ** (-pathLossDb(d) / 10);
          expect(Math.abs(o.gains[(b * 6 + i) * 6 + j] / expected - 1)).toBeLessThan(1e-12);
        }
      }
    }
    const all = createD2D({ shadowingDb: 0, fading: false, antennaGainLinks: 'all' }).generate({ batch: 2, users: 6, rng: rngOf(2) });
    expect(all.gains[1] / o.gains[1]).toBeCloseTo(10 ** 0.25, 12);
    expect(all.gains[0]).toBe(o.gains[0]);
  });

  it('has log-normal shadowing with σ dB spread and unit-mean Rayleigh fading', () => {
    // Divide each gain by its deterministic part (from the sample's own geometry): what is left is the
    // shadowing factor 10^(σn/10), the fading |h|², or their product.
    const residual = (opts: Record<string, unknown>) => {
      const o = createD2D(opts).generate({ batch: 10, users: 20, rng: rngOf(3) });
      const g = o.geometry!;
      const scale = snrScale(D2D_DEFAULTS);
      const r: number[] = [];
      for (let b = 0; b < 10; b++) {
        for (let i = 0; i < 20; i++) {
          for (let j = 0; j < 20; j++) {
            const det = scale * (i === j ? 10 ** 0.25 : 1) * 10 ** (-pathLossDb(dist(g.tx, g.rx, b * 40, i, j)) / 10);
            r.push(o.gains[(b * 20 + i) * 20 + j] / det);
          }
        }
      }
      return r;
    };
    const dB = residual({ shadowingDb: 7, fading: false }).map((v) => 10 * Math.log10(v));
    const m = dB.reduce((s, v) => s + v, 0) / dB.length;
    const sd = Math.sqrt(dB.reduce((s, v) => s + (v - m) ** 2, 0) / (dB.length - 1));
    expect(Math.abs(m)).toBeLessThan(4 * 7 / Math.sqrt(dB.length));
    expect(Math.abs(sd - 7)).toBeLessThan(0.3);
    const fade = residual({ shadowingDb: 0, fading: true });
    const fadeMean = fade.reduce((s, v) => s + v, 0) / fade.length;
    expect(Math.abs(fadeMean - 1)).toBeLessThan(4 / Math.sqrt(fade.length));
    const p1 = fade.filter((v) => v > 1).length / fade.length; // Exp(1): P(|h|² > 1) = e^{-1}
    expect(Math.abs(p1 - Math.exp(-1))).toBeLessThan(0.05);
  });

  it('has gains decreasing with distance on average', () => {
    const bins = [0, 0, 0];
    const counts = [0, 0, 0];
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < users; i++) {
        for (let j = 0; j < users; j++) {
          const d = dist(tx, rx, b * users * 2, i, j);
          const k = d < 100 ? 0 : d < 300 ? 1 : d < 600 ? 2 : -1;
          if (k < 0 || i === j) continue;
          bins[k] += Math.log(out.gains[(b * users + i) * users + j]);
          counts[k]++;
        }
      }
    }
    const means = bins.map((s, k) => s / counts[k]);
    expect(means[0]).toBeGreaterThan(means[1]);
    expect(means[1]).toBeGreaterThan(means[2]);
  });

  it('is deterministic for a seed, differs between seeds, and is prefix-stable', () => {
    const a = model.generate({ batch: 3, users: 8, rng: rngOf(9) });
    const b = model.generate({ batch: 3, users: 8, rng: rngOf(9) });
    const c = model.generate({ batch: 3, users: 8, rng: rngOf(10) });
    const big = model.generate({ batch: 5, users: 8, rng: rngOf(9) });
    expect(Array.from(a.gains)).toEqual(Array.from(b.gains));
    expect(Array.from(a.geometry!.rx)).toEqual(Array.from(b.geometry!.rx));
    expect(Array.from(a.gains)).not.toEqual(Array.from(c.gains));
    expect(Array.from(big.gains.subarray(0, a.gains.length))).toEqual(Array.from(a.gains));
    expect(Array.from(big.geometry!.tx.subarray(0, a.geometry!.tx.length))).toEqual(Array.from(a.geometry!.tx));
  });

  it('threshold = the unthresholded realisation restricted to the distance graph', () => {
    const free = createD2D().generate({ batch: 4, users: 25, rng: rngOf(4) });
    const cut = createD2D({ threshold: 300 }).generate({ batch: 4, users: 25, rng: rngOf(4) });
    const mask = distanceThresholdMask(free.geometry!, 4, 25, 300);
    expect(Array.from(cut.gains)).toEqual(Array.from(applyMask(free.gains, mask, 25)));
    expect(cut.gains.some((v) => v === 0)).toBe(true);
  });

  it('d2dLayout draws layouts only, from the same options', () => {
    const g = d2dLayout({ batch: 3, users: 10, rng: rngOf(5) }, { fieldSize: 200, dMin: 5, dMax: 10 });
    expect(g.tx.length).toBe(60);
    expect(g.rx.every((v) => v >= 0 && v <= 200)).toBe(true);
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < 10; i++) {
        const d = dist(g.tx, g.rx, b * 20, i, i);
        expect(d).toBeGreaterThanOrEqual(5);
        expect(d).toBeLessThanOrEqual(10);
      }
    }
  });

  it('resolves defaults and validates options with field names', () => {
    expect(model.options).toEqual({
      fieldSize: 1000, dMin: 2, dMax: 65, minCrossDistance: 1, carrierGHz: 2.4, antennaHeight: 1.5,
      antennaGainDbi: 2.5, antennaGainLinks: 'direct', txPowerDbm: 40, noiseDbmPerHz: -169, bandwidthHz: 5e6,
      shadowingDb: 8, fading: true, pathLoss: 'dual-slope', pathLossExponent: 3.67, referenceDistance: 1,
      threshold: null, etaLc: 0, weights: 'ones', gain: 'power',
    });
    expect(model.pathGain(10)).toBeCloseTo(10 ** (-pathLossDb(10) / 10), 15);
    const cases: [Record<string, unknown>, string][] = [
      [{ dMin: 10, dMax: 5 }, 'channel.dMax'],
      [{ dMin: 600, dMax: 700 }, 'channel.dMin'],
      [{ fieldSize: -1 }, 'channel.fieldSize'],
      [{ pathLoss: 'free-space' }, 'channel.pathLoss'],
      [{ fading: 'yes' }, 'channel.fading'],
      [{ shadowingDb: -3 }, 'channel.shadowingDb'],
      [{ threshold: 0 }, 'channel.threshold'],
      [{ txPowerDbm: Infinity }, 'channel.txPowerDbm'],
      [{ antennaGainLinks: 'both' }, 'channel.antennaGainLinks'],
      [{ carrier: 2.4 }, 'channel.carrier'],
    ];
    for (const [opts, field] of cases) {
      let err: unknown;
      try {
        createD2D(opts, 'channel');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(opts)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
    expect(createD2D({ threshold: null }).options.threshold).toBeNull();
  });

  it('reports an over-crowded field instead of looping forever', () => {
    const m = createD2D({ fieldSize: 10, dMin: 1, dMax: 2, minCrossDistance: 9 });
    expect(() => m.generate({ batch: 1, users: 50, rng: rngOf(1) })).toThrow(/too crowded/);
  });
});
