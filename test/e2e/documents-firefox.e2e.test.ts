// End-to-end in Firefox: photos and screenshots (issue 13). Firefox resolves an AI image reader of the site
// notes (xrayexplain.com) and an unlisted site (photos.example) to the fixture server. On the AI site a phone
// photo with a GPS position and its owner's name, and a viewer screenshot with the patient's name drawn in
// its corner, are held and asked about, and the copies the server receives no longer carry them (exiftool,
// Tesseract's own command); on the other site both arrive exactly as they were, without the dialog.

import fs from 'node:fs';
import path from 'node:path';
import type { ElementHandle } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRequests, type FilePart } from './harness/fixture-server';
import { waitForFirefoxDialog, watchForDialog } from './harness/firefox-browser';
import { setUpFirefoxSuite } from './harness/firefox-upload-suite';
import { sha256 } from './harness/fixture-files';
import { PHOTO_TAGS, cleanUpDocuments, colourPhoto, exiftoolTags, tesseractText, viewerScreenshot, withExif } from '../fixtures/documents';

const LISTED = 'xrayexplain.com';
const UNLISTED = 'photos.example';

const env = setUpFirefoxSuite({
  prefs: {
    // Both names resolve to this machine, where the fixture server listens.
    'network.dns.localDomains': `${LISTED},${UNLISTED}`,
    // Plain HTTP on a high port: no attempt at HTTPS first.
    'dom.security.https_first': false,
    'dom.security.https_first_schemeless': false,
    'dom.security.https_only_mode': false,
  },
});
const TIMEOUT_MS = 60_000;

let photo: Buffer;
let screenshot: Buffer;

beforeAll(() => {
  photo = Buffer.from(withExif(colourPhoto(1200, 900), 'gps.jpg', [...PHOTO_TAGS]));
  screenshot = Buffer.from(viewerScreenshot().png);
});
afterAll(() => cleanUpDocuments());

function pageOn(host: string): string {
  return `http://${host}:${new URL(env.server.originA).port}/plain-input.html`;
}

async function pick(host: string, name: string, bytes: Buffer): Promise<number> {
  const file = path.join(env.workDir, name);
  fs.writeFileSync(file, bytes);
  await env.page.goto(pageOn(host), { waitUntil: 'load' });
  expect(new URL(env.page.url()).hostname).toBe(host);
  const mark = env.server.mark();
  const input = (await env.page.waitForSelector('#file', { timeout: 10_000 })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
  await input.dispose();
  return mark;
}

async function copyOf(name: string, bytes: Buffer, waitForRegions: boolean): Promise<Buffer> {
  const mark = await pick(LISTED, name, bytes);
  const dialog = await waitForFirefoxDialog(env.page, TIMEOUT_MS);
  expect(describeRequests(env.server.requestsSince(mark))).toBe('no requests');
  if (waitForRegions) {
    const lines = await dialog.frame.evaluate(async () => {
      for (let i = 0; i < 600 && !document.querySelector('#spg-pictures .region-text'); i++) await new Promise((r) => setTimeout(r, 100));
      return Array.from(document.querySelectorAll('#spg-pictures .region-text'), (e) => e.textContent ?? '');
    });
    expect(lines.join(' | ')).toContain('KOWALCZYK');
  } else {
    expect((await dialog.view())?.text ?? '').toContain('Where the picture was taken');
  }
  await dialog.uploadDeidentified(TIMEOUT_MS);
  await dialog.waitClosed();
  await env.server.waitForFiles(mark, 1, 15_000);
  const parts: FilePart[] = env.server.filesSince(mark);
  expect(parts.map((p) => p.filename)).toEqual([name]);
  return parts[0]!.bytes;
}

it('Firefox: a phone photo with GPS and owner is held on the AI site; its copy carries neither', async () => {
  const copy = await copyOf('IMG_2041.jpg', photo, false);
  const after = exiftoolTags(new Uint8Array(copy), 'ff-after.jpg');
  expect(Object.keys(after).filter((k) => /GPS|Owner|Artist|Serial|Creator|PersonInImage|By-line|City|Comment/i.test(k))).toEqual([]);
}, 180_000);

it('Firefox: a viewer screenshot with the patient\'s name is held on the AI site; its copy no longer shows it', async () => {
  const copy = await copyOf('viewer.png', screenshot, true);
  const read = tesseractText(new Uint8Array(copy), 'ff-viewer-copy.png');
  expect(read).not.toContain('KOWALCZYK');
  expect(read).not.toContain('88412907');
  expect(tesseractText(new Uint8Array(screenshot), 'ff-viewer-original.png')).toContain('KOWALCZYK');
}, 180_000);

it('Firefox: on a site the notes do not list, the photo and the screenshot arrive untouched, without the dialog', async () => {
  for (const [name, bytes] of [['IMG_2041.jpg', photo], ['viewer.png', screenshot]] as const) {
    const watch = watchForDialog(env.page);
    const mark = await pick(UNLISTED, name, bytes);
    await env.server.waitForFiles(mark, 1, 10_000);
    const seen = await watch.stop();
    expect(env.server.filesSince(mark).map((p) => p.sha256), name).toEqual([sha256(bytes)]);
    expect(seen.framesSeen, `${name}: the dialog was opened`).toBe(0);
  }
}, 120_000);
