import { z } from 'zod';
import { ValidationError } from './errors';

/**
 * One schema per config section or plugin: the zod schema gives the TypeScript type (`z.output`), the
 * defaults, unknown-key rejection (`z.strictObject`) and a JSON Schema for the generated config reference.
 * `parseOptions` turns zod's first issue into the project's ValidationError, naming the full field path
 * (`trainer.optimizer.lr`) and the expected form, so every plugin reports errors the same way.
 */
export { z };

export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw issueError(r.error.issues[0], value, field);
}

function issueError(issue: z.core.$ZodIssue, root: unknown, field: string): ValidationError {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // A name-or-mapping field: report the branch that got furthest into the value, not "invalid input".
    const depth = (iss: z.core.$ZodIssue) => (iss.code === 'invalid_type' ? -1 : iss.path.length);
    const best = issue.errors.map((e) => e[0]).filter(Boolean).sort((a, b) => depth(b) - depth(a))[0];
    if (best && depth(best) >= 0) return issueError({ ...best, path: [...issue.path, ...best.path] } as z.core.$ZodIssue, root, field);
  }
  const path = issue.path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), field);
  const got = valueAt(root, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const known = knownKeysAt(issue);
      return new ValidationError(path ? `${path}.${key}` : key, `one of the known options (${known || 'none'})`, key);
    }
    case 'invalid_value':
      return new ValidationError(path, `one of ${issue.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}`, got);
    default:
      return new ValidationError(path, expectedText(issue), got);
  }
}

/** zod does not list the allowed keys on an unrecognized-keys issue; `strictKeys` records them in the message. */
function knownKeysAt(issue: z.core.$ZodIssue): string {
  const m = /known: (.*)$/.exec(issue.message);
  return m ? m[1] : '';
}

function expectedText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'an integer' : `a${/^[aeiou]/.test(issue.expected) ? 'n' : ''} ${issue.expected}`;
    case 'too_small':
      return `${issue.origin === 'number' ? (Number.isInteger(Number(issue.minimum)) && issue.message.includes('int') ? 'an integer' : 'a finite number') : issue.origin} ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      return `${issue.origin === 'number' ? 'a finite number' : issue.origin} ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * An object schema that rejects unknown keys and names the known ones in the error. `kind` is always
 * allowed (and dropped): plugin options arrive as `{ kind, ...options }`.
 */
export function strictOptions<T extends z.ZodRawShape>(shape: T) {
  return strict({ ...shape, kind: z.string().optional() }, ['kind']).transform((o) => {
    const { kind: _kind, ...rest } = o as Record<string, unknown>;
    return rest as z.output<z.ZodObject<T>>;
  });
}

/** A z.strictObject whose unknown-key error lists the known keys. */
export function strict<T extends z.ZodRawShape>(shape: T, unlisted: readonly string[] = []) {
  const known = Object.keys(shape).filter((k) => !unlisted.includes(k)).join(', ');
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown option; known: ${known}` : undefined) });
}

/** Common field forms, so messages read the same everywhere. */
export const positive = () => z.number({ error: 'a finite number > 0' }).finite().positive();
export const nonNegative = () => z.number({ error: 'a finite number >= 0' }).finite().nonnegative();
export const integer = (min = 1) => z.number({ error: `an integer >= ${min}` }).int().min(min);
