import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, readNpy, writeFileAtomic, writeNpy, type PowerProblem, type Teacher } from '@rrm/core';

/**
 * Teacher labels are computed once per data set and cached on disk as `.npy` ([N, K] float64).
 * The cache key is a SHA-256 over everything the labels depend on: the gains bytes, the weights bytes
 * (per-sample and per-problem), the starting powers if given, σ², p_max, and the teacher's kind with
 * its resolved options (canonical JSON, sorted keys). Changed data or teacher options give another key,
 * so the labels are recomputed; the file name carries the key, so a stale file is never read for new data.
 * Files are written atomically (temporary file + rename), with a `.json` sidecar describing the key.
 */
export interface TeacherLabelsRequest {
  readonly teacher: Teacher;
  readonly problem: PowerProblem;
  readonly cacheDir: string;
  /** A readable prefix for the file name (e.g. 'train'); default the teacher's kind. Not part of the key. */
  readonly datasetKey?: string;
}

export interface TeacherLabels {
  /** Teacher powers [N, K]. */
  readonly powers: Float64Array;
  /** True when read from the cache, false when computed now. */
  readonly hit: boolean;
  readonly path: string;
  /** The SHA-256 cache key (hex). */
  readonly key: string;
}

/** Canonical JSON: sorted object keys, typed arrays as arrays (so equal options hash equally). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

function bytes(a: Float64Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The cache key of (data, teacher). */
export function labelsKey(teacher: Pick<Teacher, 'kind' | 'options'>, problem: PowerProblem): string {
  const h = createHash('sha256');
  const { channels } = problem;
  const part = (tag: string, data?: Float64Array | Float32Array) => {
    h.update(`${tag}:${data ? `${data.constructor.name}:${data.length}` : 'none'};`);
    if (data) h.update(bytes(data));
  };
  h.update(`rrm-teacher-labels/v1;B=${channels.batch};K=${channels.users};`);
  part('gains', channels.gains);
  part('channel-weights', channels.weights);
  part('weights', problem.weights);
  part('init', problem.init);
  h.update(`noise=${problem.noise};pmax=${problem.pmax};`);
  h.update(`teacher=${teacher.kind};options=${canonicalJson(teacher.options)}`);
  return h.digest('hex');
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export async function teacherLabels(req: TeacherLabelsRequest): Promise<TeacherLabels> {
  const { teacher, problem, cacheDir } = req;
  const { batch, users } = problem.channels;
  const key = labelsKey(teacher, problem);
  const path = join(cacheDir, `${safeName(req.datasetKey ?? teacher.kind)}-${safeName(teacher.kind)}-${key}.npy`);
  if (existsSync(path)) {
    try {
      const cached = readNpy(path);
      if (cached.dtype === 'float64' && cached.shape.length === 2 && cached.shape[0] === batch && cached.shape[1] === users) {
        return { powers: cached.data as Float64Array, hit: true, path, key };
      }
    } catch {
      // An unreadable or truncated file is recomputed and overwritten below.
    }
  }
  const raw = await teacher.solve(problem);
  if (raw.length !== batch * users) {
    throw new ValidationError(`teacher '${teacher.kind}' output`, `${batch * users} powers ([N, K] = [${batch}, ${users}])`, raw);
  }
  const powers = raw instanceof Float64Array ? raw : Float64Array.from(raw);
  writeNpy(path, powers, [batch, users]);
  writeFileAtomic(
    path.replace(/\.npy$/, '.json'),
    JSON.stringify(
      {
        key,
        teacher: { kind: teacher.kind, options: canonical(teacher.options) },
        samples: batch,
        users,
        noise: problem.noise,
        pmax: problem.pmax,
        datasetKey: req.datasetKey ?? null,
      },
      null,
      2,
    ),
  );
  return { powers, hit: false, path, key };
}
