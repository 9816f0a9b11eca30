// End-to-end, Chromium: the text drawn into pictures. An ultrasound file whose picture shows the patient's
// name, ID and a setting is picked: the dialog reads the text in its worker, shows the frame with every
// region outlined and the text read beside it (the name and ID always masked, the setting optional); the
// de-identified copy the server receives is judged outside the extension (dcmtk renders it, Tesseract's own
// command reads it): the values are gone, and a region the person unticked is still there. A radiograph
// whose header was already anonymised but whose picture shows a name is held and asked about; a scan
// without any text and nothing identifying in its header goes through untouched.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, describeRequests, type FilePart } from './harness/fixture-server';
import { waitForDialog, watchForDialog, type GuardDialog } from './harness/guard-dialog';
import { sha256, type FixtureFile } from './harness/fixture-files';
import { inputPayloads } from './harness/deliveries';
import { setUpGuardedSuite, settle } from './harness/upload-path-suite';
import { cleanUpBurnedIn, drawPicture, pictureDicom } from '../fixtures/burned-in';
import { tag, type El } from '../fixtures/dicom-writer';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';

const env = setUpGuardedSuite();
const AXE_SOURCE = fs.readFileSync(path.join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** Reading the text (the worker's models loading on first use) and making the copy can take a while here. */
const PICTURES_TIMEOUT_MS = 60_000;

const PATIENT: El[] = [
  { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'US' },
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'WIERZBICKA^HALINA' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: '55120943' },
];

function fixture(name: string, bytes: Uint8Array): FixtureFile {
  const buffer = Buffer.from(bytes);
  return { name, mimeType: 'application/dicom', buffer, sha256: sha256(buffer) } as FixtureFile;
}

let ultrasound: FixtureFile;
let radiograph: FixtureFile;
let plain: FixtureFile;

beforeAll(() => {
  ultrasound = fixture('echo.dcm', pictureDicom(drawPicture({
    rows: 480, columns: 640, photometric: 'RGB', bitsAllocated: 8, background: 'ultrasound', colour: [250, 250, 250],
    lines: [
      { text: 'WIERZBICKA HALINA', x: 10, y: 24, size: 18 },
      { text: 'ID 55120943', x: 10, y: 50, size: 18 },
      { text: 'GAIN 60', x: 540, y: 24, size: 18 },
    ],
  }), 'rle', PATIENT));
  radiograph = fixture('chest.dcm', pictureDicom(drawPicture({
    rows: 800, columns: 1000, photometric: 'MONOCHROME2', bitsAllocated: 8, background: 'xray',
    lines: [{ text: 'WIERZBICKA HALINA 16.06.1976', x: 20, y: 40, size: 26 }],
  }), 'explicit-le', [{ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CR' }]));
  plain = fixture('slice.dcm', pictureDicom(drawPicture({
    rows: 256, columns: 256, photometric: 'MONOCHROME2', bitsAllocated: 16, bitsStored: 12, background: 'ct', lines: [],
  }), 'explicit-le', [{ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' }]));
});
afterAll(() => {
  cleanUpBurnedIn();
  cleanUpDcmtk();
});

async function pick(file: FixtureFile): Promise<{ scope: Frame; mark: number }> {
  await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
  const scope = env.page.mainFrame();
  const mark = env.server.mark();
  await scope.locator('#file').setInputFiles(inputPayloads([file]));
  return { scope, mark };
}

interface RegionView {
  text: string;
  checked: boolean;
  disabled: boolean;
}

async function regions(dialog: GuardDialog): Promise<RegionView[]> {
  await dialog.frame.locator('#spg-pictures .region').first().waitFor({ state: 'visible', timeout: PICTURES_TIMEOUT_MS });
  return dialog.frame.locator('#spg-pictures .region').evaluateAll((items) =>
    items.map((li) => {
      const box = li.querySelector('input') as HTMLInputElement;
      return { text: li.querySelector('.region-text')?.textContent ?? '', checked: box.checked, disabled: box.disabled };
    }));
}

/** What Tesseract's own command reads in dcmtk's rendering of a received copy. */
function tesseractReads(part: FilePart): string {
  const file = path.join(env.workDir, `${part.filename}-${part.sha256.slice(0, 8)}`);
  fs.writeFileSync(file, part.bytes);
  execFileSync('dcmj2pnm', ['--write-png', file, `${file}.png`], { stdio: 'ignore' });
  return execFileSync('tesseract', [`${file}.png`, '-', '--psm', '11'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).toUpperCase();
}

async function receiveCopy(dialog: GuardDialog, mark: number): Promise<FilePart> {
  await dialog.frame.locator('[data-action="deidentify"]').waitFor({ state: 'visible', timeout: PICTURES_TIMEOUT_MS });
  await dialog.click('deidentify');
  await dialog.waitClosed();
  await env.server.waitForFiles(mark, 1, 15_000);
  await settle(env, 300);
  const parts = env.server.filesSince(mark);
  expect(parts.map((p) => p.filename), describeRequests(env.server.since(mark))).toEqual(['echo.dcm']);
  return parts[0]!;
}

it('shows the text read in the picture, outlined on the frame, the patient\'s values always masked', async () => {
  const { mark } = await pick(ultrasound);
  const dialog = await waitForDialog(env.page);
  const seen = await regions(dialog);
  // In reading order: the first row (name, setting), then the second (ID).
  expect(seen.map((r) => r.text)).toEqual(['WIERZBICKA HALINA', 'GAIN 60', 'ID 55120943']);
  expect(seen.map((r) => [r.checked, r.disabled])).toEqual([[true, true], [true, false], [true, true]]);
  // The frame is drawn with its regions outlined, and described for screen readers.
  const canvas = dialog.frame.locator('#spg-pictures canvas');
  await canvas.waitFor({ state: 'visible', timeout: PICTURES_TIMEOUT_MS });
  expect(await canvas.getAttribute('aria-label')).toBe('Frame 1 with 3 areas of text outlined');
  expect(await dialog.text()).toContain('Text in the picture');
  // For the README: the dialog with the picture's regions (the patient is made up).
  await dialog.frame.locator('#spg-pictures').scrollIntoViewIfNeeded();
  await env.page.screenshot({ path: path.join(REPO_ROOT, 'docs/screenshots/dialog-pictures.png') });
  // The toggles work by keyboard: Space on the focused checkbox.
  const gain = dialog.frame.locator('#spg-pictures .region input').nth(1);
  await gain.focus();
  await env.page.keyboard.press('Space');
  expect(await gain.isChecked()).toBe(false);
  await env.page.keyboard.press('Space');
  expect(await gain.isChecked()).toBe(true);
  // axe-core finds nothing to fix in the dialog with its pictures.
  await dialog.frame.evaluate(AXE_SOURCE);
  const violations = await dialog.frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return (await axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations).toEqual([]);
  // Nothing reached the page while the dialog was open.
  expect(describeRequests(env.server.requestsSince(mark))).toBe('no requests');

  const copy = await receiveCopy(dialog, mark);
  const dump = dcmdump(new Uint8Array(copy.bytes), copy.filename);
  expect(dump).toMatch(/\(0028,0301\) CS \[NO\]/);
  const text = tesseractReads(copy);
  expect(text).not.toContain('WIERZBICKA');
  expect(text).not.toContain('55120943');
  expect(text).not.toContain('GAIN');
  // The original shows all three (the check could fail).
  const original = tesseractReads({ filename: 'echo-original.dcm', bytes: ultrasound.buffer, sha256: ultrasound.sha256 } as FilePart);
  expect(original).toContain('WIERZBICKA');
  expect(original).toContain('GAIN');
}, 120_000);

it('a region the person unticks stays visible in the copy; the name does not', async () => {
  const { mark } = await pick(ultrasound);
  const dialog = await waitForDialog(env.page);
  await regions(dialog);
  await dialog.frame.locator('#spg-pictures .region input').nth(1).uncheck();
  const copy = await receiveCopy(dialog, mark);
  const text = tesseractReads(copy);
  expect(text).toContain('GAIN');
  expect(text).not.toContain('WIERZBICKA');
}, 120_000);

it('a radiograph with an anonymised header but a name in its picture is held and asked about', async () => {
  const { scope, mark } = await pick(radiograph);
  const dialog = await waitForDialog(env.page, PICTURES_TIMEOUT_MS);
  const seen = await regions(dialog);
  expect(seen[0]?.text).toBe('WIERZBICKA HALINA 16.06.1976');
  expect(await dialog.state()).toBe('asking');
  await dialog.cancel();
  await dialog.waitClosed();
  await settle(env, 500);
  expect(describeRequests(env.server.requestsSince(mark))).toBe('no requests');
  expect(await scope.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length ?? 0)).toBe(0);
}, 120_000);

it('a scan with no text and nothing identifying in its header goes through unchanged, without a question', async () => {
  await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
  const watch = watchForDialog(env.page);
  const mark = env.server.mark();
  await env.page.locator('#file').setInputFiles(inputPayloads([plain]));
  await env.server.waitForFiles(mark, 1, PICTURES_TIMEOUT_MS);
  const seen = await watch.stop();
  expect(env.server.filesSince(mark).map((p) => p.sha256)).toEqual([plain.sha256]);
  expect(seen.asking, 'the dialog asked about a file with nothing identifying').toBe(false);
}, 120_000);
