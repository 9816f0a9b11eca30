// Launches Debian's Chromium with the built extension for the demo (playwright-core, a throw-away profile),
// and finds the extension's id, its dialog frames and its popup page.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The dialog frame's URL contains this (ARCHITECTURE.md, dialog automation hooks). */
export const DIALOG_URL_PART = '/src/ui/dialog/';

export interface DemoBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchDemoBrowser(opts: { extensionDir: string; chromium: string; headless: boolean }): Promise<DemoBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-demo-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: opts.chromium,
      headless: opts.headless,
      viewport: opts.headless ? { width: 1280, height: 900 } : null,
      // Ctrl+C is the launcher's to handle: it closes the browser, the server and the profile, then exits.
      handleSIGINT: false,
      handleSIGTERM: false,
      args: [
        `--disable-extensions-except=${opts.extensionDir}`,
        `--load-extension=${opts.extensionDir}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  } catch (error) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium's extension id for these bytes (a public key, or an unpacked extension's path): the first 128 bits of
 * their SHA-256, each hex digit written as a letter a-p.
 */
export function chromiumExtensionIdOf(bytes: Uint8Array): string {
  const hex = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode('a'.charCodeAt(0) + parseInt(digit, 16))).join('');
}

/** The id Chromium gives an unpacked extension: from the manifest's `key` if any, else from its path. */
export function unpackedExtensionId(extensionDir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8')) as { key?: string };
  return chromiumExtensionIdOf(manifest.key ? Buffer.from(manifest.key, 'base64') : Buffer.from(fs.realpathSync(extensionDir), 'utf8'));
}

/** The extension's id from its service worker or a dialog frame, else computed as Chromium does. */
export function extensionId(context: BrowserContext, extensionDir: string): string {
  const urls = [
    ...context.serviceWorkers().map((w) => w.url()),
    ...context.pages().flatMap((p) => p.frames().map((f) => f.url())),
  ];
  for (const url of urls) {
    const match = /^chrome-extension:\/\/([a-p]{32})\//.exec(url);
    if (match?.[1]) return match[1];
  }
  return unpackedExtensionId(extensionDir);
}

/** The popup page named in the built manifest (action.default_popup), or null when this build has none. */
export function popupPath(extensionDir: string): string | null {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8')) as {
    action?: { default_popup?: string };
  };
  const popup = manifest.action?.default_popup;
  return popup && fs.existsSync(path.join(extensionDir, popup)) ? popup : null;
}

export function dialogFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => frame.url().includes(DIALOG_URL_PART));
}

/** The dialog's <body data-state>, or null when it cannot be read (detached, navigating). */
export async function dialogState(frame: Frame): Promise<string | null> {
  try {
    return await frame.locator('body').getAttribute('data-state', { timeout: 1000 });
  } catch {
    return null;
  }
}

/** True when the frame's element is on screen with a size and its Cancel button is visible. */
export async function isDialogShown(frame: Frame): Promise<boolean> {
  if (frame.isDetached()) return false;
  try {
    const element = await frame.frameElement();
    if (!(await element.isVisible())) return false;
    const box = await element.boundingBox();
    if (!box || box.width < 20 || box.height < 20) return false;
    return await frame.locator('[data-action="cancel"]').isVisible();
  } catch {
    return false;
  }
}

/** Waits for a shown dialog frame; the error says what the page had instead. */
export async function waitForDialog(page: Page, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of dialogFrames(page)) {
      if (await isDialogShown(frame)) return frame;
    }
    await page.waitForTimeout(50);
  }
  const states = await Promise.all(dialogFrames(page).map(dialogState));
  throw new Error(
    `no warning dialog was shown within ${timeoutMs} ms (dialog frames: ${states.length ? states.join(', ') : 'none'}). ` +
      'Is the extension built (npm run build:extension) and loaded?',
  );
}

/** Resolves once no dialog frame of the page is shown. */
export async function waitForDialogClosed(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const shown = await Promise.all(dialogFrames(page).map(isDialogShown));
    if (!shown.includes(true)) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`the warning dialog was still shown ${timeoutMs} ms after the choice`);
}

/** Polls the page for a dialog that is shown or asking, until stopped. */
export function watchForDialog(page: Page): { stop(): Promise<boolean> } {
  let running = true;
  let seen = false;
  const loop = (async () => {
    while (running) {
      for (const frame of dialogFrames(page)) {
        if ((await isDialogShown(frame)) || (await dialogState(frame)) === 'asking') seen = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}
