/** Replica factory of the benchmark's data-parallel training steps (worker threads build the model with it). */
import { Registry, type PluginSpec } from '@rrm/core';
import { gnnPlugin } from '@rrm/models-gnn';
import { mlpPlugin } from '@rrm/models-mlp';
import type { Replica } from '@rrm/trainers-unsup';

export interface BenchReplicaArgs {
  readonly spec: PluginSpec;
  readonly users: number;
}

export function createReplica({ spec, users }: BenchReplicaArgs): Replica {
  const registry = new Registry().use(gnnPlugin).use(mlpPlugin);
  return { model: registry.create('model', spec)({ users, pmax: 1, noise: 1, seed: 1 }) };
}
