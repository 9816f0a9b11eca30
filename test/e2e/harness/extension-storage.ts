// Reads everything the extension keeps, for tests that prove no identifying value was stored: from inside
// an extension page (chrome.storage areas, localStorage, sessionStorage, IndexedDB, Cache Storage of its
// origin) and, once the browser is closed, the extension's files in the browser profile.

import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

/**
 * Everything the extension's origin stores, as one JSON text (Blobs as `[Blob size]`), read from an
 * extension page opened for the purpose (closed again). `origin` in the JSON says where it was read.
 */
export async function extensionStorageDump(context: BrowserContext, extensionId: string): Promise<string> {
  const extensionPage = await context.newPage();
  try {
    await extensionPage.goto(`chrome-extension://${extensionId}/src/ui/dialog/index.html`);
    return await extensionPage.evaluate(async () => {
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
      const idb: Record<string, unknown> = {};
      for (const info of await indexedDB.databases()) {
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
  } finally {
    await extensionPage.close();
  }
}

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
function isExtensionStorage(relative: string, extensionId: string): boolean {
  const shared = /(^|\/)(Local Storage|Session Storage|Storage|Extension State|Extension Rules|Extension Scripts|Local Extension Settings|Sync Extension Settings|Managed Extension Settings|Service Worker|File System|shared_proto_db)\//;
  return relative.includes(extensionId) || shared.test(relative) || /(^|\/)(Preferences|Secure Preferences|chrome_debug\.log)$/.test(relative);
}

/** The files of a (closed) browser profile where the extension's stored data can be, as absolute paths. */
export function extensionProfileFiles(userDataDir: string, extensionId: string): string[] {
  return listFiles(userDataDir).filter((file) => isExtensionStorage(path.relative(userDataDir, file), extensionId));
}
