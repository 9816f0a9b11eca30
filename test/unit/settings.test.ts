// Settings: migration of whatever storage holds (garbage gives the defaults), the administrator's managed settings
// winning over the person's, which sites are protected, the popup's per-site switch, and the de-identification key.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEIDENTIFY,
  DEFAULT_SETTINGS,
  DEIDENTIFICATION_KEY_BYTES,
  DEIDENTIFY_OPTION_NAMES,
  MAX_SITES,
  PROTECTION_SCOPES,
  SETTINGS_VERSION,
  WARNING_MODES,
  canChangeSiteProtection,
  checksDocuments,
  decodeDeidentificationKey,
  effectiveSettings,
  encodeDeidentificationKey,
  hostMatchesSite,
  isProtected,
  isUnderPath,
  migrateSettings,
  parseManagedPolicy,
  siteHost,
  siteList,
  storableSettings,
  switchSiteProtection,
  withSiteProtection,
  type Settings,
} from '../../src/core/settings';
import { documentPathsOf, findSiteNotes } from '../../src/core/site-notes';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const noneListed = (): boolean => false;
const listedByNotes = (host: string): boolean => findSiteNotes(host) !== undefined;
const settingsWith = (changes: Partial<Settings>): Settings => ({ ...DEFAULT_SETTINGS, ...changes });

describe('siteHost', () => {
  it.each([
    ['https://www.ChatGPT.com/c/123?x=1#y', 'chatgpt.com'],
    ['http://chat.openai.com:8080/', 'chat.openai.com'],
    ['chatgpt.com', 'chatgpt.com'],
    ['  www.example.org/path  ', 'example.org'],
    ['*.hf.space', 'hf.space'],
    ['example.com.', 'example.com'],
    ['example.com:8443', 'example.com'],
    ['localhost:3000', 'localhost'],
    ['http://127.0.0.1:5173/page.html', '127.0.0.1'],
    ['http://[::1]:8080/', '[::1]'],
    ['intranet', 'intranet'],
    ['https://bücher.de/', 'xn--bcher-kva.de'],
  ])('%s -> %s', (input, expected) => {
    expect(siteHost(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'about:blank',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop/src/ui/popup/index.html',
    'chrome://settings',
    'file:///home/x/scan.dcm',
    'data:text/html,hi',
    'mailto:someone@example.com',
    'ftp://example.com/',
    'user@example.com',
    'exa mple.com',
    'http://',
    '-bad.example.com',
    'x'.repeat(3000),
  ])('%s is not a site', (input) => {
    expect(siteHost(input)).toBeUndefined();
  });

  it('is undefined for things that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['chatgpt.com']]) expect(siteHost(value)).toBeUndefined();
  });

  it('matches a site and its subdomains only', () => {
    expect(hostMatchesSite('chatgpt.com', 'chatgpt.com')).toBe(true);
    expect(hostMatchesSite('a.b.chatgpt.com', 'chatgpt.com')).toBe(true);
    expect(hostMatchesSite('notchatgpt.com', 'chatgpt.com')).toBe(false);
    expect(hostMatchesSite('chatgpt.com', 'a.chatgpt.com')).toBe(false);
  });

  it('makes site lists of hosts only, without duplicates, capped', () => {
    expect(siteList(['https://www.a.com/x', 'a.com', 'b.org', 7, null, 'about:blank', 'B.ORG'])).toEqual(['a.com', 'b.org']);
    expect(siteList('a.com')).toEqual([]);
    const many = Array.from({ length: MAX_SITES + 50 }, (_, i) => `site${i}.example`);
    expect(siteList(many)).toHaveLength(MAX_SITES);
  });
});

describe('migrateSettings', () => {
  it('gives the defaults for garbage and never throws', () => {
    const garbage: unknown[] = [undefined, null, 0, 1, 'settings', true, [], [1, 2], () => 1, Symbol('x'), new Date(0)];
    for (const value of garbage) expect(migrateSettings(value)).toEqual(DEFAULT_SETTINGS);
  });

  it('defaults are asking, the original allowed, every site protected, nothing listed', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      version: SETTINGS_VERSION,
      mode: 'ask',
      allowOriginal: true,
      deidentify: DEFAULT_DEIDENTIFY,
      protection: 'all-sites',
      sites: [],
      exceptions: [],
      enforcedSites: [],
      documentSites: [],
      enforcedDocumentSites: [],
    });
    expect(Object.keys(DEFAULT_DEIDENTIFY).sort()).toEqual([...DEIDENTIFY_OPTION_NAMES].sort());
  });

  it('keeps every valid value of the current version', () => {
    const stored = {
      version: SETTINGS_VERSION,
      mode: 'block',
      allowOriginal: false,
      deidentify: { ...DEFAULT_DEIDENTIFY, retainUids: true, cleanDescriptors: false },
      protection: 'listed-sites',
      sites: ['example.org'],
      exceptions: ['intranet.example'],
      enforcedSites: [],
      documentSites: ['second-opinion.example'],
      enforcedDocumentSites: [],
    };
    expect(migrateSettings(stored)).toEqual(stored);
    for (const mode of WARNING_MODES) expect(migrateSettings({ ...stored, mode }).mode).toBe(mode);
    for (const protection of PROTECTION_SCOPES) expect(migrateSettings({ ...stored, protection }).protection).toBe(protection);
  });

  it('replaces malformed fields with their defaults and drops unknown fields', () => {
    const migrated = migrateSettings({
      version: SETTINGS_VERSION,
      mode: 'explode',
      allowOriginal: 'no',
      deidentify: { retainUids: 'yes', cleanGraphics: true, somethingElse: true },
      protection: 'some-sites',
      sites: 'chatgpt.com',
      exceptions: [42, 'https://www.Example.com/a', 'example.com'],
      patientName: 'DOE^JANE',
    });
    expect(migrated).toEqual({
      ...DEFAULT_SETTINGS,
      deidentify: { ...DEFAULT_DEIDENTIFY, cleanGraphics: true },
      exceptions: ['example.com'],
    });
    expect(JSON.stringify(migrated)).not.toContain('DOE');
    expect(migrateSettings({ deidentify: 'all' }).deidentify).toEqual(DEFAULT_DEIDENTIFY);
  });

  it('upgrades version 0 (no version field, older list names)', () => {
    expect(migrateSettings({ mode: 'always-deidentify', protectedSites: ['a.example'], disabledSites: ['b.example'] })).toEqual({
      ...DEFAULT_SETTINGS,
      mode: 'always-deidentify',
      sites: ['a.example'],
      exceptions: ['b.example'],
    });
    // New names win over old ones when both are present.
    expect(migrateSettings({ version: 0, sites: ['c.example'], protectedSites: ['a.example'] }).sites).toEqual(['c.example']);
  });

  it('reads settings of an unknown (newer or malformed) version as far as it understands them', () => {
    expect(migrateSettings({ version: 99, mode: 'block', futureField: 1 })).toEqual({ ...DEFAULT_SETTINGS, mode: 'block' });
    expect(migrateSettings({ version: 'x', mode: 'block' })).toEqual({ ...DEFAULT_SETTINGS, mode: 'block' });
  });

  it('never takes enforced sites from the person’s own storage', () => {
    expect(migrateSettings({ version: SETTINGS_VERSION, enforcedSites: ['a.example'] }).enforcedSites).toEqual([]);
    expect(storableSettings(settingsWith({ enforcedSites: ['a.example'], sites: ['b.example'] }))).toEqual({
      ...DEFAULT_SETTINGS,
      sites: ['b.example'],
    });
  });
});

describe('managed settings', () => {
  it('parses a full policy and drops what is malformed', () => {
    expect(
      parseManagedPolicy({
        mode: 'block',
        allowOriginal: false,
        protection: 'listed-sites',
        extraSites: ['https://pacs.example.org/', 'not a host'],
        allowSiteExceptions: false,
        deidentify: { retainUids: true, cleanGraphics: 'yes', unknown: true },
        other: 1,
      }),
    ).toEqual({
      mode: 'block',
      allowOriginal: false,
      protection: 'listed-sites',
      extraSites: ['pacs.example.org'],
      allowSiteExceptions: false,
      deidentify: { retainUids: true },
    });
    for (const raw of [undefined, null, 'x', 3, []]) expect(parseManagedPolicy(raw)).toEqual({});
    expect(parseManagedPolicy({ mode: 'loud', protection: 1, extraSites: ['?'], deidentify: { retainUids: 1 }, allowOriginal: 'no' })).toEqual({});
  });

  it('with no policy, the effective settings are the person’s and nothing is managed', () => {
    const local = { version: SETTINGS_VERSION, mode: 'block', exceptions: ['a.example'] };
    for (const managed of [undefined, {}, null, 'garbage']) {
      expect(effectiveSettings(local, managed)).toEqual({ settings: migrateSettings(local), managedKeys: [] });
    }
  });

  it('managed values win over local ones, and are listed as managed', () => {
    const local = {
      version: SETTINGS_VERSION,
      mode: 'ask',
      allowOriginal: true,
      protection: 'all-sites',
      exceptions: ['chatgpt.com'],
      deidentify: { ...DEFAULT_DEIDENTIFY, retainUids: false, retainSafePrivate: true },
    };
    const { settings, managedKeys } = effectiveSettings(local, {
      mode: 'always-deidentify',
      allowOriginal: false,
      protection: 'listed-sites',
      extraSites: ['pacs.example.org'],
      deidentify: { retainUids: true, retainSafePrivate: false },
    });
    expect(settings.mode).toBe('always-deidentify');
    expect(settings.allowOriginal).toBe(false);
    expect(settings.protection).toBe('listed-sites');
    expect(settings.enforcedSites).toEqual(['pacs.example.org']);
    expect(settings.deidentify).toEqual({ ...DEFAULT_DEIDENTIFY, retainUids: true, retainSafePrivate: false });
    // Exceptions stay the person's while the administrator allows them.
    expect(settings.exceptions).toEqual(['chatgpt.com']);
    expect([...managedKeys].sort()).toEqual(
      ['mode', 'allowOriginal', 'protection', 'enforcedSites', 'deidentify.retainUids', 'deidentify.retainSafePrivate'].sort(),
    );
  });

  it('a managed value wins even when it equals the default, and unmanaged values stay the person’s', () => {
    const { settings, managedKeys } = effectiveSettings({ mode: 'block', allowOriginal: false }, { mode: 'ask' });
    expect(settings.mode).toBe('ask');
    expect(settings.allowOriginal).toBe(false);
    expect(managedKeys).toEqual(['mode']);
  });

  it('an administrator can forbid per-site exceptions', () => {
    const { settings, managedKeys } = effectiveSettings({ exceptions: ['chatgpt.com'] }, { allowSiteExceptions: false });
    expect(settings.exceptions).toEqual([]);
    expect(managedKeys).toEqual(['exceptions']);
    expect(isProtected(settings, 'https://chatgpt.com/', noneListed)).toBe(true);
    expect(effectiveSettings({ exceptions: ['chatgpt.com'] }, { allowSiteExceptions: true }).settings.exceptions).toEqual(['chatgpt.com']);
  });

  it('managed_schema.json declares exactly the policy names parseManagedPolicy reads, in Chrome’s schema format', () => {
    const schema = JSON.parse(fs.readFileSync(path.resolve(HERE, '../../managed_schema.json'), 'utf8')) as {
      type: string;
      additionalProperties?: unknown;
      properties: Record<string, { type: string; enum?: string[]; items?: { type: string }; properties?: Record<string, { type: string }> }>;
    };
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBeUndefined();
    expect(Object.keys(schema.properties).sort()).toEqual(['allowOriginal', 'allowSiteExceptions', 'deidentify', 'documentSites', 'extraSites', 'mode', 'protection']);
    expect(schema.properties.mode).toMatchObject({ type: 'string', enum: [...WARNING_MODES] });
    expect(schema.properties.protection).toMatchObject({ type: 'string', enum: [...PROTECTION_SCOPES] });
    expect(schema.properties.allowOriginal!.type).toBe('boolean');
    expect(schema.properties.allowSiteExceptions!.type).toBe('boolean');
    expect(schema.properties.extraSites).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(schema.properties.documentSites).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(schema.properties.deidentify!.type).toBe('object');
    expect(Object.keys(schema.properties.deidentify!.properties!).sort()).toEqual([...DEIDENTIFY_OPTION_NAMES].sort());
    for (const option of Object.values(schema.properties.deidentify!.properties!)) expect(option.type).toBe('boolean');
    // Every schema node has exactly one type (Chrome refuses the extension otherwise).
    const walk = (node: Record<string, unknown>): void => {
      expect(typeof node.type).toBe('string');
      for (const child of Object.values((node.properties as Record<string, Record<string, unknown>>) ?? {})) walk(child);
      if (node.items) walk(node.items as Record<string, unknown>);
    };
    walk(schema as unknown as Record<string, unknown>);
  });
});

describe('isProtected', () => {
  it('protects every site by default, including IP addresses and localhost', () => {
    for (const url of ['https://chatgpt.com/', 'https://example.org/upload', 'http://127.0.0.1:8080/', 'http://localhost/']) {
      expect(isProtected(DEFAULT_SETTINGS, url, noneListed)).toBe(true);
    }
  });

  it('a per-site exception turns protection off for the site and its subdomains only', () => {
    const settings = settingsWith({ exceptions: ['example.org'] });
    expect(isProtected(settings, 'https://example.org/', noneListed)).toBe(false);
    expect(isProtected(settings, 'https://www.example.org/', noneListed)).toBe(false);
    expect(isProtected(settings, 'https://upload.example.org/', noneListed)).toBe(false);
    expect(isProtected(settings, 'https://notexample.org/', noneListed)).toBe(true);
    expect(isProtected(settings, 'https://example.com/', noneListed)).toBe(true);
  });

  it('listed sites: the site notes’ sites plus the person’s, minus exceptions', () => {
    const settings = settingsWith({ protection: 'listed-sites', sites: ['my-pacs.example'], exceptions: ['claude.ai'] });
    expect(isProtected(settings, 'https://chatgpt.com/', listedByNotes)).toBe(true);
    expect(isProtected(settings, 'https://foo.hf.space/', listedByNotes)).toBe(true);
    expect(isProtected(settings, 'https://viewer.my-pacs.example/', listedByNotes)).toBe(true);
    expect(isProtected(settings, 'https://claude.ai/new', listedByNotes)).toBe(false);
    expect(isProtected(settings, 'https://example.org/', listedByNotes)).toBe(false);
    expect(isProtected(settings, 'https://chatgpt.com/', noneListed)).toBe(false);
  });

  it('enforced sites are protected in every scope, whatever the exceptions', () => {
    const settings = settingsWith({ protection: 'listed-sites', exceptions: ['pacs.example.org'], enforcedSites: ['pacs.example.org'] });
    expect(isProtected(settings, 'https://pacs.example.org/', noneListed)).toBe(true);
    expect(isProtected(settings, 'https://a.pacs.example.org/', noneListed)).toBe(true);
  });

  it('a page that is not a site is protected in the all-sites scope only', () => {
    expect(isProtected(DEFAULT_SETTINGS, 'file:///tmp/x.html', noneListed)).toBe(true);
    expect(isProtected(DEFAULT_SETTINGS, undefined, noneListed)).toBe(true);
    expect(isProtected(settingsWith({ protection: 'listed-sites' }), 'about:blank', () => true)).toBe(false);
  });
});

describe('pictures and PDFs: where they are checked', () => {
  const documentSite = (url: string) => (): boolean => isUnderPath(new URL(url).pathname, documentPathsOf(new URL(url).hostname));
  const checks = (settings: Settings, url: string): boolean => checksDocuments(settings, url, listedByNotes, documentSite(url));

  it('on the AI chat, AI image reader and second-opinion sites of the notes, and nowhere else by default', () => {
    for (const url of ['https://chatgpt.com/', 'https://claude.ai/new', 'https://gemini.google.com/app', 'https://huggingface.co/chat/', 'https://huggingface.co/chat/conversation/1']) {
      expect(checks(DEFAULT_SETTINGS, url), url).toBe(true);
    }
    // Social and shopping sites, model demos and a chat's neighbours on the same host: never read.
    for (const url of ['https://www.facebook.com/', 'https://example.org/upload', 'https://foo.hf.space/', 'https://huggingface.co/spaces/x/y', 'https://huggingface.co/chatty', 'file:///tmp/x.html']) {
      expect(checks(DEFAULT_SETTINGS, url), url).toBe(false);
    }
  });

  it('the person’s and the administrator’s lists add sites (and their subdomains)', () => {
    const settings = settingsWith({ documentSites: ['my-doctor.example'], enforcedDocumentSites: ['teleradiology.example.net'] });
    expect(checks(settings, 'https://www.my-doctor.example/upload')).toBe(true);
    expect(checks(settings, 'https://a.teleradiology.example.net/')).toBe(true);
    expect(checks(settings, 'https://example.org/')).toBe(false);
  });

  it('never where uploads are not protected at all', () => {
    const settings = settingsWith({ exceptions: ['chatgpt.com', 'my-doctor.example'], documentSites: ['my-doctor.example'] });
    expect(checks(settings, 'https://chatgpt.com/')).toBe(false);
    expect(checks(settings, 'https://my-doctor.example/')).toBe(false);
    expect(checks(settingsWith({ protection: 'listed-sites' }), 'https://example.org/')).toBe(false);
  });

  it('path prefixes match segment by segment, case-insensitively, and an empty prefix matches every path', () => {
    expect(isUnderPath('/Chat/x', ['/chat'])).toBe(true);
    expect(isUnderPath('/chat/', ['/chat'])).toBe(true);
    expect(isUnderPath('/chatty', ['/chat'])).toBe(false);
    expect(isUnderPath('/anything', [''])).toBe(true);
    expect(isUnderPath('/anything', [])).toBe(false);
  });

  it('the administrator’s documentSites are read from the policy, kept out of storage, and marked managed', () => {
    expect(parseManagedPolicy({ documentSites: ['https://Tele.example.net/x', 'not a host!', 3] })).toEqual({ documentSites: ['tele.example.net'] });
    expect(parseManagedPolicy({ documentSites: [] })).toEqual({});
    expect(parseManagedPolicy({ documentSites: 'tele.example.net' })).toEqual({});
    const effective = effectiveSettings({ version: SETTINGS_VERSION, documentSites: ['mine.example'], enforcedDocumentSites: ['sneaky.example'] }, { documentSites: ['tele.example.net'] });
    expect(effective.settings.documentSites).toEqual(['mine.example']);
    expect(effective.settings.enforcedDocumentSites).toEqual(['tele.example.net']);
    expect(effective.managedKeys).toContain('documentSites');
    expect(storableSettings(effective.settings).enforcedDocumentSites).toEqual([]);
    expect(migrateSettings({ version: SETTINGS_VERSION, enforcedDocumentSites: ['sneaky.example'] }).enforcedDocumentSites).toEqual([]);
  });
});

describe('the popup’s switch', () => {
  const scopes: Settings[] = [
    DEFAULT_SETTINGS,
    settingsWith({ protection: 'listed-sites' }),
    settingsWith({ protection: 'listed-sites', sites: ['example.org'] }),
    settingsWith({ exceptions: ['example.org'] }),
    settingsWith({ protection: 'listed-sites', exceptions: ['chatgpt.com'] }),
  ];

  it('always leaves the site in the state asked for', () => {
    for (const settings of scopes) {
      for (const url of ['https://example.org/', 'https://chatgpt.com/', 'https://sub.example.org/']) {
        for (const on of [true, false]) {
          const next = withSiteProtection(settings, url, on, listedByNotes);
          expect(isProtected(next, url, listedByNotes), `${JSON.stringify(settings)} ${url} ${on}`).toBe(on);
        }
      }
    }
  });

  it('off then on returns to protection without piling up entries', () => {
    let settings = DEFAULT_SETTINGS;
    settings = withSiteProtection(settings, 'https://www.example.org/a', false, noneListed);
    expect(settings.exceptions).toEqual(['example.org']);
    settings = withSiteProtection(settings, 'https://example.org/b', false, noneListed);
    expect(settings.exceptions).toEqual(['example.org']);
    settings = withSiteProtection(settings, 'https://example.org/', true, noneListed);
    expect(settings).toEqual(DEFAULT_SETTINGS);
  });

  it('in the listed scope, turning an added site off removes it from the list instead of adding an exception', () => {
    const settings = settingsWith({ protection: 'listed-sites', sites: ['example.org'] });
    expect(withSiteProtection(settings, 'https://example.org/', false, noneListed)).toEqual(settingsWith({ protection: 'listed-sites' }));
    expect(withSiteProtection(settingsWith({ protection: 'listed-sites' }), 'https://example.org/', true, noneListed).sites).toEqual([
      'example.org',
    ]);
  });

  it('turning a subdomain on removes the exception of its parent', () => {
    const next = withSiteProtection(settingsWith({ exceptions: ['example.org', 'other.example'] }), 'https://a.example.org/', true, noneListed);
    expect(next.exceptions).toEqual(['other.example']);
  });

  it('decides under the administrator’s scope but changes only the person’s lists', () => {
    // The person protects all sites; the administrator set the listed scope: turning an unlisted site on must add it.
    const local = { version: SETTINGS_VERSION, mode: 'block', protection: 'all-sites', exceptions: ['example.org'] };
    const managed = { protection: 'listed-sites', mode: 'ask' };
    const on = switchSiteProtection(local, managed, 'https://example.org/', true, noneListed);
    expect(on).toEqual({ ...DEFAULT_SETTINGS, mode: 'block', sites: ['example.org'] });
    expect(isProtected(effectiveSettings(on, managed).settings, 'https://example.org/', noneListed)).toBe(true);
    const off = switchSiteProtection(on, managed, 'https://example.org/', false, noneListed);
    expect(off).toEqual({ ...DEFAULT_SETTINGS, mode: 'block' });
    expect(isProtected(effectiveSettings(off, managed).settings, 'https://example.org/', noneListed)).toBe(false);
    // Enforced sites are never written to the person's storage.
    expect(switchSiteProtection({}, { extraSites: ['pacs.example'] }, 'https://other.example/', false, noneListed).enforcedSites).toEqual([]);
    expect(switchSiteProtection('garbage', undefined, 'https://chatgpt.com/', false, listedByNotes).exceptions).toEqual(['chatgpt.com']);
  });

  it('does nothing for a page that is not a site', () => {
    expect(withSiteProtection(DEFAULT_SETTINGS, 'chrome://extensions', false, noneListed)).toBe(DEFAULT_SETTINGS);
  });

  it('the person can change a site unless it is enforced or exceptions are forbidden', () => {
    const plain = effectiveSettings({}, {});
    expect(canChangeSiteProtection(plain, 'https://chatgpt.com/')).toBe(true);
    expect(canChangeSiteProtection(plain, 'about:blank')).toBe(false);
    const enforced = effectiveSettings({}, { extraSites: ['chatgpt.com'] });
    expect(canChangeSiteProtection(enforced, 'https://chatgpt.com/')).toBe(false);
    expect(canChangeSiteProtection(enforced, 'https://example.org/')).toBe(true);
    expect(canChangeSiteProtection(effectiveSettings({}, { allowSiteExceptions: false }), 'https://example.org/')).toBe(false);
  });
});

describe('the de-identification key', () => {
  it('round-trips 32 bytes through its stored form', () => {
    const bytes = new Uint8Array(DEIDENTIFICATION_KEY_BYTES).map((_, i) => (i * 37 + 5) & 0xff);
    const stored = encodeDeidentificationKey(bytes);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeDeidentificationKey(stored)).toEqual(bytes);
  });

  it('refuses keys of the wrong size and malformed stored values', () => {
    expect(() => encodeDeidentificationKey(new Uint8Array(16))).toThrow();
    for (const stored of [undefined, null, 42, '', 'zz'.repeat(32), 'AB'.repeat(32), '00'.repeat(31), '00'.repeat(33), ['00']]) {
      expect(decodeDeidentificationKey(stored)).toBeUndefined();
    }
  });
});
