import * as tf from '@tensorflow/tfjs';
import {
  MASKED_MAX,
  MASKED_MAX_GRAD,
  MATMUL_TN,
  SUM_GROUPS,
  SUM_ROWS,
  maskedMaxGradKernel,
  maskedMaxKernel,
  matMulTNKernel,
  sumGroupsKernel,
  sumRowsKernel,
} from './wasm-edge-kernels';
import { EDGE_MLP_AGG, EDGE_MLP_AGG_GRAD, edgeMlpAggGradKernel, edgeMlpAggKernel } from './edge-mlp-kernel';
import { SUM_RATE_LOSS, SUM_RATE_LOSS_GRAD, sumRateLossGradKernel, sumRateLossKernel } from './objective-fused';

/**
 * Kernel overrides for the wasm backend, registered by name like any tfjs kernel.
 *
 * Identity: tfjs clones every tensor it saves for the backward pass through the Identity kernel, and
 * wasm's Identity copies the data (the cpu backend shares it). Tensors are immutable in tfjs (a
 * Variable's assign swaps its data id), so sharing the buffer with a reference count — what wasm's own
 * Reshape does — is safe, and removes one copy per saved tensor: ~100 copies of [64, 40, 40, 32] per
 * dense-GNN training step.
 *
 * RrmMatMulTN, RrmSumRows, RrmSumGroups, RrmMaskedMax(Grad): aᵀ·b, 1ᵀ·b, sums of consecutive rows and the
 * masked max over neighbours with its gradient, for per-edge tensors (wasm-edge-kernels.ts).
 *
 * RrmSumRateLoss(Grad): the unsupervised sum-rate loss and its gradient with respect to the powers, one
 * kernel each (objective-fused.ts).
 *
 * RrmEdgeMlpAgg(Grad): a message-passing layer's two-layer message MLP and its aggregation, edge by edge,
 * forward and backward (edge-mlp-kernel.ts).
 *
 * UnsortedSegmentSum: missing from tfjs-backend-wasm 4.22, and it is the gradient of tf.gather, so a model
 * plugin that gathers inside its forward pass could not train on wasm. A plain JavaScript loop on the
 * wasm heap fills the gap for the form the gradient uses (1-D segment ids over the first axis).
 */
let identityShared = false;

interface WasmBackendLike {
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const ids = args.inputs.segmentIds as tf.TensorInfo;
  const numSegments = args.attrs?.numSegments as number;
  const backend = args.backend as WasmBackendLike;
  if (ids.shape.length !== 1 || ids.shape[0] !== x.shape[0]) {
    throw new Error(`UnsortedSegmentSum (rrm's wasm kernel): segmentIds must be 1-D with x.shape[0] = ${x.shape[0]} entries, got shape [${ids.shape.join(', ')}]`);
  }
  const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
  // Views after makeOutput: a growing heap would detach earlier ones.
  const xs = backend.typedArrayFromHeap(x);
  const segs = backend.typedArrayFromHeap(ids);
  const acc = backend.typedArrayFromHeap(out);
  acc.fill(0);
  for (let r = 0; r < segs.length; r++) {
    const s = segs[r];
    if (s < 0 || s >= numSegments) continue; // tf semantics: out-of-range ids contribute nothing
    const o = s * inner;
    const i = r * inner;
    for (let k = 0; k < inner; k++) acc[o + k] += xs[i + k];
  }
  return out;
}

export function registerWasmKernels(): void {
  if (identityShared) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return; // the wasm backend is not loaded
  if (!tf.getKernel(MATMUL_TN, 'wasm')) {
    tf.registerKernel({ kernelName: MATMUL_TN, backendName: 'wasm', kernelFunc: matMulTNKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: SUM_ROWS, backendName: 'wasm', kernelFunc: sumRowsKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: SUM_GROUPS, backendName: 'wasm', kernelFunc: sumGroupsKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: MASKED_MAX, backendName: 'wasm', kernelFunc: maskedMaxKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: MASKED_MAX_GRAD, backendName: 'wasm', kernelFunc: maskedMaxGradKernel as unknown as tf.KernelFunc });
  }
  if (!tf.getKernel(SUM_RATE_LOSS, 'wasm')) {
    tf.registerKernel({ kernelName: SUM_RATE_LOSS, backendName: 'wasm', kernelFunc: sumRateLossKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: SUM_RATE_LOSS_GRAD, backendName: 'wasm', kernelFunc: sumRateLossGradKernel as unknown as tf.KernelFunc });
  }
  if (!tf.getKernel(EDGE_MLP_AGG, 'wasm')) {
    tf.registerKernel({ kernelName: EDGE_MLP_AGG, backendName: 'wasm', kernelFunc: edgeMlpAggKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: EDGE_MLP_AGG_GRAD, backendName: 'wasm', kernelFunc: edgeMlpAggGradKernel as unknown as tf.KernelFunc });
  }
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
  }
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  identityShared = true;
}
