// The toolbar popup: for the current tab's top-level site (or the site named by `?url=`), whether protection is on
// (with one switch), then three one-line answers, worst first (is my upload used for training? who can look at it?
// how long is it kept, and can I delete it?) whose details, quotes and sources fold out, when the notes were read
// (and a plain warning once they are more than a year old), what happened on the site (counts only), more about the
// site, and the questions worth asking. Everything shown comes from the extension itself: no network request,
// values only ever set as text.
//
// Opening it waits for nothing slow: it reads the page's state from storage itself (popup-state.ts), not through the
// service worker, and shows the administrator's policy as last read (managed-policy-cache.ts) until storage.managed
// answers, which takes seconds right after the browser starts; it then shows the live policy if it changed.

import browser from 'webextension-polyfill';
import {
  CONCERN_ORDER,
  FACT_KINDS,
  OTHER_KINDS,
  SITE_NOTES_COUNT,
  UPLOAD_QUESTIONS,
  concernMessageKey,
  factTitleMessageKey,
  findSiteNotes,
  leadAnswers,
  notesAreStale,
  parseIsoDate,
  type Concern,
  type Duration,
  type FactKind,
  type LeadAnswer,
  type SiteFact,
  type SiteFinding,
  type SiteNotes,
  type SiteRemark,
  type SiteSource,
} from '../../core/site-notes';
import { readManagedPolicyAnswer } from '../../background/managed-policy';
import { cacheManagedPolicy, samePolicy } from '../../background/managed-policy-cache';
import { composePopupState, readPopupPage, type PopupPage, type PopupTarget } from '../../background/popup-state';
import { GUARD_EVENT_KINDS, type PopupState, type SetSiteProtectionMessage } from '../../background/protocol';
import { el, formatList, formatNumber, localizeDocument, t, uiLanguage } from './elements';

// storage.managed is slow right after the browser starts: ask at once, use the answer when it comes.
const livePolicy = readManagedPolicyAnswer();

const root = document.getElementById('popup') as HTMLElement;

interface Shown {
  state: PopupState;
  /** True when showing a tab (not a `?url=`). */
  fromTab: boolean;
}

/**
 * What to show: `?url=` names a site (for links and tests); `?tabId=` a tab (tests: a popup opened in a tab would
 * otherwise see itself as the active tab); else the active tab of the window the popup belongs to.
 */
async function popupTarget(): Promise<{ target: PopupTarget; fromTab: boolean }> {
  const params = new URLSearchParams(location.search);
  const url = params.get('url');
  if (url !== null) return { target: { url }, fromTab: false };
  const tabId = Number(params.get('tabId') ?? Number.NaN);
  if (Number.isInteger(tabId) && tabId >= 0) return { target: { tabId }, fromTab: true };
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return { target: tab?.id === undefined ? {} : { tabId: tab.id }, fromTab: true };
}

// ---- formatting ---------------------------------------------------------------------------------------------

/** "30 days", "72 hours", "18 months" in the UI language. */
function formatDuration(duration: Duration): string {
  try {
    return new Intl.NumberFormat(uiLanguage(), { style: 'unit', unit: duration.unit, unitDisplay: 'long' }).format(duration.amount);
  } catch {
    return `${duration.amount} ${duration.unit}`;
  }
}

/** "December 2026" in the UI language, for a YYYY-MM-DD date. */
function formatMonth(date: string): string {
  const ms = parseIsoDate(date) ?? Date.now();
  try {
    return new Intl.DateTimeFormat(uiLanguage(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(ms));
  } catch {
    return date.slice(0, 7);
  }
}

/** A finding's answer in words ("Kept up to 18 months"). */
function valueText(finding: SiteFinding): string {
  return finding.duration ? t(finding.valueKey, [formatDuration(finding.duration)]) : t(finding.valueKey);
}

/** A source's address without the scheme, shortened for reading (the link goes to the whole address). */
function sourceLabel(url: string): string {
  let text = url;
  try {
    const u = new URL(url);
    text = `${u.hostname.replace(/^www\./, '')}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    // Shown as it is.
  }
  return text.length > 56 ? `${text.slice(0, 55)}…` : text;
}

// ---- folding -------------------------------------------------------------------------------------------------

/**
 * A <details> whose body is built the first time it opens: the first paint needs only the summaries (the three
 * answers), and building every finding, quote and source of a site costs it several milliseconds.
 */
function foldOut(attributes: Record<string, string | boolean>, summary: HTMLElement, body: () => (Node | undefined)[]): HTMLDetailsElement {
  const details = el('details', attributes, summary);
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    details.append(...body().filter((n): n is Node => n !== undefined));
  };
  if (attributes.open === true) build();
  details.addEventListener('toggle', () => {
    if (details.open) build();
  });
  return details;
}

// ---- header ------------------------------------------------------------------------------------------------

function header(state: PopupState, notes: SiteNotes | undefined): HTMLElement {
  return el(
    'header',
    { class: 'site' },
    el('p', { class: 'brand' }, t('extensionName')),
    el('h1', { id: 'site-name' }, state.host ?? t('popup_notAWebsite')),
    notes && el('p', { class: 'site-kind' }, t('popup_siteKind', [notes.name, t(notes.categoryKey)])),
  );
}

// ---- protection --------------------------------------------------------------------------------------------

function protectionSection(shown: Shown, onSwitch: (on: boolean) => void): HTMLElement {
  const { state } = shown;
  const section = el('section', { class: 'card protection', 'aria-labelledby': 'protection-heading' });
  section.append(el('h2', { id: 'protection-heading', class: 'visually-hidden' }, t('popup_protectionHeading')));
  if (state.host === null) {
    section.append(el('p', {}, t('popup_protectionNotAWebsite')));
    return section;
  }
  const on = state.protected;
  const button = el(
    'button',
    {
      type: 'button',
      role: 'switch',
      class: 'switch',
      id: 'protection-switch',
      'aria-checked': on ? 'true' : 'false',
      'aria-labelledby': 'protection-label',
      'aria-describedby': 'protection-state' + (state.canChange ? '' : ' protection-managed'),
      disabled: !state.canChange,
      'data-action': 'toggle-protection',
    },
    el('span', { class: 'switch-track', 'aria-hidden': 'true' }, el('span', { class: 'switch-thumb' })),
    el('span', { class: 'switch-text', 'aria-hidden': 'true' }, on ? t('popup_switchOn') : t('popup_switchOff')),
  );
  button.addEventListener('click', () => onSwitch(!on));
  section.append(
    el('div', { class: 'switch-row' }, el('span', { id: 'protection-label', class: 'switch-label' }, t('popup_protectionLabel', state.host)), button),
    el(
      'p',
      { id: 'protection-state', class: on ? 'state on' : 'state off', 'data-protected': on ? 'true' : 'false' },
      on ? t('popup_protectionOn', state.host) : t('popup_protectionOff', state.host),
    ),
  );
  if (!state.canChange) section.append(el('p', { id: 'protection-managed', class: 'managed' }, t('popup_protectionManaged')));
  if (shown.fromTab && on && !state.guardSeen) section.append(el('p', { class: 'hint' }, t('popup_reloadHint')));
  return section;
}

// ---- activity ----------------------------------------------------------------------------------------------

const COUNT_LABEL_KEYS: Record<(typeof GUARD_EVENT_KINDS)[number], string> = {
  checked: 'popup_countChecked',
  warned: 'popup_countWarned',
  cancelled: 'popup_countCancelled',
  deidentified: 'popup_countDeidentified',
  original: 'popup_countOriginal',
};

function activitySection(state: PopupState): HTMLElement {
  const section = el('section', { class: 'card activity', 'aria-labelledby': 'activity-heading' });
  section.append(el('h2', { id: 'activity-heading' }, t('popup_activityHeading')));
  if (state.tabWarnings > 0) {
    section.append(el('p', { class: 'tab-warning', role: 'note' }, t('popup_tabWarnings', formatNumber(state.tabWarnings))));
  }
  const any = GUARD_EVENT_KINDS.some((kind) => state.activity[kind] > 0);
  if (!any) {
    section.append(el('p', { class: 'quiet' }, t('popup_activityNone')));
    return section;
  }
  const list = el('dl', { class: 'counts' });
  for (const kind of GUARD_EVENT_KINDS) {
    list.append(el('div', { class: 'count', 'data-count': kind }, el('dt', {}, t(COUNT_LABEL_KEYS[kind])), el('dd', {}, formatNumber(state.activity[kind]))));
  }
  section.append(list, el('p', { class: 'quiet small' }, t('popup_activityCountsOnly')));
  return section;
}

// ---- findings, their quotes and sources -------------------------------------------------------------------------

function concernBadge(concern: Concern): HTMLElement {
  return el('span', { class: `concern concern-${concern}` }, t(concernMessageKey(concern)));
}

/** One source: its address, who reported it, whether it is an archive copy, the page's own date, when it was read. */
function sourceItem(source: SiteSource): HTMLElement {
  const parts: (Node | string)[] = [el('a', { href: source.url, target: '_blank', rel: 'noopener noreferrer' }, sourceLabel(source.url))];
  if (source.reportedBy) parts.push(' · ', el('span', { class: 'reported-by' }, t('popup_reportedBy', source.reportedBy)));
  if (source.archived) parts.push(' · ', el('span', { class: 'archived' }, t('popup_archived')));
  parts.push(' · ', source.pageDate ? el('span', { class: 'page-date' }, t('popup_pageDate', source.pageDate)) : el('span', { class: 'page-date' }, t('popup_pageUndated')));
  parts.push(' · ', el('span', { class: 'read-date', 'data-read': source.read }, t('popup_readOn', source.read)));
  return el('li', { 'data-source': source.url, ...(source.reportedBy && { 'data-secondary': 'true' }) }, ...parts);
}

function sourcesList(sources: readonly SiteSource[]): HTMLElement {
  return el(
    'div',
    { class: 'sources' },
    el('p', { class: 'sources-label' }, t(sources.length === 1 ? 'popup_source' : 'popup_sources')),
    el('ul', {}, ...sources.map(sourceItem)),
  );
}

function quotesBlock(quotes: readonly string[], lang: string): HTMLElement[] {
  return quotes.map((quote) => el('blockquote', { class: 'quote', lang }, `“${quote}”`));
}

const HOW_LABEL: Partial<Record<FactKind, string>> = { trainingUse: 'popup_howOptOut', deletion: 'popup_howDelete' };

function howLine(finding: SiteFinding): HTMLElement | undefined {
  if (finding.how === undefined) return undefined;
  return el('p', { class: 'how' }, el('strong', {}, t(HOW_LABEL[finding.kind] ?? 'popup_howOptOut')), ' ', el('q', { lang: finding.lang }, finding.how));
}

function findingItem(finding: SiteFinding, kindTitle: boolean): HTMLElement {
  const about = finding.aboutKey ? t(finding.aboutKey) : undefined;
  return el(
    'li',
    { class: `finding concern-${finding.concern}`, 'data-fact': finding.kind, 'data-concern': finding.concern, 'data-value': finding.value },
    el(
      'p',
      { class: 'finding-head' },
      concernBadge(finding.concern),
      ' ',
      kindTitle && el('span', { class: 'finding-kind' }, `${t(factTitleMessageKey(finding.kind))}: `),
      el('strong', {}, valueText(finding)),
      about && el('span', { class: 'about' }, ` — ${about}`),
    ),
    finding.detailKey && el('p', { class: 'detail' }, t(finding.detailKey)),
    howLine(finding),
    ...quotesBlock(finding.quotes, finding.lang),
    sourcesList(finding.sources),
  );
}

/** Findings in display order; disagreeing ones are introduced by a note (they come first, newest first). */
function findingsList(findings: readonly SiteFinding[], kindTitles: boolean): HTMLElement {
  const list = el('ul', { class: 'findings' });
  const disagreeingKinds = new Set<FactKind>();
  for (const finding of findings) {
    if (finding.disagree && !disagreeingKinds.has(finding.kind)) {
      disagreeingKinds.add(finding.kind);
      list.append(el('li', { class: 'disagree', 'data-fact': finding.kind }, el('p', { role: 'note' }, t('popup_disagree'))));
    }
    list.append(findingItem(finding, kindTitles));
  }
  return list;
}

function unknownLine(kinds: readonly FactKind[]): HTMLElement | undefined {
  if (kinds.length === 0) return undefined;
  return el('p', { class: 'unknown-kinds' }, t('popup_unknownFacts', formatList(kinds.map((k) => t(factTitleMessageKey(k))))));
}

// ---- the three answers -------------------------------------------------------------------------------------------

function answerItem(answer: LeadAnswer): HTMLElement {
  const headline = answer.headline;
  const about = headline?.aboutKey ? t(headline.aboutKey) : undefined;
  const summary = el(
    'summary',
    {},
    el('span', { class: 'answer-q' }, t(answer.questionKey)),
    ' ',
    el(
      'span',
      { class: 'answer-a' },
      concernBadge(answer.concern),
      ' ',
      el('strong', {}, headline ? valueText(headline) : t('popup_notKnown')),
      about && el('span', { class: 'about' }, ` — ${about}`),
    ),
  );
  return el(
    'li',
    { class: `answer concern-${answer.concern}`, 'data-question': answer.question, 'data-concern': answer.concern },
    foldOut({}, summary, () => [
      el(
        'div',
        { class: 'answer-body' },
        ...answer.how.map(howLine),
        answer.findings.length > 0 ? findingsList(answer.findings, answer.kinds.length > 1) : undefined,
        unknownLine(answer.unknownKinds),
      ),
    ]),
  );
}

function answersSection(notes: SiteNotes, now: Date): HTMLElement {
  const stale = notes.read !== undefined && notesAreStale(notes.read, now);
  return el(
    'section',
    { class: 'card answers', 'aria-labelledby': 'answers-heading', 'data-notes': notes.id },
    el('h2', { id: 'answers-heading' }, t('popup_answersHeading')),
    // Old notes say so before anything else they say.
    stale && el('p', { class: 'stale', role: 'note' }, t('popup_notesStale', formatMonth(notes.read!))),
    el('ul', { class: 'answers-list' }, ...leadAnswers(notes).map(answerItem)),
    notes.read !== undefined && el('p', { class: 'notes-read', 'data-read': notes.read }, t('popup_notesRead', notes.read)),
  );
}

// ---- more about the site, and sites with no notes ----------------------------------------------------------------

function remarkItem(remark: SiteRemark): HTMLElement {
  return el('li', { class: 'remark' }, el('p', {}, t(remark.textKey)), ...quotesBlock(remark.quotes, remark.lang), sourcesList(remark.sources));
}

function moreSection(notes: SiteNotes): HTMLElement {
  const body = (): (Node | undefined)[] => {
    const rank = (f: SiteFact): number => CONCERN_ORDER.indexOf(f.concern) * FACT_KINDS.length + FACT_KINDS.indexOf(f.kind);
    const others = notes.facts.filter((f) => OTHER_KINDS.includes(f.kind)).sort((a, b) => rank(a) - rank(b));
    return [
      el(
        'div',
        { class: 'more-body' },
        ...others.filter((f) => f.findings.length > 0).flatMap((fact) => [el('h3', { 'data-fact': fact.kind }, t(fact.titleKey)), findingsList(fact.findings, false)]),
        unknownLine(others.filter((f) => f.findings.length === 0).map((f) => f.kind)),
        ...(notes.remarks.length > 0 ? [el('h3', {}, t('popup_remarksHeading')), el('ul', { class: 'remarks' }, ...notes.remarks.map(remarkItem))] : []),
        el('p', { class: 'small quiet' }, t('popup_notesCaveat')),
      ),
    ];
  };
  return el(
    'section',
    { class: 'card more', 'aria-labelledby': 'more-heading' },
    foldOut({}, el('summary', {}, el('h2', { id: 'more-heading' }, t('popup_moreHeading', notes.name))), body),
  );
}

function noNotesSection(host: string | null): HTMLElement {
  return el(
    'section',
    { class: 'card notes', 'aria-labelledby': 'notes-heading', 'data-notes': 'none' },
    el('h2', { id: 'notes-heading' }, t('popup_notesHeading')),
    el('p', { class: 'no-notes' }, host === null ? t('popup_noNotesNotAWebsite') : t('popup_noNotes', host)),
    el('p', {}, t('popup_noNotesExplain', formatNumber(SITE_NOTES_COUNT))),
    el('h3', {}, t('popup_checklistHeading')),
    el('ul', { class: 'checklist' }, ...['popup_checklist1', 'popup_checklist2', 'popup_checklist3', 'popup_checklist4'].map((key) => el('li', {}, t(key)))),
  );
}

function questionsSection(open: boolean): HTMLElement {
  return el(
    'section',
    { class: 'card questions', 'aria-labelledby': 'questions-heading' },
    foldOut({ open }, el('summary', {}, el('h2', { id: 'questions-heading' }, t('popup_questionsHeading'))), () => [
      el('ol', {}, ...UPLOAD_QUESTIONS.map((question) => el('li', { 'data-question': question.id }, t(question.messageKey)))),
    ]),
  );
}

// ---- the page ----------------------------------------------------------------------------------------------

function footer(): HTMLElement {
  const settings = el('button', { type: 'button', class: 'link-button', 'data-action': 'open-options' }, t('popup_openOptions'));
  settings.addEventListener('click', () => {
    void browser.runtime.openOptionsPage().then(() => window.close());
  });
  return el('footer', {}, settings);
}

const status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'popup-status' });

let current: Shown | undefined;
/** Set once the person used the switch: the background's answer already follows the live policy. */
let switched = false;

function render(shown: Shown, focusSwitch = false): void {
  current = shown;
  const { state } = shown;
  const notes = state.host === null ? undefined : findSiteNotes(state.url ?? state.host);
  root.replaceChildren(
    ...[
      header(state, notes),
      protectionSection(shown, (on) => void flip(shown, on)),
      notes ? answersSection(notes, new Date()) : noNotesSection(state.host),
      activitySection(state),
      notes && moreSection(notes),
      questionsSection(notes === undefined),
      footer(),
    ].filter((section): section is HTMLElement => section !== undefined),
  );
  root.setAttribute('aria-busy', 'false');
  root.dataset.host = state.host ?? '';
  root.dataset.protected = String(state.protected);
  root.dataset.canChange = String(state.canChange);
  if (focusSwitch) document.getElementById('protection-switch')?.focus();
}

async function flip(shown: Shown, on: boolean): Promise<void> {
  const url = shown.state.url ?? (shown.state.host ? `https://${shown.state.host}/` : null);
  if (url === null) return;
  switched = true;
  try {
    const message: SetSiteProtectionMessage = { type: 'spg:set-site-protection', url, on };
    const state = (await browser.runtime.sendMessage(message)) as PopupState | undefined;
    if (!state || typeof state !== 'object') throw new Error('no answer from the background');
    // Keep what only the tab knows (warnings on this page, whether the guard runs there).
    render({ fromTab: shown.fromTab, state: { ...state, url: shown.state.url, tabWarnings: shown.state.tabWarnings, guardSeen: shown.state.guardSeen } }, true);
    status.textContent = state.protected ? t('popup_protectionOn', state.host ?? '') : t('popup_protectionOff', state.host ?? '');
  } catch {
    status.textContent = t('popup_error');
  }
}

/**
 * Whether the browser lets the guard run on the site (Firefox treats host permissions as optional, and Chromium lets
 * people restrict an extension's site access). When it does not, say so and offer to ask for it.
 */
async function checkSiteAccess(shown: Shown): Promise<void> {
  const url = shown.state.url;
  if (!shown.state.protected || url === null || !/^https?:/i.test(url)) return;
  let origin: string;
  try {
    origin = `${new URL(url).origin}/*`;
  } catch {
    return;
  }
  const granted = await browser.permissions.contains({ origins: [origin] }).catch(() => true);
  if (granted) return;
  const section = root.querySelector('.protection');
  if (!section) return;
  const button = el('button', { type: 'button', class: 'secondary', 'data-action': 'grant-site' }, t('popup_accessGrant'));
  const note = el('div', { class: 'access', role: 'note' }, el('p', {}, t('popup_accessMissing', shown.state.host ?? '')), button);
  button.addEventListener('click', () => {
    browser.permissions.request({ origins: [origin] }).then(
      (ok) => {
        if (ok) note.replaceChildren(el('p', {}, t('popup_reloadHint')));
      },
      () => note.replaceChildren(el('p', {}, t('popup_accessManual'))),
    );
  });
  section.append(note);
}

/** The page's state under the last policy read, shown at once; the live policy replaces it if it differs. */
async function start(): Promise<void> {
  const which = popupTarget();
  const page: PopupPage = await readPopupPage(which.then((w) => w.target));
  const { fromTab } = await which;
  const cached = page.cachedPolicy;
  const policy = cached?.policy ?? (await livePolicy)?.policy ?? {};
  const shown: Shown = { state: composePopupState(page, policy), fromTab };
  render(shown);
  void checkSiteAccess(shown);
  void livePolicy.then((live) => {
    if (!live) return;
    if (!cached || !samePolicy(live.policy, cached.policy)) void cacheManagedPolicy(live.policy);
    if (switched || samePolicy(live.policy, policy) || current === undefined) return;
    const focused = document.activeElement?.id === 'protection-switch';
    render({ state: composePopupState(page, live.policy), fromTab }, focused);
  });
}

localizeDocument('popup_title');
document.body.append(status);
start().catch(() => {
  root.replaceChildren(el('p', { class: 'error', role: 'alert' }, t('popup_error')));
  root.setAttribute('aria-busy', 'false');
});
