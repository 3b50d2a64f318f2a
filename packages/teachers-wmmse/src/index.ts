export { wmmse, solveWmmse, wmmseChunk, warmWmmseWorkers, type WmmseOptions, type WmmseResult, type SolveOptions } from './wmmse';
export { wmmseKernel } from './wmmse-kernel';
export {
  iterateKernel,
  resolveIterativeOptions,
  solveIterative,
  checkProblem,
  checkPowers,
  DEFAULT_ITERATIONS,
  INIT_MODES,
  type InitMode,
  type IterativeOptions,
  type ResolvedIterativeOptions,
  type IterativeResult,
  type CheckedProblem,
} from './iterate';
export { PowerKernel, kernelLayout, type KernelSpec, type KernelLayout, type KernelLocals } from './kernel';
export { VecBuilder, type Code } from '@rrm/core';
export {
  runParallel,
  chooseWorkers,
  resolveWorkersOption,
  sliceProblem,
  warmWorkers,
  shutdownWorkers,
  workerPoolInfo,
  AUTO_PARALLEL_MIN_WORK,
  type ChunkTask,
  type ParallelRequest,
  type WorkersOption,
} from './parallel';
export { fullPower, randomPower, binaryPower, solveBinary, binaryChunk, MAX_BINARY_USERS, type BinaryResult } from './baselines';
export {
  wmmsePlugin,
  createWmmseTeacher,
  createFullTeacher,
  createRandomTeacher,
  createBinaryTeacher,
  iterativeTeacherOptions,
  WMMSE_OPTION_KEYS,
  type WmmseTeacherOptions,
} from './plugin';
