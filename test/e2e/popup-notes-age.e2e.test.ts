// End-to-end: the popup says plainly when its notes are more than 12 months old, by the clock at the moment it opens.
// The clock is injected (Playwright's clock, which stays installed for the whole browser context: hence a browser of
// its own). The rule itself (notesAreStale) is unit tested in site-notes.test.ts.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness/fixture-server';
import { launchGuardedBrowser, unpackedExtensionId, type GuardedBrowser } from './harness/guarded-browser';
import { POPUP_VIEWPORT, axeViolations, firstScreen } from './harness/popup-page';

const popupFor = (site: string): string => `chrome-extension://${unpackedExtensionId()}/src/ui/popup/index.html?url=${encodeURIComponent(site)}`;
let browser: GuardedBrowser;

beforeAll(async () => {
  browser = await launchGuardedBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function openAt(time: string, site = 'https://chatgpt.com/'): Promise<void> {
  const page = browser.page;
  await page.clock.setFixedTime(new Date(time));
  await page.setViewportSize(POPUP_VIEWPORT);
  await page.goto(popupFor(site));
  await page.waitForSelector('main[aria-busy="false"]');
  expect(await page.evaluate(() => new Date().toISOString())).toBe(new Date(time).toISOString());
}

describe('the age of the notes', () => {
  it('read 2026-12-05: no warning on the day, nor twelve months later to the day', async () => {
    for (const time of ['2026-12-05T09:00:00Z', '2027-12-05T23:00:00Z']) {
      await openAt(time);
      expect(await browser.page.locator('.notes-read').textContent()).toContain('2026-12-05');
      expect(await browser.page.locator('.stale').count(), time).toBe(0);
    }
  });

  it('from the day after, the popup says the notes are from December 2026 and the policy may have changed', async () => {
    await openAt('2027-12-06T08:00:00Z');
    const page = browser.page;
    expect(await page.locator('.stale').textContent()).toBe('These notes are from December 2026; the policy may have changed.');
    expect(await page.locator('.stale').getAttribute('role')).toBe('note');
    for (const part of await firstScreen(page)) expect(part.bottom, `${part.part} within the first 600 px with the warning`).toBeLessThanOrEqual(POPUP_VIEWPORT.height);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(REPO_ROOT, 'docs/screenshots/popup-old-notes-light.png') });
    // The site whose answers take the most lines: still on the first screen, under the warning.
    await openAt('2031-05-01T08:00:00Z', 'https://claude.ai/new');
    expect(await page.locator('.stale').textContent()).toBe('These notes are from December 2026; the policy may have changed.');
    for (const part of await firstScreen(page)) expect(part.bottom, `claude.ai: ${part.part} within the first 600 px`).toBeLessThanOrEqual(POPUP_VIEWPORT.height);
  });
});
