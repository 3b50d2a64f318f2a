export * from './mlp';
export { mlpPlugin } from './plugin';
export { mlpPlugin as plugin } from './plugin';
