// Walks a parsed DICOM dataset at every depth and turns what it holds into findings: every PS3.15
// E.1-1 row, private elements with their creators, overlays and curves, burned-in text risk, and
// identifying values repeated in other text.

import { dicomParser, elementBytes, type DataSet, type Element, type Item } from './parser';
import { PROFILE_ROWS, type ProfileRow } from '../../data/confidentiality-profile';
import type { Category, Finding, Severity } from '../report';
import { charsetDecoder, latin1String, type CharsetDecoder } from './charset';
import { classifyRow } from './classify';
import { lookupTag, implicitVr } from './dictionary';
import { findRepeats, REPEAT_TARGET_VRS } from './repeats';

const ROWS = new Map<string, ProfileRow>();
let CURVE_ROW: ProfileRow | undefined;
let OVERLAY_DATA_ROW: ProfileRow | undefined;
let OVERLAY_COMMENTS_ROW: ProfileRow | undefined;
for (const row of PROFILE_ROWS) {
  if (row.tag === '50XXXXXX') CURVE_ROW = row;
  else if (row.tag === '60XX3000') OVERLAY_DATA_ROW = row;
  else if (row.tag === '60XX4000') OVERLAY_COMMENTS_ROW = row;
  else ROWS.set(row.tag, row);
}

/** The E.1-1 row that governs a standard (even-group) tag, including the repeating overlay and curve groups. */
export function profileRowFor(tag: string): ProfileRow | undefined {
  const exact = ROWS.get(tag);
  if (exact) return exact;
  const group = parseInt(tag.slice(0, 4), 16);
  const element = tag.slice(4);
  if (group >= 0x5000 && group <= 0x501e && group % 2 === 0) return CURVE_ROW;
  if (group >= 0x6000 && group <= 0x601e && group % 2 === 0) {
    if (element === '3000') return OVERLAY_DATA_ROW;
    if (element === '4000') return OVERLAY_COMMENTS_ROW;
  }
  return undefined;
}

/**
 * What the walk needs to know of a VR, as bits in a table indexed by its two character codes: dicom-parser
 * makes a new string for every element's VR, and a Set look-up would hash each one.
 */
const TEXT = 1;
const PRIVATE_TEXT = 2; // text a person could have typed into a private element
const NUMERIC = 4;
const REPEAT_TARGET = 8;
const VR_FLAGS = new Uint8Array(65536);
function flag(vrs: string, bit: number): void {
  for (const vr of vrs.split(' ')) VR_FLAGS[(vr.charCodeAt(0) << 8) | vr.charCodeAt(1)]! |= bit;
}
flag('AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT', TEXT);
flag('AE DA DT LO LT PN SH ST TM UC UT', PRIVATE_TEXT);
flag('US SS UL SL FL FD', NUMERIC);
flag(REPEAT_TARGET_VRS.join(' '), REPEAT_TARGET);

function vrFlags(vr: string): number {
  return vr.length === 2 ? VR_FLAGS[(vr.charCodeAt(0) << 8) | vr.charCodeAt(1)]! : 0;
}

/** Values written by de-identification tools in place of the real one (checked per name component). */
const PLACEHOLDER = /^(anonymi[sz]ed|anonymous|anon|removed|deleted|redacted|unknown|none|n\/a|na|null|patient|x+|\*+|-+|0+|\?+)$/i;

const PLACEHOLDER_START = /^[\s^=]*[adrunpx*\-0?]/i;

/** Whether every part of a value is a placeholder such as ANONYMOUS, `unknown^unknown` or `xxxx`. */
export function isPlaceholder(value: string): boolean {
  // Placeholders are short and start with one of these characters (anonymous, removed, xxx, ***, 000...).
  if (value.length > 64 || !PLACEHOLDER_START.test(value)) return false;
  const parts = value.split(/[\^=\\]+/).map((p) => p.trim()).filter((p) => p.length > 0);
  return parts.length > 0 && parts.every((p) => PLACEHOLDER.test(p));
}


/** Longest value text kept in a finding. */
const MAX_VALUE_CHARS = 1024;

/** A text value seen anywhere in the file, for the search of repeated identifying values. */
export interface TextValue {
  tag: string;
  keyword: string;
  vr: string;
  sequence: string[];
  private: boolean;
  creator?: string;
  value: string;
  /** Index into the findings list when this element is already a finding. */
  finding?: number;
}

/** A top-level US value, when the element is whole. */
function topUint16(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2 || el.dataOffset + 2 > ds.byteArray.length) return undefined;
  return ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset);
}

/** The top-level facts the scan needs beyond the findings. */
export interface DicomFacts {
  modality?: string;
  sopClassUid?: string;
  imageType?: string;
  burnedInAnnotation?: string;
  recognizableVisualFeatures?: string;
  bodyPart?: string;
  descriptions: string[];
  patientKeys: string[];
  studyUids: string[];
  seriesUids: string[];
  numberOfFrames?: number;
  sliceThickness?: number;
  rows?: number;
  columns?: number;
  instanceNumber?: number;
  hasPixelData: boolean;
  isDicomdir: boolean;
}

export interface Inspection {
  findings: Finding[];
  facts: DicomFacts;
  /** Items that could not be read as sequences (counted, not fatal). */
  unreadableItems: number;
}

interface Walk {
  findings: Finding[];
  texts: TextValue[];
  unreadableItems: number;
}

function readNumbers(ds: DataSet, el: Element, vr: string): string | undefined {
  const bytes = elementBytes(ds, el);
  if (!bytes || bytes.length === 0) return undefined;
  const size = vr === 'FD' ? 8 : vr === 'US' || vr === 'SS' ? 2 : 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = ds.byteArrayParser === dicomParser.littleEndianByteArrayParser;
  const out: string[] = [];
  for (let p = 0; p + size <= bytes.length && out.length < 16; p += size) {
    switch (vr) {
      case 'US': out.push(String(view.getUint16(p, le))); break;
      case 'SS': out.push(String(view.getInt16(p, le))); break;
      case 'UL': out.push(String(view.getUint32(p, le))); break;
      case 'SL': out.push(String(view.getInt32(p, le))); break;
      case 'FL': out.push(String(view.getFloat32(p, le))); break;
      default: out.push(String(view.getFloat64(p, le)));
    }
  }
  return out.join('\\');
}

/** Whether bytes of unknown type read as text (private values in implicit-VR files arrive this way). */
function printable(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.length > 64 * 1024) return false;
  let good = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if ((c >= 0x20 && c < 0x7f) || c >= 0xa0 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x1b || (c === 0 && i >= bytes.length - 1)) good++;
  }
  return good === bytes.length && bytes.some((c) => c > 0x20);
}

function hasElements(ds: DataSet): boolean {
  for (const _ in ds.elements) return true;
  return false;
}

/** Whether a value has any character but spaces (and, for a person name, its `^` and `=` delimiters). */
function hasText(value: string, personName: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x20 && !(personName && (c === 0x5e || c === 0x3d))) return true;
  }
  return false;
}

function clip(value: string): string {
  return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
}

/** Items of a sequence that dicom-parser left unparsed: UN-encoded (implicit VR inside) and private ones. */
function itemsOf(ds: DataSet, el: Element, vr: string, walk: Walk): Item[] | undefined {
  if (el.items) return el.items;
  if (el.hadUndefinedLength || el.length < 8 || el.dataOffset + el.length > ds.byteArray.length) return undefined;
  if (vr !== 'UN' && vr !== 'SQ') return undefined;
  const b = ds.byteArray;
  const p = el.dataOffset;
  // Items are (FFFE,E000); in a UN value they are always little endian.
  if (!(b[p] === 0xfe && b[p + 1] === 0xff && b[p + 2] === 0x00 && b[p + 3] === 0xe0)) return undefined;
  try {
    const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, b, p);
    const copy: Element = { tag: el.tag, length: el.length, dataOffset: p };
    dicomParser.readSequenceItemsImplicit(stream, copy, implicitVr);
    return copy.items;
  } catch {
    walk.unreadableItems++;
    return undefined;
  }
}

function addFinding(walk: Walk, f: Finding): number {
  walk.findings.push(f);
  return walk.findings.length - 1;
}

/** Where a dataset sits: the file meta group, the top level, or inside a sequence item or trailer. */
type Level = 'meta' | 'top' | 'nested';

/** What the walk needs to know about a tag, worked out once per tag (files of a series share them). */
interface TagInfo {
  /** 8 upper-case hex digits. */
  tag: string;
  group: number;
  element: number;
  isPrivate: boolean;
  /** A private creator element (gggg,0010-00FF). */
  isCreator: boolean;
  /** Group lengths and item delimiters, never findings. */
  skip: boolean;
  dictionaryVr?: string;
  row?: ProfileRow;
  keyword: string;
  /** Classification of the row by VR, filled as VRs are met. */
  classes?: Map<string, { category: Category; severity: Severity }>;
}

const TAG_INFO = new Map<string, TagInfo>();
const TAG_INFO_LIMIT = 100_000;

function tagInfo(key: string): TagInfo {
  const cached = TAG_INFO.get(key);
  if (cached) return cached;
  const tag = key.slice(1).toUpperCase();
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4), 16);
  const isPrivate = group % 2 === 1;
  const dictionary = isPrivate ? undefined : lookupTag(tag);
  const row = isPrivate ? undefined : profileRowFor(tag);
  const info: TagInfo = {
    tag, group, element, isPrivate,
    isCreator: isPrivate && element >= 0x10 && element <= 0xff,
    skip: element === 0 || group === 0xfffe,
    ...(dictionary?.vr ? { dictionaryVr: dictionary.vr } : {}),
    ...(row ? { row } : {}),
    keyword: row?.keyword ?? (dictionary?.keyword || (isPrivate ? 'PrivateAttribute' : `Unknown${tag}`)),
  };
  if (TAG_INFO.size < TAG_INFO_LIMIT) TAG_INFO.set(key, info);
  return info;
}

function classOf(info: TagInfo, vr: string): { category: Category; severity: Severity } {
  info.classes ??= new Map();
  let c = info.classes.get(vr);
  if (!c) {
    c = classifyRow(info.row!, vr);
    info.classes.set(vr, c);
  }
  return c;
}

const DECODERS = new Map<string, CharsetDecoder>();

function decoderFor(ds: DataSet, inherited: CharsetDecoder): CharsetDecoder {
  const el = ds.elements['x00080005'];
  const bytes = el ? elementBytes(ds, el) : undefined;
  if (!bytes) return inherited;
  const term = latin1String(bytes);
  let decoder = DECODERS.get(term);
  if (!decoder) {
    decoder = charsetDecoder(term);
    if (DECODERS.size < 1000) DECODERS.set(term, decoder);
  }
  return decoder;
}


function walkDataSet(ds: DataSet, sequence: string[], inherited: CharsetDecoder, walk: Walk, level: Level): void {
  const elements = ds.elements;
  const decoder = decoderFor(ds, inherited);
  // Private creators, keyed by group * 0x100 + block. In tag order a creator comes before its block, so
  // they are collected as the walk meets them; a file out of order gets one full pass on the first miss.
  const creators = new Map<number, string>();
  let allCreators = false;
  const addCreator = (key: string, info: TagInfo): void => {
    const bytes = elementBytes(ds, elements[key]!);
    if (bytes) creators.set(info.group * 0x100 + info.element, decoder.decode(bytes, 'LO'));
  };
  const creatorOf = (info: TagInfo): string | undefined => {
    const block = info.group * 0x100 + (info.element >> 8);
    if (!creators.has(block) && !allCreators) {
      allCreators = true;
      for (const key in elements) {
        const c = tagInfo(key);
        if (c.isCreator) addCreator(key, c);
      }
    }
    return creators.get(block);
  };
  // dicom-parser keeps elements in file order, which is tag order in a valid file.
  for (const key of Object.keys(elements)) {
    const info = tagInfo(key);
    if (info.isCreator) {
      addCreator(key, info); // creators name vendors, not people: kept for their block, not reported
      continue;
    }
    if (info.skip) continue; // group lengths, item delimiters
    if (level === 'top' && key === 'x7fe00010') continue; // the pixel data itself is never read
    const el = elements[key]!;
    const { tag, isPrivate, row, keyword } = info;
    let vr = el.vr ?? info.dictionaryVr ?? 'UN';
    if (vr === 'UN' && info.dictionaryVr === 'SQ') vr = 'SQ';

    const items = vr === 'SQ' || vr === 'UN' || el.items ? itemsOf(ds, el, vr, walk) : undefined;
    if (items) {
      let nonEmpty = 0;
      for (const item of items) if (item.dataSet && hasElements(item.dataSet)) nonEmpty++;
      if (nonEmpty > 0 && (row || isPrivate)) {
        const c = row ? classOf(info, 'SQ') : { category: 'private-data' as Category, severity: 'medium' as Severity };
        const creator = isPrivate ? creatorOf(info) : undefined;
        addFinding(walk, {
          tag, keyword, category: c.category, severity: c.severity, sequence, private: isPrivate,
          value: `${nonEmpty} item${nonEmpty === 1 ? '' : 's'}`,
          ...(creator ? { creator } : {}),
        });
      }
      if (items.length > 0) {
        const inner = [...sequence, tag];
        for (const item of items) {
          if (item.dataSet) walkDataSet(item.dataSet, inner, decoder, walk, 'nested');
        }
      }
      continue;
    }

    // Values are decoded only where they are needed: findings, and text that may repeat a name or an ID.
    const flags = vrFlags(vr);
    const wanted = row !== undefined || isPrivate || (flags & REPEAT_TARGET) !== 0;
    if (!wanted) continue;
    // Vendors' codes and numbers (private DS, IS, CS, US...) say nothing to a person: they are not decoded.
    const decodeText = (flags & TEXT) !== 0 && (!isPrivate || (flags & PRIVATE_TEXT) !== 0);
    const bytes = decodeText || row || vr === 'UN' || (vr === 'OB' && isPrivate) ? elementBytes(ds, el) : undefined;
    let value: string | undefined;
    let textVr = vr;
    if (bytes) {
      if (decodeText) value = decoder.decode(bytes, vr);
      else if ((flags & NUMERIC) !== 0 && row) value = readNumbers(ds, el, vr);
      else if ((vr === 'UN' || (vr === 'OB' && isPrivate)) && printable(bytes)) {
        value = decoder.decode(bytes, 'LT');
        textVr = 'LT';
      }
    }
    const hasContent = value !== undefined
      ? hasText(value, vr === 'PN')
      : (el.length > 0 && el.length !== 0xffffffff) || el.hadUndefinedLength === true;
    if (!hasContent) continue;

    let findingIndex: number | undefined;
    let creator: string | undefined;
    if (row) {
      const c = classOf(info, vr);
      const placeholder = c.severity !== 'low' && value !== undefined && isPlaceholder(value);
      const finding: Finding = { tag, keyword, category: c.category, severity: placeholder ? 'low' : c.severity, sequence, private: false };
      if (value !== undefined) finding.value = clip(value);
      else finding.note = `${el.hadUndefinedLength ? 'undefined-length' : `${el.length} bytes of`} binary data`;
      if (placeholder) finding.note = 'looks like a placeholder left by a de-identification tool';
      findingIndex = addFinding(walk, finding);
    } else if (isPrivate) {
      creator = creatorOf(info);
      // Text a person could have typed narrows things down; codes, numbers and binary data do not.
      const typed = value !== undefined && (vrFlags(textVr) & PRIVATE_TEXT) !== 0 && !isPlaceholder(value);
      const finding: Finding = { tag, keyword, category: 'private-data', severity: typed ? 'medium' : 'low', sequence, private: true };
      if (creator) finding.creator = creator;
      if (value !== undefined) finding.value = clip(value);
      else finding.note = `${el.length} bytes of vendor data`;
      findingIndex = addFinding(walk, finding);
    }
    if (value !== undefined && (vrFlags(textVr) & REPEAT_TARGET) !== 0) {
      const text: TextValue = { tag, keyword, vr: textVr, sequence, private: isPrivate, value };
      if (creator) text.creator = creator;
      if (findingIndex !== undefined) text.finding = findingIndex;
      walk.texts.push(text);
    }
  }
}

function topString(ds: DataSet, tag: string, decoder: CharsetDecoder): string | undefined {
  const el = ds.elements[`x${tag.toLowerCase()}`];
  if (!el) return undefined;
  const bytes = elementBytes(ds, el);
  if (!bytes) return undefined;
  const vr = el.vr ?? lookupTag(tag)?.vr ?? 'LO';
  const v = decoder.decode(bytes, vr).trim();
  return v.length > 0 ? v : undefined;
}

function collectIdentity(ds: DataSet, decoder: CharsetDecoder, facts: DicomFacts): void {
  const patientId = topString(ds, '00100020', decoder) ?? '';
  const patientName = topString(ds, '00100010', decoder) ?? '';
  if (patientId || patientName) facts.patientKeys.push(`${patientId}\u0000${patientName}`);
  const study = topString(ds, '0020000D', decoder);
  if (study) facts.studyUids.push(study);
  const series = topString(ds, '0020000E', decoder);
  if (series) facts.seriesUids.push(series);
}

/**
 * Inspects a parsed dataset. `meta` is the file meta group (also used to recognise a DICOMDIR) and
 * `trailer` the elements after the pixel data.
 */
export function inspectDataSet(dataSet: DataSet, meta?: DataSet, trailer?: DataSet): Inspection {
  const walk: Walk = { findings: [], texts: [], unreadableItems: 0 };
  const rootDecoder = charsetDecoder(undefined);
  if (meta) walkDataSet(meta, [], rootDecoder, walk, 'meta');
  walkDataSet(dataSet, [], rootDecoder, walk, 'top');
  if (trailer) walkDataSet(trailer, [], decoderFor(dataSet, rootDecoder), walk, 'nested');

  const decoder = decoderFor(dataSet, rootDecoder);
  const mediaClass = meta ? topString(meta, '00020002', rootDecoder) : undefined;
  const records = dataSet.elements['x00041220'];
  const isDicomdir = mediaClass === '1.2.840.10008.1.3.10' || records !== undefined;
  const frames = Number(topString(dataSet, '00280008', decoder));
  const thickness = Number(topString(dataSet, '00180050', decoder));
  const facts: DicomFacts = {
    descriptions: ['00081030', '0008103E', '00181030', '00180015'].map((t) => topString(dataSet, t, decoder)).filter((v): v is string => v !== undefined),
    patientKeys: [], studyUids: [], seriesUids: [],
    hasPixelData: dataSet.elements['x7fe00010'] !== undefined,
    isDicomdir,
  };
  const assign = (key: 'modality' | 'sopClassUid' | 'imageType' | 'burnedInAnnotation' | 'recognizableVisualFeatures' | 'bodyPart', tag: string): void => {
    const v = topString(dataSet, tag, decoder);
    if (v !== undefined) facts[key] = v.toUpperCase();
  };
  assign('modality', '00080060');
  assign('sopClassUid', '00080016');
  assign('imageType', '00080008');
  assign('burnedInAnnotation', '00280301');
  assign('recognizableVisualFeatures', '00280302');
  assign('bodyPart', '00180015');
  if (Number.isFinite(frames) && frames > 0) facts.numberOfFrames = frames;
  if (Number.isFinite(thickness) && thickness > 0) facts.sliceThickness = thickness;
  const rows = topUint16(dataSet, 'x00280010');
  const columns = topUint16(dataSet, 'x00280011');
  if (rows) facts.rows = rows;
  if (columns) facts.columns = columns;
  const instance = Number(topString(dataSet, '00200013', decoder));
  if (topString(dataSet, '00200013', decoder) !== undefined && Number.isFinite(instance)) facts.instanceNumber = instance;

  if (isDicomdir && records?.items) {
    for (const item of records.items) {
      if (!item.dataSet) continue;
      const type = topString(item.dataSet, '00041430', decoder)?.toUpperCase();
      if (type === 'PATIENT') {
        const id = topString(item.dataSet, '00100020', decoder) ?? '';
        const name = topString(item.dataSet, '00100010', decoder) ?? '';
        if (id || name) facts.patientKeys.push(`${id}\u0000${name}`);
      } else if (type === 'STUDY') {
        const uid = topString(item.dataSet, '0020000D', decoder);
        if (uid) facts.studyUids.push(uid);
      } else if (type === 'SERIES') {
        const uid = topString(item.dataSet, '0020000E', decoder);
        if (uid) facts.seriesUids.push(uid);
      }
    }
  } else {
    collectIdentity(dataSet, decoder, facts);
  }

  findRepeats(walk.findings, walk.texts);
  return { findings: walk.findings, facts, unreadableItems: walk.unreadableItems };
}
