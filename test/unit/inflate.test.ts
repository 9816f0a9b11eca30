// Tests for the lazy, size-limited deflate/gzip ByteSource and the in-memory raw inflater.
import { describe, it, expect } from 'vitest';
import { deflateSync, gzipSync } from 'fflate';
import { CorruptError, LimitError, gzipSizeHint, inflateRawLimited, inflatedSource } from '../../src/core/inflate';
import { bytesSource, concatBytes, countingSource, type ByteSource } from '../../src/core/source';

/** Deterministic bytes that compress about 2:1 (so chunking and laziness are visible). */
function sampleBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0x0f;
  }
  return out;
}

/** Compares byte arrays without the cost of a deep, element-by-element equality check. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.compare(actual, expected)).toBe(0);
}

describe('inflatedSource (raw)', () => {
  const original = sampleBytes(300_000);
  const compressed = deflateSync(original);

  it('returns the same bytes as the original for any range', async () => {
    const source = inflatedSource(bytesSource(compressed), { format: 'raw', maxOutput: 1 << 20, declaredSize: original.length });
    expect(source.size).toBe(original.length);
    expectBytes(await source.read(10, 20), original.subarray(10, 20));
    // Spans several decoded chunks.
    expectBytes(await source.read(5, 250_000), original.subarray(5, 250_000));
    expectBytes(await source.read(299_990, 400_000), original.subarray(299_990));
    expectBytes(await source.read(-5, 3), original.subarray(0, 3));
    expect(await source.read(20, 10)).toEqual(new Uint8Array(0));
    expect(await source.read(400_000, 500_000)).toEqual(new Uint8Array(0));
    expect(source.complete).toBe(true);
  });

  it('reads only as much compressed input as the requested output needs', async () => {
    const counted = countingSource(bytesSource(compressed));
    const source = inflatedSource(counted, { format: 'raw', maxOutput: 1 << 20, declaredSize: original.length });
    expectBytes(await source.read(0, 132), original.subarray(0, 132));
    expect(counted.bytesRead).toBeLessThanOrEqual(1024);
    expect(source.complete).toBe(false);
  });

  it('serves concurrent reads in order', async () => {
    const source = inflatedSource(bytesSource(compressed), { format: 'raw', maxOutput: 1 << 20 });
    const [a, b, c] = await Promise.all([source.read(0, 10), source.read(100_000, 100_010), source.read(50, 60)]);
    expectBytes(a, original.subarray(0, 10));
    expectBytes(b, original.subarray(100_000, 100_010));
    expectBytes(c, original.subarray(50, 60));
  });

  it('without a declared size: size is maxOutput until the end, then exact; reads past the end are short', async () => {
    const source = inflatedSource(bytesSource(compressed), { format: 'raw', maxOutput: 1 << 20 });
    expect(source.size).toBe(1 << 20);
    const all = await source.read(0, 1 << 20);
    expectBytes(all, original);
    expect(source.complete).toBe(true);
    expect(source.size).toBe(original.length);
    expectBytes(await source.read(original.length - 2, original.length + 10), original.subarray(-2));
  });

  it('throws LimitError when the data inflates past its declared size, and keeps failing', async () => {
    const zeros = deflateSync(new Uint8Array(5_000_000));
    const source = inflatedSource(bytesSource(zeros), { format: 'raw', maxOutput: 10_000_000, declaredSize: 1000 });
    await expect(source.read(0, 100)).rejects.toThrow(LimitError);
    await expect(source.read(0, 100)).rejects.toThrow('decompressed size limit reached');
    expect(source.complete).toBe(false);
  });

  it('throws LimitError only for reads past maxOutput; earlier bytes stay readable', async () => {
    const zeros = deflateSync(new Uint8Array(5_000_000));
    const source = inflatedSource(bytesSource(zeros), { format: 'raw', maxOutput: 100_000 });
    expect(await source.read(0, 100)).toEqual(new Uint8Array(100));
    await expect(source.read(0, 200_000)).rejects.toThrow(LimitError);
    expect(await source.read(99_000, 100_000)).toEqual(new Uint8Array(1000));
    expect(source.complete).toBe(false);
    expect(source.size).toBe(100_000);
  });

  it('throws LimitError when a declared size is beyond maxOutput and the read needs it', async () => {
    const zeros = deflateSync(new Uint8Array(500_000));
    const source = inflatedSource(bytesSource(zeros), { format: 'raw', maxOutput: 1000, declaredSize: 500_000 });
    expect((await source.read(0, 500)).length).toBe(500);
    await expect(source.read(0, 2000)).rejects.toThrow(/more than 1000 bytes/);
  });

  it('allows output of exactly maxOutput bytes', async () => {
    const data = sampleBytes(5000);
    const source = inflatedSource(bytesSource(deflateSync(data)), { format: 'raw', maxOutput: 5000 });
    expectBytes(await source.read(0, 10_000), data);
    expect(source.complete).toBe(true);
  });

  it('throws CorruptError when the stream ends before its declared size', async () => {
    const source = inflatedSource(bytesSource(deflateSync(sampleBytes(100))), { format: 'raw', maxOutput: 1000, declaredSize: 200 });
    expect((await source.read(0, 100)).length).toBe(100);
    await expect(source.read(0, 200)).rejects.toThrow(CorruptError);
    await expect(source.read(0, 10)).rejects.toThrow(/ends after 100 of its declared 200 bytes/);
  });

  it('throws CorruptError on damaged or truncated data', async () => {
    const damaged = inflatedSource(bytesSource(new Uint8Array([0xff, 0xff, 0xff, 0xff])), { format: 'raw', maxOutput: 1000 });
    await expect(damaged.read(0, 10)).rejects.toThrow(CorruptError);
    await expect(damaged.read(0, 10)).rejects.toThrow(/damaged or incomplete \(invalid block type\)/);
    const truncated = inflatedSource(bytesSource(compressed.subarray(0, 5000)), { format: 'raw', maxOutput: 1 << 20 });
    await expect(truncated.read(0, 1 << 20)).rejects.toThrow(CorruptError);
  });

  it('passes through errors from the compressed source', async () => {
    const broken: ByteSource = {
      size: 100,
      read: () => Promise.reject(new Error('disk gone')),
    };
    const source = inflatedSource(broken, { format: 'raw', maxOutput: 1000 });
    await expect(source.read(0, 10)).rejects.toThrow('disk gone');
  });

  it('inflates an empty input to nothing', async () => {
    const source = inflatedSource(bytesSource(new Uint8Array(0)), { format: 'raw', maxOutput: 1000 });
    expect(await source.read(0, 10)).toEqual(new Uint8Array(0));
    expect(source.complete).toBe(true);
    expect(source.size).toBe(0);
  });

  it('rejects impossible limits', () => {
    const input = bytesSource(compressed);
    expect(() => inflatedSource(input, { format: 'raw', maxOutput: -1 })).toThrow(RangeError);
    expect(() => inflatedSource(input, { format: 'raw', maxOutput: 10, declaredSize: 1.5 })).toThrow(RangeError);
  });
});

describe('inflatedSource (gzip)', () => {
  const original = sampleBytes(200_000, 7);
  const gz = gzipSync(original, { filename: 'scan.nii' });

  it('inflates gzip lazily and reports the ISIZE hint as size until complete', async () => {
    const hint = await gzipSizeHint(bytesSource(gz));
    expect(hint).toBe(original.length);
    const counted = countingSource(bytesSource(gz));
    const source = inflatedSource(counted, { format: 'gzip', maxOutput: 1 << 20, sizeHint: hint });
    expect(source.size).toBe(original.length);
    expectBytes(await source.read(0, 348), original.subarray(0, 348));
    expect(counted.bytesRead).toBeLessThan(gz.length / 4);
    expectBytes(await source.read(0, 1 << 20), original);
    expect(source.complete).toBe(true);
  });

  it('reads concatenated gzip members as one stream', async () => {
    const second = sampleBytes(1000, 9);
    const source = inflatedSource(bytesSource(concatBytes([gzipSync(original), gzipSync(second)])), { format: 'gzip', maxOutput: 1 << 20 });
    expectBytes(await source.read(0, 1 << 20), concatBytes([original, second]));
  });

  it('throws CorruptError for data that is not gzip, or cut short', async () => {
    const notGzip = inflatedSource(bytesSource(new Uint8Array(100).fill(7)), { format: 'gzip', maxOutput: 1000 });
    await expect(notGzip.read(0, 10)).rejects.toThrow(CorruptError);
    const cut = inflatedSource(bytesSource(gz.subarray(0, gz.length - 5000)), { format: 'gzip', maxOutput: 1 << 20 });
    await expect(cut.read(0, 1 << 20)).rejects.toThrow(CorruptError);
  });

  it('has no size hint for sources too short to hold one', async () => {
    expect(await gzipSizeHint(bytesSource(new Uint8Array(10)))).toBeUndefined();
    const lying: ByteSource = { size: 100, read: async () => new Uint8Array(0) };
    expect(await gzipSizeHint(lying)).toBeUndefined();
  });
});

describe('inflateRawLimited', () => {
  it('inflates a whole stream, ignoring bytes after its end', () => {
    const data = sampleBytes(150_000, 3);
    expectBytes(inflateRawLimited(deflateSync(data), 150_000), data);
    expectBytes(inflateRawLimited(concatBytes([deflateSync(data), new Uint8Array([1, 2, 3])]), 1 << 20), data);
    expect(inflateRawLimited(deflateSync(new Uint8Array(0)), 10)).toEqual(new Uint8Array(0));
  });

  it('throws LimitError past maxOutput without inflating everything', () => {
    const bomb = deflateSync(new Uint8Array(20_000_000));
    expect(() => inflateRawLimited(bomb, 1_000_000)).toThrow(LimitError);
    expect(() => inflateRawLimited(bomb, 1_000_000)).toThrow('decompressed size limit reached');
  });

  it('throws CorruptError on damaged or truncated data', () => {
    expect(() => inflateRawLimited(new Uint8Array([0xff, 0xff]), 1000)).toThrow(CorruptError);
    const data = deflateSync(sampleBytes(10_000));
    expect(() => inflateRawLimited(data.subarray(0, data.length - 10), 1 << 20)).toThrow(CorruptError);
  });

  it('rejects an impossible limit', () => {
    expect(() => inflateRawLimited(new Uint8Array(0), Number.NaN)).toThrow(RangeError);
  });
});
