import { describe, expect, it } from 'vitest';
import { ValidationError, streams } from '@rrm/core';
import { createD2D } from './d2d';
import { createRayleigh } from './rayleigh';
import {
  applyMask,
  applyMaskToBatch,
  batchedEdgeList,
  distanceThresholdMask,
  edgeList,
  removeLinks,
  removeLinksFromBatch,
} from './interference-graph';

const rngOf = (seed: number, name = 'graph') => streams(seed).get(name);

describe('distanceThresholdMask', () => {
  it('marks j → i iff j ≠ i and ‖tx_j − rx_i‖ < threshold (brute force)', () => {
    const users = 12;
    const out = createD2D({ fieldSize: 300 }).generate({ batch: 3, users, rng: rngOf(1) });
    const { tx, rx } = out.geometry!;
    const mask = distanceThresholdMask(out.geometry!, 3, users, 120);
    let ones = 0;
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < users; i++) {
        for (let j = 0; j < users; j++) {
          const p = b * users * 2;
          const d = Math.hypot(tx[p + 2 * j] - rx[p + 2 * i], tx[p + 2 * j + 1] - rx[p + 2 * i + 1]);
          const expected = i !== j && d < 120 ? 1 : 0;
          expect(mask[(b * users + i) * users + j]).toBe(expected);
          ones += expected;
        }
      }
    }
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(3 * users * (users - 1));
  });

  it('validates its inputs', () => {
    const geometry = { tx: new Float64Array(4), rx: new Float64Array(4) };
    expect(() => distanceThresholdMask(geometry, 1, 3, 10)).toThrow(ValidationError);
    expect(() => distanceThresholdMask(geometry, 1, 2, 0)).toThrow(ValidationError);
  });
});

describe('applyMask', () => {
  it('keeps the diagonal and the masked-in interference, zeroes the rest', () => {
    const gains = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const mask = Uint8Array.from([0, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(applyMask(gains, mask, 3))).toEqual([1, 2, 0, 0, 5, 0, 7, 0, 9]);
    const batch = applyMaskToBatch({ batch: 1, users: 3, gains }, mask);
    expect(batch.gains[2]).toBe(0);
    expect(gains[2]).toBe(3); // input untouched
    expect(() => applyMask(gains, new Uint8Array(4), 3)).toThrow(ValidationError);
  });
});

describe('removeLinks (UWGNN eq. (23))', () => {
  const users = 10;
  const batch = createRayleigh().generate({ batch: 50, users, rng: rngOf(2) });

  it('removes each interference link with probability η_lc, never a direct link', () => {
    const out = removeLinks(batch.gains, users, 0.4, rngOf(3));
    let removed = 0, total = 0;
    for (let n = 0; n < out.length; n++) {
      const i = Math.floor((n % (users * users)) / users);
      if (i === n % users) {
        expect(out[n]).toBe(batch.gains[n]);
      } else {
        total++;
        if (out[n] === 0) removed++;
        else expect(out[n]).toBe(batch.gains[n]);
      }
    }
    expect(Math.abs(removed / total - 0.4)).toBeLessThan(4 * Math.sqrt(0.24 / total));
  });

  it('η = 0 is the identity, η = 1 leaves only the direct links, and masks keep their type', () => {
    expect(Array.from(removeLinks(batch.gains, users, 0, rngOf(1)))).toEqual(Array.from(batch.gains));
    const none = removeLinks(batch.gains, users, 1, rngOf(1));
    expect(edgeList(none, users, 0).numEdges).toBe(0);
    const mask = new Uint8Array(4 * 9).fill(1);
    const m = removeLinks(mask, 3, 0.5, rngOf(1));
    expect(m).toBeInstanceOf(Uint8Array);
    expect(mask.every((v) => v === 1)).toBe(true); // input untouched
    const fromBatch = removeLinksFromBatch(batch, 0.4, rngOf(3));
    expect(Array.from(fromBatch.gains)).toEqual(Array.from(removeLinks(batch.gains, users, 0.4, rngOf(3))));
    expect(() => removeLinks(batch.gains, users, 2, rngOf(1))).toThrow(ValidationError);
    expect(() => removeLinks(batch.gains, 7, 0.1, rngOf(1))).toThrow(ValidationError);
  });
});

describe('edge lists', () => {
  // K = 3, one sample. Row = receiver i, column = transmitter j.
  const gains = Float64Array.from([
    1.0, 0.2, 0.0, // rx 0 hears tx 1
    0.0, 2.0, 0.5, // rx 1 hears tx 2
    0.3, 0.4, 3.0, // rx 2 hears tx 0 and tx 1
  ]);

  it('lists edges j → i where g_ij > 0, grouped by receiver, with their gains', () => {
    const e = edgeList(gains, 3, 0);
    expect(e.numNodes).toBe(3);
    expect(e.numEdges).toBe(4);
    expect(Array.from(e.src)).toEqual([1, 2, 0, 1]);
    expect(Array.from(e.dst)).toEqual([0, 1, 2, 2]);
    expect(Array.from(e.gain!)).toEqual([0.2, 0.5, 0.3, 0.4]);
  });

  it('takes a mask as topology, optionally with gains alongside', () => {
    const mask = Uint8Array.from([0, 0, 1, 1, 0, 0, 0, 0, 0]);
    const e = edgeList(mask, 3, 0);
    expect(Array.from(e.src)).toEqual([2, 0]);
    expect(Array.from(e.dst)).toEqual([0, 1]);
    expect(e.gain).toBeUndefined();
    expect(Array.from(edgeList(mask, 3, 0, { gains }).gain!)).toEqual([0, 0]);
  });

  it('batches graphs like PyTorch Geometric: node = b·K + i, CSR pointers per sample and per receiver', () => {
    const users = 6;
    const ch = createRayleigh({ etaLc: 0.5 }).generate({ batch: 4, users, rng: rngOf(5) });
    const all = batchedEdgeList(ch.gains, users);
    expect(all.samples).toBe(4);
    expect(all.numNodes).toBe(24);
    expect(all.edgePtr.length).toBe(5);
    expect(all.rowPtr.length).toBe(25);
    expect(all.rowPtr[24]).toBe(all.numEdges);
    expect(all.edgePtr[4]).toBe(all.numEdges);
    for (let b = 0; b < 4; b++) {
      const one = edgeList(ch.gains, users, b);
      const lo = all.edgePtr[b];
      expect(all.edgePtr[b + 1] - lo).toBe(one.numEdges);
      for (let e = 0; e < one.numEdges; e++) {
        expect(all.src[lo + e]).toBe(one.src[e] + b * users);
        expect(all.dst[lo + e]).toBe(one.dst[e] + b * users);
        expect(all.gain![lo + e]).toBe(one.gain![e]);
      }
      for (let i = 0; i < users; i++) expect(all.batch[b * users + i]).toBe(b);
    }
    for (let node = 0; node < 24; node++) {
      for (let e = all.rowPtr[node]; e < all.rowPtr[node + 1]; e++) expect(all.dst[e]).toBe(node);
    }
    expect(() => edgeList(ch.gains, users, 4)).toThrow(ValidationError);
  });
});
