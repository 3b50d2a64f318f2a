import * as tf from '@tensorflow/tfjs';
import { activate, ParamStore, Rng, type Activation, type DenseStack } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { DenseGraph, maskedMax, maskedMean, maskedSum, type Aggregation } from './graph';
import { EdgeInput, MlpConv, pairwise, pairwiseConstEdges, type MlpConvOptions, type PropagateInputs } from './message-passing';
import { maxAbsDiff } from './test-helpers';

const B = 2;
const K = 5;

/** A mask with node 3 of sample 0 receiving from nobody, and some other edges missing. */
function testMask(): tf.Tensor3D {
  const m = new Float32Array(B * K * K);
  const rng = new Rng(11);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        if (i === j || (b === 0 && i === 3)) continue;
        m[(b * K + i) * K + j] = rng.uniform() < 0.7 ? 1 : 0;
      }
    }
  }
  m[(0 * K + 1) * K + 2] = 1;
  return tf.tensor3d(m, [B, K, K]);
}

/** The MLP with plain tfjs ops (matMul, add, activation) on the concatenated input, same variables. */
function plainMlp(mlp: DenseStack, x: tf.Tensor2D): tf.Tensor2D {
  let y: tf.Tensor2D = x;
  for (const l of mlp.layers) {
    const z = tf.matMul(y, l.w);
    y = activate(l.b ? tf.add(z, l.b) : z, l.activation) as tf.Tensor2D;
  }
  return y;
}

/**
 * The textbook form of one layer with plain tfjs ops and tfjs's own gradients: the edge input
 * [x_i, x_j, e_ij] materialised with tile + concat, masked aggregation with tf.sum / tf.max.
 */
function plainLayer(layer: MlpConv, x: tf.Tensor3D, e: tf.Tensor4D | null, mask: tf.Tensor3D, agg: Aggregation): tf.Tensor3D {
  const o = layer.options;
  const parts: tf.Tensor[] = [];
  if (o.targetDim > 0) parts.push(tf.tile(tf.reshape(x, [B, K, 1, o.targetDim]), [1, 1, K, 1]));
  if (o.sourceDim > 0) parts.push(tf.tile(tf.reshape(x, [B, 1, K, o.sourceDim]), [1, K, 1, 1]));
  if (o.edgeDim > 0 && e) parts.push(e);
  const cat = tf.concat(parts, 3);
  const msg = tf.reshape(plainMlp(layer.phi, tf.reshape(cat, [B * K * K, -1]) as tf.Tensor2D), [B, K, K, -1]);
  const m4 = tf.reshape(mask, [B, K, K, 1]);
  const deg = tf.sum(mask, 2, true);
  let m: tf.Tensor;
  if (agg === 'sum') m = tf.sum(tf.mul(msg, m4), 2);
  else if (agg === 'mean') m = tf.div(tf.sum(tf.mul(msg, m4), 2), tf.maximum(deg, 1));
  else m = tf.mul(tf.max(tf.add(msg, tf.mul(tf.sub(m4, 1), 1e30)), 2), tf.step(deg));
  if (!layer.psi) return m as tf.Tensor3D;
  const u = tf.concat([x, m], 2);
  return tf.reshape(plainMlp(layer.psi, tf.reshape(u, [B * K, -1]) as tf.Tensor2D), [B, K, -1]) as tf.Tensor3D;
}

/** φ(x_j) for every pair with plain ops (φ reading only the sender's state). */
function plainMsg(layer: MlpConv, x: tf.Tensor3D): tf.Tensor4D {
  const xj = tf.tile(tf.reshape(x, [B, 1, K, -1]), [1, K, 1, 1]);
  return tf.reshape(plainMlp(layer.phi, tf.reshape(xj, [B * K * K, -1]) as tf.Tensor2D), [B, K, K, -1]) as tf.Tensor4D;
}

function makeLayer(agg: Aggregation, target: boolean, act: Activation = 'tanh'): { layer: MlpConv; store: ParamStore } {
  const store = new ParamStore();
  const options: MlpConvOptions = {
    targetDim: target ? 3 : 0,
    sourceDim: 3,
    edgeDim: 2,
    nodeDim: 3,
    message: [6, 4],
    update: [5, 2],
    aggregation: agg,
    activation: act,
  };
  const layer = new MlpConv(store, 'mp', options, new Rng(5));
  // Non-zero biases, so that the factored first layer's bias placement is exercised.
  for (const v of store.trainable) if (v.shape.length === 1) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', v.size));
  return { layer, store };
}

describe('MlpConv (the φ/⊕/ψ message-passing layer)', () => {
  const aggs: Aggregation[] = ['sum', 'mean', 'max'];
  for (const agg of aggs) {
    for (const target of [false, true]) {
      for (const constEdges of [false, true]) {
        it(`equals the textbook layer in value and gradient (${agg}, φ(${target ? 'x_i, ' : ''}x_j, e_ij), ${constEdges ? 'EdgeInput' : 'edge tensor'})`, () => {
          const { layer, store } = makeLayer(agg, target);
          tf.tidy(() => {
            const mask = testMask();
            const x = tf.randomNormal([B, K, 3], 0, 1, 'float32', 21) as tf.Tensor3D;
            const c0 = tf.randomUniform([B, K, K], 0, 2, 'float32', 22) as tf.Tensor3D;
            const c1 = tf.randomUniform([B, K, K], 0, 2, 'float32', 23) as tf.Tensor3D;
            const e = tf.stack([c0, c1], 3) as tf.Tensor4D;
            const up = tf.randomNormal([B, K, 2], 0, 1, 'float32', 24);
            const fast = () => {
              const graph = new DenseGraph(mask);
              const edge = constEdges ? new EdgeInput([c0, c1]) : e;
              return tf.sum(tf.mul(layer.forward({ x, edge, graph }), up)) as tf.Scalar;
            };
            const plain = () => tf.sum(tf.mul(plainLayer(layer, x, e, mask, agg), up)) as tf.Scalar;
            const a = tf.variableGrads(fast, store.trainable);
            const b = tf.variableGrads(plain, store.trainable);
            expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0], 4);
            for (const v of store.trainable) {
              expect(maxAbsDiff(a.grads[v.name].dataSync(), b.grads[v.name].dataSync())).toBeLessThan(1e-4);
            }
            // Gradient with respect to the node states too (x feeds φ and ψ).
            const gx1 = tf.grad((xx: tf.Tensor) => {
              const graph = new DenseGraph(mask);
              return tf.sum(tf.mul(layer.forward({ x: xx as tf.Tensor3D, edge: constEdges ? new EdgeInput([c0, c1]) : e, graph }), up));
            })(x);
            const gx2 = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(plainLayer(layer, xx as tf.Tensor3D, e, mask, agg), up)))(x);
            expect(maxAbsDiff(gx1.dataSync(), gx2.dataSync())).toBeLessThan(1e-4);
          });
          store.dispose();
        });
      }
    }
  }

  it('gives a node without neighbours the zero message under every aggregation', () => {
    tf.tidy(() => {
      const mask = testMask();
      const graph = new DenseGraph(mask);
      const msg = tf.randomNormal([B, K, K, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      for (const f of [maskedSum, maskedMean, maskedMax]) {
        const m = f(msg, graph).arraySync() as number[][][];
        expect(m[0][3].map((v) => v + 0)).toEqual([0, 0, 0]);
      }
    });
  });

  it('lets a new GNN override one step in a few lines (residual update, sum of max and mean)', () => {
    class ResidualConv extends MlpConv {
      protected override aggregate(msg: tf.Tensor4D, graph: DenseGraph): tf.Tensor3D {
        return tf.add(maskedMax(msg, graph), maskedMean(msg, graph));
      }
      protected override update(m: tf.Tensor3D, inputs: PropagateInputs): tf.Tensor3D {
        return tf.add(inputs.x, super.update(m, inputs));
      }
    }
    const store = new ParamStore();
    const options: MlpConvOptions = { targetDim: 0, sourceDim: 3, edgeDim: 0, nodeDim: 3, message: [4], update: [3], aggregation: 'max' };
    const conv = new ResidualConv(store, 'res', options, new Rng(2));
    const baseStore = new ParamStore();
    const base = new MlpConv(baseStore, 'res', options, new Rng(2)); // same seed, same weights
    tf.tidy(() => {
      const mask = testMask();
      const x = tf.randomNormal([B, K, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
      const y = conv.forward({ x, graph: new DenseGraph(mask) });
      const m = tf.add(maskedMax(plainMsg(base, x), new DenseGraph(mask)), maskedMean(plainMsg(base, x), new DenseGraph(mask)));
      const expected = tf.add(x, base.psi!.apply(tf.concat([x, m], 2)));
      expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      const g = tf.variableGrads(() => tf.sum(conv.forward({ x, graph: new DenseGraph(mask) })) as tf.Scalar, store.trainable);
      expect(Object.keys(g.grads).length).toBe(store.trainable.length);
    });
    store.dispose();
    baseStore.dispose();
  });

  it('reports parameter and MAC counts from its MLP sizes', () => {
    const { layer, store } = makeLayer('max', true);
    // φ: (3+3+2)·6+6, 6·4+4;  ψ: (3+4)·5+5, 5·2+2
    expect(store.paramCount()).toBe(54 + 28 + 40 + 12);
    expect(layer.macs(K)).toBe(K * (K - 1) * (48 + 24) + K * (35 + 10));
    store.dispose();
  });
});

describe('custom gradients', () => {
  it('masked max: gradient equals central finite differences', () => {
    tf.tidy(() => {
      const mask = testMask();
      const graph = new DenseGraph(mask);
      // Distinct values, well separated, so the max is differentiable at this point.
      const vals = new Float32Array(B * K * K * 2);
      const rng = new Rng(3);
      const perm = rng.shuffle(Float64Array.from({ length: vals.length }, (_, i) => i));
      for (let i = 0; i < vals.length; i++) vals[i] = perm[i] * 0.1;
      const msg = tf.tensor4d(vals, [B, K, K, 2]);
      const up = tf.randomNormal([B, K, 2], 0, 1, 'float32', 9);
      const loss = (m: tf.Tensor) => tf.sum(tf.mul(maskedMax(m as tf.Tensor4D, graph), up));
      const g = tf.grad(loss)(msg).dataSync();
      const eps = 0.01;
      for (let idx = 0; idx < vals.length; idx++) {
        const plus = vals.slice();
        plus[idx] += eps;
        const minus = vals.slice();
        minus[idx] -= eps;
        const fd = (loss(tf.tensor4d(plus, [B, K, K, 2])).dataSync()[0] - loss(tf.tensor4d(minus, [B, K, K, 2])).dataSync()[0]) / (2 * eps);
        expect(g[idx]).toBeCloseTo(fd, 3);
      }
      // Absent edges and nodes without neighbours get no gradient.
      const m = mask.arraySync();
      const ga = tf.tensor4d(g, [B, K, K, 2]).arraySync();
      for (let b = 0; b < B; b++) for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) if (!m[b][i][j]) expect(ga[b][i][j].map((v) => v + 0)).toEqual([0, 0]);
    });
  });

  it('masked sum and mean: gradients equal the plain formula', () => {
    tf.tidy(() => {
      const mask = testMask();
      const graph = new DenseGraph(mask);
      const msg = tf.randomNormal([B, K, K, 3], 0, 1, 'float32', 1);
      const up = tf.randomNormal([B, K, 3], 0, 1, 'float32', 2);
      const m4 = tf.reshape(mask, [B, K, K, 1]);
      const deg = tf.maximum(tf.sum(mask, 2, true), 1);
      const g1 = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(maskedSum(m as tf.Tensor4D, graph), up)))(msg);
      const g2 = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(tf.sum(tf.mul(m, m4), 2), up)))(msg);
      expect(maxAbsDiff(g1.dataSync(), g2.dataSync())).toBeLessThan(1e-6);
      const g3 = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(maskedMean(m as tf.Tensor4D, graph), up)))(msg);
      const g4 = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(tf.div(tf.sum(tf.mul(m, m4), 2), deg), up)))(msg);
      expect(maxAbsDiff(g3.dataSync(), g4.dataSync())).toBeLessThan(1e-6);
    });
  });

  it('pairwise and pairwiseConstEdges: gradients equal broadcasting autodiff', () => {
    tf.tidy(() => {
      const a = tf.randomNormal([B, K, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
      const c = tf.randomNormal([B, K, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
      const e = tf.randomNormal([B, K, K, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
      const w = tf.randomNormal([2, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
      const ch = [tf.randomUniform([B, K, K], 0, 1, 'float32', 5), tf.randomUniform([B, K, K], 0, 1, 'float32', 6)] as tf.Tensor3D[];
      const up = tf.randomNormal([B, K, K, 4], 0, 1, 'float32', 7);
      const bcast = (aa: tf.Tensor, cc: tf.Tensor) => tf.add(tf.reshape(aa, [B, K, 1, 4]), tf.reshape(cc, [B, 1, K, 4]));
      const g1 = tf.grads((aa: tf.Tensor, cc: tf.Tensor, ee: tf.Tensor) =>
        tf.sum(tf.mul(pairwise(aa as tf.Tensor3D, cc as tf.Tensor3D, ee as tf.Tensor4D, 'sigmoid'), up)),
      )([a, c, e]);
      const g2 = tf.grads((aa: tf.Tensor, cc: tf.Tensor, ee: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(tf.add(bcast(aa, cc), ee)), up)))([a, c, e]);
      for (let i = 0; i < 3; i++) expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-5);
      const ev = tf.stack(ch, 3);
      const g3 = tf.grads((aa: tf.Tensor, cc: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(pairwiseConstEdges(aa as tf.Tensor3D, cc as tf.Tensor3D, new EdgeInput(ch), ww as tf.Tensor2D, 'relu'), up)),
      )([a, c, w]);
      const g4 = tf.grads((aa: tf.Tensor, cc: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(tf.relu(tf.add(bcast(aa, cc), tf.reshape(tf.matMul(tf.reshape(ev, [-1, 2]), ww), [B, K, K, 4]))), up)),
      )([a, c, w]);
      for (let i = 0; i < 3; i++) expect(maxAbsDiff(g3[i].dataSync(), g4[i].dataSync())).toBeLessThan(1e-4);
    });
  });
});
