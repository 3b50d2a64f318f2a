export * from './environment';
export * from './replay-buffer';
export * from './noise';
export * from './critic';
export * from './soft-update';
export * from './options';
export * from './ddpg';
export * from './plugin';
export { ddpgPlugin as plugin } from './plugin';
