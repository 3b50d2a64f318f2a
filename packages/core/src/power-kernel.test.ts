import { describe, expect, it } from 'vitest';
import { kernelLayout } from './power-kernel';

describe('power kernel memory', () => {
  it('lays kernel memory out in whole lane pairs', () => {
    const L = kernelLayout(5);
    expect(L.stride).toBe(6);
    expect(L.gt).toBe(6 * 6 * 8);
    for (const k of ['gd', 'hd', 'lam', 'p', 'v', 'n', 'w', 'a', 'c', 'd'] as const) expect(L[k] % 16).toBe(0);
    expect(L.bytes).toBe(2 * 6 * 6 * 8 + 10 * 6 * 8);
  });
});
