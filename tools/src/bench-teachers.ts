import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeChannelBatch, streams, type PowerProblem } from '@rrm/core';
import { shutdownWorkers, solveWmmse, warmWmmseWorkers, wmmse } from '@rrm/teachers-wmmse';
import { fplinq, solveFplinq, warmFplinqWorkers } from '@rrm/teachers-fplinq';

/**
 * Teacher benchmarks: WMMSE-100 and FP-100 (FPLinQ power mode) from full power on the Gaussian
 * interference channel (exponential(1) power gains, σ² = 1, p_max = 1), B = 1000 samples, K = 10, 20, 50.
 *
 * Record ids (median over `repeats` timed runs after one warm-up; `samples_per_s` = throughput):
 *   wmmse100-k{10,20,50}            one thread, unit 'ms/sample' (a batch of B, divided by B)
 *   wmmse100-k{10,20,50}-auto       workers: 'auto' (all cores when the batch is large enough), 'ms/sample'
 *   fp100-…                         the same for FP
 * The backend names the engine: 'wasm-simd' (the f64x2 WebAssembly kernel of @rrm/teachers-wmmse).
 *
 * Run directly (`npx tsx tools/src/bench-teachers.ts`) it prints a table and, when python3 with NumPy
 * is available, the timing of the independent NumPy reference (tools/reference/wmmse_numpy.py, batched
 * float64, one thread) for the same shapes, with the ratio NumPy / ours (> 1: ours is faster).
 */

export interface BenchRecord {
  id: string;
  backend: string;
  median_ms: number;
  unit: string;
  samples_per_s: number;
}

export interface BenchTeachersOptions {
  readonly users?: readonly number[];
  readonly batch?: number;
  readonly iterations?: number;
  readonly repeats?: number;
  /** Also time workers: 'auto' (default true). */
  readonly parallel?: boolean;
}

type Algo = 'wmmse' | 'fp';

function gaussianProblem(batch: number, users: number, seed: number): PowerProblem {
  const rng = streams(seed).get('bench-gains');
  const g = new Float64Array(batch * users * users);
  for (let n = 0; n < g.length; n++) g[n] = -Math.log(1 - rng.uniform());
  return { channels: makeChannelBatch(g, [batch, users, users]), noise: 1, pmax: 1 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeIt(repeats: number, f: () => unknown): Promise<number> {
  await f(); // warm-up: module compilation, tier-up, worker start
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function benchTeachers(options: BenchTeachersOptions = {}): Promise<BenchRecord[]> {
  const users = options.users ?? [10, 20, 50];
  const B = options.batch ?? 1000;
  const iterations = options.iterations ?? 100;
  const repeats = options.repeats ?? 5;
  const parallel = options.parallel ?? true;
  const records: BenchRecord[] = [];
  const perSample = (id: string, backend: string, ms: number) => records.push({ id, backend, median_ms: ms / B, unit: 'ms/sample', samples_per_s: (B * 1000) / ms });

  for (const algo of ['wmmse', 'fp'] as const) {
    const name = `${algo}${iterations}`;
    const single = (problem: PowerProblem) => (algo === 'wmmse' ? wmmse(problem, { iterations }) : fplinq(problem, { iterations }));
    const auto = (problem: PowerProblem) =>
      algo === 'wmmse' ? solveWmmse(problem, { iterations, workers: 'auto' }) : solveFplinq(problem, { iterations, workers: 'auto' });
    if (parallel) await (algo === 'wmmse' ? warmWmmseWorkers : warmFplinqWorkers)(availableParallelism() - 1);
    for (const K of users) {
      const problem = gaussianProblem(B, K, K);
      const ms = await timeIt(repeats, () => single(problem));
      perSample(`${name}-k${K}`, 'wasm-simd (1 thread)', ms);
      if (parallel) {
        const msAuto = await timeIt(repeats, () => auto(problem));
        perSample(`${name}-k${K}-auto`, `wasm-simd (workers=auto, ${availableParallelism()} cores)`, msAuto);
      }
    }
  }
  return records;
}

export interface NumpyTiming {
  readonly algo: Algo;
  readonly users: number;
  readonly ms_per_1000: number;
  readonly ms_per_sample: number;
  readonly numpy: string;
}

/** Times tools/reference/wmmse_numpy.py (one thread), or returns undefined without python3 + NumPy. */
export function numpyReference(algo: Algo, users: number, batch = 1000, iterations = 100, repeats = 5): NumpyTiming | undefined {
  const script = fileURLToPath(new URL('../reference/wmmse_numpy.py', import.meta.url));
  const args = [script, 'bench', '--algo', algo, '--users', String(users), '--batch', String(batch), '--iterations', String(iterations), '--repeats', String(repeats), '--json'];
  const r = spawnSync('python3', args, { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return undefined;
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ms_per_1000: number; ms_per_sample: number; numpy: string };
    return { algo, users, ms_per_1000: j.ms_per_1000, ms_per_sample: j.ms_per_sample, numpy: j.numpy };
  } catch {
    return undefined;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
  const records = await benchTeachers();
  await shutdownWorkers();
  const numpy = new Map<string, NumpyTiming | undefined>();
  for (const algo of ['wmmse', 'fp'] as const) for (const K of [10, 20, 50]) numpy.set(`${algo}100-k${K}`, numpyReference(algo, K));
  console.log(`${pad('id', 26)}${pad('backend', 38)}${pad('median', 12)}${pad('unit', 18)}${pad('samples/s', 12)}NumPy (1 thread)   NumPy/ours`);
  for (const r of records) {
    const base = r.id.replace(/-auto$/, '');
    const ref = numpy.get(base);
    const refValue = ref === undefined ? undefined : r.unit === 'ms/sample' ? ref.ms_per_sample : ref.ms_per_1000;
    const refText = refValue === undefined ? '-' : `${refValue.toFixed(r.unit === 'ms/sample' ? 4 : 1)} ${r.unit}`;
    const ratio = refValue === undefined ? '-' : `${(refValue / r.median_ms).toFixed(2)}×`;
    const value = r.unit === 'ms/sample' ? r.median_ms.toFixed(4) : r.median_ms.toFixed(1);
    console.log(`${pad(r.id, 26)}${pad(r.backend, 38)}${pad(value, 12)}${pad(r.unit, 18)}${pad(Math.round(r.samples_per_s).toString(), 12)}${pad(refText, 19)}${ratio}`);
  }
  const anyRef = [...numpy.values()].find((x) => x !== undefined);
  console.log(anyRef ? `NumPy ${anyRef.numpy}, batched float64 (tools/reference/wmmse_numpy.py), one thread.` : 'NumPy reference: python3 with numpy not available.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
