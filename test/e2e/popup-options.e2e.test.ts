// End-to-end: the toolbar popup (opened by URL with ?url=) for AI chat services, a Hugging Face Space, two imaging
// services, an unknown site and a site with protection off: the site, protection and three one-line answers (worst
// first) within the first 600 px, the details, quotes and sources folding out as the data has them, sources that
// disagree shown newest first, the administrator's policy shown as managed (the age warning by an injected clock is in
// popup-notes-age.e2e.test.ts, whose clock cannot leak into these pages); its
// switch really turning the guard off and on for an open page without a reload; options changes reaching open pages
// without a reload; counts and the badge following the top-level site when the upload form is in a cross-origin
// frame; settings an administrator fixed shown as managed; no axe-core violations in light and dark; no horizontal
// scrolling at 320 CSS px (what 200% zoom leaves); screenshots kept in docs/screenshots/.
//
// chatgpt.com and claude.ai are never contacted: the browser's requests for them are answered by the test itself
// (context.route) with a small page that frames an upload form from the fixture server.

import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONCERN_ORDER, UPLOAD_QUESTIONS, findSiteNotes, leadAnswers, notesAreStale, type Concern, type SiteFinding } from '../../src/core/site-notes';
import { inputPayloads } from './harness/deliveries';
import { PLANTED_TOKENS, identifyingDicom, pngFile } from './harness/fixture-files';
import { REPO_ROOT, describeRequests } from './harness/fixture-server';
import { waitForDialog, watchForDialog } from './harness/guard-dialog';
import { POPUP_VIEWPORT, axeViolations, firstScreen } from './harness/popup-page';
import { expectHeld, filesInInputs, seenFiles, setUpGuardedSuite, settle } from './harness/upload-path-suite';

/** The extension APIs the test calls inside the extension's own worker and pages (evaluated there, typed here). */
interface StorageAreaApi {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}
declare const chrome: {
  storage: { local: StorageAreaApi; session: StorageAreaApi; managed: StorageAreaApi & { onChanged?: unknown } };
  action: { getBadgeText(details: { tabId: number }): Promise<string>; getTitle(details: { tabId: number }): Promise<string> };
};

const env = setUpGuardedSuite();

const SCREENSHOTS = path.join(REPO_ROOT, 'docs/screenshots');

/** Where the chatgpt.com stand-in frames its upload form from (answered by the test, see beforeAll). */
const UPLOAD_ORIGIN = 'https://upload-form.example.net';

let worker: Worker;
let extensionId = '';
let ui: Page;

beforeAll(async () => {
  const context = env.browser.context;
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  extensionId = new URL(worker.url()).host;
  // storage.managed answers slowly the first time after the browser starts; wait for it once so that every
  // guard reads its settings promptly (until it has, a guard protects every site: it fails closed).
  await worker.evaluate(() => chrome.storage.managed.get());
  await context.route('https://chatgpt.com/**', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body:
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in for chatgpt.com</title><link rel="icon" href="data:,"></head>' +
        '<body><h1>Stand-in for chatgpt.com</h1><p>A page served by the test; the upload form comes from another origin.</p>' +
        `<iframe id="upload" title="Upload" src="${UPLOAD_ORIGIN}/plain-input.html" style="width:40rem;height:14rem"></iframe></body></html>`,
    }),
  );
  // The framed upload form's origin: its requests are passed on to the fixture server's second origin by the test
  // (a page on a public host may not frame 127.0.0.1 directly: Chromium's private network access rules).
  await context.route(`${UPLOAD_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${env.server.originB}${url.pathname}${url.search}` }) });
  });
  ui = await context.newPage();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await ui?.close().catch(() => undefined);
});

// ---- helpers ------------------------------------------------------------------------------------------------

async function setStorage(items: Record<string, unknown>): Promise<void> {
  await worker.evaluate((i) => chrome.storage.local.set(i), items);
}

async function getStorage(key: string): Promise<unknown> {
  return worker.evaluate(async (k) => (await chrome.storage.local.get(k))[k], key);
}

async function resetSettings(): Promise<void> {
  await worker.evaluate(() => chrome.storage.local.remove(['settings', 'siteActivity']));
}

async function openPopup(url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<void> {
  await ui.bringToFront();
  await ui.emulateMedia({ colorScheme });
  await ui.setViewportSize(POPUP_VIEWPORT);
  await ui.goto(`chrome-extension://${extensionId}/src/ui/popup/index.html?url=${encodeURIComponent(url)}`);
  await ui.waitForSelector('main[aria-busy="false"]');
}

async function openOptions(page: Page = ui, colorScheme: 'light' | 'dark' = 'light'): Promise<void> {
  await page.bringToFront();
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto(`chrome-extension://${extensionId}/src/ui/options/index.html`);
  await page.waitForSelector('main[data-ready="true"]');
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Pixels the page scrolls sideways at a 320 CSS px wide viewport (WCAG 1.4.10; what 200% zoom of 640 px leaves). */
async function sidewaysOverflowAt320(page: Page): Promise<number> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (before) await page.setViewportSize(before);
  return overflow;
}

/** The extension's tab state (storage.session) for the tab showing `host`. */
async function tabIdShowing(host: string): Promise<number> {
  const tabs = (await worker.evaluate(async () => (await chrome.storage.session.get('tabSites')).tabSites)) as Record<string, { host: string | null }>;
  const found = Object.entries(tabs ?? {}).find(([, site]) => site.host === host);
  if (!found) throw new Error(`the background knows no tab showing ${host}: ${JSON.stringify(tabs)}`);
  return Number(found[0]);
}

/** The cross-origin upload form framed by the chatgpt.com stand-in, once it has loaded. */
async function uploadFrame(): Promise<Frame> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const frame = env.page.frames().find((f) => f.url().startsWith(`${UPLOAD_ORIGIN}/plain-input.html`));
    if (frame) {
      await frame.waitForLoadState('load');
      return frame;
    }
    await settle(env, 100);
  }
  throw new Error(`the cross-origin upload frame did not load; frames: ${env.page.frames().map((f) => f.url()).join(', ')}`);
}

async function badgeOf(tabId: number): Promise<{ text: string; title: string }> {
  return worker.evaluate(async (id) => ({ text: await chrome.action.getBadgeText({ tabId: id }), title: await chrome.action.getTitle({ tabId: id }) }), tabId);
}

async function waitForBadge(tabId: number, text: string): Promise<{ text: string; title: string }> {
  const deadline = Date.now() + 5_000;
  let badge = await badgeOf(tabId);
  while (badge.text !== text && Date.now() < deadline) {
    await settle(env, 100);
    badge = await badgeOf(tabId);
  }
  return badge;
}

/** Opens a page in the test's site tab and brings that tab to the front. */
async function showPage(url: string): Promise<void> {
  await env.page.bringToFront();
  await env.page.goto(url);
}

/**
 * Nothing reached the server since `mark`, the page's own handlers saw no file beyond the `seenBefore` they had
 * already recorded (earlier uploads on the same page, which is not reloaded), and its input holds none.
 */
async function expectHeldSince(scope: Frame, mark: number, seenBefore: number, when: string): Promise<void> {
  expect(describeRequests(env.server.requestsSince(mark)), `requests that reached the server ${when}`).toBe('no requests');
  expect((await seenFiles(scope)).length, `new files the page's own handlers saw ${when}`).toBe(seenBefore);
  expect(await filesInInputs(scope), `files the page could read from its input ${when}`).toBe(0);
}

/** Hands an identifying DICOM to the page's file input (its tab in front: a background tab's timers are throttled). */
async function uploadIdentifying(scope: Frame, index: number): Promise<void> {
  await env.page.bringToFront();
  await scope.locator('#file').setInputFiles(inputPayloads([identifyingDicom(index)]));
}

// ---- the popup ------------------------------------------------------------------------------------------------

/** The English strings the popup shows (the test browser's UI language is English). */
const EN = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, { message: string }>;

/** A message with its $PLACEHOLDER$ filled in, as the popup shows it in English. */
function english(key: string, substitution?: string): string {
  const message = EN[key]?.message;
  if (message === undefined) throw new Error(`no English message ${key}`);
  return substitution === undefined ? message : message.replace(/\$[A-Z_]+\$/, substitution);
}

/** A finding's answer as the popup words it ("Kept up to 3 years"). */
function answerText(finding: SiteFinding): string {
  const duration = finding.duration && new Intl.NumberFormat('en', { style: 'unit', unit: finding.duration.unit, unitDisplay: 'long' }).format(finding.duration.amount);
  return english(finding.valueKey, duration);
}

/** The sites the popup is checked on: AI chat, a Hugging Face Space, two imaging services. */
const SITES = [
  { url: 'https://chatgpt.com/c/some-chat', host: 'chatgpt.com', shot: 'popup-known-site' },
  { url: 'https://gemini.google.com/app', host: 'gemini.google.com' },
  { url: 'https://claude.ai/new', host: 'claude.ai' },
  { url: 'https://www.perplexity.ai/search/new', host: 'perplexity.ai' },
  { url: 'https://someone-chest-xray.hf.space/', host: 'someone-chest-xray.hf.space', shot: 'popup-hf-space' },
  { url: 'https://xrayinterpreter.com/upload', host: 'xrayinterpreter.com', shot: 'popup-imaging-service' },
  { url: 'https://www.medicai.io/en/', host: 'medicai.io' },
];

describe('popup', () => {
  beforeAll(resetSettings);

  for (const site of SITES) {
    it(`${site.host}: site, protection and three one-line answers worst first on the first screen; details, quotes and sources fold out`, async () => {
      const notes = findSiteNotes(site.url);
      if (!notes) throw new Error(`the database has no notes for ${site.url}`);
      const answers = leadAnswers(notes);
      for (const scheme of ['light', 'dark'] as const) {
        await openPopup(site.url, scheme);
        expect(await ui.locator('h1').textContent()).toBe(site.host);
        expect(await ui.locator('.site-kind').textContent()).toContain(notes.name);
        expect(await ui.locator('#protection-switch').getAttribute('aria-checked')).toBe('true');

        // The first screen (the largest popup Chromium shows is 600 px tall): site, protection, the three answers.
        const screen = await firstScreen(ui);
        expect(screen.map((p) => p.part)).toEqual(['site', 'switch', 'protection state', 'answer 1', 'answer 2', 'answer 3']);
        for (const part of screen) expect(part.bottom, `${part.part} within the first 600 px`).toBeLessThanOrEqual(POPUP_VIEWPORT.height);

        // Worst first, each answer one line led by its worst finding, folded.
        const shown = await ui.locator('.answers-list > li').evaluateAll((items) =>
          items.map((li) => ({
            question: li.getAttribute('data-question'),
            concern: li.getAttribute('data-concern'),
            answer: li.querySelector('.answer-a strong')?.textContent ?? '',
            about: li.querySelector('.answer-a .about')?.textContent ?? '',
            open: (li.querySelector('details') as HTMLDetailsElement).open,
          })),
        );
        expect(shown.map((a) => a.question)).toEqual(answers.map((a) => a.question));
        const rank = (c: string | null): number => CONCERN_ORDER.indexOf(c as Concern);
        expect(shown.map((a) => rank(a.concern)), 'worst first').toEqual([...shown.map((a) => rank(a.concern))].sort((a, b) => a - b));
        answers.forEach((a, i) => {
          expect(shown[i]!.answer).toBe(a.headline ? answerText(a.headline) : english('popup_notKnown'));
          expect(shown[i]!.about).toBe(a.headline?.about ? ` — ${a.headline.about}` : '');
          expect(shown[i]!.open, 'folded at first').toBe(false);
        });
        expect(await ui.locator('.notes-read').textContent()).toBe(english('popup_notesRead', '2026-12-05'));
        expect(await ui.locator('.stale').count(), 'the age warning follows the clock').toBe(notesAreStale('2026-12-05', new Date()) ? 1 : 0);
        expect(await axeViolations(ui), `axe-core violations, popup for ${site.host}, ${scheme}, folded`).toEqual([]);
        if (site.shot) await ui.screenshot({ path: path.join(SCREENSHOTS, `${site.shot}-${scheme}.png`) });

        // Unfolded: every finding with its quotes (in their own language), its sources, their dates and labels.
        await ui.locator('details:not([open]) > summary').evaluateAll((summaries) => summaries.forEach((s) => (s as HTMLElement).click()));
        // A fold-out's body is built when it first opens.
        await ui.waitForFunction(
          () => [...document.querySelectorAll('.answers-list details')].every((d) => d.querySelector('.answer-body')) && document.querySelector('.more-body') && document.querySelector('.questions ol'),
        );
        expect(await ui.locator('.questions li').count()).toBe(UPLOAD_QUESTIONS.length);
        for (const [i, a] of answers.entries()) {
          const item = ui.locator('.answers-list > li').nth(i);
          const findings = await item.locator('.finding').evaluateAll((els) =>
            els.map((e) => ({
              quotes: Array.from(e.querySelectorAll('blockquote'), (q) => [q.textContent, q.getAttribute('lang')]),
              sources: Array.from(e.querySelectorAll('.sources li'), (li) => ({
                href: li.querySelector('a')?.getAttribute('href'),
                text: li.textContent ?? '',
              })),
            })),
          );
          expect(findings).toHaveLength(a.findings.length);
          a.findings.forEach((f, j) => {
            expect(findings[j]!.quotes).toEqual(f.quotes.map((q) => [`“${q}”`, f.lang]));
            expect(findings[j]!.sources.map((s) => s.href)).toEqual(f.sources.map((s) => s.url));
            f.sources.forEach((s, k) => {
              const text = findings[j]!.sources[k]!.text;
              expect(text).toContain(english('popup_readOn', s.read));
              expect(text).toContain(s.pageDate ? english('popup_pageDate', s.pageDate) : english('popup_pageUndated'));
              if (s.reportedBy) expect(text).toContain(english('popup_reportedBy', s.reportedBy));
              else expect(text).not.toContain('reported by');
            });
          });
          const how = await item.locator('.answer-body > .how q').allTextContents();
          expect(how).toEqual(a.how.map((f) => f.how));
        }
        expect(await axeViolations(ui), `axe-core violations, popup for ${site.host}, ${scheme}, unfolded`).toEqual([]);
        if (site.shot === 'popup-known-site' && scheme === 'light') await screenshot(ui, 'popup-details-light');
      }
      expect(await sidewaysOverflowAt320(ui)).toBe(0);
    });
  }

  it('sources that disagree are shown together, newest first, with their dates', async () => {
    await openPopup('https://chatgpt.com/');
    await ui.locator('section.more > details > summary').click();
    await ui.waitForSelector('.more-body');
    const ads = await ui.locator('section.more .findings').filter({ has: ui.locator('[data-fact="advertising"]') }).locator(':scope > li').evaluateAll((items) =>
      items.map((li) => (li.classList.contains('disagree') ? 'note' : `${li.getAttribute('data-value')} ${li.querySelector('.page-date')?.textContent}`)),
    );
    expect(ads).toEqual(['note', 'ads-shown page: 2026-01-17', 'no page undated', 'no page: Updated: 14 days ago']);
    expect(await ui.locator('section.more .disagree').first().textContent()).toBe(english('popup_disagree'));
  });

  it('a Hugging Face Space says that each Space follows its owner\'s policy', async () => {
    await openPopup('https://someone-chest-xray.hf.space/');
    expect(await ui.locator('.site-kind').textContent()).toContain('Hugging Face Spaces');
    await ui.locator('section.more > details > summary').click();
    await ui.waitForSelector('.more-body');
    expect(await ui.locator('.remark').first().textContent()).toContain(english('sites_remark_hfspaces_1'));
  });

  it('an unknown site: no notes, a general checklist, and the questions', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await openPopup('https://example.org/upload', scheme);
      expect(await ui.locator('h1').textContent()).toBe('example.org');
      expect(await ui.locator('.notes').getAttribute('data-notes')).toBe('none');
      expect(await ui.locator('.no-notes').textContent()).toBe('No notes for example.org.');
      expect(await ui.locator('.checklist li').count()).toBe(4);
      expect(await ui.locator('.questions details').getAttribute('open'), 'the questions are open when there are no notes').toBe('');
      expect(await ui.locator('.questions li').count()).toBe(UPLOAD_QUESTIONS.length);
      expect(await ui.locator('.answers').count()).toBe(0);
      for (const part of (await firstScreen(ui)).slice(0, 3)) expect(part.bottom, part.part).toBeLessThanOrEqual(POPUP_VIEWPORT.height);
      expect(await axeViolations(ui), `axe-core violations, popup for an unknown site, ${scheme}`).toEqual([]);
      await screenshot(ui, `popup-unknown-site-${scheme}`);
    }
    expect(await sidewaysOverflowAt320(ui)).toBe(0);
  });

  it('a site with protection off says so, with the switch off', async () => {
    await setStorage({ settings: { version: 1, exceptions: ['claude.ai'] } });
    for (const scheme of ['light', 'dark'] as const) {
      await openPopup('https://claude.ai/new', scheme);
      expect(await ui.locator('#protection-switch').getAttribute('aria-checked')).toBe('false');
      expect(await ui.locator('#protection-state').getAttribute('data-protected')).toBe('false');
      expect(await ui.locator('#protection-state').textContent()).toContain('Protection is off');
      expect(await axeViolations(ui), `axe-core violations, popup with protection off, ${scheme}`).toEqual([]);
      await screenshot(ui, `popup-protection-off-${scheme}`);
    }
    // A subdomain of an excepted site is off too; another site is not.
    await openPopup('https://api.claude.ai/');
    expect(await ui.locator('#protection-switch').getAttribute('aria-checked')).toBe('false');
    await openPopup('https://chatgpt.com/');
    expect(await ui.locator('#protection-switch').getAttribute('aria-checked')).toBe('true');
    await resetSettings();
  });

  it('a page that is not a website has no switch and no notes', async () => {
    await openPopup('chrome://extensions/');
    expect(await ui.locator('h1').textContent()).toBe('Not a website');
    expect(await ui.locator('#protection-switch').count()).toBe(0);
    expect(await ui.locator('.notes').getAttribute('data-notes')).toBe('none');
    expect(await axeViolations(ui)).toEqual([]);
  });

  it("the administrator's policy is shown as managed: at once from the last copy, and as soon as storage.managed answers", async () => {
    const policy = { allowSiteExceptions: false, extraSites: ['pacs.example.org'] };
    // storage.managed cannot be set from a test without writing the machine's browser policies: the page's own
    // storage.managed answers the policy here, two seconds late, as it does right after the browser starts.
    const page = await env.browser.context.newPage();
    try {
      await page.addInitScript((p) => {
        const managed = chrome.storage.managed;
        Object.defineProperty(chrome.storage, 'managed', {
          value: { get: () => new Promise((resolve) => setTimeout(() => resolve(p), 2_000)), onChanged: managed.onChanged },
        });
      }, policy);
      const open = async (): Promise<void> => {
        await page.goto(`chrome-extension://${extensionId}/src/ui/popup/index.html?url=${encodeURIComponent('https://chatgpt.com/')}`);
        await page.waitForSelector('main[aria-busy="false"]');
      };

      // The copy says there is no policy: shown at once, then the live policy replaces it.
      await setStorage({ managedPolicyCache: { policy: {} } });
      await open();
      expect(await page.locator('main').getAttribute('data-can-change'), 'first paint, from the copy').toBe('true');
      await page.waitForSelector('main[data-can-change="false"]', { timeout: 10_000 });
      expect(await page.locator('#protection-switch').isDisabled()).toBe(true);
      expect(await page.locator('#protection-managed').isVisible()).toBe(true);
      // The popup refreshed the copy.
      expect(await getStorage('managedPolicyCache')).toEqual({ policy });

      // The copy holds the policy: managed from the first paint.
      await open();
      expect(await page.locator('main').getAttribute('data-can-change')).toBe('false');
      expect(await page.locator('#protection-managed').isVisible()).toBe(true);
      await page.waitForTimeout(2_500);
      expect(await page.locator('main').getAttribute('data-can-change'), 'still managed once storage.managed answered').toBe('false');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.close();
      await worker.evaluate(() => chrome.storage.local.remove('managedPolicyCache'));
    }
  });
});

// ---- the switch and the options reach the guard ---------------------------------------------------------------

describe('settings reach the guard on open pages, without a reload', () => {
  beforeAll(resetSettings);

  it('the popup switch turns the guard off and on for the site (keyboard only)', async () => {
    await showPage(`${env.server.originA}/plain-input.html`);
    const fixture = env.page.mainFrame();
    const loadedAt = await env.page.evaluate(() => performance.timeOrigin);

    await openPopup(env.page.url());
    await ui.keyboard.press('Tab');
    expect(await ui.evaluate(() => document.activeElement?.id), 'the switch is the first control').toBe('protection-switch');
    await ui.keyboard.press('Space');
    await ui.waitForSelector('main[data-protected="false"]');
    expect(await ui.evaluate(() => document.activeElement?.id), 'focus stays on the switch').toBe('protection-switch');
    expect((await getStorage('settings')) as { exceptions: string[] }).toMatchObject({ exceptions: ['127.0.0.1'] });
    await settle(env, 300);

    // Off: the identifying file goes to the page at once, and no dialog is shown.
    let mark = env.server.mark();
    const watch = watchForDialog(env.page);
    await uploadIdentifying(fixture, 1);
    await env.server.waitForFiles(mark, 1, 10_000);
    expect(await watch.stop(), 'a dialog with protection off').toMatchObject({ shown: false });

    // On again (Enter this time): the next one is held and asked about.
    await ui.bringToFront();
    await ui.locator('#protection-switch').focus();
    await ui.keyboard.press('Enter');
    await ui.waitForSelector('main[data-protected="true"]');
    expect((await getStorage('settings')) as { exceptions: string[] }).toMatchObject({ exceptions: [] });
    await settle(env, 300);
    mark = env.server.mark();
    const seenBefore = (await seenFiles(fixture)).length;
    await uploadIdentifying(fixture, 2);
    const dialog = await waitForDialog(env.page);
    await expectHeldSince(fixture, mark, seenBefore, 'with protection back on');
    await dialog.frame.locator('[data-action="cancel"]').waitFor();
    // The de-identified copy is prepared after the dialog shows: the screenshot waits for its button.
    await dialog.frame.locator('[data-action="deidentify"]').waitFor();
    await env.page.screenshot({ path: path.join(SCREENSHOTS, 'dialog-light.png') });
    await dialog.cancel();
    await dialog.waitClosed();
    expect(await env.page.evaluate(() => performance.timeOrigin), 'the page was not reloaded').toBe(loadedAt);
  });

  it('exceptions and "upload the original anyway" changed in the options page reach the open page', async () => {
    await showPage(`${env.server.originA}/plain-input.html`);
    const fixture = env.page.mainFrame();
    await openOptions();

    // Protection off for the fixture site, typed into the exceptions form and submitted with Enter.
    await ui.locator('#exceptions-input').fill('http://127.0.0.1/');
    await ui.locator('#exceptions-input').press('Enter');
    await ui.waitForSelector('#exceptions-list li[data-site="127.0.0.1"]');
    await settle(env, 300);
    let mark = env.server.mark();
    const watch = watchForDialog(env.page);
    await uploadIdentifying(fixture, 3);
    await env.server.waitForFiles(mark, 1, 10_000);
    expect(await watch.stop()).toMatchObject({ shown: false });

    // Back on, and "upload the original anyway" no longer offered.
    await ui.bringToFront();
    await ui.locator('#exceptions-list li[data-site="127.0.0.1"] button').click();
    await ui.waitForSelector('#exceptions-list li[data-site="127.0.0.1"]', { state: 'detached' });
    await ui.locator('#allow-original').uncheck();
    await ui.waitForFunction(() => document.getElementById('options-status')?.textContent === 'Saved.');
    expect((await getStorage('settings')) as { allowOriginal: boolean; exceptions: string[] }).toMatchObject({ allowOriginal: false, exceptions: [] });
    await settle(env, 300);
    // Back to the site's tab, as a person would be to upload (the browser gives a tab behind another no input).
    await env.page.bringToFront();
    mark = env.server.mark();
    const seenBefore = (await seenFiles(fixture)).length;
    await uploadIdentifying(fixture, 4);
    const dialog = await waitForDialog(env.page);
    await expectHeldSince(fixture, mark, seenBefore, 'with protection back on');
    expect(await dialog.frame.locator('[data-action="upload-original"]').count(), '"upload the original" offered although it is off').toBe(0);
    // Cancel once the picture was read: on this 2-core machine Chromium drops a click routed into the
    // dialog's frame while the text engine starts (both cores busy); see the README's Speed section.
    await dialog.frame.locator('#spg-pictures-progress').waitFor({ state: 'detached', timeout: 60_000 });
    await dialog.cancel();
    await dialog.waitClosed();
    await resetSettings();
  });
});

// ---- the top-level site: counts and badge --------------------------------------------------------------------

describe('counts and badge follow the top-level site', () => {
  beforeAll(async () => {
    await settle(env, 500); // the last counts of the tests before arrive after their dialogs closed
    await resetSettings();
  });

  it('an upload form in a cross-origin frame counts for the top-level site, and the badge warns on that tab', async () => {
    await showPage('https://chatgpt.com/');
    const tabId = await tabIdShowing('chatgpt.com');
    const known = await waitForBadge(tabId, 'AI');
    expect(known.text, 'badge on a known AI site').toBe('AI');
    expect(known.title).toContain('ChatGPT');

    const frame = await uploadFrame();
    const mark = env.server.mark();
    await uploadIdentifying(frame, 5);
    const dialog = await waitForDialog(env.page);
    await expectHeld(env, frame, mark, 'while the dialog is open');
    await dialog.cancel();
    await dialog.waitClosed();

    const warned = await waitForBadge(tabId, '!');
    expect(warned.text).toBe('!');
    expect(warned.title).toContain('1');

    // The guard reports each step as it happens; the background writes them in order.
    const expected = { checked: 1, warned: 1, cancelled: 1, deidentified: 0, original: 0 };
    let activity = (await getStorage('siteActivity')) as { sites: Record<string, Record<string, number>> };
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && JSON.stringify(activity?.sites?.['chatgpt.com']) !== JSON.stringify(expected); ) {
      await settle(env, 100);
      activity = (await getStorage('siteActivity')) as typeof activity;
    }
    expect(activity.sites['chatgpt.com']).toEqual(expected);
    expect(Object.keys(activity.sites), 'counted for the top-level site only').toEqual(['chatgpt.com']);
    const stored = JSON.stringify(await worker.evaluate(() => chrome.storage.local.get(null)));
    expect(PLANTED_TOKENS.filter((token) => stored.toLowerCase().includes(token.toLowerCase()))).toEqual([]);
    expect(stored).not.toContain('scan-5.dcm');

    // The popup for that tab (as the toolbar opens it) names the top-level site and the warning on the page.
    await ui.bringToFront();
    await ui.goto(`chrome-extension://${extensionId}/src/ui/popup/index.html?tabId=${tabId}`);
    await ui.waitForSelector('main[aria-busy="false"]');
    expect(await ui.locator('h1').textContent()).toBe('chatgpt.com');
    expect(await ui.locator('.tab-warning').textContent()).toContain('1 file(s) you gave this page identify someone');
    expect(await ui.locator('.hint').count(), 'no "reload" hint: the guard runs on the page').toBe(0);

    await openPopup('https://chatgpt.com/');
    expect(await ui.locator('.tab-warning').count(), 'a popup asked about a site, not a tab, shows no tab warning').toBe(0);
    const counts = await ui.locator('.count').evaluateAll((items) => items.map((d) => [d.getAttribute('data-count'), d.querySelector('dd')?.textContent]));
    expect(Object.fromEntries(counts)).toEqual({ checked: '1', warned: '1', cancelled: '1', deidentified: '0', original: '0' });
    expect(await axeViolations(ui)).toEqual([]);
    await screenshot(ui, 'popup-with-activity-light');

    // Protection off for the site: the badge says so (once the page reloads and has no warning).
    await setStorage({ settings: { version: 1, exceptions: ['chatgpt.com'] } });
    await env.page.bringToFront();
    await env.page.reload();
    expect((await waitForBadge(tabId, 'OFF')).text).toBe('OFF');
    await resetSettings();
    expect((await waitForBadge(tabId, 'AI')).text).toBe('AI');
  });

  it('a non-medical file on a protected site counts nothing and leaves no badge warning', async () => {
    await showPage(`${env.server.originA}/plain-input.html`);
    const tabId = await tabIdShowing('127.0.0.1');
    const before = JSON.stringify(await getStorage('siteActivity'));
    const mark = env.server.mark();
    await env.page.bringToFront();
    await env.page.locator('#file').setInputFiles(inputPayloads([pngFile(1)]));
    await env.server.waitForFiles(mark, 1, 10_000);
    await settle(env, 300);
    expect((await badgeOf(tabId)).text).toBe('');
    expect(JSON.stringify(await getStorage('siteActivity')), 'the history after a non-medical file').toBe(before);
  });
});

// ---- the options page ----------------------------------------------------------------------------------------

describe('options page', () => {
  beforeAll(resetSettings);

  it('shows every setting, passes axe-core in light and dark, reflows at 320 px, and saves each change', async () => {
    await setStorage({ siteActivity: { version: 1, sites: { 'chatgpt.com': { checked: 3, warned: 1, cancelled: 1, deidentified: 0, original: 0 } } } });
    for (const scheme of ['light', 'dark'] as const) {
      await openOptions(ui, scheme);
      expect(await axeViolations(ui), `axe-core violations, options, ${scheme}`).toEqual([]);
      await screenshot(ui, `options-${scheme}`);
    }
    expect(await sidewaysOverflowAt320(ui)).toBe(0);
    expect(await ui.locator('#mode-ask').isChecked()).toBe(true);
    expect(await ui.locator('#scope-all-sites').isChecked()).toBe(true);
    expect(await ui.locator('#managed-banner').isHidden()).toBe(true);

    await ui.locator('#mode-always-deidentify').check();
    await ui.locator('#deidentify-retainUids').check();
    await ui.locator('#deidentify-retainPatientCharacteristics').uncheck();
    await ui.locator('#scope-listed-sites').check();
    await ui.waitForFunction(() => document.getElementById('options-status')?.textContent === 'Saved.');
    await settle(env, 200);
    expect(await getStorage('settings')).toMatchObject({
      mode: 'always-deidentify',
      protection: 'listed-sites',
      deidentify: { retainUids: true, retainPatientCharacteristics: false },
    });

    // A typo is refused with a message tied to the field; a real host is added and can be removed.
    await ui.locator('#added-sites-input').fill('not a site!');
    await ui.locator('#added-sites-input').press('Enter');
    expect(await ui.locator('#added-sites-input').getAttribute('aria-invalid')).toBe('true');
    expect(await ui.locator('#added-sites-error').isVisible()).toBe(true);
    await ui.locator('#added-sites-input').fill('https://www.pacs.example.org/viewer');
    await ui.locator('#added-sites-input').press('Enter');
    await ui.waitForSelector('#added-sites-list li[data-site="pacs.example.org"]');
    expect(await ui.locator('#added-sites-error').isVisible()).toBe(false);
    expect(await getStorage('settings')).toMatchObject({ sites: ['pacs.example.org'] });
    await ui.locator('#added-sites-list li[data-site="pacs.example.org"] button').click();
    await ui.waitForSelector('#added-sites-list li[data-site="pacs.example.org"]', { state: 'detached' });

    // Clear history.
    expect(await ui.locator('#history-summary').textContent()).toContain('3');
    await ui.locator('[data-action="clear-history"]').click();
    await ui.waitForFunction(() => document.getElementById('history-summary')?.textContent === 'Nothing has been counted yet.');
    expect(await getStorage('siteActivity')).toEqual({ version: 1, sites: {} });
    await resetSettings();
  });

  it('settings an administrator fixed are shown as managed and cannot be changed', async () => {
    // Here the page's own storage.managed answers the policy, so this file needs no machine-wide policy (the merging
    // is unit tested in settings.test.ts; a real policy file in policy-chromium.e2e.test.ts and policy-firefox.e2e.test.ts).
    const page = await env.browser.context.newPage();
    try {
      await page.addInitScript(() => {
        const policy = { mode: 'block', allowOriginal: false, extraSites: ['pacs.example.org'], allowSiteExceptions: false, deidentify: { retainUids: false } };
        const managed = chrome.storage.managed;
        Object.defineProperty(chrome.storage, 'managed', { value: { get: () => Promise.resolve(policy), onChanged: managed.onChanged } });
      });
      await openOptions(page);
      expect(await page.locator('#managed-banner').isVisible()).toBe(true);
      expect(await page.locator('#mode-block').isChecked()).toBe(true);
      expect(await page.locator('#mode-ask').isDisabled()).toBe(true);
      expect(await page.locator('#mode-managed').isVisible()).toBe(true);
      expect(await page.locator('#allow-original').isChecked()).toBe(false);
      expect(await page.locator('#allow-original').isDisabled()).toBe(true);
      expect(await page.locator('#allow-original').getAttribute('aria-describedby')).toContain('allow-original-managed');
      expect(await page.locator('#deidentify-retainUids').isDisabled()).toBe(true);
      expect(await page.locator('#deidentify-retainPatientCharacteristics').isDisabled()).toBe(false);
      expect(await page.locator('#added-sites-list li[data-site="pacs.example.org"][data-managed="true"]').count()).toBe(1);
      expect(await page.locator('#exceptions-managed').isVisible()).toBe(true);
      expect(await page.locator('form[data-form="exceptions"]').isHidden()).toBe(true);
      expect(await axeViolations(page), 'axe-core violations, options with managed settings').toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'options-managed-light.png') });
    } finally {
      await page.close();
    }
  });
});

it("the extension's own contexts made no network request", () => {
  expect(env.browser.network.length, 'the recorder saw the pages load (it works)').toBeGreaterThan(0);
  // Top-level navigations are the test's own page.goto (chatgpt.com among them, answered by the test itself).
  const fromExtension = env.browser.network.filter(
    (r) => r.kind === 'worker' || r.kind === 'unknown' || r.initiator.startsWith('chrome-extension://') || r.pageUrl.startsWith('chrome-extension://'),
  );
  expect(fromExtension.map((r) => `${r.method} ${r.url} from ${r.kind} ${r.initiator}`)).toEqual([]);
  const atServer = env.server.requests.filter((r) =>
    [r.headers.origin, r.headers.referer].some((h) => typeof h === 'string' && h.startsWith('chrome-extension://')),
  );
  expect(describeRequests(atServer)).toBe('no requests');
});
