export * from './progress';
export * from './beta-schedules';
export * from './distances';
export * from './distill-loss';
export * from './label-cache';
export * from './local-plugins';
export { distillPlugin } from './plugin';
export { distillPlugin as plugin } from './plugin';
