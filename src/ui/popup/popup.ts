// The toolbar popup: for the current tab's top-level site (or the site named by `?url=`), whether protection is on
// (with one switch), what happened there (counts only), what is known about how the site handles uploaded images
// (worst first, each fact with its sources and how long ago they were read), and the questions worth asking.
// Everything shown comes from the extension itself: no network request, values only ever set as text.

import browser from 'webextension-polyfill';
import {
  ALL_SITE_NOTES,
  UPLOAD_QUESTIONS,
  concernMessageKey,
  findSiteNotes,
  oldestDateRead,
  readAgeMessage,
  sortFactsWorstFirst,
  type Concern,
  type SiteFact,
  type SiteNotes,
  type SiteSource,
} from '../../core/site-notes';
import { GUARD_EVENT_KINDS, type PopupState, type PopupStateMessage, type SetSiteProtectionMessage } from '../../background/protocol';
import { el, formatList, formatNumber, localizeDocument, t } from './elements';

const root = document.getElementById('popup') as HTMLElement;

interface Shown {
  state: PopupState;
  /** True when showing the active tab (not a `?url=`). */
  fromTab: boolean;
}

async function ask(message: PopupStateMessage | SetSiteProtectionMessage): Promise<PopupState> {
  const state = (await browser.runtime.sendMessage(message)) as PopupState | undefined;
  if (!state || typeof state !== 'object') throw new Error('no answer from the background');
  return state;
}

/**
 * What to show: `?url=` names a site (for links and tests); `?tabId=` a tab (tests: a popup opened in a tab would
 * otherwise see itself as the active tab); else the active tab of the window the popup belongs to.
 */
async function load(): Promise<Shown> {
  const params = new URLSearchParams(location.search);
  const url = params.get('url');
  if (url !== null) return { state: await ask({ type: 'spg:popup-state', url }), fromTab: false };
  const tabId = Number(params.get('tabId') ?? Number.NaN);
  if (Number.isInteger(tabId) && tabId >= 0) return { state: await ask({ type: 'spg:popup-state', tabId }), fromTab: true };
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return { state: await ask({ type: 'spg:popup-state', ...(tab?.id !== undefined && { tabId: tab.id }) }), fromTab: true };
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
  section.append(el('h2', { id: 'protection-heading' }, t('popup_protectionHeading')));
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

// ---- notes -------------------------------------------------------------------------------------------------

function sourceLink(source: SiteSource): Node {
  return source.url
    ? el('a', { href: source.url, target: '_blank', rel: 'noopener noreferrer' }, source.citation)
    : el('span', { class: 'citation' }, source.citation);
}

function sourcesLine(sources: readonly SiteSource[], now: Date): HTMLElement {
  const line = el('p', { class: 'sources' }, el('span', { class: 'sources-label' }, t(sources.length === 1 ? 'popup_source' : 'popup_sources')), ' ');
  sources.forEach((source, i) => {
    if (i > 0) line.append('; ');
    const age = readAgeMessage(source.dateRead, now);
    line.append(sourceLink(source), ' (', el('span', { class: 'read-age' }, t(age.key, age.substitutions)), ')');
  });
  return line;
}

function quotesBlock(quotes: readonly string[]): HTMLElement | undefined {
  if (quotes.length === 0) return undefined;
  return el(
    'details',
    { class: 'quotes' },
    el('summary', {}, t('popup_quotes')),
    ...quotes.map((quote) => el('blockquote', { lang: 'en' }, `“${quote}”`)),
  );
}

function concernBadge(concern: Concern): HTMLElement {
  return el('span', { class: `concern concern-${concern}` }, t(concernMessageKey(concern)));
}

function factItem(fact: SiteFact, now: Date): HTMLElement {
  const detail = fact.detailKey ? t(fact.detailKey) : undefined;
  const oldest = oldestDateRead(fact.sources);
  return el(
    'li',
    { class: `fact concern-${fact.concern}`, 'data-fact': fact.kind, 'data-concern': fact.concern, 'data-read': oldest ?? null },
    el('p', { class: 'fact-head' }, concernBadge(fact.concern), ' ', el('strong', {}, t(fact.titleKey))),
    el('p', { class: 'fact-value' }, t(fact.valueKey)),
    detail && el('p', { class: 'fact-detail' }, detail),
    quotesBlock(fact.quotes),
    sourcesLine(fact.sources, now),
  );
}

function unknownItem(facts: readonly SiteFact[]): HTMLElement {
  return el(
    'li',
    { class: 'fact concern-unknown', 'data-concern': 'unknown' },
    el('p', { class: 'fact-head' }, concernBadge('unknown')),
    el('p', { class: 'fact-value' }, t('popup_unknownFacts', formatList(facts.map((f) => t(f.titleKey))))),
  );
}

function notesSection(notes: SiteNotes | undefined, host: string | null): HTMLElement {
  const section = el('section', { class: 'card notes', 'aria-labelledby': 'notes-heading' });
  section.append(el('h2', { id: 'notes-heading' }, t('popup_notesHeading')));
  if (!notes) {
    section.setAttribute('data-notes', 'none');
    section.append(
      el('p', { class: 'no-notes' }, host === null ? t('popup_noNotesNotAWebsite') : t('popup_noNotes', host)),
      el('p', {}, t('popup_noNotesExplain', formatNumber(ALL_SITE_NOTES.length))),
      el('h3', {}, t('popup_checklistHeading')),
      el('ul', { class: 'checklist' }, ...['popup_checklist1', 'popup_checklist2', 'popup_checklist3', 'popup_checklist4'].map((key) => el('li', {}, t(key)))),
    );
    return section;
  }
  section.setAttribute('data-notes', notes.id);
  const now = new Date();
  section.append(el('p', { class: 'small' }, t('popup_notesLead')));
  const sorted = sortFactsWorstFirst(notes.facts);
  const unknown = sorted.filter((fact) => fact.concern === 'unknown');
  const list = el('ul', { class: 'facts' });
  let unknownShown = false;
  for (const fact of sorted) {
    if (fact.concern === 'unknown') {
      if (!unknownShown) list.append(unknownItem(unknown));
      unknownShown = true;
    } else {
      list.append(factItem(fact, now));
    }
  }
  section.append(list);
  if (notes.remarks.length > 0) {
    section.append(
      el('h3', {}, t('popup_remarksHeading')),
      el(
        'ul',
        { class: 'remarks' },
        ...notes.remarks.map((remark) => el('li', {}, el('p', {}, t(remark.textKey)), quotesBlock(remark.quotes), sourcesLine(remark.sources, now))),
      ),
    );
  }
  const links: [string, string | undefined][] = [
    ['popup_linkPrivacy', notes.links.privacy],
    ['popup_linkTerms', notes.links.terms],
    ['popup_linkLegal', notes.links.legal],
  ];
  const present = links.filter((link): link is [string, string] => typeof link[1] === 'string');
  if (present.length > 0) {
    section.append(
      el('p', { class: 'policy-links' }, ...present.flatMap(([key, href], i) => [i > 0 ? ' · ' : '', el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, t(key))])),
    );
  }
  section.append(el('p', { class: 'small quiet' }, t('popup_notesCaveat')));
  return section;
}

// ---- questions ---------------------------------------------------------------------------------------------

function questionsSection(): HTMLElement {
  return el(
    'section',
    { class: 'card questions', 'aria-labelledby': 'questions-heading' },
    el('h2', { id: 'questions-heading' }, t('popup_questionsHeading')),
    el('ol', {}, ...UPLOAD_QUESTIONS.map((question) => el('li', { 'data-question': question.id }, t(question.messageKey)))),
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

function render(shown: Shown, focusSwitch = false): void {
  const notes = shown.state.host === null ? undefined : findSiteNotes(shown.state.host);
  root.replaceChildren(
    header(shown.state, notes),
    protectionSection(shown, (on) => void flip(shown, on)),
    activitySection(shown.state),
    notesSection(notes, shown.state.host),
    questionsSection(),
    footer(),
  );
  root.setAttribute('aria-busy', 'false');
  root.dataset.host = shown.state.host ?? '';
  root.dataset.protected = String(shown.state.protected);
  if (focusSwitch) document.getElementById('protection-switch')?.focus();
}

async function flip(shown: Shown, on: boolean): Promise<void> {
  const url = shown.state.url ?? (shown.state.host ? `https://${shown.state.host}/` : null);
  if (url === null) return;
  try {
    const state = await ask({ type: 'spg:set-site-protection', url, on });
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

localizeDocument('popup_title');
document.body.append(status);
load().then(
  (shown) => {
    render(shown);
    void checkSiteAccess(shown);
  },
  () => {
    root.replaceChildren(el('p', { class: 'error', role: 'alert' }, t('popup_error')));
    root.setAttribute('aria-busy', 'false');
  },
);
