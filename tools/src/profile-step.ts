/**
 * `npm run profile -- --model gnn --users 40 [--batch 64] [--steps 20] [--backend wasm] [--top 15]`
 *
 * Where the time of one training step goes: times the trainer's own step (host-gathered batch,
 * forward, sum-rate loss, backward, Adam) and prints tf.profile's kernels, summed by kernel name and the
 * slowest single calls with their input shapes. `--model` takes a registered model kind or a JSON spec,
 * e.g. '{"kind":"gnn","shareWeights":true}'. Kernel times include wasm's per-kernel overhead; the sum
 * can exceed the step time because profiling itself slows kernels down.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Registry, backendsPlugin, useBackend, type PluginSpec } from '@rrm/core';
import { channelsPlugin } from '@rrm/channels';
import { gnnPlugin } from '@rrm/models-gnn';
import { mlpPlugin } from '@rrm/models-mlp';
import { createTrainStep } from './train-step';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'gnn' },
    users: { type: 'string', default: '20' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '20' },
    backend: { type: 'string', default: 'wasm' },
    top: { type: 'string', default: '15' },
  },
});

const registry = new Registry().use(backendsPlugin).use(channelsPlugin).use(mlpPlugin).use(gnnPlugin);
await useBackend(registry, values.backend);
const spec: PluginSpec = values.model!.trim().startsWith('{') ? JSON.parse(values.model!) : { kind: values.model! };
const users = Number(values.users);
const batch = Number(values.batch);
const steps = Number(values.steps);
const top = Number(values.top);

const { step, dispose } = await createTrainStep(registry, spec, users, batch);

for (let i = 0; i < 3; i++) await step();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await step();
const ms = (performance.now() - t0) / steps;
console.log(`${JSON.stringify(spec)}, K = ${users}, B = ${batch}, ${tf.getBackend()}: ${ms.toFixed(2)} ms per step (mean of ${steps})`);

// Backend kernel launches of one step, counted by wrapping every kernel registered for the backend
// (tf.profile lists a custom-gradient op as one 'unnamed scope' and hides the kernels inside it).
const launches = new Map<string, number>();
const backendName = tf.getBackend();
const originals = tf.getKernelsForBackend(backendName).map((k) => ({ ...k }));
for (const k of originals) {
  tf.unregisterKernel(k.kernelName, backendName);
  tf.registerKernel({ ...k, kernelFunc: (args) => (launches.set(k.kernelName, (launches.get(k.kernelName) ?? 0) + 1), k.kernelFunc(args)) });
}
await step();
for (const k of originals) {
  tf.unregisterKernel(k.kernelName, backendName);
  tf.registerKernel(k);
}
const launched = [...launches.values()].reduce((a, b) => a + b, 0);
console.log(`\n${launched} backend kernel launches per step: ${[...launches].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ×${c}`).join(', ')}`);

const prof = await tf.profile(step);
// tf.profile resolves the kernel times before it returns; anything else (an error object) counts as 0.
const kernelMs = (k: { kernelTimeMs: unknown }) => (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
const byName = new Map<string, { calls: number; ms: number }>();
for (const k of prof.kernels) {
  const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
  e.calls++;
  e.ms += kernelMs(k);
  byName.set(k.name, e);
}
const total = prof.kernels.reduce((a, k) => a + kernelMs(k), 0);
console.log(`\n${prof.kernels.length} kernels, ${total.toFixed(2)} ms of kernel time (profiled step)\n\nby kernel:`);
for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
  console.log(`  ${name.padEnd(28)} ×${String(e.calls).padEnd(5)} ${e.ms.toFixed(2).padStart(8)} ms`);
}
console.log('\nslowest calls:');
for (const k of [...prof.kernels].sort((a, b) => kernelMs(b) - kernelMs(a)).slice(0, top)) {
  console.log(`  ${k.name.padEnd(28)} ${kernelMs(k).toFixed(2).padStart(8)} ms  ${JSON.stringify(k.inputShapes)}`);
}
await dispose();
