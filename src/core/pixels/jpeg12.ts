// A decoder for 12-bit greyscale DCT JPEG (DICOM JPEG extended 4.51 and the retired 4.53/4.55 spectral
// selection and progressive processes), which the 8-bit libjpeg-turbo build cannot read and no maintained npm
// package decodes exactly. Huffman coding, sequential and progressive scans, restart intervals, and the
// IJG "islow" integer inverse DCT with IJG's output range table, so the samples equal dcmtk's (libjpeg 6b).

import type { DecodedImage } from './codecs';
import { PixelDataError } from './frame';

const damaged = (): PixelDataError => new PixelDataError('its 12-bit JPEG compressed picture is damaged');

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

interface Huffman {
  /** For each code length 1..16: the smallest code, the largest code (or -1) and where its values start. */
  minCode: Int32Array;
  maxCode: Int32Array;
  valueIndex: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const minCode = new Int32Array(17);
  const maxCode = new Int32Array(18).fill(-1);
  const valueIndex = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1]!;
    valueIndex[length] = k;
    minCode[length] = code;
    code += n;
    k += n;
    maxCode[length] = n > 0 ? code - 1 : -1;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { minCode, maxCode, valueIndex, values };
}

/** Reads entropy-coded bits, undoing 0xFF00 stuffing; past a marker it gives zero bits (as libjpeg does). */
class BitReader {
  private bits = 0;
  private count = 0;
  markerHit = false;

  constructor(
    private readonly data: Uint8Array,
    public offset: number,
  ) {}

  private fill(): void {
    let byte = 0;
    if (!this.markerHit && this.offset < this.data.length) {
      byte = this.data[this.offset]!;
      if (byte === 0xff) {
        const next = this.data[this.offset + 1];
        if (next === 0x00) this.offset += 2;
        else {
          this.markerHit = true;
          byte = 0;
        }
      } else {
        this.offset++;
      }
    } else {
      this.markerHit = true;
    }
    this.bits = ((this.bits << 8) | byte) & 0xffffff;
    this.count += 8;
  }

  bit(): number {
    if (this.count === 0) this.fill();
    this.count--;
    return (this.bits >> this.count) & 1;
  }

  receive(length: number): number {
    let n = 0;
    for (let i = 0; i < length; i++) n = (n << 1) | this.bit();
    return n;
  }

  /** T.81 F.2.2.1 EXTEND of `length` received bits. */
  extend(length: number): number {
    if (length === 0) return 0;
    if (length > 16) throw damaged();
    const v = this.receive(length);
    return v < 1 << (length - 1) ? v - (1 << length) + 1 : v;
  }

  decode(table: Huffman | undefined): number {
    if (!table) throw damaged();
    let code = this.bit();
    let length = 1;
    while (code > table.maxCode[length]!) {
      code = (code << 1) | this.bit();
      length++;
      if (length > 16) throw damaged();
    }
    return table.values[table.valueIndex[length]! + code - table.minCode[length]!] ?? 0;
  }

  /** Drops the bits of the current byte and moves past a restart marker. */
  restart(): void {
    this.bits = 0;
    this.count = 0;
    this.markerHit = false;
    while (this.offset + 1 < this.data.length && !(this.data[this.offset] === 0xff && this.data[this.offset + 1]! >= 0xd0 && this.data[this.offset + 1]! <= 0xd7)) {
      this.offset++;
    }
    this.offset += 2;
  }
}

// IJG jidctint.c constants (CONST_BITS 13) and, for 12-bit samples, PASS1_BITS 1.
const CONST_BITS = 13;
const PASS1_BITS = 1;
const F_0_298 = 2446;
const F_0_390 = 3196;
const F_0_541 = 4433;
const F_0_765 = 6270;
const F_0_899 = 7373;
const F_1_175 = 9633;
const F_1_501 = 12299;
const F_1_847 = 15137;
const F_1_961 = 16069;
const F_2_053 = 16819;
const F_2_562 = 20995;
const F_3_072 = 25172;
const MAXJSAMPLE = 4095;
const CENTERJSAMPLE = 2048;
const RANGE = 4 * (MAXJSAMPLE + 1);

/** Right shift with rounding, on integers that may pass 32 bits (IJG works in 64-bit longs here). */
const POWERS = Float64Array.from({ length: 32 }, (_, n) => 2 ** n);
const descale = (x: number, n: number): number => Math.floor((x + POWERS[n - 1]!) / POWERS[n]!);

/** IJG's post-IDCT range limit: clamps to 0..4095 around the centre, and wraps far outside as libjpeg does. */
function rangeLimit(x: number): number {
  if (x >= -CENTERJSAMPLE && x < CENTERJSAMPLE) return x + CENTERJSAMPLE;
  const i = ((x % RANGE) + RANGE) % RANGE;
  if (i < CENTERJSAMPLE) return i + CENTERJSAMPLE;
  if (i < 2 * (MAXJSAMPLE + 1)) return MAXJSAMPLE;
  if (i < RANGE - CENTERJSAMPLE) return 0;
  return i - (RANGE - CENTERJSAMPLE);
}

/**
 * One 1-D pass of the islow IDCT: 8 values of `from` at `at`, `at + step`, … written to `to` likewise, each
 * descaled by `shift` (an all-zero AC input is the DC value scaled by 2^dcShift, or descaled by -dcShift).
 */
function idct1d(from: Float64Array, at: number, step: number, to: Float64Array, out: number, shift: number, dcShift: number): void {
  const v0 = from[at]!;
  const v1 = from[at + step]!;
  const v2 = from[at + 2 * step]!;
  const v3 = from[at + 3 * step]!;
  const v4 = from[at + 4 * step]!;
  const v5 = from[at + 5 * step]!;
  const v6 = from[at + 6 * step]!;
  const v7 = from[at + 7 * step]!;
  if (v1 === 0 && v2 === 0 && v3 === 0 && v4 === 0 && v5 === 0 && v6 === 0 && v7 === 0) {
    const dc = dcShift >= 0 ? v0 * 2 ** dcShift : descale(v0, -dcShift);
    for (let k = 0; k < 8; k++) to[out + k * step] = dc;
    return;
  }
  let z1 = (v2 + v6) * F_0_541;
  const t2 = z1 - v6 * F_1_847;
  const t3 = z1 + v2 * F_0_765;
  const t0 = (v0 + v4) * 2 ** CONST_BITS;
  const t1 = (v0 - v4) * 2 ** CONST_BITS;
  const t10 = t0 + t3;
  const t13 = t0 - t3;
  const t11 = t1 + t2;
  const t12 = t1 - t2;
  z1 = v7 + v1;
  let z2 = v5 + v3;
  let z3 = v7 + v3;
  let z4 = v5 + v1;
  const z5 = (z3 + z4) * F_1_175;
  let o0 = v7 * F_0_298;
  let o1 = v5 * F_2_053;
  let o2 = v3 * F_3_072;
  let o3 = v1 * F_1_501;
  z1 *= -F_0_899;
  z2 *= -F_2_562;
  z3 = z3 * -F_1_961 + z5;
  z4 = z4 * -F_0_390 + z5;
  o0 += z1 + z3;
  o1 += z2 + z4;
  o2 += z2 + z3;
  o3 += z1 + z4;
  to[out] = descale(t10 + o3, shift);
  to[out + 7 * step] = descale(t10 - o3, shift);
  to[out + step] = descale(t11 + o2, shift);
  to[out + 6 * step] = descale(t11 - o2, shift);
  to[out + 2 * step] = descale(t12 + o1, shift);
  to[out + 5 * step] = descale(t12 - o1, shift);
  to[out + 3 * step] = descale(t13 + o0, shift);
  to[out + 4 * step] = descale(t13 - o0, shift);
}

const dequantised = new Float64Array(64);
const workspace = new Float64Array(64);
const samples = new Float64Array(64);

/** Dequantises and inverse-transforms one block into 8×8 samples of `out` at (x, y), clipped to the picture. */
function idctBlock(coefficients: Int32Array, at: number, quant: Uint16Array, out: Uint16Array, columns: number, rows: number, x: number, y: number): void {
  for (let k = 0; k < 64; k++) dequantised[k] = coefficients[at + k]! * quant[k]!;
  // Columns first (IJG pass 1), then rows.
  for (let c = 0; c < 8; c++) idct1d(dequantised, c, 8, workspace, c, CONST_BITS - PASS1_BITS, PASS1_BITS);
  for (let r = 0; r < 8; r++) idct1d(workspace, 8 * r, 1, samples, 8 * r, CONST_BITS + PASS1_BITS + 3, -(PASS1_BITS + 3));
  const rowsHere = Math.min(8, rows - y);
  const columnsHere = Math.min(8, columns - x);
  for (let r = 0; r < rowsHere; r++) {
    for (let c = 0; c < columnsHere; c++) out[(y + r) * columns + x + c] = rangeLimit(samples[8 * r + c]!);
  }
}

/** Decodes a 12-bit single-component DCT JPEG frame to 16-bit little-endian samples. */
export function decodeJpeg12(data: Uint8Array): DecodedImage {
  const quant: Array<Uint16Array | undefined> = [];
  const dcTables: Array<Huffman | undefined> = [];
  const acTables: Array<Huffman | undefined> = [];
  let restartInterval = 0;
  let frame: { precision: number; rows: number; columns: number; progressive: boolean; quantTable: number } | undefined;
  let coefficients: Int32Array | undefined;
  let blocksPerLine = 0;
  let blocksPerColumn = 0;
  let p = 2;
  if (data[0] !== 0xff || data[1] !== 0xd8) throw damaged();
  const u16 = (at: number): number => ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);

  while (p + 4 <= data.length) {
    if (data[p] !== 0xff) {
      p++;
      continue;
    }
    const marker = data[p + 1]!;
    if (marker === 0xff || marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7)) {
      p++;
      continue;
    }
    if (marker === 0xd9) break;
    const length = u16(p + 2);
    const segment = p + 4;
    const end = p + 2 + length;
    if (length < 2 || end > data.length) throw damaged();
    if (marker === 0xdb) {
      for (let q = segment; q < end;) {
        const sixteen = data[q]! >> 4;
        const id = data[q]! & 15;
        const table = new Uint16Array(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]!] = sixteen ? u16(q + 1 + 2 * k) : data[q + 1 + k]!;
        quant[id & 3] = table;
        q += 1 + 64 * (sixteen ? 2 : 1);
      }
    } else if (marker === 0xc4) {
      for (let q = segment; q < end;) {
        const cls = data[q]! >> 4;
        const id = data[q]! & 3;
        const counts = data.subarray(q + 1, q + 17);
        const total = counts.reduce((n, c) => n + c, 0);
        const table = buildHuffman(counts, data.subarray(q + 17, q + 17 + total));
        (cls === 0 ? dcTables : acTables)[id] = table;
        q += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = u16(segment);
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      const components = data[segment + 5]!;
      if (components !== 1) throw new PixelDataError('its 12-bit JPEG picture is in colour, which this reader does not decode');
      if (data[segment] !== 12) throw new PixelDataError('its JPEG picture has a sample precision this reader does not decode');
      frame = { precision: data[segment]!, rows: u16(segment + 1), columns: u16(segment + 3), progressive: marker === 0xc2, quantTable: data[segment + 8]! & 3 };
      if (frame.rows === 0 || frame.columns === 0) throw damaged();
      blocksPerLine = Math.ceil(frame.columns / 8);
      blocksPerColumn = Math.ceil(frame.rows / 8);
      coefficients = new Int32Array(64 * blocksPerLine * blocksPerColumn);
    } else if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new PixelDataError('its JPEG picture uses a JPEG process this reader does not decode');
    } else if (marker === 0xda) {
      if (!frame || !coefficients) throw damaged();
      const table = data[segment + 2]!;
      const spectralStart = data[segment + 3]!;
      const spectralEnd = data[segment + 4]!;
      const approxHigh = data[segment + 5]! >> 4;
      const approxLow = data[segment + 5]! & 15;
      const reader = new BitReader(data, end);
      scan(reader, coefficients, blocksPerLine * blocksPerColumn, restartInterval, dcTables[table >> 4], acTables[table & 15],
        frame.progressive ? { spectralStart, spectralEnd, approxHigh, approxLow } : undefined);
      // Continue after the entropy-coded data: at the next marker that is not a restart marker.
      let q = reader.offset;
      while (q + 1 < data.length && !(data[q] === 0xff && data[q + 1] !== 0x00 && !(data[q + 1]! >= 0xd0 && data[q + 1]! <= 0xd7))) q++;
      p = q;
      continue;
    }
    p = end;
  }
  if (!frame || !coefficients) throw damaged();
  const table = quant[frame.quantTable];
  if (!table) throw damaged();
  const out = new Uint16Array(frame.rows * frame.columns);
  for (let by = 0; by < blocksPerColumn; by++) {
    for (let bx = 0; bx < blocksPerLine; bx++) {
      idctBlock(coefficients, 64 * (by * blocksPerLine + bx), table, out, frame.columns, frame.rows, 8 * bx, 8 * by);
    }
  }
  return {
    columns: frame.columns,
    rows: frame.rows,
    components: 1,
    bitsPerSample: frame.precision,
    signed: false,
    planar: false,
    toRgb: false,
    data: new Uint8Array(out.buffer),
  };
}

interface Progression {
  spectralStart: number;
  spectralEnd: number;
  approxHigh: number;
  approxLow: number;
}

/** One scan over all blocks of the single component: sequential (no `progression`) or one progressive pass. */
function scan(reader: BitReader, coefficients: Int32Array, blocks: number, restartInterval: number, dc: Huffman | undefined, ac: Huffman | undefined, progression: Progression | undefined): void {
  let predictor = 0;
  let eobrun = 0;
  const { spectralStart = 0, spectralEnd = 63, approxHigh = 0, approxLow = 0 } = progression ?? {};
  for (let b = 0; b < blocks; b++) {
    if (restartInterval > 0 && b > 0 && b % restartInterval === 0) {
      reader.restart();
      predictor = 0;
      eobrun = 0;
    }
    const at = 64 * b;
    if (!progression) {
      const t = reader.decode(dc);
      predictor += reader.extend(t);
      coefficients[at] = predictor;
      for (let k = 1; k < 64;) {
        const rs = reader.decode(ac);
        const s = rs & 15;
        const r = rs >> 4;
        if (s === 0) {
          if (r !== 15) break;
          k += 16;
          continue;
        }
        k += r;
        if (k > 63) break;
        coefficients[at + ZIGZAG[k]!] = reader.extend(s);
        k++;
      }
    } else if (spectralStart === 0) {
      if (approxHigh === 0) {
        predictor += reader.extend(reader.decode(dc));
        coefficients[at] = predictor * 2 ** approxLow;
      } else if (reader.bit()) {
        coefficients[at]! |= 1 << approxLow;
      }
    } else if (approxHigh === 0) {
      // AC first pass.
      if (eobrun > 0) {
        eobrun--;
        continue;
      }
      for (let k = spectralStart; k <= spectralEnd;) {
        const rs = reader.decode(ac);
        const s = rs & 15;
        const r = rs >> 4;
        if (s === 0) {
          if (r < 15) {
            eobrun = (1 << r) - 1 + (r > 0 ? reader.receive(r) : 0);
            break;
          }
          k += 16;
          continue;
        }
        k += r;
        if (k > 63) break;
        coefficients[at + ZIGZAG[k]!] = reader.extend(s) * 2 ** approxLow;
        k++;
      }
    } else {
      eobrun = refineAc(reader, coefficients, at, ac, spectralStart, spectralEnd, approxLow, eobrun);
    }
  }
}

/** AC successive approximation refinement of one block (T.81 G.1.2.3); returns the remaining EOB run. */
function refineAc(reader: BitReader, coefficients: Int32Array, at: number, ac: Huffman | undefined, start: number, end: number, al: number, eobrun: number): number {
  const plus = 1 << al;
  const minus = -1 << al;
  let k = start;
  const refine = (z: number): void => {
    const c = coefficients[at + z]!;
    if (reader.bit() && (c & plus) === 0) coefficients[at + z] = c >= 0 ? c + plus : c + minus;
  };
  if (eobrun <= 0) {
    for (; k <= end; k++) {
      const rs = reader.decode(ac);
      const s = rs & 15;
      let r = rs >> 4;
      let value = 0;
      if (s !== 0) value = reader.bit() ? plus : minus;
      else if (r !== 15) {
        eobrun = (1 << r) + (r > 0 ? reader.receive(r) : 0);
        break;
      }
      // Refine the non-zero coefficients passed over, up to the r-th zero one (libjpeg decode_mcu_AC_refine).
      do {
        const z = ZIGZAG[k]!;
        if (coefficients[at + z] !== 0) refine(z);
        else if (--r < 0) break;
        k++;
      } while (k <= end);
      if (value !== 0) coefficients[at + ZIGZAG[Math.min(k, 63)]!] = value;
    }
  }
  if (eobrun > 0) {
    for (; k <= end; k++) {
      const z = ZIGZAG[k]!;
      if (coefficients[at + z] !== 0) refine(z);
    }
    eobrun--;
  }
  return eobrun;
}
