// The dialog page framed into the site: a closed shadow root holding a modal <dialog> with the extension's
// dialog page in an <iframe>. The site's scripts can reach neither the frame nor the port we talk over.

import browser from 'webextension-polyfill';
import { DIALOG_PAGE, type CheckRequest, type ConnectMessage, type DialogToGuard, type GuardToDialog, type OutcomeMessage, type DecisionMessage } from '../ui/dialog/protocol';

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
 * One dialog frame for one upload attempt. `check` resolves with the outcome; when it is `ask`, the modal
 * is shown and `decision` resolves with the person's choice. If the page removes the frame, it is put
 * back and the check is sent again: held files stay held whatever the page does.
 */
export class DialogFrame {
  private readonly host = document.createElement('div');
  private readonly dialog = document.createElement('dialog');
  private readonly iframe = document.createElement('iframe');
  private readonly observer: MutationObserver;
  private port: MessagePort | undefined;
  private pending: GuardToDialog | undefined;
  private closed = false;
  private onOutcome: ((m: OutcomeMessage) => void) | undefined;
  private onDecision: ((m: DecisionMessage) => void) | undefined;
  private onFailure: ((e: FrameError) => void) | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(title: string) {
    this.host.setAttribute('style', HOST_STYLE);
    const root = this.host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = FRAME_CSS;
    this.iframe.src = `${browser.runtime.getURL(DIALOG_PAGE)}#${randomNonce()}`;
    this.iframe.title = title;
    this.iframe.setAttribute('allow', '');
    this.dialog.append(this.iframe);
    // Escape reaches the <dialog> only when focus is outside the frame; the frame handles its own Escape.
    this.dialog.addEventListener('cancel', (e) => e.preventDefault());
    root.append(style, this.dialog);
    this.iframe.addEventListener('load', () => this.connect());
    this.observer = new MutationObserver(() => this.keepAttached());
  }

  private attach(): void {
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
    if (this.closed || !this.iframe.contentWindow) return;
    clearTimeout(this.connectTimer);
    const channel = new MessageChannel();
    this.port?.close();
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent<DialogToGuard>) => this.received(e.data);
    const src = new URL(this.iframe.src);
    const connect: ConnectMessage = { type: 'spg-connect', nonce: src.hash.slice(1) };
    this.iframe.contentWindow.postMessage(connect, src.origin, [channel.port2]);
    if (this.pending) this.port.postMessage(this.pending);
  }

  private received(m: DialogToGuard): void {
    if (this.closed || !m || typeof m !== 'object') return;
    if (m.type === 'outcome') {
      if (m.outcome === 'ask') this.show();
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
      this.attach();
    });
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
    clearTimeout(this.connectTimer);
    this.observer.disconnect();
    this.port?.close();
    if (this.dialog.open) this.dialog.close();
    // Removed a moment later: tearing a frame down inside its own click handler upsets input dispatch.
    setTimeout(() => this.host.remove(), 50);
  }
}
