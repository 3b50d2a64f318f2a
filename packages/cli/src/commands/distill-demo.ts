import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, type Registry } from '@rrm/core';
import { linePlotSpec, resolveConfig, writePlot, runTraining, type RunTrainingResult } from '@rrm/pipeline';

export interface DistillDemoOptions {
  readonly registry: Registry;
  readonly out: string;
  readonly users?: number;
  readonly train?: number;
  readonly test?: number;
  readonly epochs?: number;
  readonly seed?: number;
  readonly model?: string;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** The three arms of the AD paper's dataset-pattern comparison. */
export const DEMO_ARMS: readonly { name: string; label: string; sets: [string, unknown][] }[] = [
  { name: 'unsupervised', label: 'unsupervised', sets: [['trainer.kind', 'unsupervised']] },
  { name: 'supervised', label: 'supervised (FPLinQ labels)', sets: [['trainer.kind', 'supervised']] },
  {
    name: 'ad-decreasing',
    label: 'AD, decreasing β (FPLinQ)',
    sets: [['trainer.kind', 'unsupervised'], ['distill.beta.kind', 'decreasing']],
  },
];

/**
 * `npm start`: a GNN at K = 10 trained unsupervised, supervised on FPLinQ labels, and with algorithm
 * distillation (decreasing β), on the same data and seed; a table and one convergence plot.
 */
export async function distillDemo(opts: DistillDemoOptions): Promise<{ arm: string; result: RunTrainingResult }[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const common: [string, unknown][] = [
    ['seed', opts.seed ?? 0],
    ['scenario.users', opts.users ?? 10],
    ['data.train', opts.train ?? 2000],
    ['data.test', opts.test ?? 500],
    ['model.kind', opts.model ?? 'gnn'],
    ['teacher.kind', 'fplinq'],
    ['trainer.epochs', opts.epochs ?? 20],
    ['trainer.batch', 64],
    ['trainer.optimizer.lr', 0.005],
    // Cosine decay to 0: the final epoch is then a stable read-out rather than one noisy Adam step.
    ['trainer.optimizer.schedule', { kind: 'cosine' }],
  ];
  mkdirSync(opts.out, { recursive: true });
  const results: { arm: string; result: RunTrainingResult }[] = [];
  for (const arm of DEMO_ARMS) {
    const config = resolveConfig(undefined, [...common, ...arm.sets]);
    log(`\n== ${arm.label} ==`);
    // The demo folder is the demo's own: each arm is retrained (force) rather than refused.
    const result = await runTraining(config, { registry: opts.registry, out: join(opts.out, arm.name), name: arm.label, log, signal: opts.signal, force: true });
    results.push({ arm: arm.label, result });
    if (opts.signal?.aborted) break;
  }
  const wmmse = results[0].result.summary.wmmseTestSumRate ?? NaN;
  const rows = results.map(({ arm, result: { summary: s } }) =>
    `| ${arm}${s.status === 'completed' ? '' : ` (${s.status} at epoch ${s.epochs})`} | ${s.finalTestSumRate.toFixed(4)} | ${s.finalPctWmmse?.toFixed(1) ?? 'n/a'} % | ${s.bestTestSumRate.toFixed(4)} (epoch ${s.bestEpoch}) | ${s.epochsTo95 ?? 'n/a'} | ${s.trainSeconds.toFixed(1)} s |`,
  );
  const table = [
    `| training | final test sum rate (bit/s/Hz) | % of WMMSE | best | epochs to 95 % of final | train time |`,
    `|---|---|---|---|---|---|`,
    ...rows,
  ].join('\n');
  const spec = linePlotSpec(
    results.map(({ arm, result }) => ({ name: arm, x: result.records.map((r) => r.epoch), y: result.records.map((r) => r.testSumRate) })),
    { title: `${opts.model ?? 'gnn'}, K = ${opts.users ?? 10}: unsupervised vs supervised vs AD`, xTitle: 'epoch', yTitle: 'test sum rate (bit/s/Hz)', reference: { name: 'WMMSE-100', y: wmmse } },
  );
  await writePlot(join(opts.out, 'convergence'), spec);
  const missing = DEMO_ARMS.slice(results.length).map((a) => a.label);
  const note = missing.length ? `\n\n**Interrupted**: not run: ${missing.join(', ')}.` : '';
  writeFileAtomic(join(opts.out, 'report.md'), `# Distillation demo\n\n![convergence](convergence.svg)\n\nWMMSE-100 on the test set: ${wmmse.toFixed(4)} bit/s/Hz\n\n${table}${note}\n\nPer-arm run folders: ${DEMO_ARMS.map((a) => `\`${a.name}/\``).join(', ')}.\n`);
  log(`\nWMMSE-100 on the test set: ${wmmse.toFixed(4)} bit/s/Hz\n${table}\nreport: ${join(opts.out, 'report.md')}`);
  return results;
}
