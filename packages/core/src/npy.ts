import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

interface NpyHeader {
  readonly shape: number[];
  readonly dtype: NpyDtype;
  /** Byte offset of the data. */
  readonly start: number;
  /** Number of values (product of the shape). */
  readonly count: number;
}

/** Bytes the header needs before it can be parsed: 10 (1.0) or 12 (2.0, 3.0) plus the header length. */
function headerSize(bytes: Uint8Array, source: string): number {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new NpyError(source, 'not a .npy file (missing the \\x93NUMPY magic string)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if ((major === 2 || major === 3) && bytes.length >= 12) return 12 + view.getUint32(8, true);
  if (major === 2 || major === 3) throw new NpyError(source, 'not a .npy file (truncated header)');
  throw new NpyError(source, `unsupported .npy format version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
}

function parseHeader(bytes: Uint8Array, source: string): NpyHeader {
  const size = headerSize(bytes, source);
  const major = bytes[6];
  const offset = major === 1 ? 10 : 12;
  if (bytes.length < size) throw new NpyError(source, `truncated header (${bytes.length} of ${size} bytes)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, size));
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
  return { shape, dtype, start: size, count: shape.reduce((a, b) => a * b, 1) };
}

const widthOf = (dtype: NpyDtype) => (dtype === 'float32' ? 4 : 8);

function checkDataBytes(h: NpyHeader, found: number, source: string): void {
  const need = h.count * widthOf(h.dtype);
  if (found !== need) throw new NpyError(source, `expected ${need} data bytes for shape (${h.shape.join(', ')}), found ${found}`);
}

export function parseNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  const h = parseHeader(bytes, source);
  const width = widthOf(h.dtype);
  checkDataBytes(h, bytes.length - h.start, source);
  // Copy into a fresh aligned buffer: the data offset need not be a multiple of 8, and a Node Buffer's
  // slice() is a view into a shared pool, not a copy.
  const buf = new Uint8Array(bytes.subarray(h.start, h.start + h.count * width)).buffer;
  const data = h.dtype === 'float32' ? new Float32Array(buf) : new Float64Array(buf);
  return { shape: h.shape, dtype: h.dtype, data };
}

/** Node reads and writes at most 2 GiB per call; larger transfers go in pieces of this size. */
const IO_PIECE = 1 << 30;

/**
 * A .npy file opened for reading rows (slices along the first axis) without loading it whole, so files
 * larger than memory, or than Node's 2 GiB single-read limit, can be processed chunk by chunk.
 */
export class NpyFile {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    readonly shape: number[],
    readonly dtype: NpyDtype,
    private readonly start: number,
  ) {
    this.fd = fd;
  }

  static open(path: string): NpyFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new NpyError(path, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a .npy file' : `cannot read (${code ?? String(err)})`);
    }
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw new NpyError(path, 'is a directory, not a .npy file');
      const size = stat.size;
      const probe = new Uint8Array(Math.min(size, 12));
      readFully(fd, probe, 0, path);
      const need = headerSize(probe, path);
      if (size < need) throw new NpyError(path, `truncated header (${size} of ${need} bytes)`);
      const head = new Uint8Array(need);
      readFully(fd, head, 0, path);
      const h = parseHeader(head, path);
      checkDataBytes(h, size - h.start, path);
      return new NpyFile(path, fd, h.shape, h.dtype, h.start);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Length of the first axis (1 for a 0-d array). */
  get rows(): number {
    return this.shape.length === 0 ? 1 : this.shape[0];
  }

  /** Values per row (product of the shape after the first axis). */
  get rowLength(): number {
    return this.shape.slice(1).reduce((a, b) => a * b, 1);
  }

  /** Rows [start, end) as a new typed array of the file's dtype. */
  readRows(start: number, end: number): Float32Array | Float64Array {
    if (this.fd === undefined) throw new Error(`NpyFile ${this.path}: read after close`);
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= this.rows)) {
      throw new RangeError(`NpyFile ${this.path}: rows [${start}, ${end}) outside [0, ${this.rows})`);
    }
    const n = (end - start) * this.rowLength;
    const data = this.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    const width = widthOf(this.dtype);
    readFully(this.fd, new Uint8Array(data.buffer), this.start + start * this.rowLength * width, this.path);
    return data;
  }

  /** The whole array. */
  readAll(): NpyArray {
    return { shape: this.shape, dtype: this.dtype, data: this.readRows(0, this.rows) };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, Math.min(IO_PIECE, into.length - done), position + done);
    if (n === 0) throw new NpyError(path, `file ended early (read ${done} of ${into.length} bytes at offset ${position})`);
    done += n;
  }
}

export function readNpy(path: string): NpyArray {
  const file = NpyFile.open(path);
  try {
    return file.readAll();
  } finally {
    file.close();
  }
}

/** The header bytes (format 1.0, padded so the data starts at a multiple of 64) of a C-order array. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

export function encodeNpy(data: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const header = npyHeader(data instanceof Float32Array ? 'float32' : 'float64', shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/** Writes atomically: a failed write never leaves a partial file at `path`. */
export function writeNpy(path: string, data: Float32Array | Float64Array, shape: readonly number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

/**
 * Writes a .npy file of a known shape chunk by chunk: the header first, then the data appended in order,
 * into a temporary file beside the target that is renamed over it only when every value has been
 * written (a failure or `abort()` leaves nothing at `path`). Memory use is one chunk, and the file may be
 * larger than Node's 2 GiB single-write limit. The bytes are exactly those of `encodeNpy` on the whole
 * array. The target's folder must exist (it is not created).
 */
export class NpyWriter {
  private fd: number | undefined;
  private position: number;
  private count = 0;
  private readonly total: number;
  private readonly tmp: string;

  constructor(
    readonly path: string,
    readonly dtype: NpyDtype,
    readonly shape: readonly number[],
  ) {
    this.total = shape.reduce((a, b) => a * b, 1);
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    try {
      this.fd = openSync(this.tmp, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new NpyError(path, code === 'ENOENT' ? `folder ${dirname(path)} does not exist` : `cannot write (${code ?? String(err)})`);
    }
    const header = npyHeader(dtype, shape);
    this.position = 0;
    this.write(header);
  }

  /** Values written so far. */
  get written(): number {
    return this.count;
  }

  /** Appends the next values in C order (converted to the file's dtype if needed). */
  append(data: Float32Array | Float64Array): void {
    if (this.count + data.length > this.total) {
      this.abort();
      throw new Error(`NpyWriter ${this.path}: ${this.count + data.length} values for shape (${this.shape.join(', ')}) of ${this.total}`);
    }
    const typed = this.dtype === 'float32' ? (data instanceof Float32Array ? data : Float32Array.from(data)) : data instanceof Float64Array ? data : Float64Array.from(data);
    this.write(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    this.count += data.length;
  }

  /** Checks that every value was written, then renames the file into place. */
  close(): void {
    if (this.fd === undefined) throw new Error(`NpyWriter ${this.path}: closed twice`);
    if (this.count !== this.total) {
      this.abort();
      throw new Error(`NpyWriter ${this.path}: ${this.count} of ${this.total} values written`);
    }
    closeSync(this.fd);
    this.fd = undefined;
    try {
      renameSync(this.tmp, this.path);
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw err;
    }
  }

  /** Removes the temporary file; the target is left as it was. */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }

  private write(bytes: Uint8Array): void {
    let done = 0;
    try {
      while (done < bytes.length) {
        done += writeSync(this.fd!, bytes, done, Math.min(IO_PIECE, bytes.length - done), this.position + done);
      }
    } catch (err) {
      this.abort();
      throw err;
    }
    this.position += bytes.length;
  }
}
