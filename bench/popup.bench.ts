// `npx tsx bench/popup.bench.ts`: how long the toolbar popup takes to be ready (main[aria-busy="false"]) in the real
// browser (Debian Chromium + the built extension, headless). The time is taken in the popup page itself, from the
// start of its navigation to the moment `aria-busy` turns false, by a MutationObserver injected before the popup's
// own script (so it measures any build, old or new, the same way). Rows, as medians of several runs:
//   - warm, for a tab (`?tabId=`, as the toolbar opens it) showing a fixture page, and for a site named by URL
//     (`?url=`): a browser that has been running for a while, with every build measured loaded side by side and
//     opened in turn; once with the service workers running (popups opened back to back), and once for a tab after
//     idling: no page of the extension open and the workers stopped (as Chromium stops an extension's worker after
//     30 s without events), then 2 s for the extension's process to end, so the popup starts a new one;
//   - first open after the browser starts: the browser restarted on a profile on which the extension already ran
//     (as after a reboot), the popup opened at once (`?url=`), or for the first tab once its page has loaded.
// BENCH_RUNS sets the warm runs per row (default 9, after two warm-up runs), BENCH_COLD_RUNS the browser starts per
// cold row (default 5). BENCH_BASELINE=<git ref> also builds that commit (`git archive` into a temporary folder,
// `vite build` there with this checkout's node_modules) and measures it in the same run, interleaved with the
// current build, for a before/after table. Builds and snapshots the extension like the e2e suite does.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { EXTENSION_UNDER_TEST, buildExtensionIfNeeded, snapshotExtension } from '../test/e2e/harness/extension-build';
import { REPO_ROOT, startFixtureServer, type FixtureServer } from '../test/e2e/harness/fixture-server';
import { launchGuardedBrowser, unpackedExtensionId, type GuardedBrowser } from '../test/e2e/harness/guarded-browser';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const BASELINE = process.env.BENCH_BASELINE;
/** After the workers stopped: long enough for Chromium to end an extension process with nothing left in it. */
const IDLE_WAIT_MS = 2_000;

/** Records when the popup's main element stops being busy, in ms since the page's navigation started. */
const READY_PROBE = `
(() => {
  if (location.protocol !== 'chrome-extension:') return;
  const seen = () => {
    const main = document.querySelector('main');
    if (main && main.getAttribute('aria-busy') === 'false' && window.__spgReadyAt === undefined) window.__spgReadyAt = performance.now();
  };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
})();
`;

declare const chrome: { storage: { managed: { get(): Promise<unknown> }; session: { get(key: string): Promise<Record<string, unknown>> } } };

interface Build {
  readonly label: string;
  readonly dir: string;
  readonly id: string;
  /** A profile on which this build has run once (the copy each cold start begins from). */
  profile: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const summary = (samples: number[]): string =>
  samples.length === 0 ? '–' : `${median(samples).toFixed(0)} (${Math.min(...samples).toFixed(0)}–${Math.max(...samples).toFixed(0)})`;

/** Builds the extension as it was at `ref` in a temporary folder; returns its dist/chrome. */
function buildBaseline(ref: string, workDir: string): string {
  const dir = path.join(workDir, 'baseline');
  fs.mkdirSync(dir);
  const archive = spawnSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const vite = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], { cwd: dir, encoding: 'utf8' });
  if (vite.status !== 0) throw new Error(`vite build of ${ref} failed:\n${vite.stdout}\n${vite.stderr}`);
  return path.join(dir, 'dist/chrome');
}

/** Opens the popup in `page` and returns how long it took to be ready. */
async function openPopup(page: Page, build: Build, query: string): Promise<number> {
  await page.goto(`chrome-extension://${build.id}/src/ui/popup/index.html?${query}`);
  await page.waitForSelector('main[aria-busy="false"]', { timeout: 60_000 });
  const readyAt = await page.evaluate(() => (window as unknown as { __spgReadyAt?: number }).__spgReadyAt);
  if (readyAt === undefined) throw new Error('the ready probe saw nothing');
  if ((await page.locator('.error').count()) > 0) throw new Error(`the popup of ${build.label} shows an error`);
  return readyAt;
}

/** The service worker of a build (several builds may be loaded side by side). */
async function workerOf(browser: GuardedBrowser, build: Build): Promise<Worker> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const worker = browser.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${build.id}/`));
    if (worker) return worker;
    await browser.context.waitForEvent('serviceworker', { timeout: 1_000 }).catch(() => undefined);
  }
  throw new Error(`no service worker for ${build.label}`);
}

/** The browser's id of the tab showing the fixture site, as the build recorded it when its guard said hello. */
async function fixtureTabId(browser: GuardedBrowser, build: Build): Promise<number> {
  const worker = await workerOf(browser, build);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const tabs = (await worker.evaluate(async () => (await chrome.storage.session.get('tabSites')).tabSites)) as Record<string, { host: string | null }> | undefined;
    const found = Object.entries(tabs ?? {}).find(([, site]) => site.host === '127.0.0.1');
    if (found) return Number(found[0]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the extension knows no tab showing the fixture site');
}

/** Runs the extension once on a new profile until storage.managed has answered, as an installed extension has. */
async function prepareProfile(build: Build): Promise<void> {
  const browser = await launchGuardedBrowser({ extensionDir: build.dir });
  const worker = await workerOf(browser, build);
  await worker.evaluate(() => chrome.storage.managed.get());
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // what the extension does once the policy arrived
  build.profile = browser.userDataDir;
  await browser.close({ keepProfile: true });
}

interface WarmSamples {
  tab: number[];
  url: number[];
  /** For a tab, each after the extensions' pages closed and their service workers stopped (idle 30 s). */
  tabIdle: number[];
}

/**
 * Warm rows: every build loaded side by side in one browser that has been running, the popups of the builds opened
 * in turn (so that each run of each build meets the same load on the machine); then the same with the service
 * workers stopped before each open (DevTools' ServiceWorker.stopAllWorkers), as Chromium stops an extension's
 * worker after 30 s without events: what a person meets who opens the popup now and then.
 */
async function warmRows(builds: readonly Build[], server: FixtureServer): Promise<Map<Build, WarmSamples>> {
  const browser = await launchGuardedBrowser({ extensionDir: builds.map((b) => b.dir) });
  try {
    await browser.context.addInitScript(READY_PROBE);
    await browser.page.goto(`${server.originA}/plain-input.html`);
    const tabIds = new Map<Build, number>();
    for (const build of builds) {
      await (await workerOf(browser, build)).evaluate(() => chrome.storage.managed.get()); // the slow first answer is the cold rows' business
      tabIds.set(build, await fixtureTabId(browser, build));
    }
    const devtools = await browser.context.newCDPSession(browser.page);
    const running = new Map<string, string>();
    devtools.on('ServiceWorker.workerVersionUpdated', (e: { versions: { scriptURL: string; runningStatus: string }[] }) => {
      for (const v of e.versions) running.set(v.scriptURL, v.runningStatus);
    });
    await devtools.send('ServiceWorker.enable');
    const popup = await browser.context.newPage();
    // Idle: no page of the extension open and its worker stopped, so that Chromium may end the extension's process
    // (as after 30 s without events); every idle open then starts from the same state, whichever build came before.
    const stopWorkers = async (): Promise<void> => {
      await popup.goto('about:blank');
      await devtools.send('ServiceWorker.stopAllWorkers');
      const deadline = Date.now() + 5_000;
      while ([...running.values()].some((status) => status !== 'stopped') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
    };
    await popup.setViewportSize({ width: 400, height: 600 });
    const rows = new Map(builds.map((b): [Build, WarmSamples] => [b, { tab: [], url: [], tabIdle: [] }]));
    const url = `url=${encodeURIComponent('https://chatgpt.com/')}`;
    for (let i = -2; i < RUNS; i++) {
      for (const build of builds) {
        const tab = await openPopup(popup, build, `tabId=${tabIds.get(build)}`);
        const site = await openPopup(popup, build, url);
        if (i >= 0) {
          rows.get(build)!.tab.push(tab);
          rows.get(build)!.url.push(site);
        }
      }
    }
    for (let i = 0; i < RUNS; i++) {
      for (const build of builds) {
        await stopWorkers();
        rows.get(build)!.tabIdle.push(await openPopup(popup, build, `tabId=${tabIds.get(build)}`));
      }
    }
    return rows;
  } finally {
    await browser.close();
  }
}

/** One start of the browser on a copy of the build's profile; the popup opened at once, or for the first tab. */
async function coldRun(build: Build, server: FixtureServer, how: 'url' | 'tab', workDir: string): Promise<number> {
  const profile = fs.mkdtempSync(path.join(workDir, 'profile-'));
  fs.cpSync(build.profile, profile, { recursive: true });
  const browser = await launchGuardedBrowser({ extensionDir: build.dir, userDataDir: profile });
  try {
    await browser.context.addInitScript(READY_PROBE);
    let query = `url=${encodeURIComponent('https://chatgpt.com/')}`;
    if (how === 'tab') {
      const site = `${server.originA}/plain-input.html`;
      await browser.page.goto(site);
      query = `tabId=${await fixtureTabId(browser, build)}`;
    }
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 400, height: 600 });
    return await openPopup(popup, build, query);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  buildExtensionIfNeeded();
  snapshotExtension();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-popup-bench-'));
  const server = await startFixtureServer();
  const builds: Build[] = [];
  try {
    if (BASELINE) {
      const dir = buildBaseline(BASELINE, workDir);
      builds.push({ label: `before (${BASELINE})`, dir, id: unpackedExtensionId(dir), profile: '' });
    }
    builds.push({ label: 'after (this checkout)', dir: EXTENSION_UNDER_TEST, id: unpackedExtensionId(EXTENSION_UNDER_TEST), profile: '' });

    const rows: { what: string; samples: Map<Build, number[]> }[] = [
      { what: 'warm, for a tab (?tabId=, as from the toolbar)', samples: new Map() },
      { what: 'warm, for a site named by URL (?url=)', samples: new Map() },
      { what: 'warm browser, idle: extension pages closed, service worker stopped, for a tab (?tabId=)', samples: new Map() },
      { what: 'first open after the browser starts, at once (?url=)', samples: new Map() },
      { what: "first open after the browser starts, for the first tab once its page loaded (?tabId=)", samples: new Map() },
    ];
    const warm = await warmRows(builds, server);
    for (const build of builds) {
      rows[0]!.samples.set(build, warm.get(build)!.tab);
      rows[1]!.samples.set(build, warm.get(build)!.url);
      rows[2]!.samples.set(build, warm.get(build)!.tabIdle);
      await prepareProfile(build);
    }
    for (let i = 0; i < COLD_RUNS; i++) {
      for (const build of builds) {
        rows[3]!.samples.set(build, [...(rows[3]!.samples.get(build) ?? []), await coldRun(build, server, 'url', workDir)]);
        rows[4]!.samples.set(build, [...(rows[4]!.samples.get(build) ?? []), await coldRun(build, server, 'tab', workDir)]);
      }
    }

    const chromium = spawnSync(process.env.SPG_E2E_CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim() || 'Chromium';
    console.log(
      `Popup ready (main[aria-busy=false], ms from the start of its navigation) in ${chromium} (headless), ${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}; ` +
        `median (min–max) of ${RUNS} warm runs and ${COLD_RUNS} browser starts`,
    );
    console.log('');
    console.log(`| what | ${builds.map((b) => b.label).join(' | ')} |`);
    console.log(`| --- | ${builds.map(() => '---:').join(' | ')} |`);
    for (const row of rows) console.log(`| ${row.what} | ${builds.map((b) => summary(row.samples.get(b) ?? [])).join(' | ')} |`);
  } finally {
    await server.close();
    for (const build of builds) if (build.profile) fs.rmSync(build.profile, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
