/**
 * The replica factory of runs with data-parallel trainers (`trainer.workers` > 1): each gradient worker
 * thread rebuilds the registry (built-in plugins plus the config's local plugin files), the model and the
 * distillation term from the resolved config, exactly as the main thread did.
 */
import type { Replica } from '@rrm/trainers-unsup';
import { loadLocalPlugins } from '@rrm/core';
import type { PipelineConfig } from './config';
import { builtinRegistry } from './registry';
import { buildModel, distillService, validateConfig } from './run-training';

export interface PipelineReplicaArgs {
  readonly config: PipelineConfig;
  readonly users: number;
  /** Teacher powers of the training set, when the run distils. */
  readonly labels?: Float64Array;
}

export async function createReplica({ config, users, labels }: PipelineReplicaArgs): Promise<Replica> {
  const registry = builtinRegistry();
  await loadLocalPlugins(config.plugins, registry);
  const ad = distillService(validateConfig(config, registry));
  return { model: buildModel(registry, config, users), extraLoss: ad && labels ? ad.term(labels, users) : undefined };
}
