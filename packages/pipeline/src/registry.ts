import { Registry, backendsPlugin, type Plugin } from '@rrm/core';
import { channelsPlugin } from '@rrm/channels';
import { wmmsePlugin } from '@rrm/teachers-wmmse';
import { fplinqPlugin } from '@rrm/teachers-fplinq';
import { mlpPlugin } from '@rrm/models-mlp';
import { gnnPlugin } from '@rrm/models-gnn';
import { trainersPlugin } from '@rrm/trainers-unsup';
import { distillPlugin } from '@rrm/distill';
import { ddpgPlugin } from '@rrm/trainers-ddpg';

/** The built-in plugins, registered exactly as a third-party plugin would be. */
export const builtinPlugins: readonly Plugin[] = [
  backendsPlugin,
  channelsPlugin,
  wmmsePlugin,
  fplinqPlugin,
  mlpPlugin,
  gnnPlugin,
  trainersPlugin,
  distillPlugin,
  ddpgPlugin,
];

export function builtinRegistry(extra: readonly Plugin[] = []): Registry {
  const registry = new Registry();
  for (const p of [...builtinPlugins, ...extra]) registry.use(p);
  return registry;
}
