import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ValidationError, writeFileAtomic } from '@rrm/core';
import { linePlotSvg } from '@rrm/pipeline';

export interface CompareOptions {
  readonly runs: readonly string[];
  /** Output SVG path; a Markdown table is written beside it (same name, .md). */
  readonly out: string;
  readonly title?: string;
}

export interface CompareRow {
  readonly run: string;
  readonly final: number;
  readonly pctWmmse: number | null;
  readonly best: number;
  readonly xTo95: number | null;
}

/**
 * Convergence curves of several run folders in one plot (test sum rate against epochs for the dataset
 * pattern, against environment samples for DDPG), with WMMSE as a dashed reference line.
 */
export function compareRuns(opts: CompareOptions): CompareRow[] {
  if (opts.runs.length === 0) throw new ValidationError('--runs', 'at least one run folder');
  const loaded = opts.runs.map((dir) => {
    const path = join(dir, 'metrics.jsonl');
    if (!existsSync(path)) throw new ValidationError('--runs', 'run folders written by rrm train (with metrics.jsonl)', dir);
    const rows = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | null>);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    return { dir, rows, summary };
  });
  // Dataset trainers count epochs; RL trainers record epoch 0 throughout and count samples.
  const xKey = loaded.every((r) => !((r.rows[r.rows.length - 1].epoch as number) > 0)) ? 'samples' : 'epoch';
  if (loaded.some((r) => !(xKey in r.rows[0]))) throw new ValidationError('--runs', 'runs of one pattern (all dataset or all DDPG)', opts.runs.join(', '));
  const wmmse = loaded.map((r) => r.summary.wmmseTestSumRate).find((v): v is number => typeof v === 'number');
  const series = loaded.map((r) => ({
    name: String(r.summary.name ?? basename(r.dir)),
    x: r.rows.map((row) => row[xKey] as number),
    y: r.rows.map((row) => row.testSumRate as number),
  }));
  const svg = linePlotSvg(series, {
    title: opts.title ?? 'test sum rate',
    xLabel: xKey === 'samples' ? 'environment samples' : 'epoch',
    yLabel: 'test sum rate (bit/s/Hz)',
    reference: wmmse === undefined ? undefined : { name: 'WMMSE-100', y: wmmse },
  });
  const rows: CompareRow[] = series.map((s) => {
    const final = s.y[s.y.length - 1];
    const target = 0.95 * final;
    const hit = s.y.findIndex((v) => v >= target);
    return { run: s.name, final, pctWmmse: wmmse ? (100 * final) / wmmse : null, best: Math.max(...s.y), xTo95: hit < 0 ? null : s.x[hit] };
  });
  const unit = xKey === 'samples' ? 'samples' : 'epochs';
  const table = [
    `| run | final test sum rate | % of WMMSE | best | ${unit} to 95 % of final |`,
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.run} | ${r.final.toFixed(4)} | ${r.pctWmmse?.toFixed(1) ?? 'n/a'} % | ${r.best.toFixed(4)} | ${r.xTo95 ?? 'n/a'} |`),
  ].join('\n');
  writeFileAtomic(opts.out, svg);
  writeFileAtomic(opts.out.replace(/\.svg$/, '') + '.md', `# ${opts.title ?? 'comparison'}\n\n![curves](${basename(opts.out)})\n\n${table}\n`);
  return rows;
}
