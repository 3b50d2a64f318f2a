import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '@rrm/core';
import { openChannelFile, readChannelFile } from './channel-files';
import { tempDir } from './test-helpers';

describe('channel files read in chunks', () => {
  it('chunks equal the whole file, and errors name the sample by its index in the file', () => {
    const d = tempDir('rrm-chf-');
    const gains = Float32Array.from({ length: 5 * 9 }, (_, n) => (n % 7) / 3);
    writeFileSync(join(d, 'g.npy'), encodeNpy(gains, [5, 3, 3]));
    const whole = readChannelFile({ channels: join(d, 'g.npy'), layout: 'tx-rx' });
    const source = openChannelFile({ channels: join(d, 'g.npy'), layout: 'tx-rx' });
    expect([source.batch, source.users, source.fileWidth]).toEqual([5, 3, 4]);
    const parts = [source.read(0, 2), source.read(2, 4), source.read(4, 5)];
    source.close();
    expect(Float64Array.from(parts.flatMap((p) => [...p.gains]))).toEqual(whole.gains);
    const bad = Float64Array.from(gains);
    bad[3 * 9 + 1] = NaN; // sample 3, row 0, column 1
    writeFileSync(join(d, 'bad.npy'), encodeNpy(bad, [5, 3, 3]));
    const s = openChannelFile({ channels: join(d, 'bad.npy') });
    expect(() => s.read(2, 4)).toThrow(/bad\.npy\)\[3\]\[0\]\[1\]: expected a finite, non-negative power gain, got NaN/);
    s.close();
  });
});
