// Small building blocks of the extension pages: translated strings (browser.i18n), elements made with text only
// (never parsed as HTML; see ../shared/element.ts), and the page's language and direction from the browser's UI language.

import browser from 'webextension-polyfill';

export { el } from '../shared/element';

/** A message from _locales; the key itself when it is missing (a missing string is visible, not blank). */
export function t(key: string, substitutions?: string | string[]): string {
  return browser.i18n.getMessage(key, substitutions) || key;
}

/** The browser's UI language as a BCP 47 tag, for `lang`, number and list formatting. */
export function uiLanguage(): string {
  try {
    return browser.i18n.getUILanguage() || 'en';
  } catch {
    return 'en';
  }
}

/** Sets the document's language, direction and title. */
export function localizeDocument(titleKey: string): void {
  document.documentElement.lang = uiLanguage();
  document.documentElement.dir = t('@@bidi_dir') === 'rtl' ? 'rtl' : 'ltr';
  document.title = t(titleKey);
}

/** Numbers as the UI language writes them. */
export function formatNumber(n: number): string {
  try {
    return new Intl.NumberFormat(uiLanguage()).format(n);
  } catch {
    return String(n);
  }
}

/** "a, b and c" in the UI language. */
export function formatList(items: readonly string[]): string {
  try {
    return new Intl.ListFormat(uiLanguage(), { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}
