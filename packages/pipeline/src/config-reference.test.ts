import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Registry, integer, strictOptions, z } from '@rrm/core';
import { configReference } from './config-reference';
import { builtinRegistry } from './registry';

describe('config reference', () => {
  it('renders keys, types, defaults and descriptions from the schemas', () => {
    const registry = new Registry();
    registry.add('teacher', {
      name: 'toy',
      description: 'a toy teacher',
      schema: strictOptions({ iterations: integer(1).default(7).describe('how many'), mode: z.enum(['a', 'b']).default('a') }),
      create: () => ({ kind: 'toy', options: {}, solve: async () => new Float64Array(0) }),
    });
    const md = configReference(registry);
    expect(md).toContain('| `scenario.users` | integer (≥ 1) | `10` | K, transmitter–receiver pairs |');
    expect(md).toContain('### `toy`');
    expect(md).toContain('| `iterations` | integer (≥ 1) | `7` | how many |');
    expect(md).toContain('| `mode` | `"a"` \\| `"b"` | `"a"` |');
    expect(md).toContain('Used in `teacher`, `reference`.');
  });

  it('docs/config-reference.md is the generated page (run `npm run docs:config` after changing a schema)', () => {
    const committed = readFileSync(resolve(__dirname, '../../../docs/config-reference.md'), 'utf8');
    expect(committed).toBe(configReference(builtinRegistry()));
  });
});
