// The first frame of a picture for the dialog's preview: which bytes are read (only the first frame's),
// what comes back for every supported form, why others get no preview, and the RGBA conversion.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  readFirstFrame,
  shrinkFrame,
  toRgba,
  DEFAULT_FIRST_FRAME_LIMITS,
  type FirstFrame,
  type NativeFrame,
} from '../../src/core/dicom/first-frame';
import { bytesSource, countingSource } from '../../src/core/source';
import { concatBytes, writeDicom, tag, type El, type TransferSyntax, type WriteOptions } from '../fixtures/dicom-writer';
import { CORPUS, corpusBytes } from '../support/corpus';

const US = '1.2.840.10008.5.1.4.1.1.6.1';
const SC = '1.2.840.10008.5.1.4.1.1.7';

const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });

interface Picture {
  rows: number;
  columns: number;
  samplesPerPixel?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  photometric?: string;
  planar?: number;
  frames?: number;
  extra?: El[];
}

/** The image pixel module of a picture; attributes left undefined are not written. */
function picture(p: Picture, sopClass = US): El[] {
  const out: El[] = [
    el(0x0008, 0x0016, 'UI', sopClass),
    el(0x0008, 0x0018, 'UI', '2.25.42'),
    el(0x0008, 0x0060, 'CS', 'US'),
    el(0x0028, 0x0010, 'US', p.rows),
    el(0x0028, 0x0011, 'US', p.columns),
  ];
  if (p.samplesPerPixel !== undefined) out.push(el(0x0028, 0x0002, 'US', p.samplesPerPixel));
  if (p.photometric !== undefined) out.push(el(0x0028, 0x0004, 'CS', p.photometric));
  if (p.planar !== undefined) out.push(el(0x0028, 0x0006, 'US', p.planar));
  if (p.frames !== undefined) out.push(el(0x0028, 0x0008, 'IS', String(p.frames)));
  if (p.bitsAllocated !== undefined) out.push(el(0x0028, 0x0100, 'US', p.bitsAllocated));
  if (p.bitsStored !== undefined) out.push(el(0x0028, 0x0101, 'US', p.bitsStored));
  if (p.bitsStored !== undefined) out.push(el(0x0028, 0x0102, 'US', p.bitsStored - 1));
  if (p.pixelRepresentation !== undefined) out.push(el(0x0028, 0x0103, 'US', p.pixelRepresentation));
  return [...out, ...(p.extra ?? [])];
}

function mono8(rows: number, columns: number, extra: El[] = [], photometric = 'MONOCHROME2'): El[] {
  return picture({ rows, columns, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometric, extra });
}

/** Little-endian 16-bit words. */
function words(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v & 0xffff, true));
  return out;
}

/** A Blob of bytes (copied into a plain ArrayBuffer, as BlobPart wants). */
const blobOf = (bytes: Uint8Array): Blob => new Blob([new Uint8Array(bytes)]);

function file(dataset: El[], opts: WriteOptions): Blob {
  return blobOf(writeDicom(dataset, opts));
}

async function read(dataset: El[], opts: WriteOptions): Promise<FirstFrame> {
  return readFirstFrame(file(dataset, opts));
}

function native(frame: FirstFrame): NativeFrame {
  if (frame.kind !== 'native') throw new Error(`expected a native frame, got ${JSON.stringify(frame)}`);
  return frame;
}

function jpegBytes(frame: FirstFrame): Uint8Array {
  if (frame.kind !== 'jpeg') throw new Error(`expected a JPEG frame, got ${JSON.stringify(frame)}`);
  return frame.bytes;
}

function reason(frame: FirstFrame): string {
  if (frame.kind !== 'none') throw new Error(`expected no preview, got a ${frame.kind} frame`);
  return frame.reason;
}

/** Grey levels of an RGBA picture (checking that each pixel is grey and opaque). */
function greys(rgba: Uint8ClampedArray): number[] {
  const out: number[] = [];
  for (let i = 0; i < rgba.length; i += 4) {
    expect([rgba[i + 1], rgba[i + 2], rgba[i + 3]]).toEqual([rgba[i], rgba[i], 255]);
    out.push(rgba[i]!);
  }
  return out;
}

/** A first header read of 4 KiB instead of 256 KiB, so small files show what is read. */
const SMALL_READS = { ...DEFAULT_FIRST_FRAME_LIMITS.header, initialBytes: 4096 };

const ramp = (n: number, f: (i: number) => number = (i) => i): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('native monochrome', () => {
  it('8-bit MONOCHROME2: the pixels as stored, stretched from their own minimum to maximum', async () => {
    const pixels = ramp(16, (i) => 100 + i * 2); // 100..130
    const frame = native(await read(mono8(4, 4), { transferSyntax: 'explicit-le', pixelData: { bytes: pixels } }));
    expect(frame).toMatchObject({ rows: 4, columns: 4, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometric: 'MONOCHROME2', planarConfiguration: 0 });
    expect(frame.window).toBeUndefined();
    expect(frame.rescale).toBeUndefined();
    expect([...frame.pixels]).toEqual([...pixels]);
    const g = greys(toRgba(frame));
    expect(g[0]).toBe(0);
    expect(g[15]).toBe(255);
    // Linear in between: 100 + 2i over 100..130.
    expect(g[5]).toBe(Math.round(((10 / 30) * 255)));
    for (let i = 1; i < 16; i++) expect(g[i]!).toBeGreaterThan(g[i - 1]!);
  });

  it('MONOCHROME1 is shown inverted (low values white)', async () => {
    const pixels = ramp(4, (i) => i * 10);
    const m2 = greys(toRgba(native(await read(mono8(2, 2), { transferSyntax: 'explicit-le', pixelData: { bytes: pixels } }))));
    const m1 = greys(toRgba(native(await read(mono8(2, 2, [], 'MONOCHROME1'), { transferSyntax: 'explicit-le', pixelData: { bytes: pixels } }))));
    expect(m2).toEqual([0, 85, 170, 255]);
    expect(m1).toEqual(m2.map((g) => 255 - g));
  });

  it('a flat picture is black, not a division by zero', async () => {
    const frame = native(await read(mono8(2, 2), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(4).fill(77) } }));
    expect(greys(toRgba(frame))).toEqual([0, 0, 0, 0]);
  });

  it('16-bit signed with 12 bits stored: high bits masked, sign extended, rescaled, windowed (implicit VR)', async () => {
    // Stored 12-bit two's complement; the unused high bits hold junk that must be ignored.
    const stored = [0x0800, 0xf000 | 0x0ed4, 0x0fff, 0x0000, 0x0001, 0x07ff];
    const values = [-2048, -300, -1, 0, 1, 2047];
    const dataset = picture({
      rows: 2, columns: 3, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, photometric: 'MONOCHROME2',
      extra: [
        el(0x0028, 0x1050, 'DS', ['0', '300']),
        el(0x0028, 0x1051, 'DS', ['2001', '800']),
        el(0x0028, 0x1052, 'DS', '-1'),
        el(0x0028, 0x1053, 'DS', '2'),
      ],
    });
    const frame = native(await read(dataset, { transferSyntax: 'implicit-le', pixelData: { bytes: words(stored) } }));
    expect(frame).toMatchObject({ bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, window: { center: 0, width: 2001 }, rescale: { slope: 2, intercept: -1 } });
    expect([...frame.pixels]).toEqual([...words(stored)]);
    // The DICOM linear window over the rescaled values 2v - 1.
    const expected = values.map((v) => {
      const x = 2 * v - 1;
      if (x <= 0 - 0.5 - 1000) return 0;
      if (x > 0 - 0.5 + 1000) return 255;
      return Math.round(((x + 0.5) / 2000 + 0.5) * 255);
    });
    expect(greys(toRgba(frame))).toEqual(expected);
    expect(expected).toEqual([0, 51, 127, 127, 128, 255]);
  });

  it('16-bit unsigned big endian: the bytes come back in little-endian order', async () => {
    const values = [0, 1000, 40000, 65535];
    const frame = native(await read(
      picture({ rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 0, photometric: 'MONOCHROME2' }),
      { transferSyntax: 'explicit-be', pixelData: { bytes: words(values) } },
    ));
    expect([...frame.pixels]).toEqual([...words(values)]);
    expect(greys(toRgba(frame))).toEqual(values.map((v) => Math.round((v / 65535) * 255)));
  });

  it('8-bit big endian stored as OW (swapped words)', async () => {
    const pixels = ramp(6, (i) => i * 3 + 1);
    const frame = native(await read(mono8(2, 3), { transferSyntax: 'explicit-be', pixelData: { bytes: pixels } }));
    expect([...frame.pixels]).toEqual([...pixels]);
  });

  it('deflated files are inflated only as far as the first frame', async () => {
    const pixels = ramp(64, (i) => (i * 7) & 0xff);
    const frame = native(await read(mono8(8, 8), { transferSyntax: 'deflated', pixelData: { bytes: pixels } }));
    expect([...frame.pixels]).toEqual([...pixels]);
  });

  it('a bare dataset with no file meta (no transfer syntax) is read as it is encoded', async () => {
    const pixels = ramp(4, (i) => i + 1);
    const frame = native(await read(mono8(2, 2), { transferSyntax: 'implicit-le', preamble: false, meta: false, pixelData: { bytes: pixels } }));
    expect([...frame.pixels]).toEqual([...pixels]);
  });

  it('defaults: no samples per pixel (1), photometric (MONOCHROME2), bits stored (= allocated) or pixel representation (0)', async () => {
    const pixels = ramp(4, (i) => 250 + i);
    const frame = native(await read(picture({ rows: 2, columns: 2, bitsAllocated: 8 }), { transferSyntax: 'explicit-le', pixelData: { bytes: pixels } }));
    expect(frame).toMatchObject({ samplesPerPixel: 1, photometric: 'MONOCHROME2', bitsStored: 8, pixelRepresentation: 0 });
  });

  it('window and rescale: first of several values, half of a pair ignored or defaulted, a width below 1 ignored', async () => {
    const base = { rows: 1, columns: 2, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometric: 'MONOCHROME2' };
    const opts: WriteOptions = { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array([0, 200]) } };
    const centerOnly = native(await read(picture({ ...base, extra: [el(0x0028, 0x1050, 'DS', '40'), el(0x0028, 0x1053, 'DS', '3')] }), opts));
    expect(centerOnly.window).toBeUndefined();
    expect(centerOnly.rescale).toEqual({ slope: 3, intercept: 0 });
    const narrow = native(await read(picture({ ...base, extra: [el(0x0028, 0x1050, 'DS', '40'), el(0x0028, 0x1051, 'DS', '0.5'), el(0x0028, 0x1052, 'DS', '-5')] }), opts));
    expect(narrow.window).toBeUndefined();
    expect(narrow.rescale).toEqual({ slope: 1, intercept: -5 });
    const junk = native(await read(picture({ ...base, extra: [el(0x0028, 0x1050, 'DS', 'abc'), el(0x0028, 0x1051, 'DS', ''), el(0x0028, 0x1053, 'DS', '')] }), opts));
    expect(junk.window).toBeUndefined();
    expect(junk.rescale).toBeUndefined();
    const narrowest = native(await read(picture({ ...base, extra: [el(0x0028, 0x1050, 'DS', '100'), el(0x0028, 0x1051, 'DS', '1')] }), opts));
    expect(narrowest.window).toEqual({ center: 100, width: 1 });
    expect(greys(toRgba(narrowest))).toEqual([0, 255]);
  });
});

describe('native colour', () => {
  // A 2x2 picture: red, green, blue, white.
  const RGB = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
  const interleaved = Uint8Array.from(RGB.flat());
  const planar = Uint8Array.from([0, 1, 2].flatMap((s) => RGB.map((p) => p[s]!)));
  const colour = (planarConfiguration: number, photometric = 'RGB', bits = 8): El[] =>
    picture({ rows: 2, columns: 2, samplesPerPixel: 3, bitsAllocated: bits, bitsStored: bits, pixelRepresentation: 0, photometric, planar: planarConfiguration });
  const rgbaOf = (pixels: number[][]): number[] => pixels.flatMap((p) => [...p, 255]);

  it('RGB interleaved and planar give the same picture', async () => {
    const a = native(await read(colour(0), { transferSyntax: 'explicit-le', pixelData: { bytes: interleaved } }));
    const b = native(await read(colour(1), { transferSyntax: 'implicit-le', pixelData: { bytes: planar } }));
    expect(a).toMatchObject({ samplesPerPixel: 3, planarConfiguration: 0, photometric: 'RGB' });
    expect(b.planarConfiguration).toBe(1);
    expect([...toRgba(a)]).toEqual(rgbaOf(RGB));
    expect([...toRgba(b)]).toEqual(rgbaOf(RGB));
  });

  it('RGB big endian (8-bit OW, swapped in the file)', async () => {
    const frame = native(await read(colour(0), { transferSyntax: 'explicit-be', pixelData: { bytes: interleaved } }));
    expect([...toRgba(frame)]).toEqual(rgbaOf(RGB));
  });

  it('16-bit RGB: the top 8 of the stored bits', async () => {
    const frame = native(await read(colour(0, 'RGB', 16), { transferSyntax: 'explicit-le', pixelData: { bytes: words(RGB.flat().map((v) => v * 257)) } }));
    expect(frame.bitsAllocated).toBe(16);
    expect([...toRgba(frame)]).toEqual(rgbaOf(RGB));
  });

  it('YBR_FULL is converted to RGB; window and rescale are not applied to colour', async () => {
    // Grey, and the YCbCr of pure red (76, 85, 255).
    const ybr = Uint8Array.from([128, 128, 128, 76, 85, 255, 0, 128, 128, 255, 128, 128]);
    const frame = native(await read(
      [...colour(0, 'YBR_FULL'), el(0x0028, 0x1050, 'DS', '40'), el(0x0028, 0x1051, 'DS', '400'), el(0x0028, 0x1053, 'DS', '2')],
      { transferSyntax: 'explicit-le', pixelData: { bytes: ybr } },
    ));
    expect(frame.window).toBeUndefined();
    expect(frame.rescale).toBeUndefined();
    const rgba = [...toRgba(frame)];
    expect(rgba.slice(0, 4)).toEqual([128, 128, 128, 255]);
    expect(rgba[4]!).toBeGreaterThanOrEqual(253);
    expect(rgba[5]!).toBeLessThanOrEqual(1);
    expect(rgba[6]!).toBeLessThanOrEqual(1);
    expect(rgba.slice(8)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('toRgba refuses a form readFirstFrame never returns', () => {
    const frame: NativeFrame = {
      kind: 'native', rows: 1, columns: 1, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0,
      photometric: 'PALETTE COLOR', planarConfiguration: 0, pixels: new Uint8Array(1),
    };
    // Palette colour without its lookup tables.
    expect(() => toRgba(frame)).toThrow(/PALETTE COLOR/);
    expect(() => toRgba({ ...frame, photometric: 'RGB' })).toThrow(/RGB with 1 samples/);
  });
});

describe('shrinkFrame', () => {
  const mono16 = (rows: number, columns: number): NativeFrame => ({
    kind: 'native', rows, columns, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0,
    photometric: 'MONOCHROME2', planarConfiguration: 0, pixels: words(Array.from({ length: rows * columns }, (_, i) => i)),
  });

  it('keeps every n-th pixel of every n-th row (16-bit), so the longer side fits', () => {
    const small = shrinkFrame(mono16(5, 7), 3);
    expect([small.rows, small.columns]).toEqual([2, 3]);
    // Rows 0 and 3, columns 0, 3 and 6 of a 7-wide picture numbered 0..34.
    expect([...small.pixels]).toEqual([...words([0, 3, 6, 21, 24, 27])]);
    expect(small.photometric).toBe('MONOCHROME2');
  });

  it('a frame that already fits is returned as it is', () => {
    const frame = mono16(4, 4);
    expect(shrinkFrame(frame, 4)).toBe(frame);
    expect(shrinkFrame(frame, 100)).toBe(frame);
  });

  it('colour, interleaved and planar, shrinks to the same picture', () => {
    const pixel = (i: number): number[] => [i, 100 + i, 200 + (i % 50)];
    const all = Array.from({ length: 16 }, (_, i) => pixel(i));
    const base = { kind: 'native' as const, rows: 4, columns: 4, samplesPerPixel: 3 as const, bitsAllocated: 8 as const, bitsStored: 8, highBit: 7, pixelRepresentation: 0 as const, photometric: 'RGB' };
    const interleaved = shrinkFrame({ ...base, planarConfiguration: 0, pixels: Uint8Array.from(all.flat()) }, 2);
    const planar = shrinkFrame({ ...base, planarConfiguration: 1, pixels: Uint8Array.from([0, 1, 2].flatMap((s) => all.map((p) => p[s]!))) }, 2);
    const kept = [0, 2, 8, 10].map(pixel);
    expect([...interleaved.pixels]).toEqual(kept.flat());
    expect([...planar.pixels]).toEqual([0, 1, 2].flatMap((s) => kept.map((p) => p[s]!)));
    expect([...toRgba(interleaved)]).toEqual([...toRgba(planar)]);
    expect(shrinkFrame({ ...base, planarConfiguration: 0, pixels: Uint8Array.from(all.flat()) }, 0).rows).toBe(1);
  });
});

describe('only the first frame is read', () => {
  it('a multi-frame native file: the first frame comes back and the rest is never read', async () => {
    const rows = 512;
    const columns = 512;
    const frameBytes = rows * columns * 2;
    const frames = 4;
    const all = new Uint8Array(frameBytes * frames);
    for (let i = 0; i < all.length; i++) all[i] = (i * 31 + (i >> 7)) & 0xff;
    const bytes = writeDicom(
      picture({ rows, columns, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 0, photometric: 'MONOCHROME2', frames }),
      { transferSyntax: 'explicit-le', pixelData: { bytes: all } },
    );
    const source = countingSource(bytesSource(bytes));
    const frame = native(await readFirstFrame(source));
    expect([...frame.pixels]).toEqual([...all.subarray(0, frameBytes)]);
    const headerBytes = bytes.length - all.length;
    expect(source.bytesRead).toBeGreaterThanOrEqual(frameBytes);
    // The header's first read (256 KiB) and the first frame (512 KiB) overlap; the other frames stay unread.
    expect(source.bytesRead).toBeLessThan(headerBytes + frameBytes + 1024);
  });

  it('encapsulated JPEG with an offset table: the first frame\'s fragment only', async () => {
    const frames = [ramp(400_000, (i) => i & 0xff), ramp(400_000, () => 0xaa), ramp(400_000, () => 0xbb)];
    const bytes = writeDicom(
      picture({ rows: 16, columns: 16, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometric: 'YBR_FULL_422', frames: 3 }),
      { transferSyntax: 'jpeg-baseline', pixelData: { frames } },
    );
    const source = countingSource(bytesSource(bytes));
    const frame = await readFirstFrame(source);
    expect(frame).toMatchObject({ kind: 'jpeg', rows: 16, columns: 16 });
    expect([...jpegBytes(frame)]).toEqual([...frames[0]!]);
    expect(source.bytesRead).toBeLessThan(bytes.length - 2 * 400_000 + 1024);
  });

  it('a single-frame JPEG is every fragment, joined', async () => {
    const bytes = writeDicom(mono8(8, 8, [el(0x0028, 0x0008, 'IS', '1')]), { transferSyntax: 'jpeg-baseline', pixelData: { frames: [ramp(11, (i) => i + 1)] } });
    // The writer pads odd fragments with one zero byte, as the standard asks.
    expect([...jpegBytes(await readFirstFrame(bytesSource(bytes)))]).toEqual([...ramp(11, (i) => i + 1), 0]);
    // No Number of Frames at all means one frame.
    const unsaid = writeDicom(mono8(8, 8), { transferSyntax: 'jpeg-baseline', pixelData: { frames: [ramp(12, (i) => i + 1)] } });
    expect([...jpegBytes(await readFirstFrame(bytesSource(unsaid)))]).toEqual([...ramp(12, (i) => i + 1)]);
  });
});

// ---- encapsulated pixel data built by hand (no offset table, several fragments per frame, damage) ----------

function item(element: number, content: Uint8Array, length = content.length): Uint8Array {
  const out = new Uint8Array(8 + content.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, element, true);
  view.setUint32(4, length, true);
  out.set(content, 8);
  return out;
}

/** A JPEG file whose pixel data element is exactly `items` (already encoded) after an undefined-length header. */
function handmade(items: Uint8Array[], frames: number): Uint8Array {
  const head = writeDicom(mono8(8, 8, [el(0x0028, 0x0008, 'IS', String(frames))]), { transferSyntax: 'jpeg-baseline' });
  const pixelHeader = Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  return concatBytes(head, pixelHeader, ...items);
}

const END = item(0xe0dd, new Uint8Array(0));
const EMPTY_TABLE = item(0xe000, new Uint8Array(0));
/** Stand-ins for JPEG data: the start of an image, some bytes, and (when it ends a frame) the end-of-image marker. */
const part = (fill: number, endsImage: boolean, pad = false): Uint8Array =>
  Uint8Array.from([fill, fill, fill, fill, ...(endsImage ? [0xff, 0xd9] : [fill, fill]), ...(pad ? [0] : [])]);

describe('encapsulated JPEG without an offset table', () => {
  it('several frames: fragments up to the one that ends the image', async () => {
    const bytes = handmade([EMPTY_TABLE, item(0xe000, part(1, false)), item(0xe000, part(2, true, true)), item(0xe000, part(3, true)), END], 2);
    const got = jpegBytes(await readFirstFrame(bytesSource(bytes)));
    expect([...got]).toEqual([...part(1, false), ...part(2, true, true)]);
  });

  it('one frame: every fragment, whatever they end with', async () => {
    const bytes = handmade([EMPTY_TABLE, item(0xe000, part(1, true)), item(0xe000, part(2, false)), END], 1);
    expect([...jpegBytes(await readFirstFrame(bytesSource(bytes)))]).toEqual([...part(1, true), ...part(2, false)]);
  });

  it('a table with a single entry for several frames is no help: the end-of-image rule decides', async () => {
    const bytes = handmade([item(0xe000, new Uint8Array(4)), item(0xe000, part(5, true)), item(0xe000, part(6, true)), END], 2);
    expect([...jpegBytes(await readFirstFrame(bytesSource(bytes)))]).toEqual([...part(5, true)]);
  });

  it('damaged or empty pixel data gives no preview', async () => {
    const cases: Array<[Uint8Array[], number, RegExp]> = [
      [[item(0xe00d, new Uint8Array(0)), END], 1, /damaged/], // the first item is not the offset table
      [[item(0xe000, new Uint8Array(0), 0xffffffff), END], 1, /damaged/],
      [[EMPTY_TABLE, item(0xe000, part(1, true)), item(0x1234, new Uint8Array(0))], 1, /damaged/],
      [[EMPTY_TABLE, item(0xe000, new Uint8Array(0), 0xffffffff)], 1, /damaged/],
      [[EMPTY_TABLE, item(0xe000, part(1, true), 500)], 1, /damaged/], // the fragment runs past the end of the file
      [[EMPTY_TABLE, item(0xe000, part(1, true))], 1, /damaged/], // no delimiter: the file ends
      [[item(0xe000, new Uint8Array(0), 8)], 2, /damaged/], // the table runs past the end of the file
      [[EMPTY_TABLE, Uint8Array.from([0x08, 0x00, 0x00, 0xe0, 0, 0, 0, 0])], 1, /damaged/], // not an item at all
      [[EMPTY_TABLE, END], 1, /no fragments/],
      [[], 1, /damaged/],
    ];
    for (const [items, frames, why] of cases) {
      expect(reason(await readFirstFrame(bytesSource(handmade(items, frames))))).toMatch(why);
    }
  });

  it('an offset table whose offsets do not increase is ignored: the fragments decide', async () => {
    const table = new Uint8Array(8); // offsets 0 and 0
    const bytes = handmade([item(0xe000, table), item(0xe000, part(1, true)), END], 2);
    expect([...jpegBytes(await readFirstFrame(bytesSource(bytes)))]).toEqual([...part(1, true)]);
  });

  it('a JPEG frame larger than the limit is not read', async () => {
    const bytes = handmade([EMPTY_TABLE, item(0xe000, ramp(40_000)), END], 1);
    const source = countingSource(bytesSource(bytes));
    expect(reason(await readFirstFrame(source, { ...DEFAULT_FIRST_FRAME_LIMITS, maxFrameBytes: 1000, header: SMALL_READS }))).toMatch(/too large/);
    expect(source.bytesRead).toBeLessThan(bytes.length - 30_000);
  });
});

describe('no preview', () => {
  const small = mono8(2, 2);
  const bytes4 = { bytes: new Uint8Array(4) };

  it('compressed forms other than baseline JPEG are named: without codecs there is no decoder, and RLE is decoded (here: damaged)', async () => {
    const cases: Array<[TransferSyntax, RegExp]> = [
      ['jpeg2000', /no decoder for its JPEG 2000/],
      ['htj2k', /no decoder for its HTJ2K/],
      ['jpeg-ls', /no decoder for its JPEG-LS/],
      ['rle', /RLE compressed picture is damaged/],
    ];
    for (const [syntax, name] of cases) {
      expect(reason(await read(small, { transferSyntax: syntax, pixelData: { frames: [new Uint8Array(4)] } }))).toMatch(name);
    }
    const other = async (uid: string): Promise<string> =>
      reason(await read([...small, el(0x0002, 0x0010, 'UI', uid)], { transferSyntax: 'jpeg-baseline', pixelData: { frames: [new Uint8Array(4)] } }));
    expect(await other('1.2.840.10008.1.2.4.51')).toMatch(/no decoder for its JPEG extended/);
    expect(await other('1.2.840.10008.1.2.4.70')).toMatch(/no decoder for its JPEG lossless/);
    expect(await other('1.2.840.10008.1.2.4.52')).toMatch(/retired JPEG process/);
    expect(await other('1.2.840.10008.1.2.4.100')).toMatch(/video/);
    expect(await other('1.2.3.4')).toMatch(/transfer syntax 1\.2\.3\.4/);
  });

  it('pixel data stored the wrong way for its transfer syntax', async () => {
    expect(reason(await read(small, { transferSyntax: 'jpeg-baseline', pixelData: bytes4 }))).toMatch(/not stored in fragments/);
    expect(reason(await read(small, { transferSyntax: 'explicit-le', pixelData: { frames: [new Uint8Array(4)] } }))).toMatch(/says it is not compressed/);
  });

  it('pictures the preview does not handle, and files that say too little', async () => {
    const p = { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometric: 'MONOCHROME2' };
    const cases: Array<[Picture, RegExp]> = [
      [{ ...p, photometric: 'PALETTE COLOR' }, /palette colour picture has no usable colour table/],
      [{ ...p, bitsAllocated: 12, bitsStored: 12 }, /unusual number of bits per sample/],
      [{ ...p, bitsAllocated: undefined, bitsStored: undefined }, /unknown number of bits/],
      [{ ...p, bitsStored: 9 }, /more bits/],
      [{ ...p, bitsStored: 0 }, /more bits/],
      [{ ...p, pixelRepresentation: 2 }, /pixel representation/],
      [{ ...p, samplesPerPixel: 3 }, /MONOCHROME2, 3 samples/],
      [{ ...p, photometric: 'YBR_FULL_422', samplesPerPixel: 3 }, /YBR_FULL_422/],
      [{ ...p, photometric: undefined, samplesPerPixel: 3 }, /unknown, 3 samples/],
      [{ ...p, photometric: 'RGB', samplesPerPixel: 3, planar: 2 }, /planar configuration/],
    ];
    for (const [pic, why] of cases) {
      expect(reason(await read(picture(pic), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(48) } }))).toMatch(why);
    }
    expect(reason(await read(picture({ ...p, rows: 0 }), { transferSyntax: 'explicit-le', pixelData: bytes4 }))).toMatch(/how large/);
    const noColumns = picture(p).filter((e) => e.tag !== tag(0x0028, 0x0011));
    expect(reason(await read(noColumns, { transferSyntax: 'explicit-le', pixelData: bytes4 }))).toMatch(/how large/);
  });

  it('pictures too large for a preview, and pixel data shorter than a frame', async () => {
    const big = picture({ rows: 4000, columns: 4000, bitsAllocated: 16 });
    expect(reason(await read(big, { transferSyntax: 'explicit-le', pixelData: bytes4 }))).toMatch(/pixel data is shorter than its rows, columns and frames say/);
    const limits = { ...DEFAULT_FIRST_FRAME_LIMITS, maxPixels: 1000 };
    expect(reason(await readFirstFrame(file(big, { transferSyntax: 'explicit-le', pixelData: bytes4 }), limits))).toMatch(/too large/);
    const bytesLimit = { ...DEFAULT_FIRST_FRAME_LIMITS, maxFrameBytes: 1000 };
    expect(reason(await readFirstFrame(file(big, { transferSyntax: 'explicit-le', pixelData: bytes4 }), bytesLimit))).toMatch(/too large/);
  });

  it('a file cut short inside its first frame', async () => {
    const whole = writeDicom(mono8(16, 16), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(256) } });
    expect(reason(await readFirstFrame(bytesSource(whole.subarray(0, whole.length - 100))))).toMatch(/ends before the end of the frame asked for/);
  });

  it('not a DICOM picture at all', async () => {
    expect(reason(await readFirstFrame(new Blob([])))).toMatch(/empty/);
    expect(reason(await readFirstFrame(new Blob(['just some text, not an image'])))).toMatch(/not a DICOM file/);
    expect(reason(await read(mono8(2, 2), { transferSyntax: 'explicit-le' }))).toMatch(/no picture/);
    // DICM and a file meta group cut short: the header cannot be read at all.
    const cut = new Uint8Array(140);
    cut.set([0x44, 0x49, 0x43, 0x4d], 128);
    cut.set([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00], 132);
    expect(reason(await readFirstFrame(new Blob([cut])))).toMatch(/could not be read/);
  });

  it('a source that fails to read gives no preview instead of throwing', async () => {
    const failing = { size: 1000, read: (): Promise<Uint8Array> => Promise.reject(new Error('gone')) };
    expect(reason(await readFirstFrame(failing))).toMatch(/could not be read/);
  });
});

// ---- the public corpus, checked against dcmdump's own copy of the pixel data --------------------------

let dumpDir: string | undefined;
afterAll(() => {
  if (dumpDir) fs.rmSync(dumpDir, { recursive: true, force: true });
});

/** The binary values dcmdump (dcmtk) writes out for a file's pixel data: one file, or one per item. */
function dcmdumpPixelData(relative: string): Uint8Array[] {
  dumpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'spg-first-frame-'));
  const out = fs.mkdtempSync(path.join(dumpDir, 'f-'));
  const r = spawnSync('dcmdump', ['-q', '+W', out, path.join(CORPUS, relative)], { encoding: 'latin1' });
  if (r.error) throw new Error(`dcmdump could not be run (${r.error.message}): install dcmtk`);
  // Only the raw files of the pixel data element (and its items) count, in their order.
  const pixelStart = r.stdout.indexOf('(7fe0,0010)');
  expect(pixelStart).toBeGreaterThan(0);
  return [...r.stdout.matchAll(/=(\S+\.\d+\.raw)/g)]
    .filter((m) => (m.index ?? 0) >= pixelStart)
    .map((m) => new Uint8Array(fs.readFileSync(path.resolve(out, path.basename(m[1]!)))));
}

describe('corpus files', () => {
  it('an 8-bit MONOCHROME1 radiograph (highdicom dx_image)', async () => {
    const relative = 'public/highdicom/dx_image.dcm';
    const frame = native(await readFirstFrame(blobOf(corpusBytes(relative))));
    expect(frame).toMatchObject({ photometric: 'MONOCHROME1', bitsAllocated: 8, samplesPerPixel: 1 });
    const [pixels] = dcmdumpPixelData(relative);
    expect(frame.pixels.length).toBe(frame.rows * frame.columns);
    expect([...frame.pixels]).toEqual([...pixels!.subarray(0, frame.pixels.length)]);
    expect(toRgba(frame).length).toBe(frame.rows * frame.columns * 4);
  });

  it('a 16-bit multi-frame MR (pydicom-data emri_small): the first of its frames only', async () => {
    const relative = 'public/pydicom-data/emri_small.dcm';
    const bytes = corpusBytes(relative);
    const source = countingSource(bytesSource(bytes));
    const frame = native(await readFirstFrame(source, { ...DEFAULT_FIRST_FRAME_LIMITS, header: SMALL_READS }));
    const [all] = dcmdumpPixelData(relative);
    const frameBytes = frame.rows * frame.columns * 2;
    expect(all!.length).toBeGreaterThan(frameBytes * 2);
    expect([...frame.pixels]).toEqual([...all!.subarray(0, frameBytes)]);
    expect(source.bytesRead).toBeLessThan(bytes.length - all!.length + 2 * frameBytes);
  });

  it('baseline JPEG ultrasound with 30 frames (pydicom examples_ybr_color): the first fragment', async () => {
    const relative = 'public/pydicom/examples_ybr_color.dcm';
    const frame = await readFirstFrame(blobOf(corpusBytes(relative)));
    const items = dcmdumpPixelData(relative);
    expect(items.length).toBe(31); // the offset table and 30 frames
    const got = jpegBytes(frame);
    expect([...got.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(got.length).toBe(items[1]!.length);
    expect(Buffer.from(got).equals(Buffer.from(items[1]!))).toBe(true);
  });
});
