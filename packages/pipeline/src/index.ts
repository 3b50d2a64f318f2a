export * from './config';
export * from './run-folder';
export * from './run-training';
export * from './registry';
export * from './plots';
export * from './config-reference';
