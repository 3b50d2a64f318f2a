import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRunSummary } from '@rrm/pipeline';
import { runSweep, type SweepEvent } from './sweep';
import { readEventFile, RunEventWriter } from './tfevents';
import { spawnRrm, tempDir, tinySweep, waitFor } from './testing/fixtures';

/** Every file under `dir` (relative paths). */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const epochsOf = (out: string) =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).epoch as number);

describe('a sweep on the local pool (K = 5, 6 runs of 2 epochs, 2 processes)', () => {
  it('runs every grid point × seed once, writes the tables, plots and TensorBoard files; a rerun starts nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const file = tinySweep(dir);
    const events: SweepEvent[] = [];
    const r = await runSweep({ file, out, workers: 2, onEvent: (e) => events.push(e) });
    expect(r.counts).toEqual({ done: 6, running: 0, interrupted: 0, failed: 0, pending: 0 });
    expect(r.started).toBe(6);
    const ids = r.plan.runs.map((x) => x.id);
    expect(new Set(ids).size).toBe(6);

    // sweep.csv: one row per run, all done with results.
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(7);
    for (const [n, line] of csv.slice(1).entries()) {
      const cells = line.split(',');
      expect(cells.slice(0, 4)).toEqual([n < 3 ? 'none' : 'decreasing', String(n % 3), ids[n], 'done']);
      expect(Number(cells[4])).toBeGreaterThan(0); // final test sum rate
      expect(Number(cells[5])).toBeGreaterThan(0); // % of WMMSE
    }
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| none \| 3\/3 \| \d\.\d{4} ± \d\.\d{4} \(σ \d\.\d{4}\) \|/);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(r.plots.map((p) => p.slice(out.length + 1)).sort()).toEqual(['plots/finalPctWmmse-vs-distill.beta.kind.svg', 'plots/finalTestSumRate-vs-distill.beta.kind.svg']);
    expect(existsSync(join(out, 'plots', 'finalPctWmmse-vs-distill.beta.kind.vl.json'))).toBe(true);

    for (const run of r.plan.runs) {
      expect(readRunSummary(run.out)).toMatchObject({ status: 'completed', epochs: 2 });
      expect(epochsOf(run.out)).toEqual([0, 1, 2]);
      const tb = RunEventWriter.files(run.out);
      expect(tb).toHaveLength(1);
      const { events: evs } = readEventFile(tb[0]);
      expect(evs.slice(1).map((e) => e.step)).toEqual([0, 1, 2]);
      expect(evs[3].scalars.find((s) => s.tag === 'test/sum_rate')!.value).toBeCloseTo(readRunSummary(run.out)!.finalTestSumRate, 5);
      expect(readFileSync(join(out, 'logs', `${run.id}.log`), 'utf8')).toContain('epoch   2/2');
    }
    // Progress as it happened: every run started, reported epochs and finished.
    expect(events.filter((e) => e.type === 'started')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'epoch').length).toBeGreaterThanOrEqual(18);
    expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ progress: { done: 6, failed: 0 } });

    // A rerun: every run is finished, nothing starts, no run file changes.
    const before = new Map(tree(join(out, 'runs')).map((f) => [f, statSync(join(out, 'runs', f)).mtimeMs]));
    const again = await runSweep({ file, out, workers: 2 });
    expect(again.started).toBe(0);
    expect(again.counts.done).toBe(6);
    const after = new Map(tree(join(out, 'runs')).map((f) => [f, statSync(join(out, 'runs', f)).mtimeMs]));
    expect(after).toEqual(before);
  });

  it('Ctrl-C (SIGINT) stops the sweep cleanly, keeps finished runs; --dry-run shows where each run stands; a rerun resumes the rest', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    // Longer runs (6 epochs of 1000 samples, ~0.25 s each) so the signal lands while runs are in progress.
    const file = tinySweep(dir, { epochs: 6, train: 1000 });
    const sweep = spawnRrm(['sweep', file, '--out', out, '--workers', '2']);
    // Wait until a run has finished an epoch of training, then press Ctrl-C.
    await waitFor('a run to finish its first epoch', () => {
      if (!existsSync(join(out, 'runs'))) return false;
      return readdirSync(join(out, 'runs')).some((id) => existsSync(join(out, 'runs', id, 'metrics.jsonl')) && epochsOf(join(out, 'runs', id)).includes(1));
    });
    sweep.child.kill('SIGINT');
    const exit = await sweep.exited;
    expect(exit.code, sweep.stderr).toBe(130);
    expect(sweep.stderr).toContain('SIGINT: stopping: no new runs');

    const dry = spawnRrm(['sweep', file, '--out', out, '--dry-run']);
    expect((await dry.exited).code, dry.stderr).toBe(0);
    const statuses = dry.stdout
      .trim()
      .split('\n')
      .slice(1, 7)
      .map((l) => l.split(/\s+/)[0]);
    expect(statuses).toHaveLength(6);
    expect(statuses.every((s) => ['done', 'interrupted', 'pending'].includes(s))).toBe(true);
    // The runs in progress were stopped after their current epoch (interrupted); the rest never started.
    expect(statuses.filter((s) => s === 'interrupted').length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 'pending').length).toBeGreaterThan(0);
    expect(dry.stdout).toMatch(/nothing started/);
    // No run folder is left locked or half-written.
    const runs = existsSync(join(out, 'runs')) ? readdirSync(join(out, 'runs')) : [];
    for (const id of runs) {
      const files = readdirSync(join(out, 'runs', id));
      expect(files.filter((f) => f === '.lock' || f.endsWith('.tmp'))).toEqual([]);
    }
    const doneBefore = runs.filter((id) => readRunSummary(join(out, 'runs', id))?.status === 'completed');
    const mtimes = new Map(doneBefore.map((id) => [id, statSync(join(out, 'runs', id, 'summary.json')).mtimeMs]));

    // Resume: everything ends done; finished runs untouched; interrupted runs continued, each epoch once.
    const resumed = spawnRrm(['sweep', file, '--out', out, '--workers', '2']);
    const rexit = await resumed.exited;
    expect(rexit.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${doneBefore.length} already finished, ${6 - doneBefore.length} to run`);
    expect(resumed.stdout).toContain('# Sweep tiny');
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csv.map((l) => l.split(',')[3])).toEqual(Array(6).fill('done'));
    for (const [id, t] of mtimes) expect(statSync(join(out, 'runs', id, 'summary.json')).mtimeMs).toBe(t);
    for (const id of readdirSync(join(out, 'runs'))) expect(epochsOf(join(out, 'runs', id))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(readdirSync(join(out, 'logs')).some((f) => readFileSync(join(out, 'logs', f), 'utf8').includes('resuming'))).toBe(true);
  });

  it('a run that fails at run time is reported when it happens and marked failed; the others finish; exit status 1', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    // webgpu validates (a registered backend) but cannot start on a machine without a GPU: a run-time failure.
    const file = tinySweep(dir, { epochs: 1, seeds: 1, grid: { backend: ['wasm', 'webgpu'] } });
    const sweep = spawnRrm(['sweep', file, '--out', out, '--workers', '2']);
    const exit = await sweep.exited;
    expect(exit.code, sweep.stderr).toBe(1);
    expect(sweep.stderr).toMatch(/FAILED \w{10} backend=webgpu seed=0: backend: expected a backend that can run on this machine/);
    expect(sweep.stderr).toMatch(/full log: .*logs\/\w{10}\.log/);
    expect(sweep.stderr).toContain('rrm: 1 run failed');
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csv.map((l) => l.split(',').slice(0, 1).concat(l.split(',')[3]))).toEqual([
      ['wasm', 'done'],
      ['webgpu', 'failed'],
    ]);
    const dry = spawnRrm(['sweep', file, '--out', out, '--dry-run']);
    await dry.exited;
    expect(dry.stdout).toMatch(/^failed\s+\w{10}\s+webgpu\s+0$/m);
  });
});
