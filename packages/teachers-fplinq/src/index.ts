export {
  fplinq,
  solveFplinq,
  fplinqChunk,
  warmFplinqWorkers,
  fplinqKernel,
  schedule,
  resolveFplinqOptions,
  DEFAULT_THRESHOLD,
  FPLINQ_MODES,
  type FplinqMode,
  type FplinqOptions,
  type FplinqResult,
  type ResolvedFplinqOptions,
} from './fplinq';
export { fplinqPlugin, createFplinqTeacher, FPLINQ_OPTION_KEYS, type FplinqTeacherOptions } from './plugin';
