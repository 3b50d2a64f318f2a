import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Seeded randomness with independent named streams. `streams(seed).get('train')` and
 * `streams(seed).get('test')` never share draws, so the train set, the test set and the model
 * initialisation can each be reseeded without disturbing the others. The generator is xoroshiro128+
 * (pure-rand); a stream's seed is a 32-bit hash of (root seed, name).
 */
export class Rng {
  private readonly gen: RandomGenerator;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    // xoroshiro128+ seeded with a small integer starts with low-entropy state (first draws near 1),
    // so the seed is scrambled first and a few outputs are discarded.
    this.gen = xoroshiro128plus(streamSeed(seed, 'rng'));
    for (let i = 0; i < 4; i++) this.gen.next();
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.gen.next() >>> 5;
    const b = this.gen.next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform on [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal by the Box–Muller transform (pairs are cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  fillUniform<T extends Float64Array | Float32Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A 32-bit seed drawn from this stream, for handing to libraries that take one (e.g. tf initialisers). */
  seed32(): number {
    return this.gen.next() >>> 0;
  }
}

/** FNV-1a over the name, mixed with the root seed by a murmur3 finaliser. */
export function streamSeed(root: number, name: string): number {
  let h = 0x811c9dc5 ^ (root >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.floor(root / 4294967296);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export interface Streams {
  readonly seed: number;
  /** A fresh generator for the named stream; the same (seed, name) always gives the same draws. */
  get(name: string): Rng;
}

export function streams(seed: number): Streams {
  if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  return { seed, get: (name: string) => new Rng(streamSeed(seed, name)) };
}
