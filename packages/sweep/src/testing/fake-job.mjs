// A stand-in run process for the local pool's tests: speaks the pool's IPC protocol (messages.ts) and
// behaves as the job's label says: "ok", "crash" (SIGKILLs itself after an epoch, as the OOM killer would),
// "throw" (reports an error), "hang" (runs until asked to stop, then reports an interrupted run).
const summary = (status, epochs) => ({ name: 'fake', status, trainer: 'fake', epochs, steps: epochs, samples: 0, finalTestSumRate: 1, finalPctWmmse: 50, bestTestSumRate: 1, bestEpoch: epochs, bestSamples: 0, bestPctWmmse: 50, wmmseTestSumRate: 2, epochsTo95: 1, samplesTo95: 0, trainSeconds: 0, wallSeconds: 0, paramCount: 1 });
const record = (epoch) => ({ epoch, step: epoch, samples: 0, testSumRate: 1, pctReference: 50, trainSeconds: 0, wallSeconds: 0 });
const send = (m) => new Promise((resolve) => process.send(m, undefined, {}, () => resolve()));
let stop;
const stopped = new Promise((resolve) => (stop = resolve));
process.on('SIGINT', () => {});
process.on('message', async (m) => {
  if (m.type === 'stop') return stop();
  const { job } = m;
  const kind = job.label;
  await send({ type: 'epoch', record: record(0), epochs: 2 });
  process.stderr.write(`fake ${kind} on ${job.id}: line 1\nline 2\n`);
  await send({ type: 'log', line: `logged by ${job.id}` });
  await new Promise((r) => setTimeout(r, 150));
  if (kind === 'crash') process.kill(process.pid, 'SIGKILL');
  if (kind === 'throw') {
    await send({ type: 'error', message: `ValidationError: trainer.lr: expected a number (${job.id})` });
    process.exit(1);
  }
  if (kind === 'hang') {
    await stopped;
    await send({ type: 'result', result: { summary: summary('interrupted', 0), skipped: false, host: 'fake' } });
    process.exit(0);
  }
  await send({ type: 'epoch', record: record(1), epochs: 2 });
  await send({ type: 'result', result: { summary: summary('completed', 2), skipped: false, host: 'fake' } });
  process.exit(0);
});
