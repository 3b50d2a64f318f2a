// Entry of a local-pool run process: the packages ship TypeScript, so tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
await import('./run-child.ts');
