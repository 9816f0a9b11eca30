// Finds and drives the guard's dialog: an extension page framed into the site inside a closed shadow root,
// so it is found through the page's frame tree (never by selectors). Its controls carry data-action
// (cancel, upload-original, confirm-original, deidentify) and its <body> a data-state.

import type { Frame, Page } from 'playwright-core';
import { dialogFrames, dialogState, isDialogShown } from '../../../demo/browser';

// Finding the dialog's frames and telling whether one is shown is the demo's code (demo/browser.ts), so the
// demo and the tests recognise a shown dialog the same way.
export { dialogFrames, dialogState, isDialogShown };

export class GuardDialog {
  constructor(
    readonly page: Page,
    readonly frame: Frame,
  ) {}

  /** The extension id, read from the dialog frame's URL. */
  get extensionId(): string {
    return /^chrome-extension:\/\/([a-p]{32})\//.exec(this.frame.url())?.[1] ?? '';
  }

  state(): Promise<string | null> {
    return dialogState(this.frame);
  }

  async text(): Promise<string> {
    return this.frame.locator('body').innerText();
  }

  async cancel(): Promise<void> {
    await this.click('cancel');
  }

  /** "Upload the original anyway", then its deliberate second step. */
  async uploadOriginal(): Promise<void> {
    await this.click('upload-original');
    await this.click('confirm-original');
  }

  /** Clicks a control by its data-action; on failure says what state the dialog was in. */
  async click(action: string): Promise<void> {
    try {
      await this.frame.locator(`[data-action="${action}"]`).click({ timeout: 10_000 });
    } catch (error) {
      throw new Error(`could not click [data-action="${action}"] in the dialog: ${await this.describe()}\n${String(error)}`);
    }
  }

  /** data-state, the controls present and the start of the text (for failure messages). */
  async describe(): Promise<string> {
    if (this.frame.isDetached()) return 'the dialog frame is gone';
    try {
      const summary = await this.frame.evaluate(() => ({
        state: document.body.dataset.state ?? '(none)',
        actions: Array.from(document.querySelectorAll('[data-action]'), (el) => el.getAttribute('data-action')),
        text: (document.body.innerText || '').replace(/\s+/g, ' ').slice(0, 160),
      }));
      return `data-state=${summary.state}, controls=[${summary.actions.join(', ')}], text="${summary.text}"`;
    } catch (error) {
      return `unreadable (${String(error)})`;
    }
  }

  /** Resolves once no dialog frame of the page is shown any more. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const shown = await Promise.all(dialogFrames(this.page).map(isDialogShown));
      if (!shown.includes(true)) return;
      await this.page.waitForTimeout(50);
    }
    throw new Error(`the dialog was still shown ${timeoutMs} ms after the choice`);
  }
}

/** Waits until a dialog frame in the page (at any depth) is shown; fails with what the page had instead. */
export async function waitForDialog(page: Page, timeoutMs = 15_000): Promise<GuardDialog> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of dialogFrames(page)) {
      if (await isDialogShown(frame)) return new GuardDialog(page, frame);
    }
    await page.waitForTimeout(50);
  }
  const frames = page.frames().map((f) => f.url() || '(empty)');
  const states = await Promise.all(dialogFrames(page).map(dialogState));
  throw new Error(
    `no dialog shown within ${timeoutMs} ms. Frames of the page: ${frames.join(', ')}; ` +
      `dialog frames' data-state: ${states.length ? states.join(', ') : 'no dialog frame'}`,
  );
}

export interface DialogWatch {
  /** Stops watching; says whether a dialog was shown (or asked) at any moment meanwhile. */
  stop(): Promise<{ shown: boolean; asking: boolean; dialogFramesSeen: number }>;
}

/** Polls the page every 50 ms for a shown dialog or one whose data-state is 'asking'. */
export function watchForDialog(page: Page): DialogWatch {
  let running = true;
  let shown = false;
  let asking = false;
  const framesSeen = new Set<Frame>();
  const loop = (async () => {
    while (running) {
      for (const frame of dialogFrames(page)) {
        framesSeen.add(frame);
        if (await isDialogShown(frame)) shown = true;
        if ((await dialogState(frame)) === 'asking') asking = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { shown, asking, dialogFramesSeen: framesSeen.size };
    },
  };
}
