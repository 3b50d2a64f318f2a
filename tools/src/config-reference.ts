/**
 * Writes docs/config-reference.md from the zod schemas of the pipeline config and of every built-in
 * plugin (`npm run docs:config`). A test in @rrm/pipeline fails when the committed page is stale.
 */
import { writeFileAtomic } from '@rrm/core';
import { builtinRegistry, configReference } from '@rrm/pipeline';

const path = new URL('../../docs/config-reference.md', import.meta.url).pathname;
writeFileAtomic(path, configReference(builtinRegistry()));
console.log(`wrote ${path}`);
