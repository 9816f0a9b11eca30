// The dialog page framed into the site: a closed shadow root holding a modal <dialog> with the extension's
// dialog page in an <iframe>. The site's scripts can reach neither the frame nor the port we talk over.

import browser from 'webextension-polyfill';
import {
  DIALOG_PAGE,
  FILE_COUNT_PARAMETER,
  type CheckRequest,
  type ConnectMessage,
  type DialogToGuard,
  type GuardToDialog,
  type OutcomeMessage,
  type DecisionMessage,
  type PolicyMessage,
} from '../ui/dialog/protocol';

/** The frame must connect within this time, or the check has failed. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** The dialog must report an outcome within this time (it gives up on a scan after 60 s itself). */
export const OUTCOME_TIMEOUT_MS = 90_000;

const FRAME_CSS = `
:host { all: initial !important; }
dialog {
  position: fixed; inset: 0; width: 100vw; height: 100vh; max-width: none; max-height: none;
  margin: 0; padding: 0; border: 0; background: transparent; overflow: hidden;
}
dialog::backdrop { background: transparent; }
iframe { display: block; width: 100%; height: 100%; border: 0; background: transparent; }
`;

const HOST_STYLE = [
  'all: initial', 'display: block', 'position: fixed', 'top: 0', 'left: 0', 'width: 0', 'height: 0',
  'overflow: visible', 'z-index: 2147483647', 'visibility: visible', 'opacity: 1',
].map((d) => `${d} !important`).join('; ');

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class FrameError extends Error {
  constructor(readonly kind: 'timeout' | 'error') {
    super(kind === 'timeout' ? 'the check took too long' : 'the check failed');
  }
}

/**
 * One dialog frame for one upload attempt. `check` shows the modal at once (the page paints "Checking…"
 * while it loads the engine) and resolves with the outcome; when it is `ask`, `decision` resolves with the
 * person's choice. If the page removes the frame, it is put back and the check (and the policy, once
 * sent) is sent again: held files stay held whatever the page does.
 */
export class DialogFrame {
  private readonly host = document.createElement('div');
  private readonly dialog = document.createElement('dialog');
  private readonly iframe = document.createElement('iframe');
  private readonly observer: MutationObserver;
  private port: MessagePort | undefined;
  private pending: GuardToDialog | undefined;
  private policy: PolicyMessage | undefined;
  private closed = false;
  private onOutcome: ((m: OutcomeMessage) => void) | undefined;
  private onDecision: ((m: DecisionMessage) => void) | undefined;
  private onFailure: ((e: FrameError) => void) | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the document now in the frame was connected (its ready message and its load both ask). */
  private connected = false;
  private readonly onWindowMessage = (e: MessageEvent): void => {
    const data: unknown = e.data;
    if (e.source !== null && e.source === this.iframe.contentWindow && typeof data === 'object' && data !== null &&
      (data as { type?: unknown }).type === 'spg-dialog-ready') this.connect();
  };

  /** `fileCount` undefined: a frame loaded ahead of a pick (see preload), told the count with the check. */
  constructor(title: string, fileCount?: number) {
    this.host.setAttribute('style', HOST_STYLE);
    const root = this.host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = FRAME_CSS;
    const count = fileCount === undefined ? '' : `?${FILE_COUNT_PARAMETER}=${fileCount}`;
    this.iframe.src = `${browser.runtime.getURL(DIALOG_PAGE)}${count}#${randomNonce()}`;
    this.iframe.title = title;
    this.iframe.setAttribute('allow', '');
    this.dialog.append(this.iframe);
    // Escape reaches the <dialog> only when focus is outside the frame; the frame handles its own Escape.
    this.dialog.addEventListener('cancel', (e) => e.preventDefault());
    root.append(style, this.dialog);
    this.iframe.addEventListener('load', () => this.connect());
    window.addEventListener('message', this.onWindowMessage, true);
    this.observer = new MutationObserver(() => this.keepAttached());
  }

  /** Loads the dialog page ahead of a pick, unseen, so that a check finds its page and engine ready. */
  preload(): void {
    if (!this.host.isConnected) this.attach();
  }

  private attach(): void {
    this.connected = false;
    (document.documentElement ?? document).appendChild(this.host);
    this.observer.observe(document.documentElement ?? document, { childList: true, subtree: false });
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => this.fail(new FrameError('timeout')), CONNECT_TIMEOUT_MS);
  }

  /** The page removed our host: put it back (the frame reloads, reconnects and is sent the check again). */
  private keepAttached(): void {
    if (this.closed || this.host.isConnected) return;
    this.port?.close();
    this.port = undefined;
    this.attach();
  }

  private connect(): void {
    if (this.closed || this.connected || !this.iframe.contentWindow) return;
    this.connected = true;
    clearTimeout(this.connectTimer);
    const channel = new MessageChannel();
    this.port?.close();
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent<DialogToGuard>) => this.received(e.data);
    const src = new URL(this.iframe.src);
    const connect: ConnectMessage = { type: 'spg-connect', nonce: src.hash.slice(1) };
    this.iframe.contentWindow.postMessage(connect, src.origin, [channel.port2]);
    if (this.pending) this.port.postMessage(this.pending);
    if (this.policy) this.port.postMessage(this.policy);
  }

  private received(m: DialogToGuard): void {
    if (this.closed || !m || typeof m !== 'object') return;
    if (m.type === 'outcome') {
      this.onOutcome?.(m);
    } else if (m.type === 'decision') {
      this.onDecision?.(m);
    } else if (m.type === 'dialog-error') {
      this.fail(new FrameError('error'));
    }
  }

  private fail(e: FrameError): void {
    if (this.closed) return;
    this.onFailure?.(e);
  }

  private show(): void {
    if (!this.dialog.open) {
      try {
        this.dialog.showModal();
      } catch {
        this.dialog.setAttribute('open', '');
      }
    }
    this.iframe.focus();
  }

  /** Sends the check and waits for the outcome (ask/pass/notice). Rejects with FrameError on failure. */
  check(request: CheckRequest): Promise<OutcomeMessage> {
    this.pending = request;
    this.port?.postMessage(request); // a preloaded frame is connected already
    return new Promise<OutcomeMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new FrameError('timeout')), OUTCOME_TIMEOUT_MS);
      this.onOutcome = (m) => {
        if (m.requestId !== request.requestId) return;
        clearTimeout(timer);
        resolve(m);
      };
      this.onFailure = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      if (!this.host.isConnected) this.attach();
      else if (!this.port) {
        clearTimeout(this.connectTimer);
        this.connectTimer = setTimeout(() => this.fail(new FrameError('timeout')), CONNECT_TIMEOUT_MS);
      }
      this.show();
    });
  }

  /** Sends the settings in force once the administrator's policy was read (for a check sent before). */
  sendPolicy(policy: PolicyMessage): void {
    if (this.closed) return;
    this.policy = policy;
    this.port?.postMessage(policy);
  }

  /** Waits for the person's choice in the shown dialog. */
  decision(requestId: string): Promise<DecisionMessage> {
    return new Promise<DecisionMessage>((resolve, reject) => {
      this.onDecision = (m) => {
        if (m.requestId === requestId) resolve(m);
      };
      this.onFailure = reject;
    });
  }

  /**
   * Shows the dialog's failure view (the frame is connected but the check failed): only Cancel.
   * Resolves when the person dismisses it; rejects if the frame cannot show it.
   */
  showFailure(requestId: string, reason: 'timeout' | 'error'): Promise<void> {
    if (!this.port) return Promise.reject(new FrameError('error'));
    this.pending = { type: 'failure', requestId, reason };
    this.port.postMessage(this.pending);
    this.show();
    return this.decision(requestId).then(() => undefined);
  }

  close(): void {
    this.closed = true;
    window.removeEventListener('message', this.onWindowMessage, true);
    clearTimeout(this.connectTimer);
    this.observer.disconnect();
    this.port?.close();
    if (this.dialog.open) this.dialog.close();
    // Removed a moment later: tearing a frame down inside its own click handler upsets input dispatch.
    setTimeout(() => this.host.remove(), 50);
  }
}

/** A frame loaded ahead of a pick is dropped when no pick came within this time. */
const SPARE_LIFETIME_MS = 3 * 60_000;

let spare: { frame: DialogFrame; timer: ReturnType<typeof setTimeout> } | undefined;

/**
 * Loads a dialog frame, unseen, when a pick is likely (a click on a file input, files dragged over the page):
 * the person takes a moment to choose, and the dialog is then ready at once. One at a time.
 */
export function preloadDialogFrame(title: string): void {
  if (spare) {
    clearTimeout(spare.timer);
  } else {
    const frame = new DialogFrame(title);
    frame.preload();
    spare = { frame, timer: 0 as unknown as ReturnType<typeof setTimeout> };
  }
  const mine = spare;
  mine.timer = setTimeout(() => {
    if (spare !== mine) return;
    spare = undefined;
    mine.frame.close();
  }, SPARE_LIFETIME_MS);
}

/** The frame for a check: the one loaded ahead when there is one, else a new one. */
export function dialogFrameFor(title: string, fileCount: number): DialogFrame {
  if (spare) {
    const { frame, timer } = spare;
    clearTimeout(timer);
    spare = undefined;
    return frame;
  }
  return new DialogFrame(title, fileCount);
}
