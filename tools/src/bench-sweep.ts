/**
 * Sweep executors (`npx tsx tools/src/bench-sweep.ts [--runs N] [--gnn-runs 16] [--gnn-train 2000] [--skip-gnn]`):
 *   1. per-run overhead of the local pool: N near-empty runs (K = 5, 25 samples, 1 epoch) in the pool with one
 *      process, against the same runs trained in this process (the run's own work);
 *   2. the same for BullMQ: a private redis-server, one in-process `rrm worker` (sandboxed processor);
 *   3. a 16-run GNN sweep (K = 10) with 1 and with 2 local workers: the speed-up of the pool on this machine.
 * Prints a Markdown table. Needs redis-server for (2) (tools/scripts/install-redis.sh).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { resolveConfig, runTraining } from '@rrm/pipeline';
import { planSweep, runSweep, runWorker, startRedisServer } from '@rrm/sweep';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const flag = (name: string) => process.argv.includes(`--${name}`);

const root = mkdtempSync(join(tmpdir(), 'rrm-bench-sweep-'));
const cache = join(root, 'cache');

function sweepFile(name: string, base: Record<string, unknown>, seeds: number): string {
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, stringify({ name, base: { ...base, cache }, grid: { 'distill.beta.kind': ['none'] }, seeds }));
  return file;
}

const tinyBase = {
  scenario: { users: 5 },
  data: { train: 25, test: 25 },
  model: { kind: 'mlp', hidden: [8] },
  teacher: { kind: 'wmmse', iterations: 10 },
  trainer: { kind: 'unsupervised', epochs: 1, batch: 25 },
};

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

interface Row {
  what: string;
  runs: number;
  seconds: number;
  perRun: number;
  note: string;
}
const rows: Row[] = [];

async function main(): Promise<void> {
  const n = arg('runs', 12);

  // The runs' own work, in this process (warm: backend initialised, labels cached by the first run).
  const file = sweepFile('overhead', tinyBase, n);
  const plan = await planSweep({ file, out: join(root, 'inproc') });
  await runTraining(resolveConfig({ ...tinyBase, cache }), { out: join(root, 'warm') });
  const [, inproc] = await timed(async () => {
    for (const r of plan.runs) await runTraining(r.config, { out: r.out });
  });
  rows.push({ what: 'runTraining in one process (the work itself)', runs: n, seconds: inproc, perRun: inproc / n, note: 'baseline' });

  const [, pool] = await timed(() => runSweep({ file, out: join(root, 'pool'), workers: 1 }));
  rows.push({ what: 'local pool, 1 process at a time', runs: n, seconds: pool, perRun: pool / n, note: `overhead ${((pool - inproc) / n).toFixed(2)} s/run (a fresh process: tsx, tfjs, wasm)` });

  try {
    const redis = await startRedisServer();
    const stop = new AbortController();
    const worker = runWorker({ url: redis.url, concurrency: 1, signal: stop.signal });
    try {
      const [, queued] = await timed(() => runSweep({ file, out: join(root, 'queue'), queue: redis.url }));
      rows.push({ what: 'BullMQ, 1 worker (concurrency 1)', runs: n, seconds: queued, perRun: queued / n, note: `overhead ${((queued - inproc) / n).toFixed(2)} s/run (sandbox process reused)` });
    } finally {
      stop.abort();
      await worker;
      await redis.stop();
    }
  } catch (err) {
    rows.push({ what: 'BullMQ, 1 worker', runs: 0, seconds: NaN, perRun: NaN, note: `not measured: ${(err as Error).message.split('\n')[0]}` });
  }

  if (!flag('skip-gnn')) {
    const gnnRuns = arg('gnn-runs', 16);
    const gnnBase = {
      scenario: { users: 10 },
      data: { train: arg('gnn-train', 2000), test: 200 },
      model: { kind: 'gnn' },
      teacher: { kind: 'fplinq', iterations: 50 },
      trainer: { kind: 'unsupervised', epochs: arg('gnn-epochs', 3), batch: 64 },
    };
    const gnn = sweepFile('gnn16', gnnBase, gnnRuns);
    // Reference labels first (1-epoch runs of the same data): both timed sweeps read them from the cache, as a sweep's later runs do.
    const warm = { ...gnnBase, trainer: { ...gnnBase.trainer, epochs: 1 } };
    await runSweep({ file: sweepFile('gnn-warm', warm, gnnRuns), out: join(root, 'gnn-warm'), workers: availableParallelism() });
    const [, one] = await timed(() => runSweep({ file: gnn, out: join(root, 'gnn-1'), workers: 1 }));
    rows.push({ what: `GNN K=10 sweep, 1 local worker`, runs: gnnRuns, seconds: one, perRun: one / gnnRuns, note: '' });
    const [, two] = await timed(() => runSweep({ file: gnn, out: join(root, 'gnn-2'), workers: 2 }));
    rows.push({ what: `GNN K=10 sweep, 2 local workers`, runs: gnnRuns, seconds: two, perRun: two / gnnRuns, note: `speed-up ${(one / two).toFixed(2)}× on ${availableParallelism()} cores` });
  }

  console.log(`\n| executor | runs | wall s | s per run | note |\n|---|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.what} | ${r.runs} | ${r.seconds.toFixed(1)} | ${r.perRun.toFixed(2)} | ${r.note} |`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
