import { describe, expect, it } from 'vitest';
import { fromCanonical, toCanonical } from './convention';
import { makeChannelBatch } from './channel-batch';
import { makeScenario } from './scenario';
import { ValidationError } from './errors';

describe('conversion at the boundary', () => {
  const txrx = [1, 2, 3, 4, 5, 6, 7, 8]; // two samples of [[a, b], [c, d]] with rows = transmitters

  it("tx-rx input is transposed so that rows become receivers", () => {
    expect([...toCanonical(txrx, 2, 2, { layout: 'tx-rx' })]).toEqual([1, 3, 2, 4, 5, 7, 6, 8]);
  });

  it('amplitudes are squared into power gains', () => {
    expect([...toCanonical([1, 2, 3, 4], 1, 2, { gain: 'amplitude' })]).toEqual([1, 4, 9, 16]);
  });

  it('round-trips every layout and gain kind', () => {
    for (const layout of ['rx-tx', 'tx-rx'] as const) {
      for (const gain of ['power', 'amplitude'] as const) {
        const canon = toCanonical(txrx, 2, 2, { layout, gain });
        const back = fromCanonical(canon, 2, 2, { layout, gain });
        back.forEach((v, n) => expect(v).toBeCloseTo(txrx[n], 12));
      }
    }
  });

  it('rejects negative or non-finite amplitudes, naming the entry in the file', () => {
    // tx-rx file: entry [0][1][0] (transmitter 1 → receiver 0) is negative, as a real part of h would be.
    expect(() => toCanonical([1, 2, -0.5, 4], 1, 2, { layout: 'tx-rx', gain: 'amplitude' })).toThrow(/gains\[0\]\[1\]\[0\]: expected a finite, non-negative amplitude/);
    expect(() => toCanonical([1, NaN, 0, 4], 1, 2, { gain: 'amplitude' })).toThrow(/gains\[0\]\[0\]\[1\]/);
  });

  it('rejects unknown layouts naming the field', () => {
    expect(() => toCanonical([1], 1, 1, { layout: 'rows' as never })).toThrow(/layout: expected one of 'rx-tx', 'tx-rx'/);
  });
});

describe('validation', () => {
  it('names the bad field and the expected form', () => {
    expect(() => makeChannelBatch([1, 2, 3], [1, 1, 3])).toThrow(/square/);
    expect(() => makeChannelBatch([1, 2, 3, NaN], [1, 2, 2])).toThrow(/gains\[0\]\[1\]\[1\]: expected a finite, non-negative power gain, got NaN/);
    expect(() => makeChannelBatch([1, -2, 3, 4], [1, 2, 2])).toThrow(/gains\[0\]\[0\]\[1\]/);
    expect(() => makeChannelBatch([1, 2, 3, 4], [2, 2, 2])).toThrow(/expected 8 values/);
    expect(() => makeChannelBatch([], [0, 0, 0])).toThrow(ValidationError);
    expect(() => makeChannelBatch([1, 0, 0, 1], [1, 2, 2], { weights: [1, 2, 3] })).toThrow(/weights: expected 2 values/);
    expect(() => makeScenario({ users: 0 })).toThrow(/scenario.users: expected an integer >= 1/);
    expect(() => makeScenario({ users: 2, pmax: 0 })).toThrow(/scenario.pmax: expected a finite number > 0, got 0/);
    expect(() => makeScenario({ users: 2, noise: -1 })).toThrow(/scenario.noise/);
    expect(() => makeScenario({ users: 2, weights: [1] })).toThrow(/scenario.weights/);
  });

  it('accepts a single [K, K] sample and broadcasts length-K weights', () => {
    const ch = makeChannelBatch([1, 0.1, 0.2, 1], [2, 2], { weights: [0.5, 2] });
    expect(ch.batch).toBe(1);
    expect([...ch.weights!]).toEqual([0.5, 2]);
  });
});
