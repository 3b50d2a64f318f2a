import { describe, expect, it } from 'vitest';
import { parseOptions, strictOptions } from './schema';
import { AUTO_PARALLEL_MIN_WORK, chooseWorkers, sliceProblem, workersOption } from './worker-pool';

// The pool running real teachers (results identical to one thread, progress, failures in workers) is tested
// with WMMSE and binary in @rrm/teachers-wmmse and with FPLinQ in @rrm/teachers-fplinq.
describe('worker pool', () => {
  it('chooses threads: integers as given (at most B), auto by the amount of work', () => {
    expect(chooseWorkers(1, 1e12, 100)).toBe(1);
    expect(chooseWorkers(4, 1, 3)).toBe(3);
    expect(chooseWorkers('auto', AUTO_PARALLEL_MIN_WORK - 1, 1000)).toBe(1);
    expect(chooseWorkers('auto', AUTO_PARALLEL_MIN_WORK, 1000)).toBeGreaterThanOrEqual(1);
    const workers = (value: unknown) => parseOptions(strictOptions({ workers: workersOption }), { workers: value }, 'teacher').workers;
    expect(workers(undefined)).toBe('auto');
    expect(() => workers(0)).toThrow(/teacher\.workers/);
    expect(() => workers('many')).toThrow(/teacher\.workers/);
  });

  it('slices problems into independent chunks', () => {
    const B = 5;
    const K = 3;
    const channels = { batch: B, users: K, gains: Float64Array.from({ length: B * K * K }, (_, n) => n + 1), weights: Float64Array.from({ length: B * K }, (_, n) => n / 20) };
    const problem = { channels, noise: 1, pmax: 1, init: new Float64Array(B * K).fill(0.5), weights: new Float64Array(K).fill(2) };
    const s = sliceProblem(problem, 1, 3);
    expect(s.channels.batch).toBe(2);
    expect(Array.from(s.channels.gains)).toEqual(Array.from(problem.channels.gains.subarray(K * K, 3 * K * K)));
    expect(Array.from(s.channels.weights ?? [])).toEqual(Array.from((problem.channels.weights as Float64Array).subarray(K, 3 * K)));
    expect(s.init?.length).toBe(2 * K);
    expect(s.weights?.length).toBe(K);
    expect(s.channels.gains.buffer).not.toBe(problem.channels.gains.buffer);
  });
});
