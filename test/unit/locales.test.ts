// Languages: every locale has exactly the keys of English with the same placeholders, every placeholder a message uses
// is defined, and every message key the popup, options page, badge and manifest name exists in English.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface ChromeMessage {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
type Messages = Record<string, ChromeMessage>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LOCALES_DIR = path.join(ROOT, 'public/_locales');
const read = (lang: string): Messages => JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, 'messages.json'), 'utf8')) as Messages;

const EN = read('en');
const LANGUAGES = ['es', 'de', 'fr'];

/** The $NAME$ placeholders a message uses, lower-case (Chrome matches them case-insensitively), sorted, with repeats. */
function usedPlaceholders(message: string): string[] {
  return [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();
}
const unique = (xs: string[]): string[] => [...new Set(xs)];

/** Problems of one messages.json on its own: key syntax, message type, placeholders used but not defined and the reverse. */
function ownProblems(messages: Messages): string[] {
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(messages)) {
    if (!/^[A-Za-z0-9_@]+$/.test(key)) problems.push(`${key}: not a valid message name`);
    if (typeof entry?.message !== 'string' || entry.message.trim() === '') {
      problems.push(`${key}: no message`);
      continue;
    }
    const defined = Object.keys(entry.placeholders ?? {}).map((name) => name.toLowerCase()).sort();
    const used = unique(usedPlaceholders(entry.message));
    if (JSON.stringify(used) !== JSON.stringify(defined)) problems.push(`${key}: uses [${used}] but defines [${defined}]`);
    for (const [name, placeholder] of Object.entries(entry.placeholders ?? {})) {
      if (!/^\$\d$/.test(placeholder.content)) problems.push(`${key}: placeholder ${name} content ${placeholder.content} is not $1..$9`);
    }
  }
  return problems;
}

describe('locales', () => {
  it('English is the default locale and is well formed', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8')) as { default_locale: string };
    expect(manifest.default_locale).toBe('en');
    expect(ownProblems(EN)).toEqual([]);
  });

  it('the locale folders are English, Spanish, German and French', () => {
    expect(fs.readdirSync(LOCALES_DIR).sort()).toEqual(['de', 'en', 'es', 'fr']);
  });

  for (const lang of LANGUAGES) {
    describe(lang, () => {
      const messages = read(lang);

      it('has every key of English and no other', () => {
        const missing = Object.keys(EN).filter((key) => !(key in messages));
        const extra = Object.keys(messages).filter((key) => !(key in EN));
        expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      });

      it('is well formed', () => {
        expect(ownProblems(messages)).toEqual([]);
      });

      it('uses the same placeholders as English, mapped to the same substitutions', () => {
        const problems: string[] = [];
        for (const [key, english] of Object.entries(EN)) {
          const translated = messages[key];
          if (!translated) continue;
          if (JSON.stringify(unique(usedPlaceholders(translated.message))) !== JSON.stringify(unique(usedPlaceholders(english.message)))) {
            problems.push(`${key}: placeholders differ from English`);
          }
          const contents = (m: ChromeMessage): string =>
            JSON.stringify(Object.entries(m.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]).sort());
          if (contents(translated) !== contents(english)) problems.push(`${key}: placeholder substitutions differ from English`);
        }
        expect(problems).toEqual([]);
      });

      it('is translated, not copied (beyond names, symbols and short labels)', () => {
        // Words that are the same in both languages are fine ("$COUNT$ patients"); a whole sentence left in English is not.
        const words = (message: string): string => message.replace(/\$[A-Za-z0-9_@]+\$/g, '').replace(/Scan Privacy Guard/g, '').trim();
        const copied = Object.keys(EN).filter((key) => messages[key]?.message === EN[key]!.message && words(EN[key]!.message).length > 16);
        expect(copied).toEqual([]);
      });
    });
  }

  it('every message key the popup, options page, background and manifest name exists in English', () => {
    const sources = [
      'src/ui/popup/popup.ts',
      'src/ui/popup/elements.ts',
      'src/ui/options/options.ts',
      'src/background/index.ts',
      'src/background/badge.ts',
    ].map((file) => fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const keys = new Set<string>();
    for (const source of sources) {
      for (const m of source.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)) keys.add(m[1]!);
      for (const m of source.matchAll(/'((?:popup|options|badge)_[A-Za-z0-9_]+)'/g)) keys.add(m[1]!);
    }
    const manifest = fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8');
    for (const m of manifest.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) keys.add(m[1]!);
    expect(keys.size).toBeGreaterThan(50);
    expect([...keys].filter((key) => !(key in EN))).toEqual([]);
  });

  it('every key the options page builds from the settings vocabulary exists in English', async () => {
    const { DEIDENTIFY_OPTION_NAMES } = await import('../../src/core/settings');
    const optionKeys = DEIDENTIFY_OPTION_NAMES.flatMap((name) => {
      const key = `options_deidentify${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      return [key, `${key}Help`];
    });
    const fixed = ['Ask', 'AlwaysDeidentify', 'Block'].flatMap((k) => [`options_mode${k}`, `options_mode${k}Help`]);
    const scopes = ['AllSites', 'ListedSites'].flatMap((k) => [`options_scope${k}`, `options_scope${k}Help`]);
    const removeLabels = ['options_removeSiteLabel', 'options_removeExceptionLabel'];
    expect([...optionKeys, ...fixed, ...scopes, ...removeLabels].filter((key) => !(key in EN))).toEqual([]);
  });
});
