// The structure of a JPEG file, without decoding its picture: its marker segments (APPn metadata, comments,
// quantisation tables, frame header), where its first picture ends, the quality it was saved at (from its
// quantisation tables), and a copy with every metadata segment left out but the ones a viewer needs.

import { concatBytes } from '../source';

/** A marker segment before the entropy-coded data ends: `start` is the 0xFF of its marker. */
export interface JpegSegment {
  marker: number;
  start: number;
  /** The segment's payload (after its 2-byte length). */
  dataStart: number;
  end: number;
}

export interface JpegLayout {
  segments: JpegSegment[];
  /** Just after the first picture's EOI marker (or the end of the bytes when it has none: truncated). */
  end: number;
  /** Whether the first picture ends with an EOI marker. */
  complete: boolean;
  /** Whether there are bytes after the first picture (a second picture, a vendor trailer). */
  trailing: boolean;
}

export class JpegStructureError extends Error {
  override readonly name = 'JpegStructureError';
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/**
 * The segments of a JPEG file up to the end of its first picture. Throws JpegStructureError when the bytes
 * do not start a JPEG or a segment's length points outside them.
 */
export function jpegLayout(bytes: Uint8Array): JpegLayout {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) throw new JpegStructureError('it does not start like a JPEG picture');
  const segments: JpegSegment[] = [];
  let p = 2;
  while (p < bytes.length) {
    if (bytes[p] !== 0xff) throw new JpegStructureError('a marker is missing where one should be');
    // Fill bytes (runs of 0xFF) before a marker.
    while (p + 1 < bytes.length && bytes[p + 1] === 0xff) p++;
    if (p + 1 >= bytes.length) break;
    const marker = bytes[p + 1]!;
    if (marker === EOI) return { segments, end: p + 2, complete: true, trailing: p + 2 < bytes.length };
    if (isStandalone(marker)) {
      p += 2;
      continue;
    }
    if (p + 4 > bytes.length) break;
    const length = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (length < 2) throw new JpegStructureError('a segment has an impossible length');
    const end = p + 2 + length;
    if (end > bytes.length) {
      if (marker === SOS) break;
      throw new JpegStructureError('a segment runs past the end of the file');
    }
    segments.push({ marker, start: p, dataStart: p + 4, end });
    p = end;
    if (marker === SOS) {
      // Entropy-coded data: up to the next marker that is not a stuffed byte or a restart marker.
      while (p < bytes.length) {
        if (bytes[p] === 0xff && p + 1 < bytes.length) {
          const next = bytes[p + 1]!;
          if (next !== 0 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
        }
        p++;
      }
    }
  }
  return { segments, end: bytes.length, complete: false, trailing: false };
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** What an APPn segment is, by its marker and identifier. */
export function appKind(bytes: Uint8Array, segment: JpegSegment): string {
  const n = segment.marker - 0xe0;
  const id = ascii(bytes, segment.dataStart, Math.min(40, segment.end - segment.dataStart));
  if (n === 0 && (id.startsWith('JFIF\0') || id.startsWith('JFXX\0'))) return id.startsWith('JFIF') ? 'jfif' : 'jfxx';
  if (n === 1 && id.startsWith('Exif\0')) return 'exif';
  if (n === 1 && id.startsWith('http://ns.adobe.com/xap/1.0/')) return 'xmp';
  if (n === 1 && id.startsWith('http://ns.adobe.com/xmp/extension/')) return 'xmp-extension';
  if (n === 2 && id.startsWith('ICC_PROFILE\0')) return 'icc';
  if (n === 2 && id.startsWith('MPF\0')) return 'mpf';
  if (n === 13 && id.startsWith('Photoshop 3.0\0')) return 'photoshop';
  if (n === 14 && id.startsWith('Adobe')) return 'adobe';
  return `app${n}`;
}

/** The text of every COM segment (Latin-1, as most writers store it; UTF-8 when it decodes as such). */
export function jpegComments(bytes: Uint8Array, layout: JpegLayout): string[] {
  const out: string[] = [];
  for (const s of layout.segments) {
    if (s.marker !== 0xfe) continue;
    const raw = bytes.subarray(s.dataStart, s.end);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      text = ascii(raw, 0, raw.length);
    }
    text = text.replace(/\0+$/, '').trim();
    if (text) out.push(text);
  }
  return out;
}

export interface JpegFrameInfo {
  width: number;
  height: number;
  components: number;
  precision: number;
  progressive: boolean;
  /** Horizontal and vertical sampling factors of each component. */
  sampling: Array<[number, number]>;
}

/** The frame header of the first picture, if it has one. */
export function jpegFrame(bytes: Uint8Array, layout: JpegLayout): JpegFrameInfo | undefined {
  const sof = layout.segments.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc);
  if (!sof || sof.end - sof.dataStart < 6) return undefined;
  const d = sof.dataStart;
  const components = bytes[d + 5]!;
  const sampling: Array<[number, number]> = [];
  for (let i = 0; i < components && d + 6 + 3 * i + 2 < sof.end; i++) {
    const f = bytes[d + 7 + 3 * i]!;
    sampling.push([f >> 4, f & 15]);
  }
  return {
    precision: bytes[d]!,
    height: (bytes[d + 1]! << 8) | bytes[d + 2]!,
    width: (bytes[d + 3]! << 8) | bytes[d + 4]!,
    components,
    progressive: sof.marker === 0xc2 || sof.marker === 0xc6 || sof.marker === 0xca || sof.marker === 0xce,
    sampling,
  };
}

/** The IJG standard luminance quantisation table (JPEG Annex K), natural order. */
const STANDARD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** Zigzag position -> natural position. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/** The first luminance-like (table 0) quantisation table, natural order. */
function firstTable(bytes: Uint8Array, layout: JpegLayout): number[] | undefined {
  for (const s of layout.segments) {
    if (s.marker !== 0xdb) continue;
    let p = s.dataStart;
    while (p < s.end) {
      const pq = bytes[p]! >> 4;
      const tq = bytes[p]! & 15;
      const size = pq ? 128 : 64;
      if (p + 1 + size > s.end) break;
      if (tq === 0) {
        const table = new Array<number>(64);
        for (let i = 0; i < 64; i++) table[ZIGZAG[i]!] = pq ? (bytes[p + 1 + 2 * i]! << 8) | bytes[p + 2 + 2 * i]! : bytes[p + 1 + i]!;
        return table;
      }
      p += 1 + size;
    }
  }
  return undefined;
}

/**
 * The IJG quality (1-100) whose scaled standard table is nearest the file's own luminance table: the
 * quality to save a re-encoded copy at. 90 when the file has no table to compare (never lower than asked).
 */
export function estimateJpegQuality(bytes: Uint8Array, layout: JpegLayout): number {
  const table = firstTable(bytes, layout);
  if (!table) return 90;
  let best = 90;
  let bestError = Infinity;
  for (let q = 1; q <= 100; q++) {
    const scale = q < 50 ? 5000 / q : 200 - 2 * q;
    let error = 0;
    for (let i = 0; i < 64; i++) {
      const expected = Math.min(255, Math.max(1, Math.floor((STANDARD_LUMINANCE[i]! * scale + 50) / 100)));
      error += Math.abs(expected - table[i]!);
    }
    if (error < bestError) {
      bestError = error;
      best = q;
    }
  }
  return best;
}

/** APPn segments a viewer needs to show the picture as it was: JFIF, the colour profile, Adobe's colour transform flag. */
const KEPT_APPS = new Set(['jfif', 'icc', 'adobe']);

/**
 * A minimal APP1 Exif segment holding only an Orientation tag (so a phone photo still shows upright), or
 * nothing for orientation 1.
 */
export function orientationSegment(orientation: number): Uint8Array {
  if (!(orientation >= 2 && orientation <= 8)) return new Uint8Array(0);
  // "Exif\0\0", TIFF header (big-endian), IFD0 with one entry (0x0112 SHORT 1), next IFD 0.
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const length = payload.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 255, ...payload]);
}

/**
 * The first picture of a JPEG file with every metadata segment left out (Exif, XMP, IPTC and Photoshop,
 * MPF, comments, vendor APPn, anything after its end) but JFIF, the ICC profile and Adobe's segment, and an
 * orientation-only Exif segment when the picture is shown turned. The picture's own bytes are not touched.
 */
export function stripJpeg(bytes: Uint8Array, orientation = 1): Uint8Array {
  const layout = jpegLayout(bytes);
  if (!layout.complete) throw new JpegStructureError('the picture is cut short (it has no end marker)');
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  const turned = orientationSegment(orientation);
  let cursor = 2;
  let placed = false;
  for (const s of layout.segments) {
    // Standalone markers and entropy-coded data between segments are carried over as they are.
    if (s.start > cursor) parts.push(bytes.subarray(cursor, s.start));
    cursor = s.end;
    const isApp = s.marker >= 0xe0 && s.marker <= 0xef;
    if (s.marker === 0xfe) continue;
    const kind = isApp ? appKind(bytes, s) : '';
    if (isApp && !KEPT_APPS.has(kind)) continue;
    // The Exif segment goes right after JFIF's (which must come first), or first.
    if (!placed && kind !== 'jfif') {
      parts.push(turned);
      placed = true;
    }
    parts.push(bytes.subarray(s.start, s.end));
  }
  if (layout.end > cursor) parts.push(bytes.subarray(cursor, layout.end));
  return concatBytes(parts);
}

/** The ICC profile segments of a JPEG file, as they are (to carry into a re-encoded copy). */
export function iccSegments(bytes: Uint8Array, layout: JpegLayout): Uint8Array[] {
  return layout.segments.filter((s) => s.marker === 0xe2 && appKind(bytes, s) === 'icc').map((s) => bytes.subarray(s.start, s.end));
}
