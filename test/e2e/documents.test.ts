// End-to-end, Chromium: photos, screenshots and PDF reports (issue 13). The fixture server answers for an AI
// image reader the site notes list (xrayexplain.com, resolved to it by the browser) and for a site they do
// not (photos.example). On the AI site a phone photo with a GPS position and its owner's name, a viewer
// screenshot with the patient's name, birth date and record number drawn in its corner, and a radiology
// report PDF are held and asked about; the copies the server receives are judged outside the extension
// (exiftool, ImageMagick, Tesseract's own command, poppler): the metadata and the values are gone. An
// ordinary photo without metadata goes through there untouched; on the other site every one of these files
// arrives exactly as it was, without the dialog ever opening.

import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Frame } from 'playwright-core';
import { REPO_ROOT, describeRequests, type FilePart } from './harness/fixture-server';
import { waitForDialog, watchForDialog, type GuardDialog } from './harness/guard-dialog';
import { sha256, type FixtureFile } from './harness/fixture-files';
import { inputPayloads } from './harness/deliveries';
import { setUpGuardedSuite, settle } from './harness/upload-path-suite';
import {
  PHOTO_TAGS,
  cleanUpDocuments,
  colourPhoto,
  decodeWithImageMagick,
  exiftoolTags,
  reportPdf,
  tesseractText,
  tool,
  viewerScreenshot,
  withExif,
  writeFixture,
} from '../fixtures/documents';

/** An AI image reader of the site notes (whole host), and a site that is not in them. */
const LISTED = 'xrayexplain.com';
const UNLISTED = 'photos.example';

const env = setUpGuardedSuite({
  launch: {
    args: [
      `--host-resolver-rules=MAP ${LISTED} 127.0.0.1, MAP ${UNLISTED} 127.0.0.1`,
      // The fixture server speaks plain HTTP on a high port: no attempt at HTTPS first.
      '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
    ],
  },
});
/** Reading the text (the worker's models loading on first use) and making the copy can take a while here. */
const TIMEOUT_MS = 60_000;

function fixture(name: string, mimeType: string, bytes: Uint8Array): FixtureFile {
  const buffer = Buffer.from(bytes);
  return { name, mimeType, buffer, sha256: sha256(buffer) } as FixtureFile;
}

let gpsPhoto: FixtureFile;
let screenshot: FixtureFile;
let report: FixtureFile;
let ordinaryPhoto: FixtureFile;

beforeAll(async () => {
  gpsPhoto = fixture('IMG_2041.jpg', 'image/jpeg', withExif(colourPhoto(1200, 900), 'gps.jpg', [...PHOTO_TAGS]));
  screenshot = fixture('viewer.png', 'image/png', viewerScreenshot().png);
  report = fixture('report.pdf', 'application/pdf', await reportPdf(2));
  // ImageMagick writes no EXIF by itself: a photo with nothing to say.
  ordinaryPhoto = fixture('holiday.jpg', 'image/jpeg', colourPhoto(1200, 900));
});
afterAll(() => cleanUpDocuments());

function pageOn(host: string): string {
  const port = new URL(env.server.originA).port;
  return `http://${host}:${port}/plain-input.html`;
}

async function pick(host: string, file: FixtureFile): Promise<{ scope: Frame; mark: number }> {
  await env.page.goto(pageOn(host), { waitUntil: 'load' });
  const scope = env.page.mainFrame();
  const mark = env.server.mark();
  await scope.locator('#file').setInputFiles(inputPayloads([file]));
  return { scope, mark };
}

async function receiveCopy(dialog: GuardDialog, mark: number, name: string): Promise<FilePart> {
  await dialog.frame.locator('[data-action="deidentify"]').waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await dialog.click('deidentify');
  await dialog.waitClosed();
  await env.server.waitForFiles(mark, 1, 15_000);
  await settle(env, 300);
  const parts = env.server.filesSince(mark);
  expect(parts.map((p) => p.filename), describeRequests(env.server.since(mark))).toEqual([name]);
  return parts[0]!;
}

it('the AI site is the one the notes list and the other is not (the browser resolves both to the fixture server)', async () => {
  await env.page.goto(pageOn(LISTED), { waitUntil: 'load' });
  expect(new URL(env.page.url()).hostname).toBe(LISTED);
  await env.page.goto(pageOn(UNLISTED), { waitUntil: 'load' });
  expect(new URL(env.page.url()).hostname).toBe(UNLISTED);
});

it('a phone photo with a GPS position and its owner is held; the copy has no metadata and the same pixels', async () => {
  const { mark } = await pick(LISTED, gpsPhoto);
  const dialog = await waitForDialog(env.page, TIMEOUT_MS);
  expect(await dialog.state()).toBe('asking');
  const text = await dialog.text();
  expect(text).toContain('Where the picture was taken');
  expect(describeRequests(env.server.requestsSince(mark))).toBe('no requests');
  // The photo is shown in the pictures section.
  await dialog.frame.locator('#spg-pictures canvas').waitFor({ state: 'visible', timeout: TIMEOUT_MS });

  const copy = await receiveCopy(dialog, mark, 'IMG_2041.jpg');
  const before = exiftoolTags(new Uint8Array(gpsPhoto.buffer), 'before.jpg');
  expect(Object.keys(before).some((k) => /GPSLatitude/.test(k))).toBe(true);
  const after = exiftoolTags(new Uint8Array(copy.bytes), 'after.jpg');
  const left = Object.entries(after).filter(([k]) => /GPS|Owner|Artist|Serial|Creator|PersonInImage|By-line|City|Comment|Make|Model|Software|DateTime/i.test(k));
  expect(left.map(([k]) => k)).toEqual([]);
  // Nothing needed masking: the picture itself is the original's, sample for sample.
  expect(Buffer.from(decodeWithImageMagick(new Uint8Array(copy.bytes)).rgb).equals(Buffer.from(decodeWithImageMagick(new Uint8Array(gpsPhoto.buffer)).rgb))).toBe(true);
}, 120_000);

it('a viewer screenshot with the patient\'s name is held, the lines outlined; the copy no longer shows them', async () => {
  const { mark } = await pick(LISTED, screenshot);
  const dialog = await waitForDialog(env.page, TIMEOUT_MS);
  await dialog.frame.locator('#spg-pictures .region').first().waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  const lines = await dialog.frame.locator('#spg-pictures .region-text').allTextContents();
  expect(lines.join(' | ')).toContain('KOWALCZYK');
  expect(lines.join(' | ')).toContain('88412907');
  expect(await dialog.frame.locator('#spg-pictures canvas').first().getAttribute('aria-label')).toMatch(/^Frame 1 with \d+ areas of text outlined$/);
  // For the README: the dialog over the AI site with the screenshot's lines (the patient is made up).
  await dialog.frame.locator('#spg-pictures').scrollIntoViewIfNeeded();
  await env.page.screenshot({ path: path.join(REPO_ROOT, 'docs/screenshots/dialog-screenshot.png') });

  const copy = await receiveCopy(dialog, mark, 'viewer.png');
  const read = tesseractText(new Uint8Array(copy.bytes), 'viewer-copy.png');
  expect(read).not.toContain('KOWALCZYK');
  expect(read).not.toContain('88412907');
  expect(read).not.toContain('1976');
  // The original shows them to the same reader (the check could fail).
  expect(tesseractText(new Uint8Array(screenshot.buffer), 'viewer-original.png')).toContain('KOWALCZYK');
}, 120_000);

it('a report PDF is held with its pages shown; the copy is an image-only PDF without the values or metadata', async () => {
  const { mark } = await pick(LISTED, report);
  const dialog = await waitForDialog(env.page, TIMEOUT_MS);
  await dialog.frame.locator('#spg-pictures .region').first().waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  expect(await dialog.frame.locator('#spg-pictures canvas').first().getAttribute('aria-label')).toMatch(/^Page 1 with \d+ lines outlined$/);
  await dialog.frame.locator('#spg-deidentify-hint').waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  expect(await dialog.frame.locator('#spg-deidentify-hint').textContent()).toContain('made of pictures of their pages');

  const copy = await receiveCopy(dialog, mark, 'report.pdf');
  const file = writeFixture('report-copy.pdf', new Uint8Array(copy.bytes));
  expect(tool('pdftotext', [file, '-']).toString().trim()).toBe('');
  const info = tool('pdfinfo', [file]).toString();
  expect(info).not.toMatch(/Author|Nowak|KOWALCZYK/i);
  expect(info).toMatch(/Pages:\s+2/);
}, 120_000);

it('an ordinary photo without metadata goes through on the AI site without a question', async () => {
  await env.page.goto(pageOn(LISTED), { waitUntil: 'load' });
  const watch = watchForDialog(env.page);
  const mark = env.server.mark();
  await env.page.locator('#file').setInputFiles(inputPayloads([ordinaryPhoto]));
  await env.server.waitForFiles(mark, 1, TIMEOUT_MS);
  const seen = await watch.stop();
  expect(env.server.filesSince(mark).map((p) => p.sha256)).toEqual([ordinaryPhoto.sha256]);
  expect(seen.asking, 'the dialog asked about a photo with nothing in it').toBe(false);
}, 120_000);

it('on a site the notes do not list, the same photo, screenshot and PDF arrive untouched, without the dialog', async () => {
  for (const file of [gpsPhoto, screenshot, report]) {
    await env.page.goto(pageOn(UNLISTED), { waitUntil: 'load' });
    const watch = watchForDialog(env.page);
    const mark = env.server.mark();
    await env.page.locator('#file').setInputFiles(inputPayloads([file]));
    await env.server.waitForFiles(mark, 1, 10_000);
    const seen = await watch.stop();
    expect(env.server.filesSince(mark).map((p) => p.sha256), file.name).toEqual([file.sha256]);
    expect(seen.dialogFramesSeen, `${file.name}: the dialog was opened`).toBe(0);
  }
}, 120_000);
