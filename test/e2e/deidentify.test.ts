// End-to-end: "Upload a de-identified copy" in the guard's dialog. For a file input, drops (built in the
// page, and a real drag from disk), real upload libraries (react-dropzone, Dropzone.js) and a multi-file
// upload, what the fixture server receives is judged here, outside the extension: our own scanner (scanFile
// over the received bytes) and Debian's dcmdump both read it as a clean DICOM file, none of the planted
// values nor the original UIDs are in its bytes, it has the original's name, its pixel data is byte for byte
// the original's, and the slices of one series keep one (new) study and series. Files that cannot be
// cleaned get no such offer, and Cancel still sends nothing. Afterwards, the extension has stored nothing
// identifying and made no network request.

import fs from 'node:fs';
import type { Frame } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { scanFile } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import { cleanUpDcmtk, dcmdump, dcmdumpPixels } from '../support/dcmtk';
import { dropBuiltInPage, dropFromDisk, inputPayloads } from './harness/deliveries';
import { extensionProfileFiles, extensionStorageDump } from './harness/extension-storage';
import {
  PLANTED,
  PLANTED_TOKENS,
  PLANTED_TOKENS_WITH_YEAR,
  filesOnDisk,
  identifyingDicom,
  plantedTokensIn,
  pngFile,
  sha256,
  type FixtureFile,
} from './harness/fixture-files';
import { describeRequests, type FilePart } from './harness/fixture-server';
import { waitForDialog, type GuardDialog } from './harness/guard-dialog';
import { extensionId, unpackedExtensionId } from './harness/guarded-browser';
import { cancelAndExpectHeld, expectHandlersSaw, expectHeld, noExtensionRequestsTest, settle, setUpGuardedSuite } from './harness/upload-path-suite';

/**
 * On pages loaded with ?record-files, records every File the page appends to a FormData (what it uploads):
 * name, type, size and lastModified, which the multipart body does not carry. Runs before the extension's
 * scripts; a string, so no transpiler helper ends up in page code.
 */
const FORM_FILE_RECORDER = `
if (new URLSearchParams(location.search).has('record-files')) {
  const appended = (window.__appendedFiles = []);
  const append = FormData.prototype.append;
  FormData.prototype.append = function (name, value) {
    if (value instanceof File) appended.push({ name: value.name, type: value.type, size: value.size, lastModified: value.lastModified });
    return append.apply(this, arguments);
  };
}
`;

interface AppendedFile {
  name: string;
  type: string;
  size: number;
  lastModified: number;
}

const env = setUpGuardedSuite({ initScripts: [FORM_FILE_RECORDER] });
afterAll(() => cleanUpDcmtk());

/** Every UID of identifyingDicom starts with this root: none of them may reach the server in a copy. */
const FIXTURE_UID_ROOT = '1.2.826.0.1.3680043.10.1137.77';
/** The values a copy must not hold: the planted ones (as the dialog may print them too) and the original UIDs. */
const MUST_NOT_ARRIVE: readonly string[] = [...PLANTED_TOKENS, FIXTURE_UID_ROOT];
const DEIDENTIFY = '[data-action="deidentify"]';
/** How long the copies may take to be offered (they are checked twice inside the dialog). */
const OFFER_TIMEOUT_MS = 30_000;

/** Milliseconds from the dialog showing to the de-identify choice showing, for every offer seen. */
const offerDelays: number[] = [];
/** The extension's id, read from a dialog frame. */
let dialogExtensionId = '';

// ---- judging a received copy, outside the extension ---------------------------------------------------

/** Which of the texts occur in the bytes, case-insensitively, as Latin-1 or UTF-16 (LE or BE, at any offset). */
function textsIn(bytes: Buffer, texts: readonly string[]): string[] {
  const views = [bytes.toString('latin1')];
  for (const start of [0, 1]) {
    const at = bytes.subarray(start, bytes.length - ((bytes.length - start) % 2));
    views.push(at.toString('utf16le'), Buffer.from(at).swap16().toString('utf16le'));
  }
  const lower = views.map((v) => v.toLowerCase());
  return texts.filter((t) => lower.some((hay) => hay.includes(t.toLowerCase())));
}

/** A value of a top-level element (or meta element) from dcmdump's text, e.g. tag '0020,000d'. */
function dumpValue(dump: string, tag: string): string | undefined {
  const m = new RegExp(`^\\(${tag}\\) \\w\\w \\[([^\\]]*)\\]`, 'mi').exec(dump);
  return m?.[1]?.replace(/[\0 ]+$/, '');
}

interface CopyUids {
  study: string;
  series: string;
  sop: string;
}

/**
 * The received part is a clean de-identified copy of `original`: same name, our scanner says 'clean',
 * dcmdump reads it without one complaint, no planted value nor original UID in its bytes, the pixel data
 * byte for byte the original's, marked identity removed, meta header consistent. Returns its UIDs.
 */
async function expectCleanCopy(part: FilePart, original: FixtureFile, expectedType?: string): Promise<CopyUids> {
  const what = `the copy of ${original.name} the server received`;
  expect(part.filename, `name of ${what}`).toBe(original.name);
  if (expectedType !== undefined) expect(part.contentType, `type of ${what}`).toBe(expectedType);
  expect(part.sha256, `${what} differs from the original`).not.toBe(original.sha256);

  // The searches can find what they look for: the original holds every planted value.
  expect(textsIn(original.buffer, [PLANTED.patientName, PLANTED.patientId, PLANTED.birthDate, PLANTED.institution, FIXTURE_UID_ROOT])).toHaveLength(5);
  expect(textsIn(part.bytes, MUST_NOT_ARRIVE), `planted values or original UIDs in the bytes of ${what}`).toEqual([]);

  const report = await scanFile({ path: part.filename, source: bytesSource(new Uint8Array(part.bytes)) });
  const notLow = report.findings.filter((f) => f.severity !== 'low').map((f) => `${f.keyword} (${f.tag}, ${f.severity})`);
  expect(report.format, `format our scanner sees in ${what}`).toBe('dicom');
  expect(report.verdict, `our scanner's verdict on ${what} (${report.reason ?? ''}; findings above low: ${notLow.join(', ') || 'none'})`).toBe('clean');

  const dump = dcmdump(new Uint8Array(part.bytes), part.filename); // throws with dcmdump's complaints
  expect(dumpValue(dump, '0012,0062'), `PatientIdentityRemoved in ${what}`).toBe('YES');
  const uids = {
    study: dumpValue(dump, '0020,000d') ?? '',
    series: dumpValue(dump, '0020,000e') ?? '',
    sop: dumpValue(dump, '0008,0018') ?? '',
  };
  for (const [name, uid] of Object.entries(uids)) expect(uid, `${name} UID of ${what}`).toMatch(/^2\.25\.\d+$/);
  expect(dumpValue(dump, '0002,0003'), `MediaStorageSOPInstanceUID of ${what}`).toBe(uids.sop);

  const pixels = dcmdumpPixels(new Uint8Array(part.bytes), part.filename);
  const originalPixels = dcmdumpPixels(new Uint8Array(original.buffer), original.name);
  expect(originalPixels.map((p) => p.length), 'pixel data of the original, as dcmdump reads it').toEqual([32 * 32 * 2]);
  expect(pixels.map((p) => sha256(p)), `pixel data of ${what}, as dcmdump reads it`).toEqual(originalPixels.map((p) => sha256(p)));
  return uids;
}

// ---- driving a de-identified upload -------------------------------------------------------------------

/** Waits for the de-identify choice; checks it is the primary one; records how long it took. */
async function waitForOffer(dialog: GuardDialog, shownAt: number): Promise<void> {
  const offer = dialog.frame.locator(DEIDENTIFY);
  try {
    await offer.waitFor({ state: 'visible', timeout: OFFER_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`"Upload a de-identified copy" was not offered within ${OFFER_TIMEOUT_MS} ms: ${await dialog.describe()}\n${String(error)}`);
  }
  offerDelays.push(Date.now() - shownAt);
  expect(await offer.getAttribute('class'), 'the de-identify choice is the primary one').toMatch(/\bprimary\b/);
  expect(await dialog.frame.locator('[data-action="cancel"]').getAttribute('class'), 'Cancel is no longer the primary choice').toMatch(/\bsecondary\b/);
}

interface DeidentifiedUpload {
  url: string;
  files: FixtureFile[];
  deliver(scope: Frame): Promise<void>;
}

/** Hands the files over, chooses the de-identified copy, and returns the file parts that arrived. */
async function uploadDeidentified(u: DeidentifiedUpload): Promise<FilePart[]> {
  await env.page.goto(u.url, { waitUntil: 'load' });
  const scope = env.page.mainFrame();
  const mark = env.server.mark();
  await u.deliver(scope);
  const dialog = await waitForDialog(env.page);
  const shownAt = Date.now();
  dialogExtensionId ||= dialog.extensionId;
  await expectHeld(env, scope, mark, 'while the dialog is open');
  await waitForOffer(dialog, shownAt);
  await expectHeld(env, scope, mark, 'while the de-identified copy is offered');
  await dialog.click('deidentify');
  await dialog.waitClosed();
  await env.server.waitForFiles(mark, u.files.length, 15_000);
  await settle(env, 300); // anything sent twice would arrive now
  const parts = env.server.filesSince(mark);
  expect(parts.map((p) => p.filename).sort(), `files received (${describeRequests(env.server.since(mark))})`).toEqual(u.files.map((f) => f.name).sort());
  expect(parts.filter((p) => u.files.some((f) => f.sha256 === p.sha256 && f.mimeType === 'application/dicom')).map((p) => p.filename), 'originals of DICOM files that arrived').toEqual([]);
  await expectHandlersSaw(scope, { files: u.files });
  return parts;
}

function partNamed(parts: readonly FilePart[], name: string): FilePart {
  const part = parts.find((p) => p.filename === name);
  if (!part) throw new Error(`no part named ${name} among ${parts.map((p) => p.filename).join(', ')}`);
  return part;
}

// ---- one file, each upload path -----------------------------------------------------------------------

/** Uploads the DICOM originals as de-identified copies and checks each copy that arrived. */
async function expectCleanCopiesOf(page: string, originals: FixtureFile[], deliver: (scope: Frame, files: FixtureFile[]) => Promise<void>): Promise<void> {
  const parts = await uploadDeidentified({ url: `${env.server.originA}/${page}`, files: originals, deliver: (scope) => deliver(scope, originals) });
  for (const original of originals) await expectCleanCopy(partNamed(parts, original.name), original, 'application/dicom');
}

it('plain file input: the server receives a clean de-identified copy', async () => {
  await expectCleanCopiesOf('plain-input.html', [identifyingDicom(1)], (scope, files) => scope.locator('#file').setInputFiles(inputPayloads(files)));
});

it('drop with a DataTransfer built in the page: the server receives a clean de-identified copy', async () => {
  await expectCleanCopiesOf('drop-zone.html', [identifyingDicom(2)], (scope, files) => dropBuiltInPage(scope, scope.locator('#drop'), files));
});

it('a real drag of two files from disk: the server receives clean de-identified copies, with the name and date of the files on disk', async () => {
  const { files, paths } = filesOnDisk(env.workDir, 'deidentify-drag', [identifyingDicom(3), identifyingDicom(4)]);
  const modified = new Date('2021-03-04T05:06:07Z');
  for (const file of paths) fs.utimesSync(file, modified, modified);
  const parts = await uploadDeidentified({
    url: `${env.server.originA}/drop-zone.html?record-files`,
    files,
    deliver: () => dropFromDisk(env.page, env.page.locator('#drop'), paths),
  });
  for (const original of files) await expectCleanCopy(partNamed(parts, original.name), original);
  const appended = await env.page.evaluate(() => (window as unknown as { __appendedFiles?: AppendedFile[] }).__appendedFiles ?? []);
  expect(
    appended.map((f) => ({ name: f.name, lastModified: f.lastModified, size: f.size })).sort((a, b) => a.name.localeCompare(b.name)),
    'the Files the page uploaded: the copies, with the names and modification time of the files on disk',
  ).toEqual(files.map((f) => ({ name: f.name, lastModified: modified.getTime(), size: partNamed(parts, f.name).bytes.length })));
  for (const f of appended) expect(f.type, `type of the copy of ${f.name} (as the page's FormData sent it)`).toBe(partNamed(parts, f.name).contentType);
});

it('react-dropzone, through its file input: the server receives a clean de-identified copy', async () => {
  await expectCleanCopiesOf('react-dropzone.html', [identifyingDicom(5)], (scope, files) => scope.locator('#dropzone-input').setInputFiles(inputPayloads(files)));
});

it('react-dropzone, through a drop: the server receives clean de-identified copies', async () => {
  await expectCleanCopiesOf('react-dropzone.html', [identifyingDicom(6), identifyingDicom(7)], (scope, files) => dropBuiltInPage(scope, scope.locator('#dropzone'), files));
});

it('Dropzone.js, through its hidden input: the server receives a clean de-identified copy', async () => {
  await expectCleanCopiesOf('dropzone-js.html', [identifyingDicom(8)], (scope, files) => scope.locator('input.dz-hidden-input').setInputFiles(inputPayloads(files)));
});

it('Dropzone.js, through a drop: the server receives clean de-identified copies (one request each)', async () => {
  await expectCleanCopiesOf('dropzone-js.html', [identifyingDicom(9), identifyingDicom(10)], (scope, files) => dropBuiltInPage(scope, scope.locator('#dz'), files));
});

// ---- several slices of one series ---------------------------------------------------------------------

it('several slices of one series and a photo: one new study and series across the slices, in this upload and the next', async () => {
  const slices = [identifyingDicom(11, 'IM0011.dcm'), identifyingDicom(12, 'IM0012.dcm'), identifyingDicom(13, 'IM0013.dcm')];
  const photo = pngFile(11);
  const parts = await uploadDeidentified({
    url: `${env.server.originA}/multiple-input.html`,
    files: [...slices, photo],
    deliver: (scope) => scope.locator('#file').setInputFiles(inputPayloads([...slices, photo])),
  });
  expect(partNamed(parts, photo.name).sha256, 'the photo (nothing medical) arrives unchanged').toBe(photo.sha256);
  const uids: CopyUids[] = [];
  for (const slice of slices) uids.push(await expectCleanCopy(partNamed(parts, slice.name), slice, 'application/dicom'));
  expect(new Set(uids.map((u) => u.study)).size, `StudyInstanceUIDs of the slices: ${uids.map((u) => u.study).join(', ')}`).toBe(1);
  expect(new Set(uids.map((u) => u.series)).size, `SeriesInstanceUIDs of the slices: ${uids.map((u) => u.series).join(', ')}`).toBe(1);
  expect(new Set(uids.map((u) => u.sop)).size, 'every slice keeps its own SOPInstanceUID').toBe(slices.length);
  expect(uids[0]!.study, 'the study and series get different UIDs').not.toBe(uids[0]!.series);

  // The next slice of the same series, in another upload on another page: still the same study and series.
  const later = identifyingDicom(14, 'IM0014.dcm');
  const [laterPart] = await uploadDeidentified({
    url: `${env.server.originA}/plain-input.html`,
    files: [later],
    deliver: (scope) => scope.locator('#file').setInputFiles(inputPayloads([later])),
  });
  const laterUids = await expectCleanCopy(laterPart!, later, 'application/dicom');
  expect(laterUids.study, 'StudyInstanceUID of a slice of the same study uploaded later').toBe(uids[0]!.study);
  expect(laterUids.series, 'SeriesInstanceUID of a slice of the same series uploaded later').toBe(uids[0]!.series);
  expect(uids.map((u) => u.sop), 'SOPInstanceUID of the later slice is its own').not.toContain(laterUids.sop);
});

// ---- files that cannot be cleaned ---------------------------------------------------------------------

/** An identifying DICOM file cut short after `keep` bytes. */
function cutShort(index: number, keep: number, name: string): FixtureFile {
  const bytes = Buffer.from(identifyingDicom(index).buffer.subarray(0, keep));
  return { name, mimeType: 'application/dicom', buffer: bytes, sha256: sha256(bytes) };
}

/**
 * How long to watch for an offer that must not come: at least 5 s, and twice the slowest offer seen (the
 * first dialog of a browser is slow to start: about 3 s here, later offers come within 100 ms).
 */
function absentWaitMs(): number {
  return Math.max(5_000, 2 * Math.max(0, ...offerDelays));
}

async function expectNoOfferThenCancel(files: FixtureFile[]): Promise<void> {
  await env.page.goto(`${env.server.originA}/multiple-input.html`, { waitUntil: 'load' });
  const scope = env.page.mainFrame();
  const mark = env.server.mark();
  await scope.locator('#file').setInputFiles(inputPayloads(files));
  const dialog = await waitForDialog(env.page);
  // The slot of the de-identify choice stays empty until the copies are ready or have failed (then a
  // dialog may say why there are none): watch until something fills it, or for absentWaitMs.
  const waitMs = absentWaitMs();
  const filled = await dialog.frame
    .waitForFunction(() => (document.querySelector('[data-slot="deidentify"]')?.childElementCount ?? 0) > 0, undefined, { timeout: waitMs, polling: 50 })
    .then(() => true, () => false);
  await settle(env, 300);
  const waited = filled ? 'once the copies were decided on' : `after ${waitMs} ms`;
  expect(await dialog.state(), `the dialog still asks (${await dialog.describe()})`).toBe('asking');
  expect(await dialog.frame.locator(DEIDENTIFY).count(), `de-identify choices ${waited} (${await dialog.describe()})`).toBe(0);
  expect(await dialog.frame.locator('[data-action="cancel"]').isVisible(), 'Cancel is shown').toBe(true);
  await expectHeld(env, scope, mark, 'while the dialog is open');
  await cancelAndExpectHeld(env, scope, mark, dialog);
}

it('a DICOM file cut short in its header (unreadable): no de-identified copy is offered, and Cancel sends nothing', async () => {
  const broken = cutShort(20, 400, 'cut-in-header.dcm');
  const verdict = (await scanFile({ path: broken.name, source: bytesSource(new Uint8Array(broken.buffer)) })).verdict;
  expect(verdict, 'our scanner calls the fixture unreadable').toBe('unreadable');
  await expectNoOfferThenCancel([broken]);
});

it('a DICOM file cut short in its pixel data: no de-identified copy is offered, and Cancel sends nothing', async () => {
  const original = identifyingDicom(21);
  const broken = cutShort(21, original.buffer.length - 1000, 'cut-in-pixels.dcm');
  expect(() => dcmdump(new Uint8Array(broken.buffer), broken.name), 'dcmdump refuses the fixture').toThrow(/PixelData|premature|Invalid stream/);
  await expectNoOfferThenCancel([broken]);
});

it('one clean-able slice with a file cut short: no partly de-identified upload is offered, and Cancel sends nothing', async () => {
  await expectNoOfferThenCancel([identifyingDicom(22, 'IM0022.dcm'), cutShort(23, 400, 'IM0023.dcm')]);
});

// ---- what the extension kept --------------------------------------------------------------------------

it('after the de-identified uploads, the extension storage holds no planted value nor original UID', async () => {
  expect(offerDelays.length, 'de-identified uploads happened before this check').toBeGreaterThan(0);
  const id = dialogExtensionId || extensionId(env.browser.context);
  expect(id, 'the dialog frame and the unpacked-extension id agree').toBe(unpackedExtensionId());
  const dump = await extensionStorageDump(env.browser.context, id);
  expect(JSON.parse(dump).origin, 'the storage was read from the extension origin').toBe(`chrome-extension://${id}`);
  expect(plantedTokensIn(dump, [...PLANTED_TOKENS_WITH_YEAR, FIXTURE_UID_ROOT]), `planted values in the extension storage: ${dump.slice(0, 2000)}`).toEqual([]);
});

noExtensionRequestsTest(env);

it("once the browser is closed, the extension's files in the profile hold no planted value nor original UID", async () => {
  await env.browser.context.close();
  const root = env.browser.userDataDir;
  const files = extensionProfileFiles(root, unpackedExtensionId());
  expect(files.length, 'the profile has files to look at').toBeGreaterThan(0);
  const found: string[] = [];
  for (const file of files) {
    const hits = textsIn(fs.readFileSync(file), MUST_NOT_ARRIVE);
    if (hits.length > 0) found.push(`${file.slice(root.length + 1)}: ${hits.join(', ')}`);
  }
  expect(found, `profile files checked: ${files.length}`).toEqual([]);
});
