// The structure of WebP (RIFF chunks) and GIF (blocks) files, without decoding their pictures: their size,
// their metadata (WebP EXIF and XMP chunks; GIF comments and application data), and copies with that
// metadata left out and every picture byte carried over as it is.

import { concatBytes } from '../source';

export class ContainerError extends Error {
  override readonly name = 'ContainerError';
}

function ascii(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = p; i < p + n && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function le32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function le24(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
}

// ---- WebP --------------------------------------------------------------------------------------------

export interface WebpChunk {
  fourcc: string;
  start: number;
  dataStart: number;
  dataEnd: number;
  /** After the padding byte. */
  end: number;
}

/** The chunks of a WebP file. Throws ContainerError when it is not one or a chunk runs past the end. */
export function webpChunks(bytes: Uint8Array): { chunks: WebpChunk[]; complete: boolean } {
  if (ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WEBP') throw new ContainerError('it does not start like a WebP picture');
  const riffEnd = Math.min(bytes.length, 8 + le32(bytes, 4));
  const chunks: WebpChunk[] = [];
  let p = 12;
  while (p + 8 <= riffEnd) {
    const size = le32(bytes, p + 4);
    const dataEnd = p + 8 + size;
    if (dataEnd > bytes.length) return { chunks, complete: false };
    chunks.push({ fourcc: ascii(bytes, p, 4), start: p, dataStart: p + 8, dataEnd, end: Math.min(bytes.length, dataEnd + (size & 1)) });
    p = dataEnd + (size & 1);
  }
  return { chunks, complete: 8 + le32(bytes, 4) <= bytes.length };
}

/** Width and height of a WebP picture from its VP8X, VP8 or VP8L chunk. */
export function webpSize(bytes: Uint8Array, chunks: readonly WebpChunk[]): { width: number; height: number } | undefined {
  for (const c of chunks) {
    const d = c.dataStart;
    if (c.fourcc === 'VP8X' && c.dataEnd - d >= 10) return { width: le24(bytes, d + 4) + 1, height: le24(bytes, d + 7) + 1 };
    if (c.fourcc === 'VP8 ' && c.dataEnd - d >= 10) {
      return { width: (bytes[d + 6]! | (bytes[d + 7]! << 8)) & 0x3fff, height: (bytes[d + 8]! | (bytes[d + 9]! << 8)) & 0x3fff };
    }
    if (c.fourcc === 'VP8L' && c.dataEnd - d >= 5) {
      const bits = le32(bytes, d + 1);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
  }
  return undefined;
}

/** The payload of the first chunk of this kind (EXIF: a TIFF block; XMP: the packet). */
export function webpChunk(bytes: Uint8Array, chunks: readonly WebpChunk[], fourcc: string): Uint8Array | undefined {
  const c = chunks.find((x) => x.fourcc === fourcc);
  return c ? bytes.subarray(c.dataStart, c.dataEnd) : undefined;
}

/** Chunks a cleaned WebP keeps: the picture, its transparency, colour profile and animation. */
const WEBP_KEPT = new Set(['VP8X', 'VP8 ', 'VP8L', 'ALPH', 'ICCP', 'ANIM', 'ANMF']);

/** The WebP with its EXIF, XMP and unknown chunks left out (and VP8X's flags saying so). */
export function stripWebp(bytes: Uint8Array): Uint8Array {
  const { chunks, complete } = webpChunks(bytes);
  if (!complete) throw new ContainerError('the picture is cut short');
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    if (!WEBP_KEPT.has(c.fourcc)) continue;
    const copy = bytes.slice(c.start, c.end);
    // VP8X flags: ICC 0x20, alpha 0x10, EXIF 0x08, XMP 0x04, animation 0x02.
    if (c.fourcc === 'VP8X') copy[8] = copy[8]! & ~0x0c;
    parts.push(copy);
  }
  const body = concatBytes(parts);
  const head = new Uint8Array(12);
  head.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(head.buffer).setUint32(4, body.length + 4, true);
  head.set([0x57, 0x45, 0x42, 0x50], 8);
  return concatBytes([head, body]);
}

// ---- GIF ---------------------------------------------------------------------------------------------

export interface GifLayout {
  width: number;
  height: number;
  /** Comment extensions' text. */
  comments: string[];
  /** Identifiers of application extensions (NETSCAPE2.0, XMP DataXMP, ...). */
  applications: string[];
  /** Plain text extensions' text. */
  plainTexts: string[];
  frames: number;
  complete: boolean;
}

interface GifBlock {
  kind: 'header' | 'image' | 'comment' | 'application' | 'plain-text' | 'graphic-control' | 'extension' | 'trailer';
  start: number;
  end: number;
  /** For application extensions: the identifier and authentication code. */
  id?: string;
  /** For comment and plain text extensions: the text. */
  text?: string;
}

/** Walks sub-blocks from `p`; returns the end (after the terminator) and their joined bytes. */
function subBlocks(bytes: Uint8Array, p: number, collect: boolean): { end: number; data: Uint8Array } {
  const parts: Uint8Array[] = [];
  while (p < bytes.length) {
    const size = bytes[p]!;
    if (size === 0) return { end: p + 1, data: concatBytes(parts) };
    if (p + 1 + size > bytes.length) break;
    if (collect) parts.push(bytes.subarray(p + 1, p + 1 + size));
    p += 1 + size;
  }
  throw new ContainerError('the picture is cut short');
}

function gifBlocks(bytes: Uint8Array): { blocks: GifBlock[]; width: number; height: number; complete: boolean } {
  const sig = ascii(bytes, 0, 6);
  if (sig !== 'GIF87a' && sig !== 'GIF89a') throw new ContainerError('it does not start like a GIF picture');
  if (bytes.length < 13) throw new ContainerError('the picture is cut short');
  const width = bytes[6]! | (bytes[7]! << 8);
  const height = bytes[8]! | (bytes[9]! << 8);
  const flags = bytes[10]!;
  let p = 13 + (flags & 0x80 ? 3 * (1 << ((flags & 7) + 1)) : 0);
  const blocks: GifBlock[] = [{ kind: 'header', start: 0, end: p }];
  try {
    while (p < bytes.length) {
      const start = p;
      const introducer = bytes[p]!;
      if (introducer === 0x3b) {
        blocks.push({ kind: 'trailer', start, end: p + 1 });
        return { blocks, width, height, complete: true };
      }
      if (introducer === 0x2c) {
        if (p + 10 > bytes.length) break;
        const local = bytes[p + 9]!;
        p += 10 + (local & 0x80 ? 3 * (1 << ((local & 7) + 1)) : 0);
        // LZW minimum code size, then the data sub-blocks.
        const { end } = subBlocks(bytes, p + 1, false);
        blocks.push({ kind: 'image', start, end });
        p = end;
        continue;
      }
      if (introducer !== 0x21 || p + 2 > bytes.length) throw new ContainerError('a block of the picture is damaged');
      const label = bytes[p + 1]!;
      if (label === 0xfe) {
        const { end, data } = subBlocks(bytes, p + 2, true);
        blocks.push({ kind: 'comment', start, end, text: new TextDecoder('latin1').decode(data) });
        p = end;
      } else if (label === 0xff) {
        const size = bytes[p + 2]!;
        const id = ascii(bytes, p + 3, size);
        const { end } = subBlocks(bytes, p + 3 + size, false);
        blocks.push({ kind: 'application', start, end, id });
        p = end;
      } else if (label === 0x01) {
        const size = bytes[p + 2]!;
        const { end, data } = subBlocks(bytes, p + 3 + size, true);
        blocks.push({ kind: 'plain-text', start, end, text: new TextDecoder('latin1').decode(data) });
        p = end;
      } else {
        const { end } = subBlocks(bytes, p + 2, false);
        blocks.push({ kind: label === 0xf9 ? 'graphic-control' : 'extension', start, end });
        p = end;
      }
    }
  } catch (e) {
    if (!(e instanceof ContainerError) || e.message !== 'the picture is cut short') throw e;
  }
  return { blocks, width, height, complete: false };
}

export function gifLayout(bytes: Uint8Array): GifLayout {
  const { blocks, width, height, complete } = gifBlocks(bytes);
  return {
    width,
    height,
    comments: blocks.filter((b) => b.kind === 'comment').map((b) => b.text!.replace(/\0+$/, '').trim()).filter((t) => t.length > 0),
    applications: blocks.filter((b) => b.kind === 'application').map((b) => b.id!),
    plainTexts: blocks.filter((b) => b.kind === 'plain-text').map((b) => b.text!.trim()).filter((t) => t.length > 0),
    frames: blocks.filter((b) => b.kind === 'image').length,
    complete,
  };
}

/**
 * The GIF with its comments, plain text and application extensions left out (but the loop count,
 * NETSCAPE2.0 / ANIMEXTS1.0), every picture byte carried over as it is.
 */
export function stripGif(bytes: Uint8Array): Uint8Array {
  const { blocks, complete } = gifBlocks(bytes);
  if (!complete) throw new ContainerError('the picture is cut short');
  const kept = blocks.filter((b) => {
    if (b.kind === 'comment' || b.kind === 'plain-text') return false;
    if (b.kind === 'application') return b.id === 'NETSCAPE2.0' || b.id === 'ANIMEXTS1.0';
    return b.kind !== 'extension';
  });
  return concatBytes(kept.map((b) => bytes.subarray(b.start, b.end)));
}
