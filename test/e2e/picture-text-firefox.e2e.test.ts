// End-to-end in Firefox: an ultrasound file with the patient's name, ID and a setting drawn into its picture
// is picked; the dialog (an extension page, its text worker with the detection model and the reader inside)
// shows the regions and the text read; "Upload a de-identified copy" sends a copy whose picture, rendered
// by dcmtk and read by Tesseract's own command outside the extension, no longer shows the values.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ElementHandle } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRequests, type FilePart } from './harness/fixture-server';
import { waitForFirefoxDialog } from './harness/firefox-browser';
import { setUpFirefoxSuite } from './harness/firefox-upload-suite';
import { cleanUpBurnedIn, drawPicture, pictureDicom } from '../fixtures/burned-in';
import { tag } from '../fixtures/dicom-writer';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';

const env = setUpFirefoxSuite();
const PICTURES_TIMEOUT_MS = 60_000;
let file: string;
let bytes: Buffer;

beforeAll(() => {
  bytes = Buffer.from(pictureDicom(drawPicture({
    rows: 480, columns: 640, photometric: 'RGB', bitsAllocated: 8, background: 'ultrasound', colour: [250, 250, 250],
    lines: [
      { text: 'WIERZBICKA HALINA', x: 10, y: 24, size: 18 },
      { text: 'ID 55120943', x: 10, y: 50, size: 18 },
      { text: 'GAIN 60', x: 540, y: 24, size: 18 },
    ],
  }), 'rle', [
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'US' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'WIERZBICKA^HALINA' },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: '55120943' },
  ]));
  file = path.join(env.workDir ?? fs.mkdtempSync('/tmp/spg-ff-'), 'echo.dcm');
});
afterAll(() => {
  cleanUpBurnedIn();
  cleanUpDcmtk();
});

function tesseractReads(name: string, data: Buffer): string {
  const dcm = path.join(path.dirname(file), name);
  fs.writeFileSync(dcm, data);
  execFileSync('dcmj2pnm', ['--write-png', dcm, `${dcm}.png`], { stdio: 'ignore' });
  return execFileSync('tesseract', [`${dcm}.png`, '-', '--psm', '11'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).toUpperCase();
}

it('Firefox: the text in the picture is read in the dialog, shown, and masked in the copy the page receives', async () => {
  fs.writeFileSync(file, bytes);
  await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
  const mark = env.server.mark();
  const input = (await env.page.waitForSelector('#file', { timeout: 10_000 })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
  await input.dispose();
  const dialog = await waitForFirefoxDialog(env.page, PICTURES_TIMEOUT_MS);

  // The regions, as the dialog lists them, once its worker has read the picture.
  const deadline = Date.now() + PICTURES_TIMEOUT_MS;
  let texts: string[] = [];
  while (Date.now() < deadline) {
    texts = await dialog.frame.evaluate(() => Array.from(document.querySelectorAll('#spg-pictures .region-text'), (e) => e.textContent ?? ''));
    if (texts.length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(texts).toEqual(['WIERZBICKA HALINA', 'GAIN 60', 'ID 55120943']);
  const drawn = await dialog.frame.evaluate(async () => {
    for (let i = 0; i < 100 && !document.querySelector('#spg-pictures canvas'); i++) await new Promise((r) => setTimeout(r, 100));
    return document.querySelector('#spg-pictures canvas')?.getAttribute('aria-label') ?? '';
  });
  expect(drawn).toBe('Frame 1 with 3 areas of text outlined');
  expect(describeRequests(env.server.requestsSince(mark))).toBe('no requests');

  await dialog.uploadDeidentified(PICTURES_TIMEOUT_MS);
  await dialog.waitClosed();
  await env.server.waitForFiles(mark, 1, 15_000);
  const parts: FilePart[] = env.server.filesSince(mark);
  expect(parts.map((p) => p.filename)).toEqual(['echo.dcm']);
  const copy = parts[0]!.bytes;
  expect(dcmdump(new Uint8Array(copy), 'echo.dcm')).toMatch(/\(0028,0301\) CS \[NO\]/);
  const text = tesseractReads('copy.dcm', copy);
  expect(text).not.toContain('WIERZBICKA');
  expect(text).not.toContain('55120943');
  expect(tesseractReads('original.dcm', bytes)).toContain('WIERZBICKA');
}, 180_000);
