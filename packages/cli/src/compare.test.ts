import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '@rrm/pipeline';
import { compareRuns } from './commands/compare';
import { runCli, tempDir } from './test-helpers';

/** A run folder as RunFolder writes it (config.json, metrics.jsonl, summary.json), without training. */
function fakeRun(dir: string, opts: { name: string; noise: number; finals: number[]; wmmse: number; status?: string }): string {
  mkdirSync(dir, { recursive: true });
  const config = resolveConfig(undefined, [['scenario.noise', opts.noise], ['scenario.users', 10]]);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  const rows = opts.finals.map((v, n) => ({ epoch: n, testSumRate: v, pctWmmse: (100 * v) / opts.wmmse }));
  writeFileSync(join(dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const final = opts.finals[opts.finals.length - 1];
  const summary = {
    name: opts.name,
    status: opts.status ?? 'completed',
    trainer: 'unsupervised',
    epochs: opts.finals.length - 1,
    finalTestSumRate: final,
    finalPctWmmse: (100 * final) / opts.wmmse,
    wmmseTestSumRate: opts.wmmse,
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return dir;
}

describe('rrm compare of runs with different scenarios', () => {
  it("normalises each run by its own WMMSE and warns that the scenarios (σ²) differ", async () => {
    const d = tempDir('rrm-cmp-');
    const a = fakeRun(join(d, 'a'), { name: 'a', noise: 1, finals: [1, 1.5, 1.8], wmmse: 2 });
    const b = fakeRun(join(d, 'b'), { name: 'b', noise: 0.1, finals: [1, 1.9, 2], wmmse: 4 });
    const warnings: string[] = [];
    const rows = await compareRuns({ runs: [a, b], out: join(d, 'cmp.svg'), warn: (m) => warnings.push(m) });
    expect(rows.map((r) => r.pctWmmse)).toEqual([90, 50]); // b against its own 4.0, not a's 2.0 (100 %)
    expect(rows.map((r) => r.wmmse)).toEqual([2, 4]);
    expect(warnings.join('\n')).toMatch(/scenarios differ \(noise \(σ²\): 1 in a, 0\.1 in b\)/);
    const md = readFileSync(join(d, 'cmp.md'), 'utf8');
    expect(md).toContain('| b | 2.0000 | 4.0000 | 50.0 % |');
    expect(md).toMatch(/Scenarios differ/);
    // No shared WMMSE line across different scenarios.
    const svg = readFileSync(join(d, 'cmp.svg'), 'utf8');
    expect(svg).not.toContain('WMMSE');
    expect(svg).toMatch(/^<svg[\s\S]*>a<[\s\S]*>b<[\s\S]*<\/svg>$/); // the legend names both runs
    // The spec beside the SVG holds the runs' curves as they are in metrics.jsonl, and no reference layer.
    const spec = JSON.parse(readFileSync(join(d, 'cmp.vl.json'), 'utf8'));
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].data.values).toEqual([
      ...[1, 1.5, 1.8].map((y, x) => ({ series: 'a', x, y })),
      ...[1, 1.9, 2].map((y, x) => ({ series: 'b', x, y })),
    ]);

    const cli = await runCli(['compare', '--runs', a, b, '--out', join(d, 'cli.svg')]);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.err).toMatch(/warning: the runs' scenarios differ \(noise \(σ²\): 1 in a, 0\.1 in b\)/);
    expect(cli.out).toMatch(/b: final 2\.0000 bit\/s\/Hz \(50\.0 % of its WMMSE 4\.0000\)/);
  });

  it('one scenario: no warning and one (mean) reference line', async () => {
    const d = tempDir('rrm-cmp-');
    const a = fakeRun(join(d, 'a'), { name: 'a', noise: 1, finals: [1, 1.8], wmmse: 2 });
    const b = fakeRun(join(d, 'b'), { name: 'b', noise: 1, finals: [1, 1.5], wmmse: 2 });
    const warnings: string[] = [];
    const rows = await compareRuns({ runs: [a, b], out: join(d, 'cmp.svg'), warn: (m) => warnings.push(m) });
    expect(rows.map((r) => r.pctWmmse)).toEqual([90, 75]);
    expect(warnings).toEqual([]);
    expect(readFileSync(join(d, 'cmp.svg'), 'utf8')).toContain('WMMSE-100 (mean over runs)');
    const spec = JSON.parse(readFileSync(join(d, 'cmp.vl.json'), 'utf8'));
    expect(spec.layer[1].data.values).toEqual([{ reference: 'WMMSE-100 (mean over runs)', y: 2 }]);
  });

  it('refuses a non-.svg output, an output over a run file, and warns about a run whose writer died', async () => {
    const d = tempDir('rrm-cmp-');
    const a = fakeRun(join(d, 'a'), { name: 'a', noise: 1, finals: [1, 1.8], wmmse: 2, status: 'running' });
    writeFileSync(join(d, 'gains.npy'), 'input');
    const npy = await runCli(['compare', '--runs', a, '--out', join(d, 'gains.npy')]);
    expect(npy.code).toBe(2);
    expect(npy.err).toMatch(/--out: expected a file name ending in \.svg/);
    expect(readFileSync(join(d, 'gains.npy'), 'utf8')).toBe('input');
    const over = await runCli(['compare', '--runs', a, '--out', join(a, 'convergence.svg')]);
    expect(over.code).toBe(0); // the run has no convergence.svg yet: nothing to destroy …
    const again = await runCli(['compare', '--runs', a, '--out', join(a, 'convergence.svg')]);
    expect(again.code).toBe(2); // … but now it does
    expect(again.err).toMatch(/--out: expected a path other than the input run file/);
    expect(over.err).toMatch(/warning: .*summary\.json says 'running' but no live process holds the run/);
    const corrupt = fakeRun(join(d, 'c'), { name: 'c', noise: 1, finals: [1], wmmse: 2 });
    writeFileSync(join(corrupt, 'config.json'), '{"scenario": ');
    const bad = await runCli(['compare', '--runs', corrupt, '--out', join(d, 'x.svg')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/c\/config\.json: expected the JSON config written by rrm train/);
    expect(existsSync(join(d, 'x.svg'))).toBe(false);
  });
});
