import type { Registry } from '@rrm/core';

/** Every registered plugin, grouped by kind. */
export function listPlugins(registry: Registry): Record<string, { name: string; description: string }[]> {
  const out: Record<string, { name: string; description: string }[]> = {};
  for (const kind of registry.kinds()) {
    out[kind] = registry.list(kind).map((e) => ({ name: e.name, description: e.description }));
  }
  return out;
}

export function formatPlugins(registry: Registry): string {
  const lines: string[] = [];
  for (const [kind, entries] of Object.entries(listPlugins(registry))) {
    lines.push(`${kind}:`);
    const width = Math.max(...entries.map((e) => e.name.length));
    for (const e of entries) lines.push(`  ${e.name.padEnd(width)}  ${e.description}`);
  }
  lines.push(`plugins loaded: ${registry.usedPlugins().join(', ')}`);
  return lines.join('\n');
}
