// The messages between the content script (the guard) and the dialog page framed into the site.
//
// How the two meet: the guard creates an <iframe> of `src/ui/dialog/index.html?files=<count>#<nonce>` (the
// count lets the page paint "Checking N files…" before anything else arrives) inside a closed
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

/**
 * Dialog → its parent window, once its script runs (sooner than the frame's load event): "connect me now".
 * It carries no secret (the site may see it too); the guard answers only a message whose source is its own
 * frame's window, which no page script can fake.
 */
export interface ReadyMessage {
  type: 'spg-dialog-ready';
}

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
  /**
   * True when `allowOriginal` and `mode` follow the administrator's policy. Right after the browser starts
   * the policy can take seconds to arrive: the check is sent at once without it (anything but true), the
   * dialog offers only Cancel meanwhile, and a PolicyMessage follows.
   */
  policySettled?: boolean;
  /**
   * True on the sites where pictures (photos, screenshots) and PDFs are checked as well: their metadata and
   * text are read, and they get cleaned copies. Anything but true: they pass as they are, unread.
   */
  documents?: boolean;
}

/** Guard → dialog: the settings in force for a check sent before the administrator's policy was read. */
export interface PolicyMessage {
  type: 'policy';
  requestId: string;
  allowOriginal: boolean;
  mode: 'ask' | 'always-deidentify' | 'block';
}

/** Guard → dialog: the guard gave up waiting or failed; show this instead of a scan. */
export interface FailureRequest {
  type: 'failure';
  requestId: string;
  /** What went wrong, in plain words, without any value from the files. */
  reason: 'timeout' | 'error';
}

export type GuardToDialog = CheckRequest | FailureRequest | PolicyMessage;

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

/** The query parameter of the dialog page's URL that says how many files are being checked. */
export const FILE_COUNT_PARAMETER = 'files';
