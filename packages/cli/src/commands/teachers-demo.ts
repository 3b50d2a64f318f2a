import { meanSumRate, streams, type PluginSpec, type Registry } from '@rrm/core';

export interface TeachersDemoOptions {
  readonly registry: Registry;
  readonly users: readonly number[];
  readonly samples: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export interface TeacherRow {
  readonly users: number;
  readonly teacher: string;
  readonly mean: number;
  readonly pctWmmse: number;
  readonly msPer1000: number;
}

/** Teachers and baselines compared on the Gaussian interference channel (h ~ CN(0,1), σ² = 1, p_max = 1). */
export const DEMO_TEACHERS: readonly { label: string; spec: PluginSpec; maxUsers?: number }[] = [
  { label: 'wmmse (100 it, from p_max)', spec: { kind: 'wmmse' } },
  { label: 'wmmse (best of 10 random)', spec: { kind: 'wmmse', init: 'random', restarts: 10, seed: 1 } },
  { label: 'fplinq (100 it)', spec: { kind: 'fplinq' } },
  { label: 'fplinq schedule', spec: { kind: 'fplinq', mode: 'schedule' } },
  { label: 'binary (exhaustive)', spec: { kind: 'binary' }, maxUsers: 12 },
  { label: 'full power', spec: { kind: 'full' } },
  { label: 'random', spec: { kind: 'random', seed: 1 } },
];

export async function teachersDemo(opts: TeachersDemoOptions): Promise<TeacherRow[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const rows: TeacherRow[] = [];
  const channel = opts.registry.create('channel', { kind: 'rayleigh' });
  for (const users of opts.users) {
    const channels = channel.generate({ batch: opts.samples, users, rng: streams(opts.seed).get(`demo-k${users}`) });
    let reference = NaN;
    for (const t of DEMO_TEACHERS) {
      if (t.maxUsers !== undefined && users > t.maxUsers) {
        log(`  K=${String(users).padStart(3)}  ${t.label.padEnd(28)} skipped: only up to K = ${t.maxUsers} (exhaustive search over 2^K on/off patterns)`);
        continue;
      }
      const teacher = opts.registry.create('teacher', t.spec);
      const start = performance.now();
      const powers = await teacher.solve({ channels, noise: 1, pmax: 1 });
      const ms = performance.now() - start;
      const mean = meanSumRate(channels, powers, { noise: 1 });
      if (Number.isNaN(reference)) reference = mean;
      const row = { users, teacher: t.label, mean, pctWmmse: (100 * mean) / reference, msPer1000: (ms * 1000) / opts.samples };
      rows.push(row);
      log(`  K=${String(users).padStart(3)}  ${t.label.padEnd(28)} ${mean.toFixed(3).padStart(7)} bit/s/Hz  ${row.pctWmmse.toFixed(1).padStart(6)} %  ${row.msPer1000.toFixed(1).padStart(9)} ms/1000`);
    }
  }
  return rows;
}
