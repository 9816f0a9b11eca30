// End-to-end: an administrator's policy in Firefox ESR, for real. For each of three policies the test writes
// /etc/firefox/policies/policies.json ("3rdparty" > "Extensions" > the gecko id; every Firefox build reads this
// path, Debian's firefox-esr too), starts firefox-esr, and removes the file as soon as Firefox has started: Firefox
// reads its policies once, at start, so the policy stays in force in this browser while no other browser of the
// machine sees it. With the built extension installed, each setting is checked where a person meets it: the dialog
// over a fixture upload page (what it offers, or that it does not ask), whether a site is protected, the options
// page and the popup showing the settings as the organisation's. The person's own settings always say the opposite
// of the policy, so each check fails if the policy did not win. Needs root; without it every test fails saying so.

import fs from 'node:fs';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { FIREFOX_EXTENSION_ID } from '../support/extension-ids';
import { FIREFOX_POLICY_FILE, beforeAllAsRoot, itAsRoot, removeFirefoxPolicy, writeFirefoxPolicy, type ManagedSettings } from './harness/browser-policies';
import { identifyingDicom } from './harness/fixture-files';
import { describeRequests, startFixtureServer } from './harness/fixture-server';
import { launchGuardedFirefox, makeWorkDir, openExtensionPage, waitForFirefoxDialog, watchForDialog } from './harness/firefox-browser';
import { expectDeidentifiedCopy, expectHeldFiles, onDisk, QUIET_MS, type FirefoxSuiteEnv } from './harness/firefox-upload-suite';

/** The extension API in Firefox's extension pages (evaluated there, typed here). */
declare const browser: { storage: { local: { set(items: Record<string, unknown>): Promise<void> }; managed: { get(): Promise<Record<string, unknown>> } } };

/** Ask, without "Upload the original anyway"; only listed sites, and 127.0.0.1 (the fixture server) always. */
const POLICY_ASK: ManagedSettings = { mode: 'ask', allowOriginal: false, protection: 'listed-sites', extraSites: ['127.0.0.1'], deidentify: { retainUids: false } };
/** Always a de-identified copy; the person may not turn protection off for a site. */
const POLICY_DEIDENTIFY: ManagedSettings = { mode: 'always-deidentify', allowSiteExceptions: false };
/** Files that identify someone never go. */
const POLICY_BLOCK: ManagedSettings = { mode: 'block' };

/** The dialog's note in block mode (public/_locales/en: dialog_blocked_note). */
const BLOCKED_NOTE = 'Your settings do not allow uploading files like these to this site.';

const env = {} as FirefoxSuiteEnv;
let localOrigin = '';

beforeAll(async () => {
  env.server = await startFixtureServer();
  env.workDir = makeWorkDir();
  localOrigin = env.server.originA.replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  await env.firefox?.close();
  removeFirefoxPolicy();
  await env.server?.close();
  if (env.workDir) fs.rmSync(env.workDir, { recursive: true, force: true });
});

const settle = (ms = QUIET_MS): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts Firefox under `policy` with the extension installed (a fresh profile), the person's own settings set to
 * `person`, and the options page open. The policy file is on disk only while Firefox starts.
 */
async function startUnder(policy: ManagedSettings, person: Record<string, unknown>): Promise<Page> {
  await env.firefox?.close();
  writeFirefoxPolicy(FIREFOX_EXTENSION_ID, policy);
  try {
    env.firefox = await launchGuardedFirefox({ systemAccess: true });
  } finally {
    removeFirefoxPolicy();
  }
  env.page = env.firefox.page;
  // The person's settings, written from an extension page; then the options page, opened afresh, shows them.
  const first = await openExtensionPage(env.firefox, 'src/ui/options/index.html');
  await first.evaluate((s) => browser.storage.local.set({ settings: { version: 1, ...s } }), person);
  await first.close();
  const options = await openExtensionPage(env.firefox, 'src/ui/options/index.html');
  await options.waitForSelector('main[data-ready="true"]');
  return options;
}

const isChecked = (page: Page, selector: string): Promise<boolean> => page.$eval(selector, (e) => (e as HTMLInputElement).checked);
const isDisabled = (page: Page, selector: string): Promise<boolean> => page.$eval(selector, (e) => (e as HTMLInputElement).disabled);
const isShown = (page: Page, selector: string): Promise<boolean> =>
  page.$eval(selector, (e) => !(e as HTMLElement).hidden && (e as HTMLElement).getClientRects().length > 0).catch(() => false);

/** The popup's protection switch for a site: on or off, and whether the person may flip it. */
async function popupSwitch(url: string): Promise<{ protected: string | null; disabled: boolean; managedNote: boolean }> {
  const popup = await openExtensionPage(env.firefox, `src/ui/popup/index.html?url=${encodeURIComponent(url)}`);
  try {
    await popup.waitForSelector('main[aria-busy="false"]');
    return {
      protected: await popup.$eval('#protection-switch', (e) => e.getAttribute('aria-checked')),
      disabled: await isDisabled(popup, '#protection-switch'),
      managedNote: await isShown(popup, '#protection-managed'),
    };
  } finally {
    await popup.close();
  }
}

/** Opens the plain upload page of `origin` and picks an identifying DICOM (from disk) in its input. */
async function uploadIdentifying(origin: string, index: number): Promise<number> {
  await env.page.bringToFront();
  await env.page.goto(`${origin}/plain-input.html`, { waitUntil: 'load' });
  const [file] = onDisk(env, [identifyingDicom(index)]);
  const mark = env.server.mark();
  const input = (await env.page.waitForSelector('#file', { timeout: 10_000 })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file!);
  await input.dispose();
  return mark;
}

async function expectManaged(options: Page, policy: ManagedSettings): Promise<void> {
  expect(fs.existsSync(FIREFOX_POLICY_FILE), `${FIREFOX_POLICY_FILE} is gone once Firefox started`).toBe(false);
  expect(env.firefox.extensionId).toBe(FIREFOX_EXTENSION_ID);
  expect(await options.evaluate(() => browser.storage.managed.get()), 'storage.managed in the extension').toEqual(policy);
}

// ---- the tests ----------------------------------------------------------------------------------------------

describe('policy: ask, no "Upload the original anyway", listed sites only, 127.0.0.1 always protected', () => {
  let options: Page;
  beforeAllAsRoot(async () => {
    // The person turned protection off for 127.0.0.1 and wants every site checked, with the original on offer.
    options = await startUnder(POLICY_ASK, { mode: 'block', allowOriginal: true, protection: 'all-sites', exceptions: ['127.0.0.1'], deidentify: { retainUids: true } });
  });

  itAsRoot('Firefox read the policy at start and gives it to the extension; the file is already gone', async () => {
    await expectManaged(options, POLICY_ASK);
  });

  itAsRoot('the options page shows every fixed setting as the organisation\'s, disabled, and leaves the others to the person', async () => {
    expect(await isShown(options, '#managed-banner')).toBe(true);
    expect(await isChecked(options, '#mode-ask')).toBe(true);
    expect(await isDisabled(options, '#mode-block')).toBe(true);
    expect(await isChecked(options, '#allow-original')).toBe(false);
    expect(await isDisabled(options, '#allow-original')).toBe(true);
    expect(await isChecked(options, '#scope-listed-sites')).toBe(true);
    expect(await isDisabled(options, '#scope-all-sites')).toBe(true);
    expect(await isChecked(options, '#deidentify-retainUids')).toBe(false);
    expect(await isDisabled(options, '#deidentify-retainUids')).toBe(true);
    expect(await isDisabled(options, '#deidentify-retainPatientCharacteristics'), 'an option the policy leaves out').toBe(false);
    expect(await options.$$eval('#added-sites-list li[data-site="127.0.0.1"][data-managed="true"]', (items) => items.length)).toBe(1);
  });

  itAsRoot('an identifying DICOM on the always-protected site is held although the person turned protection off there; no "Upload the original anyway"', async () => {
    const mark = await uploadIdentifying(env.server.originA, 1);
    const dialog = await waitForFirefoxDialog(env.page);
    await expectHeldFiles(env, mark, 'while the dialog is open');
    const view = await dialog.waitForAction('deidentify', 30_000);
    expect(view.actions, await dialog.describe()).toEqual(['cancel', 'deidentify']);
    await dialog.click('cancel');
    await dialog.waitClosed();
    await settle();
    await expectHeldFiles(env, mark, 'after Cancel');
  });

  itAsRoot('on a site outside the listed ones (localhost) the same file goes through with no dialog', async () => {
    const watch = watchForDialog(env.page);
    const mark = await uploadIdentifying(localOrigin, 2);
    const arrived = await env.server.waitForFiles(mark, 1, 15_000);
    await settle();
    expect(await watch.stop(), 'a dialog on a site the policy does not protect').toMatchObject({ shown: false, asking: false });
    expect(arrived.map((f) => f.sha256)).toEqual([identifyingDicom(2).sha256]);
  });

  itAsRoot('the popup: on the always-protected site the switch is on, disabled and says why; on localhost it is the person\'s', async () => {
    expect(await popupSwitch(`${env.server.originA}/plain-input.html`)).toEqual({ protected: 'true', disabled: true, managedNote: true });
    expect(await popupSwitch(`${localOrigin}/plain-input.html`)).toEqual({ protected: 'false', disabled: false, managedNote: false });
  });
});

describe('policy: always de-identify, no exceptions', () => {
  let options: Page;
  beforeAllAsRoot(async () => {
    // The person wants such files blocked, and protection off for 127.0.0.1.
    options = await startUnder(POLICY_DEIDENTIFY, { mode: 'block', exceptions: ['127.0.0.1'] });
  });

  itAsRoot('the extension reads the policy; the options page shows it as the organisation\'s', async () => {
    await expectManaged(options, POLICY_DEIDENTIFY);
    expect(await isChecked(options, '#mode-always-deidentify')).toBe(true);
    expect(await isDisabled(options, '#mode-always-deidentify')).toBe(true);
    expect(await isShown(options, '#exceptions-managed')).toBe(true);
    expect(await isShown(options, 'form[data-form="exceptions"]')).toBe(false);
  });

  itAsRoot('an identifying DICOM is replaced by a clean de-identified copy without asking, although the person chose block and an exception for the site', async () => {
    const watch = watchForDialog(env.page);
    const original = identifyingDicom(3);
    const mark = await uploadIdentifying(env.server.originA, 3);
    const [part] = await env.server.waitForFiles(mark, 1, 30_000);
    await settle();
    expect(await watch.stop(), 'the dialog asked').toMatchObject({ asking: false });
    expect(env.server.filesSince(mark), describeRequests(env.server.since(mark))).toHaveLength(1);
    await expectDeidentifiedCopy(part!, original);
  });

  itAsRoot('the popup\'s switch is disabled on every site: the organisation allows no exceptions', async () => {
    expect(await popupSwitch(`${env.server.originA}/plain-input.html`)).toEqual({ protected: 'true', disabled: true, managedNote: true });
    expect(await popupSwitch(`${localOrigin}/plain-input.html`)).toEqual({ protected: 'true', disabled: true, managedNote: true });
  });
});

describe('policy: block', () => {
  let options: Page;
  beforeAllAsRoot(async () => {
    // The person wants a de-identified copy sent without asking.
    options = await startUnder(POLICY_BLOCK, { mode: 'always-deidentify' });
  });

  itAsRoot('the extension reads the policy; the options page shows "block" as the organisation\'s', async () => {
    await expectManaged(options, POLICY_BLOCK);
    expect(await isChecked(options, '#mode-block')).toBe(true);
    expect(await isDisabled(options, '#mode-block')).toBe(true);
    expect(await isDisabled(options, '#allow-original'), 'allowOriginal is not fixed by this policy').toBe(false);
  });

  itAsRoot('the dialog offers only Cancel and says why; nothing reaches the site', async () => {
    const mark = await uploadIdentifying(env.server.originA, 4);
    const dialog = await waitForFirefoxDialog(env.page);
    await expectHeldFiles(env, mark, 'while the dialog is open');
    await settle(3_000); // a de-identified copy, if one were being made, would be offered by now
    const view = await dialog.view();
    expect(view?.actions, await dialog.describe()).toEqual(['cancel']);
    expect(view?.text).toContain(BLOCKED_NOTE);
    await dialog.click('cancel');
    await dialog.waitClosed();
    await settle();
    await expectHeldFiles(env, mark, 'after Cancel');
  });
});

itAsRoot('no policies.json is left behind', () => {
  expect(fs.existsSync(FIREFOX_POLICY_FILE)).toBe(false);
});
