export * from './config';
export * from './run-folder';
export * from './run-training';
export * from './registry';
export * from './svg-plot';
export * from './config-reference';
