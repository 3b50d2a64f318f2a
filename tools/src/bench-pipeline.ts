/**
 * End-to-end training through the library entry point (`runTraining`, the path `rrm train`, the demo and
 * sweep workers take): wall time per epoch and training samples per second, set-up included once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, runTraining } from '@rrm/pipeline';
import type { BenchRecord } from './bench-teachers';

const CASES: { id: string; sets: [string, unknown][] }[] = [
  { id: 'pipeline-mlp-k20', sets: [['model.kind', 'mlp'], ['scenario.users', 20]] },
  { id: 'pipeline-gnn-k10-ad', sets: [['model.kind', 'gnn'], ['scenario.users', 10], ['distill.beta.kind', 'decreasing']] },
];

export async function benchPipeline(): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  for (const c of CASES) {
    const root = mkdtempSync(join(tmpdir(), 'rrm-bench-pipeline-'));
    const epochs = 5;
    const train = 1000;
    const config = resolveConfig(undefined, [['data.train', train], ['data.test', 200], ['trainer.epochs', epochs], ['cache', join(root, 'cache')], ...c.sets]);
    // First run computes and caches the teacher labels; the timed run reads them, as a sweep's later runs do.
    await runTraining(config, { out: join(root, 'warm') });
    const t0 = performance.now();
    const { summary } = await runTraining(config, { out: join(root, 'run') });
    const ms = performance.now() - t0;
    records.push({ id: c.id, backend: `wasm, ${epochs} epochs × ${train}`, median_ms: ms / epochs, unit: 'ms/epoch (end to end)', samples_per_s: summary.samples / (ms / 1000) });
    rmSync(root, { recursive: true, force: true });
  }
  return records;
}
