import * as tf from '@tensorflow/tfjs';
import type { TensorBackend } from './contracts';
import type { Plugin, Registry } from './registry';
import { ValidationError } from './errors';

/**
 * TensorFlow.js backends as plugins. `wasm` (SIMD, single-threaded under Node) is the default;
 * `cpu` is the pure-JS reference. Packages for tfjs-node or WebGPU register further entries the same way.
 */
export const wasmBackend: TensorBackend = {
  kind: 'wasm',
  async init() {
    await import('@tensorflow/tfjs-backend-wasm');
    return true;
  },
};

export const cpuBackend: TensorBackend = {
  kind: 'cpu',
  async init() {
    return true;
  },
};

export const backendsPlugin: Plugin = {
  name: '@rrm/core/backends',
  register(registry: Registry) {
    registry.add('backend', {
      name: 'wasm',
      description: 'WebAssembly with SIMD (default; single-threaded under Node)',
      create: () => wasmBackend,
    });
    registry.add('backend', { name: 'cpu', description: 'pure JavaScript reference backend', create: () => cpuBackend });
  },
};

/** Activates a registered backend by name; a backend that cannot run here is a clear error. */
export async function useBackend(registry: Registry, name = 'wasm', field = 'backend'): Promise<string> {
  tf.enableProdMode();
  const backend = registry.create('backend', { kind: name }, field);
  if (!(await backend.init())) throw new ValidationError(field, `a backend that can run on this machine`, name);
  if (tf.getBackend() !== name || !tf.engine().backendName) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new ValidationError(field, `a backend that initialises on this machine`, name);
  }
  await tf.ready();
  return tf.getBackend();
}
