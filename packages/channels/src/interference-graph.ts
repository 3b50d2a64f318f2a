import { ValidationError, requireInteger, requirePositive, type ChannelBatch, type Geometry, type Rng } from '@rrm/core';

/**
 * Interference-graph utilities on typed arrays: the hot path of GNN training, so no per-element
 * allocation and no graph objects (graphology.ts is the convenience form for inspection and tests).
 *
 * Everything follows the one convention (ARCHITECTURE.md): entry [b, i, j] (flat index (b*K+i)*K+j)
 * concerns the link from transmitter j to receiver i. A "links" array is either
 * - a gain tensor (Float64Array [B, K, K]): an interference edge j → i exists where g_ij > 0, or
 * - an adjacency mask (Uint8Array [B, K, K]): an edge exists where mask ≠ 0.
 * The diagonal (the direct links) is never an interference edge: masks have 0 there, and gain-based
 * edge lists skip it.
 */
export type Links = Float64Array | Uint8Array;

function samplesOf(field: string, links: ArrayLike<number>, users: number): number {
  requireInteger('users', users, 1);
  const kk = users * users;
  if (links.length === 0 || links.length % kk !== 0) {
    throw new ValidationError(field, `a multiple of K² = ${kk} values ([B, K, K])`, links);
  }
  return links.length / kk;
}

/**
 * Distance-threshold interference graph (Shen et al., WCGCN, JSAC 2021: an edge j → i only where
 * transmitter j is close enough to receiver i for its interference to matter; their public D2D code,
 * `build_graph`, drops cross links longer than 300 m). mask[b, i, j] = 1 iff j ≠ i and
 * ‖tx_j − rx_i‖ < threshold (metres; a distance exactly at the threshold has probability zero).
 * Geometry is [B, K, 2] for tx and rx.
 */
export function distanceThresholdMask(geometry: Geometry, batch: number, users: number, threshold: number): Uint8Array {
  requireInteger('batch', batch, 1);
  requireInteger('users', users, 1);
  requirePositive('threshold', threshold);
  const { tx, rx } = geometry;
  if (tx.length !== batch * users * 2 || rx.length !== batch * users * 2) {
    throw new ValidationError('geometry', `tx and rx with ${batch * users * 2} values ([B, K, 2]) each`, tx.length === batch * users * 2 ? rx : tx);
  }
  const t2 = threshold * threshold;
  const mask = new Uint8Array(batch * users * users);
  for (let b = 0; b < batch; b++) {
    const pos = b * users * 2;
    const base = b * users * users;
    for (let i = 0; i < users; i++) {
      const rxX = rx[pos + 2 * i];
      const rxY = rx[pos + 2 * i + 1];
      const row = base + i * users;
      for (let j = 0; j < users; j++) {
        if (j === i) continue;
        const dx = tx[pos + 2 * j] - rxX;
        const dy = tx[pos + 2 * j + 1] - rxY;
        if (dx * dx + dy * dy < t2) mask[row + j] = 1;
      }
    }
  }
  return mask;
}

/**
 * Gains restricted to a graph: interference g_ij (j ≠ i) is kept where mask = 1 and set to 0 elsewhere;
 * the diagonal (direct links) is always kept, whatever the mask says. Returns a new array.
 */
export function applyMask(gains: Float64Array, mask: Uint8Array, users: number): Float64Array {
  const batch = samplesOf('gains', gains, users);
  if (mask.length !== gains.length) throw new ValidationError('mask', `${gains.length} values (the shape of the gains)`, mask);
  const out = new Float64Array(gains.length);
  for (let b = 0; b < batch; b++) {
    const base = b * users * users;
    for (let i = 0; i < users; i++) {
      const row = base + i * users;
      for (let j = 0; j < users; j++) {
        const n = row + j;
        out[n] = j === i || mask[n] !== 0 ? gains[n] : 0;
      }
    }
  }
  return out;
}

/** `applyMask` on a ChannelBatch: a new batch with the same weights and geometry. */
export function applyMaskToBatch(channels: ChannelBatch, mask: Uint8Array): ChannelBatch {
  return { ...channels, gains: applyMask(channels.gains, mask, channels.users) };
}

/**
 * Random link removal (Yang et al., UWGNN, eq. (23)): every interference edge j → i (j ≠ i) of one
 * sample is removed independently with probability η_lc; direct links are never removed. Works in place
 * on sample [offset, offset + K²). One uniform is drawn per off-diagonal entry, present or not, so the
 * generator's position after a sample does not depend on the topology (reproducible alignment between
 * runs with and without a threshold).
 */
export function removeLinksInPlace(links: Links, offset: number, users: number, etaLc: number, rng: Rng): void {
  if (etaLc <= 0) return;
  for (let i = 0; i < users; i++) {
    const row = offset + i * users;
    for (let j = 0; j < users; j++) {
      if (j === i) continue;
      if (rng.uniform() < etaLc) links[row + j] = 0;
    }
  }
}

/** Link removal with probability η_lc on a whole [B, K, K] gain tensor or mask; returns a new array. */
export function removeLinks<T extends Links>(links: T, users: number, etaLc: number, rng: Rng): T {
  const batch = samplesOf('links', links, users);
  if (typeof etaLc !== 'number' || !(etaLc >= 0 && etaLc <= 1)) throw new ValidationError('etaLc', 'a number in [0, 1]', etaLc);
  const out = links.slice() as T;
  for (let b = 0; b < batch; b++) removeLinksInPlace(out, b * users * users, users, etaLc, rng);
  return out;
}

/** Link removal on a ChannelBatch: a new batch (weights and geometry shared). */
export function removeLinksFromBatch(channels: ChannelBatch, etaLc: number, rng: Rng): ChannelBatch {
  return { ...channels, gains: removeLinks(channels.gains, channels.users, etaLc, rng) };
}

/**
 * Directed edges j → i (src = transmitter j, dst = receiver i) of one sample, in row-major order, so
 * `dst` is non-decreasing (grouped by receiver, as a CSR over incoming edges). `gain` holds g_ij when the
 * links are gains, or when `gains` is passed alongside a mask.
 */
export interface EdgeList {
  readonly numNodes: number;
  readonly numEdges: number;
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly gain?: Float64Array;
}

/**
 * A whole batch as one disjoint union of graphs, the way PyTorch Geometric batches graphs for message
 * passing: node index = b*K + i, `batch[node]` = b, edges of sample b in [edgePtr[b], edgePtr[b+1]),
 * incoming edges of node n in [rowPtr[n], rowPtr[n+1]) (so segment reductions — sum, mean, max — run over
 * contiguous ranges without sorting).
 */
export interface BatchedEdgeList extends EdgeList {
  readonly samples: number;
  readonly users: number;
  readonly batch: Int32Array;
  readonly edgePtr: Int32Array;
  readonly rowPtr: Int32Array;
}

/** Edge test for both forms: a positive gain, or a non-zero (unsigned) mask entry. NaN is no edge. */
function present(links: Links, n: number): boolean {
  return links[n] > 0;
}

function checkGainsAlongside(links: Links, gains: Float64Array | undefined): Float64Array | undefined {
  if (gains !== undefined && gains.length !== links.length) {
    throw new ValidationError('gains', `${links.length} values (the shape of the links)`, gains);
  }
  return gains ?? (links instanceof Float64Array ? links : undefined);
}

/** Edge list of sample b (node indices 0..K−1). */
export function edgeList(links: Links, users: number, b: number, opts: { gains?: Float64Array } = {}): EdgeList {
  const samples = samplesOf('links', links, users);
  requireInteger('b', b, 0, samples - 1);
  const gains = checkGainsAlongside(links, opts.gains);
  const base = b * users * users;
  let count = 0;
  for (let i = 0; i < users; i++) {
    for (let j = 0; j < users; j++) if (j !== i && present(links, base + i * users + j)) count++;
  }
  const src = new Int32Array(count);
  const dst = new Int32Array(count);
  const gain = gains ? new Float64Array(count) : undefined;
  let e = 0;
  for (let i = 0; i < users; i++) {
    const row = base + i * users;
    for (let j = 0; j < users; j++) {
      if (j === i || !present(links, row + j)) continue;
      src[e] = j;
      dst[e] = i;
      if (gain) gain[e] = gains![row + j];
      e++;
    }
  }
  return { numNodes: users, numEdges: count, src, dst, gain };
}

/** Edge list of the whole batch with node offsets b*K (see BatchedEdgeList). */
export function batchedEdgeList(links: Links, users: number, opts: { gains?: Float64Array } = {}): BatchedEdgeList {
  const samples = samplesOf('links', links, users);
  const gains = checkGainsAlongside(links, opts.gains);
  const numNodes = samples * users;
  const rowPtr = new Int32Array(numNodes + 1);
  // Pass 1: in-degree of every receiver node → CSR row pointers.
  for (let node = 0; node < numNodes; node++) {
    const i = node % users;
    const row = node * users;
    let deg = 0;
    for (let j = 0; j < users; j++) if (j !== i && present(links, row + j)) deg++;
    rowPtr[node + 1] = rowPtr[node] + deg;
  }
  const numEdges = rowPtr[numNodes];
  const src = new Int32Array(numEdges);
  const dst = new Int32Array(numEdges);
  const gain = gains ? new Float64Array(numEdges) : undefined;
  const batch = new Int32Array(numNodes);
  const edgePtr = new Int32Array(samples + 1);
  // Pass 2: fill. Row (b, i) of the [B, K, K] tensor starts at node*K with node = b*K + i.
  let e = 0;
  for (let b = 0; b < samples; b++) {
    edgePtr[b] = e;
    const offset = b * users;
    for (let i = 0; i < users; i++) {
      const node = offset + i;
      batch[node] = b;
      const row = node * users;
      for (let j = 0; j < users; j++) {
        if (j === i || !present(links, row + j)) continue;
        src[e] = offset + j;
        dst[e] = node;
        if (gain) gain[e] = gains![row + j];
        e++;
      }
    }
  }
  edgePtr[samples] = e;
  return { samples, users, numNodes, numEdges, src, dst, gain, batch, edgePtr, rowPtr };
}
