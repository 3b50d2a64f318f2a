import * as tf from '@tensorflow/tfjs';
import type Graph from 'graphology';
import { ValidationError, type ModelInputs } from '@rrm/core';

/**
 * Model inputs from interference graphs held as graphology graphs (one graph per sample, all with the same
 * number of nodes K):
 *   node attributes  { direct: g_ii, weight?: λ_i (default 1; a finite number >= 0, else a ValidationError) }
 *   edge attributes  { gain: g_ij }  on the directed edge j → i (source = transmitter j, target = receiver i)
 * Nodes are indexed in `graph.nodes()` order. An edge present in the graph sets mask_ij = 1 (also when its
 * gain is 0); absent pairs have gain 0 and mask 0. Self-loops are ignored (the direct gain is a node
 * attribute); parallel edges j → i sum their gains.
 */
export function inputsFromGraphs(graphs: Graph | readonly Graph[], opts: { noise: number; pmax: number }): ModelInputs {
  const list: readonly Graph[] = Array.isArray(graphs) ? graphs : [graphs as Graph];
  if (list.length === 0) throw new Error('inputsFromGraphs: no graphs');
  const k = list[0].order;
  const b = list.length;
  const gains = new Float32Array(b * k * k);
  const mask = new Float32Array(b * k * k);
  const direct = new Float32Array(b * k);
  const weights = new Float32Array(b * k);
  list.forEach((graph, s) => {
    if (graph.order !== k) throw new Error(`inputsFromGraphs: graph ${s} has ${graph.order} nodes, graph 0 has ${k}`);
    const index = new Map<string, number>();
    graph.forEachNode((node, attrs) => {
      const i = index.size;
      index.set(node, i);
      const g = Number(attrs.direct);
      if (!Number.isFinite(g) || g < 0) throw new Error(`inputsFromGraphs: graph ${s}, node '${node}': direct gain must be a finite number >= 0`);
      direct[s * k + i] = g;
      gains[(s * k + i) * k + i] = g;
      const w = attrs.weight === undefined ? 1 : Number(attrs.weight);
      if (!Number.isFinite(w) || w < 0) {
        throw new ValidationError(`graphs[${s}], node '${node}': weight`, 'a finite link weight >= 0 (or none, for 1)', attrs.weight);
      }
      weights[s * k + i] = w;
    });
    graph.forEachEdge((edge, attrs, source, target) => {
      const j = index.get(source) as number;
      const i = index.get(target) as number;
      if (i === j) return;
      const g = attrs.gain === undefined ? 0 : Number(attrs.gain);
      if (!Number.isFinite(g) || g < 0) throw new Error(`inputsFromGraphs: graph ${s}, edge '${edge}': gain must be a finite number >= 0`);
      gains[(s * k + i) * k + j] += g;
      mask[(s * k + i) * k + j] = 1;
      if (!graph.isDirected(edge)) {
        gains[(s * k + j) * k + i] += g;
        mask[(s * k + j) * k + i] = 1;
      }
    });
  });
  return {
    gains: tf.tensor3d(gains, [b, k, k]),
    direct: tf.tensor2d(direct, [b, k]),
    weights: tf.tensor2d(weights, [b, k]),
    mask: tf.tensor3d(mask, [b, k, k]),
    noise: opts.noise,
    pmax: opts.pmax,
  };
}
