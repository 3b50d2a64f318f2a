import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ValidationError, writeFileAtomic, type TrainRecord, type TrainerCheckpoint } from '@rrm/core';
import { linePlotSpec, writePlot, type Series } from './plots';

/** One epoch (or logging interval) of a run, as written to metrics.csv and metrics.jsonl. */
export type MetricRecord = Record<string, number | null>;

export type RunStatus = 'completed' | 'stopped' | 'interrupted' | 'running' | 'failed';

/** One summary format for every trainer. */
export interface RunSummary {
  readonly name: string;
  readonly status: RunStatus;
  readonly trainer: string;
  /** Epochs finished (dataset trainers; 0 for RL trainers). */
  readonly epochs: number;
  readonly steps: number;
  readonly samples: number;
  readonly finalTestSumRate: number;
  readonly finalPctWmmse: number | null;
  readonly bestTestSumRate: number;
  readonly bestEpoch: number;
  readonly bestSamples: number;
  readonly bestPctWmmse: number | null;
  readonly wmmseTestSumRate: number | null;
  /** First epoch whose test sum rate reached 95 % of the final value (null if never; dataset trainers). */
  readonly epochsTo95: number | null;
  /** The same in training samples (every trainer). */
  readonly samplesTo95: number | null;
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly paramCount: number;
  /** Why training stopped early, or the error of a failed run. */
  readonly message?: string;
  readonly [extra: string]: unknown;
}

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

const LOCK = '.lock';
const CHECKPOINT = 'checkpoint.bin';

/** Whether a process with this pid is alive on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run record on disk. Every file is replaced atomically after each epoch, so an interrupted run (Ctrl-C,
 * a crash, SIGKILL) always leaves a valid folder holding the epochs finished so far.
 *   config.json     the resolved config          metrics.csv / metrics.jsonl  one row per epoch
 *   weights/        model.json + weights.bin     summary.json                 final and best results, status
 *   report.md       a readable report            convergence.svg              test sum rate per epoch
 *                                                convergence.vl.json          its Vega-Lite spec
 *   checkpoint.bin  resumable state (model, optimizer, trainer state) of the last finished epoch
 *   .lock           { pid, host, started } while a process writes the folder
 */
export class RunFolder {
  private readonly records: MetricRecord[] = [];
  private locked = false;

  constructor(readonly dir: string) {}

  get weightsDir(): string {
    return join(this.dir, 'weights');
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** The holder of the folder's lock, if a live process on this host (or any process elsewhere) holds it. */
  static lockHolder(dir: string): LockInfo | undefined {
    const path = join(dir, LOCK);
    if (!existsSync(path)) return undefined;
    let info: LockInfo;
    try {
      info = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
    if (info.host === hostname() && !alive(info.pid)) return undefined;
    return info;
  }

  /** Takes the folder's lock (O_EXCL); a second writer fails at once naming the holder. A dead holder's lock is taken over. */
  lock(): void {
    mkdirSync(this.dir, { recursive: true });
    const path = this.path(LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() } satisfies LockInfo));
        closeSync(fd);
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = RunFolder.lockHolder(this.dir);
        if (holder) throw new ValidationError('--out', `a run folder no other process is writing (${this.dir} is being written by pid ${holder.pid} on ${holder.host} since ${holder.started})`, this.dir);
        rmSync(path, { force: true });
      }
    }
    throw new ValidationError('--out', 'a run folder whose lock can be taken', this.dir);
  }

  unlock(): void {
    if (this.locked) rmSync(this.path(LOCK), { force: true });
    this.locked = false;
  }

  /** Empties the folder (for --force), keeping our own lock. */
  clear(): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) if (f !== LOCK) rmSync(join(this.dir, f), { recursive: true, force: true });
  }

  writeConfig(config: unknown): void {
    writeFileAtomic(this.path('config.json'), JSON.stringify(config, null, 2) + '\n');
  }

  /** Starts from records already on disk (resume). */
  preload(records: readonly MetricRecord[]): void {
    this.records.length = 0;
    this.records.push(...records);
  }

  addRecord(record: MetricRecord): void {
    this.records.push(record);
    const keys = [...new Set(this.records.flatMap((r) => Object.keys(r)))];
    const csv = [keys.join(','), ...this.records.map((r) => keys.map((k) => formatCell(r[k])).join(','))].join('\n') + '\n';
    writeFileAtomic(this.path('metrics.csv'), csv);
    writeFileAtomic(this.path('metrics.jsonl'), this.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  get history(): readonly MetricRecord[] {
    return this.records;
  }

  writeSummary(summary: RunSummary): void {
    writeFileAtomic(this.path('summary.json'), JSON.stringify(summary, null, 2) + '\n');
  }

  /** report.md and its plot: convergence.svg, rendered from the Vega-Lite spec convergence.vl.json beside it. */
  async writeReport(opts: { title: string; xLabel: string; series: Series[]; reference?: { name: string; y: number }; body: string }): Promise<void> {
    const spec = linePlotSpec(opts.series, { title: opts.title, xTitle: opts.xLabel, yTitle: 'test sum rate (bit/s/Hz)', reference: opts.reference });
    await writePlot(this.path('convergence'), spec);
    writeFileAtomic(this.path('report.md'), `# ${opts.title}\n\n![convergence](convergence.svg)\n\n${opts.body}\n`);
  }

  /**
   * One file, replaced atomically: a JSON header (records so far, trainer state, tensor specs) and the
   * tensors' bytes, so the model weights, the optimizer and the records can never disagree.
   */
  async writeCheckpoint(records: number, model: Record<string, tf.Tensor>, checkpoint: TrainerCheckpoint): Promise<void> {
    const named = [...Object.entries(model).map(([name, tensor]) => ({ name: `model/${name}`, tensor })), ...Object.entries(checkpoint.tensors).map(([name, tensor]) => ({ name: `trainer/${name}`, tensor }))];
    const { data, specs } = await tf.io.encodeWeights(named);
    const header = Buffer.from(JSON.stringify({ format: 'rrm-checkpoint', version: 1, records, state: checkpoint.state, specs }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    writeFileAtomic(this.path(CHECKPOINT), Buffer.concat([len, header, Buffer.from(data as ArrayBuffer)]));
  }

  hasCheckpoint(): boolean {
    return existsSync(this.path(CHECKPOINT));
  }

  /** The checkpoint's record count, model weights and trainer state (the caller disposes the tensors). */
  readCheckpoint(): { records: number; model: Record<string, tf.Tensor>; checkpoint: TrainerCheckpoint } {
    const path = this.path(CHECKPOINT);
    try {
      const buf = readFileSync(path);
      const n = buf.readUInt32LE(0);
      const header = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
      if (header.format !== 'rrm-checkpoint') throw new Error('not an rrm checkpoint');
      const bytes = buf.subarray(4 + n);
      const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), header.specs);
      const pick = (prefix: string) =>
        Object.fromEntries((header.specs as { name: string }[]).filter((s) => s.name.startsWith(prefix)).map((s) => [s.name.slice(prefix.length), tensors[s.name]]));
      return { records: header.records, model: pick('model/'), checkpoint: { state: header.state, tensors: pick('trainer/') } };
    } catch (err) {
      throw new ValidationError(path, 'a checkpoint written by rrm train (resume needs it intact)', (err as Error).message);
    }
  }

  static readConfig(dir: string): Record<string, unknown> {
    const path = join(dir, 'config.json');
    if (!existsSync(path)) throw new ValidationError('--run', 'a run folder written by rrm train (with config.json)', dir);
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ValidationError(path, 'the JSON config written by rrm train', (err as Error).message);
    }
  }

  static readRecords(dir: string): TrainRecord[] {
    const path = join(dir, 'metrics.jsonl');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
}

/** A run's summary, with `running` turned into `died` when no live process holds the folder. */
export function readRunSummary(dir: string): (RunSummary & { readonly died?: boolean }) | undefined {
  const path = join(dir, 'summary.json');
  if (!existsSync(path)) return undefined;
  let summary: RunSummary;
  try {
    summary = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(path, 'the JSON summary written by rrm train', (err as Error).message);
  }
  return summary.status === 'running' && !RunFolder.lockHolder(dir) ? { ...summary, died: true } : summary;
}

function formatCell(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return Number.isInteger(v) ? String(v) : v.toPrecision(8);
}

/** First x whose value reached `fraction` of the final value (the convergence-speed measure of the AD paper). */
export function epochsToFraction(epochs: readonly number[], values: readonly number[], fraction = 0.95): number | null {
  if (values.length === 0) return null;
  const target = fraction * values[values.length - 1];
  for (let n = 0; n < values.length; n++) if (values[n] >= target) return epochs[n];
  return null;
}
