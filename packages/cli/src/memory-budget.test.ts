import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, readNpy, streams, type Registry } from '@rrm/core';
import { builtinRegistry, resolveConfig, runTraining } from '@rrm/pipeline';
import { evaluateRun, predictRun } from './pipeline/evaluate-run';
import { WASM_HEAP_LIMIT, parseBytes, planChunks, resolveMemoryBudget } from './memory-budget';

/**
 * Any size: inference runs in chunks sized by a memory budget from the model's bytes per sample at the
 * file's K (not a fixed 1 024 samples), and a chunk that cannot fit is refused before it is allocated.
 */
const dir = () => mkdtempSync(join(tmpdir(), 'rrm-mem-'));

let registry: Registry;
let run: string;
let k200: string;

beforeAll(async () => {
  registry = builtinRegistry();
  run = join(dir(), 'uwgnn');
  const config = resolveConfig(undefined, [
    ['scenario.users', 4],
    ['data.train', 32],
    ['data.test', 16],
    ['model.kind', 'uwgnn'],
    ['trainer.epochs', 1],
    ['trainer.batch', 16],
    ['reference.iterations', 20],
    ['cache', dir()],
  ]);
  await runTraining(config, { registry, out: run });
  // K = 200, 5 samples: a UWGNN needs ≈ 30 MB of tensors per sample at this K.
  const gains = registry.create('channel', { kind: 'rayleigh' }).generate({ batch: 5, users: 200, rng: streams(7).get('channels') }).gains;
  k200 = join(dir(), 'k200.npy');
  writeFileSync(k200, encodeNpy(Float32Array.from(gains), [5, 200, 200]));
});

afterEach(() => {
  delete process.env.RRM_MEMORY_BUDGET;
});

describe('inference chunked by a memory budget', () => {
  it('K = 200 at a reduced budget runs in several chunks with results equal to the unchunked run', async () => {
    const input = { channels: k200 };
    const whole = await evaluateRun({ registry, run, input, memoryBudget: '4G' });
    expect(whole.chunks).toBe(1);
    const chunked = await evaluateRun({ registry, run, input, memoryBudget: '12M' });
    expect(chunked.chunks).toBeGreaterThan(1);
    expect(chunked.chunkSamples).toBeLessThan(5);
    expect(chunked.samples).toBe(5);
    expect(chunked.mean).toBe(whole.mean);
    expect(chunked.std).toBe(whole.std);
    expect(chunked.wmmse).toBe(whole.wmmse);
    // The budget also comes from RRM_MEMORY_BUDGET; predict chunks the same way and writes the same powers.
    const d = dir();
    await predictRun({ registry, run, input, out: join(d, 'whole.npy'), memoryBudget: '4G' });
    process.env.RRM_MEMORY_BUDGET = '12M';
    const p = await predictRun({ registry, run, input, out: join(d, 'chunked.npy') });
    expect(p.chunks).toBe(chunked.chunks);
    expect(readNpy(join(d, 'chunked.npy')).data).toEqual(readNpy(join(d, 'whole.npy')).data);
  });

  it('a budget below one sample is refused before any work, naming what one sample needs', async () => {
    const out = join(dir(), 'p.npy');
    await expect(predictRun({ registry, run, input: { channels: k200 }, out, memoryBudget: '2M' })).rejects.toThrow(
      /memory budget: expected at least [\d.]+ MiB for one sample of uwgnn inference at K = 200/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('chunk plans', () => {
  it('cap a wasm chunk at half the 4 GiB heap and refuse a sample that cannot fit it', () => {
    const base = { what: 'x at K = 9000', batch: 100, budget: 64 * 2 ** 30, hostBytesPerSample: 1 };
    expect(planChunks({ ...base, deviceBytesPerSample: 2 ** 28, backend: 'wasm' }).samples).toBe(7);
    expect(planChunks({ ...base, deviceBytesPerSample: 2 ** 28, backend: 'cpu' }).samples).toBe(100);
    expect(() => planChunks({ ...base, deviceBytesPerSample: WASM_HEAP_LIMIT, backend: 'wasm' })).toThrow(/backend wasm: expected a sample of x at K = 9000 that fits its/);
    expect(planChunks({ ...base, deviceBytesPerSample: 10, chunkSamples: 3 })).toMatchObject({ samples: 3, chunks: 34 });
  });

  it('parse sizes and take the flag before the environment', () => {
    expect(parseBytes('f', '512M')).toBe(512e6);
    expect(parseBytes('f', '1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('f', '1000')).toBe(1000);
    expect(() => parseBytes('--memory-budget', 'lots')).toThrow(/--memory-budget: expected a size in bytes/);
    expect(resolveMemoryBudget('2G', { RRM_MEMORY_BUDGET: '1G' })).toBe(2e9);
    expect(resolveMemoryBudget(undefined, { RRM_MEMORY_BUDGET: '1G' })).toBe(1e9);
    expect(resolveMemoryBudget(undefined, {})).toBeGreaterThanOrEqual(2 ** 27);
  });
});
