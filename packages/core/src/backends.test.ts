import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendsPlugin, useBackend } from './backends';
import { ValidationError } from './errors';
import { Registry } from './registry';

describe('backend plugins', () => {
  const registry = new Registry().use(backendsPlugin);

  it('registers wasm, cpu, tensorflow and webgpu by name', () => {
    expect(registry.list('backend').map((e) => e.name)).toEqual(['cpu', 'tensorflow', 'wasm', 'webgpu']);
  });

  it('switches between cpu and wasm', async () => {
    expect(await useBackend(registry, 'cpu')).toBe('cpu');
    expect(await useBackend(registry, 'wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  // The optional backends either run (their packages and hardware are present) or fail with a
  // ValidationError that says what they need — never with a module-resolution error.
  for (const [name, needs] of [
    ['tensorflow', /@tensorflow\/tfjs-node/],
    ['webgpu', /the packages webgpu and @tensorflow\/tfjs-backend-webgpu/],
  ] as const) {
    it(`${name}: runs here or names what it needs`, async () => {
      const before = tf.getBackend();
      try {
        expect(await useBackend(registry, name)).toBe(name);
        await useBackend(registry, before);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).field).toBe('backend');
        expect((err as Error).message).toMatch(needs);
        expect(tf.getBackend()).toBe(before);
      }
    });
  }

  it('rejects an unknown backend name, listing the registered ones', async () => {
    await expect(useBackend(registry, 'quantum')).rejects.toThrow(/backend\.kind: expected a registered backend \(cpu, tensorflow, wasm, webgpu\)/);
  });
});
