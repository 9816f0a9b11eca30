// The store kit in docs/store against what it describes: a listing for every locale whose name and summary are the
// extension's own (and within the Chrome Web Store's limits), a justification for every permission and host access
// in manifest.json and for nothing it does not ask for, a privacy statement that names every storage key the code
// writes, in its storage area, and screenshots of the size the stores ask for.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/extension-ids';

const STORE = path.join(REPO, 'docs/store');
const LOCALES = path.join(REPO, 'public/_locales');
const read = (relative: string): string => fs.readFileSync(path.join(STORE, relative), 'utf8');

interface Manifest {
  permissions?: string[];
  host_permissions?: string[];
  optional_permissions?: string[];
  optional_host_permissions?: string[];
  content_scripts?: Array<{ matches: string[] }>;
  web_accessible_resources?: Array<{ resources: string[] }>;
}
const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO, 'manifest.json'), 'utf8')) as Manifest;

const messageOf = (locale: string, key: string): string =>
  (JSON.parse(fs.readFileSync(path.join(LOCALES, locale, 'messages.json'), 'utf8')) as Record<string, { message: string }>)[key]!.message;

/** The Chrome Web Store's limits: manifest name 75 characters, description (the listing's summary) 132, description 16,000. */
const LIMITS = { name: 75, summary: 132, description: 16_000 };

describe('listing texts', () => {
  const locales = fs.readdirSync(LOCALES).sort();

  it('there is one listing per locale of the extension, and no other', () => {
    expect(fs.readdirSync(path.join(STORE, 'listing')).sort()).toEqual(locales.map((l) => `${l}.md`));
  });

  for (const locale of locales) {
    it(`${locale}: the extension's own name and description, within the store's limits, and a description of substance`, () => {
      const text = read(`listing/${locale}.md`);
      const field = (name: string): string | undefined => new RegExp(`^${name}: (.+)$`, 'm').exec(text)?.[1];
      expect(field('Name')).toBe(messageOf(locale, 'extensionName'));
      expect(field('Summary')).toBe(messageOf(locale, 'extensionDescription'));
      expect(messageOf(locale, 'extensionName').length).toBeLessThanOrEqual(LIMITS.name);
      expect(messageOf(locale, 'extensionDescription').length, `extensionDescription of ${locale}`).toBeLessThanOrEqual(LIMITS.summary);
      expect(field('Category')).toBeTruthy();
      const description = /^## Description\n([\s\S]+)$/m.exec(text)?.[1]?.trim() ?? '';
      expect(description.length).toBeGreaterThan(1_000);
      expect(description.length).toBeLessThanOrEqual(LIMITS.description);
      expect(text, 'a placeholder left in the text').not.toMatch(/\b(TODO|TBD|FIXME|XXX)\b|lorem ipsum/);
    });
  }
});

describe('permission justifications', () => {
  it('manifest.json asks for no host permission or optional permission beyond what permissions.md covers', () => {
    expect(MANIFEST.host_permissions ?? []).toEqual([]);
    expect(MANIFEST.optional_permissions ?? []).toEqual([]);
    expect(MANIFEST.optional_host_permissions ?? []).toEqual([]);
  });

  it('permissions.md justifies each permission, content script match and web accessible resource in manifest.json, and nothing else', () => {
    const justified = [...read('permissions.md').matchAll(/^## `([^`]+)`/gm)].map((m) => m[1]).sort();
    const asked = [
      ...(MANIFEST.permissions ?? []),
      ...new Set((MANIFEST.content_scripts ?? []).flatMap((c) => c.matches)),
      ...((MANIFEST.web_accessible_resources ?? []).length > 0 ? ['web_accessible_resources'] : []),
    ].sort();
    expect(justified).toEqual(asked);
  });
});

describe('privacy statement', () => {
  /** Every `storage.<area>.set({ [KEY]: ... })` in src, with KEY resolved from its `const KEY = '...'`. */
  function storageWrites(): Array<{ area: string; key: string }> {
    const sources: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (full.endsWith('.ts')) sources.push(fs.readFileSync(full, 'utf8'));
      }
    };
    walk(path.join(REPO, 'src'));
    const all = sources.join('\n');
    const constants = new Map([...all.matchAll(/const ([A-Z_]+) = '([^']+)'/g)].map((m) => [m[1]!, m[2]!]));
    const writes = [...all.matchAll(/storage\.(\w+)\.set\(\{\s*(?:\[([A-Z_]+)\]|'([^']+)'|([A-Za-z_]+))\s*:/g)].map((m) => {
      const key = m[2] !== undefined ? constants.get(m[2]) : (m[3] ?? m[4]);
      if (key === undefined) throw new Error(`storage.${m[1]}.set with a key this test cannot resolve: ${m[0]}`);
      return { area: m[1]!, key };
    });
    return [...new Map(writes.map((w) => [`${w.area}:${w.key}`, w])).values()];
  }

  it('names every storage key the extension writes, in its storage area (and it writes nothing to sync storage)', () => {
    const writes = storageWrites();
    expect(writes.length, 'the search found the writes (it works)').toBeGreaterThanOrEqual(4);
    expect(writes.filter((w) => w.area === 'sync')).toEqual([]);
    const rows = read('privacy.md').split('\n').filter((line) => line.startsWith('| `storage.'));
    const documented = rows.map((row) => /^\| `storage\.(\w+)` \| `([^`]+)` \|/.exec(row)).map((m) => `${m?.[1]}:${m?.[2]}`);
    expect(documented.sort()).toEqual(writes.map((w) => `${w.area}:${w.key}`).sort());
  });

  it('says that nothing is sent', () => {
    expect(read('privacy.md')).toMatch(/^## What is sent\n\n\*\*Nothing\.\*\*/m);
  });
});

describe('screenshots', () => {
  it('docs/store/screenshots holds PNGs of exactly 1280 x 800', () => {
    const files = fs.readdirSync(path.join(STORE, 'screenshots'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(STORE, 'screenshots', file));
      expect(bytes.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      expect({ width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }, file).toEqual({ width: 1280, height: 800 });
    }
  });
});
