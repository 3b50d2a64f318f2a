import { cpSync, existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ValidationError, type TrainRecord } from '@rrm/core';
import type { Executor, ExecutorEvents } from './executor';
import type { JobResult, SweepJob } from './job';
import { runState } from './run-state';

/**
 * The distributed executor: one BullMQ job per run on a Redis queue (jobId = run id, so a run is queued
 * once however many sweeps or workers ask for it), and `rrm worker` processes on any machine that train
 * them in sandboxed child processes. A training step blocks its process's event loop for a while; in a
 * sandbox that is the child's loop, and the worker's own loop stays free to renew job locks, so a busy job
 * is never taken for a stalled one. A worker that dies (SIGKILL, a lost machine) stops renewing its locks;
 * after the lock expires another worker takes the job and resumes the run from its last checkpoint.
 */
export const QUEUE_NAME = 'rrm-sweep';

export interface QueueUrl {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

const URL_FORM = 'redis://HOST:PORT[/DB] (e.g. redis://127.0.0.1:6379/0)';

export function parseQueueUrl(url: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError('--queue', URL_FORM, url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ValidationError('--queue', URL_FORM, url);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!u.hostname || !Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(db) || db < 0) throw new ValidationError('--queue', URL_FORM, url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

function connectionOf(url: QueueUrl): ConnectionOptions {
  return {
    host: url.host,
    port: url.port,
    db: url.db,
    username: url.username,
    password: url.password,
    ...(url.tls ? { tls: {} } : {}),
    // BullMQ's blocking connections must retry forever rather than fail a command.
    maxRetriesPerRequest: null,
  };
}

/** Connects once and checks the server (reachable, Redis >= 6.2) so a bad --queue fails before anything is queued or trained. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<QueueUrl> {
  const q = parseQueueUrl(url);
  const r = new Redis({
    ...(connectionOf(q) as object),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis reports the cause (ECONNREFUSED, ENOTFOUND, NOAUTH) on 'error' and rejects with "Connection is closed".
  let cause: Error | undefined;
  r.on('error', (err: Error) => (cause ??= err));
  let version: string | undefined;
  try {
    await r.connect();
    const info = await r.info('server');
    version = /redis_version:([0-9.]+)/.exec(info)?.[1];
  } catch (err) {
    const why = (cause ?? (err as Error)).message || 'connection refused';
    throw new ValidationError('--queue', `a reachable Redis server (${why}; start one with redis-server, see docs/sweeps.md)`, url);
  } finally {
    r.disconnect();
  }
  const [major, minor] = (version ?? '0.0').split('.').map(Number);
  if (major < 6 || (major === 6 && minor < 2)) throw new ValidationError('--queue', `Redis >= 6.2 (BullMQ needs it; ${url} runs ${version ?? 'an unknown version'})`, url);
  return q;
}

/** What a sandboxed run reports through job progress. */
export type QueueProgress =
  | { readonly type: 'start'; readonly host: string; readonly pid: number; readonly attempt: number }
  | { readonly type: 'epoch'; readonly host: string; readonly pid: number; readonly record: TrainRecord; readonly epochs?: number };

export interface QueueOptions {
  readonly url: string;
  /** Attempts per run (default 3), with exponential backoff from `backoffMs` (default 2000). */
  readonly attempts?: number;
  readonly backoffMs?: number;
  /** How often the sweep re-reads its jobs' states besides the event stream (default 2000 ms). */
  readonly pollMs?: number;
}

const parseResult = (v: unknown): JobResult | undefined => {
  try {
    const r = typeof v === 'string' ? JSON.parse(v) : v;
    return r && typeof r === 'object' && 'summary' in r ? (r as JobResult) : undefined;
  } catch {
    return undefined;
  }
};

async function jobLogTail(queue: Queue, id: string, n = 15): Promise<string[]> {
  try {
    const { logs } = await queue.getJobLogs(id, -n, -1);
    return logs;
  } catch {
    return [];
  }
}

/**
 * Queues every job and follows them to the end. The run folders are written by the workers at the path
 * in each job (DIR/runs/<id>): DIR must be a shared path (docs/sweeps.md); a run a worker reports finished
 * whose folder this machine cannot see is reported as failed, saying so.
 */
export function queueExecutor(opts: QueueOptions): Executor {
  return {
    async run(jobs: readonly SweepJob[], ev: ExecutorEvents, signal?: AbortSignal): Promise<void> {
      const connection = connectionOf(await checkRedis(opts.url));
      const queue = new Queue(QUEUE_NAME, { connection });
      const events = new QueueEvents(QUEUE_NAME, { connection });
      queue.on('error', () => {});
      events.on('error', () => {});
      const outstanding = new Map<string, SweepJob>();
      /** Runs queued by another sweep with another folder: copied here when done. */
      const elsewhere = new Map<string, string>();
      const failedAttempts = new Map<string, number>();
      let wake: () => void = () => {};

      const settle = (id: string) => {
        outstanding.delete(id);
        wake();
      };
      const finish = (id: string, value: unknown) => {
        const job = outstanding.get(id);
        if (!job) return;
        const result = parseResult(value);
        const other = elsewhere.get(id);
        if (other && runState(job.out).state !== 'done' && runState(other).state === 'done') cpSync(other, job.out, { recursive: true });
        const state = runState(job.out);
        if (state.state === 'done' && state.summary) ev.finished(id, { summary: state.summary, skipped: result?.skipped ?? false, host: result?.host ?? '?' });
        else
          ev.failed(
            id,
            `a worker on ${result?.host ?? 'another machine'} reported this run finished, but ${job.out} holds no finished run here: the sweep folder must be one path every worker sees (a shared mount at the same path; docs/sweeps.md)`,
            [],
          );
        settle(id);
      };
      const failFinal = async (id: string, reason: string) => {
        if (!outstanding.has(id)) return;
        const tail = await jobLogTail(queue, id);
        if (!outstanding.has(id)) return;
        ev.failed(id, reason, tail);
        settle(id);
      };
      const onFailed = async (id: string, reason: string) => {
        if (!outstanding.has(id)) return;
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        if (state === 'failed' || !job) return failFinal(id, reason);
        const attempt = job.attemptsMade;
        if ((failedAttempts.get(id) ?? 0) < attempt) {
          failedAttempts.set(id, attempt);
          ev.retrying?.(id, attempt, reason);
        }
      };

      events.on('progress', ({ jobId, data }) => {
        if (!outstanding.has(jobId)) return;
        const p = data as QueueProgress;
        if (p?.type === 'start') ev.started(jobId, { host: p.host, pid: p.pid });
        else if (p?.type === 'epoch') ev.epoch(jobId, p.record, p.epochs);
      });
      events.on('completed', ({ jobId, returnvalue }) => finish(jobId, returnvalue));
      events.on('failed', ({ jobId, failedReason }) => void onFailed(jobId, failedReason));

      try {
        await events.waitUntilReady();
        const seen = new Set<string>();
        for (const job of jobs) {
          if (seen.has(job.id)) continue;
          seen.add(job.id);
          outstanding.set(job.id, job);
          const existing = await queue.getJob(job.id);
          if (existing) {
            const state = await existing.getState();
            if (state === 'completed' || state === 'failed' || state === 'unknown') {
              // The folder is the truth: an old job of a run that is not finished here is queued again.
              await existing.remove().catch(() => {});
            } else {
              const theirs = (existing.data as SweepJob).out;
              if (theirs !== job.out) elsewhere.set(job.id, theirs);
              ev.note?.(`run ${job.id} is already on the queue (${state}${theirs !== job.out ? `, for ${theirs}` : ''}): following it`);
              continue;
            }
          }
          await queue.add('run', job, {
            jobId: job.id,
            attempts: opts.attempts ?? 3,
            backoff: { type: 'exponential', delay: opts.backoffMs ?? 2000 },
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: { age: 7 * 24 * 3600 },
          });
        }

        // Events can be missed (a reconnect, a job that finished before we subscribed): poll as well.
        const poll = async () => {
          for (const id of [...outstanding.keys()]) {
            const job = await queue.getJob(id);
            if (!job) {
              await failFinal(id, 'its job left the queue before finishing (removed by someone else?)');
              continue;
            }
            const state = await job.getState();
            if (state === 'completed') finish(id, job.returnvalue);
            else if (state === 'failed') await failFinal(id, job.failedReason ?? 'failed');
          }
        };
        while (outstanding.size > 0 && !signal?.aborted) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, opts.pollMs ?? 2000);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
            signal?.addEventListener('abort', wake, { once: true });
          });
          if (outstanding.size > 0 && !signal?.aborted) await poll();
        }
        if (signal?.aborted && outstanding.size > 0) {
          // Stopped: runs not yet started leave the queue; runs in progress finish on their workers.
          let removed = 0;
          let active = 0;
          for (const [id, job] of outstanding) {
            const j = await queue.getJob(id);
            if (!j || (j.data as SweepJob).token !== job.token) continue;
            const state = await j.getState();
            if (state === 'active') active++;
            else if (state !== 'completed' && state !== 'failed') {
              await j.remove().catch(() => {});
              removed++;
            }
          }
          ev.note?.(`stopped: ${removed} queued run${removed === 1 ? '' : 's'} taken off the queue; ${active} running on workers will finish there (run the sweep again to collect them)`);
        }
      } finally {
        await events.close().catch(() => {});
        await queue.close().catch(() => {});
      }
    },
  };
}

export interface WorkerOptions {
  readonly url: string;
  /** Runs at once in this worker, each in its own sandboxed process (default 1). */
  readonly concurrency?: number;
  /** Job lock lifetime (default 30 s; renewed every half of it): how soon a dead worker's run moves on. */
  readonly lockSeconds?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** The sandboxed processor module (default queue-processor.mjs). */
  readonly processor?: string;
}

export const DEFAULT_PROCESSOR = fileURLToPath(new URL('./queue-processor.mjs', import.meta.url));

/** `rrm worker`: takes runs from the queue until stopped; a stop lets the running runs finish. */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const connection = connectionOf(await checkRedis(opts.url));
  const log = opts.log ?? (() => {});
  const lockDuration = Math.round((opts.lockSeconds ?? 30) * 1000);
  const name = `${hostname()}:${process.pid}`;
  const worker = new Worker(QUEUE_NAME, opts.processor ?? DEFAULT_PROCESSOR, {
    connection,
    concurrency: opts.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    maxStalledCount: 2,
    name,
    useWorkerThreads: false,
  });
  worker.on('active', (job: Job) => log(`run ${job.id} started (attempt ${Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1)}): ${(job.data as SweepJob).label}`));
  worker.on('completed', (job: Job) => {
    const r = parseResult(job.returnvalue);
    log(`run ${job.id} ${r?.skipped ? 'was already finished' : r?.summary.status ?? 'finished'}: ${(job.data as SweepJob).label}`);
  });
  worker.on('failed', (job: Job | undefined, err: Error) => log(`run ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message.split('\n')[0]}`));
  worker.on('error', (err: Error) => log(`worker error: ${err.message}`));
  await worker.waitUntilReady();
  log(`worker ${name} on ${opts.url}, queue ${QUEUE_NAME}, concurrency ${opts.concurrency ?? 1}`);
  await new Promise<void>((resolve) => {
    if (opts.signal?.aborted) resolve();
    opts.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  log('stopping: taking no new runs; waiting for the running ones to finish (again to stop now: they resume on another worker)');
  await worker.close();
}

/**
 * Removes the .lock of a run folder left by this job's previous attempt on another machine, which the
 * queue gave up on (its worker stopped renewing the job's lock: dead or cut off). Used by the sandboxed
 * processor; a lock held by anyone else stays.
 */
export function clearStaleLock(out: string, previous: { host?: string; pid?: number } | undefined, lockHolder: { host: string; pid: number } | undefined): boolean {
  if (!previous || !lockHolder) return false;
  if (previous.host !== lockHolder.host || previous.pid !== lockHolder.pid) return false;
  // On this host the pipeline's own lock already tells a dead holder from a live one.
  if (previous.host === hostname()) return false;
  const lock = join(out, '.lock');
  if (!existsSync(lock)) return false;
  rmSync(lock, { force: true });
  return true;
}
