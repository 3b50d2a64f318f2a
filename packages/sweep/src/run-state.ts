import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '@rrm/core';
import { join } from 'node:path';
import { RunFolder, readRunSummary, type RunSummary } from '@rrm/pipeline';

/** Where a sweep's run stands, from its folder alone (the folder is the truth; tables and queues follow it). */
export type RunState = 'done' | 'interrupted' | 'failed' | 'running' | 'pending';

export interface RunStateInfo {
  readonly state: RunState;
  readonly summary?: RunSummary;
  /** Why the run failed, when a sweep recorded its failure (a run can fail before it writes a summary). */
  readonly failure?: RunFailure;
  /** Who writes the folder now (state 'running'). */
  readonly holder?: { readonly pid: number; readonly host: string; readonly started: string };
}

/** DIR/failures/<id>.json: written by the sweep when a run fails for good, removed when the run starts again. */
export interface RunFailure {
  readonly message: string;
  readonly time: string;
}

const failurePath = (dir: string, id: string) => join(dir, 'failures', `${id}.json`);

export function recordFailure(dir: string, id: string, message: string): void {
  writeFileAtomic(failurePath(dir, id), JSON.stringify({ message, time: new Date().toISOString() } satisfies RunFailure, null, 2) + '\n');
}

export function clearFailure(dir: string, id: string): void {
  rmSync(failurePath(dir, id), { force: true });
}

export function readFailure(dir: string, id: string): RunFailure | undefined {
  try {
    return JSON.parse(readFileSync(failurePath(dir, id), 'utf8'));
  } catch {
    return undefined;
  }
}

/** A run's state in a sweep folder: its run folder's, or 'failed' where the sweep recorded a failure the folder cannot show. */
export function sweepRunState(dir: string, id: string, out: string): RunStateInfo {
  const s = runState(out);
  if (s.state === 'done' || s.state === 'running') return s;
  const failure = readFailure(dir, id);
  return failure ? { ...s, state: 'failed', failure } : s;
}

export function runState(out: string): RunStateInfo {
  let summary: (RunSummary & { died?: boolean }) | undefined;
  try {
    summary = readRunSummary(out);
  } catch {
    return { state: 'failed' };
  }
  const holder = existsSync(out) ? RunFolder.lockHolder(out) : undefined;
  if (!summary) {
    if (holder) return { state: 'running', holder };
    // config.json is written before the first epoch: a folder with it but no summary died in its first epoch.
    return { state: existsSync(join(out, 'config.json')) ? 'interrupted' : 'pending' };
  }
  switch (summary.status) {
    case 'completed':
    case 'stopped':
      return { state: 'done', summary };
    case 'failed':
      return { state: 'failed', summary };
    case 'interrupted':
      return { state: 'interrupted', summary };
    default:
      return summary.died || !holder ? { state: 'interrupted', summary } : { state: 'running', summary, holder };
  }
}
