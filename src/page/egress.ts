// The egress backstop: fetch, XMLHttpRequest, sendBeacon, WebSocket and form submits refuse a body that
// carries a held or refused file (or a slice of one) and ask the guard instead. A backstop, not the main
// control: bytes the page re-encoded (FileReader, canvas, base64) cannot be recognised.

import type { Release } from './bridge';
import { askAboutTainted, isTainted, unmarkHeld } from './taint';

const nativeFetch = window.fetch;
const nativeXhrSend = XMLHttpRequest.prototype.send;
const nativeBeacon = Navigator.prototype.sendBeacon;
const nativeWsSend = WebSocket.prototype.send;
const nativeFormSubmit = HTMLFormElement.prototype.submit;
const nativeRequestSubmit = HTMLFormElement.prototype.requestSubmit;
const nativeFormDataEntries = FormData.prototype.entries;

function blocked(): TypeError {
  return new TypeError('Scan Privacy Guard kept a medical image file from being sent.');
}

function taintedIn(body: unknown): Blob[] {
  if (body instanceof Blob) return isTainted(body) ? [body] : [];
  if (body instanceof FormData) {
    const out: Blob[] = [];
    for (const [, v] of nativeFormDataEntries.call(body)) if (v instanceof Blob && isTainted(v)) out.push(v);
    return out;
  }
  return [];
}

function asFiles(blobs: readonly Blob[]): File[] {
  return blobs.map((b, i) => (b instanceof File ? b : new File([b], `upload-${i + 1}`, { type: b.type })));
}

/** The body with each tainted blob replaced by its cleaned copy. */
function substitute(body: unknown, tainted: readonly Blob[], cleaned: readonly File[]): unknown {
  const replacement = new Map<Blob, File>(tainted.map((b, i) => [b, cleaned[i]!]));
  if (body instanceof Blob) return replacement.get(body) ?? body;
  if (body instanceof FormData) {
    const out = new FormData();
    for (const [k, v] of nativeFormDataEntries.call(body)) {
      const r = v instanceof Blob ? replacement.get(v) : undefined;
      if (r) out.append(k, r, r.name);
      else if (v instanceof File) out.append(k, v, v.name);
      else out.append(k, v);
    }
    return out;
  }
  return body;
}

/** Asks the guard about a tainted body; resolves with the body to send, or undefined to send nothing. */
async function decideBody(body: unknown, tainted: Blob[]): Promise<{ body: unknown } | undefined> {
  const r: Release = await askAboutTainted(tainted, asFiles);
  if (r.release === 'none') return undefined;
  if (r.release === 'original') {
    unmarkHeld(tainted);
    return { body };
  }
  return { body: substitute(body, tainted, r.files) };
}

function formFiles(form: HTMLFormElement): Blob[] {
  const out: Blob[] = [];
  for (const el of Array.from(form.elements)) {
    if (el instanceof HTMLInputElement && el.type === 'file' && el.files) {
      for (const f of Array.from(el.files)) if (isTainted(f)) out.push(f);
    }
  }
  return out;
}

export function hookEgress(): void {
  window.fetch = function fetch(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const tainted = taintedIn(init?.body);
    if (tainted.length === 0) return nativeFetch.call(window, input, init);
    return decideBody(init!.body, tainted).then((d) => {
      if (!d) throw blocked();
      return nativeFetch.call(window, input, { ...init, body: d.body as BodyInit });
    });
  };

  XMLHttpRequest.prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const tainted = taintedIn(body);
    if (tainted.length === 0) return nativeXhrSend.call(this, body);
    const xhr = this;
    void decideBody(body, tainted).then((d) => {
      if (d) {
        nativeXhrSend.call(xhr, d.body as XMLHttpRequestBodyInit);
        return;
      }
      xhr.dispatchEvent(new ProgressEvent('error'));
      xhr.dispatchEvent(new ProgressEvent('loadend'));
    });
  };

  Navigator.prototype.sendBeacon = function sendBeacon(this: Navigator, url: string | URL, data?: BodyInit | null) {
    const tainted = taintedIn(data);
    if (tainted.length === 0) return nativeBeacon.call(this, url, data);
    void askAboutTainted(tainted, asFiles);
    return false;
  };

  WebSocket.prototype.send = function send(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    const tainted = taintedIn(data);
    if (tainted.length === 0) return nativeWsSend.call(this, data);
    const ws = this;
    void decideBody(data, tainted).then((d) => {
      if (d) nativeWsSend.call(ws, d.body as Blob);
    });
  };

  HTMLFormElement.prototype.submit = function submit(this: HTMLFormElement) {
    const tainted = formFiles(this);
    if (tainted.length === 0) return nativeFormSubmit.call(this);
    const form = this;
    void askAboutTainted(tainted, asFiles).then((r) => {
      if (r.release === 'original') {
        unmarkHeld(tainted);
        nativeFormSubmit.call(form);
      }
    });
  };

  HTMLFormElement.prototype.requestSubmit = function requestSubmit(this: HTMLFormElement, submitter?: HTMLElement | null) {
    const tainted = formFiles(this);
    if (tainted.length === 0) return nativeRequestSubmit.call(this, submitter);
    const form = this;
    void askAboutTainted(tainted, asFiles).then((r) => {
      if (r.release === 'original') {
        unmarkHeld(tainted);
        nativeRequestSubmit.call(form, submitter);
      }
    });
  };

  // A submit the person starts (a button, Enter) fires `submit`: refuse it when the form carries a held file.
  window.addEventListener('submit', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    const tainted = formFiles(form);
    if (tainted.length === 0) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    void askAboutTainted(tainted, asFiles).then((r) => {
      if (r.release === 'original') {
        unmarkHeld(tainted);
        nativeFormSubmit.call(form);
      }
    });
  }, true);
}
