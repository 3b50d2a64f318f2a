export { wmmse, solveWmmse, wmmseChunk, warmWmmseWorkers, type WmmseOptions, type WmmseResult } from './wmmse';
export { wmmseKernel } from './wmmse-kernel';
export { fullPower, randomPower, binaryPower, solveBinary, binaryChunk, MAX_BINARY_USERS, type BinaryResult } from './baselines';
export { wmmsePlugin, createWmmseTeacher } from './plugin';
/** Moved to @rrm/core (the worker pool is shared by every parallel teacher); re-exported for existing callers. */
export { shutdownWorkers } from '@rrm/core';
