// The text worker: a module Worker of an extension page that owns the text engine (detection model and
// reader) and reads the text in the pictures it is sent, one request at a time, off the page's thread.

import { createBrowserTextEngine, type BrowserTextEngine } from './engine';
import { readPictureText } from '../../core/text/picture-text';
import type { FromTextWorker, ToTextWorker } from './protocol';

const scope = self as unknown as { postMessage(message: FromTextWorker): void; onmessage: ((e: MessageEvent) => void) | null; location: Location };

/** The extension's root URL: this script lives in its assets folder. */
const ROOT = new URL('/', scope.location.href).href;

let engine: Promise<BrowserTextEngine> | undefined;
function loadEngine(): Promise<BrowserTextEngine> {
  engine ??= createBrowserTextEngine(ROOT);
  return engine;
}

let queue: Promise<void> = Promise.resolve();

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown problem';
}

async function handle(message: ToTextWorker): Promise<void> {
  if (message.type === 'warm-up') {
    await loadEngine().catch(() => undefined);
    return;
  }
  const { id } = message;
  try {
    const ready = await loadEngine().catch((e: unknown) => {
      engine = undefined;
      throw new Error(`the text reader could not start (${messageOf(e)})`);
    });
    const { image } = message;
    const text = await readPictureText(
      { frameCount: 1, width: image.width, height: image.height, render: async () => [image] },
      ready,
      message.terms,
      { onFrame: (done, total) => scope.postMessage({ type: 'progress', id, done, total }) },
    );
    scope.postMessage({ type: 'result', id, text });
  } catch (e) {
    scope.postMessage({ type: 'error', id, reason: messageOf(e) });
  }
}

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as ToTextWorker;
  queue = queue.then(() => handle(message));
};
