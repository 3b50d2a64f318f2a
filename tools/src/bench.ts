/**
 * `npm run bench [-- --json FILE] [-- --only teachers|models|pipeline]`: every benchmark, printed as a table;
 * with --json, one record per benchmark: { id, backend, median_ms, unit, samples_per_s }.
 * Timing lives here, never in pass/fail tests. Machines are noisy: compare ratios from one run.
 */
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '@rrm/core';
import { shutdownWorkers } from '@rrm/teachers-wmmse';
import { benchTeachers, numpyReference, type BenchRecord, type NumpyTiming } from './bench-teachers';
import { benchModels } from './bench-models';
import { benchPipeline } from './bench-pipeline';

const { values } = parseArgs({ options: { json: { type: 'string' }, only: { type: 'string' } } });

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function printTable(records: readonly (BenchRecord & { reference?: string; ratio?: string })[]): void {
  console.log(`${pad('id', 28)}${pad('backend', 40)}${pad('median', 12)}${pad('unit', 18)}${pad('samples/s', 12)}${pad('reference', 24)}ratio`);
  for (const r of records) {
    const value = r.median_ms < 1 ? r.median_ms.toFixed(4) : r.median_ms.toFixed(1);
    console.log(`${pad(r.id, 28)}${pad(r.backend, 40)}${pad(value, 12)}${pad(r.unit, 18)}${pad(Math.round(r.samples_per_s).toString(), 12)}${pad(r.reference ?? '-', 24)}${r.ratio ?? '-'}`);
  }
}

async function main(): Promise<void> {
  const all: (BenchRecord & { reference?: string; ratio?: string })[] = [];
  if (!values.only || values.only === 'teachers') {
    console.error('teachers: WMMSE-100 and FP-100, B = 1000 ...');
    const records = await benchTeachers();
    await shutdownWorkers();
    const numpy = new Map<string, NumpyTiming | undefined>();
    for (const algo of ['wmmse', 'fp'] as const) for (const K of [10, 20, 50]) numpy.set(`${algo}100-k${K}`, numpyReference(algo, K));
    for (const r of records) {
      const ref = numpy.get(r.id.replace(/-auto$/, ''));
      const refValue = ref === undefined ? undefined : r.unit === 'ms/sample' ? ref.ms_per_sample : ref.ms_per_1000;
      all.push({
        ...r,
        reference: refValue === undefined ? undefined : `NumPy ${refValue.toPrecision(3)}`,
        ratio: refValue === undefined ? undefined : `NumPy/ours ${(refValue / r.median_ms).toFixed(2)}×`,
      });
    }
  }
  if (!values.only || values.only === 'models') {
    console.error('models: training steps and inference ...');
    all.push(...(await benchModels()));
  }
  if (!values.only || values.only === 'pipeline') {
    console.error('pipeline: runTraining end to end ...');
    all.push(...(await benchPipeline()));
  }
  printTable(all);
  if (values.json) {
    const plain = all.map(({ id, backend, median_ms, unit, samples_per_s }) => ({ id, backend, median_ms, unit, samples_per_s }));
    writeFileAtomic(values.json, JSON.stringify(plain, null, 2) + '\n');
    console.error(`wrote ${plain.length} records to ${values.json}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
