import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadLocalPlugins } from '@rrm/core';
import { readConfigFile, resolveConfig } from './config';
import { builtinRegistry } from './registry';
import { validateConfig } from './run-training';

const configs = resolve(__dirname, '../../../configs');

describe('shipped configs', () => {
  it.each(readdirSync(configs).filter((f) => /\.(ya?ml|json)$/.test(f)))('%s resolves and every plugin in it validates', async (file) => {
    const config = resolveConfig(readConfigFile(resolve(configs, file)));
    const registry = builtinRegistry();
    await loadLocalPlugins(config.plugins, registry);
    const parts = validateConfig(config, registry);
    expect(parts.trainer.kind).toBe(config.trainer.kind);
  });
});
