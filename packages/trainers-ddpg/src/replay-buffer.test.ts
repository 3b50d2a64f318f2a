import { describe, expect, it } from 'vitest';
import { Rng } from '@rrm/core';
import { ReplayBuffer } from './replay-buffer';

const k = 2;
function push(buf: ReplayBuffer, reward: number) {
  buf.push({ gains: [reward, 0, 0, reward], weights: [1, 1], action: [reward, reward], reward });
}

describe('ReplayBuffer', () => {
  it('holds at most `capacity` transitions and overwrites the oldest first', () => {
    const buf = new ReplayBuffer({ capacity: 3, users: k });
    for (let r = 0; r < 3; r++) push(buf, r);
    expect(buf.size).toBe(3);
    push(buf, 3); // overwrites slot 0 (reward 0)
    expect(buf.size).toBe(3);
    expect(buf.total).toBe(4);
    expect([0, 1, 2].map((s) => buf.rewardAt(s))).toEqual([3, 1, 2]);
    push(buf, 4); // then slot 1
    expect([0, 1, 2].map((s) => buf.rewardAt(s))).toEqual([3, 4, 2]);
    const all = buf.gather(Int32Array.from([0, 1, 2]));
    expect(Array.from(all.actions)).toEqual([3, 3, 4, 4, 2, 2]);
    expect(Array.from(all.gains.slice(0, 4))).toEqual([3, 0, 0, 3]);
  });

  it('pushes a batch row by row', () => {
    const buf = new ReplayBuffer({ capacity: 10, users: k, labels: true });
    buf.pushBatch({ batch: 2, gains: [1, 2, 3, 4, 5, 6, 7, 8], weights: [1, 1, 2, 2], actions: [0.1, 0.2, 0.3, 0.4], rewards: [7, 8], labels: [1, 0, 0, 1] });
    const b = buf.gather(Int32Array.from([1]));
    expect(Array.from(b.gains)).toEqual([5, 6, 7, 8]);
    expect(Array.from(b.weights)).toEqual([2, 2]);
    expect(Array.from(b.labels!)).toEqual([0, 1]);
    expect(b.rewards[0]).toBe(8);
  });

  it('samples the same indices from the same seed, within the filled part', () => {
    const buf = new ReplayBuffer({ capacity: 100, users: k, next: true });
    for (let r = 0; r < 40; r++) buf.push({ gains: [r, 0, 0, r], weights: [1, 1], action: [0, 0], reward: r, nextGains: [0, 0, 0, 0], nextWeights: [1, 1], done: r % 2 === 0 });
    const a = buf.sample(16, new Rng(7));
    const b = buf.sample(16, new Rng(7));
    const c = buf.sample(16, new Rng(8));
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.indices)).not.toEqual(Array.from(c.indices));
    for (let n = 0; n < 16; n++) {
      expect(a.indices[n]).toBeGreaterThanOrEqual(0);
      expect(a.indices[n]).toBeLessThan(40);
      expect(a.rewards[n]).toBe(a.indices[n]);
      expect(a.done![n]).toBe(a.indices[n] % 2 === 0 ? 1 : 0);
    }
  });

  it('rejects wrong sizes and empty sampling', () => {
    const buf = new ReplayBuffer({ capacity: 4, users: k });
    expect(() => buf.sample(2, new Rng(1))).toThrow(/empty/);
    expect(() => buf.push({ gains: [1, 2, 3], weights: [1, 1], action: [0, 0], reward: 0 })).toThrow(/gains/);
    expect(() => new ReplayBuffer({ capacity: 0, users: k })).toThrow(/trainer\.buffer/);
  });
});
