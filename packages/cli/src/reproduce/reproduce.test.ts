import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinRegistry } from '@rrm/pipeline';
import { planSweep } from '@rrm/sweep';
import { runCli, tempDir } from '../test-helpers';
import { PROFILES, listExperiments, readExperiment } from './experiment';
import { reproduce } from './reproduce';

describe('rrm reproduce', () => {
  const experiments = listExperiments();

  it('ships an experiment for every figure and table the reproduction covers, each with a cost per profile', () => {
    const ids = experiments.map((e) => e.id);
    for (const id of ['ad-fig3a', 'ad-fig3b', 'ad-fig3c', 'ad-fig4a', 'ad-fig4b', 'ad-fig4c', 'ad-fig5', 'ad-fig6', 'ad-fig7', 'ad-fig8', 'uwgnn-table-accuracy', 'uwgnn-table-complexity', 'uwgnn-scalability']) {
      expect(ids).toContain(id);
    }
    for (const e of experiments) for (const p of PROFILES) expect(e.spec.cost[p], `${e.id} cost.${p}`).toMatch(/^[\d.]+ (min|h)$/);
  });

  it('dry-runs every experiment at every profile: each run resolved and validated by its plugins, seeds ≥ 3 at standard', async () => {
    const registry = builtinRegistry();
    for (const e of experiments) {
      for (const profile of PROFILES) {
        const plan = await planSweep({ file: e.path, profile, registry, out: '/nonexistent/rrm-dry-run' });
        expect(plan.runs.length, `${e.id} ${profile}`).toBeGreaterThan(0);
        if (profile !== 'quick') expect(plan.file.seeds.length, `${e.id} ${profile} seeds`).toBeGreaterThanOrEqual(e.id === 'uwgnn-table-complexity' && profile === 'standard' ? 1 : 3);
      }
    }
  });

  it('compares like with like: every dataset-pattern run of an experiment has the same epochs, batch and optimizer (a variant that changes the trainer kind keeps them)', async () => {
    const registry = builtinRegistry();
    for (const e of experiments) {
      for (const profile of PROFILES) {
        const plan = await planSweep({ file: e.path, profile, registry, out: '/nonexistent/rrm-dry-run' });
        const dataset = plan.runs.map((r) => r.config.trainer as Record<string, unknown>).filter((t) => (t.kind === 'supervised' || t.kind === 'unsupervised') && (t.epochs as number) > 0);
        // Experiments that compare supervised with unsupervised training (an ablation may vary the optimizer on purpose).
        if (new Set(dataset.map((t) => t.kind)).size < 2) continue;
        const settings = new Set(dataset.map((t) => JSON.stringify([t.epochs, t.batch, t.optimizer])));
        expect(settings.size, `${e.id} ${profile}: ${[...settings].join(' vs ')}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('--list prints every experiment with its runs and CPU time per profile', async () => {
    const r = await runCli(['reproduce', '--list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^id\s+paper\s+figure\s+runs\/quick\s+runs\/standard\s+runs\/paper\s+CPU quick\s+CPU standard\s+CPU paper/);
    for (const e of experiments) expect(r.out).toMatch(new RegExp(`^${e.id}\\s+${e.spec.paper}\\s`, 'm'));
  });

  it('rejects an experiment whose claims name an axis it does not have, naming the field', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'name: bad\nbase: { model: { kind: mlp } }\nvariants: { a: {}, b: {} }\nreproduce:\n  paper: ad\n  figure: X\n  title: t\n  claims:\n    - { text: t, metric: finalTestSumRate, better: { variant: a }, than: { varient: b } }\n',
    );
    expect(() => readExperiment(file)).toThrow(/reproduce\.claims\[0\]\.than\.varient: expected an axis of the experiment \(variant\)/);
  });

  it(
    'runs three experiments end to end at the quick profile (training, held-out test sets, classical baselines): sections with the paper beside ours and a verdict, an assembled report; a rerun starts nothing',
    async () => {
      const out = tempDir('rrm-reproduce-');
      const report = join(out, 'docs', 'results.md');
      const opts = { ids: ['ad-fig3a', 'uwgnn-shift', 'uwgnn-table-complexity'], profile: 'quick', out: join(out, 'root'), report, workers: 2 };
      const first = await reproduce(opts);
      expect(first.map((o) => o.exp.id)).toEqual(['ad-fig3a', 'uwgnn-shift', 'uwgnn-table-complexity']);
      expect(first.map((o) => o.started)).toEqual([2, 1, 2]);
      // AD Fig. 3a: the paper's five numbers beside ours, its claims checked.
      const fig3a = readFileSync(join(out, 'root', 'ad-fig3a', 'section.md'), 'utf8');
      expect(fig3a).toMatch(/^### AD Fig\. 3a: MLP, dataset pattern, convergence at K = 20 \(`ad-fig3a`\)/);
      expect(fig3a).toMatch(/\| variant=ad-decreasing, channel\.gain=amplitude \| 1\.86 \| \d\.\d{4} \| [+-]\d\.\d{4} \| (yes|no) \|/);
      expect(fig3a).toMatch(/\| variant=unsupervised, channel\.gain=amplitude \| 1\.64 \| — \| — \| not run \|/);
      expect(fig3a).toMatch(/- [✓✗] AD \(decreasing β\) ends above SUP \(\d\.\d{4} vs \d\.\d{4}\)/);
      expect(first[0].verdict!.kind).not.toBe('not run');
      expect(fig3a).toMatch(/Profile `quick`, seeds 0; 2 of 2 runs finished/);
      // uwgnn-shift: the trained run scored on five held-out test sets, WMMSE-100 on each.
      const shift = JSON.parse(readFileSync(join(out, 'root', 'uwgnn-shift', 'results.json'), 'utf8'));
      expect(shift.groups.map((g: { point: { test: string } }) => g.point.test)).toEqual(['rayleigh-v1', 'rayleigh-v0.5', 'rayleigh-v2', 'rician-k1', 'rician-k10']);
      for (const g of shift.groups) {
        expect(g.stats.evalPctWmmse.mean).toBeGreaterThan(0);
        expect(g.stats.evalWmmseSumRate.mean).toBeGreaterThan(g.stats.evalSumRate.mean * 0.5);
      }
      // Baselines (classical methods on the same test set): WMMSE-100 called per sample gives the batched
      // call's powers, and the batched call is the reference itself (100 % of WMMSE-100).
      const complexity = JSON.parse(readFileSync(join(out, 'root', 'uwgnn-table-complexity', 'results.json'), 'utf8'));
      const row = (v: string) => complexity.groups.find((g: { point: { variant: string } }) => g.point.variant === v).stats;
      expect(row('wmmse-100-loop').evalSumRate.mean).toBe(row('wmmse-100-batched').evalSumRate.mean);
      expect(row('wmmse-100-batched').evalPctWmmse.mean).toBeCloseTo(100, 10);
      expect(row('uwgnn').params.mean).toBe(953);
      // The report: every experiment listed, the two run here with their sections, the plots copied beside it.
      const text = readFileSync(report, 'utf8');
      for (const e of experiments) expect(text).toContain(`| \`${e.id}\` |`);
      expect(text).toMatch(/\| `ad-fig4a` \| ad \| AD Fig\. 4a \| not run \|/);
      for (const m of text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(existsSync(join(out, 'docs', m[1])), m[1]).toBe(true);
      expect(readdirSync(join(out, 'docs', 'figures', 'reproduce'))).toEqual(['reproduce-ad-fig3a.svg', 'reproduce-uwgnn-shift.svg', 'reproduce-uwgnn-table-complexity.svg']);
      // A rerun resumes: every run is already finished, and the test-set scores are cached.
      const again = await reproduce(opts);
      expect(again.map((o) => o.started)).toEqual([0, 0, 0]);
      expect(again.map((o) => o.verdict!.kind)).toEqual(first.map((o) => o.verdict!.kind));
    },
    300_000,
  );
});
