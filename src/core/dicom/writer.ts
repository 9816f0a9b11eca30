// Encodes DICOM data elements, sequences and the file meta group into bytes: the de-identifier builds a
// tree of output elements and this turns it into a conformant Part 10 header, with every sequence and
// item length recomputed (or kept undefined, with delimiters, where the original was undefined).

/** How a dataset is encoded: the transfer syntax's VR and byte-order choices. */
export interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
}

export const EXPLICIT_LITTLE: Encoding = { explicit: true, littleEndian: true };
export const IMPLICIT_LITTLE: Encoding = { explicit: false, littleEndian: true };

/** One element to write. Values are bytes already in the output's byte order. */
export interface OutElement {
  /** Group in the high 16 bits, element in the low 16. */
  tag: number;
  /** The VR written in explicit encodings (ignored in implicit ones). */
  vr: string;
  value?: Uint8Array;
  /** A sequence's items (then `value` is ignored). */
  items?: OutItem[];
  /** Items encoded differently from the enclosing dataset (a sequence kept as UN is implicit little endian inside). */
  itemEncoding?: Encoding;
  /** Write the sequence with undefined length and a sequence delimiter. */
  undefinedLength?: boolean;
  /** Called with the position of the value's first byte, relative to the start of the encoded bytes. */
  onValue?: (position: number) => void;
}

export interface OutItem {
  elements: OutElement[];
  undefinedLength?: boolean;
  /** Called with the position of the item tag, relative to the start of the encoded bytes. */
  onItem?: (position: number) => void;
}

const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const UNDEFINED = 0xffffffff;

/** VRs with 2 reserved bytes and a 4-byte length in explicit VR. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const SHORT_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);
/** Text VRs, padded to even length with a space (UI is padded with NUL). */
const SPACE_PADDED = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UR', 'UT']);

/** The VR to write: a known one, else UN; a short-length VR whose value is too long for 16 bits becomes UN. */
function writtenVr(el: OutElement): string {
  if (el.items) return el.vr === 'UN' ? 'UN' : 'SQ';
  const length = paddedLength(el.value?.length ?? 0);
  if (SHORT_VRS.has(el.vr)) return length > 0xffff ? 'UN' : el.vr;
  return LONG_VRS.has(el.vr) ? el.vr : 'UN';
}

function paddedLength(n: number): number {
  return n + (n & 1);
}

function headerLength(vr: string, enc: Encoding): number {
  return enc.explicit && !LONG_VRS.has(vr) ? 8 : enc.explicit ? 12 : 8;
}

/** Sizes of elements, items and sequence contents, worked out once before writing. */
class Sizer {
  readonly sizes = new Map<OutElement | OutItem, number>();

  element(el: OutElement, enc: Encoding): number {
    const vr = writtenVr(el);
    let content: number;
    if (el.items) {
      const inner = el.itemEncoding ?? enc;
      content = 0;
      for (const item of el.items) content += this.item(item, inner);
      if (el.undefinedLength) content += 8;
    } else {
      content = paddedLength(el.value?.length ?? 0);
    }
    this.sizes.set(el, content);
    return headerLength(vr, enc) + content;
  }

  item(item: OutItem, enc: Encoding): number {
    let content = 0;
    for (const el of item.elements) content += this.element(el, enc);
    if (item.undefinedLength) content += 8;
    this.sizes.set(item, content);
    return 8 + content;
  }
}

class Writer {
  position = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly sizes: Map<OutElement | OutItem, number>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private u16(n: number, le: boolean): void {
    this.view.setUint16(this.position, n, le);
    this.position += 2;
  }

  private u32(n: number, le: boolean): void {
    this.view.setUint32(this.position, n >>> 0, le);
    this.position += 4;
  }

  private tag(tag: number, le: boolean): void {
    this.u16(tag >>> 16, le);
    this.u16(tag & 0xffff, le);
  }

  element(el: OutElement, enc: Encoding): void {
    const vr = writtenVr(el);
    const content = this.sizes.get(el)!;
    const le = enc.littleEndian;
    const length = el.items && el.undefinedLength ? UNDEFINED : content;
    this.tag(el.tag, le);
    if (enc.explicit) {
      this.bytes[this.position] = vr.charCodeAt(0);
      this.bytes[this.position + 1] = vr.charCodeAt(1);
      this.position += 2;
      if (LONG_VRS.has(vr)) {
        this.u16(0, le);
        this.u32(length, le);
      } else {
        this.u16(length, le);
      }
    } else {
      this.u32(length, le);
    }
    el.onValue?.(this.position);
    if (el.items) {
      const inner = el.itemEncoding ?? enc;
      for (const item of el.items) this.item(item, inner);
      if (el.undefinedLength) {
        this.tag(SEQUENCE_DELIMITER, inner.littleEndian);
        this.u32(0, inner.littleEndian);
      }
      return;
    }
    const value = el.value ?? new Uint8Array(0);
    this.bytes.set(value, this.position);
    this.position += value.length;
    if (value.length & 1) {
      this.bytes[this.position] = vr === 'UI' || !SPACE_PADDED.has(vr) ? 0x00 : 0x20;
      this.position += 1;
    }
  }

  item(item: OutItem, enc: Encoding): void {
    const le = enc.littleEndian;
    item.onItem?.(this.position);
    this.tag(ITEM, le);
    this.u32(item.undefinedLength ? UNDEFINED : this.sizes.get(item)!, le);
    for (const el of sortedElements(item.elements)) this.element(el, enc);
    if (item.undefinedLength) {
      this.tag(ITEM_DELIMITER, le);
      this.u32(0, le);
    }
  }
}

/** Elements in ascending tag order, as a dataset must be; a tag given twice is a programming error. */
function sortedElements(elements: readonly OutElement[]): OutElement[] {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.tag === sorted[i - 1]!.tag) throw new Error(`the same tag is written twice in one dataset (${hexTag(sorted[i]!.tag)})`);
  }
  return sorted;
}

export function hexTag(tag: number): string {
  return (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** Encodes a dataset (elements in any order; they are written sorted). */
export function encodeDataset(elements: readonly OutElement[], enc: Encoding): Uint8Array {
  const sorted = sortedElements(elements);
  const sizer = new Sizer();
  let total = 0;
  for (const el of sorted) total += sizer.element(el, enc);
  const writer = new Writer(new Uint8Array(total), sizer.sizes);
  for (const el of sorted) writer.element(el, enc);
  return writer.bytes;
}

const latin1Encoder = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
};

/** The bytes of an ASCII (or Latin-1) string. */
export function asciiBytes(text: string): Uint8Array {
  return latin1Encoder(text);
}

/** A text element with an ASCII value. */
export function textElement(tag: number, vr: string, value: string): OutElement {
  return { tag, vr, value: asciiBytes(value) };
}

export interface FileMetaValues {
  mediaStorageSopClassUid?: string;
  mediaStorageSopInstanceUid?: string;
  transferSyntaxUid: string;
  implementationClassUid: string;
  implementationVersionName: string;
}

/** The 128-byte preamble, "DICM" and the file meta group (explicit VR little endian, with its group length). */
export function encodeFilePreambleAndMeta(meta: FileMetaValues): Uint8Array {
  const elements: OutElement[] = [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0x00, 0x01]) },
    textElement(0x00020010, 'UI', meta.transferSyntaxUid),
    textElement(0x00020012, 'UI', meta.implementationClassUid),
    textElement(0x00020013, 'SH', meta.implementationVersionName),
  ];
  if (meta.mediaStorageSopClassUid) elements.push(textElement(0x00020002, 'UI', meta.mediaStorageSopClassUid));
  if (meta.mediaStorageSopInstanceUid) elements.push(textElement(0x00020003, 'UI', meta.mediaStorageSopInstanceUid));
  const group = encodeDataset(elements, EXPLICIT_LITTLE);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, group.length, true);
  const groupLength = encodeDataset([{ tag: 0x00020000, vr: 'UL', value: length }], EXPLICIT_LITTLE);
  const out = new Uint8Array(132 + groupLength.length + group.length);
  out.set(asciiBytes('DICM'), 128);
  out.set(groupLength, 132);
  out.set(group, 132 + groupLength.length);
  return out;
}

/** The header of an element whose value is written separately (the pixel data, carried over as it is). */
export function encodeElementHeader(tag: number, vr: string, length: number, enc: Encoding): Uint8Array {
  const long = LONG_VRS.has(vr);
  const out = new Uint8Array(enc.explicit && !long ? 8 : enc.explicit ? 12 : 8);
  const view = new DataView(out.buffer);
  const le = enc.littleEndian;
  view.setUint16(0, tag >>> 16, le);
  view.setUint16(2, tag & 0xffff, le);
  if (!enc.explicit) {
    view.setUint32(4, length >>> 0, le);
    return out;
  }
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, length >>> 0, le);
  else view.setUint16(6, length, le);
  return out;
}
