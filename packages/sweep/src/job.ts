import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ValidationError, writeFileAtomic, type TrainRecord } from '@rrm/core';
import { RunFolder, runTraining, type PipelineConfig, type RunSummary } from '@rrm/pipeline';
import { RunEventWriter } from './tfevents';

/**
 * One run of a sweep as an executor hands it out: plain data, so it crosses a process boundary (IPC) or a
 * queue (BullMQ job data) unchanged.
 */
export interface SweepJob {
  readonly id: string;
  readonly label: string;
  readonly config: PipelineConfig;
  /** The run folder: DIR/runs/<id>. */
  readonly out: string;
  /** The sweep's folder DIR. */
  readonly dir: string;
  /** DIR/sweep.json's token: a worker checks it sees the same DIR (shared path) before it trains. */
  readonly token: string;
}

export interface JobResult {
  readonly summary: RunSummary;
  /** The folder already held this config's finished run. */
  readonly skipped: boolean;
  readonly host: string;
}

export interface SweepMarker {
  readonly format: 'rrm-sweep';
  readonly name: string;
  readonly token: string;
  readonly created: string;
}

const MARKER = 'sweep.json';

/** Writes DIR/sweep.json once (its token is kept by later runs of the same sweep) and returns it. */
export function ensureSweepMarker(dir: string, name: string): SweepMarker {
  const path = join(dir, MARKER);
  if (existsSync(path)) {
    const m = readSweepMarker(dir);
    if (m) return m;
  }
  const marker: SweepMarker = { format: 'rrm-sweep', name, token: randomBytes(8).toString('hex'), created: new Date().toISOString() };
  writeFileAtomic(path, JSON.stringify(marker, null, 2) + '\n');
  return marker;
}

export function readSweepMarker(dir: string): SweepMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
    return m?.format === 'rrm-sweep' && typeof m.token === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Run folders reach the sweep's DIR through a shared path: a worker writes DIR/runs/<id> at the very path
 * the sweep named, so on another machine DIR must be mounted at the same path (NFS, SMB, a bind mount).
 * This check makes a worker that does not see it fail the job at once, saying so, instead of training
 * into a folder nobody reads.
 */
export function checkSharedDir(job: SweepJob): void {
  const marker = readSweepMarker(job.dir);
  if (!marker) {
    throw new ValidationError(
      'sweep folder',
      `the sweep's folder at the same path on this worker (${hostname()}): mount the sweep's --out there (a shared path), or run the worker where it is`,
      job.dir,
    );
  }
  if (marker.token !== job.token) {
    throw new ValidationError('sweep folder', `the folder of the sweep that queued this run (${job.dir} on ${hostname()} holds another sweep, ${marker.name}: mount the shared folder at this path)`, job.dir);
  }
}

export interface JobHooks {
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** After each record is on disk; `epochs` is the configured total when the trainer has one. */
  readonly onEpoch?: (record: TrainRecord, epochs: number | undefined) => void;
}

/**
 * Trains one job with the library's runTraining: a new folder from scratch, a folder left by an
 * interrupted or killed attempt resumed from its checkpoint, a finished one reported as it is. Also keeps
 * the run's TensorBoard event file (the first record of a process rewrites it from metrics.jsonl, so a
 * resumed run's file holds each epoch once; later records are appended).
 */
export async function runJob(job: SweepJob, hooks: JobHooks = {}): Promise<JobResult> {
  checkSharedDir(job);
  const resume = existsSync(join(job.out, 'config.json'));
  const epochs = typeof job.config.trainer.epochs === 'number' ? job.config.trainer.epochs : undefined;
  let events: RunEventWriter | undefined;
  const { summary, skipped } = await runTraining(job.config, {
    out: job.out,
    resume,
    signal: hooks.signal,
    name: job.id,
    log: hooks.log,
    onEpoch: (rec) => {
      try {
        if (events) events.append(rec);
        else events = RunEventWriter.rewrite(job.out, RunFolder.readRecords(job.out));
      } catch (err) {
        hooks.log?.(`warning: TensorBoard event file not written: ${(err as Error).message}`);
      }
      hooks.onEpoch?.(rec, epochs);
    },
  });
  if (skipped && RunEventWriter.files(job.out).length === 0) RunEventWriter.rewrite(job.out, RunFolder.readRecords(job.out));
  return { summary, skipped, host: hostname() };
}
