// The options page: what happens when a file identifies someone (ask, always de-identify, block; whether "upload
// the original anyway" is offered), the de-identification options, which sites are protected (all, or the listed
// sites plus the person's), per-site exceptions, clearing the history of counts, and what the extension does and
// never does with data. Settings an administrator fixed (storage.managed) are shown as such and cannot be changed.
// Every change is saved at once to storage.local; open pages' guards pick it up through storage.onChanged.

import browser from 'webextension-polyfill';
import {
  DEIDENTIFY_OPTION_NAMES,
  PROTECTION_SCOPES,
  SETTINGS_STORAGE_KEY,
  WARNING_MODES,
  effectiveSettings,
  migrateSettings,
  siteHost,
  storableSettings,
  type DeidentifyOptionName,
  type EffectiveSettings,
  type ManagedKey,
  type ProtectionScope,
  type Settings,
  type WarningMode,
} from '../../core/settings';
import { allSiteNotes } from '../../core/site-notes';
import type { ClearActivityMessage } from '../../background/protocol';
import { SITE_ACTIVITY_STORAGE_KEY, parseSiteActivity } from '../../background/site-activity';
import { el, formatNumber, localizeDocument, t } from '../popup/elements';

const root = document.getElementById('options') as HTMLElement;

/** storage.managed can take seconds to answer after the browser starts; past this, no policy is assumed. */
const MANAGED_TIMEOUT_MS = 10_000;

let local: unknown;
let managed: unknown = {};
let effective: EffectiveSettings = effectiveSettings(undefined, undefined);

// ---- reading and writing -------------------------------------------------------------------------------------

function readManaged(): Promise<unknown> {
  return Promise.race([
    browser.storage.managed.get().catch(() => ({})),
    new Promise((resolve) => setTimeout(() => resolve({}), MANAGED_TIMEOUT_MS)),
  ]);
}

async function readAll(): Promise<void> {
  const [got, policy] = await Promise.all([browser.storage.local.get(SETTINGS_STORAGE_KEY), readManaged()]);
  local = got[SETTINGS_STORAGE_KEY];
  managed = policy;
  effective = effectiveSettings(local, managed);
}

let writes: Promise<unknown> = Promise.resolve();

/** Changes the person's own settings (read fresh from storage, so concurrent popup changes are kept) and saves. */
function save(change: (own: Settings) => Settings): void {
  writes = writes.then(async () => {
    const got = await browser.storage.local.get(SETTINGS_STORAGE_KEY);
    const next = storableSettings(change(migrateSettings(got[SETTINGS_STORAGE_KEY])));
    await browser.storage.local.set({ [SETTINGS_STORAGE_KEY]: next });
    local = next;
    effective = effectiveSettings(local, managed);
    announce(t('options_saved'));
    refresh();
  }).catch(() => announce(t('options_saveFailed')));
}

const status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'options-status' });
let announceTimer: ReturnType<typeof setTimeout> | undefined;

function announce(text: string): void {
  status.textContent = '';
  clearTimeout(announceTimer);
  // A fresh text node each time, so the same message is announced again.
  announceTimer = setTimeout(() => {
    status.textContent = text;
  }, 50);
}

const isManaged = (key: ManagedKey): boolean => effective.managedKeys.includes(key);

function managedNote(id: string): HTMLElement {
  return el('p', { class: 'managed', id, hidden: true }, t('options_managed'));
}

// ---- the controls (built once, updated by refresh()) ---------------------------------------------------------------

interface Radio<T extends string> {
  value: T;
  input: HTMLInputElement;
}

function radioGroup<T extends string>(
  name: string,
  values: readonly T[],
  legendKey: string,
  labelKey: (v: T) => string,
  helpKey: (v: T) => string,
  noteId: string,
): { fieldset: HTMLFieldSetElement; radios: Radio<T>[]; note: HTMLElement } {
  const radios: Radio<T>[] = [];
  const fieldset = el('fieldset', {}, el('legend', {}, t(legendKey)));
  for (const value of values) {
    const id = `${name}-${value}`;
    const input = el('input', { type: 'radio', name, id, value, 'aria-describedby': `${id}-help` });
    radios.push({ value, input });
    fieldset.append(
      el('div', { class: 'choice' }, input, el('div', {}, el('label', { for: id }, t(labelKey(value))), el('p', { class: 'help', id: `${id}-help` }, t(helpKey(value))))),
    );
  }
  const note = managedNote(noteId);
  fieldset.append(note);
  return { fieldset, radios, note };
}

function checkbox(id: string, labelKey: string, helpKey: string, noteId: string): { row: HTMLElement; input: HTMLInputElement; note: HTMLElement } {
  const input = el('input', { type: 'checkbox', id, 'aria-describedby': `${id}-help` });
  const note = managedNote(noteId);
  const row = el('div', { class: 'choice' }, input, el('div', {}, el('label', { for: id }, t(labelKey)), el('p', { class: 'help', id: `${id}-help` }, t(helpKey)), note));
  return { row, input, note };
}

const MODE_KEYS: Record<WarningMode, string> = { ask: 'Ask', 'always-deidentify': 'AlwaysDeidentify', block: 'Block' };
const SCOPE_KEYS: Record<ProtectionScope, string> = { 'all-sites': 'AllSites', 'listed-sites': 'ListedSites' };
const optionKey = (name: DeidentifyOptionName): string => name.charAt(0).toUpperCase() + name.slice(1);

const mode = radioGroup('mode', WARNING_MODES, 'options_modeLegend', (v) => `options_mode${MODE_KEYS[v]}`, (v) => `options_mode${MODE_KEYS[v]}Help`, 'mode-managed');
const allowOriginal = checkbox('allow-original', 'options_allowOriginal', 'options_allowOriginalHelp', 'allow-original-managed');
const deidentify = DEIDENTIFY_OPTION_NAMES.map((name) => ({
  name,
  ...checkbox(`deidentify-${name}`, `options_deidentify${optionKey(name)}`, `options_deidentify${optionKey(name)}Help`, `deidentify-${name}-managed`),
}));
const scope = radioGroup('scope', PROTECTION_SCOPES, 'options_scopeLegend', (v) => `options_scope${SCOPE_KEYS[v]}`, (v) => `options_scope${SCOPE_KEYS[v]}Help`, 'scope-managed');

/** A list of sites with a remove button each, and a form to add one. */
function siteListEditor(id: string, labelKey: string, addKey: string, removeKey: string, emptyKey: string, onAdd: (host: string) => void, onRemove: (host: string) => void, lockedKey = 'options_enforcedSite') {
  const list = el('ul', { class: 'site-list', id: `${id}-list`, 'aria-labelledby': `${id}-heading` });
  const input = el('input', { type: 'text', id: `${id}-input`, inputmode: 'url', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-error` });
  const error = el('p', { class: 'error-text', id: `${id}-error`, hidden: true }, t('options_siteInvalid'));
  const form = el(
    'form',
    { class: 'add-site', 'data-form': id },
    el('label', { for: `${id}-input` }, t(labelKey)),
    el('div', { class: 'add-row' }, input, el('button', { type: 'submit', class: 'secondary' }, t(addKey))),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const host = siteHost(input.value);
    if (host === undefined) {
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    input.value = '';
    onAdd(host);
  });
  const render = (hosts: readonly string[], locked: readonly string[] = []): void => {
    const items: HTMLElement[] = [];
    for (const host of locked) {
      items.push(el('li', { 'data-site': host, 'data-managed': 'true' }, el('span', { class: 'host' }, host), el('span', { class: 'managed' }, t(lockedKey))));
    }
    for (const host of hosts) {
      const remove = el('button', { type: 'button', class: 'secondary small-button', 'aria-label': t(removeKey + 'Label', host) }, t(removeKey));
      remove.addEventListener('click', () => {
        onRemove(host);
        // Keep the keyboard user in the list: the next control after the removed row.
        requestAnimationFrame(() => (list.querySelector('button') ?? input).focus());
      });
      items.push(el('li', { 'data-site': host }, el('span', { class: 'host' }, host), remove));
    }
    if (items.length === 0) items.push(el('li', { class: 'quiet' }, t(emptyKey)));
    list.replaceChildren(...items);
  };
  return { list, form, input, render };
}

/** Adds a host to one of the person's own site lists (once). */
const addTo = (list: 'sites' | 'exceptions' | 'documentSites') => (host: string): void =>
  save((own) => ({ ...own, [list]: own[list].includes(host) ? own[list] : [...own[list], host] }));
/** Removes a host from one of the person's own site lists. */
const removeFrom = (list: 'sites' | 'exceptions' | 'documentSites') => (host: string): void =>
  save((own) => ({ ...own, [list]: own[list].filter((s) => s !== host) }));

const addedSites = siteListEditor('added-sites', 'options_addSiteLabel', 'options_addSite', 'options_removeSite', 'options_noAddedSites', addTo('sites'), removeFrom('sites'));
const exceptions = siteListEditor('exceptions', 'options_addExceptionLabel', 'options_addException', 'options_removeException', 'options_noExceptions', addTo('exceptions'), removeFrom('exceptions'));
const documentSites = siteListEditor('document-sites', 'options_addDocumentSiteLabel', 'options_addSite', 'options_removeSite', 'options_noDocumentSites', addTo('documentSites'), removeFrom('documentSites'), 'options_enforcedDocumentSite');
const exceptionsManaged = el('p', { class: 'managed', id: 'exceptions-managed', hidden: true }, t('options_exceptionsManaged'));

const historySummary = el('p', { id: 'history-summary' });
const clearButton = el('button', { type: 'button', class: 'secondary', 'data-action': 'clear-history' }, t('options_clearHistory'));

// ---- wiring ------------------------------------------------------------------------------------------------------

for (const radio of mode.radios) radio.input.addEventListener('change', () => radio.input.checked && save((own) => ({ ...own, mode: radio.value })));
allowOriginal.input.addEventListener('change', () => save((own) => ({ ...own, allowOriginal: allowOriginal.input.checked })));
for (const option of deidentify) {
  option.input.addEventListener('change', () => save((own) => ({ ...own, deidentify: { ...own.deidentify, [option.name]: option.input.checked } })));
}
for (const radio of scope.radios) radio.input.addEventListener('change', () => radio.input.checked && save((own) => ({ ...own, protection: radio.value })));

clearButton.addEventListener('click', () => {
  const message: ClearActivityMessage = { type: 'spg:clear-activity' };
  browser.runtime.sendMessage(message).then(
    () => {
      announce(t('options_historyCleared'));
      void refreshHistory();
    },
    () => announce(t('options_saveFailed')),
  );
});

/** Disables a control the administrator fixed and shows (and points its description at) the "managed" note. */
function setManaged(input: HTMLElement & { disabled: boolean }, note: HTMLElement, managedNow: boolean, ownHelp?: string): void {
  input.disabled = managedNow;
  note.hidden = !managedNow;
  const describedBy = [ownHelp, managedNow ? note.id : undefined].filter(Boolean).join(' ');
  if (describedBy) input.setAttribute('aria-describedby', describedBy);
  else input.removeAttribute('aria-describedby');
}

/** Checks the radio of `value`, and disables the group when the administrator fixed it. */
function showRadios<T extends string>(group: { radios: Radio<T>[]; fieldset: HTMLFieldSetElement; note: HTMLElement }, value: T, locked: boolean): void {
  for (const radio of group.radios) {
    radio.input.checked = value === radio.value;
    radio.input.disabled = locked;
  }
  setManaged(group.fieldset, group.note, locked);
}

/** Shows the settings in force. */
function refresh(): void {
  const { settings } = effective;
  showRadios(mode, settings.mode, isManaged('mode'));
  allowOriginal.input.checked = settings.allowOriginal;
  setManaged(allowOriginal.input, allowOriginal.note, isManaged('allowOriginal'), 'allow-original-help');
  for (const option of deidentify) {
    option.input.checked = settings.deidentify[option.name];
    setManaged(option.input, option.note, isManaged(`deidentify.${option.name}`), `deidentify-${option.name}-help`);
  }
  showRadios(scope, settings.protection, isManaged('protection'));
  addedSites.render(settings.sites, settings.enforcedSites);
  documentSites.render(settings.documentSites, settings.enforcedDocumentSites);
  const exceptionsLocked = isManaged('exceptions');
  exceptions.render(exceptionsLocked ? [] : settings.exceptions);
  exceptionsManaged.hidden = !exceptionsLocked;
  exceptions.form.hidden = exceptionsLocked;
  const banner = document.getElementById('managed-banner');
  if (banner) banner.hidden = effective.managedKeys.length === 0;
}

async function refreshHistory(): Promise<void> {
  const got = await browser.storage.local.get(SITE_ACTIVITY_STORAGE_KEY).catch(() => ({}) as Record<string, unknown>);
  const activity = parseSiteActivity(got[SITE_ACTIVITY_STORAGE_KEY]);
  const sites = Object.values(activity.sites);
  const files = sites.reduce((sum, counts) => sum + counts.checked, 0);
  historySummary.textContent = sites.length === 0 ? t('options_historyEmpty') : t('options_historySummary', [formatNumber(files), formatNumber(sites.length)]);
  clearButton.disabled = sites.length === 0;
}

// ---- the page ------------------------------------------------------------------------------------------------------

function section(id: string, headingKey: string, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  return el('section', { class: 'card', id, 'aria-labelledby': `${id}-heading` }, el('h2', { id: `${id}-heading` }, t(headingKey)), ...children);
}

function listedSites(): HTMLElement {
  const names = [...allSiteNotes()].sort((a, b) => a.name.localeCompare(b.name));
  return el(
    'details',
    { class: 'listed' },
    el('summary', {}, t('options_listedSitesSummary', formatNumber(names.length))),
    el('ul', {}, ...names.map((notes) => el('li', {}, el('span', {}, notes.name), ' ', el('span', { class: 'quiet' }, `(${notes.domains.join(', ')})`)))),
  );
}

function build(): void {
  root.replaceChildren(
    el('header', {}, el('p', { class: 'brand' }, t('extensionName')), el('h1', {}, t('options_heading')), el('p', {}, t('options_intro'))),
    el('p', { id: 'managed-banner', class: 'managed-banner', role: 'note', hidden: true }, t('options_managedBanner')),
    section('mode', 'options_modeHeading', mode.fieldset, allowOriginal.row),
    section('deidentify', 'options_deidentifyHeading', el('p', {}, t('options_deidentifyIntro')), el('div', { class: 'choices' }, ...deidentify.map((option) => option.row))),
    section(
      'scope',
      'options_scopeHeading',
      scope.fieldset,
      listedSites(),
      el('h3', { id: 'added-sites-heading' }, t('options_addedSitesHeading')),
      el('p', { class: 'help' }, t('options_addedSitesHelp')),
      addedSites.list,
      addedSites.form,
    ),
    section(
      'document-sites',
      'options_documentSitesHeading',
      el('p', { class: 'help' }, t('options_documentSitesHelp')),
      documentSites.list,
      documentSites.form,
    ),
    section('exceptions', 'options_exceptionsHeading', el('p', { class: 'help' }, t('options_exceptionsHelp')), exceptions.list, exceptionsManaged, exceptions.form),
    section('history', 'options_historyHeading', el('p', { class: 'help' }, t('options_historyHelp')), historySummary, clearButton),
    section(
      'privacy',
      'options_privacyHeading',
      el('ul', { class: 'statements' }, ...['options_privacyLocal', 'options_privacyNoNetwork', 'options_privacyStored', 'options_privacyNever', 'options_privacyKey', 'options_privacyNotes'].map((key) => el('li', {}, t(key)))),
    ),
  );
  document.body.append(status);
}

localizeDocument('options_title');
build();
readAll()
  .catch(() => undefined)
  .then(() => {
    refresh();
    root.setAttribute('aria-busy', 'false');
    root.dataset.ready = 'true';
  });
void refreshHistory();

browser.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || (area === 'local' && SETTINGS_STORAGE_KEY in changes)) {
    void readAll().then(refresh);
  }
  if (area === 'local' && SITE_ACTIVITY_STORAGE_KEY in changes) void refreshHistory();
});
