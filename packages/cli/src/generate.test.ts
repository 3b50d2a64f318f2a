import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinRegistry } from '@rrm/pipeline';
import { generate } from './commands/generate';
import { runCli, tempDir } from './test-helpers';

/** `rrm generate` streams to disk in chunks; the draws, and so the bytes, do not depend on the chunk size. */
afterEach(() => {
  delete process.env.RRM_MEMORY_BUDGET;
});

describe('streamed generate', () => {
  it('a small forced chunk size gives the bytes of the one-shot generation (gains and weights)', () => {
    const registry = builtinRegistry();
    const d = tempDir('rrm-gen-');
    // d2d draws a layout, shadowing and fading per sample, and uniform weights: every kind of draw is chunked.
    const channel = { kind: 'd2d', weights: 'uniform' };
    const common = { registry, channel, users: 6, samples: 10, seed: 4 };
    const one = generate({ ...common, out: join(d, 'one.npy'), weightsOut: join(d, 'one-w.npy'), dtype: 'float32' });
    const streamed = generate({ ...common, out: join(d, 'streamed.npy'), weightsOut: join(d, 'streamed-w.npy'), dtype: 'float32', chunkSamples: 3 });
    expect(one.chunks).toBe(1);
    expect(streamed.chunks).toBe(4);
    expect(readFileSync(join(d, 'streamed.npy')).equals(readFileSync(join(d, 'one.npy')))).toBe(true);
    expect(readFileSync(join(d, 'streamed-w.npy')).equals(readFileSync(join(d, 'one-w.npy')))).toBe(true);
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the CLI chunks by RRM_MEMORY_BUDGET, reports progress on stderr, and writes the one-shot bytes', async () => {
    const d = tempDir('rrm-gen-');
    const args = (out: string) => ['generate', '--channel', 'rayleigh', '--users', '5', '--samples', '50', '--seed', '2', '--out', out];
    const one = await runCli(args(join(d, 'one.npy')));
    expect(one.code, one.err).toBe(0);
    process.env.RRM_MEMORY_BUDGET = '2000'; // 7 samples of K = 5 per chunk
    const many = await runCli(args(join(d, 'many.npy')));
    expect(many.code, many.err).toBe(0);
    expect(many.err).toMatch(/\(8 chunks\)/);
    expect(readFileSync(join(d, 'many.npy')).equals(readFileSync(join(d, 'one.npy')))).toBe(true);
  });

  it('a mistyped folder, a wrong extension, a directory or one path for both outputs fail with exit 2 before any work', async () => {
    const d = tempDir('rrm-gen-');
    mkdirSync(join(d, 'dir.npy'));
    const base = ['generate', '--channel', 'rayleigh', '--users', '3', '--samples', '4'];
    const cases: [string[], RegExp][] = [
      [[...base, '--out', join(d, 'typo', 'dir', 'x.npy')], /--out: expected a path in an existing folder \(.*typo\/dir does not exist; it is not created\)/],
      [[...base, '--out', join(d, 'x.bin')], /--out: expected a file name ending in \.npy/],
      [[...base, '--out', join(d, 'x.npy'), '--weights-out', join(d, 'w.txt')], /--weights-out: expected a file name ending in \.npy/],
      [[...base, '--out', join(d, 'x.npy'), '--weights-out', join(d, 'x.npy')], /--weights-out: expected a path other than --out/],
      [[...base, '--out', join(d, 'dir.npy')], /--out: expected a file path, not an existing directory/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(pattern);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
    }
    expect(existsSync(join(d, 'typo'))).toBe(false);
    expect(readdirSync(d)).toEqual(['dir.npy']);
  });
});
