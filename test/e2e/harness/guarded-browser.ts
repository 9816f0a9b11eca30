// Launches Debian's Chromium with the built extension (playwright-core, a persistent profile, headless),
// finds the extension's id, and records every network request the browser's pages, frames and workers make,
// with who made it, so tests can prove the extension's own contexts made none.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { unpackedExtensionId as unpackedIdOf } from '../../../demo/browser';
import { EXTENSION_UNDER_TEST } from './extension-build';

export const CHROMIUM = process.env.SPG_E2E_CHROMIUM ?? '/usr/bin/chromium';
const EXTENSION_DIST = EXTENSION_UNDER_TEST;

export interface NetworkEntry {
  url: string;
  method: string;
  /**
   * 'frame': a document made it (for a frame's own navigation: its parent); 'navigation': a top-level
   * navigation; 'worker': a service worker; 'unknown': Playwright could not say.
   */
  kind: 'frame' | 'navigation' | 'worker' | 'unknown';
  /** URL of the frame or worker that made the request, at the time it was made. */
  initiator: string;
  /** URL of the top-level page of that frame. */
  pageUrl: string;
}

export interface GuardedBrowser {
  context: BrowserContext;
  userDataDir: string;
  /** Every http(s)/ws(s) request seen since launch. */
  network: NetworkEntry[];
  /** One page, reused by the tests of a file. */
  page: Page;
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

export interface LaunchOptions {
  /** A profile to start with (a browser restarted on it); a new empty one by default. */
  readonly userDataDir?: string;
  /** The built extension to load (or several, side by side: a benchmark compares builds); the one under test by default. */
  readonly extensionDir?: string | readonly string[];
  /** More command-line switches (e.g. `--host-resolver-rules` to serve a listed site's name from the fixture server). */
  readonly args?: readonly string[];
}

export async function launchGuardedBrowser(options: LaunchOptions = {}): Promise<GuardedBrowser> {
  const extensionDirs = typeof options.extensionDir === 'string' ? [options.extensionDir] : (options.extensionDir ?? [EXTENSION_DIST]);
  for (const dir of extensionDirs) {
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      throw new Error(`no built extension in ${dir}: the e2e global setup builds and copies it (vitest run --config vitest.e2e.config.ts)`);
    }
  }
  const extensionDir = extensionDirs.join(',');
  const userDataDir = options.userDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'spg-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...(options.args ?? []),
    ],
  });
  const network: NetworkEntry[] = [];
  context.on('request', (request) => {
    if (!/^(https?|wss?):/i.test(request.url())) return;
    network.push(describeRequest(request));
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    userDataDir,
    network,
    page,
    async close(options = {}) {
      await context.close().catch(() => undefined);
      if (!options.keepProfile && !process.env.SPG_E2E_KEEP_PROFILE) fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

function describeRequest(request: Request): NetworkEntry {
  const base = { url: request.url(), method: request.method() };
  const worker = request.serviceWorker();
  if (worker) return { ...base, kind: 'worker', initiator: worker.url(), pageUrl: '' };
  try {
    const frame = request.frame();
    const pageUrl = frame.page().url();
    if (request.isNavigationRequest()) {
      // A frame's own navigation is made by its parent (the frame itself is still about:blank or the
      // previous document); a top-level navigation is the test's page.goto or the page's own form post.
      const parent = frame.parentFrame();
      if (!parent) return { ...base, kind: 'navigation', initiator: '(top-level navigation)', pageUrl };
      return { ...base, kind: 'frame', initiator: parent.url(), pageUrl };
    }
    return { ...base, kind: 'frame', initiator: frame.url(), pageUrl };
  } catch {
    return { ...base, kind: 'unknown', initiator: '', pageUrl: '' };
  }
}

/**
 * Requests that did not come from the fixture pages: to any host but the fixture server, or made by an
 * extension frame or worker (chrome-extension://), or by anything Playwright cannot attribute. Top-level
 * navigations to fixture pages are the test's own (page.goto) or a fixture form's post.
 */
export function requestsNotFromFixturePages(network: readonly NetworkEntry[], fixtureOrigins: readonly string[]): NetworkEntry[] {
  const fromFixture = (url: string): boolean => fixtureOrigins.some((origin) => url.startsWith(`${origin}/`) || url === origin);
  return network.filter((entry) => {
    if (!fromFixture(entry.url)) return true;
    if (entry.kind === 'navigation') return false;
    return entry.kind !== 'frame' || !fromFixture(entry.initiator);
  });
}

// ---- the extension's id -------------------------------------------------------------------------------

/** The id Chromium gives the unpacked extension under test, or another build (computed as the demo does: demo/browser.ts). */
export function unpackedExtensionId(extensionDir: string = EXTENSION_DIST): string {
  return unpackedIdOf(extensionDir);
}

/**
 * The extension's id, from whatever shows it: a service worker or background page, a dialog frame in any
 * open page, else computed as Chromium does for unpacked extensions (checked by the privacy tests, which
 * load chrome-extension://<id>/manifest.json).
 */
export function extensionId(context: BrowserContext): string {
  const urls = [
    ...context.serviceWorkers().map((w) => w.url()),
    ...context.backgroundPages().map((p) => p.url()),
    ...context.pages().flatMap((p) => p.frames().map((f) => f.url())),
  ];
  for (const url of urls) {
    const match = /^chrome-extension:\/\/([a-p]{32})\//.exec(url);
    if (match?.[1]) return match[1];
  }
  return unpackedExtensionId();
}
