import { DirectedGraph } from 'graphology';
import { ValidationError, makeChannelBatch, requireInteger, requirePositive, type ChannelBatch } from '@rrm/core';

/**
 * One sample as a graphology DirectedGraph: the interference graph in the form GNN papers draw it
 * (Shen et al., WCGCN; Yang et al., UWGNN): node i is the transmitter–receiver pair i, a directed edge
 * j → i carries the interference gain g_ij from transmitter j to receiver i. This is the inspection and
 * interchange form (graphology's algorithms, layouts, GEXF/JSON export); training uses the typed-array
 * edge lists of interference-graph.ts.
 *
 * Keys: node `String(i)`, edge `${j}->${i}`. Attributes:
 * - graph: { users: K, noise: σ² }
 * - node:  { index: i, direct: g_ii, weight: λ_i, tx?: [x, y], rx?: [x, y] } (positions when the batch has geometry)
 * - edge:  { gain: g_ij }
 */
export type PairAttributes = {
  index: number;
  direct: number;
  weight: number;
  tx?: [number, number];
  rx?: [number, number];
};
export type LinkAttributes = { gain: number };
export type NetworkAttributes = { users: number; noise: number };
export type InterferenceGraph = DirectedGraph<PairAttributes, LinkAttributes, NetworkAttributes>;

export interface ToGraphOptions {
  /** Noise power σ² stored as a graph attribute (default 1, the normalisation of every model here). */
  readonly noise?: number;
  /** Adjacency mask [B, K, K] (rx-tx): edges only where mask = 1 (and the gain is > 0). */
  readonly mask?: Uint8Array;
}

export function toGraph(channels: ChannelBatch, b = 0, opts: ToGraphOptions = {}): InterferenceGraph {
  const { users, gains, weights, geometry } = channels;
  requireInteger('b', b, 0, channels.batch - 1);
  const noise = requirePositive('noise', opts.noise ?? 1);
  const mask = opts.mask;
  if (mask !== undefined && mask.length !== gains.length) {
    throw new ValidationError('mask', `${gains.length} values (the shape of the gains)`, mask);
  }
  const graph: InterferenceGraph = new DirectedGraph<PairAttributes, LinkAttributes, NetworkAttributes>();
  graph.replaceAttributes({ users, noise });
  const base = b * users * users;
  const pos = b * users * 2;
  for (let i = 0; i < users; i++) {
    const attrs: PairAttributes = {
      index: i,
      direct: gains[base + i * users + i],
      weight: weights ? weights[b * users + i] : 1,
    };
    if (geometry) {
      attrs.tx = [geometry.tx[pos + 2 * i], geometry.tx[pos + 2 * i + 1]];
      attrs.rx = [geometry.rx[pos + 2 * i], geometry.rx[pos + 2 * i + 1]];
    }
    graph.addNode(String(i), attrs);
  }
  for (let i = 0; i < users; i++) {
    const row = base + i * users;
    for (let j = 0; j < users; j++) {
      if (j === i) continue;
      const g = gains[row + j];
      if (!(g > 0) || (mask !== undefined && mask[row + j] === 0)) continue;
      graph.addDirectedEdgeWithKey(`${j}->${i}`, String(j), String(i), { gain: g });
    }
  }
  return graph;
}

/**
 * The inverse of `toGraph`: a single-sample ChannelBatch (B = 1). Pairs are ordered by their `index`
 * attribute (node keys are not trusted to be sorted); missing edges are zero gains; weights are kept when
 * any differs from 1, positions when every node has them. Validated by core's makeChannelBatch.
 */
export function fromGraph(graph: InterferenceGraph): ChannelBatch {
  const users = graph.order;
  if (users < 1) throw new ValidationError('graph', 'at least one node', users);
  const keyToIndex = new Map<string, number>();
  graph.forEachNode((key, attrs) => {
    const i = attrs.index;
    if (!Number.isInteger(i) || i < 0 || i >= users) {
      throw new ValidationError(`graph node ${key}.index`, `an integer in [0, ${users - 1}]`, i);
    }
    keyToIndex.set(key, i);
  });
  if (new Set(keyToIndex.values()).size !== users) throw new ValidationError('graph node indices', 'each index used once', 'duplicates');
  const gains = new Float64Array(users * users);
  const weights = new Float64Array(users);
  const tx = new Float64Array(users * 2);
  const rx = new Float64Array(users * 2);
  let positioned = 0;
  let unitWeights = true;
  graph.forEachNode((key, a) => {
    const i = keyToIndex.get(key)!;
    gains[i * users + i] = a.direct;
    weights[i] = a.weight ?? 1;
    if (weights[i] !== 1) unitWeights = false;
    if (a.tx && a.rx) {
      tx[2 * i] = a.tx[0];
      tx[2 * i + 1] = a.tx[1];
      rx[2 * i] = a.rx[0];
      rx[2 * i + 1] = a.rx[1];
      positioned++;
    }
  });
  graph.forEachEdge((edge, a, source, target) => {
    const j = keyToIndex.get(source)!;
    const i = keyToIndex.get(target)!;
    if (i === j) throw new ValidationError(`graph edge ${edge}`, 'no self-loops (direct gains live on the nodes)', edge);
    gains[i * users + j] = a.gain;
  });
  return makeChannelBatch(gains, [1, users, users], {
    weights: unitWeights ? undefined : weights,
    geometry: positioned === users ? { tx, rx } : undefined,
    field: 'graph gains',
  });
}
