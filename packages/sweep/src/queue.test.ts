import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { ValidationError } from '@rrm/core';
import { readRunSummary } from '@rrm/pipeline';
import type { ExecutorEvents } from './executor';
import { ensureSweepMarker, runJob, type SweepJob } from './job';
import { planSweep } from './plan';
import { QUEUE_NAME, checkRedis, parseQueueUrl, queueExecutor } from './queue';
import { freePort, startRedisServer, type RedisServer } from './redis-server';
import { runSweep, type SweepEvent } from './sweep';
import { spawnRrm, tempDir, tinySweep, waitFor, type Spawned } from './testing/fixtures';

const epochsOf = (out: string) =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).epoch as number);

describe('queue URLs and Redis checks', () => {
  it('parses redis://HOST:PORT[/DB] and rejects other forms naming --queue', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6390/2')).toEqual({ host: '127.0.0.1', port: 6390, db: 2, tls: false });
    expect(parseQueueUrl('redis://h')).toMatchObject({ host: 'h', port: 6379, db: 0 });
    expect(parseQueueUrl('redis://:secret@h:1/0')).toMatchObject({ password: 'secret' });
    for (const bad of ['localhost:6379', 'http://h:1', 'redis://h:1/x', 'redis://h:99999']) expect(() => parseQueueUrl(bad)).toThrow(/^--queue: expected redis:\/\/HOST:PORT\[\/DB\]/);
  });

  it('an unreachable Redis is a clear error before anything is queued or written', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}/0`;
    await expect(checkRedis(url, 1000)).rejects.toThrow(new RegExp(`^--queue: expected a reachable Redis server .*got "${url}"`));
    const dir = tempDir();
    const err = await runSweep({ file: tinySweep(dir), out: join(dir, 'out'), queue: url }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const worker = spawnRrm(['worker', '--queue', url]);
    expect((await worker.exited).code).toBe(2);
    expect(worker.stderr).toMatch(/^rrm: --queue: expected a reachable Redis server/m);
  });
});

describe('a sweep on BullMQ (redis-server of its own, two `rrm worker` processes)', () => {
  let redis: RedisServer;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    // Fails with the reason (install it with tools/scripts/install-redis.sh) when redis-server is missing.
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await redis?.stop();
  });

  it('a worker SIGKILLed while it holds a job loses nothing: the run resumes on the other worker; every run appears exactly once, no folder half-written', async () => {
    const startWorker = () => {
      const w = spawnRrm(['worker', '--queue', redis.url, '--lock-seconds', '3']);
      workers.push(w);
      return w;
    };
    const a = startWorker();
    const b = startWorker();
    await waitFor('both workers to connect', () => a.stderr.includes('concurrency 1') && b.stderr.includes('concurrency 1'));

    const dir = tempDir();
    const out = join(dir, 'out');
    // 4 epochs of 1000 samples: long enough to kill a worker in the middle of a run.
    const file = tinySweep(dir, { epochs: 4, train: 1000 });
    const events: SweepEvent[] = [];
    const sweep = runSweep({ file, out, queue: redis.url, onEvent: (e) => events.push(e) });

    // Kill worker A while it holds a job whose run has started writing its folder.
    const queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueUrl(redis.url), maxRetriesPerRequest: null } });
    const victim = await waitFor('worker A to hold a job mid-run', async () => {
      for (const job of await queue.getActive()) {
        const data = job.data as SweepJob;
        if (job.processedBy === `${hostname()}:${a.child.pid}` && existsSync(join(data.out, 'metrics.jsonl')) && epochsOf(data.out).includes(1)) return data;
      }
      return undefined;
    });
    a.child.kill('SIGKILL');
    await a.exited;

    const r = await sweep;
    await queue.close();
    expect(r.counts).toEqual({ done: 6, running: 0, interrupted: 0, failed: 0, pending: 0 });
    // Exactly once: 6 rows, 6 distinct ids, all done.
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csv).toHaveLength(6);
    expect(new Set(csv.map((l) => l.split(',')[2])).size).toBe(6);
    expect(csv.map((l) => l.split(',')[3])).toEqual(Array(6).fill('done'));
    expect(readdirSync(join(out, 'runs')).sort()).toEqual(r.plan.runs.map((x) => x.id).sort());
    for (const run of r.plan.runs) {
      expect(readRunSummary(run.out)).toMatchObject({ status: 'completed', epochs: 4 });
      expect(epochsOf(run.out)).toEqual([0, 1, 2, 3, 4]);
      expect(readdirSync(run.out).filter((f) => f === '.lock' || f.endsWith('.tmp'))).toEqual([]);
    }
    // The killed run: two attempts, the second on worker B resuming from the checkpoint.
    const log = readFileSync(join(out, 'logs', `${victim.id}.log`), 'utf8');
    expect(log).toContain('attempt 1');
    expect(log).toMatch(/attempt 2[\s\S]*resuming/);
    expect(events.some((e) => e.type === 'started' && e.run.id === victim.id)).toBe(true);
    expect(events.filter((e) => e.type === 'finished').map((e) => (e as { run: { id: string } }).run.id).sort()).toEqual(r.plan.runs.map((x) => x.id).sort());

    // A rerun queues nothing: all six are done.
    const again = await runSweep({ file, out, queue: redis.url });
    expect(again.started).toBe(0);
  });

  it('a worker that does not see the sweep folder at the same path fails the run saying so (run folders travel through a shared path)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'elsewhere'));
    const plan = await planSweep({ file: tinySweep(dir, { seeds: 1, grid: { 'distill.beta.kind': ['none'] } }), out: join(dir, 'out') });
    const run = plan.runs[0];
    // The job names a DIR this machine does not have (as a worker on another machine without the mount).
    const job: SweepJob = { id: run.id, label: run.label, config: run.config, out: join(dir, 'not-mounted', 'runs', run.id), dir: join(dir, 'not-mounted'), token: 'abc' };
    const failures: string[] = [];
    const events: ExecutorEvents = { started() {}, epoch() {}, finished() {}, failed: (_id, message) => void failures.push(message) };
    await queueExecutor({ url: redis.url, attempts: 1 }).run([job], events);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/sweep folder: expected the sweep's folder at the same path on this worker .*mount the sweep's --out there/);
    // And directly: a folder of another sweep at that path is refused too.
    const other = join(dir, 'other');
    ensureSweepMarker(other, 'another-sweep');
    await expect(runJob({ ...job, dir: other, out: join(other, 'runs', run.id) })).rejects.toThrow(/holds another sweep, another-sweep/);
  });
});
