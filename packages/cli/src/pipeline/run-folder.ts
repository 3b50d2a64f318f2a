import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, writeFileAtomic } from '@rrm/core';
import { linePlotSvg, type Series } from '../svg-plot';

/** One epoch (or logging interval) of a run, as written to metrics.csv and metrics.jsonl. */
export type MetricRecord = Record<string, number | null>;

export interface RunSummary {
  readonly name: string;
  readonly status: 'completed' | 'stopped' | 'interrupted' | 'running';
  readonly epochs: number;
  readonly finalTestSumRate: number;
  readonly finalPctWmmse: number | null;
  readonly bestTestSumRate: number;
  readonly bestEpoch: number;
  readonly bestPctWmmse: number | null;
  readonly wmmseTestSumRate: number | null;
  /** First epoch whose test sum rate reached 95 % of the final value (null if never). */
  readonly epochsTo95: number | null;
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly paramCount: number;
  readonly [extra: string]: unknown;
}

/**
 * A run record on disk. Every file is replaced atomically after each epoch, so an interrupted run (Ctrl-C,
 * a crash) always leaves a valid folder holding the epochs finished so far.
 *   config.json     the resolved config          metrics.csv / metrics.jsonl  one row per epoch
 *   weights/        model.json + weights.bin     summary.json                 final and best results
 *   report.md       a readable report            convergence.svg              test sum rate per epoch
 */
export class RunFolder {
  private readonly records: MetricRecord[] = [];

  constructor(readonly dir: string) {}

  static create(dir: string, config: unknown): RunFolder {
    mkdirSync(dir, { recursive: true });
    const run = new RunFolder(dir);
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    return run;
  }

  get weightsDir(): string {
    return join(this.dir, 'weights');
  }

  get path() {
    return (name: string) => join(this.dir, name);
  }

  addRecord(record: MetricRecord): void {
    this.records.push(record);
    const keys = Object.keys(this.records[0]);
    const csv = [keys.join(','), ...this.records.map((r) => keys.map((k) => formatCell(r[k])).join(','))].join('\n') + '\n';
    writeFileAtomic(join(this.dir, 'metrics.csv'), csv);
    writeFileAtomic(join(this.dir, 'metrics.jsonl'), this.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  get history(): readonly MetricRecord[] {
    return this.records;
  }

  writeSummary(summary: RunSummary): void {
    writeFileAtomic(join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  }

  writeReport(opts: { title: string; xKey: string; xLabel: string; series: Series[]; reference?: { name: string; y: number }; body: string }): void {
    const svg = linePlotSvg(opts.series, { title: opts.title, xLabel: opts.xLabel, yLabel: 'test sum rate (bit/s/Hz)', reference: opts.reference });
    writeFileAtomic(join(this.dir, 'convergence.svg'), svg);
    writeFileAtomic(join(this.dir, 'report.md'), `# ${opts.title}\n\n![convergence](convergence.svg)\n\n${opts.body}\n`);
  }

  static readConfig(dir: string): Record<string, unknown> {
    const path = join(dir, 'config.json');
    if (!existsSync(path)) throw new ValidationError('--run', 'a run folder written by rrm train (with config.json)', dir);
    return JSON.parse(readFileSync(path, 'utf8'));
  }
}

function formatCell(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return Number.isInteger(v) ? String(v) : v.toPrecision(8);
}

/** First epoch whose value reached `fraction` of the final value (the convergence-speed measure of the AD paper). */
export function epochsToFraction(epochs: readonly number[], values: readonly number[], fraction = 0.95): number | null {
  if (values.length === 0) return null;
  const target = fraction * values[values.length - 1];
  for (let n = 0; n < values.length; n++) if (values[n] >= target) return epochs[n];
  return null;
}
