import type { TrainRecord } from '@rrm/core';
import type { JobResult, SweepJob } from './job';

/** The local pool's IPC protocol between the sweep (parent) and a run's process (child). */
export type ToChild = { readonly type: 'run'; readonly job: SweepJob } | { readonly type: 'stop' };

export type FromChild =
  | { readonly type: 'epoch'; readonly record: TrainRecord; readonly epochs?: number }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'result'; readonly result: JobResult }
  | { readonly type: 'error'; readonly message: string };
