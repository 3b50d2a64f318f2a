import { describe, expect, it } from 'vitest';
import { SweepProgress, formatDuration } from './progress';

describe('sweep progress', () => {
  it('counts runs and estimates the time left from finished runs and the pool size', () => {
    let t = 0;
    const p = new SweepProgress(6, 1, 2, () => t);
    expect(p.line()).toContain('runs 1/6 done');
    p.start('a', 'x=1 seed=0');
    p.start('b', 'x=1 seed=1');
    expect(p.eta()).toBeUndefined();
    t = 5;
    p.epoch('a', 1, 2);
    // before any run finishes: a's rate (5 s for half) → 10 s per run
    expect(p.eta()).toBeCloseTo(((3 + 0.5 + 1) * 10) / 2, 6);
    t = 10;
    p.finish('a', 'done');
    p.finish('b', 'failed');
    expect(p.done).toBe(2);
    expect(p.failed).toBe(1);
    // 3 queued runs of 10 s on 2 workers
    expect(p.eta()).toBeCloseTo(15, 6);
    p.start('c', 'x=2 seed=0');
    p.epoch('c', 0, 2);
    expect(p.line()).toMatch(/runs 2\/6 done · 1 running · 1 failed · ETA \d+s \| c epoch 0\/2/);
  });

  it('formats durations', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(7260)).toBe('2h01m');
  });
});
