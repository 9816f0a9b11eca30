// Reading a de-identifier's output in tests without the engine: the inflated dataset of a deflated file,
// raw byte searches (ASCII and UTF-16), the pixel data via dicom-parser, and element values from a dcmdump.

import dicomParser from 'dicom-parser';
import { inflateSync } from 'fflate';

const DEFLATED = '1.2.840.10008.1.2.1.99';

/** Where the file meta group ends in a Part 10 file (from its group length). */
export function metaEnd(bytes: Uint8Array): number {
  return 144 + new DataView(bytes.buffer, bytes.byteOffset + 140, 4).getUint32(0, true);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function isDeflated(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, Math.min(bytes.length, metaEnd(bytes)))).includes(DEFLATED);
}

/** The file with a deflated dataset inflated (meta + dataset), or the bytes as they are. */
export function searchableBytes(bytes: Uint8Array): Uint8Array {
  if (!isDeflated(bytes)) return bytes;
  const end = metaEnd(bytes);
  const inflated = inflateSync(bytes.subarray(end));
  const out = new Uint8Array(end + inflated.length);
  out.set(bytes.subarray(0, end));
  out.set(inflated, end);
  return out;
}

function encodings(text: string): Uint8Array[] {
  const ascii = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  const le = new Uint8Array(text.length * 2);
  const be = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    le[2 * i] = text.charCodeAt(i) & 0xff;
    le[2 * i + 1] = text.charCodeAt(i) >> 8;
    be[2 * i] = text.charCodeAt(i) >> 8;
    be[2 * i + 1] = text.charCodeAt(i) & 0xff;
  }
  return [ascii, le, be];
}

const WORDISH = /[0-9A-Za-z.]/;

/**
 * Whether the bytes hold the text in ASCII/Latin-1, UTF-16LE or UTF-16BE. `bounded`: only where no letter,
 * digit or dot stands right before it (so a short number inside a UID or a longer number does not count).
 */
export function containsText(bytes: Uint8Array, text: string, bounded = false): boolean {
  for (const [index, needle] of encodings(text).entries()) {
    const width = index === 0 ? 1 : 2;
    outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
      for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
      if (bounded) {
        const unit = (at: number): string => {
          if (at < 0 || at + width > bytes.length) return ' ';
          if (width === 1) return String.fromCharCode(bytes[at]!);
          return String.fromCharCode(index === 1 ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
        };
        // Only what comes before: after a value come the next element's tag bytes, which may read as digits.
        if (WORDISH.test(unit(i - width))) continue;
      }
      return true;
    }
  }
  return false;
}

export interface DumpLine {
  depth: number;
  tag: string;
  vr: string;
  value: string;
}

/** The element lines of a dcmdump text (tags as 8 upper-case hex digits, values without brackets). */
export function dumpLines(dump: string): DumpLine[] {
  const out: DumpLine[] = [];
  for (const line of dump.split('\n')) {
    const m = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*?)\s+#/.exec(line);
    if (!m) continue;
    let value = m[5]!;
    if (value.startsWith('[') && value.includes(']')) value = value.slice(1, value.lastIndexOf(']'));
    out.push({ depth: m[1]!.length / 2, tag: `${m[2]}${m[3]}`.toUpperCase(), vr: m[4]!, value: value.replace(/[\0 ]+$/, '') });
  }
  return out;
}

/** A dump with sequence and item length styles and delimiters taken out, to compare our lengths with dcmconv's. */
export function withoutLengthStyle(dump: string): string {
  return dump
    .split('\n')
    .filter((line) => !/Delimitation/.test(line))
    .map((line) => line.replace(/\((Sequence|Item) with (?:explicit|undefined) length (#=\d+)\)\s*#\s*[\w/]+,/, '($1 $2) #'))
    .join('\n');
}

/** Bytes as a Blob (test buffers are never shared ones). */
export function blobOf(bytes: Uint8Array, type = ''): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
}

/**
 * The header of a Part 10 file as dicom-parser (an independent reader) sees it: every byte before the top-level
 * pixel data's value, with a deflated dataset inflated. Searching it cannot hit values by chance in pixels.
 */
export function headerBytes(bytes: Uint8Array): Uint8Array {
  const parse = dicomParser.parseDicom as unknown as (b: Uint8Array, o: object) => { byteArray: Uint8Array; elements: Record<string, { dataOffset: number }> };
  const ds = parse(bytes, {
    untilTag: 'x7fe00010',
    inflater: (byteArray: Uint8Array, position: number) => {
      const inflated = inflateSync(byteArray.subarray(position));
      const full = new Uint8Array(position + inflated.length);
      full.set(byteArray.subarray(0, position));
      full.set(inflated, position);
      return full;
    },
  });
  const pixel = ds.elements['x7fe00010'];
  return pixel ? ds.byteArray.subarray(0, pixel.dataOffset) : ds.byteArray;
}

/** Whether two lists of byte arrays are equal (fast, for megabytes of pixel data). */
export function sameByteArrays(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[i]!.buffer, b[i]!.byteOffset, b[i]!.byteLength)));
}

/** Whether `needle` occurs in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) >= 0;
}
