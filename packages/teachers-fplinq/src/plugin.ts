import { parseOptions, strictOptions, type Plugin, type Teacher } from '@rrm/core';
import { fplinqShape, solveFplinq } from './fplinq';

/** Registers the teacher `fplinq`. Options are validated up front by its schema; unknown keys are errors. */

const schema = strictOptions(fplinqShape);

export function createFplinqTeacher(options: Record<string, unknown> = {}, field = 'teacher'): Teacher {
  const resolved = parseOptions(schema, options, field);
  return { kind: 'fplinq', options: resolved, solve: (problem) => solveFplinq(problem, resolved) };
}

export const fplinqPlugin: Plugin = {
  name: '@rrm/teachers-fplinq',
  register(registry) {
    registry.add('teacher', {
      name: 'fplinq',
      description:
        'FPLinQ fractional-programming power control (Shen & Yu 2018); options: iterations (100), tolerance, init (pmax|random|given), restarts (1), seed (0), workers (auto), mode (power|schedule), threshold (0.5)',
      schema,
      create: (options, ctx) => createFplinqTeacher(options, ctx.field),
    });
  },
};
