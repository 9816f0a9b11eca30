// The messages between the content script (the guard) and the dialog page framed into the site.
//
// How the two meet: the guard creates an <iframe> of `src/ui/dialog/index.html#<nonce>` inside a closed
// shadow root, and once it has loaded posts `{ type: 'spg-connect', nonce }` to the frame's window with a
// MessagePort transferred. Every later message travels over that port, which the site's scripts never
// see, so the site cannot read what the dialog shows nor forge a choice. The dialog ignores a connect
// message whose nonce differs from the one in its own URL, and any connect after the first.
//
// The dialog page does the checking (it holds the whole engine), so identifying values never pass
// through the content script: the guard only learns an outcome and, at the end, which files to release.

/** How files reached the page; the dialog words its text by it. */
export type UploadPath =
  | 'input'
  | 'folder-input'
  | 'drop'
  | 'paste'
  | 'picker'
  | 'clipboard'
  | 'egress';

export interface ConnectMessage {
  type: 'spg-connect';
  nonce: string;
}

/** Guard → dialog: check these files (one upload attempt). */
export interface CheckRequest {
  type: 'check';
  /** One id per upload attempt; every reply carries it. */
  requestId: string;
  files: File[];
  /** Path of each file relative to the picked or dropped folder (`webkitRelativePath`), or its name. */
  paths: string[];
  path: UploadPath;
  /** The site's host, as shown to the person ("example.org"). */
  site: string;
  /** False when an administrator removed "upload the original anyway", or the mode is `block`. */
  allowOriginal: boolean;
  /**
   * What happens on a warning (settings): `ask` the person; `always-deidentify`: release a verified
   * de-identified copy without asking when one can be made (else ask); `block`: only Cancel.
   */
  mode?: 'ask' | 'always-deidentify' | 'block';
}

/** Guard → dialog: the guard gave up waiting or failed; show this instead of a scan. */
export interface FailureRequest {
  type: 'failure';
  requestId: string;
  /** What went wrong, in plain words, without any value from the files. */
  reason: 'timeout' | 'error';
}

export type GuardToDialog = CheckRequest | FailureRequest;

/**
 * Dialog → guard: the result of the check.
 * `pass`: nothing medical, release at once with no UI. `notice`: medical and clean, release and show a
 * small notice. `ask`: identifying or unreadable, make the dialog visible and wait for a decision.
 */
export interface OutcomeMessage {
  type: 'outcome';
  requestId: string;
  outcome: 'pass' | 'notice' | 'ask';
  /** Counts only: never a value from the files. */
  counts: { files: number; medical: number; identifying: number; unreadable: number };
}

/**
 * Dialog → guard: the person's decision. `files` is present for `deidentified` (the cleaned copies, same
 * names, types and lastModified, in the order of the request, non-medical files passed through) and
 * absent otherwise. `cancel` releases nothing.
 */
export interface DecisionMessage {
  type: 'decision';
  requestId: string;
  choice: 'cancel' | 'original' | 'deidentified';
  files?: File[];
}

/** Dialog → guard: the dialog itself failed (the guard keeps the files held and says so). */
export interface DialogErrorMessage {
  type: 'dialog-error';
  requestId: string;
}

export type DialogToGuard = OutcomeMessage | DecisionMessage | DialogErrorMessage;

/** Where the dialog page is, relative to the extension root (the frame URL contains `/dialog`). */
export const DIALOG_PAGE = 'src/ui/dialog/index.html';
