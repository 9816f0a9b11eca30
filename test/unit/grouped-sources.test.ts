// groupedReadAheadSources: the first bytes of many blobs read a group at a time, the same bytes as the blobs'
// own, with a failed group falling back to each blob's own reads.
import { describe, expect, it } from 'vitest';
import { groupedReadAheadSources } from '../../src/core/source';
import { scanFiles } from '../../src/core/scan';
import { writeDicom, tag } from '../fixtures/dicom-writer';

function bytesOf(seed: number, length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/** A blob that counts how often it is sliced and can be made to fail its reads. */
class CountingBlob extends Blob {
  slices = 0;
  constructor(parts: BlobPart[], readonly failing = false) {
    super(parts);
  }
  override slice(start?: number, end?: number): Blob {
    this.slices++;
    if (!this.failing) return super.slice(start, end);
    const size = Math.max(0, Math.min(end ?? this.size, this.size) - (start ?? 0));
    return { size, arrayBuffer: () => Promise.reject(new Error('gone')) } as unknown as Blob;
  }
}

describe('groupedReadAheadSources', () => {
  it('gives each blob its own bytes, within and past the read-ahead, clamped to its size', async () => {
    const data = [bytesOf(1, 10), bytesOf(2, 300), bytesOf(3, 0), bytesOf(4, 120), bytesOf(5, 77)];
    const sources = groupedReadAheadSources(data.map((d) => new Blob([d])), 100, 2);
    expect(sources.map((s) => s.size)).toEqual([10, 300, 0, 120, 77]);
    for (const [i, source] of sources.entries()) {
      expect(await source.read(0, 50), `head of ${i}`).toEqual(data[i]!.subarray(0, 50));
      expect(await source.read(20, 100), `rest of the head of ${i}`).toEqual(data[i]!.subarray(20, 100));
      expect(await source.read(90, 250), `past the head of ${i}`).toEqual(data[i]!.subarray(90, 250));
    }
  });

  it('reads a group once for all its members', async () => {
    const blobs = Array.from({ length: 6 }, (_, i) => new CountingBlob([bytesOf(i, 64)]));
    const sources = groupedReadAheadSources(blobs, 32, 3);
    for (const s of sources) await s.read(0, 16);
    for (const s of sources) await s.read(8, 32);
    // One slice each for its group's combined read; none for its own reads.
    expect(blobs.map((b) => b.slices)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("falls back to each blob's own reads when its group cannot be read", async () => {
    const good = bytesOf(9, 40);
    const blobs = [new CountingBlob([good]), new CountingBlob([bytesOf(8, 40)], true)];
    const [a, b] = groupedReadAheadSources(blobs, 32, 2);
    expect(await a!.read(0, 32)).toEqual(good.subarray(0, 32));
    await expect(b!.read(0, 32)).rejects.toThrow('gone');
  });

  it('scans the same as the blobs read one by one', async () => {
    const file = writeDicom([{ tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' }], { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(4000) } });
    const blobs = Array.from({ length: 7 }, () => new Blob([new Uint8Array(file)]));
    const sources = groupedReadAheadSources(blobs, 1024, 3);
    const report = await scanFiles(sources.map((source, i) => ({ path: `f${i}`, source })), { header: { initialBytes: 1024, maxHeaderBytes: 1 << 20 } });
    expect(report.files.map((f) => f.verdict)).toEqual(Array(7).fill('identifying'));
    expect(report.files[0]!.findings.find((f) => f.keyword === 'PatientName')?.value).toBe('DOE^JANE');
  });
});
