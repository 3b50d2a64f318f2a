import type { Plugin, Registry } from '@rrm/core';
import { gnnBuilder } from './gnn';
import { uwgnnBuilder } from './uwgnn';
import { uwmmseBuilder } from './uwmmse';
import { wcgcnBuilder } from './wcgcn';

/**
 * Registers the models `gnn`, `wcgcn`, `uwgnn` and `uwmmse`. Each factory validates its options at
 * creation (unknown keys and bad values are ValidationErrors naming `<field>.<option>`) and returns a
 * ModelBuilder; weights are drawn from `new Rng(ctx.seed)` when the builder runs.
 */
export const gnnPlugin: Plugin = {
  name: '@rrm/models-gnn',
  register(registry: Registry) {
    registry.add('model', {
      name: 'gnn',
      description: 'message-passing GNN of the AD paper, eqs. (6)-(7): m_i = ⊕_j φ(h_jj, w_j, h_ji), p_i = ψ(h_ii, w_i, m_i); any K',
      create: (options, ctx) => gnnBuilder(options, ctx.field),
    });
    registry.add('model', {
      name: 'wcgcn',
      description: 'WCGCN (Shen et al., JSAC 2021): max-aggregation GNN, 3 weight-shared layers; any K',
      create: (options, ctx) => wcgcnBuilder(options, ctx.field),
    });
    registry.add('model', {
      name: 'uwgnn',
      description: 'UWGNN (Yang et al.): WMMSE unrolled into message-passing layers, eqs. (13)-(17); any K',
      create: (options, ctx) => uwgnnBuilder(options, ctx.field),
    });
    registry.add('model', {
      name: 'uwmmse',
      description: 'UWMMSE (Chowdhury et al., TWC 2021): 4 WMMSE iterations with GCN-learned w corrections; any K',
      create: (options, ctx) => uwmmseBuilder(options, ctx.field),
    });
  },
};
