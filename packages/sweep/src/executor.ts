import type { TrainRecord } from '@rrm/core';
import type { JobResult, SweepJob } from './job';

/** What an executor reports as runs progress; the sweep turns it into tables and the progress display. */
export interface ExecutorEvents {
  started(id: string, where: { readonly host?: string; readonly pid?: number }): void;
  epoch(id: string, record: TrainRecord, epochs: number | undefined): void;
  /** The run's process ended with a summary: completed, stopped early, or interrupted (Ctrl-C). */
  finished(id: string, result: JobResult): void;
  /** The run failed for good (after any retries): the error and the last lines of its log. */
  failed(id: string, message: string, logTail: readonly string[]): void;
  /** A run stopped (the sweep was stopped) before it reported anything: its folder says where it stands. */
  stopped?(id: string): void;
  /** A distributed run failed one attempt and will be tried again. */
  retrying?(id: string, attempt: number, message: string): void;
  /** Anything else worth a line (a run waiting on another sweep's job, jobs left on the queue). */
  note?(line: string): void;
}

export interface Executor {
  /** Runs every job (each id once); resolves when all are finished or failed, or after `signal` stops them. */
  run(jobs: readonly SweepJob[], events: ExecutorEvents, signal?: AbortSignal): Promise<void>;
}
