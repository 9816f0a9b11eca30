// The decoders on generated pictures: RLE (8/16/32 bits, grey and RGB) from the test's own PackBits encoder
// and checked against dcmdrle; JPEG from dcmcjpeg (8 and 12 bit; baseline, extended, spectral selection,
// progressive, lossless) checked against dcmdjpeg; 12-bit restart intervals and 16-bit quantisation tables
// from a tiny encoder here; and what happens with damaged streams, failing hosts and mismatched headers.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCodecHost, nodeCodecs } from '../../src/cli/codec-host';
import { readDicomHeader } from '../../src/core/dicom/header';
import { createCodecs, j2kUsesColourTransform, jpegFrameHeader, type CodecHost, type Codecs } from '../../src/core/pixels/codecs';
import { PixelDataError, type NativeFrame, type NoFrame } from '../../src/core/pixels/frame';
import { decodeJpeg12 } from '../../src/core/pixels/jpeg12';
import { openPixels, type PixelReader } from '../../src/core/pixels/reader';
import { decodeRle } from '../../src/core/pixels/rle';
import { sniff, SNIFF_BYTES } from '../../src/core/sniff';
import { bytesSource } from '../../src/core/source';
import { tag, writeDicom, type El, type TransferSyntax } from '../fixtures/dicom-writer';
import { corpusBytes } from '../support/corpus';
import { cleanUpReferences, dcmtkReference, fragmentsOf, samplesOf } from '../support/pixel-reference';

afterAll(cleanUpReferences);

const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });

function picture(p: { rows: number; columns: number; spp?: number; bits?: number; stored?: number; signed?: number; photometric?: string; frames?: number; extra?: El[] }): El[] {
  const bits = p.bits ?? 8;
  const stored = p.stored ?? bits;
  return [
    el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    el(0x0008, 0x0018, 'UI', '2.25.9'),
    el(0x0028, 0x0002, 'US', p.spp ?? 1),
    el(0x0028, 0x0004, 'CS', p.photometric ?? ((p.spp ?? 1) === 3 ? 'RGB' : 'MONOCHROME2')),
    ...((p.spp ?? 1) === 3 ? [el(0x0028, 0x0006, 'US', 0)] : []),
    el(0x0028, 0x0008, 'IS', String(p.frames ?? 1)),
    el(0x0028, 0x0010, 'US', p.rows),
    el(0x0028, 0x0011, 'US', p.columns),
    el(0x0028, 0x0100, 'US', bits),
    el(0x0028, 0x0101, 'US', stored),
    el(0x0028, 0x0102, 'US', stored - 1),
    el(0x0028, 0x0103, 'US', p.signed ?? 0),
    ...(p.extra ?? []),
  ];
}

async function open(bytes: Uint8Array, codecs: Codecs | undefined = nodeCodecs()): Promise<PixelReader> {
  const source = bytesSource(bytes);
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
  const reader = openPixels(source, await readDicomHeader(source, sniffed), codecs);
  if (reader.kind !== 'pixels') throw new Error(reader.reason);
  return reader;
}

function native(frame: NativeFrame | NoFrame): NativeFrame {
  if (frame.kind !== 'native') throw new Error(`expected a frame, got: ${frame.reason}`);
  return frame;
}

function reasonOf(frame: NativeFrame | NoFrame): string {
  if (frame.kind !== 'none') throw new Error('expected no frame');
  return frame.reason;
}

let tmp: string | undefined;
function file(bytes: Uint8Array, name: string): string {
  tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'spg-codecs-'));
  const out = path.join(tmp, name);
  fs.writeFileSync(out, bytes);
  return out;
}
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A noisy picture with a gradient and a bright block (like burned-in text), `bits` stored bits. */
function testPixels(rows: number, columns: number, spp: number, bits: number): Uint8Array {
  const size = bits > 8 ? 2 : 1;
  const out = new Uint8Array(rows * columns * spp * size);
  const view = new DataView(out.buffer);
  const max = 2 ** bits - 1;
  let seed = 7;
  for (let i = 0; i < rows * columns * spp; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const p = Math.floor(i / spp);
    const x = p % columns;
    const y = Math.floor(p / columns);
    const text = x > 5 && x < 25 && y > 3 && y < 10;
    const v = text ? max : Math.min(max, Math.floor(((x + y) / (rows + columns)) * max * 0.8) + (seed % Math.max(2, max >> 6)));
    if (size === 1) out[i] = v;
    else view.setUint16(2 * i, v, true);
  }
  return out;
}

function compressWith(args: string[], source: Uint8Array, name: string, tool = 'dcmcjpeg'): string {
  const input = file(source, `${name}.dcm`);
  const output = `${input}.${tool}.dcm`;
  const r = spawnSync(tool, ['-q', ...args, input, output], { encoding: 'latin1' });
  if (r.error) throw new Error(`${tool} could not be run (${r.error.message}): install dcmtk`);
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  return output;
}

async function expectSameAsDcmtk(compressed: string, tool: 'dcmdjpeg' | 'dcmdrle' | 'dcmdjpls'): Promise<NativeFrame> {
  const reader = await open(new Uint8Array(fs.readFileSync(compressed)));
  const ref = dcmtkReference(compressed, tool);
  const frame = native(await reader.readFrame(0));
  const mine = samplesOf(frame.pixels, { ...frame, signed: frame.pixelRepresentation === 1, planar: frame.planarConfiguration });
  expect(frame.photometric).toBe(ref.photometric);
  expect(mine).toEqual(ref.frames[0]);
  return frame;
}

describe('JPEG, as dcmcjpeg writes it, decodes as dcmdjpeg decodes it', () => {
  const cases: Array<[string, string[], number, number]> = [
    ['8-bit baseline grey', ['+eb'], 8, 1],
    ['8-bit baseline colour (YBR_FULL_422 becomes RGB)', ['+eb'], 8, 3],
    ['8-bit progressive colour', ['+ep'], 8, 3],
    ['12-bit extended sequential', ['+ee'], 12, 1],
    ['12-bit spectral selection', ['+es'], 12, 1],
    ['12-bit progressive (successive approximation)', ['+ep'], 12, 1],
    ['16-bit lossless', ['+el'], 16, 1],
  ];
  for (const [name, args, bits, spp] of cases) {
    it(name, async () => {
      const rows = 45;
      const columns = 70;
      const source = writeDicom(picture({ rows, columns, spp, bits: bits > 8 ? 16 : 8, stored: bits }), { transferSyntax: 'explicit-le', pixelData: { bytes: testPixels(rows, columns, spp, bits) } });
      const frame = await expectSameAsDcmtk(compressWith(args, source, name.replace(/\W+/g, '-')), 'dcmdjpeg');
      expect(frame.bitsAllocated).toBe(bits > 8 ? 16 : 8);
      if (spp === 3) expect(frame.photometric).toBe('RGB');
    });
  }

  it('JPEG-LS (dcmcjls, near-lossless) and RLE (dcmcrle, 16-bit colour) as dcmtk decodes them', async () => {
    const source = writeDicom(picture({ rows: 20, columns: 33, bits: 16, stored: 12 }), { transferSyntax: 'explicit-le', pixelData: { bytes: testPixels(20, 33, 1, 12) } });
    await expectSameAsDcmtk(compressWith(['+en', '+md', '3'], source, 'jls', 'dcmcjpls'), 'dcmdjpls');
    const colour = writeDicom(picture({ rows: 9, columns: 13, spp: 3, bits: 16 }), { transferSyntax: 'explicit-le', pixelData: { bytes: testPixels(9, 13, 3, 16) } });
    await expectSameAsDcmtk(compressWith([], colour, 'rle16', 'dcmcrle'), 'dcmdrle');
  });
});

// ---- RLE ----------------------------------------------------------------------------------------------

/** PackBits, written independently of src: literal runs of up to 128 bytes, repeats of 3 to 128. */
function packBits(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
    if (run >= 3) {
      out.push(257 - run, data[i]!);
      i += run;
      continue;
    }
    let literal = 0;
    while (i + literal < data.length && literal < 128) {
      const at = i + literal;
      if (at + 2 < data.length && data[at] === data[at + 1] && data[at] === data[at + 2]) break;
      literal++;
    }
    out.push(literal - 1, ...data.subarray(i, i + literal));
    i += literal;
  }
  return Uint8Array.from(out);
}

/** An RLE frame of little-endian interleaved samples: one segment per byte of each sample, most significant first. */
function rleFrame(samples: Uint8Array, pixels: number, spp: number, size: number): Uint8Array {
  const segments: Uint8Array[] = [];
  for (let s = 0; s < spp; s++) {
    for (let b = size - 1; b >= 0; b--) {
      const plane = Uint8Array.from({ length: pixels }, (_, p) => samples[(p * spp + s) * size + b]!);
      segments.push(packBits(plane));
    }
  }
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  });
  const out = new Uint8Array(offset);
  out.set(header);
  offset = 64;
  for (const segment of segments) {
    out.set(segment, offset);
    offset += segment.length;
  }
  return out;
}

describe('RLE', () => {
  const forms: Array<[string, number, number, number]> = [
    ['8-bit grey', 1, 8, 0],
    ['16-bit signed grey', 1, 16, 1],
    ['32-bit grey', 1, 32, 0],
    ['8-bit RGB', 3, 8, 0],
    ['16-bit RGB', 3, 16, 0],
  ];
  for (const [name, spp, bits, signed] of forms) {
    it(`${name}: two frames, each decoded alone`, async () => {
      const rows = 7;
      const columns = 11;
      const size = bits / 8;
      const frames = [0, 1].map((f) => Uint8Array.from({ length: rows * columns * spp * size }, (_, i) => ((i >> 3) * (f + 3) + (i % 5 === 0 ? 200 : 0)) & 0xff));
      const bytes = writeDicom(picture({ rows, columns, spp, bits, signed, frames: 2 }), { transferSyntax: 'rle', pixelData: { frames: frames.map((f) => rleFrame(f, rows * columns, spp, size)) } });
      const reader = await open(bytes, undefined);
      for (const f of [1, 0]) {
        const frame = native(await reader.readFrame(f));
        expect(frame).toMatchObject({ bitsAllocated: bits, samplesPerPixel: spp, planarConfiguration: 0, pixelRepresentation: signed });
        expect([...frame.pixels]).toEqual([...frames[f]!]);
      }
    });
  }

  it('damaged frames: cut-short header, wrong segment count, segments outside the frame or too short', () => {
    const good = rleFrame(Uint8Array.from({ length: 16 }, (_, i) => i), 16, 1, 1);
    expect(() => decodeRle(good.subarray(0, 40), 4, 4, 1, 1)).toThrow(/header is cut short/);
    expect(() => decodeRle(good, 4, 4, 1, 2)).toThrow(/number of segments/);
    const outside = good.slice();
    new DataView(outside.buffer).setUint32(4, 10_000, true);
    expect(() => decodeRle(outside, 4, 4, 1, 1)).toThrow(/outside the frame/);
    expect(() => decodeRle(good, 8, 4, 1, 1)).toThrow(/shorter than the picture/);
    // A no-op byte (128), a literal cut off by the end, and a repeat with no byte to repeat: all end short.
    const odd = new Uint8Array(64 + 4);
    new DataView(odd.buffer).setUint32(0, 1, true);
    new DataView(odd.buffer).setUint32(4, 64, true);
    odd.set([128, 5, 1, 2], 64);
    expect(() => decodeRle(odd, 2, 2, 1, 1)).toThrow(/shorter/);
    odd.set([128, 0, 9, 0xfd], 64);
    expect(() => decodeRle(odd, 2, 2, 1, 1)).toThrow(/shorter/);
    expect(() => decodeRle(odd, 2, 2, 1, 1)).toThrow(PixelDataError);
  });

  it('a 1-bit RLE picture is refused (RLE holds whole bytes)', async () => {
    const bytes = writeDicom(picture({ rows: 8, columns: 8, bits: 1 }), { transferSyntax: 'rle', pixelData: { frames: [new Uint8Array(64)] } });
    expect(reasonOf(await (await open(bytes)).readFrame(0))).toMatch(/1 bit per pixel/);
  });
});

// ---- 12-bit JPEG with restart intervals, built here ------------------------------------------------------

/** A 12-bit greyscale JPEG (SOF1) of flat 8×8 blocks (DC only), with 16-bit quantisation and restart markers. */
function flatJpeg12(columns: number, rows: number, blockValue: (b: number) => number, restart: number): Uint8Array {
  const out: number[] = [];
  const u16 = (v: number): number[] => [v >> 8, v & 0xff];
  out.push(0xff, 0xd8);
  out.push(0xff, 0xdb, ...u16(2 + 1 + 128), 0x10, ...Array.from({ length: 64 }, () => u16(1)).flat());
  out.push(0xff, 0xc1, ...u16(11), 12, ...u16(rows), ...u16(columns), 1, 1, 0x11, 0);
  // DC: 16 categories, all 5-bit codes (0..15). AC: one symbol, end of block, code '0'.
  out.push(0xff, 0xc4, ...u16(2 + 17 + 16), 0x00, 0, 0, 0, 0, 16, ...new Array<number>(11).fill(0), ...Array.from({ length: 16 }, (_, i) => i));
  out.push(0xff, 0xc4, ...u16(2 + 17 + 1), 0x10, 1, ...new Array<number>(15).fill(0), 0x00);
  out.push(0xff, 0xdd, ...u16(4), ...u16(restart));
  out.push(0xff, 0xda, ...u16(8), 1, 1, 0x00, 0, 63, 0);
  let bits = 0;
  let count = 0;
  const put = (value: number, length: number): void => {
    for (let i = length - 1; i >= 0; i--) {
      bits = (bits << 1) | ((value >> i) & 1);
      if (++count === 8) {
        out.push(bits);
        if (bits === 0xff) out.push(0);
        bits = 0;
        count = 0;
      }
    }
  };
  const flush = (): void => {
    if (count > 0) put(0xff, 8 - count);
  };
  const blocks = Math.ceil(columns / 8) * Math.ceil(rows / 8);
  let predictor = 0;
  for (let b = 0; b < blocks; b++) {
    if (b > 0 && b % restart === 0) {
      flush();
      out.push(0xff, 0xd0 + (((b / restart) - 1) % 8));
      predictor = 0;
    }
    const dc = 8 * (blockValue(b) - 2048);
    const diff = dc - predictor;
    predictor = dc;
    const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
    put(category, 5);
    if (category > 0) put(diff < 0 ? diff + (1 << category) - 1 : diff, category);
    put(0, 1);
  }
  flush();
  out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}

describe('12-bit JPEG decoder (jpeg12.ts)', () => {
  const value = (b: number): number => [0, 4095, 2048, 17, 3000][b % 5]!;

  it('restart intervals, 16-bit quantisation tables and edge blocks: each flat block comes back exactly, as dcmdjpeg says', async () => {
    const jpeg = flatJpeg12(20, 12, value, 2);
    const image = decodeJpeg12(jpeg);
    expect([image.columns, image.rows, image.bitsPerSample]).toEqual([20, 12, 12]);
    const samples = new Uint16Array(image.data.buffer, image.data.byteOffset, 240);
    const blocksPerLine = 3;
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 20; x++) expect(samples[y * 20 + x]).toBe(value(Math.floor(y / 8) * blocksPerLine + Math.floor(x / 8)));
    }
    const wrapped = writeDicom([...picture({ rows: 12, columns: 20, bits: 16, stored: 12 }), el(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.4.51')], { transferSyntax: 'jpeg-baseline', pixelData: { frames: [jpeg] } });
    await expectSameAsDcmtk(file(wrapped, 'restart12.dcm'), 'dcmdjpeg');
  });

  it('damaged 12-bit streams give a plain reason, never another error', () => {
    const jpeg = flatJpeg12(16, 16, value, 1);
    expect(() => decodeJpeg12(Uint8Array.of(0, 1, 2))).toThrow(PixelDataError);
    // The frame header names a quantisation table that is not there.
    const noTable = jpeg.slice();
    noTable[noTable.indexOf(0xc1) + 11] = 3;
    expect(() => decodeJpeg12(noTable)).toThrow(/damaged/);
    const colour = jpeg.slice();
    colour[colour.indexOf(0xc1) + 8] = 3;
    expect(() => decodeJpeg12(colour)).toThrow(/colour/);
    const sixteen = jpeg.slice();
    sixteen[sixteen.indexOf(0xc1) + 3] = 16;
    expect(() => decodeJpeg12(sixteen)).toThrow(/sample precision/);
    const lossless = jpeg.slice();
    lossless[lossless.indexOf(0xc1)] = 0xc3;
    expect(() => decodeJpeg12(lossless)).toThrow(/JPEG process/);
    // A segment longer than the stream, a scan with no frame, no frame at all.
    expect(() => decodeJpeg12(Uint8Array.of(0xff, 0xd8, 0xff, 0xdb, 0x10, 0x00))).toThrow(/damaged/);
    expect(() => decodeJpeg12(Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0xff, 0xd9))).toThrow(/damaged/);
    expect(() => decodeJpeg12(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9))).toThrow(/damaged/);
    // Cut short in the middle of the entropy-coded data: libjpeg fills with zero bits, and so does this decoder.
    const cut = decodeJpeg12(jpeg.subarray(0, jpeg.length - 6));
    expect(cut.rows).toBe(16);
  });

  it('a Huffman code that no table has is damage', () => {
    const jpeg = flatJpeg12(8, 8, () => 100, 1);
    const sos = jpeg.lastIndexOf(0xda);
    const broken = jpeg.slice();
    // 0xff 0xff... would be markers; 11111 is no DC code (5-bit codes go up to 01111), and longer ones neither.
    broken.fill(0xfe, sos + 9, broken.length - 2);
    expect(() => decodeJpeg12(broken)).toThrow(PixelDataError);
  });
});

// ---- codec loading and failures ---------------------------------------------------------------------------

describe('codecs', () => {
  it('a host that fails is reported plainly and asked again next time; a working codec is loaded once', async () => {
    let asked = 0;
    let fail = true;
    const host: CodecHost = {
      wasm(name) {
        asked++;
        return fail ? Promise.reject(new Error('no such file')) : nodeCodecHost.wasm(name);
      },
    };
    const codecs = createCodecs(host);
    const reader = await open(corpusBytes('public/pydicom/MR_small_jpeg_ls_lossless.dcm'), codecs);
    expect(reasonOf(await reader.readFrame(0))).toBe('the JPEG-LS decoder could not be loaded');
    fail = false;
    native(await reader.readFrame(0));
    native(await reader.readFrame(0));
    expect(asked).toBe(2);
  });

  it('a damaged frame gives a reason, and the codec decodes the next good frame', async () => {
    for (const relative of ['public/pydicom/MR_small_jp2klossless.dcm', 'public/pydicom/MR_small_jpeg_ls_lossless.dcm', 'public/pydicom-data/HTJ2K_08_RGB.dcm', 'public/pydicom/SC_rgb_jpeg_dcmtk.dcm']) {
      const bytes = corpusBytes(relative);
      const [fragment] = fragmentsOf(path.join(CORPUS_DIR, relative));
      const at = Buffer.from(bytes).indexOf(Buffer.from(fragment!.subarray(0, 64)));
      const damaged = bytes.slice();
      // Keep the stream's header, garble everything after it.
      for (let i = at + 200; i < at + fragment!.length - 2; i++) damaged[i] = (i * 97) & 0xff;
      const frame = await (await open(damaged)).readFrame(0);
      if (frame.kind === 'none') expect(frame.reason).toMatch(/could not be decoded|damaged|different size/);
      native(await (await open(bytes)).readFrame(0));
    }
  });

  it('JPEG headers: start-of-frame found past fill bytes; none before the scan, or no SOI, is damage', () => {
    expect(jpegFrameHeader(Uint8Array.of(0xff, 0xd8, 0xff, 0xff, 0xc3, 0, 11, 16, 0, 2, 0, 3, 1, 1, 0x11, 0))).toEqual({ lossless: true, precision: 16, rows: 2, columns: 3, components: 1 });
    expect(() => jpegFrameHeader(Uint8Array.of(0, 0, 0, 0))).toThrow(/no frame header/);
    expect(() => jpegFrameHeader(Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0, 8, 0, 0))).toThrow(/no frame header/);
    expect(() => jpegFrameHeader(Uint8Array.of(0xff, 0xd8, 0x00, 0xda, 0, 8, 0, 0))).toThrow(/no frame header/);
    expect(() => jpegFrameHeader(Uint8Array.of(0xff, 0xd8, 0xff, 0xc0, 0, 11, 8))).toThrow(/no frame header/);
    expect(() => jpegFrameHeader(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 1, 0, 0))).toThrow(/no frame header/);
    expect(() => jpegFrameHeader(Uint8Array.of(0xff, 0xd8))).toThrow(/no frame header/);
  });

  it('JPEG 2000 colour transform: read from COD, in a codestream or a JP2 file', () => {
    const cod = (mct: number): number[] => [0xff, 0x52, 0, 12, 0, 0, 0, 1, mct, 5, 4, 4, 0, 0];
    const siz = [0xff, 0x51, 0, 4, 0, 0];
    expect(j2kUsesColourTransform(Uint8Array.of(0xff, 0x4f, ...siz, ...cod(1)))).toBe(true);
    expect(j2kUsesColourTransform(Uint8Array.of(0xff, 0x4f, ...siz, ...cod(0)))).toBe(false);
    expect(j2kUsesColourTransform(Uint8Array.of(0, 0, 0, 12, 0x6a, 0x50, 0xff, 0x4f, ...siz, ...cod(1)))).toBe(true);
    expect(j2kUsesColourTransform(Uint8Array.of(0xff, 0x4f, ...siz, 0xff, 0x90, 0, 10))).toBe(false);
    expect(j2kUsesColourTransform(Uint8Array.of(0xff, 0x4f, 0x12, 0x34, 0, 0))).toBe(false);
  });

  it('decoded frames that do not fit the header are refused in plain words', async () => {
    const grey = compressWith(['+eb'], writeDicom(picture({ rows: 16, columns: 16 }), { transferSyntax: 'explicit-le', pixelData: { bytes: testPixels(16, 16, 1, 8) } }), 'grey8');
    const [jpeg] = fragmentsOf(grey);
    const wrap = (p: Parameters<typeof picture>[0], syntax: TransferSyntax = 'jpeg-baseline'): Uint8Array => writeDicom(picture(p), { transferSyntax: syntax, pixelData: { frames: [jpeg!] } });
    expect(reasonOf(await (await open(wrap({ rows: 16, columns: 17 }))).readFrame(0))).toMatch(/different size/);
    expect(reasonOf(await (await open(wrap({ rows: 16, columns: 16, spp: 3 }))).readFrame(0))).toMatch(/number of colour samples/);
    expect(reasonOf(await (await open(wrap({ rows: 16, columns: 16, bits: 32 }))).readFrame(0))).toMatch(/does not fit the bits/);
    const twelve = compressWith(['+ee'], writeDicom(picture({ rows: 16, columns: 16, bits: 16, stored: 12 }), { transferSyntax: 'explicit-le', pixelData: { bytes: testPixels(16, 16, 1, 12) } }), 'grey12');
    const [jpeg12] = fragmentsOf(twelve);
    const narrow = writeDicom(picture({ rows: 16, columns: 16 }), { transferSyntax: 'jpeg-baseline', pixelData: { frames: [jpeg12!] } });
    expect(reasonOf(await (await open(narrow)).readFrame(0))).toMatch(/more bits per sample than the file says/);
    // 8-bit JPEG samples in a picture of 16 bits allocated are widened (signed ones keep their sign).
    const wide = native(await (await open(wrap({ rows: 16, columns: 16, bits: 16, stored: 8, signed: 1 }))).readFrame(0));
    expect(wide.bitsAllocated).toBe(16);
    const direct = native(await (await open(wrap({ rows: 16, columns: 16 }))).readFrame(0));
    expect([...wide.pixels.filter((_, i) => i % 2 === 0)]).toEqual([...direct.pixels]);
    expect(direct.pixels).toBeInstanceOf(Uint8Array);
  });
});

const CORPUS_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/corpus');
