// Gradient-worker bootstrap: the packages ship TypeScript sources, so the worker registers tsx before it
// loads its TypeScript entry (a worker thread does not inherit the parent's loader hooks).
import { register } from 'tsx/esm/api';

register();
await import('./gradient-worker.ts');
