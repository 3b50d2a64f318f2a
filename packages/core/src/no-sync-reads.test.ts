import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Guard: no synchronous tensor read in any package's source. Under Node the webgpu backend cannot read
 * synchronously (its sync path goes through OffscreenCanvas: "OffscreenCanvas is not defined"), so every
 * training, evaluation and prediction path reads with `await tensor.data()` / `array()` / `buffer()`.
 * Tests may read synchronously (they pick cpu or wasm themselves).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const SYNC_READ = /\.\s*(dataSync|arraySync|bufferSync)\s*\(/g;
const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/;
const TEST = /\.test\.[a-z]+$/;

/**
 * `file:line` uses that are provably CPU-only, each with the reason. Empty: keep it that way unless a use
 * can never run on a GPU backend (say why here).
 */
const ALLOWED: readonly string[] = [];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(entry.name) && !TEST.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** `file:line: text` of every synchronous read in `text`. */
function syncReads(file: string, text: string): string[] {
  const hits: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.match(SYNC_READ)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return hits;
}

function packageSources(): string[] {
  const packages = join(ROOT, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      try {
        return sourceFiles(join(packages, d.name, 'src'));
      } catch {
        return []; // a package without src/
      }
    });
}

describe('no synchronous tensor reads', () => {
  it('finds them (the scanner is not vacuous)', () => {
    expect(syncReads('a.ts', 'const v = t.dataSync()[0];\nconst w = await t.data();\nx.arraySync ()')).toEqual(['a.ts:1: const v = t.dataSync()[0];', 'a.ts:3: x.arraySync ()']);
  });

  it('no dataSync / arraySync / bufferSync in the non-test sources of packages/*/src', () => {
    const files = packageSources();
    const rel = files.map((f) => relative(ROOT, f));
    // The scan covers the packages (and the files that used to read synchronously).
    expect(rel).toContain('packages/core/src/predict.ts');
    expect(rel).toContain('packages/trainers-unsup/src/gradient-worker.ts');
    expect(rel).toContain('packages/cli/src/pipeline/evaluate-run.ts');
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) => syncReads(relative(ROOT, f), readFileSync(f, 'utf8'))).filter((h) => !ALLOWED.some((a) => h.startsWith(`${a}:`)));
    expect(hits, `synchronous reads (use await tensor.data() / array(); webgpu cannot read synchronously under Node):\n${hits.join('\n')}`).toEqual([]);
  });
});
