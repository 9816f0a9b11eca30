// The pixel reader on generated files: native forms the corpus lacks (planar colour, signed, MONOCHROME1,
// multi-frame, big endian 8/16/32-bit, deflated datasets, 1-bit), which bytes a frame read touches, how
// encapsulated frames are found (extended and basic offset tables, fragment walking), and every refusal.

import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readDicomHeader } from '../../src/core/dicom/header';
import type { NativeFrame, NoFrame } from '../../src/core/pixels/frame';
import { openPixels, DEFAULT_PIXEL_LIMITS, type PixelLimits, type PixelReader } from '../../src/core/pixels/reader';
import type { Codecs } from '../../src/core/pixels/codecs';
import { sniff, SNIFF_BYTES } from '../../src/core/sniff';
import { bytesSource, countingSource, type ByteSource } from '../../src/core/source';
import { concatBytes, tag, writeDicom, type El, type TransferSyntax } from '../fixtures/dicom-writer';

const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });

interface Picture {
  rows: number;
  columns: number;
  samplesPerPixel?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation?: number;
  photometric?: string;
  planar?: number;
  frames?: number;
  extra?: El[];
}

/** An image pixel module; bitsStored defaults to bitsAllocated, highBit to bitsStored - 1. */
function picture(p: Picture): El[] {
  const bitsAllocated = p.bitsAllocated ?? 8;
  const bitsStored = p.bitsStored ?? bitsAllocated;
  const out: El[] = [
    el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    el(0x0008, 0x0018, 'UI', '2.25.7'),
    el(0x0028, 0x0002, 'US', p.samplesPerPixel ?? 1),
    el(0x0028, 0x0004, 'CS', p.photometric ?? 'MONOCHROME2'),
    el(0x0028, 0x0010, 'US', p.rows),
    el(0x0028, 0x0011, 'US', p.columns),
    el(0x0028, 0x0100, 'US', bitsAllocated),
    el(0x0028, 0x0101, 'US', bitsStored),
    el(0x0028, 0x0102, 'US', p.highBit ?? bitsStored - 1),
    el(0x0028, 0x0103, 'US', p.pixelRepresentation ?? 0),
  ];
  if (p.planar !== undefined) out.push(el(0x0028, 0x0006, 'US', p.planar));
  if (p.frames !== undefined) out.push(el(0x0028, 0x0008, 'IS', String(p.frames)));
  return [...out, ...(p.extra ?? [])];
}

async function openBytes(bytes: Uint8Array, codecs?: Codecs, limits?: PixelLimits): Promise<{ reader: PixelReader | NoFrame; source: ByteSource & { bytesRead: number } }> {
  const source = countingSource(bytesSource(bytes));
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
  const header = await readDicomHeader(source, sniffed, { initialBytes: 1024, maxHeaderBytes: 1024 * 1024 });
  return { reader: openPixels(source, header, codecs, limits), source };
}

async function reader(dataset: El[], syntax: TransferSyntax, pixelData: { bytes: Uint8Array } | { frames: Uint8Array[] }, limits?: PixelLimits): Promise<PixelReader> {
  const { reader: r } = await openBytes(writeDicom(dataset, { transferSyntax: syntax, pixelData }), undefined, limits);
  if (r.kind !== 'pixels') throw new Error(`expected a reader, got: ${r.reason}`);
  return r;
}

async function refusal(dataset: El[], syntax: TransferSyntax, pixelData?: { bytes: Uint8Array } | { frames: Uint8Array[] }, limits?: PixelLimits): Promise<string> {
  const { reader: r } = await openBytes(writeDicom(dataset, { transferSyntax: syntax, ...(pixelData ? { pixelData } : {}) }), undefined, limits);
  if (r.kind !== 'none') throw new Error('expected the picture to be refused');
  return r.reason;
}

function native(frame: NativeFrame | NoFrame): NativeFrame {
  if (frame.kind !== 'native') throw new Error(`expected a frame, got: ${frame.reason}`);
  return frame;
}

function reasonOf(frame: NativeFrame | NoFrame | Uint8Array): string {
  if (frame instanceof Uint8Array || frame.kind !== 'none') throw new Error('expected no frame');
  return frame.reason;
}

const ramp = (n: number, f: (i: number) => number = (i) => i & 0xff): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i));

function words16(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v & 0xffff, true));
  return out;
}

describe('native pictures', () => {
  it('8-bit RGB in planar configuration 1 stays planar, with its attributes', async () => {
    const planes = ramp(3 * 6, (i) => 10 * i);
    const r = await reader(picture({ rows: 2, columns: 3, samplesPerPixel: 3, photometric: 'RGB', planar: 1 }), 'explicit-le', { bytes: planes });
    const frame = native(await r.readFrame(0));
    expect(frame).toMatchObject({ rows: 2, columns: 3, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, highBit: 7, photometric: 'RGB', planarConfiguration: 1, lossy: { lossy: false } });
    expect([...frame.pixels]).toEqual([...planes]);
    expect(r.describe().syntax.name).toBe('explicit VR little endian');
  });

  it('signed 16-bit MONOCHROME1 with window, rescale and lossy history (implicit VR)', async () => {
    const values = [-2048, -1, 0, 2047];
    const r = await reader(picture({
      rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, photometric: 'MONOCHROME1',
      extra: [
        el(0x0028, 0x1050, 'DS', ['40', '400']), el(0x0028, 0x1051, 'DS', ['400', '2000']),
        el(0x0028, 0x1052, 'DS', '-1024'), el(0x0028, 0x1053, 'DS', '1'),
        el(0x0028, 0x2110, 'CS', '01'), el(0x0028, 0x2112, 'DS', ['10', '2.5']), el(0x0028, 0x2114, 'CS', 'ISO_10918_1'),
      ],
    }), 'implicit-le', { bytes: words16(values) });
    const frame = native(await r.readFrame(0));
    expect(frame).toMatchObject({ pixelRepresentation: 1, photometric: 'MONOCHROME1', window: { center: 40, width: 400 }, rescale: { slope: 1, intercept: -1024 } });
    expect(frame.lossy).toEqual({ lossy: true, ratios: [10, 2.5], methods: ['ISO_10918_1'] });
    expect([...frame.pixels]).toEqual([...words16(values)]);
  });

  it('a multi-frame file: each frame read alone, only its bytes touched', async () => {
    const rows = 64;
    const columns = 64;
    const frameBytes = rows * columns * 2;
    const all = ramp(frameBytes * 5, (i) => (i * 7 + (i >> 9)) & 0xff);
    const bytes = writeDicom(picture({ rows, columns, bitsAllocated: 16, frames: 5 }), { transferSyntax: 'explicit-le', pixelData: { bytes: all } });
    const { reader: r, source } = await openBytes(bytes);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect(r.frameCount).toBe(5);
    const before = source.bytesRead;
    const third = native(await r.readFrame(3));
    expect([...third.pixels]).toEqual([...all.subarray(3 * frameBytes, 4 * frameBytes)]);
    expect(source.bytesRead - before).toBe(frameBytes);
    expect(reasonOf(await r.readEncodedFrame(0))).toMatch(/not compressed/);
  });

  it('frame numbers outside the picture, or not whole numbers, get a plain reason', async () => {
    const r = await reader(picture({ rows: 1, columns: 1, frames: 2 }), 'explicit-le', { bytes: new Uint8Array(2) });
    for (const index of [-1, 2, 1.5, Number.NaN]) {
      expect(reasonOf(await r.readFrame(index))).toBe('the frame asked for is not in the picture');
    }
    expect(reasonOf(await r.readEncodedFrame(7))).toBe('the frame asked for is not in the picture');
  });

  it('big endian: 8-bit OW words swapped back, odd-sized frames included; 16 bits too', async () => {
    // Three 1×3 8-bit frames (9 bytes, padded to 10): frame 1 starts in the middle of a word.
    const eight = ramp(9, (i) => i + 1);
    const r8 = await reader(picture({ rows: 1, columns: 3, frames: 3 }), 'explicit-be', { bytes: concatBytes(eight, new Uint8Array(1)) });
    expect([...native(await r8.readFrame(1)).pixels]).toEqual([4, 5, 6]);
    expect([...native(await r8.readFrame(2)).pixels]).toEqual([7, 8, 9]);
    const r16 = await reader(picture({ rows: 1, columns: 2, bitsAllocated: 16 }), 'explicit-be', { bytes: words16([0x1234, 0xabcd]) });
    expect([...native(await r16.readFrame(0)).pixels]).toEqual([0x34, 0x12, 0xcd, 0xab]);
  });

  it('32-bit samples (RT dose style) come back as little-endian words', async () => {
    const words = new Uint8Array(8);
    new DataView(words.buffer).setUint32(0, 0x01020304, true);
    new DataView(words.buffer).setUint32(4, 0xfffffffe, true);
    const r = await reader(picture({ rows: 1, columns: 2, bitsAllocated: 32 }), 'explicit-le', { bytes: words });
    const frame = native(await r.readFrame(0));
    expect(frame.bitsAllocated).toBe(32);
    expect([...frame.pixels]).toEqual([...words]);
  });

  it('a deflated dataset: any frame, in any order, inflated only as far as needed', async () => {
    const frameBytes = 32 * 32;
    const all = ramp(frameBytes * 6, (i) => (i * 13) & 0xff);
    const bytes = writeDicom(picture({ rows: 32, columns: 32, frames: 6 }), { transferSyntax: 'deflated', pixelData: { bytes: all } });
    const { reader: r } = await openBytes(bytes);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    for (const index of [4, 5, 0, 2, 2, 1]) {
      expect([...native(await r.readFrame(index)).pixels]).toEqual([...all.subarray(index * frameBytes, (index + 1) * frameBytes)]);
    }
  });

  it('a damaged deflated dataset gives a reason, and later reads give one too', async () => {
    const bytes = writeDicom(picture({ rows: 64, columns: 64, frames: 4 }), { transferSyntax: 'deflated', pixelData: { bytes: ramp(4 * 4096, (i) => (i * 31) & 0xff) } });
    const sniffed = sniff(bytes.subarray(0, SNIFF_BYTES), bytes.length);
    if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
    const header = await readDicomHeader(bytesSource(bytes), sniffed);
    // The header is read from the intact file; the frames then come from a copy damaged after it.
    const damaged = bytes.slice();
    damaged.fill(0xff, damaged.length - 2000);
    const r = openPixels(bytesSource(damaged), header);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect(reasonOf(await r.readFrame(3))).toMatch(/deflated data is damaged|ends before/);
  });

  it('1-bit pictures are unpacked to one byte a pixel, frames that do not start on a byte included', async () => {
    // Two 3×3 frames: 9 bits each, so the second starts at bit 9.
    const bits = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0];
    const packed = new Uint8Array(4);
    bits.forEach((b, i) => { packed[i >> 3]! |= b << (i & 7); });
    const r = await reader(picture({ rows: 3, columns: 3, bitsAllocated: 1, frames: 2 }), 'explicit-le', { bytes: packed });
    const second = native(await r.readFrame(1));
    expect(second).toMatchObject({ bitsAllocated: 8, bitsStored: 1, highBit: 0, unpackedFromBits: true });
    expect([...second.pixels]).toEqual(bits.slice(9));
    expect([...native(await r.readFrame(0)).pixels]).toEqual(bits.slice(0, 9));
  });

  it('1 × 1 and 65535-column pictures decode; thousands of frames are read one at a time', async () => {
    const one = await reader(picture({ rows: 1, columns: 1 }), 'explicit-le', { bytes: Uint8Array.of(9, 0) });
    expect([...native(await one.readFrame(0)).pixels]).toEqual([9]);
    const wide = await reader(picture({ rows: 2, columns: 65535 }), 'explicit-le', { bytes: ramp(2 * 65535) });
    const frame = native(await wide.readFrame(0));
    expect(frame.columns).toBe(65535);
    expect(frame.pixels[65535]).toBe(65535 & 0xff);
    const many = await reader(picture({ rows: 2, columns: 2, frames: 5000 }), 'explicit-le', { bytes: ramp(4 * 5000, (i) => (i >> 2) & 0xff) });
    expect(many.frameCount).toBe(5000);
    expect([...native(await many.readFrame(4999)).pixels]).toEqual([4999 & 0xff, 4999 & 0xff, 4999 & 0xff, 4999 & 0xff]);
  });

  it('pixel data shorter than rows × columns × frames, or a file cut short, is refused in plain words', async () => {
    expect(await refusal(picture({ rows: 4, columns: 4, frames: 3 }), 'explicit-le', { bytes: new Uint8Array(40) })).toBe('its pixel data is shorter than its rows, columns and frames say');
    expect(await refusal(picture({ rows: 4, columns: 4 }), 'explicit-le', { bytes: new Uint8Array(0) })).toBe('its pixel data is empty');
    const whole = writeDicom(picture({ rows: 16, columns: 16 }), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(256) } });
    const { reader: cut } = await openBytes(whole.subarray(0, whole.length - 100));
    if (cut.kind !== 'pixels') throw new Error(cut.reason);
    expect(reasonOf(await cut.readFrame(0))).toBe('the file ends before the end of the frame asked for');
  });

  it('a source that fails while a frame is read gives a reason, not an exception', async () => {
    const bytes = writeDicom(picture({ rows: 4, columns: 4 }), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16) } });
    const sniffed = sniff(bytes.subarray(0, SNIFF_BYTES), bytes.length);
    if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
    const header = await readDicomHeader(bytesSource(bytes), sniffed);
    const r = openPixels({ size: bytes.length, read: () => Promise.reject(new Error('disk gone')) }, header);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect(reasonOf(await r.readFrame(0))).toBe('the picture could not be read');
  });
});

describe('what the header says', () => {
  const base = { rows: 2, columns: 2 };
  const bytes4 = { bytes: new Uint8Array(4) };

  it('refuses pictures it cannot decode, naming why', async () => {
    const cases: Array<[Picture, RegExp]> = [
      [{ ...base, bitsAllocated: 12 }, /unusual number of bits/],
      [{ ...base, bitsStored: 9 }, /more bits than it has room for/],
      [{ ...base, highBit: 3 }, /high bit is outside/],
      [{ ...base, pixelRepresentation: 3 }, /unknown pixel representation/],
      [{ ...base, samplesPerPixel: 3, photometric: 'MONOCHROME2' }, /colour form \(MONOCHROME2, 3 samples\)/],
      [{ ...base, samplesPerPixel: 3, photometric: 'RGB', planar: 2 }, /planar configuration/],
      [{ ...base, samplesPerPixel: 3, photometric: 'YBR_FULL_422' }, /stored subsampled \(YBR_FULL_422\)/],
      [{ ...base, frames: 0 }, /no frames/],
      [{ ...base, bitsAllocated: 1, samplesPerPixel: 3, photometric: 'RGB' }, /1 bit per colour sample/],
      [{ rows: 0, columns: 2 }, /how large/],
    ];
    for (const [p, why] of cases) expect(await refusal(picture(p), 'explicit-le', { bytes: new Uint8Array(64) })).toMatch(why);
    expect(await refusal(picture(base), 'explicit-le')).toBe('the file has no picture');
    const float = [...picture(base), el(0x7fe0, 0x0008, 'OF', [1.5, 2.5, 3.5, 4.5])];
    expect(await refusal(float, 'explicit-le')).toMatch(/floating-point numbers/);
    expect(await refusal([...picture(base), el(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.4.100')], 'jpeg-baseline', { frames: [new Uint8Array(4)] })).toMatch(/video/);
    expect(await refusal([...picture(base), el(0x0002, 0x0010, 'UI', '1.2.3.4')], 'jpeg-baseline', { frames: [new Uint8Array(4)] })).toMatch(/transfer syntax 1\.2\.3\.4/);
    expect(await refusal(picture(base), 'explicit-le', { frames: [new Uint8Array(4)] })).toMatch(/says it is not compressed/);
    expect(await refusal(picture(base), 'rle', bytes4)).toMatch(/not stored in fragments/);
  });

  it('limits: a picture with more pixels, or a frame with more bytes, than allowed is not read', async () => {
    const big = picture({ rows: 100, columns: 100, bitsAllocated: 16 });
    expect(await refusal(big, 'explicit-le', { bytes: new Uint8Array(20000) }, { ...DEFAULT_PIXEL_LIMITS, maxPixels: 9999 })).toMatch(/too large/);
    expect(await refusal(big, 'explicit-le', { bytes: new Uint8Array(20000) }, { ...DEFAULT_PIXEL_LIMITS, maxFrameBytes: 19999 })).toMatch(/too large/);
  });

  it('palette colour tables: 16-bit, 8-bit in words, 8-bit packed, 65536 entries, or unusable', async () => {
    const lut = (entries: number, first: number, bits: number, data: Uint8Array): El[] => [0x1101, 0x1102, 0x1103].flatMap((descriptor, c) => [
      el(0x0028, descriptor, 'US', [entries, first, bits]),
      el(0x0028, 0x1201 + c, 'OW', data),
    ]);
    const pal = (extra: El[]): El[] => picture({ rows: 1, columns: 1, photometric: 'PALETTE COLOR', extra });
    const sixteen = await reader(pal(lut(2, 5, 16, words16([0x0000, 0xff00]))), 'explicit-le', { bytes: Uint8Array.of(6, 0) });
    expect(native(await sixteen.readFrame(0)).palette?.red).toEqual({ firstMapped: 5, bits: 16, data: Uint16Array.of(0, 0xff00) });
    const eightInWords = await reader(pal(lut(2, 0, 8, words16([3, 200]))), 'explicit-le', { bytes: Uint8Array.of(1, 0) });
    expect([...eightInWords.describe().palette!.green.data]).toEqual([3, 200]);
    const packed = await reader(pal(lut(4, 0, 8, Uint8Array.of(1, 2, 3, 4))), 'explicit-le', { bytes: Uint8Array.of(1, 0) });
    expect([...packed.describe().palette!.blue.data]).toEqual([1, 2, 3, 4]);
    const full = await reader(pal(lut(0, 0, 16, new Uint8Array(2 * 65536))), 'explicit-le', { bytes: Uint8Array.of(1, 0) });
    expect(full.describe().palette!.red.data.length).toBe(65536);
    const short = await reader(pal(lut(4, 0, 16, new Uint8Array(4))), 'explicit-le', { bytes: Uint8Array.of(1, 0) });
    expect(short.describe().palette).toBeUndefined();
  });

  it('a lossy transfer syntax marks the picture lossy with its method; no meta group means a native syntax', async () => {
    const r = await reader(picture({ rows: 1, columns: 1 }), 'jpeg-baseline', { frames: [Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)] });
    expect(r.describe().lossy).toEqual({ lossy: true, methods: ['ISO_10918_1'] });
    const bare = writeDicom(picture({ rows: 1, columns: 1 }), { transferSyntax: 'implicit-le', preamble: false, meta: false, pixelData: { bytes: Uint8Array.of(4, 0) } });
    const { reader: raw } = await openBytes(bare);
    if (raw.kind !== 'pixels') throw new Error(raw.reason);
    expect(raw.describe().transferSyntax).toBe('1.2.840.10008.1.2');
    expect([...native(await raw.readFrame(0)).pixels]).toEqual([4]);
  });
});

// ---- encapsulated pixel data ----------------------------------------------------------------------------

function item(element: number, content: Uint8Array, length = content.length): Uint8Array {
  const out = new Uint8Array(8 + content.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, element, true);
  view.setUint32(4, length, true);
  out.set(content, 8);
  return out;
}

const END = item(0xe0dd, new Uint8Array(0));

/** A file whose pixel data element is exactly `items` (the writer's own file up to an undefined-length header). */
function handmade(dataset: El[], syntax: TransferSyntax, items: Uint8Array[]): Uint8Array {
  const head = writeDicom(dataset, { transferSyntax: syntax });
  const pixelHeader = Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  return concatBytes(head, pixelHeader, ...items);
}

/** Uncompressed frames in fragments (1.2.840.10008.1.2.1.98): the bytes are the frame. */
const ENCAPSULATED_UNCOMPRESSED: El = el(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.1.98');

describe('encapsulated frames', () => {
  const mono = (frames: number, extra: El[] = []): El[] => picture({ rows: 2, columns: 2, frames, extra: [ENCAPSULATED_UNCOMPRESSED, ...extra] });

  it('the Extended Offset Table says where each frame is', async () => {
    const frames = [ramp(4, (i) => i), ramp(4, (i) => 10 + i), ramp(4, (i) => 20 + i)];
    const offsets = new Uint8Array(24);
    const lengths = new Uint8Array(24);
    frames.forEach((_, i) => {
      new DataView(offsets.buffer).setBigUint64(8 * i, BigInt(12 * i), true);
      new DataView(lengths.buffer).setBigUint64(8 * i, 4n, true);
    });
    // The standard's VR is OV; dicom-parser 1.8 reads OV with a 2-byte length, so the fixture says OB.
    const eot = [el(0x7fe0, 0x0001, 'OB', offsets), el(0x7fe0, 0x0002, 'OB', lengths)];
    const bytes = handmade(mono(3, eot), 'jpeg-baseline', [item(0xe000, new Uint8Array(0)), ...frames.map((f) => item(0xe000, f)), END]);
    const { reader: r } = await openBytes(bytes);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect([...native(await r.readFrame(2)).pixels]).toEqual([...frames[2]!]);
    expect([...(await r.readEncodedFrame(1) as Uint8Array)]).toEqual([...frames[1]!]);
  });

  it('a Basic Offset Table: frames of several fragments each', async () => {
    const parts = [ramp(2, () => 1), ramp(2, () => 2), ramp(2, () => 3), ramp(2, () => 4)];
    const table = new Uint8Array(8);
    new DataView(table.buffer).setUint32(4, 20, true); // frame 2 starts at the third fragment (2 × 10 bytes on)
    const bytes = handmade(mono(2), 'jpeg-baseline', [item(0xe000, table), ...parts.map((p) => item(0xe000, p)), END]);
    const { reader: r } = await openBytes(bytes);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect([...native(await r.readFrame(0)).pixels]).toEqual([1, 1, 2, 2]);
    expect([...native(await r.readFrame(1)).pixels]).toEqual([3, 3, 4, 4]);
  });

  it('no table and one fragment a frame: the fragments are the frames, even thousands', async () => {
    const count = 3000;
    const frames = Array.from({ length: count }, (_, i) => Uint8Array.of(i & 0xff, 1, 2, 3));
    const bytes = handmade(mono(count), 'jpeg-baseline', [item(0xe000, new Uint8Array(0)), ...frames.map((f) => item(0xe000, f)), END]);
    const { reader: r } = await openBytes(bytes);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect([...native(await r.readFrame(count - 1)).pixels]).toEqual([(count - 1) & 0xff, 1, 2, 3]);
    expect([...native(await r.readFrame(7)).pixels]).toEqual([7, 1, 2, 3]);
  });

  it('no table, more fragments than frames, and no end markers to go by: a plain reason', async () => {
    const bytes = handmade(picture({ rows: 1, columns: 2, frames: 2 }), 'rle',
      [item(0xe000, new Uint8Array(0)), item(0xe000, ramp(2)), item(0xe000, ramp(2)), item(0xe000, ramp(2)), END]);
    const { reader: r } = await openBytes(bytes);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect(reasonOf(await r.readFrame(1))).toBe('its compressed picture does not say where each frame starts');
  });

  it('fewer frames than the file says, frames that are too large or empty, and fragments that do not fit', async () => {
    const few = handmade(picture({ rows: 1, columns: 1, frames: 3 }), 'jpeg-baseline',
      [item(0xe000, new Uint8Array(0)), item(0xe000, Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)), item(0xe000, Uint8Array.of(1, 2)), END]);
    const { reader: r } = await openBytes(few);
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect(reasonOf(await r.readEncodedFrame(2))).toBe('its compressed picture has fewer frames than the file says');
    const large = handmade(mono(1), 'jpeg-baseline', [item(0xe000, new Uint8Array(0)), item(0xe000, ramp(5000)), END]);
    const { reader: big } = await openBytes(large, undefined, { maxPixels: 100, maxFrameBytes: 1000 });
    if (big.kind !== 'pixels') throw new Error(big.reason);
    expect(reasonOf(await big.readFrame(0))).toBe('a frame of its picture is too large to read');
    const empty = handmade(mono(2), 'jpeg-baseline', [item(0xe000, new Uint8Array(0)), item(0xe000, new Uint8Array(0)), item(0xe000, new Uint8Array(0)), END]);
    const { reader: none } = await openBytes(empty);
    if (none.kind !== 'pixels') throw new Error(none.reason);
    expect(reasonOf(await none.readFrame(0))).toBe('a frame of its compressed picture is empty');
    const table = new Uint8Array(8);
    new DataView(table.buffer).setUint32(4, 5, true); // points into the middle of the first fragment
    const misfit = handmade(mono(2), 'jpeg-baseline', [item(0xe000, table), item(0xe000, ramp(4)), item(0xe000, ramp(4)), END]);
    const { reader: m } = await openBytes(misfit);
    if (m.kind !== 'pixels') throw new Error(m.reason);
    expect(reasonOf(await m.readFrame(0))).toMatch(/damaged/);
    const eotMisfit = handmade(mono(1, [el(0x7fe0, 0x0001, 'OB', new Uint8Array(8)), el(0x7fe0, 0x0002, 'OB', Uint8Array.of(99, 0, 0, 0, 0, 0, 0, 0))]),
      'jpeg-baseline', [item(0xe000, new Uint8Array(0)), item(0xe000, ramp(4)), END]);
    const { reader: e } = await openBytes(eotMisfit);
    if (e.kind !== 'pixels') throw new Error(e.reason);
    expect(reasonOf(await e.readFrame(0))).toMatch(/damaged/);
  });

  it('the file ending inside a fragment', async () => {
    const eot = [el(0x7fe0, 0x0001, 'OB', new Uint8Array(8)), el(0x7fe0, 0x0002, 'OB', Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0))];
    const whole = handmade(mono(1, eot), 'jpeg-baseline', [item(0xe000, new Uint8Array(0)), item(0xe000, ramp(4)), END]);
    const { reader: r } = await openBytes(whole.subarray(0, whole.length - 10));
    if (r.kind !== 'pixels') throw new Error(r.reason);
    expect(reasonOf(await r.readFrame(0))).toBe('the file ends inside its compressed picture');
  });

  it('compressed frames without codecs name the missing decoder', async () => {
    const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);
    const cases: Array<[TransferSyntax, RegExp]> = [
      ['jpeg-baseline', /no decoder for its JPEG baseline compressed picture/],
      ['jpeg-ls', /no decoder for its JPEG-LS lossless/],
      ['jpeg2000', /no decoder for its JPEG 2000 lossless/],
      ['htj2k', /no decoder for its HTJ2K lossless/],
    ];
    for (const [syntax, why] of cases) {
      const r = await reader(picture({ rows: 1, columns: 1 }), syntax, { frames: [jpeg] });
      expect(reasonOf(await r.readFrame(0))).toMatch(why);
    }
  });

  it('deflated image frames (1.2.840.10008.1.2.8.1): 8 and 16 bits; damaged or short frames are refused', async () => {
    const syntax = el(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.8.1');
    const eight = ramp(64, (i) => i * 3);
    const r8 = await reader(picture({ rows: 8, columns: 8, extra: [syntax] }), 'rle', { frames: [deflateSync(eight)] });
    expect([...native(await r8.readFrame(0)).pixels]).toEqual([...eight]);
    const sixteen = words16(Array.from({ length: 16 }, (_, i) => 1000 * i));
    const r16 = await reader(picture({ rows: 4, columns: 4, bitsAllocated: 16, extra: [syntax] }), 'rle', { frames: [deflateSync(sixteen)] });
    expect([...native(await r16.readFrame(0)).pixels]).toEqual([...sixteen]);
    const broken = await reader(picture({ rows: 8, columns: 8, extra: [syntax] }), 'rle', { frames: [Uint8Array.of(0xff, 0xff, 0xff, 0xff)] });
    expect(reasonOf(await broken.readFrame(0))).toBe('its deflated frame is damaged');
    const short = await reader(picture({ rows: 8, columns: 8, extra: [syntax] }), 'rle', { frames: [deflateSync(ramp(10))] });
    expect(reasonOf(await short.readFrame(0))).toBe('a frame of its picture is shorter than its rows and columns say');
  });
});
