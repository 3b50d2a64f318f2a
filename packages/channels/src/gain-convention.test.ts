import { describe, expect, it } from 'vitest';
import { ValidationError, streams } from '@rrm/core';
import { createRayleigh } from './rayleigh';
import { createRician } from './rician';

/** `gain: amplitude` (the AD paper's |h|-as-power-gain convention) against the default |h|². */
describe('channel gain convention', () => {
  const rng = () => streams(3).get('gain-test');

  it('amplitude gains are the square roots of the power gains of the same draw (all models, link removal after)', () => {
    for (const make of [createRayleigh, createRician]) {
      const power = make({ variance: 2, etaLc: 0.3 }).generate({ batch: 4, users: 6, rng: rng() });
      const amp = make({ variance: 2, etaLc: 0.3, gain: 'amplitude' }).generate({ batch: 4, users: 6, rng: rng() });
      for (let n = 0; n < power.gains.length; n++) expect(amp.gains[n]).toBeCloseTo(Math.sqrt(power.gains[n]), 14);
    }
  });

  it('Rayleigh |h| has mean √(πv)/2 (the Rayleigh distribution with E|h|² = v)', () => {
    const v = 1.7;
    const { gains } = createRayleigh({ variance: v, gain: 'amplitude' }).generate({ batch: 50, users: 20, rng: rng() });
    const mean = gains.reduce((a, b) => a + b, 0) / gains.length;
    // Var|h| = v(1 − π/4); 4σ of the sample mean.
    const sd = Math.sqrt(v * (1 - Math.PI / 4) / gains.length);
    expect(Math.abs(mean - Math.sqrt(Math.PI * v) / 2)).toBeLessThan(4 * sd);
  });

  it('rejects an unknown convention naming the field', () => {
    expect(() => createRayleigh({ gain: 'dB' })).toThrow(ValidationError);
    expect(() => createRayleigh({ gain: 'dB' })).toThrow(/channel\.gain.*amplitude/);
  });
});
