// Odd DICOM input to the de-identifier: values it cannot read (undefined lengths outside sequences, values
// running past the end), sequences hidden in UN (undefined length, damaged), invalid VRs, text that keeps
// non-ASCII characters after its identifying terms are taken out (each character set), Retain Safe Private
// with orphan, unreadable or mistyped private elements, damaged encapsulated pixel data and trailers, broken
// file meta groups and deflate streams, and DICOMDIRs with missing or dangling links. Each either comes out
// cleaned as the profile says or fails with a plain reason that holds no value from the file.

import { afterAll, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import { deflateSync, inflateSync } from 'fflate';
import { deidentifyFiles, type DeidentifyOptions, type DeidentifyResult } from '../../src/core/deidentify';
import { ExpectedFindings } from '../../src/core/dicom/expected-findings';
import { DEFAULT_HEADER_LIMITS, readDicomHeader } from '../../src/core/dicom/header';
import { bytesSource } from '../../src/core/source';
import type { Finding } from '../../src/core/report';
import { concatBytes, writeDicom, tag, type El, type TransferSyntax } from '../fixtures/dicom-writer';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';
import { blobOf, containsText, dumpLines, metaEnd } from '../support/dicom-output';

afterAll(cleanUpDcmtk);

const KEY = new Uint8Array(32).fill(5);
const CT = '1.2.840.10008.5.1.4.1.1.2';
const NAME = 'DOE^JOHN';
const PATIENT_ID = 'PID-4711';
const STUDY_UID = '1.2.826.0.1.3680043.10.1137.42.1';
const INSTANCE_UID = '1.2.826.0.1.3680043.10.1137.42.1.1.1';
const REFERENCED_UID = '1.2.826.0.1.3680043.10.1137.42.9.9';

/** A small CT header naming a patient; `extra` elements are added to it. */
function header(extra: El[] = []): El[] {
  return [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: CT },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: INSTANCE_UID },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: NAME },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: PATIENT_ID },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: STUDY_UID },
    ...extra,
  ];
}

// ---- raw bytes, for encodings the fixture writer refuses to write -----------------------------------------

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** An explicit VR little endian element header; `length` defaults to the value's (any VR, even an invalid one). */
function explicitHeader(t: number, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr);
  const out = new Uint8Array(long ? 12 : 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, t >>> 16, true);
  view.setUint16(2, t & 0xffff, true);
  out.set(ascii(vr), 4);
  if (long) view.setUint32(8, length, true);
  else view.setUint16(6, length, true);
  return out;
}

function explicitEl(t: number, vr: string, value: Uint8Array, length = value.length): Uint8Array {
  return concatBytes(explicitHeader(t, vr, length), value);
}

/** Tag and 4-byte length: implicit VR elements, items and delimiters. */
function tagLength(t: number, length: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint16(0, t >>> 16, true);
  view.setUint16(2, t & 0xffff, true);
  view.setUint32(4, length, true);
  return out;
}

const ITEM = tag(0xfffe, 0xe000);
const ITEM_END = tag(0xfffe, 0xe00d);
const SEQUENCE_END = tag(0xfffe, 0xe0dd);

/** An implicit VR element with its value. */
function implicitEl(t: number, value: Uint8Array): Uint8Array {
  return concatBytes(tagLength(t, value.length), value);
}

/** A value of undefined length ended by an item delimiter, as dicom-parser reads non-sequence elements. */
function undefinedLengthValue(value: Uint8Array): Uint8Array {
  return concatBytes(value, tagLength(ITEM_END, 0));
}

/** A file from the fixture writer with raw bytes appended to its dataset (no pixel data). */
function withRaw(ts: TransferSyntax, dataset: El[], ...raw: Uint8Array[]): Uint8Array {
  return concatBytes(writeDicom(dataset, { transferSyntax: ts }), ...raw);
}

// ---- running and reading back -------------------------------------------------------------------------

async function run(bytes: Uint8Array, options: Partial<DeidentifyOptions> = {}): Promise<DeidentifyResult> {
  const [result] = await deidentifyFiles([{ path: 'edge.dcm', file: blobOf(bytes) }], { key: KEY, options });
  return result!;
}

async function cleaned(bytes: Uint8Array, options: Partial<DeidentifyOptions> = {}): Promise<Uint8Array> {
  const result = await run(bytes, options);
  expect(result.status, result.reason).toBe('cleaned');
  return new Uint8Array(await result.output!.arrayBuffer());
}

async function failure(bytes: Uint8Array, options: Partial<DeidentifyOptions> = {}): Promise<string> {
  const result = await run(bytes, options);
  expect(result.status).toBe('failed');
  expect(result.output).toBeUndefined();
  const reason = result.reason!;
  // A reason never repeats a value of the file.
  for (const value of ['DOE', 'JOHN', PATIENT_ID, STUDY_UID, INSTANCE_UID]) expect(reason).not.toContain(value);
  return reason;
}

/** The cleaned file as dicom-parser (an independent reader) sees it. */
function parsed(bytes: Uint8Array): dicomParser.DataSet {
  return dicomParser.parseDicom(bytes);
}

function valueOf(ds: dicomParser.DataSet, key: string): Uint8Array | undefined {
  const el = ds.elements[key];
  return el ? ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length) : undefined;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function noIdentity(bytes: Uint8Array): void {
  for (const text of ['DOE', 'JOHN', PATIENT_ID, STUDY_UID, INSTANCE_UID]) expect(containsText(bytes, text), text).toBe(false);
}

// ---------------------------------------------------------------------------------------------------------

describe('values that cannot be read make the file fail, naming the element', () => {
  it.each([
    // Explicit VR: a long VR outside a sequence with undefined length (dicom-parser finds its end by the item delimiter).
    ['explicit OW of a tag the profile does not name', 'explicit-le', explicitHeader(tag(0x0028, 0x1201), 'OW', UNDEFINED), {}, '(0028,1201)'],
    // Implicit VR, a tag no dictionary knows, its value not a sequence.
    ['implicit unknown tag', 'implicit-le', tagLength(tag(0x0018, 0x9ff0), UNDEFINED), {}, '(0018,9FF0)'],
    // A U row (new UID), a C row under Modified Dates (moved date) and a D row of VR UI (dummy UID).
    ['implicit UID', 'implicit-le', tagLength(tag(0x0020, 0x0052), UNDEFINED), {}, '(0020,0052)'],
    ['implicit date moved by Modified Dates', 'implicit-le', tagLength(tag(0x0008, 0x0020), UNDEFINED), { retainLongitudinalModifiedDates: true }, '(0008,0020)'],
    ['implicit dummy UID', 'implicit-le', tagLength(tag(0x006a, 0x0003), UNDEFINED), {}, '(006A,0003)'],
  ] as const)('%s', async (_name, ts, elementHeader, options, shown) => {
    const bytes = withRaw(ts, header(), elementHeader, undefinedLengthValue(Uint8Array.from([1, 2, 3, 4])));
    const reason = await failure(bytes, options);
    expect(reason).toBe(`it could not be cleaned completely: element ${shown} has a value that could not be read`);
  });

  it('an element inside a UN-encoded sequence whose value runs past the end of the file', async () => {
    // (0008,9215) as UN: one implicit VR item holding Rows, whose length says 64 bytes but 2 are left.
    const rows = concatBytes(tagLength(tag(0x0028, 0x0010), 64), Uint8Array.from([0, 2]));
    const un = concatBytes(tagLength(ITEM, rows.length), rows);
    const bytes = withRaw('explicit-le', header(), explicitEl(tag(0x0008, 0x9215), 'UN', un));
    expect(await failure(bytes)).toBe('it could not be cleaned completely: element (0028,0010) has a value that could not be read');
  });
});

describe('sequences encoded as UN', () => {
  it('a UN sequence of undefined length in an explicit VR file is cleaned item by item and stays UN', async () => {
    // Referenced Image Sequence (X/Z/U*): its items keep the reference, the instance UID replaced, and lose the rest.
    const item = concatBytes(
      implicitEl(tag(0x0008, 0x1150), ascii(`${CT}\0`)),
      implicitEl(tag(0x0008, 0x1155), ascii(`${REFERENCED_UID}\0`)),
      implicitEl(tag(0x0010, 0x0010), ascii(NAME)),
    );
    const un = concatBytes(tagLength(ITEM, item.length), item, tagLength(SEQUENCE_END, 0));
    const bytes = withRaw('explicit-le', header(), explicitHeader(tag(0x0008, 0x1140), 'UN', UNDEFINED), un);
    const out = await cleaned(bytes);
    noIdentity(out);
    expect(containsText(out, REFERENCED_UID)).toBe(false);
    const ds = parsed(out);
    const seq = ds.elements['x00081140']!;
    expect(seq.vr).toBe('UN');
    expect(seq.hadUndefinedLength).toBe(true);
    expect(seq.items).toHaveLength(1);
    const inner = seq.items![0]!.dataSet!;
    expect(inner.string('x00081150')).toBe(CT);
    expect(inner.string('x00081155')).toMatch(/^2\.25\.\d+$/);
    expect(inner.elements['x00100010']).toBeUndefined();
  });

  it('a damaged UN sequence of a tag the profile does not name is kept as the bytes it is', async () => {
    // The item says 4000 bytes; 8 follow. It cannot be read as items, so it is a value like any other.
    const damaged = concatBytes(tagLength(ITEM, 4000), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const bytes = withRaw('explicit-le', header(), explicitEl(tag(0x0008, 0x9215), 'UN', damaged));
    const out = await cleaned(bytes);
    const ds = parsed(out);
    expect(ds.elements['x00089215']!.vr).toBe('UN');
    expect([...valueOf(ds, 'x00089215')!]).toEqual([...damaged]);
  });

  it('a damaged UN sequence holding the patient name is never passed on', async () => {
    const damaged = concatBytes(tagLength(ITEM, 4000), implicitEl(tag(0x0010, 0x0010), ascii(NAME)));
    const bytes = withRaw('explicit-le', header(), explicitEl(tag(0x0008, 0x9215), 'UN', damaged));
    expect(await failure(bytes)).toBe('an identifying value of the original was still found in the cleaned header, in (0008,9215)');
  });

  it('a UID attribute encoded as a sequence is written as an empty sequence', async () => {
    const item = implicitEl(tag(0x0010, 0x0010), ascii(NAME));
    const un = concatBytes(tagLength(ITEM, item.length), item, tagLength(SEQUENCE_END, 0));
    const bytes = withRaw('explicit-le', header(), explicitHeader(tag(0x0020, 0x0052), 'UN', UNDEFINED), un);
    const out = await cleaned(bytes);
    noIdentity(out);
    const seq = parsed(out).elements['x00200052']!;
    expect(seq.vr).toBe('SQ');
    expect(seq.items).toEqual([]);
  });
});

describe('elements whose VR is odd', () => {
  it('an invalid VR in an explicit VR file is written as UN, and its row still applies', async () => {
    const bytes = withRaw('explicit-le', header(),
      explicitEl(tag(0x0010, 0x1000), 'ZZ', ascii('OTHER^ID')), // Other Patient IDs: X
      explicitEl(tag(0x0028, 0x0010), 'QQ', Uint8Array.from([0, 2]))); // Rows: on no row, kept
    const out = await cleaned(bytes);
    expect(containsText(out, 'OTHER^ID')).toBe(false);
    const ds = parsed(out);
    expect(ds.elements['x00101000']).toBeUndefined();
    expect(ds.elements['x00280010']!.vr).toBe('UN');
    expect([...valueOf(ds, 'x00280010')!]).toEqual([0, 2]);
  });

  it('a reference sequence (X/Z/U*) that is no sequence is emptied, or kept by Retain UIDs', async () => {
    const bytes = withRaw('explicit-le', header(), explicitEl(tag(0x0008, 0x1140), 'OB', Uint8Array.from([9, 8, 7, 6])));
    const basic = parsed(await cleaned(bytes));
    expect(basic.elements['x00081140']!.vr).toBe('OB');
    expect(basic.elements['x00081140']!.length).toBe(0);
    const retained = parsed(await cleaned(bytes, { retainUids: true }));
    expect([...valueOf(retained, 'x00081140')!]).toEqual([9, 8, 7, 6]);
  });
});

describe('text kept by an option loses the identifying terms, in its own character set', () => {
  const study = (charset: string | undefined, description: Uint8Array): El[] => header([
    ...(charset !== undefined ? [{ tag: tag(0x0008, 0x0005), vr: 'CS', value: charset }] : []),
    { tag: tag(0x0008, 0x1030), vr: 'LO', value: description },
  ]);
  const latin = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

  it('UTF-8 (ISO_IR 192)', async () => {
    const out = parsed(await cleaned(writeDicom(study('ISO_IR 192', new TextEncoder().encode('Kopf DOE Ärztin')), { transferSyntax: 'explicit-le' }), { cleanDescriptors: true }));
    expect(new TextDecoder().decode(valueOf(out, 'x00081030')).trim()).toBe('Kopf Ärztin');
  });

  it('Latin-1 (ISO_IR 100)', async () => {
    const out = parsed(await cleaned(writeDicom(study('ISO_IR 100', latin('Kopf DOE Ärztin')), { transferSyntax: 'explicit-le' }), { cleanDescriptors: true }));
    expect(latin1(valueOf(out, 'x00081030')!).trim()).toBe('Kopf Ärztin');
  });

  it('Cyrillic (ISO_IR 144): the text that cannot be written back faithfully is emptied', async () => {
    // ISO 8859-5: 0xB8 0xD2 0xD0 0xDD = "Иван".
    const out = parsed(await cleaned(writeDicom(study('ISO_IR 144', concatBytes(latin('DOE '), Uint8Array.from([0xb8, 0xd2, 0xd0, 0xdd]))), { transferSyntax: 'explicit-le' }), { cleanDescriptors: true }));
    expect(out.elements['x00081030']!.length).toBe(0);
  });

  it('code extensions (two character sets) are emptied too', async () => {
    const out = parsed(await cleaned(writeDicom(study('\\ISO 2022 IR 100', concatBytes(latin('DOE K'), Uint8Array.from([0xe4]), latin('se'))), { transferSyntax: 'explicit-le' }), { cleanDescriptors: true }));
    expect(out.elements['x00081030']!.length).toBe(0);
  });

  it('a VR outside the character set (AE) with a non-ASCII byte left is emptied', async () => {
    const bytes = writeDicom(header([{ tag: tag(0x0008, 0x0054), vr: 'AE', value: concatBytes(latin('DOE '), Uint8Array.from([0xc4])) }]), { transferSyntax: 'explicit-le' });
    const out = parsed(await cleaned(bytes, { retainDeviceIdentity: true }));
    expect(out.elements['x00080054']!.length).toBe(0);
  });
});

describe('Retain Safe Private keeps only safe-listed numbers under their own creator', () => {
  it('orphans, unreadable creators, reserved elements and values of the wrong VR go', async () => {
    const bytes = withRaw('explicit-le', header([
      { tag: tag(0x2005, 0x0001), vr: 'LO', value: 'RESERVED' }, // below the private blocks
      { tag: tag(0x2005, 0x0010), vr: 'LO', value: 'Philips MR Imaging DD 001' },
      { tag: tag(0x2005, 0x100d), vr: 'FL', value: 1.5 }, // scale intercept: safe, kept
      { tag: tag(0x2005, 0x100e), vr: 'LO', value: '2.0' }, // scale slope, but as text: not the VR the list allows
      { tag: tag(0x2007, 0x100d), vr: 'FL', value: 2.5 }, // no creator for its block
    ]),
    // A creator that is a UN of undefined length (no value to read), and an element of its block.
    explicitHeader(tag(0x2009, 0x0010), 'UN', UNDEFINED), tagLength(SEQUENCE_END, 0),
    explicitEl(tag(0x2009, 0x100d), 'FL', new Uint8Array(new Float32Array([3.5]).buffer)));
    const ds = parsed(await cleaned(bytes, { retainSafePrivate: true }));
    expect(ds.string('x20050010')).toBe('Philips MR Imaging DD 001');
    expect(ds.float('x2005100d')).toBe(1.5);
    const privateTags = Object.keys(ds.elements).filter((k) => parseInt(k.slice(1, 5), 16) % 2 === 1).sort();
    expect(privateTags).toEqual(['x20050010', 'x2005100d']);
  });
});

describe('Clean Graphics', () => {
  it('keeps a curve sequence with its items; without the option it goes', async () => {
    const bytes = writeDicom(header([
      { tag: tag(0x5000, 0x0005), vr: 'US', value: 1 },
      { tag: tag(0x5000, 0x2600), vr: 'SQ', items: [[{ tag: tag(0x5000, 0x2610), vr: 'US', value: 0x6000 }]] },
    ]), { transferSyntax: 'explicit-le' });
    const kept = parsed(await cleaned(bytes, { cleanGraphics: true }));
    expect(kept.uint16('x50000005')).toBe(1);
    expect(kept.elements['x50002600']!.items).toHaveLength(1);
    expect(kept.elements['x50002600']!.items![0]!.dataSet!.uint16('x50002610')).toBe(0x6000);
    const basic = parsed(await cleaned(bytes));
    expect(Object.keys(basic.elements).filter((k) => k.startsWith('x50'))).toEqual([]);
  });
});

describe('Modified Dates', () => {
  it('moves a valid date, keeps an empty one empty, and applies the profile to one that is no date', async () => {
    const bytes = writeDicom(header([
      { tag: tag(0x0008, 0x0020), vr: 'DA', value: '' }, // Study Date, Z
      { tag: tag(0x0008, 0x0021), vr: 'DA', value: '20231345' }, // Series Date, X/D: month 13
      { tag: tag(0x0008, 0x0023), vr: 'DA', value: '20200115' }, // Content Date, Z/D
    ]), { transferSyntax: 'explicit-le' });
    const out = await cleaned(bytes, { retainLongitudinalModifiedDates: true });
    expect(containsText(out, '20231345')).toBe(false);
    const ds = parsed(out);
    expect(ds.elements['x00080020']!.length).toBe(0);
    expect(ds.elements['x00080021']).toBeUndefined();
    expect(ds.string('x00080023')).toMatch(/^\d{8}$/);
    expect(ds.string('x00080023')).not.toBe('20200115');
  });
});

describe('dummy values', () => {
  it('an empty UID whose row says D gets a dummy UID', async () => {
    const bytes = writeDicom(header([{ tag: tag(0x006a, 0x0003), vr: 'UI', value: '' }]), { transferSyntax: 'explicit-le' });
    const ds = parsed(await cleaned(bytes));
    expect(ds.string('x006a0003')).toMatch(/^2\.25\.\d+$/);
  });
});

/** Deterministic bytes that do not compress (xorshift32). */
function noise(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('pixel data and what follows it', () => {
  it.each([
    ['a tag that is no item', tag(0x0008, 0x0010), 0],
    ['an item delimiter instead of the sequence delimiter', ITEM_END, 0],
    ['a fragment of undefined length', ITEM, UNDEFINED],
  ] as const)('encapsulated pixel data ending in %s fails', async (_name, last, length) => {
    const bytes = writeDicom(header(), { transferSyntax: 'jpeg-baseline', pixelData: { frames: [Uint8Array.from([0xff, 0xd8, 1, 2, 0xff, 0xd9])] } });
    // The last 8 bytes are the sequence delimiter.
    bytes.set(tagLength(last, length), bytes.length - 8);
    expect(await failure(bytes)).toBe('its pixel data is cut short or damaged');
  });

  it('elements after the pixel data are cleaned and written after it', async () => {
    const pixels = Uint8Array.from({ length: 32 }, (_, i) => i);
    const bytes = writeDicom(header(), {
      transferSyntax: 'explicit-le',
      pixelData: { bytes: pixels },
      trailing: [
        { tag: tag(0x7fe0, 0x0020), vr: 'OW', value: Uint8Array.from([1, 2, 3, 4]) }, // on no row: kept
        { tag: tag(0xfffc, 0xfffc), vr: 'OB', value: new Uint8Array(6) }, // Data Set Trailing Padding: X
      ],
    });
    const out = await cleaned(bytes);
    const ds = parsed(out);
    expect([...valueOf(ds, 'x7fe00010')!]).toEqual([...pixels]);
    expect([...valueOf(ds, 'x7fe00020')!]).toEqual([1, 2, 3, 4]);
    expect(ds.elements['x7fe00020']!.dataOffset).toBeGreaterThan(ds.elements['x7fe00010']!.dataOffset);
    expect(ds.elements['xfffcfffc']).toBeUndefined();
    expect(dumpLines(dcmdump(out, 'trailer.dcm')).map((l) => l.tag).slice(-2)).toEqual(['7FE00010', '7FE00020']);
  });

  it('more than 16 MB after the pixel data is not read', async () => {
    const bytes = writeDicom(header(), {
      transferSyntax: 'explicit-le',
      pixelData: { bytes: new Uint8Array(16) },
      trailing: [{ tag: tag(0xfffc, 0xfffc), vr: 'OB', value: new Uint8Array(16 * 1024 * 1024 + 2) }],
    });
    expect(await failure(bytes)).toBe('it holds more data after its pixel data than this tool reads');
  });

  it('data after the pixel data damaged beyond the part the header reads', async () => {
    // 64 KB of padding read whole by the header, then a sequence of undefined length that never ends.
    const bytes = concatBytes(
      writeDicom(header(), {
        transferSyntax: 'explicit-le',
        pixelData: { bytes: new Uint8Array(16) },
        trailing: [{ tag: tag(0xfffc, 0xfffc), vr: 'OB', value: new Uint8Array(64 * 1024 - 12) }],
      }),
      explicitHeader(tag(0xfffa, 0xfffa), 'SQ', UNDEFINED),
      tagLength(ITEM, 0),
    );
    expect(await failure(bytes)).toBe('the data after its pixel data could not be read');
  });
});

describe('deflated files', () => {
  it('a deflate stream damaged in the header fails', async () => {
    const bytes = writeDicom(header(), { transferSyntax: 'deflated' });
    bytes[metaEnd(bytes)] = 0xff; // final block of the reserved type 3
    expect(await failure(bytes)).toBe('its header could not be read');
  });

  it('a deflate stream cut short after the part the header reads fails', async () => {
    const bytes = writeDicom(header(), {
      transferSyntax: 'deflated',
      pixelData: { bytes: noise(512 * 1024) },
      trailing: [{ tag: tag(0xfffc, 0xfffc), vr: 'OB', value: noise(256 * 1024, 7) }],
    });
    expect(await failure(bytes.subarray(0, bytes.length - 1000))).toBe('its deflated dataset could not be inflated');
  });

  it('encapsulated pixel data with no end, in a stream inflated as far as it goes, fails', async () => {
    const whole = writeDicom(header(), { transferSyntax: 'deflated', pixelData: { frames: [noise(600 * 1024)] } });
    const end = metaEnd(whole);
    const dataset = inflateSync(whole.subarray(end));
    const bytes = concatBytes(whole.subarray(0, end), deflateSync(dataset.subarray(0, dataset.length - 8)));
    expect(await failure(bytes)).toBe('its pixel data is cut short or damaged');
  });

  it('a deflated DICOMDIR is not rewritten', async () => {
    const bytes = writeDicom([
      { tag: tag(0x0002, 0x0002), vr: 'UI', value: '1.2.840.10008.1.3.10' },
      { tag: tag(0x0002, 0x0003), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.42.77' },
      { tag: tag(0x0004, 0x1130), vr: 'CS', value: 'EDGE' },
      { tag: tag(0x0004, 0x1220), vr: 'SQ', items: [[{ tag: tag(0x0004, 0x1430), vr: 'CS', value: 'PATIENT' }, { tag: tag(0x0010, 0x0010), vr: 'PN', value: NAME }]] },
    ], { transferSyntax: 'deflated' });
    expect(await failure(bytes)).toBe('it is a deflated DICOMDIR, which this tool does not rewrite');
  });
});

describe('file meta groups', () => {
  const preamble = (): Uint8Array => concatBytes(new Uint8Array(128), ascii('DICM'));

  it('a meta group cut short fails with that reason', async () => {
    const bytes = concatBytes(preamble(), explicitEl(tag(0x0002, 0x0000), 'UL', Uint8Array.from([100, 0, 0, 0])),
      explicitEl(tag(0x0002, 0x0010), 'UI', ascii('1.2.840.10008.1.2.1\0'), 100));
    expect(await failure(bytes)).toBe('the file meta information is cut short');
  });

  it('a meta group ending exactly where the first read ends is read on', async () => {
    const build = (size: number): Uint8Array => writeDicom(header([
      { tag: tag(0x0002, 0x0100), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.42.5' },
      { tag: tag(0x0002, 0x0102), vr: 'OB', value: new Uint8Array(size).fill(0x50) },
    ]), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16) } });
    const probe = build(1000);
    const firstRead = DEFAULT_HEADER_LIMITS.initialBytes;
    const bytes = build(1000 + firstRead - metaEnd(probe));
    expect(metaEnd(bytes)).toBe(firstRead);
    const out = await cleaned(bytes);
    noIdentity(out);
    expect(out.length).toBeLessThan(8 * 1024);
    const lines = dumpLines(dcmdump(out, 'big-meta.dcm'));
    expect(lines.some((l) => l.tag === '00020102')).toBe(false);
    expect(lines.find((l) => l.tag === '00080016')?.value).toBe(CT);
  });

  it('a meta group written in implicit VR (a writer bug) is read', async () => {
    const ts = '1.2.840.10008.1.2.1\0';
    const meta = concatBytes(
      implicitEl(tag(0x0002, 0x0001), Uint8Array.from([0, 1])),
      implicitEl(tag(0x0002, 0x0002), ascii(`${CT}\0`)),
      implicitEl(tag(0x0002, 0x0003), ascii(`${INSTANCE_UID}\0`)),
      implicitEl(tag(0x0002, 0x0010), ascii(ts)),
    );
    const dataset = writeDicom(header(), { transferSyntax: 'explicit-le', preamble: false, meta: false });
    const bytes = concatBytes(preamble(), implicitEl(tag(0x0002, 0x0000), Uint8Array.from([meta.length, 0, 0, 0])), meta, dataset);
    const out = await cleaned(bytes);
    noIdentity(out);
    const lines = dumpLines(dcmdump(out, 'implicit-meta.dcm'));
    expect(lines.find((l) => l.tag === '00020010')?.value).toBe('1.2.840.10008.1.2.1');
    expect(lines.find((l) => l.tag === '00080060')?.value).toBe('CT');
  });

  it('a file that ends with its meta group has no dataset to clean', async () => {
    const whole = writeDicom(header(), { transferSyntax: 'explicit-le' });
    expect(await failure(whole.subarray(0, metaEnd(whole)))).toBe('the file ends in the middle of its header (it may be cut short or damaged)');
  });

  it('a header larger than the limit is reported in MB', async () => {
    const bytes = writeDicom(header([{ tag: tag(0x0028, 0x1201), vr: 'OW', value: new Uint8Array(1536 * 1024) }]), {
      transferSyntax: 'explicit-le',
      pixelData: { bytes: new Uint8Array(16) },
    });
    const h = await readDicomHeader(bytesSource(bytes), { layout: 'part10', offset: 132 }, { initialBytes: 64 * 1024, maxHeaderBytes: 1024 * 1024 });
    expect(h.complete).toBe(false);
    expect(h.problem).toBe('its header is larger than 1 MB, more than this tool reads');
  });
});

describe('what the de-identifier expects to find in its output', () => {
  const finding = (over: Partial<Finding>): Finding => ({ tag: '00100010', keyword: 'PatientName', category: 'name', severity: 'high', sequence: [], private: false, ...over });

  it('explains only what it wrote or kept on purpose, and never a repeated identifying value', () => {
    const expected = new ExpectedFindings();
    expect(expected.size).toBe(0);
    expected.value([], '00100010', 'ANONYMIZED ', 'a dummy');
    expected.any(['00081140'], '00081155', 'kept');
    expected.value([], '00100010', 'OTHER', 'a dummy');
    expect(expected.size).toBe(2);
    expect(expected.explain(finding({ value: 'ANONYMIZED' }))).toBe('a dummy');
    expect(expected.explain(finding({ value: 'DOE^JOHN' }))).toBeUndefined();
    expect(expected.explain(finding({}))).toBeUndefined();
    expect(expected.explain(finding({ value: 'ANONYMIZED', repeats: { tag: '00100020', keyword: 'PatientID' } }))).toBeUndefined();
    expect(expected.explain(finding({ tag: '00100020', value: 'ANONYMIZED' }))).toBeUndefined();
    expect(expected.explain(finding({ tag: '00081155', sequence: ['00081140'], value: 'anything' }))).toBe('kept');
    expect(expected.explain(finding({ tag: '00081155', value: 'anything' }))).toBeUndefined();
  });
});

describe('DICOMDIR records with missing and dangling links', () => {
  const UL = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
  const STUDY_DATE = '20200115';

  /** A PATIENT record linked to its STUDY record, which has no lower-level link and a next link pointing at no record. */
  function directory(offsets: number[]): Uint8Array {
    const at = (i: number): number => offsets[i] ?? 0;
    const records: El[][] = [
      [
        { tag: tag(0x0004, 0x1400), vr: 'UL', value: UL(0) },
        { tag: tag(0x0004, 0x1410), vr: 'US', value: 0xffff },
        { tag: tag(0x0004, 0x1420), vr: 'UL', value: UL(at(1)) },
        { tag: tag(0x0004, 0x1430), vr: 'CS', value: 'PATIENT' },
        { tag: tag(0x0010, 0x0010), vr: 'PN', value: NAME },
        { tag: tag(0x0010, 0x0020), vr: 'LO', value: PATIENT_ID },
      ],
      [
        { tag: tag(0x0004, 0x1400), vr: 'UL', value: UL(12345) },
        { tag: tag(0x0004, 0x1410), vr: 'US', value: 0xffff },
        { tag: tag(0x0004, 0x1430), vr: 'CS', value: 'STUDY' },
        { tag: tag(0x0008, 0x0020), vr: 'DA', value: STUDY_DATE },
        { tag: tag(0x0008, 0x1032), vr: 'SQ', items: [[
          { tag: tag(0x0008, 0x0100), vr: 'SH', value: 'CT123' },
          { tag: tag(0x0008, 0x0102), vr: 'SH', value: 'L' },
          { tag: tag(0x0008, 0x0104), vr: 'LO', value: 'CT HEAD DOE' },
        ]] },
        { tag: tag(0x0020, 0x000d), vr: 'UI', value: STUDY_UID },
      ],
    ];
    return writeDicom([
      { tag: tag(0x0002, 0x0002), vr: 'UI', value: '1.2.840.10008.1.3.10' },
      { tag: tag(0x0002, 0x0003), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.42.77' },
      { tag: tag(0x0004, 0x1130), vr: 'CS', value: 'EDGE' },
      { tag: tag(0x0004, 0x1200), vr: 'UL', value: UL(at(0)) },
      { tag: tag(0x0004, 0x1202), vr: 'UL', value: UL(at(0)) },
      { tag: tag(0x0004, 0x1212), vr: 'US', value: 0 },
      { tag: tag(0x0004, 0x1220), vr: 'SQ', items: records },
    ], { transferSyntax: 'explicit-le' });
  }

  const starts = (bytes: Uint8Array): number[] => parsed(bytes).elements['x00041220']!.items!.map((i) => i.dataOffset - 8);

  it('are cleaned: the dangling link becomes 0, the root points at the moved record, dates follow the patient', async () => {
    const input = directory(starts(directory([])));
    const image = writeDicom(header([{ tag: tag(0x0008, 0x0020), vr: 'DA', value: STUDY_DATE }]), { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(8) } });
    const [dirResult, imageResult] = await deidentifyFiles([{ path: 'DICOMDIR', file: blobOf(input) }, { path: 'IM1', file: blobOf(image) }], { key: KEY, options: { retainLongitudinalModifiedDates: true } });
    expect(dirResult!.status, dirResult!.reason).toBe('cleaned');
    expect(dirResult!.format).toBe('dicomdir');
    const out = new Uint8Array(await dirResult!.output!.arrayBuffer());
    noIdentity(out);
    dcmdump(out, 'DICOMDIR');
    const ds = parsed(out);
    const records = ds.elements['x00041220']!.items!;
    expect(ds.uint32('x00041200')).toBe(records[0]!.dataOffset - 8);
    expect(ds.uint32('x00041202')).toBe(records[0]!.dataOffset - 8);
    const [patient, study] = records.map((r) => r.dataSet!);
    expect(patient!.uint32('x00041400')).toBe(0);
    expect(patient!.uint32('x00041420')).toBe(records[1]!.dataOffset - 8);
    expect(study!.uint32('x00041400')).toBe(0);
    expect(study!.elements['x00041420']).toBeUndefined();
    // The code sequence inside the record is kept, its meaning without the patient's name.
    const code = study!.elements['x00081032']!.items![0]!.dataSet!;
    expect(code.string('x00080100')).toBe('CT123');
    expect(code.string('x00080104')).toBe('CT HEAD');
    // The STUDY record belongs to the PATIENT record that links to it: its date moved as the patient's image's did.
    const imageDate = parsed(new Uint8Array(await imageResult!.output!.arrayBuffer())).string('x00080020');
    expect(study!.string('x00080020')).not.toBe(STUDY_DATE);
    expect(study!.string('x00080020')).toBe(imageDate);
  });
});
