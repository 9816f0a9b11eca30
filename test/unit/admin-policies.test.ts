// The administrators' policy templates in docs/admin: each one, read the way its browser reads it (Chromium's JSON
// policy file, the Windows registry as Chromium converts it by the schema, a macOS property list, Firefox's
// policies.json), names the extension by its real id and holds settings that managed_schema.json accepts with no
// unknown name (ajv, every object closed) and that the extension understands as they are (parseManagedPolicy keeps
// every value). The ids: Chrome's follows from the key in manifest.json and is the one the READMEs give.

import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type AnySchema } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseManagedPolicy } from '../../src/core/settings';
import { CHROME_EXTENSION_ID, FIREFOX_EXTENSION_ID, REPO, documentedChromeId } from '../support/extension-ids';

const ADMIN = path.join(REPO, 'docs/admin');
const read = (name: string): string => fs.readFileSync(path.join(ADMIN, name), 'utf8');

// ---- managed_schema.json, closed: a misspelt policy name in a template must fail here, not be dropped quietly ----

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean;
  [other: string]: unknown;
}

const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO, 'managed_schema.json'), 'utf8')) as SchemaNode;

function closed(node: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...node };
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, closed(v)]));
  if (node.items) out.items = closed(node.items);
  if (node.type === 'object') out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(closed(SCHEMA) as AnySchema);

function expectValidSettings(settings: unknown, where: string): void {
  const ok = validate(settings);
  expect(ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`), `${where} against managed_schema.json`).toEqual([]);
  // What the extension reads from storage.managed: every value of the template is kept, none is dropped as malformed.
  expect(parseManagedPolicy(settings), `${where} as the extension reads it`).toEqual(settings);
  expect(Object.keys(settings as object).length, `${where} sets something`).toBeGreaterThan(0);
}

// ---- the Windows registry (a .reg file), converted as Chromium converts registry policy by the schema ----------

type RegValue = { kind: 'string'; value: string } | { kind: 'dword'; value: number };
interface RegKey {
  values: Map<string, RegValue>;
  keys: Map<string, RegKey>;
}

function parseReg(text: string): Map<string, RegKey> {
  const lines = text.split(/\r?\n/);
  expect(lines[0], 'the first line of a .reg file').toBe('Windows Registry Editor Version 5.00');
  const keys = new Map<string, RegKey>();
  let current: RegKey | undefined;
  for (const line of lines.slice(1)) {
    if (line.trim() === '' || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = { values: new Map(), keys: new Map() };
      keys.set(header[1]!, current);
      continue;
    }
    const value = /^"([^"]+)"=(?:"((?:[^"\\]|\\.)*)"|dword:([0-9a-f]{8}))$/i.exec(line);
    if (!value || !current) throw new Error(`a line regedit would not read as a value: ${line}`);
    current.values.set(value[1]!, value[2] !== undefined ? { kind: 'string', value: value[2].replace(/\\(.)/g, '$1') } : { kind: 'dword', value: parseInt(value[3]!, 16) });
  }
  return keys;
}

/** The registry keys under `root` as one tree (subkeys nested), as Chromium's RegistryDict reads them. */
function treeUnder(keys: Map<string, RegKey>, root: string): RegKey {
  const tree: RegKey = { values: new Map(), keys: new Map() };
  for (const [name, key] of keys) {
    if (name !== root && !name.startsWith(`${root}\\`)) throw new Error(`a key outside ${root}: ${name}`);
    let node = tree;
    for (const part of name.slice(root.length).split('\\').filter(Boolean)) {
      if (!node.keys.has(part)) node.keys.set(part, { values: new Map(), keys: new Map() });
      node = node.keys.get(part)!;
    }
    for (const [valueName, value] of key.values) node.values.set(valueName, value);
  }
  return tree;
}

/** components/policy/core/common/registry_dict.cc: values by their schema type; lists and objects are subkeys. */
function convertRegistry(node: RegKey | RegValue, schema: SchemaNode, where: string): unknown {
  const isKey = 'keys' in node;
  switch (schema.type) {
    case 'boolean':
      if (!isKey && node.kind === 'dword') return node.value !== 0;
      break;
    case 'string':
      if (!isKey && node.kind === 'string') return node.value;
      break;
    case 'array':
      if (isKey) {
        return [...node.values.entries()]
          .filter(([name]) => /^\d+$/.test(name))
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([name, value]) => convertRegistry(value, schema.items ?? {}, `${where}\\${name}`));
      }
      break;
    case 'object':
      if (isKey) {
        const out: Record<string, unknown> = {};
        for (const [name, value] of [...node.values, ...node.keys]) {
          const sub = schema.properties?.[name];
          if (!sub) throw new Error(`${where}\\${name} is not a policy of managed_schema.json`);
          out[name] = convertRegistry(value, sub, `${where}\\${name}`);
        }
        return out;
      }
      break;
  }
  throw new Error(`${where}: a ${isKey ? 'subkey' : node.kind} where managed_schema.json has a ${schema.type}`);
}

// ---- a macOS property list (XML) --------------------------------------------------------------------------------

function parsePlist(text: string): unknown {
  const tokens = text
    .replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, '')
    .match(/<[^>]+>|[^<]+/g)!
    .map((t) => t.trim())
    .filter(Boolean);
  let at = 0;
  const expectToken = (token: string): void => {
    if (tokens[at] !== token) throw new Error(`plist: expected ${token} at token ${at}, found ${tokens[at]}`);
    at++;
  };
  const textUntil = (close: string): string => {
    let value = '';
    if (tokens[at] !== close) value = tokens[at++]!;
    expectToken(close);
    return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  };
  const value = (): unknown => {
    const token = tokens[at++];
    switch (token) {
      case '<true/>':
        return true;
      case '<false/>':
        return false;
      case '<string>':
        return textUntil('</string>');
      case '<integer>':
        return Number(textUntil('</integer>'));
      case '<array>': {
        const items: unknown[] = [];
        while (tokens[at] !== '</array>') items.push(value());
        at++;
        return items;
      }
      case '<dict>': {
        const dict: Record<string, unknown> = {};
        while (tokens[at] !== '</dict>') {
          expectToken('<key>');
          const key = textUntil('</key>');
          dict[key] = value();
        }
        at++;
        return dict;
      }
      default:
        throw new Error(`plist: unexpected ${token}`);
    }
  };
  expectToken('<plist version="1.0">');
  const root = value();
  expectToken('</plist>');
  expect(at, 'tokens after </plist>').toBe(tokens.length);
  return root;
}

// ---- the tests ----------------------------------------------------------------------------------------------

/** The settings of the Chromium JSON template: the other templates must say the same. */
const chromiumTemplate = JSON.parse(read('chromium-policy.json')) as { '3rdparty': { extensions: Record<string, unknown> } };
const SETTINGS = chromiumTemplate['3rdparty'].extensions[CHROME_EXTENSION_ID];

describe('the extension ids administrators use', () => {
  it("Chrome's id follows from manifest.json's key, and README.md and docs/admin/README.md give it", () => {
    expect(CHROME_EXTENSION_ID).toMatch(/^[a-p]{32}$/);
    expect(documentedChromeId(), 'the id in README.md, For administrators').toBe(CHROME_EXTENSION_ID);
    const adminReadme = read('README.md');
    expect(adminReadme).toContain(CHROME_EXTENSION_ID);
    expect(adminReadme).toContain(FIREFOX_EXTENSION_ID);
    // No other Chrome-style id anywhere in the admin docs (a stale one after a key change).
    const ids = new Set(fs.readdirSync(ADMIN).flatMap((name) => read(name).match(/\b[a-p]{32}\b/g) ?? []));
    expect([...ids]).toEqual([CHROME_EXTENSION_ID]);
  });
});

describe('docs/admin templates', () => {
  it('chromium-policy.json (Chrome, Chromium, Edge, Brave on Linux): 3rdparty > extensions > the id > valid settings, nothing else', () => {
    expect(Object.keys(chromiumTemplate)).toEqual(['3rdparty']);
    expect(Object.keys(chromiumTemplate['3rdparty'])).toEqual(['extensions']);
    expect(Object.keys(chromiumTemplate['3rdparty'].extensions)).toEqual([CHROME_EXTENSION_ID]);
    expectValidSettings(SETTINGS, 'chromium-policy.json');
  });

  it('firefox-policies.json: policies > 3rdparty > Extensions > the gecko id > the same settings', () => {
    const firefox = JSON.parse(read('firefox-policies.json')) as { policies: { '3rdparty': { Extensions: Record<string, unknown> } } };
    expect(Object.keys(firefox)).toEqual(['policies']);
    expect(Object.keys(firefox.policies)).toEqual(['3rdparty']);
    expect(Object.keys(firefox.policies['3rdparty'])).toEqual(['Extensions']);
    expect(Object.keys(firefox.policies['3rdparty'].Extensions)).toEqual([FIREFOX_EXTENSION_ID]);
    const settings = firefox.policies['3rdparty'].Extensions[FIREFOX_EXTENSION_ID];
    expectValidSettings(settings, 'firefox-policies.json');
    expect(settings).toEqual(SETTINGS);
  });

  for (const [file, root] of [
    ['windows-chrome.reg', `HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome\\3rdparty\\extensions\\${CHROME_EXTENSION_ID}\\policy`],
    ['windows-edge.reg', `HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\\3rdparty\\extensions\\${CHROME_EXTENSION_ID}\\policy`],
  ] as const) {
    it(`${file}: every key under ${root.split('\\').slice(3, 5).join('\\')}'s 3rdparty policy of the id; as Chromium converts it, the same settings`, () => {
      const text = read(file);
      expect(text, 'a .reg file has Windows line ends').toMatch(/\r\n/);
      expect(text.replace(/\r\n/g, ''), 'no bare line feeds').not.toMatch(/\n/);
      const settings = convertRegistry(treeUnder(parseReg(text), root), SCHEMA, root);
      expectValidSettings(settings, file);
      expect(settings).toEqual(SETTINGS);
    });
  }

  it('macos-chrome.plist: the keys of com.google.Chrome.extensions.<id>, the same settings', () => {
    const text = read('macos-chrome.plist');
    expect(text).toContain(`com.google.Chrome.extensions.${CHROME_EXTENSION_ID}`);
    const settings = parsePlist(text);
    expectValidSettings(settings, 'macos-chrome.plist');
    expect(settings).toEqual(SETTINGS);
  });

  it('macos-firefox.plist: org.mozilla.firefox with EnterprisePoliciesEnabled and 3rdparty > Extensions > the gecko id, the same settings', () => {
    const plist = parsePlist(read('macos-firefox.plist')) as { EnterprisePoliciesEnabled: boolean; '3rdparty': { Extensions: Record<string, unknown> } };
    expect(Object.keys(plist).sort()).toEqual(['3rdparty', 'EnterprisePoliciesEnabled']);
    expect(plist.EnterprisePoliciesEnabled).toBe(true);
    expect(Object.keys(plist['3rdparty'].Extensions)).toEqual([FIREFOX_EXTENSION_ID]);
    const settings = plist['3rdparty'].Extensions[FIREFOX_EXTENSION_ID];
    expectValidSettings(settings, 'macos-firefox.plist');
    expect(settings).toEqual(SETTINGS);
  });

  it('the schema check itself refuses what a browser would drop: a misspelt name, a wrong type, a mode that does not exist', () => {
    for (const bad of [{ ...(SETTINGS as object), allowOrignal: false }, { mode: 'warn' }, { allowOriginal: 'no' }, { deidentify: { retainUID: true } }, { extraSites: 'pacs.example.org' }]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(() => convertRegistry(treeUnder(parseReg('Windows Registry Editor Version 5.00\r\n[X\\policy]\r\n"allowOriginal"="false"\r\n'), 'X\\policy'), SCHEMA, 'X'), 'a boolean written as a string').toThrow(/boolean/);
  });

  it('every file in docs/admin is a template checked here or the README', () => {
    expect(fs.readdirSync(ADMIN).sort()).toEqual(
      ['README.md', 'chromium-policy.json', 'firefox-policies.json', 'macos-chrome.plist', 'macos-firefox.plist', 'windows-chrome.reg', 'windows-edge.reg'].sort(),
    );
  });
});
