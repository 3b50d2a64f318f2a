export {
  fplinq,
  solveFplinq,
  fplinqChunk,
  warmFplinqWorkers,
  fplinqKernel,
  fplinqShape,
  schedule,
  type FplinqMode,
  type FplinqOptions,
  type FplinqResult,
  type ResolvedFplinqOptions,
} from './fplinq';
export { fplinqPlugin, createFplinqTeacher } from './plugin';
