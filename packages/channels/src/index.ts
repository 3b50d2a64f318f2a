/**
 * @rrm/channels — batched, seeded channel models in the toolkit's one convention (ARCHITECTURE.md):
 * gains[(b*K + i)*K + j] is the power gain from transmitter j to receiver i, normalised so that σ² = 1.
 */
export { commonShape, type CommonOptions } from './common';
export * from './weights';
export * from './rayleigh';
export * from './rician';
export * from './d2d';
export * from './interference-graph';
export * from './mobility';
export * from './graphology';
export * from './plugin';
/** The conventional export name every package's entry point uses for its plugin (STYLE.md). */
export { channelsPlugin as plugin } from './plugin';
