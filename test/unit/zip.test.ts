// Tests for the lazy ZIP reader: classic and ZIP64 archives, names, nesting, damage and zip bombs.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { deflateSync, strToU8, zipSync } from 'fflate';
import { CorruptError, LimitError } from '../../src/core/inflate';
import { DEFAULT_ZIP_LIMITS, UnsupportedEntryError, ZipError, looksLikeZip, readZip, type ZipEntry } from '../../src/core/zip/zip';
import { bytesSource, countingSource, type ByteSource } from '../../src/core/source';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

async function readAll(entry: ZipEntry): Promise<Uint8Array> {
  const source = entry.open();
  return source.read(0, source.size);
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function sampleBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = 99;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0x0f;
  }
  return out;
}

/** Little-endian record writer for hand-built archives. */
class Writer {
  private readonly parts: number[] = [];
  get length(): number {
    return this.parts.length;
  }
  u16(value: number): this {
    this.parts.push(value & 0xff, (value >>> 8) & 0xff);
    return this;
  }
  u32(value: number): this {
    return this.u16(value & 0xffff).u16(Math.floor(value / 0x10000) & 0xffff);
  }
  u64(value: number): this {
    return this.u32(value % 2 ** 32).u32(Math.floor(value / 2 ** 32));
  }
  bytes(data: Uint8Array): this {
    for (const byte of data) this.parts.push(byte);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

interface HandEntry {
  name: Uint8Array;
  data: Uint8Array;
  method?: number;
  flags?: number;
  /** Declared uncompressed size (defaults to the real one). */
  size?: number;
  /** Extra field for the central directory record. */
  extra?: Uint8Array;
}

interface HandOptions {
  zip64?: boolean;
  comment?: Uint8Array;
  /** Offset at which the archive's first byte sits (for sparse sources beyond 4 GiB). */
  base?: number;
  diskNumber?: number;
}

/**
 * Writes an archive by hand. With zip64, every size and offset in the central directory is the all-ones
 * marker with the real values in a ZIP64 extra field, and a ZIP64 end record and locator are written.
 */
function buildZip(entries: HandEntry[], options: HandOptions = {}): Uint8Array {
  const base = options.base ?? 0;
  const body = new Writer();
  const directory = new Writer();
  for (const entry of entries) {
    const method = entry.method ?? 0;
    const stored = method === 8 ? deflateSync(entry.data) : entry.data;
    const size = entry.size ?? entry.data.length;
    const localOffset = base + body.length;
    body.u32(0x04034b50).u16(20).u16(entry.flags ?? 0).u16(method).u32(0).u32(0)
      .u32(stored.length).u32(size).u16(entry.name.length).u16(3).bytes(entry.name).bytes(new Uint8Array(3)).bytes(stored);
    const zip64Extra = options.zip64 ? new Writer().u16(1).u16(24).u64(size).u64(stored.length).u64(localOffset).done() : new Uint8Array(0);
    const extra = new Writer().bytes(zip64Extra).bytes(entry.extra ?? new Uint8Array(0)).done();
    const all = options.zip64 ? 0xffffffff : undefined;
    directory.u32(0x02014b50).u16(20).u16(20).u16(entry.flags ?? 0).u16(method).u32(0).u32(0)
      .u32(all ?? stored.length).u32(all ?? size).u16(entry.name.length).u16(extra.length).u16(0)
      .u16(0).u16(0).u32(0).u32(all ?? localOffset).bytes(entry.name).bytes(extra);
  }
  const directoryOffset = base + body.length;
  const directoryBytes = directory.done();
  const tail = new Writer();
  if (options.zip64) {
    const zip64EndOffset = directoryOffset + directoryBytes.length;
    tail.u32(0x06064b50).u64(44).u16(45).u16(45).u32(options.diskNumber ?? 0).u32(0)
      .u64(entries.length).u64(entries.length).u64(directoryBytes.length).u64(directoryOffset);
    tail.u32(0x07064b50).u32(0).u64(zip64EndOffset).u32(1);
  }
  const comment = options.comment ?? new Uint8Array(0);
  const count = options.zip64 ? 0xffff : entries.length;
  tail.u32(0x06054b50).u16(options.zip64 ? 0 : (options.diskNumber ?? 0)).u16(0).u16(count).u16(count)
    .u32(options.zip64 ? 0xffffffff : directoryBytes.length).u32(options.zip64 ? 0xffffffff : directoryOffset)
    .u16(comment.length).bytes(comment);
  return new Writer().bytes(body.done()).bytes(directoryBytes).bytes(tail.done()).done();
}

/** Offset of the last end-of-central-directory signature. */
function endOffset(zip: Uint8Array): number {
  for (let at = zip.length - 22; at >= 0; at--) {
    if (zip[at] === 0x50 && zip[at + 1] === 0x4b && zip[at + 2] === 5 && zip[at + 3] === 6) return at;
  }
  throw new Error('no end record');
}

/** Copies a zip and sets a 16/32-bit field. */
function patched(zip: Uint8Array, offset: number, value: number, width: 2 | 4 = 4): Uint8Array {
  const copy = zip.slice();
  const data = new DataView(copy.buffer);
  if (width === 2) data.setUint16(offset, value, true);
  else data.setUint32(offset, value, true);
  return copy;
}

/** Offset of the first central directory header. */
function directoryOffset(zip: Uint8Array): number {
  return new DataView(zip.buffer, zip.byteOffset).getUint32(endOffset(zip) + 16, true);
}

/** A source of `size` zero bytes with real bytes placed at some offsets: a huge file without the memory. */
function sparseSource(size: number, pieces: Array<{ offset: number; bytes: Uint8Array }>): ByteSource {
  return {
    size,
    async read(start, end) {
      const from = Math.max(0, Math.min(start, size));
      const to = Math.max(from, Math.min(end, size));
      const out = new Uint8Array(to - from);
      for (const { offset, bytes } of pieces) {
        const a = Math.max(from, offset);
        const b = Math.min(to, offset + bytes.length);
        if (a < b) out.set(bytes.subarray(a - offset, b - offset), a - from);
      }
      return out;
    },
  };
}

describe('looksLikeZip', () => {
  it('recognises local headers and empty archives only', () => {
    expect(looksLikeZip(strToU8('PK\x03\x04rest'))).toBe(true);
    expect(looksLikeZip(strToU8('PK\x05\x06'))).toBe(true);
    expect(looksLikeZip(strToU8('PK\x01\x02'))).toBe(false);
    expect(looksLikeZip(strToU8('PK'))).toBe(false);
    expect(looksLikeZip(strToU8('DICM'))).toBe(false);
  });
});

describe('readZip with archives written by fflate', () => {
  const dicomLike = sampleBytes(40_000);
  const zip = zipSync({
    study: {},
    'study/IM0001.dcm': [dicomLike, { level: 6, comment: 'entry note' }],
    'study/stored.txt': [strToU8('plain text'), { level: 0 }],
    'Müller/Bild ß.dcm': [strToU8('unicode'), { level: 0 }],
  });

  it('lists entries with their methods and sizes', async () => {
    const archive = await readZip(bytesSource(zip));
    expect(archive.comment).toBe('');
    expect(archive.entries.map((e) => e.path)).toEqual(['study/', 'study/IM0001.dcm', 'study/stored.txt', 'Müller/Bild ß.dcm']);
    const [dir, deflated, stored] = archive.entries as [ZipEntry, ZipEntry, ZipEntry];
    expect(dir.isDirectory).toBe(true);
    expect(deflated).toMatchObject({ method: 8, size: 40_000, encrypted: false, isDirectory: false, comment: 'entry note' });
    expect(deflated.compressedSize).toBeLessThan(40_000);
    expect(stored).toMatchObject({ method: 0, size: 10, compressedSize: 10 });
  });

  it('reads stored and deflated entry data', async () => {
    const [dir, deflated, stored, unicode] = (await readZip(bytesSource(zip))).entries as ZipEntry[] as [ZipEntry, ZipEntry, ZipEntry, ZipEntry];
    expect((await readAll(dir)).length).toBe(0);
    expect(Buffer.compare(await readAll(deflated), dicomLike)).toBe(0);
    expect(text(await readAll(stored))).toBe('plain text');
    expect(text(await stored.open().read(6, 100))).toBe('text');
    expect(text(await stored.open().read(-3, 5))).toBe('plain');
    expect(text(await readAll(unicode))).toBe('unicode');
  });

  it('reads only the end, the directory and what an entry read needs', async () => {
    const big = zipSync({ 'a.bin': [sampleBytes(2_000_000), { level: 0 }], 'b.bin': [sampleBytes(2_000_000), { level: 6 }] });
    const counted = countingSource(bytesSource(big));
    const archive = await readZip(counted);
    expect(counted.bytesRead).toBeLessThan(70_000);
    const before = counted.bytesRead;
    await (archive.entries[1] as ZipEntry).open().read(0, 132);
    expect(counted.bytesRead - before).toBeLessThan(2_000);
  });

  it('reads an empty archive', async () => {
    const empty = zipSync({});
    expect(looksLikeZip(empty)).toBe(true);
    expect(await readZip(bytesSource(empty))).toEqual({ entries: [], comment: '' });
  });

  it('reads the archive comment', async () => {
    const comment = strToU8('Patient export, do not share');
    const withComment = new Uint8Array(zip.length + comment.length);
    withComment.set(zip);
    withComment.set(comment, zip.length);
    const end = endOffset(zip);
    new DataView(withComment.buffer).setUint16(end + 20, comment.length, true);
    const archive = await readZip(bytesSource(withComment));
    expect(archive.comment).toBe('Patient export, do not share');
    expect(archive.entries).toHaveLength(4);
  });

  it('skips a false end signature inside the comment', async () => {
    const fake = new Writer().bytes(strToU8('see PK')).bytes(new Uint8Array([5, 6])).bytes(new Uint8Array(16)).u16(0xffff).done();
    const archive = await readZip(bytesSource(buildZip([{ name: strToU8('a'), data: strToU8('x') }], { comment: fake })));
    expect(archive.entries).toHaveLength(1);
    expect(archive.comment.startsWith('see PK')).toBe(true);
  });

  it('reads nested archives through entry.open(), stored or deflated', async () => {
    const inner = zipSync({ 'inner/IM1.dcm': strToU8('inner data') });
    const outer = zipSync({ 'deflated.zip': [inner, { level: 9 }], 'stored.zip': [inner, { level: 0 }] });
    for (const entry of (await readZip(bytesSource(outer))).entries) {
      const nested = await readZip(entry.open());
      expect(nested.entries.map((e) => e.path)).toEqual(['inner/IM1.dcm']);
      expect(text(await readAll(nested.entries[0] as ZipEntry))).toBe('inner data');
    }
  });

  it('refuses archives nested deeper than maxDepth', async () => {
    let archive = zipSync({ 'deepest.txt': strToU8('x') });
    for (let level = 0; level < 4; level++) archive = zipSync({ [`level${level}.zip`]: archive });
    // Five archives deep: four open fine, the fifth is over the default limit of 4.
    let source: ByteSource = bytesSource(archive);
    for (let depth = 1; depth <= 4; depth++) {
      const entries = (await readZip(source)).entries;
      source = (entries[0] as ZipEntry).open();
    }
    await expect(readZip(source)).rejects.toThrow(ZipError);
    await expect(readZip(source)).rejects.toMatchObject({ kind: 'limit', message: 'zip archives are nested more than 4 deep' });
    await expect(readZip(source, { maxDepth: 5 })).resolves.toMatchObject({ entries: [{ path: 'deepest.txt' }] });
  });
});

describe('readZip names and entry kinds', () => {
  it('decodes unflagged names as CP437, or as UTF-8 when they are valid UTF-8', async () => {
    const cp437 = new Uint8Array([0x63, 0x61, 0x66, 0x82, 0x2f, 0xe1, 0xff]); // "café/ß" + no-break space
    const archive = await readZip(bytesSource(buildZip([
      { name: cp437, data: new Uint8Array(0) },
      { name: strToU8('naïve.dcm'), data: new Uint8Array(0) },
      { name: strToU8('flagged é'), data: new Uint8Array(0), flags: 0x0800 },
    ])));
    expect(archive.entries.map((e) => e.path)).toEqual(['café/ß\u00a0', 'naïve.dcm', 'flagged é']);
  });

  it('uses an Info-ZIP Unicode Path field only when its checksum matches the name', async () => {
    const rawName = strToU8('caf?.dcm');
    const utf8Name = strToU8('café.dcm');
    const field = (crc: number): Uint8Array => new Writer().u16(0x7075).u16(5 + utf8Name.length).bytes(new Uint8Array([1])).u32(crc).bytes(utf8Name).done();
    const crcOfRawName = 0x99bb6200;
    const archive = await readZip(bytesSource(buildZip([
      { name: rawName, data: new Uint8Array(0), extra: field(crcOfRawName) },
      { name: rawName, data: new Uint8Array(0), extra: field(12345) },
      { name: rawName, data: new Uint8Array(0), extra: new Uint8Array([0x75, 0x70, 40, 0]) }, // malformed field
    ])));
    expect(archive.entries.map((e) => e.path)).toEqual(['café.dcm', 'caf?.dcm', 'caf?.dcm']);
  });

  it('refuses to open encrypted entries and unsupported methods', async () => {
    const archive = await readZip(bytesSource(buildZip([
      { name: strToU8('secret'), data: strToU8('xxxxxxxxxxxx'), flags: 1 },
      { name: strToU8('aes'), data: strToU8('x'), method: 99 },
      { name: strToU8('bz'), data: strToU8('x'), method: 12 },
      { name: strToU8('odd'), data: strToU8('x'), method: 77 },
    ])));
    const [secret, aes, bz, odd] = archive.entries as [ZipEntry, ZipEntry, ZipEntry, ZipEntry];
    expect(secret.encrypted).toBe(true);
    expect(aes.encrypted).toBe(true);
    expect(() => secret.open()).toThrow(UnsupportedEntryError);
    expect(() => aes.open()).toThrow('entry 2 is encrypted');
    expect(() => bz.open()).toThrow('entry 3 uses bzip2 compression, which is not supported');
    expect(() => odd.open()).toThrow('entry 4 uses method 77 compression');
  });
});

describe('readZip with ZIP64', () => {
  it('reads ZIP64 end records and extra fields', async () => {
    const zip = buildZip([
      { name: strToU8('one.dcm'), data: strToU8('first entry') },
      { name: strToU8('two.dcm'), data: sampleBytes(5000), method: 8 },
    ], { zip64: true });
    const archive = await readZip(bytesSource(zip));
    expect(archive.entries.map((e) => [e.path, e.size, e.method])).toEqual([['one.dcm', 11, 0], ['two.dcm', 5000, 8]]);
    expect(text(await readAll(archive.entries[0] as ZipEntry))).toBe('first entry');
    expect(Buffer.compare(await readAll(archive.entries[1] as ZipEntry), sampleBytes(5000))).toBe(0);
  });

  it('reads entries beyond 4 GiB and sizes over 4 GiB', async () => {
    const base = 5 * 2 ** 30;
    const zip = buildZip([
      { name: strToU8('far.txt'), data: strToU8('beyond four gigabytes') },
      { name: strToU8('huge.nii'), data: new Uint8Array(0), size: 10 * 2 ** 30, method: 8 },
    ], { zip64: true, base });
    const source = sparseSource(base + zip.length, [{ offset: base, bytes: zip }]);
    const archive = await readZip(source, { maxTotalUncompressed: 2 ** 40 });
    const [far, huge] = archive.entries as [ZipEntry, ZipEntry];
    expect(text(await readAll(far))).toBe('beyond four gigabytes');
    expect(huge.size).toBe(10 * 2 ** 30);
    await expect(readZip(source)).rejects.toMatchObject({ kind: 'limit' });
  });

  it('rejects damaged ZIP64 records', async () => {
    const zip = buildZip([{ name: strToU8('a'), data: strToU8('x') }], { zip64: true });
    const end = endOffset(zip);
    const locator = end - 20;
    const zip64End = locator - 56;
    await expect(readZip(bytesSource(patched(zip, zip64End, 0)))).rejects.toThrow('the ZIP64 end record is damaged');
    await expect(readZip(bytesSource(patched(zip, locator + 8, end)))).rejects.toThrow('the ZIP64 end record points outside the archive');
    await expect(readZip(bytesSource(patched(zip, locator + 12, 0x00400000)))).rejects.toThrow('impossible size or offset');
    // The directory record calls for ZIP64 values its extra field does not hold.
    const directory = zip64End - (46 + 1 + 28);
    await expect(readZip(bytesSource(patched(zip, directory + 46 + 1 + 2, 8, 2)))).rejects.toThrow('entry 1 lacks the ZIP64 sizes');
  });
});

describe('readZip on damaged archives', () => {
  const zip = zipSync({ 'a.dcm': [strToU8('aaaa'), { level: 0 }], 'b.dcm': [sampleBytes(3000), { level: 6 }] });

  it('rejects files that are not zips, or lost their end', async () => {
    await expect(readZip(bytesSource(strToU8('just some text, not an archive')))).rejects.toThrow(
      'no zip directory found: the file is not a zip archive, or it is truncated',
    );
    await expect(readZip(bytesSource(new Uint8Array(0)))).rejects.toThrow(ZipError);
    await expect(readZip(bytesSource(zip.subarray(0, zip.length - 10)))).rejects.toMatchObject({ kind: 'corrupt' });
  });

  it('rejects a directory that is cut off, misplaced or too small', async () => {
    const end = endOffset(zip);
    const cd = directoryOffset(zip);
    await expect(readZip(bytesSource(patched(zip, end + 16, cd + 1)))).rejects.toThrow('points outside the archive');
    await expect(readZip(bytesSource(patched(zip, end + 16, cd - 1)))).rejects.toThrow('entry 1 is not where it should be');
    await expect(readZip(bytesSource(patched(zip, end + 10, 40, 2)))).rejects.toThrow('too small for the number of entries');
    // The first record's name length runs past the directory.
    await expect(readZip(bytesSource(patched(zip, cd + 28, 5000, 2)))).rejects.toThrow('an entry runs past its end');
    // A record whose local header would be inside the directory.
    await expect(readZip(bytesSource(patched(zip, cd + 42, cd)))).rejects.toThrow('entry 1 points outside the archive');
  });

  it('rejects split archives', async () => {
    const split = buildZip([{ name: strToU8('a'), data: strToU8('x') }], { diskNumber: 1 });
    await expect(readZip(bytesSource(split))).rejects.toMatchObject({ kind: 'unsupported' });
    const split64 = buildZip([{ name: strToU8('a'), data: strToU8('x') }], { zip64: true, diskNumber: 2 });
    await expect(readZip(bytesSource(split64))).rejects.toThrow('split (multi-part) zip archive');
  });

  it('reports a damaged local header or truncated data when the entry is read', async () => {
    const badLocal = patched(zip, 0, 0);
    const entry = (await readZip(bytesSource(badLocal))).entries[0] as ZipEntry;
    await expect(entry.open().read(0, 4)).rejects.toThrow('entry 1 is damaged (its local header is missing)');
    // b.dcm's compressed data runs past the end when its compressed size is inflated.
    const cd = directoryOffset(zip);
    const secondRecord = cd + 46 + 5;
    const tooLong = patched(zip, secondRecord + 20, zip.length);
    const b = (await readZip(bytesSource(tooLong))).entries[1] as ZipEntry;
    await expect(b.open().read(0, 10)).rejects.toThrow('entry 2 runs past the end of the archive');
  });

  it('rejects a stored entry whose two sizes differ', async () => {
    const cd = directoryOffset(zip);
    const entry = (await readZip(bytesSource(patched(zip, cd + 24, 99)))).entries[0] as ZipEntry;
    expect(() => entry.open()).toThrow('stored, but its two sizes differ');
  });

  it('reports damaged deflate data as CorruptError', async () => {
    const cd = directoryOffset(zip);
    const secondLocal = new DataView(zip.buffer).getUint32(cd + 46 + 5 + 42, true);
    const damaged = zip.slice();
    damaged.fill(0xff, secondLocal + 30 + 5, secondLocal + 30 + 5 + 8);
    const entry = (await readZip(bytesSource(damaged))).entries[1] as ZipEntry;
    await expect(readAll(entry)).rejects.toThrow(CorruptError);
  });

  it('reads a directory larger than one read window', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 3000; i++) files[`${String(i).padStart(4, '0')}-${'x'.repeat(400)}`] = new Uint8Array(0);
    const archive = await readZip(bytesSource(zipSync(files)));
    expect(archive.entries).toHaveLength(3000);
    expect(archive.entries[2999]?.path.startsWith('2999-')).toBe(true);
  });
});

describe('readZip limits and zip bombs', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_ZIP_LIMITS).toEqual({ maxEntries: 50_000, maxTotalUncompressed: 8 * 1024 ** 3, maxRatio: 1000, maxDepth: 4 });
  });

  it('refuses too many entries or too much declared content', async () => {
    const zip = zipSync({ a: new Uint8Array(600), b: new Uint8Array(600), c: new Uint8Array(600) });
    await expect(readZip(bytesSource(zip), { maxEntries: 2 })).rejects.toThrow('the archive lists 3 entries, more than the limit of 2');
    await expect(readZip(bytesSource(zip), { maxTotalUncompressed: 1000 })).rejects.toMatchObject({
      kind: 'limit',
      message: "the archive's contents would unpack to more than 1000 bytes",
    });
  });

  it('stops an entry that inflates past its declared size', async () => {
    const zip = zipSync({ 'bomb.dcm': [new Uint8Array(20_000_000), { level: 9 }] });
    const cd = directoryOffset(zip);
    const lying = patched(zip, cd + 24, 1000);
    const entry = (await readZip(bytesSource(lying))).entries[0] as ZipEntry;
    expect(entry.size).toBe(1000);
    const opened = entry.open();
    await expect(opened.read(0, 132)).rejects.toThrow(LimitError);
    await expect(opened.read(0, 132)).rejects.toThrow('decompressed size limit reached');
  });

  it('stops an entry whose real output passes maxRatio times its compressed size', async () => {
    const zeros = new Uint8Array(30_000_000);
    const entry = (await readZip(bytesSource(zipSync({ 'bomb.nii': [zeros, { level: 9 }] })))).entries[0] as ZipEntry;
    expect(entry.size / entry.compressedSize).toBeGreaterThan(1000);
    const opened = entry.open();
    // The header region is readable; reading on to the declared end is refused.
    expect((await opened.read(0, 352)).length).toBe(352);
    await expect(opened.read(0, opened.size)).rejects.toThrow(LimitError);
    // A lower ratio limit stops it sooner.
    const strict = (await readZip(bytesSource(zipSync({ 'x.bin': [new Uint8Array(2_000_000), { level: 9 }] })), { maxRatio: 10 })).entries[0] as ZipEntry;
    await expect(readAll(strict)).rejects.toThrow(LimitError);
  });
});

describe('readZip on the corpus', () => {
  it('reads dwv-test_bad.zip (data descriptors, directory entry, deflated DICOM files)', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('malformed/dwv/dwv-test_bad.zip', CORPUS)));
    expect(looksLikeZip(bytes)).toBe(true);
    const archive = await readZip(bytesSource(bytes));
    expect(archive.entries.map((e) => [e.path, e.size, e.method, e.isDirectory])).toEqual([
      ['dwv-test_bad/', 0, 0, true],
      ['dwv-test_bad/dwv-test_no-number-rows.dcm', 2652, 8, false],
      ['dwv-test_bad/dwv-test-simple.dcm', 2583, 8, false],
    ]);
    for (const entry of archive.entries.slice(1)) {
      const data = await readAll(entry);
      expect(data.length).toBe(entry.size);
      expect(text(data.subarray(128, 132))).toBe('DICM');
    }
  });
});
