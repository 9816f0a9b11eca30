// End-to-end: the toolbar popup opened the moment the browser starts, when storage.managed takes seconds to answer:
// first on a new profile (the extension just installed: no copy of the administrator's policy yet, so the popup
// waits for storage.managed), then after a restart on the same profile (the copy the first session kept is shown at
// once). Each time it must become ready (main[aria-busy=false]) and show the site, protection and its answers. No
// timing assertion here: bench/popup.bench.ts measures how fast.

import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { launchGuardedBrowser, unpackedExtensionId, type GuardedBrowser } from './harness/guarded-browser';

const POPUP = `chrome-extension://${unpackedExtensionId()}/src/ui/popup/index.html?url=${encodeURIComponent('https://chatgpt.com/')}`;
let profile: string | undefined;
let browser: GuardedBrowser | undefined;

afterAll(async () => {
  await browser?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

/** Opens the popup in a new tab of the browser just launched, without waiting for anything first. */
async function openAtOnce(b: GuardedBrowser): Promise<void> {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: 400, height: 600 });
  await page.goto(POPUP);
  await page.waitForSelector('main[aria-busy="false"]', { timeout: 30_000 });
  expect(await page.locator('h1').textContent()).toBe('chatgpt.com');
  expect(await page.locator('#protection-switch').getAttribute('aria-checked')).toBe('true');
  expect(await page.locator('#protection-switch').isDisabled()).toBe(false);
  expect(await page.locator('.answers-list > li').count()).toBe(3);
  expect(await page.locator('.error').count()).toBe(0);
}

async function cachedPolicy(b: GuardedBrowser): Promise<unknown> {
  const worker = b.context.serviceWorkers()[0] ?? (await b.context.waitForEvent('serviceworker'));
  return worker.evaluate(async () => (await chrome.storage.local.get('managedPolicyCache')).managedPolicyCache);
}
declare const chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };

describe('the popup in a browser that has just started', () => {
  it('on a new profile: ready once storage.managed answers; the policy read is kept for the next start', async () => {
    browser = await launchGuardedBrowser();
    profile = browser.userDataDir;
    await openAtOnce(browser);
    const deadline = Date.now() + 15_000;
    let cached = await cachedPolicy(browser);
    while (cached === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      cached = await cachedPolicy(browser);
    }
    expect(cached, 'the copy of the (empty) policy').toEqual({ policy: {} });
    await browser.close({ keepProfile: true });
    browser = undefined;
  });

  it('after a restart on the same profile: ready at once from the copy', async () => {
    browser = await launchGuardedBrowser({ userDataDir: profile });
    await openAtOnce(browser);
  });
});
