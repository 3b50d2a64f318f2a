import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy, type PowerProblem } from '@rrm/core';
import { canonicalJson, labelsKey, teacherLabels } from './label-cache';
import { countingWmmse, rayleigh, wmmse } from './test-fixtures';

const root = mkdtempSync(join(tmpdir(), 'rrm-labels-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('teacher label cache', () => {
  const channels = rayleigh(20, 3, 1);
  const problem: PowerProblem = { channels, noise: 1, pmax: 1 };

  it('computes once, then hits; the file is an [N, K] float64 .npy', async () => {
    const dir = join(root, 'a');
    const teacher = countingWmmse(20);
    const first = await teacherLabels({ teacher, problem, cacheDir: dir, datasetKey: 'train' });
    expect(first.hit).toBe(false);
    expect(teacher.calls).toBe(1);
    expect(Array.from(first.powers)).toEqual(Array.from(wmmse(channels, 1, 1, 20)));
    expect(first.path.startsWith(join(dir, 'train-test-wmmse-'))).toBe(true);
    const npy = readNpy(first.path);
    expect(npy.shape).toEqual([20, 3]);
    expect(npy.dtype).toBe('float64');
    const sidecar = JSON.parse(readFileSync(first.path.replace(/\.npy$/, '.json'), 'utf8'));
    expect(sidecar).toMatchObject({ key: first.key, teacher: { kind: 'test-wmmse', options: { init: 'full', iterations: 20 } }, samples: 20, users: 3 });

    const second = await teacherLabels({ teacher, problem, cacheDir: dir, datasetKey: 'train' });
    expect(second.hit).toBe(true);
    expect(teacher.calls).toBe(1);
    expect(second.path).toBe(first.path);
    expect(Array.from(second.powers)).toEqual(Array.from(first.powers));
    // Atomic writes leave no temporary files behind.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('recomputes when the teacher options or the data change', async () => {
    const dir = join(root, 'b');
    const t20 = countingWmmse(20);
    const base = await teacherLabels({ teacher: t20, problem, cacheDir: dir });
    expect(base.hit).toBe(false);
    // Other teacher options: another key, computed.
    const t30 = countingWmmse(30);
    const other = await teacherLabels({ teacher: t30, problem, cacheDir: dir });
    expect(other.hit).toBe(false);
    expect(other.key).not.toBe(base.key);
    expect(t30.calls).toBe(1);
    // One changed gain.
    const gains = channels.gains.slice();
    gains[4] *= 1.0000001;
    const changed = await teacherLabels({ teacher: t20, problem: { ...problem, channels: { ...channels, gains } }, cacheDir: dir });
    expect(changed.hit).toBe(false);
    // Noise, pmax, weights are part of the key.
    for (const p of [{ ...problem, noise: 0.5 }, { ...problem, pmax: 2 }, { ...problem, weights: Float64Array.from([1, 2, 1]) }]) {
      const r = await teacherLabels({ teacher: t20, problem: p, cacheDir: dir });
      expect(r.hit).toBe(false);
    }
    expect(t20.calls).toBe(5);
    // The original data and options still hit.
    expect((await teacherLabels({ teacher: t20, problem, cacheDir: dir })).hit).toBe(true);
    expect(t20.calls).toBe(5);
  });

  it('keys canonically (option order does not matter) and recomputes a corrupt file', async () => {
    const a = labelsKey({ kind: 'w', options: { iterations: 5, init: 'full' } }, problem);
    const b = labelsKey({ kind: 'w', options: { init: 'full', iterations: 5 } }, problem);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: [Float64Array.from([1, 2])], a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":[[1,2]]}');

    const dir = join(root, 'c');
    const teacher = countingWmmse(10);
    const first = await teacherLabels({ teacher, problem, cacheDir: dir });
    writeFileSync(first.path, 'not a npy file');
    const again = await teacherLabels({ teacher, problem, cacheDir: dir });
    expect(again.hit).toBe(false);
    expect(teacher.calls).toBe(2);
    expect(Array.from(readNpy(again.path).data)).toEqual(Array.from(first.powers));
    expect(existsSync(again.path)).toBe(true);
  });

  it('rejects a teacher that returns the wrong number of powers', async () => {
    const bad = { kind: 'bad', options: {}, solve: async () => new Float64Array(5) };
    await expect(teacherLabels({ teacher: bad, problem, cacheDir: join(root, 'd') })).rejects.toThrow(/60 powers/);
  });
});
