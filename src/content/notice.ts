// A small, dismissable notice in a closed shadow root: "checked, nothing identifying" or "could not check".
// It shows counts and fixed sentences only, never a value from the files.

const NOTICE_CSS = `
:host { all: initial !important; }
.notice {
  position: fixed; right: 16px; bottom: 16px; max-width: min(420px, calc(100vw - 32px)); box-sizing: border-box;
  display: flex; gap: 12px; align-items: flex-start; padding: 12px 14px; border-radius: 10px;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0b1b2b; background: #ffffff;
  border: 1px solid #9db3c8; box-shadow: 0 6px 24px rgba(0,0,0,.18);
}
.notice.warn { border-color: #b3261e; }
.notice p { margin: 0; flex: 1; }
.notice button {
  font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #3a5a7a; background: #eef3f8; color: #0b1b2b;
  cursor: pointer;
}
.notice button:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  .notice { color: #e8eef5; background: #1d2833; border-color: #5b7690; }
  .notice.warn { border-color: #f2b8b5; }
  .notice button { color: #e8eef5; background: #2c3b4a; border-color: #8aa4bd; }
}
`;

export interface NoticeOptions {
  text: string;
  dismissLabel: string;
  /** A warning stays until dismissed; an information notice hides itself after a while. */
  warning: boolean;
}

const INFO_VISIBLE_MS = 8000;

export function showNotice({ text, dismissLabel, warning }: NoticeOptions): void {
  const host = document.createElement('div');
  host.setAttribute('style', 'all: initial !important; position: fixed !important; z-index: 2147483647 !important;');
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = NOTICE_CSS;
  const box = document.createElement('div');
  box.className = warning ? 'notice warn' : 'notice';
  box.setAttribute('role', warning ? 'alert' : 'status');
  const p = document.createElement('p');
  p.textContent = text;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = dismissLabel;
  button.addEventListener('click', () => host.remove());
  box.append(p, button);
  root.append(style, box);
  (document.documentElement ?? document).appendChild(host);
  if (!warning) setTimeout(() => host.remove(), INFO_VISIBLE_MS);
}
