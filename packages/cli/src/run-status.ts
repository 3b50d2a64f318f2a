import { RunFolder, readRunSummary } from '@rrm/pipeline';

/**
 * What a run folder's summary says about how its weights came to be: nothing for a completed run; a warning
 * for a run whose writer died (`running` with no live process holding its `.lock`), one still being written,
 * an interrupted one and a failed one.
 */
export function runStatusWarnings(dir: string): string[] {
  let summary: ReturnType<typeof readRunSummary>;
  try {
    summary = readRunSummary(dir);
  } catch (err) {
    return [`${dir}: ${(err as Error).message} (the weights are used as they are)`];
  }
  if (!summary) return [];
  const epochs = `its last finished epoch (${summary.epochs}${summary.samples ? `, ${summary.samples} training samples` : ''})`;
  if (summary.died) {
    return [`${dir}: summary.json says 'running' but no live process holds the run (no .lock, or its process is gone): the process that wrote it died; results are from ${epochs}; continue it with rrm train --resume ${dir}`];
  }
  if (summary.status === 'running') {
    const holder = RunFolder.lockHolder(dir);
    return [`${dir} is still being trained${holder ? ` by pid ${holder.pid} on ${holder.host} (since ${holder.started})` : ''}: results are from ${epochs}`];
  }
  if (summary.status === 'interrupted') return [`${dir} was interrupted (status interrupted): results are from ${epochs}; continue it with rrm train --resume ${dir}`];
  if (summary.status === 'failed') return [`${dir}: training failed${summary.message ? ` (${summary.message})` : ''}: results are from ${epochs}`];
  return [];
}
