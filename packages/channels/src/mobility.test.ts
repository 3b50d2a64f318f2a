import { describe, expect, it } from 'vitest';
import { ValidationError, streams, type ChannelBatch } from '@rrm/core';
import { createD2D, pathLossDb, snrScale, D2D_DEFAULTS } from './d2d';
import { createRayleigh } from './rayleigh';
import { mobilityTrajectory, moveReceivers } from './mobility';

const rngOf = (seed: number, name = 'mobility') => streams(seed).get(name);
const dist = (c: ChannelBatch, b: number, i: number, j: number) => {
  const { tx, rx } = c.geometry!;
  const p = b * c.users * 2;
  return Math.hypot(tx[p + 2 * j] - rx[p + 2 * i], tx[p + 2 * j + 1] - rx[p + 2 * i + 1]);
};

describe('moveReceivers', () => {
  const users = 8;

  it('with std = 0 changes nothing', () => {
    const ch = createD2D().generate({ batch: 2, users, rng: rngOf(1) });
    const moved = moveReceivers(ch, { std: 0 }, rngOf(2));
    expect(Array.from(moved.gains)).toEqual(Array.from(ch.gains));
    expect(Array.from(moved.geometry!.rx)).toEqual(Array.from(ch.geometry!.rx));
    expect(moved.geometry!.tx).toBe(ch.geometry!.tx);
  });

  it('recomputes the D2D path loss exactly at the new distances (no shadowing/fading: a fresh computation)', () => {
    const model = createD2D({ shadowingDb: 0, fading: false });
    const ch = model.generate({ batch: 2, users, rng: rngOf(3) });
    const moved = moveReceivers(ch, { std: 20, pathGain: model.pathGain, fieldSize: 1000 }, rngOf(4));
    const scale = snrScale(D2D_DEFAULTS);
    let changed = 0;
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < users; i++) {
        for (let j = 0; j < users; j++) {
          const d = Math.max(dist(moved, b, i, j), 1);
          const expected = scale * (i === j ? 10 ** 0.25 : 1) * 10 ** (-pathLossDb(d) / 10);
          const n = (b * users + i) * users + j;
          expect(Math.abs(moved.gains[n] / expected - 1)).toBeLessThan(1e-9);
          if (moved.gains[n] !== ch.gains[n]) changed++;
        }
      }
    }
    expect(changed).toBeGreaterThan(0);
    expect(moved.geometry!.rx.every((v) => v >= 0 && v <= 1000)).toBe(true);
  });

  it('keeps the fading/shadowing realisation: g_new / g_old = PG(d_new) / PG(d_old)', () => {
    const model = createD2D();
    const ch = model.generate({ batch: 1, users, rng: rngOf(5) });
    const moved = moveReceivers(ch, { std: 5, pathGain: model.pathGain }, rngOf(6));
    for (let i = 0; i < users; i++) {
      for (let j = 0; j < users; j++) {
        const ratio = model.pathGain(Math.max(dist(moved, 0, i, j), 1)) / model.pathGain(Math.max(dist(ch, 0, i, j), 1));
        expect(moved.gains[i * users + j] / ch.gains[i * users + j]).toBeCloseTo(ratio, 9);
      }
    }
  });

  it('rescales by (d_old / d_new)^α for a generic geometric batch', () => {
    const base = createD2D().generate({ batch: 1, users: 4, rng: rngOf(7) });
    const ch: ChannelBatch = { ...base, gains: new Float64Array(16).fill(1) }; // any model's gains + positions
    const moved = moveReceivers(ch, { std: 3, exponent: 3 }, rngOf(8));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const expected = (Math.max(dist(ch, 0, i, j), 1) / Math.max(dist(moved, 0, i, j), 1)) ** 3;
        expect(moved.gains[i * 4 + j]).toBeCloseTo(expected, 9);
      }
    }
  });

  it('cuts interference beyond the coverage radius and keeps each receiver within coverage of its transmitter', () => {
    const model = createD2D({ fieldSize: 300 });
    const ch = model.generate({ batch: 3, users, rng: rngOf(9) });
    const coverage = 80;
    const moved = moveReceivers(ch, { std: 40, coverage, pathGain: model.pathGain }, rngOf(10));
    let cut = 0;
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < users; i++) {
        expect(dist(moved, b, i, i)).toBeLessThanOrEqual(coverage + 1e-9);
        expect(moved.gains[(b * users + i) * users + i]).toBeGreaterThan(0);
        for (let j = 0; j < users; j++) {
          if (i === j) continue;
          const g = moved.gains[(b * users + i) * users + j];
          if (dist(moved, b, i, j) > coverage) {
            expect(g).toBe(0);
            cut++;
          } else expect(g).toBeGreaterThan(0);
        }
      }
    }
    expect(cut).toBeGreaterThan(0);
  });

  it("with direct: 'zero' lets receivers leave and zeroes their direct link", () => {
    const ch = createD2D({ dMin: 60, dMax: 65 }).generate({ batch: 4, users, rng: rngOf(11) });
    const moved = moveReceivers(ch, { std: 30, coverage: 66, direct: 'zero' }, rngOf(12));
    let outages = 0;
    for (let b = 0; b < 4; b++) {
      for (let i = 0; i < users; i++) {
        const g = moved.gains[(b * users + i) * users + i];
        if (dist(moved, b, i, i) > 66) {
          expect(g).toBe(0);
          outages++;
        } else expect(g).toBeGreaterThan(0);
      }
    }
    expect(outages).toBeGreaterThan(0);
  });

  it('needs geometry and valid options', () => {
    const ch = createRayleigh().generate({ batch: 1, users: 3, rng: rngOf(1) });
    expect(() => moveReceivers(ch, { std: 1 }, rngOf(1))).toThrow(ValidationError);
    const d = createD2D().generate({ batch: 1, users: 3, rng: rngOf(1) });
    expect(() => moveReceivers(d, { std: -1 }, rngOf(1))).toThrow(ValidationError);
    expect(() => moveReceivers(d, { std: 1, coverage: 0 }, rngOf(1))).toThrow(ValidationError);
    expect(() => moveReceivers(d, { std: 1, direct: 'drop' as never }, rngOf(1))).toThrow(ValidationError);
  });
});

describe('mobilityTrajectory', () => {
  it('returns one snapshot per step and lets links come back into coverage', () => {
    const model = createD2D({ fieldSize: 200 });
    const ch = model.generate({ batch: 2, users: 10, rng: rngOf(13) });
    const steps = mobilityTrajectory(ch, 6, { std: 25, coverage: 70, pathGain: model.pathGain }, rngOf(14));
    expect(steps.length).toBe(6);
    // A link cut at some step and present at a later one exists only because un-cut gains are carried.
    let returned = 0;
    for (let n = 0; n < ch.gains.length; n++) {
      let wasCut = false;
      for (const s of steps) {
        if (s.gains[n] === 0) wasCut = true;
        else if (wasCut) returned++;
      }
    }
    expect(returned).toBeGreaterThan(0);
    // Same random stream: the first step equals moveReceivers.
    const first = moveReceivers(ch, { std: 25, coverage: 70, pathGain: model.pathGain }, rngOf(14));
    expect(Array.from(steps[0].gains)).toEqual(Array.from(first.gains));
    expect(() => mobilityTrajectory(ch, 0, { std: 1 }, rngOf(1))).toThrow(ValidationError);
  });
});
