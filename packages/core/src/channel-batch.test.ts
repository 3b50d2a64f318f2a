import { describe, expect, it } from 'vitest';
import { gatherBatch, sliceBatch, type ChannelBatch } from './channel-batch';

function batchOf(n: number, users: number): ChannelBatch {
  const kk = users * users;
  return {
    batch: n,
    users,
    gains: Float64Array.from({ length: n * kk }, (_, i) => i + 0.5),
    weights: Float64Array.from({ length: n * users }, (_, i) => 100 + i),
    geometry: { tx: Float64Array.from({ length: n * users * 2 }, (_, i) => -i), rx: Float64Array.from({ length: n * users * 2 }, (_, i) => 1000 + i) },
  };
}

describe('gatherBatch', () => {
  it('equals sliceBatch on a contiguous range', () => {
    const ch = batchOf(6, 3);
    expect(gatherBatch(ch, [2, 3, 4])).toEqual(sliceBatch(ch, 2, 5));
  });

  it('picks samples in the given order, repeats allowed, sharing no memory', () => {
    const ch = batchOf(5, 2);
    const g = gatherBatch(ch, Int32Array.from([4, 0, 4]));
    expect(g.batch).toBe(3);
    for (const [r, s] of [4, 0, 4].entries()) {
      expect(Array.from(g.gains.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(ch.gains.subarray(s * 4, s * 4 + 4)));
      expect(Array.from(g.weights!.subarray(r * 2, r * 2 + 2))).toEqual(Array.from(ch.weights!.subarray(s * 2, s * 2 + 2)));
      expect(Array.from(g.geometry!.rx.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(ch.geometry!.rx.subarray(s * 4, s * 4 + 4)));
    }
    g.gains[0] = -1;
    expect(ch.gains[16]).toBe(16.5);
  });

  it('rejects an index outside the batch', () => {
    expect(() => gatherBatch(batchOf(2, 2), [0, 2])).toThrow(/index 2 outside \[0, 2\)/);
  });
});
