// Firefox for the end-to-end tests: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi, with
// the built extension installed (browser.installExtension, a temporary add-on), and the guard's dialog
// found and driven from outside the page.
//
// Finding the dialog: puppeteer lists the dialog's moz-extension:// frame among page.frames(), but under
// the URL it had when it was created (about:blank), so it is recognised by evaluating location.href in each
// child frame. Script evaluation in that frame works, so the tests read the dialog's own state (its
// <body data-state>, the controls by data-action, which one has focus, the frame's viewport) instead of
// guessing from screenshots or timing.
//
// Driving it: real input only, never a script click. Pointer clicks on a control by data-action (BiDi
// input.performActions with the element as origin), Escape and Tab through the keyboard. In Firefox 153
// a key synthesised over BiDi does not activate a focused <button> (Enter and Space fire keydown, keypress
// and keyup, but no click, on any page), so choices are made with the pointer; the keyboard tests check
// the default focus, the Tab order and Escape.
//
// "Shown" means: the dialog asks (data-state asking/confirming/failed), its frame has a real viewport, its
// Cancel has a box, and from the page the top-most element at the centre of the window is the guard's
// host (the modal <dialog> is in the top layer), so the site is covered.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Frame, type Page } from 'puppeteer-core';
import { FIREFOX_EXTENSION_UNDER_TEST } from './extension-build';

export const FIREFOX = process.env.SPG_E2E_FIREFOX ?? '/usr/bin/firefox-esr';
/** Part of the dialog frame's URL (ARCHITECTURE.md: the frame's URL contains /dialog). */
export const DIALOG_URL_PART = '/src/ui/dialog/';
const SHOWN_STATES: ReadonlySet<string> = new Set(['asking', 'confirming', 'failed']);

export interface GuardedFirefox {
  browser: Browser;
  /** One page, reused by the tests of a file. */
  page: Page;
  /** The add-on id Firefox reports for the installed extension. */
  extensionId: string;
  close(): Promise<void>;
}

export interface FirefoxLaunchOptions {
  /** Default true. False needs a display (see startXvfb). */
  headless?: boolean;
  /** --remote-allow-system-access: lets putFileOnClipboard run privileged code in the browser's own window. */
  systemAccess?: boolean;
  /** Environment of the browser process (DISPLAY for a headful run). */
  env?: NodeJS.ProcessEnv;
  /** More preferences (e.g. `network.dns.localDomains` to serve a listed site's name from the fixture server). */
  prefs?: Record<string, unknown>;
}

export async function launchGuardedFirefox(options: FirefoxLaunchOptions = {}): Promise<GuardedFirefox> {
  if (!fs.existsSync(FIREFOX)) throw new Error(`no Firefox at ${FIREFOX}: apt-get install firefox-esr (CI installs it), or set SPG_E2E_FIREFOX`);
  if (!fs.existsSync(path.join(FIREFOX_EXTENSION_UNDER_TEST, 'manifest.json'))) {
    throw new Error(`no built extension in ${FIREFOX_EXTENSION_UNDER_TEST}: the e2e global setup builds and copies it (vitest run --config vitest.e2e.config.ts)`);
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: options.headless ?? true,
    defaultViewport: { width: 1280, height: 900 },
    args: options.systemAccess ? ['--remote-allow-system-access'] : [],
    ...(options.env ? { env: options.env } : {}),
    ...(options.prefs ? { extraPrefsFirefox: options.prefs } : {}),
  });
  try {
    const extensionId = await browser.installExtension(FIREFOX_EXTENSION_UNDER_TEST);
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    return {
      browser,
      page,
      extensionId,
      async close() {
        await browser.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

// ---- the dialog -------------------------------------------------------------------------------------------

/** Runs `work`, or gives `fallback` after `ms` (a frame that is navigating may not answer at all). */
async function within<T>(ms: number, work: () => Promise<T>, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work().catch(() => fallback),
      new Promise<T>((resolve) => {
        timer = setTimeout(() => resolve(fallback), ms);
      }),
    ]);
  } catch {
    return fallback; // puppeteer throws synchronously for a detached frame
  } finally {
    clearTimeout(timer);
  }
}

async function hrefOf(frame: Frame): Promise<string> {
  if (frame.detached) return '';
  return within(1_000, () => frame.evaluate(() => location.href), '');
}

/** The guard's dialog frames in the page, at any depth (recognised by their real URL). */
export async function dialogFrames(page: Page): Promise<Frame[]> {
  const found: Frame[] = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const href = await hrefOf(frame);
    if (href.startsWith('moz-extension://') && href.includes(DIALOG_URL_PART)) found.push(frame);
  }
  return found;
}

/** What the dialog frame shows, read inside it. */
export interface DialogView {
  state: string;
  /** The data-action of every control, in document order. */
  actions: string[];
  /** data-action of the focused element (or its tag name, or '' when nothing is focused). */
  focused: string;
  viewport: { width: number; height: number };
  /** Width and height of Cancel's box (0 when absent or hidden). */
  cancelBox: { width: number; height: number };
  /** Classes of the de-identify choice, when present. */
  deidentifyClass: string | null;
  text: string;
}

export async function readDialog(frame: Frame): Promise<DialogView | undefined> {
  if (frame.detached) return undefined;
  return within(
    2_000,
    () =>
      frame.evaluate(() => {
        const cancel = document.querySelector('[data-action="cancel"]');
        const box = cancel?.getBoundingClientRect();
        const active = document.activeElement as HTMLElement | null;
        return {
          state: document.body?.dataset.state ?? '',
          actions: Array.from(document.querySelectorAll('[data-action]'), (el) => el.getAttribute('data-action') ?? ''),
          focused: active?.dataset.action ?? (active && active !== document.body ? active.localName : ''),
          viewport: { width: window.innerWidth, height: window.innerHeight },
          cancelBox: { width: box?.width ?? 0, height: box?.height ?? 0 },
          deidentifyClass: document.querySelector('[data-action="deidentify"]')?.getAttribute('class') ?? null,
          text: (document.body?.innerText ?? '').replace(/\s+/g, ' ').trim(),
        };
      }),
    undefined,
  );
}

function shownInFrame(view: DialogView | undefined): boolean {
  return (
    view !== undefined &&
    SHOWN_STATES.has(view.state) &&
    view.viewport.width >= 20 &&
    view.viewport.height >= 20 &&
    view.cancelBox.width > 0 &&
    view.cancelBox.height > 0
  );
}

/**
 * From the page: the top-most element at the centre of the window is not one of the page's own (the guard
 * appends its host to <html>, outside <body>, and the modal <dialog> in it is in the top layer).
 */
export async function pageIsCovered(page: Page): Promise<boolean> {
  return within(
    2_000,
    () =>
      page.evaluate(() => {
        const top = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2);
        return top !== null && top.parentElement === document.documentElement && top !== document.body && top !== document.head;
      }),
    false,
  );
}

function describeView(view: DialogView | undefined): string {
  if (!view) return 'the dialog frame is gone or does not answer';
  return (
    `data-state=${view.state}, controls=[${view.actions.join(', ')}], focus=${view.focused || '(none)'}, ` +
    `viewport=${view.viewport.width}x${view.viewport.height}, text="${view.text.slice(0, 160)}"`
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FirefoxDialog {
  constructor(
    readonly page: Page,
    readonly frame: Frame,
  ) {}

  view(): Promise<DialogView | undefined> {
    return readDialog(this.frame);
  }

  async describe(): Promise<string> {
    return describeView(await this.view());
  }

  /** Waits until the dialog is in `state` (e.g. 'confirming' after the first step of "upload the original"). */
  async waitForState(state: string, timeoutMs = 10_000): Promise<DialogView> {
    const deadline = Date.now() + timeoutMs;
    let view: DialogView | undefined;
    while (Date.now() < deadline) {
      view = await this.view();
      if (view?.state === state) return view;
      await sleep(50);
    }
    throw new Error(`the dialog did not reach data-state=${state} within ${timeoutMs} ms: ${describeView(view)}`);
  }

  /** Waits until a control with this data-action is on screen; returns the view that has it. */
  async waitForAction(action: string, timeoutMs = 10_000): Promise<DialogView> {
    const deadline = Date.now() + timeoutMs;
    let view: DialogView | undefined;
    while (Date.now() < deadline) {
      view = await this.view();
      if (view?.actions.includes(action)) return view;
      await sleep(50);
    }
    throw new Error(`no [data-action="${action}"] in the dialog within ${timeoutMs} ms: ${describeView(view)}`);
  }

  /** A pointer click (BiDi input.performActions) on the control with this data-action. */
  async click(action: string, timeoutMs = 10_000): Promise<void> {
    let handle: ElementHandle | null = null;
    try {
      handle = await this.frame.waitForSelector(`[data-action="${action}"]`, { visible: true, timeout: timeoutMs });
      if (!handle) throw new Error('not found');
      await handle.click();
    } catch (error) {
      throw new Error(`could not click [data-action="${action}"] in the dialog: ${await this.describe()}\n${String(error)}`);
    } finally {
      await handle?.dispose().catch(() => undefined);
    }
  }

  /** Presses a key on the keyboard; the dialog has the focus while it asks. */
  async press(key: 'Escape' | 'Tab'): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** Escape: the dialog's keyboard way to cancel. */
  async cancelWithEscape(): Promise<void> {
    await this.press('Escape');
  }

  /** "Upload the original anyway", then its deliberate second step. */
  async uploadOriginal(): Promise<void> {
    await this.click('upload-original');
    await this.waitForState('confirming');
    await this.click('confirm-original');
  }

  /** Waits for "Upload a de-identified copy" (it comes once the copies are made and checked) and chooses it. */
  async uploadDeidentified(offerTimeoutMs = 30_000): Promise<DialogView> {
    const view = await this.waitForAction('deidentify', offerTimeoutMs);
    await this.click('deidentify');
    return view;
  }

  /** Resolves once no dialog of the page is shown any more. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!(await anyDialogShown(this.page))) return;
      await sleep(50);
    }
    throw new Error(`the dialog was still shown ${timeoutMs} ms after the choice: ${await this.describe()}`);
  }
}

async function anyDialogShown(page: Page): Promise<boolean> {
  for (const frame of await dialogFrames(page)) if (shownInFrame(await readDialog(frame))) return true;
  return false;
}

/** Waits until the guard's dialog is shown over the page; fails with what the page had instead. */
export async function waitForFirefoxDialog(page: Page, timeoutMs = 15_000): Promise<FirefoxDialog> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no dialog frame';
  while (Date.now() < deadline) {
    const frames = await dialogFrames(page);
    for (const frame of frames) {
      const view = await readDialog(frame);
      if (shownInFrame(view) && (await pageIsCovered(page))) return new FirefoxDialog(page, frame);
      last = describeView(view);
    }
    await sleep(50);
  }
  throw new Error(`no dialog shown within ${timeoutMs} ms (frames of the page: ${page.frames().length}; last dialog seen: ${last})`);
}

export interface DialogWatch {
  /** Stops watching: whether a dialog frame existed, and whether one was shown or asked, at any moment meanwhile. */
  stop(): Promise<{ framesSeen: number; shown: boolean; asking: boolean }>;
}

/** Polls the page every 50 ms for the guard's dialog frame and its state. */
export function watchForDialog(page: Page): DialogWatch {
  let running = true;
  let shown = false;
  let asking = false;
  const seen = new Set<Frame>();
  const loop = (async () => {
    while (running) {
      for (const frame of await dialogFrames(page)) {
        seen.add(frame);
        const view = await readDialog(frame);
        if (shownInFrame(view)) shown = true;
        if (view?.state === 'asking') asking = true;
      }
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { framesSeen: seen.size, shown, asking };
    },
  };
}

// ---- a real paste: a file on the system clipboard, and a display for it --------------------------------

/**
 * Puts a file from disk on the system clipboard, as a file manager's "Copy" does (application/x-moz-file),
 * by privileged code in the browser's own window (needs `systemAccess`). Firefox's headless clipboard
 * keeps only text: this works with a display (see startXvfb).
 */
export async function putFileOnClipboard(browser: Browser, file: string): Promise<void> {
  const expression = `(() => {
    const file = Cc['@mozilla.org/file/local;1'].createInstance(Ci.nsIFile);
    file.initWithPath(${JSON.stringify(file)});
    const transferable = Cc['@mozilla.org/widget/transferable;1'].createInstance(Ci.nsITransferable);
    transferable.init(null);
    transferable.addDataFlavor('application/x-moz-file');
    transferable.setTransferData('application/x-moz-file', file);
    Services.clipboard.setData(transferable, null, Ci.nsIClipboard.kGlobalClipboard);
    return Services.clipboard.hasDataMatchingFlavors(['application/x-moz-file'], Ci.nsIClipboard.kGlobalClipboard);
  })()`;
  const onClipboard = await inBrowserWindow(browser, expression);
  if (onClipboard !== true) throw new Error(`the file did not reach the clipboard (the browser's window answered ${JSON.stringify(onClipboard)})`);
}

interface BidiSend {
  send(method: string, params: object): Promise<{ result: { contexts: Array<{ context: string }> } & Record<string, unknown> }>;
}

/** Runs `expression` (awaited) as privileged code in the browser's own window (needs `systemAccess`); its value. */
async function inBrowserWindow(browser: Browser, expression: string): Promise<unknown> {
  const connection = (browser as unknown as { connection: BidiSend }).connection;
  const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = tree.result.contexts[0]?.context;
  if (!context) throw new Error('no browser window to run privileged code in (was Firefox started with systemAccess?)');
  const reply = await connection.send('script.evaluate', { target: { context }, expression, awaitPromise: true });
  const result = reply.result as { type?: string; result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  if (result.type !== 'success') throw new Error(`privileged code failed: ${JSON.stringify(result).slice(0, 400)}`);
  return result.result?.value;
}

/**
 * Opens one of the extension's own pages (e.g. 'src/ui/options/index.html') in a new tab and returns it, loaded.
 * WebDriver BiDi may not navigate to moz-extension:// URLs, so the tab is opened by privileged code in the
 * browser's window (needs `systemAccess`); the page is then found by its real URL (puppeteer lists it as about:blank).
 */
export async function openExtensionPage(firefox: GuardedFirefox, pagePath: string, timeoutMs = 15_000): Promise<Page> {
  const host = await inBrowserWindow(firefox.browser, `WebExtensionPolicy.getByID(${JSON.stringify(firefox.extensionId)})?.mozExtensionHostname ?? ''`);
  if (typeof host !== 'string' || host === '') throw new Error(`Firefox knows no extension ${firefox.extensionId}`);
  const url = `moz-extension://${host}/${pagePath}`;
  const before = new Set(await firefox.browser.pages());
  await inBrowserWindow(
    firefox.browser,
    `(() => { const w = Services.wm.getMostRecentWindow('navigator:browser'); ` +
      `w.gBrowser.selectedTab = w.gBrowser.addTab(${JSON.stringify(url)}, { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() }); return true; })()`,
  );
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const page of await firefox.browser.pages()) {
      if (before.has(page)) continue;
      const href = await within(1_000, () => page.evaluate(() => location.href), '');
      if (href === url && (await within(1_000, () => page.evaluate(() => document.readyState), '')) === 'complete') return page;
    }
    await sleep(100);
  }
  throw new Error(`the extension page ${url} did not open within ${timeoutMs} ms`);
}

export const XVFB = process.env.SPG_E2E_XVFB ?? '/usr/bin/Xvfb';

export interface VirtualDisplay {
  /** For DISPLAY, e.g. ":99". */
  display: string;
  stop(): Promise<void>;
}

/** Starts a private X server (Xvfb picks a free display number and tells us on fd 3). */
export async function startXvfb(): Promise<VirtualDisplay> {
  const child: ChildProcess = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display within 10 s: ${stderr}`)), 10_000);
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${stderr}`));
    });
  });
  return {
    display,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
    },
  };
}

// ---- files on disk (WebDriver BiDi hands files to inputs by path) -------------------------------------------

export function makeWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spg-e2e-firefox-'));
}
