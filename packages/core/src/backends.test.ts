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

  it('webgpu counts as available once its factory is registered, before it is initialised (the GPU run found findBackend null there)', async () => {
    const { webgpuBackend } = await import('./backends');
    expect(tf.findBackendFactory('webgpu')).toBeNull();
    // A stand-in for what importing @tensorflow/tfjs-backend-webgpu registers on a GPU machine: an
    // asynchronously initialised backend (this one never finishes initialising; nothing here runs on it).
    tf.registerBackend('webgpu', () => new Promise<never>(() => {}), 0);
    try {
      expect(tf.findBackend('webgpu')).toBeNull();
      expect(await webgpuBackend.init()).toBe(true);
    } finally {
      tf.removeBackend('webgpu');
    }
  });

  it('rejects an unknown backend name, listing the registered ones', async () => {
    await expect(useBackend(registry, 'quantum')).rejects.toThrow(/backend\.kind: expected a registered backend \(cpu, tensorflow, wasm, webgpu\)/);
  });
});
