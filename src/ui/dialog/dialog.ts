// The decision dialog page: receives the held files over a MessagePort, checks them, explains what was found and asks.
//
// Framed by the guard (src/content) into the site; the protocol is in ./protocol.ts. The page's state is on
// <body data-state>: `waiting` (nothing shown: no request yet), `checking` ("Checking N files on this
// computer…", painted before the engine has loaded), `asking` (the findings and the choices), `confirming`
// (the deliberate second step before an original goes out), `failed` (the check failed or took too long:
// only Cancel), `done` (a decision was sent, or there was nothing to ask).
// The order of a check: the header findings with Cancel as soon as the scan is done; the other choices once
// the administrator's policy is known (at once, except right after the browser starts); the de-identified
// copy and the previews of pictures when they are ready. Slower checks of the pictures come after.
// The engine (./engine.ts) is loaded in parallel with the first view, so this module stays small.
// Values from the files are only ever put into the page with textContent, never parsed as HTML.

import type { FileReport, Finding, ScanReport } from '../../core/report';
import {
  FILE_COUNT_PARAMETER,
  type CheckRequest,
  type DialogToGuard,
  type FailureRequest,
  type GuardToDialog,
  type OutcomeMessage,
  type PolicyMessage,
  type ReadyMessage,
  type UploadPath,
} from './protocol';
import {
  explainConfirm,
  explainFailure,
  explainReport,
  outcomeOf,
  type ExplainContext,
  type ExplainedGroup,
  type Explanation,
  displayPath,
} from './explain';
import type { CleanCopies } from './clean-copy';
import type { PicturePanel } from './picture-panel';
import { el, type Child } from '../shared/element';
import { localizeDocument, t } from '../popup/elements';
import { TextReader } from '../text/client';

/** A scan that takes longer than this is treated as failed (fail closed). */
const SCAN_TIMEOUT_MS = 60_000;
/** In `always-deidentify` mode, how long to wait for the copies before asking instead. */
const AUTO_COPY_WAIT_MS = 20_000;
/** A decision is sent this long after the event that made it (see decide). */
const DECISION_DELAY_MS = 50;
/** Files read at once: browser file reads wait on the disk, not the processor. */
const SCAN_CONCURRENCY = 16;
/** Reading the text in the pictures longer than this counts as failed: they stay "may show text". */
const PICTURE_TIMEOUT_MS = 60_000;
/** After the person changes which regions are masked, the copy is made again this long after the last change. */
const RECOPY_DELAY_MS = 400;
/** Failed files listed under "A de-identified copy can't be offered" before "and N more". */
const MAX_FAILED_LISTED = 20;
/** The first bytes of each file read in one go: the sniff and a typical header come from one read. */
const READ_AHEAD_BYTES = 64 * 1024;
/** Files whose first bytes are read together, as one Blob (see groupedReadAheadSources). */
const READ_GROUP_FILES = 25;

type State = 'waiting' | 'checking' | 'asking' | 'confirming' | 'failed' | 'done';

/** The engine, loading from the start (see ./engine.ts); its failure is handled where it is awaited. */
const engine = import('./engine');
engine.catch(() => undefined);

/** What the dialog may offer: the settings in force, under the administrator's policy. */
interface Policy {
  allowOriginal: boolean;
  mode: 'ask' | 'always-deidentify' | 'block';
}

const UPLOAD_PATHS: ReadonlySet<string> = new Set<UploadPath>(['input', 'folder-input', 'drop', 'paste', 'picker', 'clipboard', 'egress']);

interface Current {
  requestId: string;
  /** Set for a check; absent for a failure request. */
  check?: CheckRequest;
  explanation?: Explanation;
  context?: ExplainContext & { totalBytes: number };
  copies?: CleanCopies;
  report?: ScanReport;
  /** The pictures with the text read in them, and the person's choices of what to mask. */
  pictures?: PicturePanel;
  /** While the text in the pictures is read: how far it got. */
  reading?: { done: number; total: number };
  /** The reading failed: why (the pictures then stay "may show text"). */
  readingFailed?: string;
  /** Counts the copies made, so an older one finishing late is dropped. */
  copiesRun?: number;
  failed?: 'timeout' | 'error';
  decided: boolean;
  /** Known once the administrator's policy was read; until then only Cancel is offered. */
  policy?: Policy;
  /** Called when the policy arrives. */
  onPolicy?: () => void;
}

/** Reads the text drawn into pictures, in a worker of this page (started on first use). */
export const textReader = new TextReader();

let port: MessagePort | undefined;
let current: Current | undefined;
const queue: Array<CheckRequest | FailureRequest> = [];
let busy = false;
/** A decision waits to be sent (see decide): the next request waits for it. */
let sending = false;

// ---- the connection -------------------------------------------------------------------------------------

const nonce = decodeURIComponent(location.hash.slice(1));

function onConnect(event: MessageEvent): void {
  const data: unknown = event.data;
  if (port || !nonce || !isRecord(data) || data.type !== 'spg-connect' || data.nonce !== nonce) return;
  const received = event.ports[0];
  if (!received) return;
  port = received;
  window.removeEventListener('message', onConnect);
  port.onmessage = (e: MessageEvent) => receive(e.data);
}

function send(message: DialogToGuard): void {
  port?.postMessage(message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The guard's message, checked; anything malformed is dropped. */
function modeOf(value: unknown): Policy['mode'] {
  return value === 'always-deidentify' || value === 'block' ? value : 'ask';
}

function parse(data: unknown): GuardToDialog | undefined {
  if (!isRecord(data) || typeof data.requestId !== 'string') return undefined;
  if (data.type === 'failure') {
    return { type: 'failure', requestId: data.requestId, reason: data.reason === 'timeout' ? 'timeout' : 'error' };
  }
  if (data.type === 'policy') {
    const mode = modeOf(data.mode);
    // Only an explicit true offers the original: anything else is the safe choice.
    return { type: 'policy', requestId: data.requestId, allowOriginal: data.allowOriginal === true && mode !== 'block', mode };
  }
  if (data.type !== 'check' || !Array.isArray(data.files) || !data.files.every((f) => f instanceof File)) return undefined;
  const files = data.files as File[];
  const paths = Array.isArray(data.paths) ? data.paths : [];
  return {
    type: 'check',
    requestId: data.requestId,
    files,
    paths: files.map((f, i) => (typeof paths[i] === 'string' && paths[i] !== '' ? (paths[i] as string) : f.name)),
    path: typeof data.path === 'string' && UPLOAD_PATHS.has(data.path) ? (data.path as UploadPath) : 'input',
    site: typeof data.site === 'string' ? data.site : '',
    // Only an explicit true offers the original: anything else is the safe choice.
    allowOriginal: data.allowOriginal === true && data.mode !== 'block',
    mode: modeOf(data.mode),
    policySettled: data.policySettled === true,
    // Pictures and PDFs are read only when the guard says this site asks for it.
    documents: data.documents === true,
  };
}

/** The policy for a request, in hand or still queued; ignored for any other. */
function receivePolicy(message: PolicyMessage): void {
  const policy: Policy = { allowOriginal: message.allowOriginal, mode: message.mode };
  if (current?.requestId === message.requestId) {
    if (current.policy || current.decided) return;
    current.policy = policy;
    current.onPolicy?.();
    return;
  }
  for (const queued of queue) {
    if (queued.type === 'check' && queued.requestId === message.requestId && !queued.policySettled) {
      Object.assign(queued, { ...policy, policySettled: true });
    }
  }
}

function receive(data: unknown): void {
  const message = parse(data);
  if (!message) {
    // A check we cannot read is answered, so the guard fails closed at once instead of waiting.
    if (isRecord(data) && typeof data.requestId === 'string') send({ type: 'dialog-error', requestId: data.requestId });
    return;
  }
  if (message.type === 'policy') {
    receivePolicy(message);
    return;
  }
  // The guard gave up on the request in hand (it timed out, or we reported an error): show the failure now.
  if (message.type === 'failure' && current && !current.decided && current.requestId === message.requestId) {
    showFailure(message);
    return;
  }
  queue.push(message);
  void next();
}

/** Handles requests one at a time: the next starts when the person has decided on the current one. */
async function next(): Promise<void> {
  if (busy || sending || (current && !current.decided)) return;
  const message = queue.shift();
  if (!message) return;
  busy = true;
  current = { requestId: message.requestId, decided: false };
  try {
    if (message.type === 'failure') showFailure(message);
    else await check(message);
  } catch {
    dialogFailed();
  } finally {
    busy = false;
  }
  if (current?.decided) void next();
}

// ---- checking -------------------------------------------------------------------------------------------

class ScanTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new ScanTimeout()), ms);
    work.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}

/** Resolves once the request in hand has its policy (at once when it came with the check). */
function policyOf(here: Current): Promise<Policy> {
  if (here.policy) return Promise.resolve(here.policy);
  return new Promise((resolve) => {
    here.onPolicy = () => resolve(here.policy!);
  });
}

async function check(request: CheckRequest): Promise<void> {
  const here = current!;
  here.check = request;
  if (request.policySettled) here.policy = { allowOriginal: request.allowOriginal, mode: request.mode ?? 'ask' };
  renderChecking(request.files.length);
  // The text engine takes seconds to start (its WebAssembly compiled, its models loaded): from now, while
  // the headers are read, in case there is a picture to read.
  textReader.warmUp();
  let report: ScanReport;
  let loaded: Awaited<typeof engine>;
  try {
    loaded = await engine;
    const { scanFiles, groupedReadAheadSources, DEFAULT_HEADER_LIMITS } = loaded;
    const sources = groupedReadAheadSources(request.files, READ_AHEAD_BYTES, READ_GROUP_FILES);
    report = await withTimeout(
      scanFiles(
        request.files.map((file, i) => ({ path: request.paths[i] ?? file.name, source: sources[i]! })),
        { concurrency: SCAN_CONCURRENCY, header: { ...DEFAULT_HEADER_LIMITS, initialBytes: READ_AHEAD_BYTES } },
      ),
      SCAN_TIMEOUT_MS,
    );
  } catch (e) {
    if (here.failed || here.decided) return;
    here.failed = e instanceof ScanTimeout ? 'timeout' : 'error';
    renderFailure(here.failed);
    const n = request.files.length;
    send({ type: 'outcome', requestId: request.requestId, outcome: 'ask', counts: { files: n, medical: 0, identifying: 0, unreadable: n } });
    focusDefault();
    return;
  }
  if (here.failed || here.decided) return; // the guard gave up meanwhile: its failure view stays
  // Medical pictures are read for text before anything is released: a clean header does not make a clean
  // picture; and what a header guesses of its picture waits for the reading (no false alarm meanwhile).
  // On the sites that ask for it, photos, screenshots and PDFs are read too (elsewhere they passed unread).
  const readPictures = (outcomeOf(report).outcome !== 'pass' && loaded.hasPictures(report)) || (request.documents === true && loaded.hasDocuments(report));
  if (readPictures) report = loaded.withoutPictureGuesses(report);
  let { outcome, counts } = outcomeOf(report);
  if (outcome !== 'ask' && !readPictures) {
    here.decided = true; // nothing to ask: the guard releases the files
    clear('done');
    send({ type: 'outcome', requestId: request.requestId, outcome, counts });
    return;
  }
  here.context = {
    site: request.site,
    path: request.path,
    fileCount: request.files.length,
    totalBytes: request.files.reduce((n, f) => n + f.size, 0),
  };
  const asked = outcome === 'ask';
  // Under "always de-identify" a verified copy may go without a question: the findings are shown only if it cannot.
  const quiet = here.policy?.mode === 'always-deidentify';
  if (asked) {
    // The header findings and Cancel now; the text in the pictures follows.
    here.explanation = explainReport(report, here.context, t);
    here.report = report;
    send({ type: 'outcome', requestId: request.requestId, outcome, counts });
    if (readPictures) here.reading = { done: 0, total: 0 };
    if (!quiet) {
      renderAsking(here);
      focusDefault();
    }
  }
  if (readPictures) {
    here.reading = { done: 0, total: 0 };
    if (!asked || quiet) renderReading(here);
    report = await readTheirText(here, request, loaded, report);
    here.reading = undefined;
    if (here.failed || here.decided || current !== here) return;
    ({ outcome, counts } = outcomeOf(report));
    here.report = report;
    here.explanation = explainReport(report, here.context, t);
    if (!asked) {
      if (outcome !== 'ask') {
        here.decided = true; // the pictures showed nothing either: released
        clear('done');
        send({ type: 'outcome', requestId: request.requestId, outcome, counts });
        return;
      }
      send({ type: 'outcome', requestId: request.requestId, outcome, counts });
    }
    if (!quiet) showAsking(here);
  }
  if (!here.policy) {
    // Every other choice once the administrator's policy is known.
    await policyOf(here);
    if (here.failed || here.decided || current !== here) return;
  }
  const policy = here.policy!;
  if (policy.mode === 'block') {
    showAsking(here);
    return;
  }
  const copies = makeCopies(here);
  if (policy.mode === 'always-deidentify') {
    // Settings say: send a verified de-identified copy without asking, when there is one with no caveat.
    const ready = await Promise.race([copies, new Promise<undefined>((r) => setTimeout(() => r(undefined), AUTO_COPY_WAIT_MS))]);
    if (here.failed || here.decided) return;
    if (ready?.available && ready.pictureMayShowText.length === 0 && ready.faceMayBeRebuilt.length === 0) {
      decide('deidentified');
      return;
    }
  }
  showAsking(here);
}

/**
 * The report with the text of the pictures read (by the text worker, a sample of each series), the progress
 * shown as it goes; when the reading fails or takes too long, every picture says its text was not checked.
 */
async function readTheirText(here: Current, request: CheckRequest, loaded: Awaited<typeof engine>, headerOnly: ScanReport): Promise<ScanReport> {
  const { scanFiles, blobSource, workerPictureReading, workerDocumentReading } = loaded;
  const inputs = (): Array<{ path: string; source: ReturnType<typeof blobSource> }> =>
    request.files.map((file, i) => ({ path: request.paths[i] ?? file.name, source: blobSource(file) }));
  const progress = (done: number, total: number): void => {
    if (current !== here || !here.reading) return;
    here.reading = { done, total };
    updateReading(here);
  };
  try {
    return await withTimeout(
      scanFiles(inputs(), {
        concurrency: SCAN_CONCURRENCY,
        pictures: workerPictureReading(request.files, textReader, progress),
        ...(request.documents === true ? { documents: workerDocumentReading(request.files, textReader) } : {}),
      }),
      PICTURE_TIMEOUT_MS,
    );
  } catch (e) {
    here.readingFailed = e instanceof ScanTimeout ? 'it took too long' : e instanceof Error ? e.message : 'unknown problem';
    const reason = here.readingFailed;
    // The same scan with a reader that says why it cannot read: each picture keeps its note, with the reason.
    const cannot = { read: () => Promise.reject(new Error(reason)) };
    return scanFiles(inputs(), { concurrency: SCAN_CONCURRENCY, pictures: cannot, ...(request.documents === true ? { documents: cannot } : {}) }).catch(() => headerOnly);
  }
}

/** Starts making the de-identified copies with the regions the person keeps masked; a newer run wins. */
function makeCopies(here: Current): Promise<CleanCopies> {
  const run = (here.copiesRun ?? 0) + 1;
  here.copiesRun = run;
  here.copies = undefined;
  const request = here.check!;
  const report = here.report!;
  const made = engine
    .then(({ prepareCleanCopies, maskPlans, documentPlans, regionKey }) => {
      const visible = here.pictures?.keptVisible();
      const keep = (finding: Finding, file: FileReport): boolean => visible !== undefined && finding.region !== undefined && visible.has(regionKey(file.path, finding.region));
      const plans = maskPlans(report.files, keep);
      const documents = request.documents === true ? { plans: documentPlans(report.files, keep), reader: textReader } : undefined;
      return prepareCleanCopies(request.files, request.paths, { plans, reader: textReader }, documents);
    })
    .then(
      (c) => c,
      (): CleanCopies => ({ available: false, reason: 'the de-identifier stopped with an unexpected error', failed: [] }),
    );
  void made.then((c) => {
    if (here.copiesRun !== run) return;
    here.copies = c;
    if (current !== here || here.decided || document.body.dataset.state !== 'asking') return;
    fillDeidentifySlot(here);
  });
  return made;
}

let recopyTimer: ReturnType<typeof setTimeout> | undefined;

/** The person changed which regions are masked: the copy on offer is withdrawn and made again. */
function regionsChanged(here: Current): void {
  here.copies = undefined;
  here.copiesRun = (here.copiesRun ?? 0) + 1;
  fillDeidentifySlot(here);
  clearTimeout(recopyTimer);
  recopyTimer = setTimeout(() => {
    if (current !== here || here.decided || here.policy?.mode === 'block') return;
    void makeCopies(here);
  }, RECOPY_DELAY_MS);
}

/** The findings with every choice the policy allows; focus stays where it was when they were on screen already. */
function showAsking(here: Current): void {
  const wasAsking = document.body.dataset.state === 'asking';
  const focused = document.activeElement;
  const action = focused?.getAttribute('data-action');
  const region = focused?.getAttribute('data-region');
  renderAsking(here);
  void showPictures(here);
  const again = region ? document.querySelector<HTMLElement>(`[data-region="${CSS.escape(region)}"]`) : null;
  if (wasAsking && again) again.focus({ preventScroll: true });
  else focusDefault(wasAsking && action ? `[data-action="${action}"]` : undefined);
}

function showFailure(request: FailureRequest): void {
  current!.failed = request.reason;
  current!.copies = undefined;
  renderFailure(request.reason);
  focusDefault();
}

/** The dialog itself broke: tell the guard (which keeps the files held) and show what we can. */
function dialogFailed(): void {
  const here = current;
  if (!here || here.decided) return;
  send({ type: 'dialog-error', requestId: here.requestId });
  try {
    here.failed = 'error';
    renderFailure('error');
    focusDefault();
  } catch {
    clear('failed');
  }
}

function decide(choice: 'cancel' | 'original' | 'deidentified'): void {
  const here = current;
  if (!here || here.decided) return;
  if (choice === 'original' && (!here.policy?.allowOriginal || here.failed)) return;
  if (choice === 'deidentified' && (!here.copies?.available || here.failed || !here.policy || here.policy.mode === 'block')) return;
  here.decided = true;
  const message: DialogToGuard = {
    type: 'decision',
    requestId: here.requestId,
    choice,
    ...(choice === 'deidentified' && here.copies?.available ? { files: here.copies.files } : {}),
  };
  clear('done');
  sending = true;
  // Sent once the click or key event that made the choice has finished: the guard removes this frame on a
  // decision, and a frame removed in the middle of an input event makes browser automation hang.
  setTimeout(() => {
    sending = false;
    send(message);
    void next();
  }, DECISION_DELAY_MS);
}

// ---- rendering ------------------------------------------------------------------------------------------

const root = (): HTMLElement => document.getElementById('spg-root')!;

function setState(state: State): void {
  document.body.dataset.state = state;
}

/**
 * A performance mark just before the next paint (bench/guard.bench.ts reads them): `spg-checking`,
 * `spg-findings` (the findings with Cancel), `spg-choices` (every choice the policy allows), `spg-pictures`
 * (the text read in the pictures shown), `spg-copy` (the de-identified copy offered).
 */
function markPaint(name: 'spg-checking' | 'spg-findings' | 'spg-choices' | 'spg-pictures' | 'spg-copy'): void {
  requestAnimationFrame(() => performance.mark(name));
}

function clear(state: State): void {
  root().replaceChildren();
  setState(state);
}

function button(action: string, label: string, kind: 'primary' | 'secondary' | 'quiet' | 'danger', onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', 'data-action': action, class: `button ${kind}` }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** A new dialog card (each view is its own alertdialog, so a screen reader announces it when focus moves in). */
function card(title: string, lead: string, ...body: Child[]): { card: HTMLElement; actions: HTMLElement } {
  const actions = el('div', { class: 'actions', id: 'spg-actions' });
  const node = el(
    'section',
    { id: 'spg-dialog', class: 'card', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'spg-title', 'aria-describedby': 'spg-lead' },
    // The text scrolls; the choices below it stay in view.
    el('div', { class: 'card-body', role: 'region', 'aria-labelledby': 'spg-title' },
      el('header', { class: 'card-header' },
        el('p', { class: 'brand' }, t('dialog_brand')),
        el('h1', { id: 'spg-title' }, title),
        el('p', { id: 'spg-lead', class: 'lead' }, lead)),
      ...body),
    actions,
  );
  root().replaceChildren(node);
  return { card: node, actions };
}

/** The text is a tab stop only while it scrolls, so keyboard users can scroll it with the arrow keys. */
function updateScrollable(): void {
  const body = document.querySelector<HTMLElement>('.card-body');
  if (!body) return;
  if (body.scrollHeight > body.clientHeight + 1) body.setAttribute('tabindex', '0');
  else body.removeAttribute('tabindex');
}

/** The first view, before the engine has loaded: "Checking N files on this computer…". */
function renderChecking(fileCount: number): void {
  const title = fileCount === 1 ? t('dialog_checking_title_one') : t('dialog_checking_title_many', [String(fileCount)]);
  const { card: node } = card(title, t('dialog_checking_lead'));
  node.setAttribute('aria-busy', 'true');
  setState('checking');
  markPaint('spg-checking');
}

function renderGroup(group: ExplainedGroup): HTMLElement {
  const section = el('section', { class: 'group' }, el('h3', { class: 'group-heading' }, el('bdi', {}, group.heading)));
  for (const line of group.details) section.append(el('p', { class: 'group-detail' }, el('bdi', {}, line)));
  if (group.unreadable) {
    section.append(
      el('div', { class: 'unreadable' },
        el('p', { class: 'unreadable-text' }, group.unreadable.text),
        el('p', { class: 'unreadable-reason' }, el('span', { class: 'label' }, t('dialog_reason_label')), ' ', group.unreadable.reasons.join('; '))),
    );
  }
  if (group.categories.length > 0) {
    const list = el('ul', { class: 'categories' });
    for (const c of group.categories) {
      const items = el('ul', { class: 'items' });
      for (const item of c.items) {
        items.append(el('li', {},
          el('span', { class: 'item-label' }, item.label),
          item.value !== undefined && ': ',
          item.value !== undefined && el('bdi', { class: 'value' }, item.value),
          item.detail !== undefined && el('span', { class: 'item-detail' }, `${item.value !== undefined ? ' — ' : ': '}${item.detail}`),
          item.spread !== undefined && el('span', { class: 'item-spread' }, ` (${item.spread})`)));
      }
      if (c.more) items.append(el('li', { class: 'more' }, c.more));
      list.append(el('li', { class: `category severity-${c.severity}` },
        el('h4', { class: 'category-heading' },
          el('span', { class: 'category-label' }, c.label),
          ' ',
          el('span', { class: 'severity' }, c.severityLabel)),
        items,
        el('p', { class: 'why' }, el('span', { class: 'label' }, t('dialog_why_label')), ' ', c.why)));
    }
    section.append(list);
  }
  return section;
}

function renderAsking(here: Current): void {
  const x = here.explanation!;
  const findings = el('section', { class: 'findings', id: 'spg-findings', 'aria-labelledby': 'spg-findings-heading' },
    el('h2', { id: 'spg-findings-heading', class: 'findings-heading' }, t('dialog_findings_label')),
    el('ul', { class: 'facts' }, ...x.facts.map((f) => el('li', {}, f))),
    x.severalPatients !== undefined && el('p', { class: 'several-patients' }, x.severalPatients),
    ...x.groups.map(renderGroup),
    x.moreGroups !== undefined && el('p', { class: 'more' }, x.moreGroups),
    x.notShown !== undefined && el('p', { class: 'not-shown' }, x.notShown),
    here.reading !== undefined && el('p', { class: 'pictures-progress', id: 'spg-pictures-progress', role: 'status' }, readingText(here)),
    here.readingFailed !== undefined && el('p', { class: 'pictures-failed', lang: 'en' }, t('dialog_pictures_failed', [here.readingFailed])));
  const { actions } = card(x.title, x.lead, findings, here.pictures?.element);
  actions.append(
    button('cancel', t('dialog_action_cancel'), 'primary', () => decide('cancel')),
    el('div', { class: 'deidentify-slot', 'data-slot': 'deidentify' }),
  );
  if (!here.policy) actions.append(el('p', { class: 'hint policy-pending', id: 'spg-policy-pending' }, t('dialog_policy_pending')));
  if (here.policy?.mode === 'block') actions.append(el('p', { class: 'hint blocked' }, t('dialog_blocked_note')));
  if (here.policy?.allowOriginal) {
    actions.append(button('upload-original', t('dialog_action_upload_original'), 'quiet', () => {
      renderConfirm(here);
      focusDefault();
    }));
  }
  setState('asking');
  markPaint(here.policy ? 'spg-choices' : 'spg-findings');
  fillDeidentifySlot(here);
}

/** "Reading the text in the pictures: 2 of 5" (before the first answer, without the counts). */
function readingText(here: Current): string {
  const r = here.reading;
  return r && r.total > 0 ? t('dialog_pictures_progress', [String(r.done), String(r.total)]) : t('dialog_pictures_reading');
}

/** The checking view while the text in the pictures is read (the headers identified no one). */
function renderReading(here: Current): void {
  const title = here.check!.files.length === 1 ? t('dialog_checking_title_one') : t('dialog_checking_title_many', [String(here.check!.files.length)]);
  const { card: node } = card(title, t('dialog_checking_lead'), el('p', { class: 'pictures-progress', id: 'spg-pictures-progress', role: 'status' }, readingText(here)));
  node.setAttribute('aria-busy', 'true');
  setState('checking');
}

function updateReading(here: Current): void {
  const line = document.getElementById('spg-pictures-progress');
  if (line) line.textContent = readingText(here);
}

/**
 * Adds the pictures section (the text read in each picture, what will be masked) below the findings, once
 * the text was read; none in `block` mode, where there is nothing to choose.
 */
async function showPictures(here: Current): Promise<void> {
  if (!here.report || !here.check || here.reading || here.policy?.mode === 'block') return;
  const loaded = await engine.catch(() => undefined);
  if (!loaded) return; // the check itself reported the failure
  if (current !== here || here.decided || !['asking', 'confirming'].includes(document.body.dataset.state ?? '')) return;
  if (!here.pictures) {
    const pictures = loaded.picturesForPanel(here.report);
    if (pictures.length === 0) return;
    const files = here.check.files;
    const bytesOf = async (picture: { input: number; entry?: string }): Promise<Blob> => {
      const file = files[picture.input]!;
      return picture.entry === undefined ? file : loaded.zipEntryBlob(file, picture.entry, loaded.readZip, loaded.blobSource);
    };
    here.pictures = new loaded.PicturePanel(t, textReader, bytesOf, () => regionsChanged(here), () => current === here && !here.decided);
    here.pictures.show(pictures);
    markPaint('spg-pictures');
  }
  const element = here.pictures.element;
  if (!element.isConnected) document.getElementById('spg-findings')?.after(element);
  updateScrollable();
}

/** Why no de-identified copy is offered: a short note, and the files with the reasons as technical detail. */
function unavailableNote(copies: Extract<CleanCopies, { available: false }>): HTMLElement {
  const n = copies.failed.length;
  const note = n === 0 ? t('dialog_deidentify_unavailable_error')
    : n === 1 ? t('dialog_deidentify_unavailable_one') : t('dialog_deidentify_unavailable_many', [String(n)]);
  const reason = (text: string): HTMLElement => el('span', { class: 'unavailable-reason', lang: 'en' }, text);
  const items = n === 0
    ? [el('li', {}, reason(copies.reason))]
    : copies.failed.slice(0, MAX_FAILED_LISTED).map((f) => el('li', {}, el('bdi', { class: 'unavailable-path' }, displayPath(f.path)), ': ', reason(f.reason)));
  if (n > MAX_FAILED_LISTED) items.push(el('li', { class: 'more' }, t('dialog_more_values', [String(n - MAX_FAILED_LISTED)])));
  return el('div', { class: 'unavailable', id: 'spg-deidentify-unavailable' },
    el('p', { class: 'unavailable-text' }, note),
    el('details', { class: 'unavailable-details' },
      el('summary', {}, t('dialog_deidentify_unavailable_details')),
      el('p', { class: 'label' }, t('dialog_reason_label')),
      // Scrolls when long, so it is a tab stop of its own (see focusables).
      el('ul', { class: 'unavailable-list', tabindex: '0', 'aria-label': t('dialog_deidentify_unavailable_details') }, ...items)));
}

/** Offers the de-identified copy, as the primary choice (Cancel keeps the default focus), or says why there is none. */
function fillDeidentifySlot(here: Current): void {
  const slot = document.querySelector<HTMLElement>('[data-slot="deidentify"]');
  if (!slot) return;
  if (!here.copies) {
    // Being made (again, after the person changed what is masked): say so, offer nothing yet.
    if (here.copiesRun !== undefined && here.policy && here.policy.mode !== 'block') {
      slot.replaceChildren(el('p', { class: 'hint preparing', role: 'status' }, t('dialog_deidentify_preparing')));
      document.querySelector('[data-action="cancel"]')?.classList.replace('secondary', 'primary');
    }
    return;
  }
  if (slot.querySelector('[data-action="deidentify"], .unavailable')) return;
  if (!here.copies.available) {
    slot.replaceChildren(unavailableNote(here.copies));
    updateScrollable();
    return;
  }
  const caveats = [
    here.copies.masked.regions > 0 && t('dialog_deidentify_masked', [String(here.copies.masked.regions)]),
    here.copies.pictureMayShowText.length > 0 && t('dialog_deidentify_caveat_picture', [String(here.copies.pictureMayShowText.length)]),
    here.copies.faceMayBeRebuilt.length > 0 && t('dialog_deidentify_caveat_face', [String(here.copies.faceMayBeRebuilt.length)]),
    here.copies.imageOnlyPdfs.length > 0 && t('dialog_deidentify_image_only_pdf', [String(here.copies.imageOnlyPdfs.length)]),
  ].filter((c): c is string => typeof c === 'string');
  const hint = el('p', { class: 'hint', id: 'spg-deidentify-hint' }, [t('dialog_action_deidentify_hint'), ...caveats].join(' '));
  const b = button('deidentify', t('dialog_action_deidentify'), 'primary', () => decide('deidentified'));
  b.setAttribute('aria-describedby', 'spg-deidentify-hint');
  slot.replaceChildren(b, hint);
  markPaint('spg-copy');
  document.querySelector('[data-action="cancel"]')?.classList.replace('primary', 'secondary');
}

function renderConfirm(here: Current): void {
  const c = explainConfirm(here.explanation!, here.context!, t);
  const contains = c.categories.length > 0 || c.unchecked !== undefined;
  const { actions } = card(c.title, c.body,
    el('div', { class: 'confirm', id: 'spg-confirm' },
      contains && el('p', { class: 'confirm-contains' }, t('dialog_confirm_contains')),
      contains && el('ul', { class: 'confirm-list' }, ...c.categories.map((label) => el('li', {}, label)), c.unchecked !== undefined && el('li', {}, c.unchecked)),
      el('p', { class: 'confirm-warning' }, c.warning)));
  actions.append(
    button('cancel', t('dialog_action_cancel'), 'primary', () => decide('cancel')),
    button('back', t('dialog_action_back'), 'secondary', () => {
      renderAsking(here);
      focusDefault('[data-action="upload-original"]');
      void showPictures(here);
    }),
    button('confirm-original', t('dialog_action_confirm_original'), 'danger', () => decide('original')),
  );
  setState('confirming');
}

function renderFailure(reason: 'timeout' | 'error'): void {
  const f = explainFailure(reason, t);
  const { actions } = card(f.title, f.body);
  actions.append(button('cancel', t('dialog_action_cancel'), 'primary', () => decide('cancel')));
  setState('failed');
}

// ---- keyboard and focus ---------------------------------------------------------------------------------

const showing = (): boolean => ['asking', 'confirming', 'failed'].includes(document.body.dataset.state ?? '');

function focusables(): HTMLElement[] {
  const dialog = document.getElementById('spg-dialog');
  if (!dialog) return [];
  return [...dialog.querySelectorAll<HTMLElement>('button:not([disabled]), summary, [tabindex="0"]')].filter((el) => el.getClientRects().length > 0);
}

/** Focus the default control (Cancel), or `selector` when given and present. */
function focusDefault(selector: string | undefined = '[data-action="cancel"]'): void {
  updateScrollable();
  const target = document.querySelector<HTMLElement>(selector) ?? document.querySelector<HTMLElement>('[data-action="cancel"]');
  // The choices stay in view below the text; on very short screens the title is shown first.
  target?.focus({ preventScroll: true });
}

function focusIsInside(): boolean {
  const dialog = document.getElementById('spg-dialog');
  return dialog !== null && dialog.contains(document.activeElement);
}

document.addEventListener('keydown', (e) => {
  if (!showing()) return;
  if (e.key === 'Escape') {
    e.preventDefault();
    decide('cancel');
    return;
  }
  if (e.key !== 'Tab') return;
  const list = focusables();
  const first = list[0];
  const last = list[list.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (!focusIsInside()) {
    e.preventDefault();
    focusDefault();
  } else if (e.shiftKey && active === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && active === last) {
    e.preventDefault();
    first.focus();
  }
});

// Focus never rests outside the dialog while it shows; the frame may become visible (resize) or focused later.
document.addEventListener('focusin', () => {
  if (showing() && !focusIsInside()) focusDefault();
});
for (const event of ['focus', 'resize'] as const) {
  window.addEventListener(event, () => {
    if (!showing()) return;
    updateScrollable();
    if (!focusIsInside()) focusDefault();
  });
}

window.addEventListener('error', () => dialogFailed());
window.addEventListener('unhandledrejection', () => dialogFailed());

// ---- start ----------------------------------------------------------------------------------------------

localizeDocument('dialog_page_title');
window.addEventListener('message', onConnect);
if (window.parent !== window) {
  const ready: ReadyMessage = { type: 'spg-dialog-ready' };
  window.parent.postMessage(ready, '*');
}
// The guard shows this frame at once: say what is happening before anything else arrives.
const announced = Number(new URLSearchParams(location.search).get(FILE_COUNT_PARAMETER));
if (Number.isInteger(announced) && announced > 0) renderChecking(announced);
else setState('waiting');
