import * as tf from '@tensorflow/tfjs';

/**
 * Kernel overrides for the wasm backend, registered by name like any tfjs kernel.
 *
 * Identity: tfjs clones every tensor it saves for the backward pass through the Identity kernel, and
 * wasm's Identity copies the data (the cpu backend shares it). Tensors are immutable in tfjs (a
 * Variable's assign swaps its data id), so sharing the buffer with a reference count — what wasm's own
 * Reshape does — is safe, and removes one copy per saved tensor: ~100 copies of [64, 40, 40, 32] per
 * dense-GNN training step.
 */
let identityShared = false;

export function registerWasmKernels(): void {
  if (identityShared) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return; // the wasm backend is not loaded
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  identityShared = true;
}
