// The files the end-to-end tests upload: DICOM files that identify a made-up patient (planted values,
// never real data), non-medical files (PNG, text), folders of them on disk, and the tokens a test looks
// for when it checks that no planted value leaked anywhere.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { encodeRgbPng } from '../../../demo/png';
import { tag, writeDicom, type El } from '../../fixtures/dicom-writer';

/** The made-up identifying values planted in every identifying fixture. */
export const PLANTED = {
  patientName: 'QUILLFEATHER^ROSAMUND',
  patientId: 'SPG-E2E-40417',
  birthDate: '19610417',
  institution: 'Marrowvale Fixture Infirmary',
} as const;

/**
 * What must never be readable outside the dialog, matched case-insensitively: each planted value and the
 * ways a dialog may print it (name parts, the date in common notations).
 */
export const PLANTED_TOKENS: readonly string[] = [
  'QUILLFEATHER',
  'ROSAMUND',
  PLANTED.patientId,
  'Marrowvale',
  PLANTED.birthDate,
  '1961-04-17',
  '17/04/1961',
  '04/17/1961',
  '17.04.1961',
  'April 17, 1961',
  '17 April 1961',
];

/** For text that only the dialog and the test write (not for binary data, where 4 digits can occur by chance). */
export const PLANTED_TOKENS_WITH_YEAR: readonly string[] = [...PLANTED_TOKENS, '1961'];

export interface FixtureFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
  sha256: string;
  /** Path relative to a folder when the file is part of one. */
  relativePath?: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fixtureFile(name: string, mimeType: string, bytes: Uint8Array): FixtureFile {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { name, mimeType, buffer, sha256: sha256(buffer) };
}

/**
 * A small CT image (explicit VR little endian, 32x32 16-bit pixels) carrying the planted name, ID, birth
 * date and institution. `index` makes the instance UID and the pixels distinct, so every file has its own hash.
 */
export function identifyingDicom(index = 1, name = `scan-${index}.dcm`): FixtureFile {
  const dataset: El[] = [
    { tag: tag(0x0008, 0x0005), vr: 'CS', value: 'ISO_IR 100' },
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: `1.2.826.0.1.3680043.10.1137.77.${index}` },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: '20240301' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0008, 0x0080), vr: 'LO', value: PLANTED.institution },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: PLANTED.patientName },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: PLANTED.patientId },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: PLANTED.birthDate },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.77.1000' },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.77.2000' },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: String(index) },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: 32 },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: 32 },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: 12 },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: 11 },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
  ];
  const pixels = new Uint8Array(32 * 32 * 2);
  for (let i = 0; i < pixels.length; i += 2) pixels[i] = (i * 7 + index * 13) & 0xff;
  return fixtureFile(name, 'application/dicom', writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: pixels } }));
}

/** A valid 8x8 RGB PNG whose pixels depend on `index`. */
export function pngFile(index = 1, name = `photo-${index}.png`): FixtureFile {
  const width = 8;
  const height = 8;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width * 3; x++) rgb[y * width * 3 + x] = (x * 31 + y * 17 + index * 5) & 0xff;
  }
  return fixtureFile(name, 'image/png', encodeRgbPng(width, height, rgb));
}

export function textFile(index = 1, name = `notes-${index}.txt`): FixtureFile {
  return fixtureFile(name, 'text/plain', Buffer.from(`Shopping list ${index}: apples, bread, tea.\n`, 'utf8'));
}

/** Writes files under `dir` (at their relativePath, or their name) and returns their absolute paths. */
export function writeFiles(dir: string, files: readonly FixtureFile[]): string[] {
  return files.map((file) => {
    const target = path.join(dir, file.relativePath ?? file.name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.buffer);
    return target;
  });
}

/** A folder on disk holding `files` at their relativePath (set here to `subfolder/name` when absent). */
export function writeFolder(parent: string, folderName: string, files: readonly FixtureFile[], subfolder = 'series-1'): { dir: string; files: FixtureFile[] } {
  const dir = path.join(parent, folderName);
  fs.rmSync(dir, { recursive: true, force: true });
  const placed = files.map((file) => ({ ...file, relativePath: file.relativePath ?? `${subfolder}/${file.name}` }));
  writeFiles(dir, placed);
  return { dir, files: placed };
}

/** Case-insensitive: which of the tokens occur in the text. */
export function plantedTokensIn(text: string, tokens: readonly string[] = PLANTED_TOKENS): string[] {
  const lower = text.toLowerCase();
  return tokens.filter((token) => lower.includes(token.toLowerCase()));
}

/** The files written to a fresh folder `parent/label`, with their paths (for drags from disk). */
export function filesOnDisk(parent: string, label: string, files: FixtureFile[]): { files: FixtureFile[]; paths: string[] } {
  const dir = path.join(parent, label);
  fs.rmSync(dir, { recursive: true, force: true });
  return { files, paths: writeFiles(dir, files) };
}
