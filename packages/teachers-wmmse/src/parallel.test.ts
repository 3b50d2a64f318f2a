import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError, iterativeSchema, runParallel, shutdownWorkers, warmWorkers, workerPoolInfo } from '@rrm/core';
import { binaryPower, solveBinary } from './baselines';
import { solveWmmse, wmmse, wmmseChunk } from './wmmse';
import { gaussianIC, maxAbsDiff, problemOf, uniformWeights } from './test-utils';

afterAll(async () => {
  await shutdownWorkers();
});

describe("WMMSE and binary on core's worker pool (worker_threads)", () => {
  it('gives results identical to one thread, with random restarts', async () => {
    const B = 96;
    const K = 8;
    const problem = problemOf(gaussianIC(B, K, 71, uniformWeights(B, K, 72)));
    const options = { init: 'random' as const, restarts: 3, seed: 4, iterations: 50 };
    expect(await warmWorkers(1, new URL('./wmmse.ts', import.meta.url).href)).toBe(true);
    const one = await solveWmmse(problem, { ...options, workers: 1 });
    const two = await solveWmmse(problem, { ...options, workers: 2 });
    expect(workerPoolInfo().lastRun.threads).toBe(2);
    expect(workerPoolInfo().lastRun.remoteChunks).toBeGreaterThan(0); // the worker really computed some chunks
    expect(maxAbsDiff(one, two)).toBe(0);
    expect(maxAbsDiff(one, wmmse(problem, options).powers)).toBe(0);
  });

  it('reports progress per chunk, monotone up to B, without changing the results', async () => {
    const B = 64;
    const problem = problemOf(gaussianIC(B, 6, 81, uniformWeights(B, 6, 82)));
    const options = { init: 'random' as const, restarts: 2, seed: 9, iterations: 30 };
    const plain = await solveWmmse(problem, { ...options, workers: 1 });
    for (const workers of [1, 2]) {
      const seen: number[] = [];
      const watched = await solveWmmse({ ...problem, onProgress: (done, total) => (expect(total).toBe(B), seen.push(done)) }, { ...options, workers });
      expect(maxAbsDiff(watched, plain)).toBe(0);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.every((v, i) => i === 0 || v > seen[i - 1])).toBe(true);
      expect(seen[seen.length - 1]).toBe(B);
    }
  });

  it("init: 'given' and binary search split across threads identically", async () => {
    const B = 40;
    const K = 6;
    const channels = gaussianIC(B, K, 81);
    const init = new Float64Array(B * K).map((_, n) => ((n * 7) % 10) / 10);
    const problem = problemOf(channels, { init });
    const one = wmmse(problem, { init: 'given' }).powers;
    expect(maxAbsDiff(one, await solveWmmse(problem, { init: 'given', workers: 2 }))).toBe(0);
    expect(await warmWorkers(1, new URL('./baselines.ts', import.meta.url).href)).toBe(true);
    expect(maxAbsDiff(binaryPower(problem).powers, await solveBinary(problem, { workers: 2 }))).toBe(0);
  });

  it('propagates a failure inside a worker', async () => {
    const module = new URL('./wmmse.ts', import.meta.url).href;
    expect(await warmWorkers(1, module)).toBe(true);
    const problem = problemOf(gaussianIC(16, 4, 1));
    const request = { problem, options: iterativeSchema.parse({}), threads: 2, module, local: wmmseChunk };
    await expect(runParallel({ ...request, fn: 'noSuchFunction' })).rejects.toThrow(/no exported function 'noSuchFunction'/);
    // The pool is still usable afterwards.
    expect(maxAbsDiff(await runParallel({ ...request, fn: 'wmmseChunk' }), wmmse(problem).powers)).toBe(0);
  });

  it('a ValidationError thrown in a worker arrives as a ValidationError with its field', async () => {
    const module = new URL('./baselines.ts', import.meta.url).href;
    expect(await warmWorkers(1, module)).toBe(true);
    // K = 21 is beyond the exhaustive search's limit; only the worker runs binaryChunk (the main thread's
    // stand-in returns zeros), so the error can only come from the worker.
    const problem = problemOf(gaussianIC(4, 21, 2));
    const local = () => new Float64Array(0);
    const err = await runParallel({ problem, options: {}, threads: 2, module, fn: 'binaryChunk', local, chunksPerThread: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('problem.channels.users');
  });
});
