import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ValidationError, writeFileAtomic } from '@rrm/core';
import { RunFolder, canonicalJson, linePlotSpec, renderVegaLite } from '@rrm/pipeline';
import { checkDistinctOutputs, checkOutputPath, runFolderFiles } from '../output-paths';
import { runStatusWarnings } from '../run-status';

export interface CompareOptions {
  readonly runs: readonly string[];
  /** Output SVG path; its Vega-Lite spec (.vl.json) and a Markdown table (.md) are written beside it. */
  readonly out: string;
  readonly title?: string;
  /** Warnings (stderr in the CLI): runs of different scenarios, runs whose process died, … */
  readonly warn?: (message: string) => void;
}

export interface CompareRow {
  readonly run: string;
  readonly final: number;
  /** final / the run's OWN reference (its summary's wmmseTestSumRate), in %; null without one. */
  readonly pctWmmse: number | null;
  /** The run's own reference sum rate (WMMSE on its test set). */
  readonly wmmse: number | null;
  readonly best: number;
  readonly xTo95: number | null;
}

/** The parts of a run config that make two runs' sum rates comparable. */
const SCENARIO_KEYS: readonly [string, (c: Record<string, unknown>) => unknown][] = [
  ['users (K)', (c) => (c.scenario as Record<string, unknown> | undefined)?.users],
  ['noise (σ²)', (c) => (c.scenario as Record<string, unknown> | undefined)?.noise],
  ['pmax', (c) => (c.scenario as Record<string, unknown> | undefined)?.pmax],
  ['channel', (c) => c.channel],
  ['reference', (c) => c.reference],
];

const show = (v: unknown) => (typeof v === 'object' && v !== null ? canonicalJson(v) : String(v));

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new ValidationError(path, what, (err as Error).message);
  }
}

/** Scenario differences between runs, one message per differing key (empty when all agree). */
export function scenarioDifferences(runs: readonly { name: string; config: Record<string, unknown> }[]): string[] {
  const out: string[] = [];
  for (const [label, get] of SCENARIO_KEYS) {
    const values = runs.map((r) => show(get(r.config)));
    if (new Set(values).size > 1) out.push(`${label}: ${runs.map((r, n) => `${values[n]} in ${r.name}`).join(', ')}`);
  }
  return out;
}

/**
 * Convergence curves of several run folders in one plot (test sum rate against epochs for the dataset
 * pattern, against environment samples for DDPG). Each run's "% of WMMSE" is against its own reference
 * (WMMSE on its own test set, from its summary); runs whose scenarios differ (K, σ², p_max, channel model,
 * reference) are flagged, and the plot then draws no shared reference line.
 */
export async function compareRuns(opts: CompareOptions): Promise<CompareRow[]> {
  if (opts.runs.length === 0) throw new ValidationError('--runs', 'at least one run folder');
  const inputs = opts.runs.flatMap((dir) => runFolderFiles(dir));
  checkOutputPath('--out', opts.out, { ext: '.svg', inputs });
  const mdPath = opts.out.slice(0, -'.svg'.length) + '.md';
  checkOutputPath('--out (its .md table)', mdPath, { ext: '.md', inputs });
  const specPath = opts.out.slice(0, -'.svg'.length) + '.vl.json';
  checkOutputPath('--out (its .vl.json spec)', specPath, { ext: '.vl.json', inputs });
  checkDistinctOutputs([['--out', opts.out], ['--out (its .md table)', mdPath], ['--out (its .vl.json spec)', specPath]]);
  const loaded = opts.runs.map((dir) => {
    const path = join(dir, 'metrics.jsonl');
    if (!existsSync(path)) throw new ValidationError('--runs', 'run folders written by rrm train (with metrics.jsonl)', dir);
    const rows = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l, n) => {
        try {
          return JSON.parse(l) as Record<string, number | null>;
        } catch (err) {
          throw new ValidationError(`${path}:${n + 1}`, 'one JSON object per line, as rrm train writes', (err as Error).message);
        }
      });
    if (rows.length === 0) throw new ValidationError(path, 'at least one finished epoch', 'an empty file');
    const summaryPath = join(dir, 'summary.json');
    const summary = existsSync(summaryPath) ? readJson<Record<string, unknown>>(summaryPath, 'the JSON summary written by rrm train') : {};
    const config = RunFolder.readConfig(dir);
    for (const w of runStatusWarnings(dir)) opts.warn?.(w);
    return { dir, rows, summary, config, name: String(summary.name ?? basename(dir)) };
  });
  const differences = scenarioDifferences(loaded);
  if (differences.length) {
    opts.warn?.(
      `the runs' scenarios differ (${differences.join('; ')}): their sum rates are not comparable; each "% of WMMSE" is against the run's own WMMSE reference`,
    );
  }
  // Dataset trainers count epochs; RL trainers record epoch 0 throughout and count samples.
  const xKey = loaded.every((r) => !((r.rows[r.rows.length - 1].epoch as number) > 0)) ? 'samples' : 'epoch';
  if (loaded.some((r) => !(xKey in r.rows[0]))) throw new ValidationError('--runs', 'runs of one pattern (all dataset or all DDPG)', opts.runs.join(', '));
  const own = loaded.map((r) => (typeof r.summary.wmmseTestSumRate === 'number' && r.summary.wmmseTestSumRate > 0 ? r.summary.wmmseTestSumRate : null));
  const known = own.filter((v): v is number => v !== null);
  // One dashed line only when it means the same for every run: one scenario (test sets of other seeds differ
  // a little, so their mean is drawn).
  const reference = !differences.length && known.length ? { name: known.length > 1 ? 'WMMSE-100 (mean over runs)' : 'WMMSE-100', y: known.reduce((a, b) => a + b, 0) / known.length } : undefined;
  const series = loaded.map((r) => ({
    name: r.name,
    x: r.rows.map((row) => row[xKey] as number),
    y: r.rows.map((row) => row.testSumRate as number),
  }));
  const spec = linePlotSpec(series, {
    title: opts.title ?? 'test sum rate',
    xTitle: xKey === 'samples' ? 'environment samples' : 'epoch',
    yTitle: 'test sum rate (bit/s/Hz)',
    reference,
  });
  const svg = await renderVegaLite(spec);
  const rows: CompareRow[] = series.map((s, n) => {
    const final = s.y[s.y.length - 1];
    const target = 0.95 * final;
    const hit = s.y.findIndex((v) => v >= target);
    const wmmse = own[n];
    return { run: s.name, final, pctWmmse: wmmse === null ? null : (100 * final) / wmmse, wmmse, best: Math.max(...s.y), xTo95: hit < 0 ? null : s.x[hit] };
  });
  const unit = xKey === 'samples' ? 'samples' : 'epochs';
  const table = [
    `| run | final test sum rate | its WMMSE | % of its WMMSE | best | ${unit} to 95 % of final |`,
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.run} | ${r.final.toFixed(4)} | ${r.wmmse?.toFixed(4) ?? 'n/a'} | ${r.pctWmmse?.toFixed(1) ?? 'n/a'} % | ${r.best.toFixed(4)} | ${r.xTo95 ?? 'n/a'} |`),
  ].join('\n');
  const note = differences.length ? `\n\n**Scenarios differ** (${differences.join('; ')}): sum rates are not comparable across runs; each % is against the run's own WMMSE.` : '';
  writeFileAtomic(specPath, JSON.stringify(spec, null, 2) + '\n');
  writeFileAtomic(opts.out, svg);
  writeFileAtomic(mdPath, `# ${opts.title ?? 'comparison'}\n\n![curves](${basename(opts.out)})\n\n${table}${note}\n`);
  return rows;
}
