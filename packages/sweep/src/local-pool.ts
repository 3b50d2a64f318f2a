import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Executor, ExecutorEvents } from './executor';
import type { JobResult, SweepJob } from './job';
import type { FromChild, ToChild } from './messages';

export interface LocalPoolOptions {
  /** Runs at once (default: one per core). */
  readonly workers?: number;
  /** The module each run process executes (default: run-child.mjs; tests pass a fake). */
  readonly jobModule?: string;
  /** Log lines kept for a failure report (default 15). */
  readonly tailLines?: number;
}

export const DEFAULT_JOB_MODULE = fileURLToPath(new URL('./run-child.mjs', import.meta.url));

/** DIR/logs/<id>.log: everything a run's process printed or logged, appended across attempts. */
export const runLogPath = (job: SweepJob) => join(job.dir, 'logs', `${job.id}.log`);

/** Keeps the last `n` lines of a stream of text chunks. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly n: number) {}

  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const l of parts) this.add(l);
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.n) this.lines.shift();
  }

  get(): string[] {
    return this.partial ? [...this.lines, this.partial].slice(-this.n) : [...this.lines];
  }
}

/**
 * The default executor: a pool of child processes on this machine, one run per process, so a crash or an
 * out-of-memory kill ends one run and the sweep goes on. A stop (Ctrl-C) starts nothing more and asks each
 * running process to stop after its current step; their folders stay valid and the next sweep resumes them.
 */
export function localPool(opts: LocalPoolOptions = {}): Executor {
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const jobModule = opts.jobModule ?? DEFAULT_JOB_MODULE;
  const tailLines = opts.tailLines ?? 15;
  return {
    run(jobs: readonly SweepJob[], ev: ExecutorEvents, signal?: AbortSignal): Promise<void> {
      const seen = new Set<string>();
      const queue = jobs.filter((j) => (seen.has(j.id) ? false : (seen.add(j.id), true)));
      const running = new Map<string, ChildProcess>();
      let stopped = signal?.aborted ?? false;
      return new Promise<void>((resolve) => {
        const next = () => {
          while (!stopped && running.size < workers && queue.length > 0) start(queue.shift()!);
          if (running.size === 0 && (stopped || queue.length === 0)) {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          }
        };
        const send = (child: ChildProcess, m: ToChild) => {
          if (child.connected) child.send(m, (err) => void err);
        };
        const onAbort = () => {
          stopped = true;
          for (const child of running.values()) send(child, { type: 'stop' });
          next();
        };
        signal?.addEventListener('abort', onAbort);

        const start = (job: SweepJob) => {
          mkdirSync(join(job.dir, 'logs'), { recursive: true });
          const log = createWriteStream(runLogPath(job), { flags: 'a' });
          const tail = new LineTail(tailLines);
          log.write(`=== ${new Date().toISOString()} ${job.label} (run ${job.id}) on ${hostname()}\n`);
          const child = fork(jobModule, [], {
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
            // Only memory limits pass through: a test runner's or loader's flags do not belong to a run.
            execArgv: process.execArgv.filter((a) => a.startsWith('--max-old-space-size')),
          });
          running.set(job.id, child);
          let result: JobResult | undefined;
          let error: string | undefined;
          const output = (chunk: Buffer) => {
            const text = chunk.toString('utf8');
            log.write(text);
            tail.push(text);
          };
          child.stdout?.on('data', output);
          child.stderr?.on('data', output);
          child.on('spawn', () => ev.started(job.id, { host: hostname(), pid: child.pid }));
          child.on('message', (m: FromChild) => {
            if (m.type === 'epoch') ev.epoch(job.id, m.record, m.epochs);
            else if (m.type === 'log') {
              log.write(m.line + '\n');
              tail.add(m.line);
            } else if (m.type === 'result') result = m.result;
            else if (m.type === 'error') {
              error = m.message;
              log.write(m.message + '\n');
            }
          });
          child.on('error', (err) => {
            error ??= `could not start the run's process: ${err.message}`;
          });
          child.on('exit', (code, sig) => {
            running.delete(job.id);
            log.end(`=== exit ${sig ?? code}\n`);
            if (result) ev.finished(job.id, result);
            else if (stopped) ev.stopped?.(job.id);
            else {
              const how = sig ? `was killed by ${sig}${sig === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`;
              ev.failed(job.id, error ?? `the run's process ${how} before reporting a result`, tail.get());
            }
            next();
          });
          send(child, { type: 'run', job });
        };
        next();
      });
    },
  };
}
