import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { writeFileAtomic, type Registry, type TrainRecord } from '@rrm/core';
import { RunFolder, builtinRegistry } from '@rrm/pipeline';
import { runSweep, writeTables, type SweepEvent, type SweepPlan } from '@rrm/sweep';
import { listExperiments, EXPERIMENTS_DIR, type Experiment } from './experiment';
import { scoreTestSets } from './test-sets';
import { sectionMarkdown, writeExperimentPlot } from './section';
import { groupResults, verdictOf, type Observation, type Verdict } from './verdict';

export interface ReproduceOptions {
  /** Experiment ids, or ['all']. */
  readonly ids: readonly string[];
  readonly profile: string;
  /** Seeds 0…N−1 instead of the profile's. */
  readonly seeds?: number;
  readonly workers?: number;
  readonly queue?: string;
  /** Output root (default reproduce/<profile>): one sweep folder per experiment. */
  readonly out?: string;
  readonly dryRun?: boolean;
  /** Also write the assembled Markdown here (e.g. docs/results.md), its plots copied beside it. */
  readonly report?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (id: string, e: SweepEvent) => void;
  readonly log?: (line: string) => void;
  readonly experimentsDir?: string;
  readonly registry?: Registry;
  /** The local pool's run module (tests). */
  readonly jobModule?: string;
}

export interface ExperimentOutcome {
  readonly exp: Experiment;
  readonly plan: SweepPlan;
  readonly verdict?: Verdict;
  readonly section?: string;
  readonly stopped: boolean;
  /** Runs this invocation started (0 when every run was already finished). */
  readonly started: number;
}

/**
 * The test sum rate once a fraction of the run's training samples had been seen (the first record at or
 * past it): how far training got early on, the convergence speed a paper's curves show, defined for every
 * run (unlike "epochs to 95 % of final", which a run that stays poor reaches at once).
 */
export function rateAtFraction(records: readonly TrainRecord[], fraction: number): number | null {
  if (records.length === 0) return null;
  const total = records[records.length - 1].samples;
  const hit = records.find((r) => r.samples >= fraction * total);
  return hit ? hit.testSumRate : null;
}

export function machineLine(backend = 'wasm'): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, tfjs ${backend}`;
}

/** Picks experiments by id ('all' = every one); an unknown id is an error listing the known ones. */
export function selectExperiments(ids: readonly string[], profile: string, seeds?: number, dir = EXPERIMENTS_DIR): Experiment[] {
  const all = listExperiments(dir, profile, seeds);
  if (ids.length === 1 && ids[0] === 'all') return all;
  return ids.map((id) => {
    const found = all.find((e) => e.id === id);
    if (!found) throw new Error(`unknown experiment "${id}" (rrm reproduce --list shows them: ${all.map((e) => e.id).join(', ')})`);
    return found;
  });
}

/**
 * `rrm reproduce`: each experiment is its sweep (runs shared and resumed exactly as `rrm sweep` does), then
 * its test sets scored, then a Markdown section with the paper's numbers, our means with seed CIs, the
 * claims checked and a verdict. Sections are written per experiment as they finish, and assembled into
 * OUT/results.md (and --report).
 */
export async function reproduce(opts: ReproduceOptions): Promise<ExperimentOutcome[]> {
  const log = opts.log ?? (() => {});
  const exps = selectExperiments(opts.ids, opts.profile, opts.seeds, opts.experimentsDir);
  const root = resolvePath(opts.out ?? join('reproduce', opts.profile));
  const registry = opts.registry ?? builtinRegistry();
  const outcomes: ExperimentOutcome[] = [];
  const machine = machineLine();
  const date = new Date().toISOString().slice(0, 10);
  for (const exp of exps) {
    if (opts.signal?.aborted) break;
    const dir = join(root, exp.id);
    log(`${opts.dryRun ? 'planning' : 'running'} ${exp.id} (${exp.spec.figure}: ${exp.spec.title}), profile ${opts.profile}`);
    const result = await runSweep({
      file: exp.path,
      profile: opts.profile,
      seeds: opts.seeds,
      out: dir,
      workers: opts.workers,
      queue: opts.queue,
      dryRun: opts.dryRun,
      signal: opts.signal,
      registry,
      jobModule: opts.jobModule,
      onEvent: (e) => opts.onEvent?.(exp.id, e),
    });
    if (opts.dryRun) {
      outcomes.push({ exp, plan: result.plan, stopped: false, started: 0 });
      continue;
    }
    const { rows } = writeTables(result.plan);
    const axes = [...exp.file.axes.map((a) => a.key)];
    let observations: Observation[];
    if (exp.spec.evaluate.length) {
      observations = await scoreTestSets(registry, dir, rows, exp.spec.evaluate, (n, total, what) => log(`  scored ${n}/${total}: ${what}`), exp.spec.baselines);
      axes.push('test');
    } else {
      observations = rows
        .filter((r) => r.state === 'done' && r.summary)
        .map((r) => {
          const records = RunFolder.readRecords(r.run.out);
          return {
            point: r.run.point,
            seed: r.run.seed,
            metrics: {
              ...Object.fromEntries(['finalTestSumRate', 'finalPctWmmse', 'bestPctWmmse', 'epochsTo95', 'samplesTo95', 'trainSeconds'].map((m) => [m, r.summary![m] as number | null])),
              rateAtQuarter: rateAtFraction(records, 0.25),
              rateAtHalf: rateAtFraction(records, 0.5),
            },
          };
        });
    }
    // Rows of one grid point share a run when their configs are equal: count each run once.
    const distinct = new Map(rows.map((r) => [r.run.id, r]));
    const groups = groupResults(observations, axes);
    const verdict = verdictOf(exp.spec, groups);
    const plotFile = await writeExperimentPlot(exp, dir, rows, groups, observations);
    const section = sectionMarkdown({
        exp,
        profile: opts.profile,
        groups,
        verdict,
        runs: {
          done: [...distinct.values()].filter((r) => r.state === 'done').length,
          total: distinct.size,
          trainSeconds: [...distinct.values()].reduce((a, r) => a + (r.summary?.trainSeconds ?? 0), 0),
          wallSeconds: [...distinct.values()].reduce((a, r) => a + (r.summary?.wallSeconds ?? 0), 0),
        },
        plot: plotFile ? relative(dir, plotFile) : undefined,
        machine,
        date,
      });
    writeFileAtomic(join(dir, 'section.md'), section);
    writeFileAtomic(join(dir, 'results.json'), JSON.stringify({ id: exp.id, profile: opts.profile, verdict, groups }, null, 1) + '\n');
    outcomes.push({ exp, plan: result.plan, verdict, section, stopped: result.stopped, started: result.started });
    log(`${exp.id}: ${verdict.kind} (${join(dir, 'section.md')})`);
    if (result.stopped) break;
  }
  if (!opts.dryRun && outcomes.length) assembleReports(root, opts.profile, opts.report, opts.experimentsDir);
  return outcomes;
}

const PAPERS: Record<string, string> = {
  ad: 'Algorithm distillation (AD paper, arXiv 2308.07511)',
  uwgnn: 'Unrolled WMMSE GNN (UWGNN paper, arXiv 2307.05882)',
  beyond: 'Beyond the papers',
};

interface StoredSection {
  readonly exp: Experiment;
  readonly kind: string;
  /** The section's Markdown, its links relative to its own folder. */
  readonly text?: string;
  readonly dir: string;
}

function readStored(root: string, exp: Experiment): StoredSection {
  const dir = join(root, exp.id);
  const md = join(dir, 'section.md');
  const json = join(dir, 'results.json');
  if (!existsSync(md) || !existsSync(json)) return { exp, kind: 'not run', dir };
  return { exp, kind: (JSON.parse(readFileSync(json, 'utf8')) as { verdict: Verdict }).verdict.kind, text: readFileSync(md, 'utf8'), dir };
}

/**
 * The results document of an output root: every experiment of the listing, its section as last written
 * (so experiments run by separate invocations, or on other machines sharing the folder, all appear),
 * `not run` for the others. Written to ROOT/results.md and, with `report`, there with the plots copied
 * into figures/reproduce beside it.
 */
export function assembleReports(root: string, profile: string, report?: string, experimentsDir?: string): string {
  const stored = listExperiments(experimentsDir, profile).map((e) => readStored(root, e));
  const text = (base: string, copyTo?: string) =>
    assemble(stored, profile, (s, path) => {
      const abs = resolvePath(s.dir, path);
      if (!copyTo) return relative(base, abs);
      mkdirSync(copyTo, { recursive: true });
      const target = join(copyTo, abs.split('/').pop()!);
      copyFileSync(abs, target);
      return relative(base, target);
    });
  writeFileAtomic(join(root, 'results.md'), text(root));
  if (report) {
    const file = resolvePath(report);
    writeFileAtomic(file, text(dirname(file), join(dirname(file), 'figures', 'reproduce')));
  }
  return join(root, 'results.md');
}

/** The results document: a verdict table, then one section per experiment, grouped by paper. */
function assemble(stored: readonly StoredSection[], profile: string, link: (s: StoredSection, path: string) => string): string {
  const head = [
    '# Reproducing the papers: `rrm reproduce`',
    '',
    `Assembled by \`npx rrm reproduce … --profile ${profile} --report docs/results.md\` from reproduce/${profile}/<id>/section.md.`,
    'Each section says which profile and seeds its numbers come from, and on what machine. Verdicts: reproduced (every claimed ordering holds and every number read off',
    'the paper is within its tolerance), partly, not reproduced, measured (nothing in the paper to check), or not run.',
    '',
    '| experiment | paper | figure | verdict |',
    '|---|---|---|---|',
    ...stored.map((s) => `| \`${s.exp.id}\` | ${s.exp.spec.paper} | ${s.exp.spec.figure} | ${s.kind} |`),
    '',
  ];
  const body: string[] = [];
  for (const paper of ['ad', 'uwgnn', 'beyond']) {
    const mine = stored.filter((s) => s.exp.spec.paper === paper);
    if (!mine.length) continue;
    body.push(`## ${PAPERS[paper]}`, '');
    for (const s of mine) {
      if (!s.text) {
        body.push(`### ${s.exp.spec.figure}: ${s.exp.spec.title} (\`${s.exp.id}\`)`, '', `⏳ **not run** at the \`${profile}\` profile yet: \`npx rrm reproduce ${s.exp.id} --profile ${profile}\`.`, '');
        continue;
      }
      body.push(s.text.replace(/!\[([^\]]*)\]\(([^)]+)\)/g, (_m, alt: string, path: string) => `![${alt}](${link(s, path)})`));
    }
  }
  return [...head, ...body].join('\n');
}
