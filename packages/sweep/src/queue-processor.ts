import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Job } from 'bullmq';
import { RunFolder } from '@rrm/pipeline';
import { runJob, type JobResult, type SweepJob } from './job';
import { clearStaleLock, type QueueProgress } from './queue';

/**
 * BullMQ's sandboxed processor for sweep runs (loaded through queue-processor.mjs in a child process of
 * `rrm worker`). Progress (each epoch) and log lines go back through the job; the log is also appended to
 * DIR/logs/<id>.log on the shared path. If the worker dies, the IPC channel closes and the run stops after
 * its current step (its folder valid), so the attempt that takes the job over is the only writer.
 */
let orphaned = false;
const controllers = new Set<AbortController>();
process.on('disconnect', () => {
  orphaned = true;
  for (const c of controllers) c.abort();
  // Nothing can report to a dead worker: leave once the current step has written its epoch.
  setTimeout(() => process.exit(0), 60_000).unref();
});

export default async function processRun(job: Job, _token?: string, signal?: AbortSignal): Promise<JobResult> {
  const data = job.data as SweepJob;
  const host = hostname();
  const pid = process.pid;
  const logFile = join(data.dir, 'logs', `${data.id}.log`);
  const log = (line: string) => {
    void job.log(line).catch(() => {});
    try {
      mkdirSync(dirname(logFile), { recursive: true });
      appendFileSync(logFile, line + '\n');
    } catch {
      // The shared-path check below reports a folder this worker cannot write.
    }
  };
  // attemptsStarted counts starts, stalls included (attemptsMade counts failures only).
  const attempt = Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1);
  const previous = job.progress && typeof job.progress === 'object' ? (job.progress as Partial<QueueProgress>) : undefined;
  await job.updateProgress({ type: 'start', host, pid, attempt } satisfies QueueProgress);
  log(`=== ${new Date().toISOString()} ${data.label} (run ${data.id}) on ${host}, pid ${pid}, attempt ${attempt}`);
  if (clearStaleLock(data.out, previous, RunFolder.lockHolder(data.out))) log(`took over the lock of the previous attempt on ${previous?.host} (pid ${previous?.pid}), which the queue gave up on`);

  const controller = new AbortController();
  controllers.add(controller);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const result = await runJob(data, {
      signal: controller.signal,
      log,
      onEpoch: (record, epochs) => void job.updateProgress({ type: 'epoch', host, pid, record, epochs } satisfies QueueProgress).catch(() => {}),
    });
    if (result.summary.status === 'interrupted') {
      // Not a result: the next attempt resumes the run from its checkpoint.
      throw new Error(`interrupted on ${host} after epoch ${result.summary.epochs}${orphaned ? ' (its worker died)' : ''}; the next attempt resumes it`);
    }
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    controllers.delete(controller);
    if (orphaned) setImmediate(() => process.exit(0));
  }
}
