export * from './progress';
export * from './beta-schedules';
export * from './distances';
export * from './distill-loss';
export * from './label-cache';
/** Moved to @rrm/core; re-exported until @rrm/pipeline imports it from there. */
export { distillPlugin } from './plugin';
export { distillPlugin as plugin } from './plugin';
