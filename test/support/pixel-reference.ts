// Independent decoders to check src/core/pixels against: dcmtk (dcmconv, dcmdrle, dcmdjpeg, dcmdjpls) writes an
// uncompressed copy whose pixel data dcmdump hands out; OpenJPEG's opj_decompress (Debian libopenjp2-tools)
// decodes JPEG 2000 and HTJ2K codestreams; libjxl's djxl (libjxl-tools) JPEG XL; node:zlib raw deflate.
// A missing tool is a failure with a clear message, not a skip (CI installs them).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

let workDir: string | undefined;
let counter = 0;

function dir(): string {
  workDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'spg-pixels-'));
  return workDir;
}

/** Removes the temporary files; call from afterAll. */
export function cleanUpReferences(): void {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

function run(tool: string, args: string[], pkg: string): string {
  const r = spawnSync(tool, args, { encoding: 'latin1', maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw new Error(`${tool} could not be run (${r.error.message}). Install ${pkg} (apt-get install ${pkg}); CI installs it.`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: exit status ${r.status}\n${r.stderr}`);
  return r.stdout;
}

const fresh = (name: string): string => path.join(dir(), `${counter++}-${name}`);

/** The picture as the reference decoder gives it: samples as numbers, interleaved, frame by frame. */
export interface ReferencePicture {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
  frames: Int32Array[];
}

/** Stored samples of little-endian native bytes (bitsStored masked, sign-extended), interleaved. */
export function samplesOf(bytes: Uint8Array, p: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number; bitsStored: number; signed: boolean; planar: number }): Int32Array {
  const count = p.rows * p.columns;
  const n = count * p.samplesPerPixel;
  const out = new Int32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    // Interleaved index i is pixel i / spp, sample i % spp; planar data keeps each sample in its own plane.
    const pixel = Math.floor(i / p.samplesPerPixel);
    const sample = i % p.samplesPerPixel;
    const at = p.planar === 1 ? sample * count + pixel : i;
    let v: number;
    if (p.bitsAllocated === 1) v = (bytes[at >> 3]! >> (at & 7)) & 1;
    else if (p.bitsAllocated === 8) v = bytes[at]!;
    else if (p.bitsAllocated === 16) v = view.getUint16(2 * at, true);
    else v = view.getUint32(4 * at, true);
    if (p.bitsStored < 32) {
      v %= 2 ** p.bitsStored;
      if (p.signed && v >= 2 ** (p.bitsStored - 1)) v -= 2 ** p.bitsStored;
    }
    out[i] = v;
  }
  return out;
}

function attribute(dump: string, tag: string): string | undefined {
  const line = dump.split('\n').find((l) => l.startsWith(`(${tag})`));
  if (!line) return undefined;
  const bracket = /\[([^\]]*)\]/.exec(line);
  if (bracket) return bracket[1]!.trim();
  return /^\([0-9a-f,]+\) \w\w (\S+)/.exec(line)?.[1];
}

/** The binary items or value dcmdump writes out (+W) for the pixel data of `file`, in order. */
function dumpPixelData(file: string): { dump: string; parts: Uint8Array[] } {
  const out = fs.mkdtempSync(path.join(dir(), 'w-'));
  const dump = run('dcmdump', ['-q', '+W', out, file], 'dcmtk');
  const pixelStart = dump.lastIndexOf('(7fe0,0010)');
  const parts = [...dump.matchAll(/=(\S+\.\d+\.raw)/g)]
    .filter((m) => (m.index ?? 0) >= pixelStart)
    .map((m) => new Uint8Array(fs.readFileSync(path.resolve(out, path.basename(m[1]!)))));
  return { dump, parts };
}

export type DcmtkTool = 'dcmconv' | 'dcmdrle' | 'dcmdjpeg' | 'dcmdjpls';

/** A dcmtk tool's uncompressed (explicit VR little endian) copy of a file, read back as samples (`only` those frames; the others empty). */
export function dcmtkReference(file: string, tool: DcmtkTool, only?: ReadonlySet<number>): ReferencePicture {
  const out = fresh(`${tool}.dcm`);
  run(tool, tool === 'dcmconv' ? ['-q', '+te', file, out] : ['-q', file, out], 'dcmtk');
  const { dump, parts } = dumpPixelData(out);
  const number = (tag: string, fallback?: number): number => {
    const v = attribute(dump, tag);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${tool} output has no (${tag})`);
    }
    return Number(v);
  };
  const p = {
    rows: number('0028,0010'),
    columns: number('0028,0011'),
    samplesPerPixel: number('0028,0002', 1),
    bitsAllocated: number('0028,0100'),
    bitsStored: number('0028,0101'),
    signed: number('0028,0103', 0) === 1,
    planar: number('0028,0006', 0),
  };
  const frameCount = number('0028,0008', 1);
  const data = parts[0]!;
  const frameBits = p.rows * p.columns * p.samplesPerPixel * p.bitsAllocated;
  const frames: Int32Array[] = [];
  for (let f = 0; f < frameCount; f++) {
    if (only && !only.has(f)) {
      frames.push(new Int32Array(0));
      continue;
    }
    if (p.bitsAllocated === 1) {
      // Bit-packed frames run on from each other: unpack from the frame's first bit.
      const first = f * frameBits;
      const bits = new Int32Array(frameBits);
      for (let i = 0; i < frameBits; i++) bits[i] = (data[(first + i) >> 3]! >> ((first + i) & 7)) & 1;
      frames.push(bits);
    } else {
      frames.push(samplesOf(data.subarray((f * frameBits) / 8, ((f + 1) * frameBits) / 8), p));
    }
  }
  return { rows: p.rows, columns: p.columns, samplesPerPixel: p.samplesPerPixel, photometric: attribute(dump, '0028,0004') ?? '', frames };
}

/** The fragments (items after the offset table) of a file's encapsulated pixel data, as dcmdump writes them out. */
export function fragmentsOf(file: string): Uint8Array[] {
  return dumpPixelData(file).parts.slice(1);
}

/** A JPEG 2000 or HTJ2K codestream (or JP2 file) decoded by opj_decompress: samples interleaved. */
export function openJpegReference(codestream: Uint8Array): { rows: number; columns: number; samplesPerPixel: number; samples: Int32Array } {
  const jp2 = !(codestream[0] === 0xff && codestream[1] === 0x4f);
  const input = fresh(jp2 ? 'frame.jp2' : 'frame.j2k');
  fs.writeFileSync(input, codestream);
  const output = fresh('frame.rawl');
  run('opj_decompress', ['-quiet', '-i', input, '-o', output], 'libopenjp2-tools');
  const raw = new Uint8Array(fs.readFileSync(output));
  // opj_decompress prints the size to stderr only in verbose mode: the header of the codestream says it.
  const dump = run('opj_dump', ['-i', input], 'libopenjp2-tools');
  const x1 = Number(/x1=(\d+)/.exec(dump)?.[1]);
  const y1 = Number(/y1=(\d+)/.exec(dump)?.[1]);
  const x0 = Number(/x0=(\d+)/.exec(dump)?.[1] ?? 0);
  const y0 = Number(/y0=(\d+)/.exec(dump)?.[1] ?? 0);
  const components = Number(/numcomps=(\d+)/.exec(dump)?.[1]);
  const precision = Number(/prec=(\d+)/.exec(dump)?.[1]);
  const signed = /sgnd=1/.test(dump);
  const columns = x1 - x0;
  const rows = y1 - y0;
  const planar = samplesOf(raw, { rows, columns, samplesPerPixel: components, bitsAllocated: precision > 8 ? 16 : 8, bitsStored: precision, signed, planar: 1 });
  return { rows, columns, samplesPerPixel: components, samples: planar };
}

/** A JPEG XL codestream decoded by djxl to 8-bit PNM: samples interleaved. */
export function jxlReference(codestream: Uint8Array): { rows: number; columns: number; samplesPerPixel: number; samples: Int32Array } {
  const input = fresh('frame.jxl');
  fs.writeFileSync(input, codestream);
  const output = fresh('frame.ppm');
  run('djxl', [input, output, '--quiet'], 'libjxl-tools');
  const pnm = new Uint8Array(fs.readFileSync(output));
  // P5 (grey) or P6 (RGB): magic, width, height, maximum, one whitespace byte, then the samples.
  let at = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(pnm[at]!))) at++;
    let field = '';
    while (!/\s/.test(String.fromCharCode(pnm[at]!))) field += String.fromCharCode(pnm[at++]!);
    fields.push(field);
  }
  at++;
  const samplesPerPixel = fields[0] === 'P6' ? 3 : 1;
  const columns = Number(fields[1]);
  const rows = Number(fields[2]);
  return { rows, columns, samplesPerPixel, samples: Int32Array.from(pnm.subarray(at, at + rows * columns * samplesPerPixel)) };
}

/** Raw deflate (RFC 1951) by node:zlib, an implementation independent of fflate. */
export function zlibInflateRaw(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(inflateRawSync(bytes));
}
