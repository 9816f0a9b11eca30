// End-to-end: an administrator's policy in Chromium, for real. The test writes a managed policy file into
// /etc/chromium/policies/managed/ ("3rdparty" > "extensions" > the extension's id, settings as in
// managed_schema.json), starts Debian's Chromium with the built extension, and checks each setting where a person
// meets it: the dialog over a fixture upload page (what it offers, or that it does not ask), whether a site is
// protected, the options page and the popup showing the settings as the organisation's. The policy is then changed
// twice while the browser runs (Chromium re-reads the folder), so the open options page and the guard follow a
// changed policy without a restart. The person's own settings always say the opposite of the policy, so each check
// fails if the policy did not win. The file exists only while this file's tests run (see harness/browser-policies.ts);
// it needs root, and without root every test fails saying so.

import fs from 'node:fs';
import type { Frame, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CHROME_EXTENSION_ID } from '../support/extension-ids';
import { CHROMIUM_POLICY_FILE, beforeAllAsRoot, itAsRoot, removeChromiumPolicy, writeChromiumPolicy, type ManagedSettings } from './harness/browser-policies';
import { inputPayloads } from './harness/deliveries';
import { identifyingDicom } from './harness/fixture-files';
import { describeRequests } from './harness/fixture-server';
import { expectDeidentifiedCopy } from './harness/firefox-upload-suite';
import { waitForDialog, watchForDialog } from './harness/guard-dialog';
import { extensionId, unpackedExtensionId } from './harness/guarded-browser';
import { expectHeld, setUpGuardedSuite, settle } from './harness/upload-path-suite';
import { cleanUpDocuments, colourPhoto, withExif } from '../fixtures/documents';

/** The extension APIs the test calls inside the extension's own worker (evaluated there, typed here). */
interface StorageAreaApi {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}
declare const chrome: { storage: { local: StorageAreaApi; managed: StorageAreaApi } };

/**
 * Ask, without "Upload the original anyway"; only listed sites, and 127.0.0.1 (the fixture server) always, where
 * photos and PDFs are checked too.
 */
const POLICY_ASK: ManagedSettings = {
  mode: 'ask', allowOriginal: false, protection: 'listed-sites', extraSites: ['127.0.0.1'], documentSites: ['127.0.0.1'], deidentify: { retainUids: false },
};
/** Always a de-identified copy; the person may not turn protection off for a site. */
const POLICY_DEIDENTIFY: ManagedSettings = { mode: 'always-deidentify', allowSiteExceptions: false };
/** Files that identify someone never go. */
const POLICY_BLOCK: ManagedSettings = { mode: 'block' };

/** The dialog's note in block mode (public/_locales/en: dialog_blocked_note). */
const BLOCKED_NOTE = 'Your settings do not allow uploading files like these to this site.';

// The policy is written before the browser starts (this beforeAll runs before the suite's, which launches it) and
// removed after it closed (after-hooks run in reverse order).
beforeAllAsRoot(() => {
  writeChromiumPolicy(CHROME_EXTENSION_ID, POLICY_ASK);
});
afterAll(() => {
  removeChromiumPolicy();
  cleanUpDocuments();
});

const env = setUpGuardedSuite();

let worker: Worker;
/** The same options page, open from the first policy to the last (it must follow policy changes by itself). */
let options: Page;
let ui: Page;
let localOrigin = '';

beforeAll(async () => {
  worker = env.browser.context.serviceWorkers()[0] ?? (await env.browser.context.waitForEvent('serviceworker'));
  localOrigin = env.server.originA.replace('127.0.0.1', 'localhost');
  ui = await env.browser.context.newPage();
  options = await env.browser.context.newPage();
});

// ---- helpers ------------------------------------------------------------------------------------------------

const managedNow = (): Promise<Record<string, unknown>> => worker.evaluate(() => chrome.storage.managed.get());

/** Waits until storage.managed holds exactly `policy` (Chromium reads a changed policy folder after a few seconds). */
async function waitForManaged(policy: ManagedSettings, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await managedNow();
    if (JSON.stringify(sortKeys(last)) === JSON.stringify(sortKeys(policy))) return;
    await settle(env, 250);
  }
  throw new Error(`storage.managed did not become ${JSON.stringify(policy)} within ${timeoutMs} ms; it holds ${JSON.stringify(last)}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

/** The person's own settings (storage.local), as the options page would write them. */
async function setPersonSettings(settings: Record<string, unknown>): Promise<void> {
  await worker.evaluate((s) => chrome.storage.local.set({ settings: { version: 1, ...s } }), settings);
  await settle(env, 300);
}

async function openOptions(page: Page): Promise<void> {
  await page.goto(`chrome-extension://${CHROME_EXTENSION_ID}/src/ui/options/index.html`);
  await page.waitForSelector('main[data-ready="true"]');
}

async function openPopup(url: string): Promise<void> {
  await ui.goto(`chrome-extension://${CHROME_EXTENSION_ID}/src/ui/popup/index.html?url=${encodeURIComponent(url)}`);
  await ui.waitForSelector('main[aria-busy="false"]');
}

/** The popup's protection switch for a site: on or off, and whether the person may flip it. */
async function popupSwitch(url: string): Promise<{ protected: string | null; disabled: boolean; managedNote: boolean }> {
  await openPopup(url);
  const button = ui.locator('#protection-switch');
  return {
    protected: await button.getAttribute('aria-checked'),
    disabled: await button.isDisabled(),
    managedNote: await ui.locator('#protection-managed').isVisible(),
  };
}

/** Opens the plain upload page of `origin` and picks an identifying DICOM in it. */
async function uploadIdentifying(origin: string, index: number): Promise<{ frame: Frame; mark: number }> {
  await env.page.bringToFront();
  await env.page.goto(`${origin}/plain-input.html`, { waitUntil: 'load' });
  const mark = env.server.mark();
  await env.page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(index)]));
  return { frame: env.page.mainFrame(), mark };
}

// ---- the tests ----------------------------------------------------------------------------------------------

itAsRoot('the extension under test has the id the policy names (the key in its manifest), and Chromium runs it under that id', () => {
  expect(unpackedExtensionId()).toBe(CHROME_EXTENSION_ID);
  expect(extensionId(env.browser.context)).toBe(CHROME_EXTENSION_ID);
  expect(fs.existsSync(CHROMIUM_POLICY_FILE), CHROMIUM_POLICY_FILE).toBe(true);
});

describe('policy: ask, no "Upload the original anyway", listed sites only, 127.0.0.1 always protected', () => {
  beforeAllAsRoot(async () => {
    await waitForManaged(POLICY_ASK);
    // The person turned protection off for 127.0.0.1 and wants every site checked, with the original on offer.
    await setPersonSettings({ mode: 'block', allowOriginal: true, protection: 'all-sites', exceptions: ['127.0.0.1'], deidentify: { retainUids: true } });
  });

  itAsRoot('storage.managed holds the policy as written (Chromium checked it against managed_schema.json)', async () => {
    expect(sortKeys(await managedNow())).toEqual(sortKeys(POLICY_ASK));
  });

  itAsRoot('the options page shows every fixed setting as the organisation\'s, disabled, and leaves the others to the person', async () => {
    await openOptions(options);
    expect(await options.locator('#managed-banner').isVisible()).toBe(true);
    expect(await options.locator('#mode-ask').isChecked()).toBe(true);
    expect(await options.locator('#mode-block').isDisabled()).toBe(true);
    expect(await options.locator('#mode-managed').isVisible()).toBe(true);
    expect(await options.locator('#allow-original').isChecked()).toBe(false);
    expect(await options.locator('#allow-original').isDisabled()).toBe(true);
    expect(await options.locator('#scope-listed-sites').isChecked()).toBe(true);
    expect(await options.locator('#scope-all-sites').isDisabled()).toBe(true);
    expect(await options.locator('#deidentify-retainUids').isChecked()).toBe(false);
    expect(await options.locator('#deidentify-retainUids').isDisabled()).toBe(true);
    expect(await options.locator('#deidentify-retainPatientCharacteristics').isDisabled(), 'an option the policy leaves out').toBe(false);
    expect(await options.locator('#added-sites-list li[data-site="127.0.0.1"][data-managed="true"]').count()).toBe(1);
    expect(await options.locator('#document-sites-list li[data-site="127.0.0.1"][data-managed="true"]').textContent()).toContain('Checked: set by your organisation');
    expect(await options.locator('#exceptions-managed').isVisible(), 'exceptions are still the person\'s under this policy').toBe(false);
  });

  itAsRoot('an identifying DICOM on the always-protected site is held although the person turned protection off there; no "Upload the original anyway"', async () => {
    const { frame, mark } = await uploadIdentifying(env.server.originA, 1);
    const dialog = await waitForDialog(env.page);
    await expectHeld(env, frame, mark, 'while the dialog is open');
    // The de-identified copy is offered once it is made and checked; by then every choice is on screen.
    await dialog.frame.locator('[data-action="deidentify"]').waitFor({ timeout: 30_000 });
    const actions = await dialog.frame.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions, await dialog.describe()).toEqual(['cancel', 'deidentify']);
    await dialog.cancel();
    await dialog.waitClosed();
    await settle(env);
    await expectHeld(env, frame, mark, 'after Cancel');
  });

  itAsRoot('a phone photo with a GPS position is held on the site where the policy has pictures checked', async () => {
    await env.page.bringToFront();
    await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
    const mark = env.server.mark();
    const photo = Buffer.from(withExif(colourPhoto(640, 480), 'policy-gps.jpg', ['-GPSLatitude=52.2297', '-GPSLatitudeRef=N', '-GPSLongitude=21.0122', '-GPSLongitudeRef=E']));
    await env.page.locator('#file').setInputFiles([{ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo }]);
    const dialog = await waitForDialog(env.page, 30_000);
    expect(await dialog.text()).toContain('Where the picture was taken');
    await expectHeld(env, env.page.mainFrame(), mark, 'while the dialog is open');
    await dialog.cancel();
    await dialog.waitClosed();
  });

  itAsRoot('on a site outside the listed ones (localhost) the same file goes through with no dialog: the policy\'s scope, not the person\'s all-sites', async () => {
    const watch = watchForDialog(env.page);
    const { mark } = await uploadIdentifying(localOrigin, 2);
    const arrived = await env.server.waitForFiles(mark, 1, 15_000);
    await settle(env);
    expect(await watch.stop(), 'a dialog on a site the policy does not protect').toMatchObject({ shown: false, asking: false });
    expect(arrived.map((f) => f.sha256)).toEqual([identifyingDicom(2).sha256]);
  });

  itAsRoot('the popup: on the always-protected site the switch is on, disabled and says why; on localhost it is the person\'s', async () => {
    expect(await popupSwitch(`${env.server.originA}/plain-input.html`)).toEqual({ protected: 'true', disabled: true, managedNote: true });
    expect(await popupSwitch(`${localOrigin}/plain-input.html`)).toEqual({ protected: 'false', disabled: false, managedNote: false });
  });
});

describe('policy changed while the browser runs: always de-identify, no exceptions', () => {
  beforeAllAsRoot(async () => {
    writeChromiumPolicy(CHROME_EXTENSION_ID, POLICY_DEIDENTIFY);
    await waitForManaged(POLICY_DEIDENTIFY);
    // The person wants such files blocked, and protection off for 127.0.0.1.
    await setPersonSettings({ mode: 'block', exceptions: ['127.0.0.1'] });
  });

  itAsRoot('the options page, open since the first policy, shows the new one without a reload', async () => {
    await options.waitForFunction(() => (document.getElementById('mode-always-deidentify') as HTMLInputElement | null)?.checked === true, undefined, { timeout: 15_000 });
    expect(await options.locator('#mode-always-deidentify').isDisabled()).toBe(true);
    expect(await options.locator('#allow-original').isDisabled(), 'allowOriginal is no longer fixed').toBe(false);
    expect(await options.locator('#exceptions-managed').isVisible()).toBe(true);
    expect(await options.locator('form[data-form="exceptions"]').isHidden()).toBe(true);
  });

  itAsRoot('an identifying DICOM is replaced by a clean de-identified copy without asking, although the person chose block and an exception for the site', async () => {
    const watch = watchForDialog(env.page);
    const original = identifyingDicom(3);
    const { mark } = await uploadIdentifying(env.server.originA, 3);
    const [part] = await env.server.waitForFiles(mark, 1, 30_000);
    await settle(env);
    expect(await watch.stop(), 'the dialog asked').toMatchObject({ asking: false });
    expect(env.server.filesSince(mark), describeRequests(env.server.since(mark))).toHaveLength(1);
    await expectDeidentifiedCopy(part!, original);
  });

  itAsRoot('the popup\'s switch is disabled on every site: the organisation allows no exceptions', async () => {
    expect(await popupSwitch(`${env.server.originA}/plain-input.html`)).toEqual({ protected: 'true', disabled: true, managedNote: true });
    expect(await popupSwitch(`${localOrigin}/plain-input.html`)).toEqual({ protected: 'true', disabled: true, managedNote: true });
  });
});

describe('policy changed again: block', () => {
  beforeAllAsRoot(async () => {
    writeChromiumPolicy(CHROME_EXTENSION_ID, POLICY_BLOCK);
    await waitForManaged(POLICY_BLOCK);
    // The person wants a de-identified copy sent without asking.
    await setPersonSettings({ mode: 'always-deidentify' });
  });

  itAsRoot('the options page shows "block" as the organisation\'s', async () => {
    await options.waitForFunction(() => (document.getElementById('mode-block') as HTMLInputElement | null)?.checked === true, undefined, { timeout: 15_000 });
    expect(await options.locator('#mode-block').isDisabled()).toBe(true);
    expect(await options.locator('#mode-managed').isVisible()).toBe(true);
    expect(await options.locator('#exceptions-managed').isVisible(), 'exceptions are the person\'s again').toBe(false);
  });

  itAsRoot('the dialog offers only Cancel and says why; nothing reaches the site', async () => {
    const { frame, mark } = await uploadIdentifying(env.server.originA, 4);
    const dialog = await waitForDialog(env.page);
    await expectHeld(env, frame, mark, 'while the dialog is open');
    await dialog.frame.getByText(BLOCKED_NOTE).waitFor();
    await settle(env, 3_000); // a de-identified copy, if one were being made, would be offered by now
    const actions = await dialog.frame.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions, await dialog.describe()).toEqual(['cancel']);
    await dialog.cancel();
    await dialog.waitClosed();
    await settle(env);
    await expectHeld(env, frame, mark, 'after Cancel');
  });
});

itAsRoot('the policy file is removed once the tests are done, and Chromium then drops the policy', async () => {
  removeChromiumPolicy();
  expect(fs.existsSync(CHROMIUM_POLICY_FILE)).toBe(false);
  await waitForManaged({});
});
