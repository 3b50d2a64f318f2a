export * from './dataset';
export * from './loss';
export * from './optimizers';
export * from './callbacks';
export * from './trainer';
export * from './evaluate';
export * from './weights-io';
export * from './plugin';
export { trainersPlugin as plugin } from './plugin';
