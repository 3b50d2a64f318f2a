import { appendFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@rrm/core';
import { maskedCrc32c } from './crc32c';

/**
 * TensorBoard scalar event files, written without TensorFlow. An event file is a sequence of TFRecords:
 *   uint64 length (little-endian) · uint32 masked CRC-32C of those 8 bytes · `length` bytes of data ·
 *   uint32 masked CRC-32C of the data
 * (tensorflow/core/lib/io/record_writer.cc), each data an `Event` protobuf (tensorflow/core/util/event.proto):
 *   Event   { double wall_time = 1; int64 step = 2; oneof { string file_version = 3; Summary summary = 5; } }
 *   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
 * The first event of a file carries file_version "brain.Event:2"; TensorBoard picks up any file whose name
 * contains "tfevents" under --logdir, one run per folder.
 */

export interface ScalarEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly scalars: readonly (readonly [tag: string, value: number])[];
}

export interface DecodedEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly scalars: readonly { readonly tag: string; readonly value: number }[];
}

// ---- protobuf wire format (varint, fixed64, fixed32, length-delimited) ------------------------------

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  varint(v: bigint): this {
    const out: number[] = [];
    let x = BigInt.asUintN(64, v);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(BigInt((field << 3) | wire));
  }

  double(field: number, v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.key(field, WIRE.fixed64).push(b);
    return this;
  }

  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.key(field, WIRE.fixed32).push(b);
    return this;
  }

  int64(field: number, v: number): this {
    return this.key(field, WIRE.varint).varint(BigInt(Math.trunc(v)));
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, WIRE.bytes).varint(BigInt(b.length)).push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** One Event message: a file_version header, or a Summary of simple scalar values. */
export function encodeEvent(e: { wallTime: number; step: number; fileVersion?: string; scalars?: ScalarEvent['scalars'] }): Uint8Array {
  const w = new ProtoWriter().double(1, e.wallTime).int64(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  else {
    const summary = new ProtoWriter();
    for (const [tag, value] of e.scalars ?? []) summary.bytes(1, new ProtoWriter().string(1, tag).float(2, value).finish());
    w.bytes(5, summary.finish());
  }
  return w.finish();
}

/** Frames one record: length, masked CRC of the length, data, masked CRC of the data. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// ---- reading (a decoder written from the same format, for tests and for `readEventFile`) -------------

/** Splits a file into record payloads, checking both CRCs; a truncated last record (a writer killed mid-append) is reported, not thrown. */
export function decodeRecords(buf: Uint8Array): { records: Uint8Array[]; truncated: boolean } {
  const records: Uint8Array[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 0;
  while (o < buf.length) {
    if (o + 12 > buf.length) return { records, truncated: true };
    const len = Number(view.getBigUint64(o, true));
    if (view.getUint32(o + 8, true) !== maskedCrc32c(buf.subarray(o, o + 8))) throw new Error(`event file: bad length CRC at byte ${o}`);
    if (o + 12 + len + 4 > buf.length) return { records, truncated: true };
    const data = buf.subarray(o + 12, o + 12 + len);
    if (view.getUint32(o + 12 + len, true) !== maskedCrc32c(data)) throw new Error(`event file: bad data CRC at byte ${o}`);
    records.push(data);
    o += 12 + len + 4;
  }
  return { records, truncated: false };
}

class ProtoReader {
  private o = 0;
  private readonly view: DataView;

  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  get done(): boolean {
    return this.o >= this.b.length;
  }

  varint(): bigint {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.o >= this.b.length) throw new Error('protobuf: truncated varint');
      const byte = this.b[this.o++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
  }

  key(): { field: number; wire: number } {
    const k = Number(this.varint());
    return { field: k >>> 3, wire: k & 7 };
  }

  double(): number {
    const v = this.view.getFloat64(this.o, true);
    this.o += 8;
    return v;
  }

  float(): number {
    const v = this.view.getFloat32(this.o, true);
    this.o += 4;
    return v;
  }

  bytes(): Uint8Array {
    const n = Number(this.varint());
    const v = this.b.subarray(this.o, this.o + n);
    this.o += n;
    return v;
  }

  skip(wire: number): void {
    if (wire === WIRE.varint) this.varint();
    else if (wire === WIRE.fixed64) this.o += 8;
    else if (wire === WIRE.fixed32) this.o += 4;
    else if (wire === WIRE.bytes) this.bytes();
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

export function decodeEvent(data: Uint8Array): DecodedEvent {
  const r = new ProtoReader(data);
  let wallTime = 0;
  let step = 0;
  let fileVersion: string | undefined;
  const scalars: { tag: string; value: number }[] = [];
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WIRE.fixed64) wallTime = r.double();
    else if (field === 2 && wire === WIRE.varint) step = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 3 && wire === WIRE.bytes) fileVersion = new TextDecoder().decode(r.bytes());
    else if (field === 5 && wire === WIRE.bytes) {
      const s = new ProtoReader(r.bytes());
      while (!s.done) {
        const k = s.key();
        if (k.field !== 1 || k.wire !== WIRE.bytes) {
          s.skip(k.wire);
          continue;
        }
        const v = new ProtoReader(s.bytes());
        let tag = '';
        let value = NaN;
        while (!v.done) {
          const kv = v.key();
          if (kv.field === 1 && kv.wire === WIRE.bytes) tag = new TextDecoder().decode(v.bytes());
          else if (kv.field === 2 && kv.wire === WIRE.fixed32) value = v.float();
          else v.skip(kv.wire);
        }
        scalars.push({ tag, value });
      }
    } else r.skip(wire);
  }
  return { wallTime, step, ...(fileVersion !== undefined ? { fileVersion } : {}), scalars };
}

export function readEventFile(path: string): { events: DecodedEvent[]; truncated: boolean } {
  const { records, truncated } = decodeRecords(new Uint8Array(readFileSync(path)));
  return { events: records.map(decodeEvent), truncated };
}

// ---- training records → scalars -----------------------------------------------------------------

/** TensorBoard tags of the record fields; other numeric fields go under `other/`. */
const TAGS: Readonly<Record<string, string | null>> = {
  testSumRate: 'test/sum_rate',
  pctReference: 'test/pct_wmmse',
  trainLoss: 'train/loss',
  taskLoss: 'train/task_loss',
  distillLoss: 'train/distill_loss',
  beta: 'train/beta',
  learningRate: 'train/learning_rate',
  samples: 'progress/samples',
  trainSeconds: 'time/train_seconds',
  wallSeconds: 'time/wall_seconds',
  epoch: null,
  step: null,
};

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function recordScalars(rec: Readonly<Record<string, number | null>>): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const tag = k in TAGS ? TAGS[k] : `other/${snake(k)}`;
    if (tag) out.push([tag, v]);
  }
  return out;
}

/** The x of a record in TensorBoard: epochs for dataset trainers, training samples for RL trainers (epoch stays 0). */
export const recordStep = (rec: Readonly<Record<string, number | null>>): number => ((rec.epoch ?? 0) > 0 ? rec.epoch! : (rec.samples ?? 0));

const PREFIX = 'events.out.tfevents.';

/**
 * A run's event file. `rewrite` replaces every event file in the folder with one holding all records so far
 * (a resumed run's file never repeats or skips an epoch); `append` adds one record as it is recorded.
 */
export class RunEventWriter {
  private constructor(readonly path: string) {}

  static rewrite(dir: string, records: readonly Readonly<Record<string, number | null>>[], now = Date.now() / 1000): RunEventWriter {
    for (const f of readdirSync(dir)) if (f.startsWith(PREFIX)) rmSync(join(dir, f), { force: true });
    const path = join(dir, `${PREFIX}${Math.floor(now)}.${hostname()}.${process.pid}.rrm`);
    const last = records.length ? (records[records.length - 1].wallSeconds ?? 0) : 0;
    const t0 = now - last;
    const parts = [frameRecord(encodeEvent({ wallTime: t0, step: 0, fileVersion: 'brain.Event:2' }))];
    for (const r of records) parts.push(frameRecord(encodeEvent({ wallTime: t0 + (r.wallSeconds ?? 0), step: recordStep(r), scalars: recordScalars(r) })));
    writeFileAtomic(path, Buffer.concat(parts));
    return new RunEventWriter(path);
  }

  append(rec: Readonly<Record<string, number | null>>, now = Date.now() / 1000): void {
    appendFileSync(this.path, frameRecord(encodeEvent({ wallTime: now, step: recordStep(rec), scalars: recordScalars(rec) })));
  }

  /** The event files of a run folder. */
  static files(dir: string): string[] {
    return readdirSync(dir).filter((f) => f.startsWith(PREFIX)).map((f) => join(dir, f));
  }
}
