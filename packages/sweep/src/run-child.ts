import type { JobResult } from './job';
import { runJob } from './job';
import type { FromChild, ToChild } from './messages';

/**
 * A local-pool run process: receives one job over IPC, trains it with runTraining, reports each epoch and
 * its log lines, sends the result and exits. Ctrl-C reaches the whole process group, so SIGINT is ignored
 * here: the sweep decides, and asks with a 'stop' message (or SIGTERM). If the sweep itself dies, the IPC
 * channel closes and the run stops after its current step, its folder valid and resumable.
 */
const controller = new AbortController();
const send = (m: FromChild) =>
  new Promise<void>((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(m, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });

process.on('SIGINT', () => {});
process.on('SIGTERM', () => controller.abort());
process.on('disconnect', () => controller.abort());

async function run(job: Extract<ToChild, { type: 'run' }>['job']): Promise<void> {
  let result: JobResult;
  try {
    result = await runJob(job, {
      signal: controller.signal,
      log: (line) => void send({ type: 'log', line }),
      onEpoch: (record, epochs) => void send({ type: 'epoch', record, epochs }),
    });
  } catch (err) {
    const e = err as Error;
    await send({ type: 'error', message: e.name === 'ValidationError' ? e.message : (e.stack ?? e.message) });
    process.exit(1);
  }
  await send({ type: 'result', result });
  process.exit(0);
}

process.on('message', (m: ToChild) => {
  if (m.type === 'run') void run(m.job);
  else if (m.type === 'stop') controller.abort();
});
