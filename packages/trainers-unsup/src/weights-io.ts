import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, writeFileAtomic, type PowerModel } from '@rrm/core';

/**
 * A model's named weights in the TensorFlow.js weights format: `model.json` (with a `weightsManifest`
 * of one group) and `weights.bin` (the tensors back to back, little-endian). The model itself is
 * described by `modelTopology: { kind, options }` (this toolkit's models are code plus options, not a
 * Keras graph), so any tfjs tool can read the weights and rrm can rebuild the model.
 * Writing goes through a tf.io IOHandler whose save() writes both files with core writeFileAtomic
 * (weights.bin first, so a model.json never points at a half-written weights file).
 */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const WEIGHTS_FORMAT = 'rrm-weights';

export interface ModelTopology {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A tf.io handler for a directory: save() writes model.json + weights.bin, load() reads them. */
export type FileWeightsHandler = tf.io.IOHandler & Required<Pick<tf.io.IOHandler, 'save' | 'load'>>;

export function fileWeightsHandler(dir: string): FileWeightsHandler {
  const jsonPath = join(dir, MODEL_JSON);
  const binPath = join(dir, WEIGHTS_BIN);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const json = {
        format: artifacts.format ?? WEIGHTS_FORMAT,
        generatedBy: artifacts.generatedBy ?? '@rrm/trainers-unsup',
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology ?? null,
        weightsManifest: manifest,
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      writeFileAtomic(binPath, new Uint8Array(data));
      const text = JSON.stringify(json, null, 2);
      writeFileAtomic(jsonPath, text);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(json.modelTopology).length,
          weightSpecsBytes: JSON.stringify(manifest).length,
          weightDataBytes: data.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ValidationError(jsonPath, 'a TensorFlow.js model.json', code === 'ENOENT' ? 'no such file' : String(err));
      }
      if (!Array.isArray(json.weightsManifest)) throw new ValidationError(`${jsonPath}: weightsManifest`, 'an array of weight groups');
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const bytes = readFileSync(join(dir, p));
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: buffers.length === 1 ? buffers[0] : tf.io.CompositeArrayBuffer.join(buffers),
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

/** Saves a model's namedWeights (trainable and fixed) to `dir`. */
export async function saveModelWeights(model: PowerModel, dir: string): Promise<{ jsonPath: string; binPath: string; bytes: number }> {
  const named = model.namedWeights();
  const { data, specs } = await tf.io.encodeWeights(named.map((w) => ({ name: w.name, tensor: w.tensor })));
  const topology: ModelTopology = { kind: model.kind, options: model.options };
  const result = await fileWeightsHandler(dir).save({
    modelTopology: topology as unknown as tf.io.ModelArtifacts['modelTopology'],
    format: WEIGHTS_FORMAT,
    generatedBy: '@rrm/trainers-unsup',
    weightSpecs: specs,
    weightData: data,
  });
  return { jsonPath: join(dir, MODEL_JSON), binPath: join(dir, WEIGHTS_BIN), bytes: result.modelArtifactsInfo.weightDataBytes ?? 0 };
}

/** Reads saved weights as tensors (the caller disposes them) and the saved model description. */
export async function readModelWeights(dir: string): Promise<{ weights: Record<string, tf.Tensor>; topology?: ModelTopology }> {
  const artifacts = await fileWeightsHandler(dir).load();
  const weights = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  const t = artifacts.modelTopology as unknown as ModelTopology | null | undefined;
  return { weights, topology: t && typeof t === 'object' && typeof t.kind === 'string' ? t : undefined };
}

/** Loads saved weights into a model of the same kind (shapes are checked by the model). */
export async function loadModelWeights(model: PowerModel, dir: string): Promise<void> {
  const { weights, topology } = await readModelWeights(dir);
  try {
    if (topology && topology.kind !== model.kind) {
      throw new ValidationError(`${join(dir, MODEL_JSON)}: modelTopology.kind`, `'${model.kind}' (the model being loaded)`, topology.kind);
    }
    model.loadWeights(weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
}
