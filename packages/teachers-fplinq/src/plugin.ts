import { rejectUnknownKeys, type FactoryContext, type Plugin, type PowerProblem, type Teacher } from '@rrm/core';
import { resolveWorkersOption, type WorkersOption } from '@rrm/teachers-wmmse';
import { resolveFplinqOptions, solveFplinq, type ResolvedFplinqOptions } from './fplinq';

/** Registers the teacher `fplinq`. Options are validated up front; unknown keys are errors. */

export const FPLINQ_OPTION_KEYS = ['iterations', 'tolerance', 'init', 'restarts', 'seed', 'workers', 'mode', 'threshold'] as const;

export type FplinqTeacherOptions = ResolvedFplinqOptions & { readonly workers: WorkersOption };

export function createFplinqTeacher(options: Record<string, unknown> = {}, field = 'teacher'): Teacher {
  rejectUnknownKeys(field, options, FPLINQ_OPTION_KEYS);
  const resolved: FplinqTeacherOptions = { ...resolveFplinqOptions(field, options), workers: resolveWorkersOption(`${field}.workers`, options.workers) };
  if (resolved.tolerance === undefined) delete (resolved as { tolerance?: number }).tolerance;
  return {
    kind: 'fplinq',
    options: resolved,
    solve: (problem: PowerProblem) => solveFplinq(problem, resolved),
  };
}

export const fplinqPlugin: Plugin = {
  name: '@rrm/teachers-fplinq',
  register(registry) {
    registry.add('teacher', {
      name: 'fplinq',
      description:
        'FPLinQ fractional-programming power control (Shen & Yu 2018); options: iterations (100), tolerance, init (pmax|random|given), restarts (1), seed (0), workers (auto), mode (power|schedule), threshold (0.5)',
      create: (options: Record<string, unknown>, ctx: FactoryContext) => createFplinqTeacher(options, ctx.field),
    });
  },
};
