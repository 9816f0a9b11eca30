// What a picture's metadata says about a person: EXIF (GPS position, dates, camera owner and serial,
// software, captions), XMP (creators, people shown, face regions' names, places) and IPTC (by-line,
// caption, city), read with exifr; JPEG and GIF comments, PNG text chunks, WebP EXIF and XMP chunks read
// here. Each becomes a finding with a non-DICOM tag (`exif:GPSLatitude`, `xmp:dc:creator`, `iptc:By-line`,
// `jpeg:comment`...), never a value in a log.

import type { Category, Finding, Severity } from '../report';
import type { ImageFormat } from '../sniff';
import { meaningOf, type PictureTerms } from '../text/meaning';
import { jpegComments, jpegLayout, appKind } from './jpeg-file';
import { pngChunks, pngTexts } from './png-file';
import { gifLayout, webpChunk, webpChunks } from './webp-gif-files';

export interface PictureMetadata {
  findings: Finding[];
  /** EXIF orientation (1 when absent). */
  orientation: number;
  /** Names found in the metadata (upper case words), to look for in the picture's text. */
  names: string[];
  /** Why some metadata could not be read (damaged), in plain words. */
  problem?: string;
}

/** The longest value shown in a finding. */
const MAX_VALUE = 1024;

function finding(tag: string, keyword: string, category: Category, severity: Severity, value?: string, note?: string): Finding {
  const f: Finding = { tag, keyword, category, severity, sequence: [], private: false };
  if (value !== undefined) f.value = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE - 1)}…` : value;
  if (note !== undefined) f.note = note;
  return f;
}

/** Values cameras put in descriptions by default: not a caption anyone wrote. */
const DEFAULT_TEXT = /^(OLYMPUS DIGITAL CAMERA|SONY DSC|DIGITAL CAMERA|KONICA MINOLTA DIGITAL CAMERA|MINOLTA DIGITAL CAMERA|SAMSUNG|DEFAULT|SCREENSHOT|UNTITLED|IMAGE|PICTURE|\s*|[\s?.\-_]+)$/i;

const NO_TERMS: PictureTerms = { names: [], staff: [], identifiers: [], institution: [], birthDates: [], otherDates: [] };

/** A caption, comment or title: medium, high when it looks like a name, a date, an ID or a phone number. */
function textFinding(tag: string, keyword: string, value: string): Finding {
  if (DEFAULT_TEXT.test(value)) return finding(tag, keyword, 'free-text', 'low', value, 'a default text of the camera or program');
  const meaning = meaningOf(value, NO_TERMS);
  if (meaning.looksLike.length > 0) return finding(tag, keyword, 'free-text', 'high', value, 'text stored with the picture that looks identifying');
  return finding(tag, keyword, 'free-text', 'medium', value, 'text stored with the picture');
}

type Rule = { category: Category; severity: Severity; note?: string } | 'text' | 'skip';

/** What EXIF and TIFF fields mean (exifr's names). Fields not listed are not findings. */
const EXIF_RULES: Readonly<Record<string, Rule>> = {
  Artist: { category: 'name', severity: 'high', note: 'the name of who made the picture' },
  XPAuthor: { category: 'name', severity: 'high', note: 'the name of who made the picture' },
  OwnerName: { category: 'name', severity: 'high', note: "the camera owner's name" },
  CameraOwnerName: { category: 'name', severity: 'high', note: "the camera owner's name" },
  Copyright: { category: 'name', severity: 'medium', note: 'a copyright holder, often the photographer' },
  SerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one camera' },
  BodySerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one camera' },
  LensSerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one lens' },
  InternalSerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one camera' },
  ImageUniqueID: { category: 'uids', severity: 'low' },
  HostComputer: { category: 'device', severity: 'low' },
  Make: { category: 'device', severity: 'low' },
  Model: { category: 'device', severity: 'low' },
  LensMake: { category: 'device', severity: 'low' },
  LensModel: { category: 'device', severity: 'low' },
  Software: { category: 'device', severity: 'low' },
  ProcessingSoftware: { category: 'device', severity: 'low' },
  DateTimeOriginal: { category: 'dates', severity: 'low', note: 'when the picture was taken' },
  CreateDate: { category: 'dates', severity: 'low' },
  DateTimeDigitized: { category: 'dates', severity: 'low' },
  ModifyDate: { category: 'dates', severity: 'low' },
  DateTime: { category: 'dates', severity: 'low' },
  ImageDescription: 'text',
  UserComment: 'text',
  XPComment: 'text',
  XPTitle: 'text',
  XPSubject: 'text',
  XPKeywords: 'text',
  DocumentName: 'text',
  PageName: 'text',
};

/** IPTC datasets (exifr's names) and the names exiftool and the standard give them. */
const IPTC_RULES: Readonly<Record<string, { name: string; rule: Rule }>> = {
  Byline: { name: 'By-line', rule: { category: 'name', severity: 'high', note: 'the name of who made the picture' } },
  BylineTitle: { name: 'By-lineTitle', rule: { category: 'people-and-institution', severity: 'medium' } },
  Writer: { name: 'Writer-Editor', rule: { category: 'name', severity: 'high' } },
  Contact: { name: 'Contact', rule: { category: 'contact', severity: 'high' } },
  Credit: { name: 'Credit', rule: { category: 'name', severity: 'medium' } },
  Source: { name: 'Source', rule: { category: 'people-and-institution', severity: 'medium' } },
  CopyrightNotice: { name: 'CopyrightNotice', rule: { category: 'name', severity: 'medium' } },
  Caption: { name: 'Caption-Abstract', rule: 'text' },
  Headline: { name: 'Headline', rule: 'text' },
  ObjectName: { name: 'ObjectName', rule: 'text' },
  Keywords: { name: 'Keywords', rule: 'text' },
  SpecialInstructions: { name: 'SpecialInstructions', rule: 'text' },
  City: { name: 'City', rule: { category: 'location', severity: 'medium', note: 'where the picture was taken' } },
  Sublocation: { name: 'Sub-location', rule: { category: 'location', severity: 'medium', note: 'where the picture was taken' } },
  State: { name: 'Province-State', rule: { category: 'location', severity: 'medium', note: 'where the picture was taken' } },
  Country: { name: 'Country-PrimaryLocationName', rule: { category: 'location', severity: 'low' } },
  DateCreated: { name: 'DateCreated', rule: { category: 'dates', severity: 'low' } },
};

/** XMP fields by namespace prefix and name. A prefix's `*` rule covers its other fields. */
const XMP_RULES: Readonly<Record<string, Readonly<Record<string, Rule>>>> = {
  dc: {
    creator: { category: 'name', severity: 'high', note: 'the name of who made the picture' },
    contributor: { category: 'name', severity: 'high' },
    publisher: { category: 'name', severity: 'medium' },
    rights: { category: 'name', severity: 'medium', note: 'a copyright holder, often the photographer' },
    description: 'text',
    title: 'text',
    subject: 'text',
    '*': 'skip',
  },
  Iptc4xmpExt: {
    PersonInImage: { category: 'name', severity: 'high', note: 'a person shown in the picture' },
    LocationShown: { category: 'location', severity: 'medium' },
    LocationCreated: { category: 'location', severity: 'medium' },
    '*': 'text',
  },
  Iptc4xmpCore: {
    CreatorContactInfo: { category: 'contact', severity: 'high', note: "the creator's address, phone or e-mail" },
    Location: { category: 'location', severity: 'medium', note: 'where the picture was taken' },
    CountryCode: { category: 'location', severity: 'low' },
    '*': 'text',
  },
  photoshop: {
    AuthorsPosition: { category: 'people-and-institution', severity: 'medium' },
    CaptionWriter: { category: 'name', severity: 'high' },
    Credit: { category: 'name', severity: 'medium' },
    Source: { category: 'people-and-institution', severity: 'medium' },
    City: { category: 'location', severity: 'medium', note: 'where the picture was taken' },
    State: { category: 'location', severity: 'medium', note: 'where the picture was taken' },
    Country: { category: 'location', severity: 'low' },
    Headline: 'text',
    Instructions: 'text',
    DateCreated: { category: 'dates', severity: 'low' },
    '*': 'skip',
  },
  'mwg-rs': { Regions: { category: 'name', severity: 'high', note: 'names of people whose faces are marked in the picture' }, '*': 'skip' },
  MP: { RegionInfo: { category: 'name', severity: 'high', note: 'names of people whose faces are marked in the picture' }, '*': 'skip' },
  MPRI: { '*': { category: 'name', severity: 'high', note: 'names of people whose faces are marked in the picture' } },
  MPReg: { PersonDisplayName: { category: 'name', severity: 'high', note: 'a person marked in the picture' }, '*': 'skip' },
  exifEX: {
    CameraOwnerName: { category: 'name', severity: 'high', note: "the camera owner's name" },
    BodySerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one camera' },
    LensSerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one lens' },
    '*': 'skip',
  },
  aux: {
    SerialNumber: { category: 'device', severity: 'medium', note: 'a serial number ties the picture to one camera' },
    OwnerName: { category: 'name', severity: 'high', note: "the camera owner's name" },
    LensSerialNumber: { category: 'device', severity: 'medium' },
    '*': 'skip',
  },
  tiff: {
    Artist: { category: 'name', severity: 'high', note: 'the name of who made the picture' },
    Copyright: { category: 'name', severity: 'medium' },
    ImageDescription: 'text',
    '*': 'skip',
  },
  xmp: {
    CreatorTool: { category: 'device', severity: 'low' },
    CreateDate: { category: 'dates', severity: 'low' },
    ModifyDate: { category: 'dates', severity: 'low' },
    MetadataDate: { category: 'dates', severity: 'low' },
    Label: 'text',
    Author: { category: 'name', severity: 'high' },
    '*': 'skip',
  },
  xmpRights: { Owner: { category: 'name', severity: 'medium' }, '*': 'skip' },
  pdf: { Author: { category: 'name', severity: 'high' }, Keywords: 'text', '*': 'skip' },
  xmpMM: { '*': { category: 'uids', severity: 'low' } },
};

/** Namespaces exifr reports that are not XMP (its own blocks). */
const NOT_XMP = new Set(['ifd0', 'ifd1', 'exif', 'gps', 'interop', 'iptc', 'ihdr', 'jfif', 'icc', 'makerNote', 'userComment', 'errors', 'x', 'rdf', 'xml', 'xmlns']);

/** Every text of a value: strings, numbers, and the leaves of XMP's arrays and structures (lang alternatives, regions). */
function textsOf(value: unknown, depth = 0): string[] {
  if (depth > 8 || value === null || value === undefined) return [];
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (typeof value === 'number') return [String(value)];
  if (value instanceof Uint8Array) return [];
  if (Array.isArray(value)) return value.flatMap((v) => textsOf(v, depth + 1));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Language alternatives: { lang, value }.
    if (typeof record.value === 'string' && 'lang' in record) return textsOf(record.value, depth + 1);
    return Object.entries(record)
      // Face regions: the names, not the geometry.
      .filter(([k]) => !/^(Area|stArea|Rectangle|AppliedToDimensions|Type|Extensions|lang|x|y|w|h|unit)$/i.test(k))
      .flatMap(([, v]) => textsOf(v, depth + 1));
  }
  return [];
}

function joinTexts(value: unknown): string | undefined {
  const texts = [...new Set(textsOf(value))];
  return texts.length > 0 ? texts.join('; ') : undefined;
}

function apply(out: Finding[], tag: string, keyword: string, rule: Rule, value: string | undefined): void {
  if (rule === 'skip' || value === undefined) return;
  if (rule === 'text') {
    out.push(textFinding(tag, keyword, value));
    return;
  }
  out.push(finding(tag, keyword, rule.category, rule.severity, value, rule.note));
}

/** UserComment as stored: an 8-byte character code, then the text. */
function userComment(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim() || undefined;
  if (!(raw instanceof Uint8Array) || raw.length <= 8) return undefined;
  const code = String.fromCharCode(...raw.subarray(0, 8)).replace(/\0+$/, '');
  const body = raw.subarray(8);
  let text: string;
  if (code === 'UNICODE') {
    const bigEndian = body[0] === 0 && body[1] !== 0;
    text = new TextDecoder(bigEndian ? 'utf-16be' : 'utf-16le').decode(body);
  } else {
    text = new TextDecoder('utf-8').decode(body);
  }
  text = text.replace(/\0+/g, ' ').trim();
  return text || undefined;
}

/** Windows' XP fields: UCS-2 little-endian bytes (or already text). */
function windowsText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.replace(/\0+/g, '').trim() || undefined;
  const bytes = raw instanceof Uint8Array ? raw : Array.isArray(raw) && raw.every((v) => typeof v === 'number') ? new Uint8Array(raw as number[]) : undefined;
  if (!bytes) return undefined;
  return new TextDecoder('utf-16le').decode(bytes).replace(/\0+/g, '').trim() || undefined;
}

/** Degrees from EXIF's [degrees, minutes, seconds] (or a number, or XMP's "52,13.782N"). */
function degrees(value: unknown, ref: unknown): number | undefined {
  let d: number | undefined;
  let sign = 1;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    d = (value[0] ?? 0) + (value[1] ?? 0) / 60 + (value[2] ?? 0) / 3600;
  } else if (typeof value === 'number') {
    d = value;
  } else if (typeof value === 'string') {
    const m = value.trim().match(/^(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?(?:,(\d+(?:\.\d+)?))?\s*([NSEW])?$/i);
    if (m) {
      d = Number(m[1]) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600;
      if (m[4] && /[SW]/i.test(m[4])) sign = -1;
    }
  }
  if (d === undefined || !Number.isFinite(d)) return undefined;
  if (typeof ref === 'string' && /^[SW]/i.test(ref)) sign = -1;
  return sign * d;
}

function position(lat: unknown, latRef: unknown, lon: unknown, lonRef: unknown): string | undefined {
  const a = degrees(lat, latRef);
  const b = degrees(lon, lonRef);
  if (a === undefined || b === undefined || Math.abs(a) > 90 || Math.abs(b) > 180) return undefined;
  // 0,0 is a placeholder some programs write, not a place.
  if (a === 0 && b === 0) return undefined;
  return `${a.toFixed(5)}, ${b.toFixed(5)}`;
}

/** What exifr gives with EXIFR_OPTIONS: its blocks (ifd0, exif, gps, ifd1, iptc) and one per XMP namespace. */
export type ExifrOutput = Record<string, Record<string, unknown> | unknown>;

function blockOf(output: ExifrOutput, name: string): Record<string, unknown> {
  const block = output[name];
  return block && typeof block === 'object' && !(block instanceof Uint8Array) ? (block as Record<string, unknown>) : {};
}

/** Findings of what exifr read, added to `out`. */
export function exifrFindings(output: ExifrOutput, out: Finding[]): void {
  const ifd0 = blockOf(output, 'ifd0');
  const exif = blockOf(output, 'exif');
  const gps = blockOf(output, 'gps');
  for (const [key, value] of [...Object.entries(ifd0), ...Object.entries(exif)]) {
    const rule = EXIF_RULES[key];
    if (!rule) continue;
    const text = key === 'UserComment' ? userComment(value) : key.startsWith('XP') ? windowsText(value) : joinTexts(value);
    apply(out, `exif:${key}`, key, rule, text);
  }
  const comment = userComment(output.userComment);
  if (comment !== undefined && !out.some((f) => f.tag === 'exif:UserComment')) apply(out, 'exif:UserComment', 'UserComment', 'text', comment);
  const place = position(gps.GPSLatitude, gps.GPSLatitudeRef, gps.GPSLongitude, gps.GPSLongitudeRef);
  if (place) out.push(finding('exif:GPSLatitude', 'GPSPosition', 'location', 'high', place, 'the GPS position where the picture was taken: it can be a home or a hospital'));
  const destination = position(gps.GPSDestLatitude, gps.GPSDestLatitudeRef, gps.GPSDestLongitude, gps.GPSDestLongitudeRef);
  if (destination) out.push(finding('exif:GPSDestLatitude', 'GPSDestination', 'location', 'high', destination, 'a GPS position stored with the picture'));
  if (gps.GPSAltitude !== undefined && place) out.push(finding('exif:GPSAltitude', 'GPSAltitude', 'location', 'low', joinTexts(gps.GPSAltitude)));
  for (const key of ['GPSDateStamp', 'GPSTimeStamp']) {
    if (gps[key] !== undefined) out.push(finding(`exif:${key}`, key, 'dates', 'low', joinTexts(gps[key])));
  }
  for (const key of ['GPSAreaInformation', 'GPSProcessingMethod']) {
    const text = userComment(gps[key]);
    if (text !== undefined) out.push(finding(`exif:${key}`, key, 'location', 'medium', text, 'a place stored with the picture'));
  }
  const ifd1 = blockOf(output, 'ifd1');
  if (ifd1.ThumbnailOffset !== undefined || ifd1.ThumbnailLength !== undefined || ifd1.StripOffsets !== undefined) {
    out.push(finding('exif:thumbnail', 'Thumbnail', 'picture-content', 'low', undefined, 'a small copy of the picture is stored with it: it can show what was cropped or edited out (left out of the cleaned copy)'));
  }
  const iptc = blockOf(output, 'iptc');
  for (const [key, value] of Object.entries(iptc)) {
    const known = IPTC_RULES[key];
    if (!known) continue;
    apply(out, `iptc:${known.name}`, known.name, known.rule, joinTexts(value));
  }
  // XMP: every namespace exifr parsed (its exif namespace goes into the EXIF block: handled above, and below).
  for (const [prefix, block] of Object.entries(output)) {
    if (NOT_XMP.has(prefix) || !block || typeof block !== 'object' || block instanceof Uint8Array) continue;
    const rules = XMP_RULES[prefix];
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const rule = rules?.[key] ?? rules?.['*'];
      const text = joinTexts(value);
      if (rule) {
        apply(out, `xmp:${prefix}:${key}`, key, rule, text);
      } else if (text !== undefined && meaningOf(text, NO_TERMS).looksLike.some((k) => k === 'name' || k === 'phone' || k === 'identifier')) {
        // A field this tool does not know, whose text looks like a name, a phone number or an ID.
        out.push(finding(`xmp:${prefix}:${key}`, key, 'free-text', 'medium', text, 'metadata text that looks identifying'));
      }
    }
  }
  // XMP's exif:GPSLatitude ("52,13.782N"), which exifr puts into the EXIF block.
  const xmpPlace = position(exif.GPSLatitude, undefined, exif.GPSLongitude, undefined);
  if (xmpPlace && !place) out.push(finding('xmp:exif:GPSLatitude', 'GPSPosition', 'location', 'high', xmpPlace, 'the GPS position where the picture was taken: it can be a home or a hospital'));
}

/** What exifr is asked for: everything about people and places, no ICC profile, no maker notes. */
const EXIFR_OPTIONS = {
  tiff: true, ifd0: {}, ifd1: true, exif: true, gps: true, interop: false, xmp: true, iptc: true, icc: false, jfif: false, ihdr: false,
  makerNote: false, userComment: true, multiSegment: true, mergeOutput: false, translateKeys: true, translateValues: false,
  reviveValues: false, sanitize: true, silentErrors: true,
} as const;

interface Exifr {
  parse: typeof import('exifr').parse;
  sidecar: typeof import('exifr').sidecar;
}
let exifrModule: Promise<Exifr> | undefined;
/** exifr, loaded on first use (its named exports: the same in its ES module and, through Node, its UMD build). */
function exifr(): Promise<Exifr> {
  exifrModule ??= import('exifr').then((m) => ({ parse: m.parse, sidecar: m.sidecar }));
  return exifrModule;
}

/** The XMP packet inside some bytes (a GIF application block, a WebP chunk). */
function xmpPacket(bytes: Uint8Array): string | undefined {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const start = text.indexOf('<x:xmpmeta');
  const end = text.indexOf('</x:xmpmeta>');
  if (start >= 0 && end > start) return text.slice(start, end + '</x:xmpmeta>'.length);
  const rdf = text.indexOf('<rdf:RDF');
  const rdfEnd = text.indexOf('</rdf:RDF>');
  return rdf >= 0 && rdfEnd > rdf ? text.slice(rdf, rdfEnd + '</rdf:RDF>'.length) : undefined;
}

/** The upper-case words of the names the metadata holds. */
function namesOf(findings: readonly Finding[]): string[] {
  const out = new Set<string>();
  for (const f of findings) {
    if (f.category !== 'name' || f.value === undefined) continue;
    for (const word of f.value.toUpperCase().split(/[^\p{L}]+/u)) if (word.length >= 3) out.add(word);
  }
  return [...out];
}

/**
 * Reads a picture's metadata. Never throws: damaged metadata gives what could be read and a `problem`
 * (the picture is then not called clean).
 */
export async function readPictureMetadata(bytes: Uint8Array, format: ImageFormat): Promise<PictureMetadata> {
  const findings: Finding[] = [];
  const problems: string[] = [];
  let orientation = 1;
  const parse = async (input: Uint8Array, sidecar = false): Promise<void> => {
    try {
      const lib = await exifr();
      const output = (sidecar ? await lib.sidecar(input, EXIFR_OPTIONS, 'xmp') : await lib.parse(input, EXIFR_OPTIONS)) as ExifrOutput | undefined;
      if (!output) return;
      const o = blockOf(output, 'ifd0').Orientation;
      if (typeof o === 'number' && o >= 1 && o <= 8) orientation = o;
      exifrFindings(output, findings);
      const errors = output.errors;
      if (Array.isArray(errors) && errors.length > 0) problems.push('part of its metadata is damaged');
    } catch {
      problems.push('its metadata could not be read (it is damaged)');
    }
  };
  try {
    switch (format) {
      case 'jpeg': {
        await parse(bytes);
        const layout = jpegLayout(bytes);
        for (const text of jpegComments(bytes, layout)) findings.push(textFinding('jpeg:comment', 'Comment', text));
        const kinds = new Set(layout.segments.filter((s) => s.marker >= 0xe0 && s.marker <= 0xef).map((s) => appKind(bytes, s)));
        if (kinds.has('mpf') || layout.trailing) {
          findings.push(finding('jpeg:trailer', 'EmbeddedPictures', 'picture-content', 'low', undefined, 'more pictures are stored after the main one (a preview or a depth map): left out of the cleaned copy'));
        }
        for (const kind of kinds) {
          if (/^app(3|4|5|6|7|8|9|10|11|12|15)$/.test(kind)) {
            findings.push(finding(`jpeg:${kind}`, 'VendorData', 'private-data', 'low', undefined, 'vendor data stored with the picture: left out of the cleaned copy'));
          }
        }
        break;
      }
      case 'png': {
        const { chunks } = pngChunks(bytes);
        await parse(bytes);
        for (const { keyword, text } of pngTexts(bytes, chunks)) {
          if (keyword === 'XML:com.adobe.xmp' || /^Raw profile type/i.test(keyword)) continue;
          if (!text.trim()) continue;
          if (/^(Author|Copyright)$/i.test(keyword)) findings.push(finding(`png:${keyword}`, keyword, 'name', 'high', text.trim(), 'the name of who made the picture'));
          else if (/^(Creation Time|date:.*|create-date|modify-date)$/i.test(keyword)) findings.push(finding(`png:${keyword}`, keyword, 'dates', 'low', text.trim()));
          else if (/^(Software|Source)$/i.test(keyword)) findings.push(finding(`png:${keyword}`, keyword, 'device', 'low', text.trim()));
          else findings.push(textFinding(`png:${keyword}`, keyword, text.trim()));
        }
        if (chunks.some((c) => c.type === 'tIME')) findings.push(finding('png:tIME', 'LastModified', 'dates', 'low'));
        break;
      }
      case 'webp': {
        const { chunks } = webpChunks(bytes);
        const exif = webpChunk(bytes, chunks, 'EXIF');
        if (exif) {
          // Some writers keep JPEG's "Exif\0\0" before the TIFF header.
          const tiff = exif[0] === 0x45 && exif[1] === 0x78 ? exif.subarray(6) : exif;
          await parse(tiff.slice());
        }
        const xmp = webpChunk(bytes, chunks, 'XMP ');
        const packet = xmp ? xmpPacket(xmp) : undefined;
        if (packet) await parse(new TextEncoder().encode(packet), true);
        break;
      }
      case 'gif': {
        const layout = gifLayout(bytes);
        for (const text of layout.comments) findings.push(textFinding('gif:comment', 'Comment', text));
        for (const text of layout.plainTexts) findings.push(textFinding('gif:plain-text', 'PlainText', text));
        if (layout.applications.some((a) => a.startsWith('XMP Data'))) {
          const packet = xmpPacket(bytes);
          if (packet) await parse(new TextEncoder().encode(packet), true);
        }
        break;
      }
      case 'heif': {
        // exifr reads the Exif item; the XMP item (a packet in the file) is found by its markers.
        await parse(bytes);
        const packet = xmpPacket(bytes);
        if (packet) await parse(new TextEncoder().encode(packet), true);
        break;
      }
      default:
        // TIFF: exifr reads its IFDs, Exif, GPS, IPTC and XMP itself.
        await parse(bytes);
    }
  } catch {
    problems.push('the structure of the file is damaged');
  }
  return {
    findings,
    orientation,
    names: namesOf(findings),
    ...(problems.length > 0 ? { problem: [...new Set(problems)].join('; ') } : {}),
  };
}
