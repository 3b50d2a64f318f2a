import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './files';

/**
 * NumPy `.npy` files (format versions 1.0–3.0), so channel sets move between this toolkit and
 * NumPy/PyTorch code. Supported: little-endian float32 (`<f4`) and float64 (`<f8`) in C order.
 * Reference: numpy/lib/format.py.
 */
export type NpyDtype = 'float32' | 'float64';

export interface NpyArray {
  readonly shape: number[];
  readonly dtype: NpyDtype;
  readonly data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export class NpyError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'NpyError';
  }
}

export function parseNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new NpyError(source, 'not a .npy file (missing the \\x93NUMPY magic string)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new NpyError(source, `unsupported .npy format version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(source, `malformed .npy header: ${header.trim()}`);
  }
  if (fortran === 'True') {
    throw new NpyError(source, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray(a) (C order)");
  }
  let dtype: NpyDtype;
  if (descr === '<f4') dtype = 'float32';
  else if (descr === '<f8') dtype = 'float64';
  else {
    throw new NpyError(source, `dtype '${descr}' is not supported; expected little-endian float32 ('<f4') or float64 ('<f8'), e.g. a.astype(np.float32)`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(source, `bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = offset + headerLen;
  const width = dtype === 'float32' ? 4 : 8;
  if (bytes.length - start !== count * width) {
    throw new NpyError(source, `expected ${count * width} data bytes for shape (${shape.join(', ')}), found ${bytes.length - start}`);
  }
  // Copy into a fresh aligned buffer: the data offset need not be a multiple of 8, and a Node Buffer's
  // slice() is a view into a shared pool, not a copy.
  const buf = new Uint8Array(bytes.subarray(start, start + count * width)).buffer;
  const data = dtype === 'float32' ? new Float32Array(buf) : new Float64Array(buf);
  return { shape, dtype, data };
}

export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NpyError(path, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`);
  }
  return parseNpy(bytes, path);
}

export function encodeNpy(data: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Writes atomically: a failed write never leaves a partial file at `path`. */
export function writeNpy(path: string, data: Float32Array | Float64Array, shape: readonly number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}
