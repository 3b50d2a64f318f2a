// BullMQ's sandboxed processor for sweep runs: the packages ship TypeScript, so tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
const { default: processRun } = await import('./queue-processor.ts');
export default processRun;
