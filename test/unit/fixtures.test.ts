// Proves the test fixtures are valid DICOM by asking an independent implementation, dcmtk: dcmdump must read
// every planted fixture without one warning or error and show each planted value where it was planted, and
// dcmconv must re-encode it with the very lengths our writer computed. dcmtk missing is a failure, not a skip.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ENCAPSULATED_TRANSFER_SYNTAXES,
  TRANSFER_SYNTAX_UIDS,
  tag,
  writeDicom,
  type El,
  type TransferSyntax,
  type WriteOptions,
} from '../fixtures/dicom-writer';
import { NESTING_PATH, plantedDataset, plantedRows, type Nesting, type PlantedRow } from '../fixtures/planted';

const TRANSFER_SYNTAXES = Object.keys(TRANSFER_SYNTAX_UIDS) as TransferSyntax[];
const NESTINGS: Nesting[] = ['none', 'defined', 'undefined'];

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-fixtures-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

// ---- running dcmtk ------------------------------------------------------------------------------------

/**
 * dcmdump options: no automatic data correction (-dc), long values in full (+L), UIDs as numbers (-Un).
 * Never -q (it hides the E: and W: lines) nor +E (it prints damaged files and exits 0). Warnings count as
 * failures: dcmdump only warns, exit status 0, about elements out of tag order or present twice.
 */
const DCMDUMP_OPTIONS = ['-dc', '+L', '-Un'];

function runDcmtk(
  tool: string,
  args: string[],
  env: NodeJS.ProcessEnv = dcmtkEnvironment(),
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(tool, args, { encoding: 'latin1', env });
  if (run.error) {
    throw new Error(`${tool} could not be run (${run.error.message}). Install dcmtk (apt-get install dcmtk); CI installs it.`);
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let environment: NodeJS.ProcessEnv | undefined;

/**
 * dcmtk 3.6.7 (2022) does not know some attributes of the 2024b dictionary the fixtures follow, such as
 * ROI Creator Sequence (3006,004D), and in implicit VR would read them as UN. So dcmtk also loads a small
 * dictionary of the planted tags and their VRs, after its own files (which its debug log names).
 */
function dcmtkEnvironment(): NodeJS.ProcessEnv {
  if (environment) return environment;
  const probe = runDcmtk('dcmdump', ['-d', path.join(workDir, 'no-such-file.dcm')], process.env);
  const ownFiles = process.env.DCMDICTPATH?.split(path.delimiter) ?? [
    ...probe.stderr.matchAll(/Loading file: (.+)$/gm),
  ].map((m) => m[1] ?? '');
  const supplement = path.join(workDir, 'planted-2024b.dic');
  const entries = plantedRows()
    .filter((row) => !row.pattern)
    .map((row) => `(${row.concreteTag.slice(0, 4)},${row.concreteTag.slice(4)})\t${row.vr}\t${row.keyword}\t1\tDICOM`);
  fs.writeFileSync(supplement, `${entries.join('\n')}\n`);
  environment = { ...process.env, DCMDICTPATH: [...ownFiles, supplement].join(path.delimiter) };
  return environment;
}

function failIfUnclean(tool: string, file: string, run: { status: number | null; stderr: string }): void {
  const complaints = run.stderr.split('\n').filter((line) => line.trim() !== '');
  if (run.status !== 0 || complaints.length > 0) {
    throw new Error(`${tool} ${path.basename(file)}: exit status ${run.status}\n${complaints.join('\n')}`);
  }
}

/** dcmdump's text for a file it read without any complaint; throws with dcmdump's messages otherwise. */
function dump(file: string): string {
  const run = runDcmtk('dcmdump', [...DCMDUMP_OPTIONS, file]);
  failIfUnclean('dcmdump', file, run);
  return run.stdout;
}

/**
 * The dump of the file after dcmconv has read it and written it again in the same transfer syntax, with
 * the sequence lengths dcmtk computes itself. dcmdump alone accepts a defined length that is too short.
 */
function reencodedDump(file: string, lengths: 'defined' | 'undefined'): string {
  const out = `${file}.dcmconv`;
  const run = runDcmtk('dcmconv', ['-dc', lengths === 'defined' ? '+e' : '-e', file, out]);
  failIfUnclean('dcmconv', file, run);
  return dump(out);
}

/** The data set part of a dump, without the line naming the transfer syntax. */
function dataSetPart(dumpText: string): string {
  const start = dumpText.indexOf('# Dicom-Data-Set');
  return dumpText
    .slice(start)
    .split('\n')
    .filter((line) => !line.startsWith('# Used TransferSyntax'))
    .join('\n');
}

// ---- reading dcmdump's text ---------------------------------------------------------------------------

interface DumpedElement {
  /** Tags of the enclosing sequences, outermost first, 8 upper-case hex digits like `tag`. */
  sequence: string[];
  tag: string;
  vr: string;
  /** The value as printed: `[text]`, numbers, hex bytes or words joined by `\`, or a sequence summary. */
  printed: string;
}

/** Elements of a dump (meta and data set), placed by indentation; items and delimiters are left out. */
function parseDump(dumpText: string): DumpedElement[] {
  const elements: DumpedElement[] = [];
  const openSequences: { indent: number; tag: string }[] = [];
  for (const line of dumpText.split('\n')) {
    const match = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*) #\s*\S+, \d+ /.exec(line);
    if (!match) continue;
    const [, spaces = '', group = '', element = '', vr = '', printed = ''] = match;
    const indent = spaces.length;
    while (openSequences.length > 0 && (openSequences.at(-1)?.indent ?? 0) >= indent) openSequences.pop();
    if (group === 'fffe') continue;
    const elementTag = (group + element).toUpperCase();
    elements.push({ sequence: openSequences.map((s) => s.tag), tag: elementTag, vr, printed: printed.trimEnd() });
    if (vr === 'SQ') openSequences.push({ indent, tag: elementTag });
  }
  return elements;
}

/** The text a printed value holds: bracketed text, or hex bytes / little-endian words read as Latin-1. */
function printedText(printed: string): string {
  let text = printed;
  if (printed.startsWith('[') && printed.endsWith(']')) {
    text = printed.slice(1, -1);
  } else if (/^[0-9a-f]{2}(\\[0-9a-f]{2})*$/.test(printed)) {
    text = printed.split('\\').map((b) => String.fromCharCode(parseInt(b, 16))).join('');
  } else if (/^[0-9a-f]{4}(\\[0-9a-f]{4})*$/.test(printed)) {
    const words = printed.split('\\').map((w) => parseInt(w, 16));
    text = words.map((w) => String.fromCharCode(w & 0xff, w >> 8)).join('');
  }
  return text.replace(/[ \0]+$/, '');
}

/** Every way the dump fails to show a planted row at one nesting level; empty when all are there. */
function plantingProblems(elements: DumpedElement[], rows: PlantedRow[], sequence: string[]): string[] {
  const at = (seq: string[], elementTag: string): DumpedElement | undefined =>
    elements.find((e) => e.tag === elementTag && e.sequence.join('/') === seq.join('/'));
  const where = sequence.length === 0 ? 'top level' : `in ${sequence.join('/')}`;

  return rows.flatMap((row) => {
    const found = at(sequence, row.concreteTag);
    const name = `${row.keyword} (${row.concreteTag}) ${where}`;
    if (!found) return [`${name}: missing`];
    switch (row.form) {
      case 'numeric':
        return found.printed === String(row.number) ? [] : [`${name}: printed ${found.printed}, planted ${row.number}`];
      case 'sequence': {
        const meaning = at([...sequence, row.concreteTag], '00080104');
        if (found.vr !== 'SQ') return [`${name}: read as ${found.vr}, not SQ`];
        return meaning && printedText(meaning.printed) === row.value ? [] : [`${name}: item without CodeMeaning ${row.value}`];
      }
      case 'text':
      case 'binary':
        return printedText(found.printed) === row.value ? [] : [`${name}: printed ${found.printed}, planted ${row.value}`];
    }
  });
}

// ---- fixtures -----------------------------------------------------------------------------------------

/** 4x4 16-bit pixels, each word's two bytes different so a missing big-endian swap shows. */
const PIXEL_WORDS = Array.from({ length: 16 }, (_, i) => 0x0102 * (i + 1));
const NATIVE_PIXELS = new Uint8Array(PIXEL_WORDS.flatMap((w) => [w & 0xff, w >> 8]));
/** Not a real compressed frame: dcmtk does not decode pixel data to dump or convert a file. */
const DUMMY_FRAME = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]);

const IMAGE_PIXEL_MODULE: El[] = [
  { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
  { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
  { tag: tag(0x0028, 0x0010), vr: 'US', value: 4 },
  { tag: tag(0x0028, 0x0011), vr: 'US', value: 4 },
  { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
  { tag: tag(0x0028, 0x0101), vr: 'US', value: 16 },
  { tag: tag(0x0028, 0x0102), vr: 'US', value: 15 },
  { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
];

function isEncapsulated(syntax: TransferSyntax): boolean {
  return ENCAPSULATED_TRANSFER_SYNTAXES.includes(syntax);
}

function writePlantedFixture(syntax: TransferSyntax, nested: Nesting): { file: string; rows: PlantedRow[] } {
  const { dataset, rows } = plantedDataset({ nested });
  const planted = new Set(dataset.map((el) => el.tag));
  dataset.push(...IMAGE_PIXEL_MODULE.filter((el) => !planted.has(el.tag)));
  const pixelData: WriteOptions['pixelData'] = isEncapsulated(syntax) ? { frames: [DUMMY_FRAME] } : { bytes: NATIVE_PIXELS };
  const file = saveFixture(`planted-${syntax}-${nested}.dcm`, writeDicom(dataset, { transferSyntax: syntax, pixelData }));
  return { file, rows };
}

function saveFixture(name: string, bytes: Uint8Array): string {
  const file = path.join(workDir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

// ---- the tests ----------------------------------------------------------------------------------------

it('has dcmtk to check the fixtures with (dcmdump, dcmconv)', () => {
  expect(runDcmtk('dcmdump', ['--version']).stdout).toMatch(/dcmdump/);
  expect(runDcmtk('dcmconv', ['--version']).stdout).toMatch(/dcmconv/);
});

describe.each(TRANSFER_SYNTAXES)('planted fixture, %s', (syntax) => {
  it.each(NESTINGS)('nested %s: dcmtk reads it cleanly and shows every planted value', (nested) => {
    const { file, rows } = writePlantedFixture(syntax, nested);
    const text = dump(file);
    const elements = parseDump(text);

    const transferSyntax = elements.find((e) => e.tag === '00020010');
    expect(transferSyntax && printedText(transferSyntax.printed)).toBe(TRANSFER_SYNTAX_UIDS[syntax]);

    expect(plantingProblems(elements, rows, [])).toEqual([]);
    if (nested !== 'none') {
      const nestable = rows.filter((r) => !r.topLevelOnly);
      expect(nestable.length).toBeGreaterThan(600);
      expect(plantingProblems(elements, nestable, [...NESTING_PATH])).toEqual([]);
    }

    const pixelData = elements.find((e) => e.tag === '7FE00010' && e.sequence.length === 0);
    if (isEncapsulated(syntax)) {
      expect(pixelData?.printed).toMatch(/^\(PixelSequence #=2\)/); // basic offset table + one fragment
    } else {
      expect(pixelData?.printed).toBe(PIXEL_WORDS.map((w) => w.toString(16).padStart(4, '0')).join('\\'));
    }
  });

  it.each(NESTINGS)('nested %s: dcmtk re-encodes it with the same lengths', (nested) => {
    const { file } = writePlantedFixture(syntax, nested);
    if (syntax === 'htj2k') {
      // dcmtk 3.6.7 predates HTJ2K: it reads the data set as explicit VR little endian but cannot write
      // encapsulated pixel data in it. So the data set must dump exactly as the JPEG 2000 fixture's does,
      // whose re-encoding is checked in the jpeg2000 case.
      const jpeg2000 = writePlantedFixture('jpeg2000', nested);
      expect(dataSetPart(dump(file))).toBe(dataSetPart(dump(jpeg2000.file)));
      return;
    }
    const lengths = nested === 'undefined' ? 'undefined' : 'defined';
    expect(dataSetPart(reencodedDump(file, lengths))).toBe(dataSetPart(dump(file)));
  });

  it('keeps every planted text greppable in the file, or deflates it out of sight', () => {
    const { file, rows } = writePlantedFixture(syntax, 'none');
    const bytes = fs.readFileSync(file).toString('latin1');
    const textsOf = (inMeta: boolean): string[] =>
      rows
        .filter((r) => (r.form === 'text' || r.form === 'sequence') && r.concreteTag.startsWith('0002') === inMeta)
        .map((r) => r.value ?? '');
    const missing = (texts: string[]): string[] => texts.filter((t) => !bytes.includes(t));

    expect(missing(textsOf(true))).toEqual([]); // the file meta group is never deflated
    expect(missing(textsOf(false))).toEqual(syntax === 'deflated' ? textsOf(false) : []);
  });
});

describe('writer options', () => {
  const patient: El[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.99.3' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: ['DOE^JANE', 'DOE^J'] },
    { tag: tag(0x0010, 0x21c0), vr: 'US', value: [1, 2] },
  ];

  it('writes a bare data set without preamble and meta', () => {
    const file = saveFixture('bare.dcm', writeDicom(patient, { transferSyntax: 'implicit-le', preamble: false, meta: false }));
    const run = runDcmtk('dcmdump', [...DCMDUMP_OPTIONS, '-f', '-ti', file]);
    failIfUnclean('dcmdump', file, run);
    expect(run.stdout).toContain('[DOE^JANE\\DOE^J]');
    expect(run.stdout).not.toContain('(0002,');
  });

  it('writes trailing elements after the pixel data, unsorted', () => {
    const bytes = writeDicom(patient, {
      transferSyntax: 'explicit-le',
      pixelData: { bytes: NATIVE_PIXELS },
      trailing: [{ tag: tag(0xfffc, 0xfffc), vr: 'OB', value: new Uint8Array(6) }],
    });
    const tags = parseDump(dump(saveFixture('trailing.dcm', bytes))).map((e) => e.tag);
    expect(tags.slice(-2)).toEqual(['7FE00010', 'FFFCFFFC']);
  });

  it('writes a basic offset table that points at each frame\'s fragment', () => {
    const frames = [DUMMY_FRAME, new Uint8Array(5), new Uint8Array(12)];
    const bytes = writeDicom(patient, { transferSyntax: 'jpeg-ls', pixelData: { frames } });
    const items = [...dump(saveFixture('frames.dcm', bytes)).matchAll(/^ *\(fffe,e000\) pi (\S+) +# *(\d+),/gm)];
    const [offsetTable, ...fragments] = items.map(([, printed = '', length = '']) => ({ printed, length: Number(length) }));

    expect(fragments.map((f) => f.length)).toEqual([8, 6, 12]); // odd fragments padded to even length
    const offsets = fragments.map((_, i) => fragments.slice(0, i).reduce((sum, f) => sum + 8 + f.length, 0));
    const printedOffsets = offsets.flatMap((o) => [o & 0xff, (o >> 8) & 0xff, (o >> 16) & 0xff, o >>> 24]);
    expect(offsetTable?.printed).toBe(printedOffsets.map((b) => b.toString(16).padStart(2, '0')).join('\\'));
  });

  it('refuses group 0002 elements without a meta group, and a tag given twice', () => {
    const meta: El = { tag: tag(0x0002, 0x0003), vr: 'UI', value: '1.2.3' };
    expect(() => writeDicom([meta], { transferSyntax: 'explicit-le', meta: false })).toThrow(/meta/);
    expect(() => writeDicom([...patient, patient[2] as El], { transferSyntax: 'explicit-le' })).toThrow(/twice/);
  });
});

describe('the dcmtk check itself', () => {
  const small: El[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.99.4' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' },
    { tag: tag(0x0040, 0x0555), vr: 'SQ', items: [[{ tag: tag(0x0008, 0x0104), vr: 'LO', value: 'MEANING' }]] },
    { tag: tag(0x0040, 0xa124), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.99.5' },
  ];

  it('fails on a file cut inside an element', () => {
    const bytes = writeDicom(small, { transferSyntax: 'explicit-le' });
    const cut = saveFixture('cut.dcm', bytes.subarray(0, bytes.length - 3));
    expect(() => dump(cut)).toThrow(/E: /);
  });

  it('fails when dcmdump only warns (elements out of tag order, exit status 0)', () => {
    const bytes = writeDicom(small, { transferSyntax: 'explicit-le', trailing: [{ tag: tag(0x0010, 0x0020), vr: 'LO', value: 'ID' }] });
    const file = saveFixture('unsorted.dcm', bytes);
    expect(runDcmtk('dcmdump', [...DCMDUMP_OPTIONS, file]).status).toBe(0);
    expect(() => dump(file)).toThrow(/W: .*ascending tag order/);
  });

  it('catches a defined sequence length that dcmdump alone accepts', () => {
    const bytes = writeDicom(small, { transferSyntax: 'explicit-le' });
    const sequenceHeader = Buffer.from([0x40, 0x00, 0x55, 0x05, 0x53, 0x51, 0x00, 0x00]);
    const lengthAt = Buffer.from(bytes).indexOf(sequenceHeader) + sequenceHeader.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    view.setUint32(lengthAt, view.getUint32(lengthAt, true) - 2, true);
    const file = saveFixture('short-sequence.dcm', bytes);

    expect(() => dump(file)).not.toThrow();
    expect(dataSetPart(reencodedDump(file, 'defined'))).not.toBe(dataSetPart(dump(file)));
  });
});
