import { describe, expect, it } from 'vitest';
import { DenseStack, kerasNames, parseLayerOptions, widths } from './layers';
import { ParamStore } from './param-store';
import { Rng } from './random';
import { strictOptions } from './schema';

describe('DenseStack', () => {
  it('counts parameters and MACs from the layer sizes', () => {
    const store = new ParamStore();
    const mlp = new DenseStack(store, 'net', { inputs: 5, widths: [8, 4, 1] }, new Rng(1));
    // (5·8 + 8) + (8·4 + 4) + (4·1 + 1)
    expect(store.paramCount()).toBe(48 + 36 + 5);
    expect(mlp.macs()).toBe(40 + 32 + 4);
    expect(store.namedWeights().map((n) => n.name)).toEqual(['net/w0', 'net/b0', 'net/w1', 'net/b1', 'net/w2', 'net/b2']);
    store.dispose();
  });

  it('draws the same weights from the same seed, Glorot-bounded with zero biases', () => {
    const a = new ParamStore();
    const b = new ParamStore();
    new DenseStack(a, 'm', { inputs: 6, widths: [10] }, new Rng(7));
    new DenseStack(b, 'm', { inputs: 6, widths: [10] }, new Rng(7));
    const wa = a.namedWeights()[0].tensor.dataSync();
    expect(Array.from(wa)).toEqual(Array.from(b.namedWeights()[0].tensor.dataSync()));
    const limit = Math.sqrt(6 / 16);
    expect(Math.max(...Array.from(wa).map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Array.from(a.namedWeights()[1].tensor.dataSync()).every((v) => v === 0)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it("torch init draws W then b from U(±1/√fan_in), under Keras-style names", () => {
    const store = new ParamStore();
    new DenseStack(store, kerasNames, { inputs: 4, widths: [3, 2], init: 'torch' }, new Rng(3));
    expect(store.namedWeights().map((n) => n.name)).toEqual(['dense0/kernel', 'dense0/bias', 'output/kernel', 'output/bias']);
    const rng = new Rng(3);
    const draws = [12, 3, 6, 2].map((n, i) => Array.from(rng.fillUniform(new Float32Array(n), -1 / Math.sqrt(i < 2 ? 4 : 3), 1 / Math.sqrt(i < 2 ? 4 : 3))));
    expect(store.namedWeights().map((n) => Array.from(n.tensor.dataSync()))).toEqual(draws);
    store.dispose();
  });
});

describe('layer options', () => {
  const schema = strictOptions({ hidden: widths().default([4]), update: widths(true).default([]) });
  it('name list entries with brackets, and reject an empty list unless allowed', () => {
    expect(parseLayerOptions(schema, { update: [] }, 'model')).toEqual({ hidden: [4], update: [] });
    expect(() => parseLayerOptions(schema, { hidden: [3, 0] }, 'runs[1].model')).toThrow(/^runs\[1\]\.model\.hidden\[1\]: expected an integer >= 1/);
    expect(() => parseLayerOptions(schema, { hidden: [] }, 'model')).toThrow(/^model\.hidden: expected a non-empty list/);
    expect(() => parseLayerOptions(schema, { hiden: [] }, 'model')).toThrow(/^model\.hiden/);
  });
});
