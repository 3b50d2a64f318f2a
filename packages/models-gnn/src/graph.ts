import * as tf from '@tensorflow/tfjs';
import { MASKED_MAX, MASKED_MAX_GRAD, customOp, maskedMaxKernelAvailable } from '@rrm/core';

/** How messages from the senders j of receiver i are combined: ⊕ ∈ {Σ, mean, max}. */
export type Aggregation = 'sum' | 'mean' | 'max';
export const AGGREGATIONS: readonly Aggregation[] = ['sum', 'mean', 'max'];

/** Added to absent edges before a max so they never win (finite, so −BIG·0 stays 0, never NaN). */
const BIG = 1e30;

/**
 * A batch of dense interference graphs: mask [B, K, K] with mask[b, i, j] = 1 where the edge j → i
 * (transmitter j interferes at receiver i) exists, 0 elsewhere and on the diagonal. The tensors derived
 * from the mask are made on first use and cached (and remade if a tf.tidy has disposed them meanwhile).
 */
export class DenseGraph {
  readonly batch: number;
  readonly users: number;
  private cache = new Map<string, tf.Tensor>();

  constructor(readonly mask: tf.Tensor3D) {
    [this.batch, this.users] = mask.shape;
  }

  private memo<T extends tf.Tensor>(key: string, make: () => T): T {
    let t = this.cache.get(key);
    // Remade when an enclosing tf.tidy has disposed it (e.g. first used inside tf.grad's scope).
    if (!t || t.isDisposed) {
      t = make();
      this.cache.set(key, t);
    }
    return t as T;
  }

  /** [B, K, K, 1], to broadcast over message features. */
  get mask4(): tf.Tensor4D {
    return this.memo('mask4', () => tf.reshape(this.mask, [this.batch, this.users, this.users, 1]));
  }

  /** [B·K, 1, K]: one row per receiver, for the masked sum as one batched matMul. */
  get maskRows(): tf.Tensor3D {
    return this.memo('rows', () => tf.reshape(this.mask, [this.batch * this.users, 1, this.users]));
  }

  /** In-degree d_i = Σ_j mask_ij, [B, K, 1]. */
  get degree(): tf.Tensor3D {
    return this.memo('deg', () => tf.sum(this.mask, 2, true) as tf.Tensor3D);
  }

  /** 1 / max(d_i, 1), [B, K, 1] (nodes without neighbours aggregate to 0 under every ⊕). */
  get invDegree(): tf.Tensor3D {
    return this.memo('invdeg', () => tf.reciprocal(tf.maximum(this.degree, 1)) as tf.Tensor3D);
  }

  /** 1 where d_i > 0, [B, K, 1]. */
  get hasNeighbour(): tf.Tensor3D {
    return this.memo('hasnb', () => tf.step(this.degree));
  }

  /** (mask − 1)·BIG, [B, K, K, 1]: 0 on edges, −BIG off them. */
  get maxBias(): tf.Tensor4D {
    return this.memo('bias', () => tf.mul(tf.sub(this.mask4, 1), BIG));
  }
}

/**
 * m_i = Σ_j mask_ij · msg_ij for msg [B, K, K, F] → [B, K, F]. Forward: one batched matMul
 * [B·K, 1, K]·[B·K, K, F] (masking and summing fused). Gradient: d msg_ij = mask_ij · dm_i, a broadcast
 * multiply (tfjs's matMul gradient would use transposed matMuls, slow on wasm).
 */
export function maskedSum(msg: tf.Tensor4D, graph: DenseGraph): tf.Tensor3D {
  const [b, k, , f] = msg.shape;
  const mask4 = graph.mask4;
  const rows = graph.maskRows;
  return customOp<tf.Tensor3D>(([m], save) => {
    save([mask4]);
    const value = tf.reshape(tf.matMul(rows, tf.reshape(m, [b * k, k, f])), [b, k, f]) as tf.Tensor3D;
    return {
      value,
      gradFunc: (dy, [mk]) => [tf.mul(mk, tf.reshape(dy, [b, k, 1, f]))],
    };
  })(msg);
}

/** m_i = (1/d_i) Σ_j mask_ij · msg_ij (0 for nodes without neighbours). */
export function maskedMean(msg: tf.Tensor4D, graph: DenseGraph): tf.Tensor3D {
  return tf.mul(maskedSum(msg, graph), graph.invDegree);
}

/**
 * m_i = max_{j: mask_ij = 1} msg_ij per feature, 0 for nodes without neighbours. Absent edges get −BIG
 * before the max. The gradient is custom (STACK.md: tfjs's max gradient rebuilds a broadcast `equal`, slow
 * on wasm): the arg-max indicator is 1 − step(max − msg), exactly 1 where msg equals the max (the max is
 * one of the entries), so
 *   d msg_ij = [msg_ij = m_i] · 1[d_i > 0] · dm_i.
 * It is computed in the backward pass from the saved shifted messages, so inference does not pay for it.
 * Ties send the gradient to every maximal entry, as tf.max does.
 * On wasm (F a multiple of 4) both directions are single kernels of core (RrmMaskedMax and its gradient:
 * one pass over the messages, no −BIG shift, no transpose for tfjs's middle-axis max), same results.
 */
export function maskedMax(msg: tf.Tensor4D, graph: DenseGraph): tf.Tensor3D {
  const [b, k, , f] = msg.shape;
  if (maskedMaxKernelAvailable(f)) {
    const mask = graph.mask;
    return customOp<tf.Tensor3D>(([m], save) => {
      const out = tf.engine().runKernel(MASKED_MAX, { msg: m, mask }) as tf.Tensor3D;
      save([m, mask, out]);
      return {
        value: out,
        gradFunc: (dy, [ms, mk, o]) => [tf.engine().runKernel(MASKED_MAX_GRAD, { msg: ms, mask: mk, out: o, dy }) as tf.Tensor4D],
      };
    })(msg);
  }
  const bias = graph.maxBias;
  const has = graph.hasNeighbour;
  return customOp<tf.Tensor3D>(([m], save) => {
    const shifted = tf.add(m, bias);
    const mx = tf.max(shifted, 2) as tf.Tensor3D;
    save([shifted, mx, has]);
    return {
      value: tf.mul(mx, has),
      gradFunc: (dy, [sh, mxs, hs]) => {
        const argmax = tf.sub(1, tf.step(tf.sub(tf.reshape(mxs, [b, k, 1, f]), sh)));
        return [tf.mul(argmax, tf.reshape(tf.mul(dy, hs), [b, k, 1, f]))];
      },
    };
  })(msg);
}

/** ⊕_j over the senders of each receiver, msg [B, K, K, F] → [B, K, F]. */
export function aggregate(msg: tf.Tensor4D, graph: DenseGraph, how: Aggregation): tf.Tensor3D {
  switch (how) {
    case 'sum':
      return maskedSum(msg, graph);
    case 'mean':
      return maskedMean(msg, graph);
    case 'max':
      return maskedMax(msg, graph);
  }
}
