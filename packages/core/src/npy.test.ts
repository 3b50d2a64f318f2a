import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyFile, NpyWriter, encodeNpy, parseNpy, readNpy, writeNpy } from './npy';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('.npy', () => {
  it('reads a float32 file written by NumPy', () => {
    const a = readNpy(fixture('numpy-f4.npy'));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('reads a format-2.0 float64 file written by NumPy', () => {
    const a = readNpy(fixture('numpy-f8-v2.npy'));
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([1, 2, 2]);
    expect([...a.data]).toEqual([1.5, -2, 1e-300, 3.25]);
  });

  it('writes the exact bytes NumPy writes for a small array (hand-checked header)', () => {
    const bytes = encodeNpy(new Float64Array([1, -2.5]), [2]);
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLen = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLen) % 64).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
    expect(text.startsWith(header)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(header.length, -1).trim()).toBe('');
    const dv = new DataView(bytes.buffer, 10 + headerLen);
    expect(dv.getFloat64(0, true)).toBe(1);
    expect(dv.getFloat64(8, true)).toBe(-2.5);
  });

  it('round-trips float32 and float64 through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-npy-'));
    const f32 = new Float32Array([1.25, 2, 3, 4, 5, 6]);
    writeNpy(join(dir, 'a.npy'), f32, [1, 2, 3]);
    const back = readNpy(join(dir, 'a.npy'));
    expect(back.shape).toEqual([1, 2, 3]);
    expect(back.data).toEqual(f32);
    const f64 = new Float64Array([Math.PI]);
    expect(parseNpy(encodeNpy(f64, [1])).data).toEqual(f64);
    expect(readdirSync(dir)).toEqual(['a.npy']);
  });

  it('gives clear errors for Fortran order, unsupported dtypes, truncation and missing files', () => {
    expect(() => readNpy(fixture('numpy-fortran.npy'))).toThrow(/Fortran-ordered/);
    expect(() => readNpy(fixture('numpy-int.npy'))).toThrow(/dtype '<i8' is not supported/);
    const good = encodeNpy(new Float64Array([1, 2]), [2]);
    expect(() => parseNpy(good.subarray(0, good.length - 3))).toThrow(/expected 16 data bytes/);
    expect(() => parseNpy(new Uint8Array(20))).toThrow(/not a \.npy file/);
    expect(() => readNpy('/nonexistent/x.npy')).toThrow(/x\.npy: file not found/);
  });

  it('a failed write leaves nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-npy-'));
    expect(() => writeNpy(join(dir, 'b.npy'), new Float64Array(3), [2])).toThrow(/needs 2 values/);
    expect(existsSync(join(dir, 'b.npy'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('streams: header, then appended chunks, gives the bytes of the one-shot encoding; rows read back in pieces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-npy-'));
    const data = Float64Array.from({ length: 5 * 3 * 3 }, (_, n) => n / 7);
    const w = new NpyWriter(join(dir, 's.npy'), 'float64', [5, 3, 3]);
    expect(existsSync(join(dir, 's.npy'))).toBe(false); // nothing at the target until close
    for (const [a, b] of [[0, 2], [2, 3], [3, 5]]) w.append(data.subarray(a * 9, b * 9));
    w.close();
    expect(new Uint8Array(readFileSync(join(dir, 's.npy')))).toEqual(encodeNpy(data, [5, 3, 3]));
    expect(readdirSync(dir)).toEqual(['s.npy']);
    // float32 output from float64 chunks is the one-shot float32 encoding
    const w32 = new NpyWriter(join(dir, 'f.npy'), 'float32', [5, 9]);
    w32.append(data.subarray(0, 20));
    w32.append(data.subarray(20));
    w32.close();
    expect(new Uint8Array(readFileSync(join(dir, 'f.npy')))).toEqual(encodeNpy(Float32Array.from(data), [5, 9]));
    const f = NpyFile.open(join(dir, 's.npy'));
    expect([f.rows, f.rowLength, f.dtype]).toEqual([5, 9, 'float64']);
    expect(f.readRows(1, 3)).toEqual(data.slice(9, 27));
    expect(f.readRows(4, 4)).toEqual(new Float64Array(0));
    expect(() => f.readRows(4, 6)).toThrow(/outside/);
    f.close();
  });

  it('an incomplete or aborted stream leaves nothing behind; a missing folder is not created', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-npy-'));
    const w = new NpyWriter(join(dir, 'x.npy'), 'float64', [4]);
    w.append(new Float64Array(3));
    expect(() => w.close()).toThrow(/3 of 4 values/);
    const v = new NpyWriter(join(dir, 'y.npy'), 'float64', [4]);
    expect(() => v.append(new Float64Array(5))).toThrow(/5 values/);
    new NpyWriter(join(dir, 'z.npy'), 'float64', [1]).abort();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => new NpyWriter(join(dir, 'typo', 'x.npy'), 'float64', [1])).toThrow(/typo does not exist/);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('opening names truncated data and directories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-npy-'));
    const good = encodeNpy(new Float64Array([1, 2, 3]), [3]);
    writeFileSync(join(dir, 't.npy'), good.subarray(0, good.length - 8));
    expect(() => NpyFile.open(join(dir, 't.npy'))).toThrow(/t\.npy: expected 24 data bytes for shape \(3\), found 16/);
    writeFileSync(join(dir, 'h.npy'), good.subarray(0, 30));
    expect(() => readNpy(join(dir, 'h.npy'))).toThrow(/h\.npy: truncated header/);
    expect(() => readNpy(dir)).toThrow(/is a directory/);
  });
});
