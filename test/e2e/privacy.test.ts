// End-to-end privacy checks: what the dialog shows cannot be read by the page's JavaScript; the
// extension's storage (chrome.storage, localStorage, sessionStorage, IndexedDB, Cache Storage of its
// origin) and its files in the browser profile hold no planted value after dialogs were shown, cancelled
// and accepted; and its own contexts made no network request.

import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { inputPayloads, startFolderSelection } from './harness/deliveries';
import { PLANTED_TOKENS, PLANTED_TOKENS_WITH_YEAR, identifyingDicom, plantedTokensIn, writeFolder } from './harness/fixture-files';
import { waitForDialog, type GuardDialog } from './harness/guard-dialog';
import { extensionId, unpackedExtensionId } from './harness/guarded-browser';
import { PROBE_INIT, PROBE_READ, type ProbeResult } from './harness/page-probe';
import { noExtensionRequestsTest, setUpGuardedSuite } from './harness/upload-path-suite';

const env = setUpGuardedSuite({ initScripts: [PROBE_INIT] });

let dialogExtensionId = '';

async function dialogFor(page: string, files = [identifyingDicom(1)]): Promise<GuardDialog> {
  await env.page.goto(`${env.server.originA}/${page}`);
  await env.page.locator('#file').setInputFiles(inputPayloads(files));
  const dialog = await waitForDialog(env.page);
  dialogExtensionId = dialog.extensionId;
  return dialog;
}

it("shows the planted values in the dialog, and the page's JavaScript cannot read them", async () => {
  const dialog = await dialogFor('plain-input.html?probe');
  // The dialog must show what it found, or the check below would prove nothing.
  const shown = plantedTokensIn(await dialog.text());
  expect(shown.length, 'planted values the dialog shows (it should show what it found)').toBeGreaterThan(0);

  const probe = (await env.page.evaluate(PROBE_READ)) as ProbeResult;
  expect(probe.notes.join('; '), 'the probe ran').toContain('window.frames:');
  expect(plantedTokensIn(probe.haystack, PLANTED_TOKENS_WITH_YEAR), `planted values the page read (probe: ${probe.notes.join('; ')})`).toEqual([]);
  await dialog.cancel();
  await dialog.waitClosed();
});

it('the page cannot read the planted values in the dialog of a cross-origin frame either', async () => {
  await env.page.goto(`${env.server.originA}/frame-host.html?probe&src=${encodeURIComponent(`${env.server.originB}/plain-input.html?probe`)}`);
  const frame = env.page.frames().find((f) => f.url().startsWith(`${env.server.originB}/`));
  if (!frame) throw new Error('the cross-origin frame did not load');
  await frame.locator('#file').setInputFiles(inputPayloads([identifyingDicom(2)]));
  const dialog = await waitForDialog(env.page);
  expect(plantedTokensIn(await dialog.text()).length, 'planted values the dialog shows').toBeGreaterThan(0);
  for (const scope of [env.page.mainFrame(), frame]) {
    const probe = (await scope.evaluate(PROBE_READ)) as ProbeResult;
    expect(plantedTokensIn(probe.haystack, PLANTED_TOKENS_WITH_YEAR), `planted values ${scope.url()} read (${probe.notes.join('; ')})`).toEqual([]);
  }
  await dialog.cancel();
});

it('after dialogs were accepted and cancelled, the extension storage holds no planted value', async () => {
  // One more of each decision, so the storage check follows real use: an original released, a folder cancelled.
  const accepted = await dialogFor('plain-input.html');
  const mark = env.server.mark();
  await accepted.uploadOriginal();
  await env.server.waitForFiles(mark, 1);
  await env.page.goto(`${env.server.originA}/folder-input.html`);
  const folder = writeFolder(env.workDir, 'privacy-study', [identifyingDicom(3, 'IM0003'), identifyingDicom(4, 'IM0004')]);
  startFolderSelection(env.page.locator('#folder'), folder.dir);
  const cancelled = await waitForDialog(env.page);
  await cancelled.cancel();
  await cancelled.waitClosed();

  const id = dialogExtensionId || extensionId(env.browser.context);
  expect(id, 'the dialog frame and the unpacked-extension id agree').toBe(unpackedExtensionId());
  const extensionPage = await env.browser.context.newPage();
  try {
    await extensionPage.goto(`chrome-extension://${id}/src/ui/dialog/index.html`);
    const dump = await extensionPage.evaluate(async () => {
      const out: Record<string, unknown> = { origin: location.origin };
      const chromeApi = (globalThis as unknown as { chrome?: { storage?: Record<string, { get(keys: null): Promise<unknown> } | undefined> } }).chrome;
      for (const area of ['local', 'session', 'sync', 'managed']) {
        try {
          out[`chrome.storage.${area}`] = chromeApi?.storage?.[area] ? await chromeApi.storage[area]!.get(null) : 'no such area';
        } catch (error) {
          out[`chrome.storage.${area}`] = `unreadable: ${String(error)}`;
        }
      }
      out.localStorage = { ...localStorage };
      out.sessionStorage = { ...sessionStorage };
      const databases = await indexedDB.databases();
      const idb: Record<string, unknown> = {};
      for (const info of databases) {
        if (!info.name) continue;
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(info.name as string);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        for (const store of Array.from(db.objectStoreNames)) {
          idb[`${info.name}/${store}`] = await new Promise((resolve, reject) => {
            const request = db.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
        }
        db.close();
      }
      out.indexedDB = idb;
      const cacheBodies: Record<string, string> = {};
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) cacheBodies[`${name} ${request.url}`] = await ((await cache.match(request))?.text() ?? '');
      }
      out.caches = cacheBodies;
      return JSON.stringify(out, (_key, value: unknown) => (value instanceof Blob ? `[Blob ${value.size}]` : value));
    });
    expect(JSON.parse(dump).origin, 'the storage was read from the extension origin').toBe(`chrome-extension://${id}`);
    expect(plantedTokensIn(dump, PLANTED_TOKENS_WITH_YEAR), `planted values in the extension storage: ${dump.slice(0, 2000)}`).toEqual([]);
  } finally {
    await extensionPage.close();
  }
});

noExtensionRequestsTest(env);

it("once the browser is closed, the extension's files in the profile hold no planted value", async () => {
  await env.browser.context.close();
  const id = unpackedExtensionId();
  const root = env.browser.userDataDir;
  const files = listFiles(root).filter((file) => isExtensionStorage(path.relative(root, file), id));
  expect(files.length, 'the profile has files to look at').toBeGreaterThan(0);
  const found: string[] = [];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const latin1 = bytes.toString('latin1');
    const utf16 = bytes.toString('utf16le');
    const hits = new Set([...plantedTokensIn(latin1, PLANTED_TOKENS), ...plantedTokensIn(utf16, PLANTED_TOKENS)]);
    if (hits.size > 0) found.push(`${path.relative(root, file)}: ${[...hits].join(', ')}`);
  }
  expect(found, `profile files checked: ${files.length}`).toEqual([]);
});

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : entry.isFile() ? [full] : [];
  });
}

/**
 * Where Chromium keeps what an extension stores: its chrome.storage databases, its origin's IndexedDB,
 * File System and Cache Storage (by id), and the shared localStorage/sessionStorage/storage-bucket
 * databases (no fixture page writes to them, so a planted value there came from the extension), plus the
 * extension's state files and logs.
 */
function isExtensionStorage(relative: string, id: string): boolean {
  const shared = /(^|\/)(Local Storage|Session Storage|Storage|Extension State|Extension Rules|Extension Scripts|Local Extension Settings|Sync Extension Settings|Managed Extension Settings|Service Worker|File System|shared_proto_db)\//;
  return relative.includes(id) || shared.test(relative) || /(^|\/)(Preferences|Secure Preferences|chrome_debug\.log)$/.test(relative);
}
