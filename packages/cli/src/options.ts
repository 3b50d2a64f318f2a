import { ValidationError } from '@rrm/core';

/**
 * Plugin options on the command line: any `--some-option value` the command itself does not define is
 * passed to the plugin as `someOption: value` (the plugin validates it and names the field if it is wrong).
 * `--set key=value` does the same with an explicit key. Values are parsed as JSON where they can be
 * (numbers, booleans, arrays), else kept as strings.
 */
export function parseValue(text: string): unknown {
  const t = text.trim();
  if (t === '') return t;
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  if (t === 'true' || t === 'false' || t === 'null' || t.startsWith('[') || t.startsWith('{') || t.startsWith('"')) {
    try {
      return JSON.parse(t);
    } catch {
      throw new ValidationError('option value', 'valid JSON for arrays, objects or quoted strings', t);
    }
  }
  return t;
}

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Turns leftover argv tokens (`--k-factor 3 --fading=false`) into plugin options. */
export function pluginOptions(tokens: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let n = 0; n < tokens.length; n++) {
    const tok = tokens[n];
    if (!tok.startsWith('--')) throw new ValidationError('arguments', 'options of the form --name value', tok);
    const eq = tok.indexOf('=');
    const name = camelCase(tok.slice(2, eq < 0 ? undefined : eq));
    if (eq >= 0) out[name] = parseValue(tok.slice(eq + 1));
    else if (n + 1 < tokens.length && !tokens[n + 1].startsWith('--')) out[name] = parseValue(tokens[++n]);
    else out[name] = true;
  }
  return out;
}

/** `--set a.b=1` pairs into a flat record of dotted keys. */
export function parseSets(sets: readonly string[]): [string, unknown][] {
  return sets.map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ValidationError('--set', 'key=value', s);
    return [s.slice(0, eq).trim(), parseValue(s.slice(eq + 1))];
  });
}

export function numberOption(field: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new ValidationError(field, 'a number', text);
  return v;
}

/** A strictly positive number flag (σ², p_max), default 1; the error names the flag. */
export function positiveOption(field: string, text: string | undefined, fallback = 1): number {
  const v = numberOption(field, text, fallback);
  if (!(v > 0)) throw new ValidationError(field, 'a finite number > 0', text);
  return v;
}

export function integerOption(field: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new ValidationError(field, 'an integer (required)');
    return fallback;
  }
  const v = Number(text);
  if (!Number.isInteger(v)) throw new ValidationError(field, 'an integer', text);
  return v;
}
