// The demo's sample files, generated at start with made-up patients: CT and MR slices that identify
// someone (DEMO^ALEX, DEMO^SAM), a CT slice with nothing identifying, and two files that are not medical.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tag, writeDicom, type El } from '../test/fixtures/dicom-writer';
import { encodeRgbPng } from './png';

/** What a sample is meant to show, for the site's list and the terminal. */
export type SampleKind = 'identifying' | 'clean-scan' | 'not-medical';

export interface Sample {
  /** File name, also the name the site receives. */
  name: string;
  kind: SampleKind;
  /** One line for a newcomer: what is in the file. */
  description: string;
  mimeType: string;
  bytes: Uint8Array;
  sha256: string;
  /** Absolute path once written. */
  path: string;
}

/** The made-up people and places in the identifying samples (never real data). */
export const DEMO_PATIENTS = {
  alex: { name: 'DEMO^ALEX', id: 'DEMO-000123', birthDate: '19790312', institution: 'Fictional General Hospital' },
  sam: { name: 'DEMO^SAM', id: 'DEMO-000456', birthDate: '19921130', institution: 'Imaginary Valley Clinic' },
} as const;

/** The sample the headless walk-through picks first, and the file names it uses after it. */
export const SAMPLE_NAMES = {
  identifyingCt: 'alex-ct-chest.dcm',
  identifyingMr: 'sam-mr-knee.dcm',
  cleanCt: 'anonymous-ct-chest.dcm',
  photo: 'holiday-photo.png',
  text: 'questions-for-my-doctor.txt',
} as const;

/** Decimal UIDs under 2.25 derived from a label, so the samples are the same on every run. */
function uid(label: string): string {
  const digest = createHash('sha256').update(`scan-privacy-guard demo ${label}`).digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 15).toString('hex')}`).toString(10)}`;
}

/**
 * A 128x128 CT-like slice (stored values = HU + 1024): air outside, a body ellipse, two darker lungs,
 * a bright spine and a heart. Only there so the de-identified copy's preview looks like a scan.
 */
function chestSlicePixels(size = 128): Uint8Array {
  const pixels = new Uint8Array(size * size * 2);
  const view = new DataView(pixels.buffer);
  const inEllipse = (x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean =>
    ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size;
      const v = y / size;
      let hu = -1000;
      if (inEllipse(u, v, 0.5, 0.52, 0.44, 0.33)) hu = 40;
      if (inEllipse(u, v, 0.32, 0.47, 0.13, 0.2) || inEllipse(u, v, 0.68, 0.47, 0.13, 0.2)) hu = -820;
      if (inEllipse(u, v, 0.55, 0.5, 0.1, 0.09)) hu = 45;
      if (inEllipse(u, v, 0.5, 0.76, 0.05, 0.05)) hu = 700;
      hu += ((x * 7 + y * 13) % 17) - 8; // a little texture
      view.setUint16((y * size + x) * 2, Math.max(0, hu + 1024), true);
    }
  }
  return pixels;
}

/** A knee-like MR slice: two bright rounded bones in grey tissue. */
function kneeSlicePixels(size = 128): Uint8Array {
  const pixels = new Uint8Array(size * size * 2);
  const view = new DataView(pixels.buffer);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size - 0.5;
      const v = y / size;
      let value = 0;
      if (Math.abs(u) < 0.3) value = 300;
      if (Math.abs(u) < 0.16 && (v < 0.45 || v > 0.55)) value = 900;
      value += (x * 5 + y * 3) % 23;
      view.setUint16((y * size + x) * 2, value, true);
    }
  }
  return pixels;
}

/** Every sample slice: 128 x 128 grey pixels, 12 of 16 bits stored. */
const IMAGE_PIXEL_MODULE: El[] = [
  { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
  { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
  { tag: tag(0x0028, 0x0010), vr: 'US', value: 128 },
  { tag: tag(0x0028, 0x0011), vr: 'US', value: 128 },
  { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
  { tag: tag(0x0028, 0x0101), vr: 'US', value: 12 },
  { tag: tag(0x0028, 0x0102), vr: 'US', value: 11 },
  { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
];

/** The CT slices store HU + 1024 (chestSlicePixels). */
const CT_RESCALE: El[] = [
  { tag: tag(0x0028, 0x1052), vr: 'DS', value: '-1024' },
  { tag: tag(0x0028, 0x1053), vr: 'DS', value: '1' },
];

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** A chest CT slice of DEMO^ALEX: name, ID, birth date, hospital, referring doctor, accession number, dates. */
function alexCt(): Uint8Array {
  const p = DEMO_PATIENTS.alex;
  const dataset: El[] = [
    { tag: tag(0x0008, 0x0005), vr: 'CS', value: 'ISO_IR 100' },
    { tag: tag(0x0008, 0x0008), vr: 'CS', value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] },
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: uid('alex ct instance') },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: '20240915' },
    { tag: tag(0x0008, 0x0030), vr: 'TM', value: '101500' },
    { tag: tag(0x0008, 0x0050), vr: 'SH', value: 'DEMOACC0042' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0008, 0x0070), vr: 'LO', value: 'Acme Imaging' },
    { tag: tag(0x0008, 0x0080), vr: 'LO', value: p.institution },
    { tag: tag(0x0008, 0x0090), vr: 'PN', value: 'MADEUP^MORGAN^DR' },
    { tag: tag(0x0008, 0x1030), vr: 'LO', value: 'CT CHEST WITHOUT CONTRAST' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: p.name },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: p.id },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: p.birthDate },
    { tag: tag(0x0010, 0x0040), vr: 'CS', value: 'O' },
    { tag: tag(0x0010, 0x1010), vr: 'AS', value: '045Y' },
    { tag: tag(0x0018, 0x0015), vr: 'CS', value: 'CHEST' },
    { tag: tag(0x0018, 0x0050), vr: 'DS', value: '5' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: uid('alex ct study') },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: uid('alex ct series') },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' },
    ...IMAGE_PIXEL_MODULE,
    { tag: tag(0x0028, 0x1050), vr: 'DS', value: '40' },
    { tag: tag(0x0028, 0x1051), vr: 'DS', value: '400' },
    ...CT_RESCALE,
  ];
  return writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: chestSlicePixels() } });
}

/** A knee MR slice of DEMO^SAM. */
function samMr(): Uint8Array {
  const p = DEMO_PATIENTS.sam;
  const dataset: El[] = [
    { tag: tag(0x0008, 0x0005), vr: 'CS', value: 'ISO_IR 100' },
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: MR_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: uid('sam mr instance') },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: '20250203' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
    { tag: tag(0x0008, 0x0080), vr: 'LO', value: p.institution },
    { tag: tag(0x0008, 0x1030), vr: 'LO', value: 'MR KNEE LEFT' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: p.name },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: p.id },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: p.birthDate },
    { tag: tag(0x0018, 0x0015), vr: 'CS', value: 'KNEE' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: uid('sam mr study') },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: uid('sam mr series') },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' },
    ...IMAGE_PIXEL_MODULE,
  ];
  return writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: kneeSlicePixels() } });
}

/** A chest CT slice with nothing that identifies anyone: no name, ID, dates or hospital; identity removed. */
function anonymousCt(): Uint8Array {
  const dataset: El[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: uid('anonymous ct instance') },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0010, 0x0040), vr: 'CS', value: 'O' },
    { tag: tag(0x0012, 0x0062), vr: 'CS', value: 'YES' },
    { tag: tag(0x0018, 0x0015), vr: 'CS', value: 'CHEST' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: uid('anonymous ct study') },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: uid('anonymous ct series') },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' },
    ...IMAGE_PIXEL_MODULE,
    ...CT_RESCALE,
  ];
  return writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: chestSlicePixels() } });
}

/** A 96x64 RGB PNG of a sunset over the sea: an ordinary photo, nothing medical. */
function holidayPhoto(): Uint8Array {
  const width = 96;
  const height = 64;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sea = y > height * 0.6;
      const sun = (x - 60) ** 2 + (y - 30) ** 2 < 90;
      const colour = sun ? [255, 214, 120] : sea ? [20, 60 + y, 120 + y] : [250 - y * 2, 120 + y, 90 + y * 2];
      rgb.set(colour.map((c) => Math.max(0, Math.min(255, c))), (y * width + x) * 3);
    }
  }
  return encodeRgbPng(width, height, rgb);
}

const QUESTIONS = `Questions for my doctor (demo file, nothing medical in it)
- Is the shadow on the scan anything to worry about?
- Do I need a follow-up scan, and when?
`;

function sample(name: string, kind: SampleKind, description: string, mimeType: string, bytes: Uint8Array): Sample {
  return { name, kind, description, mimeType, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), path: '' };
}

/** Builds every sample in memory. Deterministic: the same bytes on every run. */
export function buildSamples(): Sample[] {
  return [
    sample(SAMPLE_NAMES.identifyingCt, 'identifying', 'Chest CT slice of a made-up patient, DEMO^ALEX: name, ID, birth date, hospital, doctor, dates', 'application/dicom', alexCt()),
    sample(SAMPLE_NAMES.identifyingMr, 'identifying', 'Knee MR slice of a made-up patient, DEMO^SAM: name, ID, birth date, clinic', 'application/dicom', samMr()),
    sample(SAMPLE_NAMES.cleanCt, 'clean-scan', 'Chest CT slice with nothing that identifies anyone', 'application/dicom', anonymousCt()),
    sample(SAMPLE_NAMES.photo, 'not-medical', 'An ordinary photo: not a medical image', 'image/png', holidayPhoto()),
    sample(SAMPLE_NAMES.text, 'not-medical', 'A text note: not a medical image', 'text/plain', new TextEncoder().encode(QUESTIONS)),
  ];
}

/** Writes the samples into `dir` (created, emptied of old samples) and returns them with their paths. */
export function writeSamples(dir: string): Sample[] {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return buildSamples().map((s) => {
    const target = path.join(dir, s.name);
    fs.writeFileSync(target, s.bytes);
    return { ...s, path: target };
  });
}
