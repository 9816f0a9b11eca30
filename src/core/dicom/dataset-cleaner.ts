// Applies the PS3.15 Basic Profile and the chosen options to a parsed dataset at every depth, through every
// item of every sequence (UN-encoded ones included), and returns the elements to write: E.1-1 rows get
// their action, private elements, overlays and curves go unless an option keeps them, UIDs become keyed
// pseudonyms, and text that is kept loses every identifying value of the file.

import { dicomParser, elementBytes, type DataSet, type Element, type Item } from './parser';
import { profileRowFor } from './inspect';
import { lookupTag } from './dictionary';
import { charsetDecoder, latin1String, type CharsetDecoder } from './charset';
import { IMPLICIT_LITTLE, asciiBytes, hexTag, type Encoding, type OutElement, type OutItem } from './writer';
import { resolveAction, basicAction, type ElementAction, type ProfileOptions } from './profile-actions';
import { safePrivateEntry, isSafePrivateValue } from './safe-private';
import { scrubText, type IdentifyingTerm } from './identifying-terms';
import type { ExpectedFindings } from './expected-findings';
import { shiftDate, shiftDateTime } from '../pseudonym';
import { VALID_VRS } from '../sniff';
import type { ProfileOption } from '../../data/confidentiality-profile';

export interface CleanEnvironment {
  options: ProfileOptions;
  /** The keyed pseudonym of a UID (prepared beforehand: see `collectUids`). */
  uid: (original: string) => string;
  /** Days to move dates by; used only with the Modified Dates option. */
  dateOffset: number;
  /** A different offset for an item and what it holds (directory records of several patients). */
  itemDateOffset?: (item: DataSet) => number | undefined;
  terms: readonly IdentifyingTerm[];
  expected: ExpectedFindings;
  /** Called for every item written, with the original item (directory record offsets are rebuilt from these). */
  onItem?: (original: Item, written: OutItem, sequence: readonly string[], tag: string) => void;
  /** Called for every element written, with the original element. */
  onElement?: (original: Element, written: OutElement, sequence: readonly string[]) => void;
}

const OPTION_NAMES: Readonly<Record<ProfileOption, string>> = {
  retainSafePrivate: 'Retain Safe Private',
  retainUids: 'Retain UIDs',
  retainDeviceIdentity: 'Retain Device Identity',
  retainInstitutionIdentity: 'Retain Institution Identity',
  retainPatientCharacteristics: 'Retain Patient Characteristics',
  retainLongitudinalFullDates: 'Retain Longitudinal Full Dates',
  retainLongitudinalModifiedDates: 'Retain Longitudinal Temporal Information with Modified Dates',
  cleanDescriptors: 'Clean Descriptors',
  cleanStructuredContent: 'Clean Structured Content',
  cleanGraphics: 'Clean Graphics',
};

export function keptBy(option: ProfileOption): string {
  return `kept by the ${OPTION_NAMES[option]} option`;
}

const DUMMY_NOTE = 'a dummy value written by the de-identifier';
const MOVED_NOTE = 'a date moved by the Modified Dates option';

/** VRs a person writes text in: kept values of these VRs lose the file's identifying terms. */
const SCRUBBED_VRS = new Set(['AE', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
/** VRs Specific Character Set applies to. */
const CHARSET_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
const NUMBER_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'DS', 'IS', 'AT']);
const TEXT_DUMMY = 'ANONYMIZED';
const DUMMY_TEXT_BY_VR: Readonly<Record<string, string>> = {
  AS: '000Y', DA: '19000101', DT: '19000101000000', TM: '000000', DS: '0', IS: '0',
};
/** Every dummy text the cleaner writes (an original value equal to one is no leak when found again). */
export const DUMMY_VALUES: ReadonlySet<string> = new Set([TEXT_DUMMY, ...Object.values(DUMMY_TEXT_BY_VR)]);
/** What the dummy of an empty UID is the pseudonym of. */
const EMPTY_UID_SOURCE = '0';
const DUMMY_BINARY_SIZE: Readonly<Record<string, number>> = {
  US: 2, SS: 2, UL: 4, SL: 4, FL: 4, AT: 4, FD: 8, SV: 8, UV: 8, OB: 2, OW: 2, UN: 2, OF: 4, OL: 4, OD: 8, OV: 8,
};

/** The elements the de-identifier writes itself at the top level, replacing any already there. */
export const DEIDENTIFICATION_TAGS = new Set([0x00120062, 0x00120063, 0x00120064, 0x00280303]);

/**
 * What an X/Z/U* sequence keeps of its items: the SOP Instance Reference Macro and its usual companions,
 * so that references still resolve (their UIDs replaced by their own rows) and nothing else stays.
 */
const REFERENCE_ELEMENTS: ReadonlySet<number> = new Set([
  0x00081150, // ReferencedSOPClassUID
  0x00081155, // ReferencedSOPInstanceUID
  0x00081160, // ReferencedFrameNumber
  0x0062000b, // ReferencedSegmentNumber
  0x0040a170, // PurposeOfReferenceCodeSequence
  0x0028135a, // SpatialLocationsPreserved
  0x00200020, // PatientOrientation
]);

const PIXEL_DATA = 0x7fe00010;
const SPECIFIC_CHARACTER_SET = 'x00080005';

interface Level {
  enc: Encoding;
  decoder: CharsetDecoder;
  /** Specific Character Set as written (for re-encoding text). */
  charset: string;
  /** Enclosing sequence tags, outermost first. */
  path: string[];
  dateOffset: number;
}

/** The VR of an element as its file gives it (explicit) or as the dictionary gives it (implicit). */
function writtenVr(el: Element, enc: Encoding, dictionaryVr: string | undefined): string {
  if (enc.explicit && el.vr !== undefined) return VALID_VRS.has(el.vr) ? el.vr : 'UN';
  if (el.items) return 'SQ';
  if (dictionaryVr !== undefined && dictionaryVr !== 'SQ') return dictionaryVr;
  return 'UN';
}

interface Items {
  items: Item[];
  enc: Encoding;
  /** The sequence is encoded as UN, its items in implicit VR. */
  asUn: boolean;
}

/** The items of a sequence, including those of a sequence encoded as UN (implicit VR little endian inside). */
export function sequenceItems(ds: DataSet, el: Element, vr: string, enc: Encoding): Items | undefined {
  if (el.items) {
    if (enc.explicit && el.vr === 'UN') return { items: el.items, enc: { explicit: false, littleEndian: enc.littleEndian }, asUn: true };
    return { items: el.items, enc, asUn: false };
  }
  if ((vr !== 'UN' && vr !== 'SQ') || el.hadUndefinedLength || el.length < 8) return undefined;
  const b = ds.byteArray;
  const p = el.dataOffset;
  if (p + el.length > b.length || !(b[p] === 0xfe && b[p + 1] === 0xff && b[p + 2] === 0x00 && b[p + 3] === 0xe0)) return undefined;
  try {
    const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, b, p);
    const copy: Element = { tag: el.tag, length: el.length, dataOffset: p };
    dicomParser.readSequenceItemsImplicit(stream, copy);
    return copy.items ? { items: copy.items, enc: IMPLICIT_LITTLE, asUn: true } : undefined;
  } catch {
    return undefined;
  }
}

function isOverlayOrCurveGroup(group: number): boolean {
  return (group >= 0x6000 && group <= 0x601e && group % 2 === 0) || (group >= 0x5000 && group <= 0x501e && group % 2 === 0);
}

/** Text back to bytes in the dataset's character set; undefined when that cannot be done faithfully. */
function encodeText(text: string, charset: string, vr: string): Uint8Array | undefined {
  if (/^[\x00-\x7f]*$/.test(text)) return asciiBytes(text);
  if (!CHARSET_VRS.has(vr)) return undefined;
  const terms = charset.split('\\').map((t) => t.trim().toUpperCase());
  if (terms.length === 1 && terms[0] === 'ISO_IR 192') return new TextEncoder().encode(text);
  if (terms.length === 1 && (terms[0] === '' || terms[0] === 'ISO_IR 100') && /^[\x00-\xff]*$/.test(text)) return asciiBytes(text);
  return undefined;
}

/** Every UID value in a dataset, at every depth (private elements excepted: they never keep UIDs). */
export function collectUids(ds: DataSet, enc: Encoding, out: Set<string>): void {
  for (const key of Object.keys(ds.elements)) {
    const el = ds.elements[key]!;
    const tag = parseInt(key.slice(1), 16);
    const group = tag >>> 16;
    if (group % 2 === 1 || group === 0xfffe) continue;
    const dictionaryVr = lookupTag(key.slice(1))?.vr;
    const vr = writtenVr(el, enc, dictionaryVr);
    const items = vr === 'SQ' || vr === 'UN' || el.items ? sequenceItems(ds, el, vr, enc) : undefined;
    if (items) {
      for (const item of items.items) if (item.dataSet) collectUids(item.dataSet, items.enc, out);
      continue;
    }
    if (vr === 'UI' || (vr === 'UN' && dictionaryVr === 'UI')) {
      // An empty UID whose row says D gets the pseudonym of this one: it is prepared with the others.
      out.add(EMPTY_UID_SOURCE);
      const bytes = elementBytes(ds, el);
      if (bytes) for (const uid of latin1String(bytes).split('\\')) out.add(uid);
    }
  }
}

/** Cleans datasets with one environment; `problems` collects reasons the result cannot be trusted. */
export class DatasetCleaner {
  readonly problems: string[] = [];

  constructor(private readonly env: CleanEnvironment) {}

  /** The cleaned elements of a top-level dataset (its pixel data left out: the caller carries it over). */
  cleanTop(ds: DataSet, enc: Encoding, inherited?: { decoder: CharsetDecoder; charset: string }): OutElement[] {
    const level = this.levelFor(ds, {
      enc,
      decoder: inherited?.decoder ?? charsetDecoder(undefined),
      charset: inherited?.charset ?? '',
      path: [],
      dateOffset: this.env.dateOffset,
    });
    return this.cleanDataSet(ds, level, true);
  }

  /** The character set of a dataset, for cleaning elements that belong to it but were read apart (the trailer). */
  charsetOf(ds: DataSet): { decoder: CharsetDecoder; charset: string } {
    const level = this.levelFor(ds, { enc: IMPLICIT_LITTLE, decoder: charsetDecoder(undefined), charset: '', path: [], dateOffset: 0 });
    return { decoder: level.decoder, charset: level.charset };
  }

  private levelFor(ds: DataSet, parent: Level): Level {
    const el = ds.elements[SPECIFIC_CHARACTER_SET];
    const bytes = el ? elementBytes(ds, el) : undefined;
    if (!bytes) return parent;
    const charset = latin1String(bytes).replace(/[\0\s]+$/, '');
    return { ...parent, decoder: charsetDecoder(charset), charset };
  }

  private cleanDataSet(ds: DataSet, level: Level, top: boolean, only?: ReadonlySet<number>): OutElement[] {
    const out: OutElement[] = [];
    const creators = new Map<number, { key: string; el: Element }>();
    const usedBlocks = new Set<number>();
    for (const key of Object.keys(ds.elements)) {
      const tag = parseInt(key.slice(1), 16) >>> 0;
      const group = tag >>> 16;
      const element = tag & 0xffff;
      if (group % 2 === 1 && element >= 0x10 && element <= 0xff) creators.set(group * 0x100 + element, { key, el: ds.elements[key]! });
    }
    for (const key of Object.keys(ds.elements)) {
      const el = ds.elements[key]!;
      const tag = parseInt(key.slice(1), 16) >>> 0;
      const group = tag >>> 16;
      const element = tag & 0xffff;
      // Delimiters, group lengths (retired: left out), command and file meta elements (never part of a stored dataset).
      if (group === 0xfffe || element === 0x0000 || group === 0x0000 || group === 0x0002) continue;
      if (top && (tag === PIXEL_DATA || DEIDENTIFICATION_TAGS.has(tag))) continue;
      if (only && !only.has(tag)) continue;
      if (group % 2 === 1) {
        if (element >= 0x10 && element <= 0xff) continue; // creators: written below, for the blocks kept
        const kept = this.privateElement(ds, el, tag, level, creators);
        if (kept) {
          out.push(kept);
          usedBlocks.add(group * 0x100 + (element >> 8));
        }
        continue;
      }
      const written = this.standardElement(ds, el, tag, level);
      if (written) {
        this.env.onElement?.(el, written, level.path);
        out.push(written);
      }
    }
    for (const block of usedBlocks) {
      const creator = creators.get(block)!;
      out.push({ tag: parseInt(creator.key.slice(1), 16) >>> 0, vr: 'LO', value: elementBytes(ds, creator.el) ?? new Uint8Array(0) });
    }
    return out;
  }

  private creatorName(ds: DataSet, creators: Map<number, { key: string; el: Element }>, group: number, element: number): string | undefined {
    const c = creators.get(group * 0x100 + (element >> 8));
    const bytes = c ? elementBytes(ds, c.el) : undefined;
    return bytes ? latin1String(bytes).replace(/[\0\s]+$/, '').trim() : undefined;
  }

  private privateElement(ds: DataSet, el: Element, tag: number, level: Level, creators: Map<number, { key: string; el: Element }>): OutElement | undefined {
    if (!this.env.options.retainSafePrivate) return undefined;
    const group = tag >>> 16;
    const element = tag & 0xffff;
    if (element < 0x1000) return undefined;
    const entry = safePrivateEntry(this.creatorName(ds, creators, group, element), group, element);
    const bytes = elementBytes(ds, el);
    const fileVr = level.enc.explicit ? el.vr : undefined;
    if (!entry || !bytes || el.items || !isSafePrivateValue(entry, fileVr, bytes)) return undefined;
    this.env.expected.any(level.path, hexTag(tag), keptBy('retainSafePrivate'));
    return { tag, vr: fileVr !== undefined && fileVr !== 'UN' ? fileVr : entry.vrs[0]!, value: bytes };
  }

  private cleanItems(items: Items, level: Level, tag: number, only?: ReadonlySet<number>): OutItem[] {
    const hex = hexTag(tag);
    const path = [...level.path, hex];
    const out: OutItem[] = [];
    for (const item of items.items) {
      if (!item.dataSet) continue;
      const override = this.env.itemDateOffset?.(item.dataSet);
      const inner = this.levelFor(item.dataSet, { ...level, enc: items.enc, path, ...(override !== undefined ? { dateOffset: override } : {}) });
      const written: OutItem = { elements: this.cleanDataSet(item.dataSet, inner, false, only), ...(item.hadUndefinedLength ? { undefinedLength: true } : {}) };
      this.env.onItem?.(item, written, level.path, hex);
      out.push(written);
    }
    return out;
  }

  private keptSequence(tag: number, items: Items, level: Level, undefinedLength: boolean, only?: ReadonlySet<number>): OutElement {
    return {
      tag,
      vr: items.asUn ? 'UN' : 'SQ',
      items: this.cleanItems(items, level, tag, only),
      ...(items.asUn ? { itemEncoding: items.enc } : {}),
      ...(undefinedLength ? { undefinedLength: true } : {}),
    };
  }

  private standardElement(ds: DataSet, el: Element, tag: number, level: Level): OutElement | undefined {
    const hex = hexTag(tag);
    const group = tag >>> 16;
    const dictionaryVr = lookupTag(hex)?.vr;
    const vr = writtenVr(el, level.enc, dictionaryVr);
    // What the value means: a UN element of a known tag is read as its dictionary VR.
    const meaningVr = vr === 'UN' && dictionaryVr !== undefined && dictionaryVr !== 'SQ' ? dictionaryVr : vr;
    const items = vr === 'SQ' || vr === 'UN' || el.items ? sequenceItems(ds, el, vr, level.enc) : undefined;
    const undefinedLength = el.hadUndefinedLength === true;

    if (isOverlayOrCurveGroup(group)) {
      if (!this.env.options.cleanGraphics) return undefined;
      this.env.expected.any(level.path, hex, keptBy('cleanGraphics'));
      if (items) return this.keptSequence(tag, items, level, undefinedLength);
      return this.keptValue(ds, el, tag, vr, meaningVr, level);
    }

    const row = profileRowFor(hex);
    if (!row) {
      if (items) return this.keptSequence(tag, items, level, undefinedLength);
      return this.keptValue(ds, el, tag, vr, meaningVr, level);
    }
    const { action, option } = resolveAction(row, this.env.options, meaningVr);
    return this.apply(action, option, row.basic, { ds, el, tag, hex, vr, meaningVr, items, undefinedLength, level });
  }

  private apply(
    action: ElementAction,
    option: ProfileOption | undefined,
    basic: Parameters<typeof basicAction>[0],
    c: { ds: DataSet; el: Element; tag: number; hex: string; vr: string; meaningVr: string; items: Items | undefined; undefinedLength: boolean; level: Level },
  ): OutElement | undefined {
    const { ds, el, tag, hex, vr, meaningVr, items, level } = c;
    switch (action) {
      case 'remove':
        return undefined;
      case 'empty':
        return items || vr === 'SQ' ? { tag, vr: 'SQ', items: [] } : { tag, vr: meaningVr, value: new Uint8Array(0) };
      case 'uid': {
        if (items) return { tag, vr: 'SQ', items: [] };
        const bytes = elementBytes(ds, el);
        if (!bytes) return this.unreadable(hex);
        const mapped = latin1String(bytes).split('\\').map((u) => this.env.uid(u)).join('\\');
        return { tag, vr: 'UI', value: asciiBytes(mapped) };
      }
      case 'dummy':
        return this.dummy(ds, el, tag, hex, meaningVr, items !== undefined || vr === 'SQ', level);
      case 'keep':
        if (option) this.env.expected.any(level.path, hex, keptBy(option));
        if (items) return this.keptSequence(tag, items, level, c.undefinedLength, option || basic !== 'X/Z/U*' ? undefined : REFERENCE_ELEMENTS);
        if (basic === 'X/Z/U*' && !option) return this.apply('empty', undefined, basic, c);
        return this.keptValue(ds, el, tag, vr, meaningVr, level);
      case 'clean':
        return this.clean(option!, basic, c);
    }
  }

  private clean(
    option: ProfileOption,
    basic: Parameters<typeof basicAction>[0],
    c: { ds: DataSet; el: Element; tag: number; hex: string; vr: string; meaningVr: string; items: Items | undefined; undefinedLength: boolean; level: Level },
  ): OutElement | undefined {
    const { ds, el, tag, hex, vr, meaningVr, items, level } = c;
    if (option === 'retainLongitudinalModifiedDates') {
      if (meaningVr === 'DA' || meaningVr === 'DT') {
        const bytes = elementBytes(ds, el);
        if (!bytes) return this.unreadable(hex);
        const text = latin1String(bytes).replace(/[\0\s]+$/, '');
        if (text.trim() === '') return { tag, vr: meaningVr, value: new Uint8Array(0) };
        const moved = meaningVr === 'DA' ? shiftDate(text, level.dateOffset) : shiftDateTime(text, level.dateOffset);
        if (moved === undefined) return this.apply(basicAction(basic, c.meaningVr), undefined, basic, c);
        this.env.expected.value(level.path, hex, moved, MOVED_NOTE);
        return { tag, vr: meaningVr, value: asciiBytes(moved) };
      }
      if (meaningVr === 'TM' || meaningVr === 'SH' || meaningVr === 'CS') {
        this.env.expected.any(level.path, hex, keptBy(option));
        return this.keptValue(ds, el, tag, vr, meaningVr, level);
      }
      return this.apply(basicAction(basic, c.meaningVr), undefined, basic, c);
    }
    if (items) {
      this.env.expected.any(level.path, hex, keptBy(option));
      return this.keptSequence(tag, items, level, c.undefinedLength);
    }
    if (SCRUBBED_VRS.has(meaningVr) || NUMBER_VRS.has(meaningVr) || meaningVr === 'CS') {
      this.env.expected.any(level.path, hex, keptBy(option));
      return this.keptValue(ds, el, tag, vr, meaningVr, level);
    }
    // Binary data cannot be cleaned: the Basic Profile action applies.
    return this.apply(basicAction(basic, c.meaningVr), undefined, basic, c);
  }

  private dummy(ds: DataSet, el: Element, tag: number, hex: string, vr: string, sequence: boolean, level: Level): OutElement | undefined {
    // A dummy sequence would need made-up items; no items is the dummy written.
    if (sequence) return { tag, vr: 'SQ', items: [] };
    if (vr === 'UI') {
      const bytes = elementBytes(ds, el);
      if (!bytes) return this.unreadable(hex);
      return { tag, vr, value: asciiBytes(latin1String(bytes).split('\\').map((u) => this.env.uid(u)).join('\\') || this.env.uid(EMPTY_UID_SOURCE)) };
    }
    const size = DUMMY_BINARY_SIZE[vr];
    if (size !== undefined) {
      this.env.expected.any(level.path, hex, DUMMY_NOTE);
      return { tag, vr, value: new Uint8Array(size) };
    }
    const text = DUMMY_TEXT_BY_VR[vr] ?? TEXT_DUMMY;
    this.env.expected.value(level.path, hex, text, DUMMY_NOTE);
    return { tag, vr: VALID_VRS.has(vr) ? vr : 'LO', value: asciiBytes(text) };
  }

  /** A value kept as it is, except that text a person wrote loses every identifying term of the file. */
  private keptValue(ds: DataSet, el: Element, tag: number, vr: string, meaningVr: string, level: Level): OutElement | undefined {
    const bytes = elementBytes(ds, el);
    if (!bytes) return this.unreadable(hexTag(tag));
    if (!SCRUBBED_VRS.has(meaningVr) || this.env.terms.length === 0) return { tag, vr, value: bytes };
    const decoded = CHARSET_VRS.has(meaningVr) ? level.decoder.decode(bytes, meaningVr) : latin1String(bytes).replace(/[\0\s]+$/, '');
    const scrubbed = scrubText(decoded, this.env.terms);
    if (scrubbed === undefined) return { tag, vr, value: bytes };
    const encoded = encodeText(scrubbed, level.charset, meaningVr);
    return { tag, vr: meaningVr, value: encoded ?? new Uint8Array(0) };
  }

  private unreadable(hex: string): undefined {
    this.problems.push(`element (${hex.slice(0, 4)},${hex.slice(4)}) has a value that could not be read`);
    return undefined;
  }
}
