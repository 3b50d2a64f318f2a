import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '@rrm/core';

/**
 * Output paths are checked before any work starts, so a typo fails at once with exit 2 instead of after
 * minutes of computing, and no command can destroy its own input: an output must end in the extension of
 * what is written, must not be an existing directory, must lie in an existing folder (a mistyped folder is
 * not created), and must not be (a link to) any input file.
 */
export interface OutputPathCheck {
  /** '.npy', '.svg', … (compared case-insensitively). */
  readonly ext: string;
  /** Files read by the same command, as [flag, path]; undefined paths are skipped. */
  readonly inputs?: readonly (readonly [string, string | undefined])[];
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether two paths name one file: same resolved path, same real path, or same device and inode. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const sa = statOrUndefined(a);
  const sb = statOrUndefined(b);
  if (!sa || !sb) return false;
  if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

export function checkOutputPath(flag: string, path: string, check: OutputPathCheck): string {
  if (typeof path !== 'string' || path.trim() === '') throw new ValidationError(flag, 'an output file path', path);
  if (!path.toLowerCase().endsWith(check.ext.toLowerCase()) || path.length <= check.ext.length) {
    throw new ValidationError(flag, `a file name ending in ${check.ext} (the format written)`, path);
  }
  const st = statOrUndefined(path);
  if (st?.isDirectory()) throw new ValidationError(flag, 'a file path, not an existing directory', path);
  const folder = dirname(resolve(path));
  const parent = statOrUndefined(folder);
  if (!parent) throw new ValidationError(flag, `a path in an existing folder (${folder} does not exist; it is not created)`, path);
  if (!parent.isDirectory()) throw new ValidationError(flag, `a path in a folder (${folder} is not a directory)`, path);
  for (const [inFlag, input] of check.inputs ?? []) {
    if (input !== undefined && sameFile(path, input)) {
      throw new ValidationError(flag, `a path other than the input ${inFlag} (writing it would destroy ${input})`, path);
    }
  }
  return path;
}

/** Several outputs of one command must differ from each other. */
export function checkDistinctOutputs(outputs: readonly (readonly [string, string | undefined])[]): void {
  const given = outputs.filter((o): o is readonly [string, string] => o[1] !== undefined);
  for (let a = 0; a < given.length; a++) {
    for (let b = a + 1; b < given.length; b++) {
      if (sameFile(given[a][1], given[b][1])) throw new ValidationError(given[b][0], `a path other than ${given[a][0]}`, given[b][1]);
    }
  }
}

/** The files of a run folder (top level and weights/), as inputs an output must not overwrite. */
export function runFolderFiles(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const sub of ['', 'weights']) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names) out.push([`run file`, join(dir, sub, n)]);
  }
  return out;
}
