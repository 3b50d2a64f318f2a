import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planSweep, type SweepPlan } from './plan';
import { sweepPlotSpecs, writeSweepPlots } from './plots';
import { recordFailure } from './run-state';
import { writeTables } from './tables';
import { tempDir, tinySweep } from './testing/fixtures';

/** A finished run folder as runTraining leaves it (the parts the tables read). */
function fakeRun(out: string, rate: number, status = 'completed') {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'config.json'), '{}');
  writeFileSync(
    join(out, 'summary.json'),
    JSON.stringify({ name: 'x', status, trainer: 'unsupervised', epochs: 2, steps: 4, samples: 100, finalTestSumRate: rate, finalPctWmmse: rate * 40, bestTestSumRate: rate + 0.1, bestEpoch: 1, bestSamples: 50, bestPctWmmse: (rate + 0.1) * 40, wmmseTestSumRate: 2.5, epochsTo95: 1, samplesTo95: 50, trainSeconds: 0.5, wallSeconds: 1, paramCount: 10 }),
  );
}

async function fakeSweep(): Promise<SweepPlan> {
  const dir = tempDir();
  const plan = await planSweep({ file: tinySweep(dir, { grid: { 'scenario.users': [4, 5], 'distill.beta.kind': ['none', 'decreasing'] }, seeds: 3 }), out: join(dir, 'out') });
  // users=4 none: 3 seeds done; users=4 decreasing: 2 done + 1 failed; users=5 none: 1 interrupted + 2 pending; users=5 decreasing: 1 done
  const [a, b, c, d, e, f, g, , , j] = plan.runs;
  fakeRun(a.out, 1.0);
  fakeRun(b.out, 1.2);
  fakeRun(c.out, 1.4);
  fakeRun(d.out, 2.0);
  fakeRun(e.out, 2.2);
  mkdirSync(f.out, { recursive: true });
  recordFailure(plan.dir, f.id, 'NaN loss');
  fakeRun(g.out, 0.5, 'interrupted');
  fakeRun(j.out, 3.0);
  return plan;
}

describe('sweep tables and plots', () => {
  it('sweep.csv has one row per run with grid values, seed, id, status and results', async () => {
    const plan = await fakeSweep();
    const { rows } = writeTables(plan);
    expect(rows.map((r) => r.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'failed', 'interrupted', 'pending', 'pending', 'done', 'pending', 'pending']);
    const csv = readFileSync(join(plan.dir, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('scenario.users,distill.beta.kind,seed,run,status,finalTestSumRate,finalPctWmmse,bestTestSumRate,bestPctWmmse,epochsTo95,epochs,trainSeconds');
    expect(csv).toHaveLength(13);
    expect(csv[1]).toBe(`4,none,0,${plan.runs[0].id},done,1,40,1.1,44,1,2,0.5`);
    expect(csv[6]).toBe(`4,decreasing,2,${plan.runs[5].id},failed,,,,,,,`);
    expect(csv[8]).toBe(`5,none,1,${plan.runs[7].id},pending,,,,,,,`);
  });

  it('summary.csv and summary.md aggregate finished seeds: mean, std, t-based 95 % CI, n', async () => {
    const plan = await fakeSweep();
    const { groups } = writeTables(plan);
    expect(groups.map((g) => [g.point['scenario.users'], g.point['distill.beta.kind'], g.n, g.seeds])).toEqual([
      [4, 'none', 3, 3],
      [4, 'decreasing', 2, 3],
      [5, 'none', 0, 3],
      [5, 'decreasing', 1, 3],
    ]);
    const s = groups[0].stats.finalTestSumRate!;
    expect(s.mean).toBeCloseTo(1.2, 12);
    expect(s.std).toBeCloseTo(0.2, 12);
    expect(s.ciHigh! - s.mean).toBeCloseTo((4.302653 * 0.2) / Math.sqrt(3), 6);
    const csv = readFileSync(join(plan.dir, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0].startsWith('scenario.users,distill.beta.kind,n,seeds,finalTestSumRate_mean,finalTestSumRate_std,finalTestSumRate_ci95_low,finalTestSumRate_ci95_high,')).toBe(true);
    expect(csv[3]).toMatch(/^5,none,0,3,,,,,/);
    const md = readFileSync(join(plan.dir, 'summary.md'), 'utf8');
    expect(md).toContain('12 runs (12 distinct): 6 done, 0 running, 1 interrupted, 1 failed, 4 pending.');
    expect(md).toContain('| 4 | none | 3/3 | 1.2000 ± 0.4968 (σ 0.2000) | 48.00 ± 19.87 (σ 8.00) |');
    expect(md).toContain('| 5 | decreasing | 1/3 | 3.0000 | 120.00 |');
    expect(md).toContain('| 5 | none | 0/3 | n/a | n/a |');
  });

  it('plots each metric against each axis with a CI band, a line per value of the other axis; spec JSON beside its SVG', async () => {
    const plan = await fakeSweep();
    const { groups } = writeTables(plan);
    const specs = sweepPlotSpecs(plan, groups);
    expect(specs.map((s) => s.name)).toEqual([
      'finalPctWmmse-vs-scenario.users',
      'finalPctWmmse-vs-distill.beta.kind',
      'finalTestSumRate-vs-scenario.users',
      'finalTestSumRate-vs-distill.beta.kind',
    ]);
    const spec = specs[2].spec as { data: { values: { x: unknown; series: string; mean: number; lo: number | null; hi: number | null; n: number }[] }; encoding: { x: { type: string } }; layer: { mark: { type: string } }[] };
    expect(spec.encoding.x.type).toBe('quantitative');
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['area', 'line']);
    expect(spec.data.values).toEqual([
      { x: 4, series: 'none', mean: expect.closeTo(1.2, 9), lo: expect.any(Number), hi: expect.any(Number), n: 3 },
      { x: 4, series: 'decreasing', mean: expect.closeTo(2.1, 9), lo: expect.any(Number), hi: expect.any(Number), n: 2 },
      { x: 5, series: 'decreasing', mean: 3, lo: null, hi: null, n: 1 },
    ]);
    expect((specs[3].spec as { encoding: { x: { type: string; sort: string[] } } }).encoding.x).toMatchObject({ type: 'ordinal', sort: ['none', 'decreasing'] });

    const svgs = await writeSweepPlots(plan, groups);
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) {
      expect(existsSync(svg.replace(/\.svg$/, '.vl.json'))).toBe(true);
      const text = readFileSync(svg, 'utf8');
      expect(text).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect(text).toContain('role-mark'); // marks were drawn
    }
    const text = readFileSync(svgs[2], 'utf8');
    expect(text).toContain('>decreasing</text>'); // the legend
    expect(text).toContain('final test sum rate (bit/s/Hz)');
  });
});
