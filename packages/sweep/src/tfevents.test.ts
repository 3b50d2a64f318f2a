import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c, maskedCrc32c } from './crc32c';
import { RunEventWriter, decodeEvent, decodeRecords, encodeEvent, frameRecord, readEventFile, recordScalars } from './tfevents';
import { tempDir } from './testing/fixtures';

const records: Record<string, number | null>[] = [
  { epoch: 0, step: 0, samples: 0, testSumRate: 1.5, pctReference: 70.25, trainSeconds: 0, wallSeconds: 0.5 },
  { epoch: 1, step: 2, samples: 50, testSumRate: 1.75, pctReference: 80.5, trainLoss: -1.25, beta: 0.5, learningRate: 0.01, trainSeconds: 0.2, wallSeconds: 0.9 },
  { epoch: 2, step: 4, samples: 100, testSumRate: 2, pctReference: 90, trainLoss: -1.5, beta: 0, learningRate: 0.005, criticLoss: 3, distillLoss: null, trainSeconds: 0.4, wallSeconds: 1.3 },
];

/** TensorBoard's own reader, where the `tensorboard` Python module imports (Debian has no python3-tensorboard package; pip's PyPI is not one of this project's registries). */
const tensorboard = spawnSync('python3', ['-c', 'import tensorboard; print(tensorboard.__version__)'], { encoding: 'utf8' });
const tbVersion = tensorboard.status === 0 ? tensorboard.stdout.trim() : undefined;
const tbWhy = tbVersion
  ? `TensorBoard ${tbVersion} is installed`
  : 'NOT RUN HERE: the Python module `tensorboard` is not installed (Debian ships no python3-tensorboard; `pip install tensorboard` from PyPI enables this test)';

describe('TensorBoard event files', () => {
  it('CRC-32C matches the standard check value and TFRecord masking', () => {
    // The check value of CRC-32C (Castagnoli) for "123456789" (RFC 3720, B.4).
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // 32 zero bytes, RFC 3720 B.4
    const c = crc32c(new Uint8Array([1, 2, 3]));
    expect(maskedCrc32c(new Uint8Array([1, 2, 3]))).toBe(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it('encodes Event protobufs byte for byte as the format defines them', () => {
    const header = encodeEvent({ wallTime: 1.5, step: 0, fileVersion: 'brain.Event:2' });
    // field 1 (wall_time), wire type 1 (fixed64): 0x09, then 1.5 as a little-endian double
    const d = Buffer.alloc(8);
    d.writeDoubleLE(1.5);
    expect(Buffer.from(header.subarray(0, 9))).toEqual(Buffer.concat([Buffer.from([0x09]), d]));
    // field 2 (step), varint: 0x10 0x00; field 3 (file_version), length-delimited: 0x1a, length, bytes
    expect(Buffer.from(header.subarray(9))).toEqual(Buffer.concat([Buffer.from([0x10, 0x00, 0x1a, 13]), Buffer.from('brain.Event:2')]));

    const ev = encodeEvent({ wallTime: 2, step: 300, scalars: [['test/sum_rate', 1.25]] });
    // step 300 = varint 0xac 0x02; summary (field 5, 0x2a) → value (field 1, 0x0a) → tag (0x0a) + simple_value (field 2, fixed32: 0x15)
    const f = Buffer.alloc(4);
    f.writeFloatLE(1.25);
    const value = Buffer.concat([Buffer.from([0x0a, 13]), Buffer.from('test/sum_rate'), Buffer.from([0x15]), f]);
    const summary = Buffer.concat([Buffer.from([0x0a, value.length]), value]);
    expect(Buffer.from(ev.subarray(9))).toEqual(Buffer.concat([Buffer.from([0x10, 0xac, 0x02, 0x2a, summary.length]), summary]));
  });

  it('frames records as length, masked CRC of the length, data, masked CRC of the data', () => {
    const data = encodeEvent({ wallTime: 3, step: 7, scalars: [['a', 1]] });
    const rec = frameRecord(data);
    const view = new DataView(rec.buffer);
    expect(Number(view.getBigUint64(0, true))).toBe(data.length);
    expect(view.getUint32(8, true)).toBe(maskedCrc32c(rec.subarray(0, 8)));
    expect(Buffer.from(rec.subarray(12, 12 + data.length))).toEqual(Buffer.from(data));
    expect(view.getUint32(12 + data.length, true)).toBe(maskedCrc32c(data));
    expect(rec.length).toBe(data.length + 16);
  });

  it('a decoder written from the format reads back every event; a corrupt byte is caught; a cut last record is reported', () => {
    const events = [
      encodeEvent({ wallTime: 10, step: 0, fileVersion: 'brain.Event:2' }),
      encodeEvent({ wallTime: 11.25, step: 1, scalars: [['x', 0.5], ['y', -3]] }),
      encodeEvent({ wallTime: 12, step: 2 ** 40, scalars: [['z', 1e-3]] }),
    ];
    const file = Buffer.concat(events.map(frameRecord));
    const { records: rs, truncated } = decodeRecords(file);
    expect(truncated).toBe(false);
    const decoded = rs.map(decodeEvent);
    expect(decoded[0]).toEqual({ wallTime: 10, step: 0, fileVersion: 'brain.Event:2', scalars: [] });
    expect(decoded[1]).toEqual({ wallTime: 11.25, step: 1, scalars: [{ tag: 'x', value: 0.5 }, { tag: 'y', value: -3 }] });
    expect(decoded[2].step).toBe(2 ** 40);
    expect(decoded[2].scalars[0].value).toBeCloseTo(1e-3, 9);

    const bad = Buffer.from(file);
    bad[12 + 3] ^= 0xff;
    expect(() => decodeRecords(bad)).toThrow(/bad data CRC/);
    const cut = decodeRecords(file.subarray(0, file.length - 5));
    expect(cut).toMatchObject({ truncated: true });
    expect(cut.records).toHaveLength(2);
  });

  it('a run folder gets one event file with every record once, also when a resumed run rewrites it', () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    mkdirSync(run);
    const w = RunEventWriter.rewrite(run, records.slice(0, 1), 1000);
    w.append(records[1], 1001);
    // A resumed run (another process) rewrites the file from metrics.jsonl: epochs 0..1, then appends 2.
    const again = RunEventWriter.rewrite(run, records.slice(0, 2), 2000);
    again.append(records[2], 2001);
    const files = RunEventWriter.files(run);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/events\.out\.tfevents\.2000\..+\.rrm$/);
    const { events, truncated } = readEventFile(files[0]);
    expect(truncated).toBe(false);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events.slice(1).map((e) => e.step)).toEqual([0, 1, 2]);
    const last = Object.fromEntries(events[3].scalars.map((s) => [s.tag, s.value]));
    expect(last['test/sum_rate']).toBe(2);
    expect(last['test/pct_wmmse']).toBe(90);
    expect(last['train/loss']).toBe(-1.5);
    expect(last['train/beta']).toBe(0);
    expect(last['train/learning_rate']).toBeCloseTo(0.005, 7);
    expect(last['other/critic_loss']).toBe(3);
    expect('train/distill_loss' in last).toBe(false); // null metrics are left out
    expect('epoch' in last).toBe(false);
  });

  it('RL records (epoch always 0) are placed by training samples', () => {
    expect(recordScalars({ epoch: 0, step: 10, samples: 640, testSumRate: 1 })).toEqual([
      ['progress/samples', 640],
      ['test/sum_rate', 1],
    ]);
    const dir = tempDir();
    const w = RunEventWriter.rewrite(dir, [{ epoch: 0, step: 0, samples: 0, testSumRate: 1, wallSeconds: 0 }]);
    w.append({ epoch: 0, step: 10, samples: 640, testSumRate: 1.1 });
    expect(readEventFile(w.path).events.map((e) => e.step)).toEqual([0, 0, 640]);
  });

  it.skipIf(!tbVersion)(`TensorBoard's own reader (EventAccumulator) reads the scalars: ${tbWhy}`, () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    mkdirSync(run);
    const w = RunEventWriter.rewrite(run, records.slice(0, 2));
    w.append(records[2]);
    const script = [
      'import sys, json',
      'from tensorboard.backend.event_processing.event_accumulator import EventAccumulator',
      'ea = EventAccumulator(sys.argv[1]); ea.Reload()',
      'out = {t: [[e.step, e.value] for e in ea.Scalars(t)] for t in ea.Tags()["scalars"]}',
      'print(json.dumps(out))',
    ].join('\n');
    writeFileSync(join(dir, 'read.py'), script);
    const r = spawnSync('python3', [join(dir, 'read.py'), run], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const scalars = JSON.parse(r.stdout) as Record<string, [number, number][]>;
    expect(scalars['test/sum_rate']).toEqual([
      [0, 1.5],
      [1, 1.75],
      [2, 2],
    ]);
    expect(scalars['train/beta']).toEqual([
      [1, 0.5],
      [2, 0],
    ]);
  });

  it('appending to a file cut mid-record (a killed writer) is noticed by the decoder', () => {
    const dir = tempDir();
    const w = RunEventWriter.rewrite(dir, records.slice(0, 1));
    appendFileSync(w.path, frameRecord(encodeEvent({ wallTime: 1, step: 1, scalars: [['a', 1]] })).subarray(0, 10));
    expect(readEventFile(w.path).truncated).toBe(true);
    expect(readFileSync(w.path).length).toBeGreaterThan(0);
  });
});
