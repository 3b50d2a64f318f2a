import * as tf from '@tensorflow/tfjs';
import type { TensorBackend } from './contracts';
import type { Plugin, Registry } from './registry';
import { ValidationError } from './errors';
import { dispatchLimitOverride } from './dispatch-limit';
import { parseOptions, strictOptions } from './schema';
import { registerWasmKernels } from './wasm-kernels';

/**
 * TensorFlow.js backends as plugins. `wasm` (SIMD, single-threaded under Node) is the default;
 * `cpu` is the pure-JS reference. `tensorflow` (tfjs-node) and `webgpu` (Dawn through the `webgpu` npm
 * package) are loaded only when selected, from packages the user installs: neither is a dependency
 * (tfjs-node's install script downloads libtensorflow; Dawn needs a GPU and a Vulkan driver).
 */

/** import() of a package that is not a declared dependency (so TypeScript does not resolve it). */
async function optionalImport(name: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
export const wasmBackend: TensorBackend = {
  kind: 'wasm',
  async init() {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmKernels();
    return true;
  },
};

export const cpuBackend: TensorBackend = {
  kind: 'cpu',
  async init() {
    return true;
  },
};

export const tensorflowBackend: TensorBackend = {
  kind: 'tensorflow',
  requirements: "the package @tensorflow/tfjs-node@4.22.0 (npm install @tensorflow/tfjs-node@4.22.0; its install script downloads libtensorflow)",
  async init() {
    // Registration, not initialisation: findBackend is null until tf.setBackend has run the factory.
    return (await optionalImport('@tensorflow/tfjs-node')) !== undefined && tf.findBackendFactory('tensorflow') !== null;
  },
};

/**
 * Elements one webgpu dispatch may cover: WebGPU's default maxComputeWorkgroupsPerDimension (65 535)
 * times the 64 threads per workgroup of tfjs-backend-webgpu's default workgroup size, one element per
 * thread. Unverified on a GPU: an assumption from the documented limits, not a measurement. It covers the
 * flat element-wise kernels; kernels that carry the batch in the Y or Z dimension (a batched matMul puts
 * one workgroup row per batch entry in Z) can fail below it (GPU.md: UWGNN at K = 50 failed at B = 2 000,
 * where the GNN aggregation's matMul has a batch of B·K); set RRM_MAX_DISPATCH_ELEMENTS lower there.
 */
export const WEBGPU_MAX_DISPATCH_ELEMENTS = 65_535 * 64;

/**
 * WebGPU through Dawn's Node binding. tfjs-backend-webgpu registers itself on import only when
 * `navigator.gpu` exists, so the GPU object and Dawn's globals are installed first (STACK.md's recipe).
 * Large dispatches fail ("Dispatch size exceeds WebGPU limits"): inference splits its batches by
 * `maxDispatchElements` (dispatch-limit.ts); keep the training batch's B·K² moderate.
 */
export const webgpuBackend: TensorBackend = {
  kind: 'webgpu',
  maxDispatchElements: WEBGPU_MAX_DISPATCH_ELEMENTS,
  requirements:
    'the packages webgpu and @tensorflow/tfjs-backend-webgpu@4.22.0, a GPU and a Vulkan driver (Debian libvulkan1; VK_DRIVER_FILES may need to name the vendor ICD); unverified on a GPU: this plugin has not run end to end on one',
  async init() {
    if (tf.findBackendFactory('webgpu')) return true;
    const dawn = (await optionalImport('webgpu')) as { create?: (flags: string[]) => { requestAdapter(): Promise<unknown> }; globals?: object } | undefined;
    if (!dawn?.create || !dawn.globals) return false;
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (!(await gpu.requestAdapter())) return false;
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
    else (globalThis as { navigator?: object }).navigator = { gpu };
    return (await optionalImport('@tensorflow/tfjs-backend-webgpu')) !== undefined && tf.findBackendFactory('webgpu') !== null;
  },
};

/** Backends take no options (the schema rejects any, naming the field). */
const NO_OPTIONS = strictOptions({});

const BACKENDS: readonly [TensorBackend, string][] = [
  [wasmBackend, 'WebAssembly with SIMD (default; single-threaded under Node)'],
  [cpuBackend, 'pure JavaScript reference backend'],
  [tensorflowBackend, 'native libtensorflow via @tensorflow/tfjs-node (optional; install it yourself)'],
  [webgpuBackend, 'GPU via WebGPU (Dawn, npm package webgpu; optional; needs a GPU; unverified on a GPU)'],
];

/**
 * Dispatch limits by tf backend name: the built-in ones, then whatever `useBackend` activated (so a
 * third-party backend plugin's limit applies too, and a backend set with tf.setBackend directly still
 * gets its built-in limit).
 */
const dispatchLimits = new Map<string, number | undefined>(BACKENDS.map(([b]) => [b.kind, b.maxDispatchElements]));

/**
 * The element limit of one kernel dispatch on the active tf backend: RRM_MAX_DISPATCH_ELEMENTS when set
 * (validated), else the backend's `maxDispatchElements`, else Infinity (no splitting).
 */
export function activeDispatchLimit(env: NodeJS.ProcessEnv = process.env): number {
  return dispatchLimitOverride(env) ?? dispatchLimits.get(tf.getBackend()) ?? Infinity;
}

export const backendsPlugin: Plugin = {
  name: '@rrm/core/backends',
  register(registry: Registry) {
    for (const [backend, description] of BACKENDS) {
      registry.add('backend', { name: backend.kind, description, schema: NO_OPTIONS, create: (o, ctx) => (parseOptions(NO_OPTIONS, o, ctx.field), backend) });
    }
  },
};

/** Activates a registered backend by name; a backend that cannot run here is a clear error. */
export async function useBackend(registry: Registry, name = 'wasm', field = 'backend'): Promise<string> {
  dispatchLimitOverride(); // a malformed RRM_MAX_DISPATCH_ELEMENTS is reported before any work
  tf.enableProdMode();
  const backend = registry.create('backend', { kind: name }, field);
  if (!(await backend.init())) {
    throw new ValidationError(field, `a backend that can run on this machine (${name} needs ${backend.requirements ?? 'what its plugin documents'})`, name);
  }
  if (tf.getBackend() !== name || !tf.engine().backendName) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new ValidationError(field, `a backend that initialises on this machine`, name);
  }
  await tf.ready();
  dispatchLimits.set(name, backend.maxDispatchElements);
  return tf.getBackend();
}
