// Worker-thread entry of the worker pool (worker-pool.ts). Plain .mjs so Node can start it
// without a TypeScript loader; it registers tsx, then imports the TypeScript module that holds the
// chunk function. Works under vitest and under tsx alike.
//
// Protocol (parentPort messages):
//   in  { type: 'load', id, module }                 -> out { id, ok }
//   in  { type: 'run', id, module, fn, args }        -> out { id, ok, value } (value: Float64Array, transferred)
//   errors                                           -> out { id, ok: false, error: { name, message, stack } }
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();

const modules = new Map();
function load(url) {
  let mod = modules.get(url);
  if (!mod) {
    mod = import(url);
    modules.set(url, mod);
  }
  return mod;
}

parentPort.on('message', async (msg) => {
  try {
    const mod = await load(msg.module);
    if (msg.type === 'load') {
      parentPort.postMessage({ id: msg.id, ok: true });
      return;
    }
    const fn = mod[msg.fn];
    if (typeof fn !== 'function') throw new Error(`${msg.module} has no exported function '${msg.fn}'`);
    const value = await fn(msg.args);
    const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
    parentPort.postMessage({ id: msg.id, ok: true, value }, whole ? [value.buffer] : []);
  } catch (err) {
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      error: { name: err?.name ?? 'Error', message: String(err?.message ?? err), stack: err?.stack, field: err?.field, expected: err?.expected, got: err?.got },
    });
  }
});
