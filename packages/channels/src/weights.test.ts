import { describe, expect, it } from 'vitest';
import { ValidationError, streams } from '@rrm/core';
import { generateWeights } from './weights';

describe('weights', () => {
  it("'ones' gives all ones [B, K]", () => {
    const w = generateWeights('ones', 3, 4, streams(1).get('w'));
    expect(w.length).toBe(12);
    expect(w.every((v) => v === 1)).toBe(true);
  });

  it("'uniform' gives U(0, 1) weights, deterministic per seed", () => {
    const a = generateWeights('uniform', 100, 20, streams(1).get('w'));
    const b = generateWeights('uniform', 100, 20, streams(1).get('w'));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const m2 = a.reduce((s, v) => s + v * v, 0) / a.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(m2 - 1 / 3)).toBeLessThan(0.03);
  });

  it('rejects bad kinds and shapes', () => {
    expect(() => generateWeights('gaussian' as never, 1, 1, streams(1).get('w'))).toThrow(ValidationError);
    expect(() => generateWeights('ones', 0, 1, streams(1).get('w'))).toThrow(ValidationError);
  });
});
