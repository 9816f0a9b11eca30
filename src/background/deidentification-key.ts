// The per-install de-identification key: 32 random bytes, created once by the background in storage.local under
// DEIDENTIFICATION_KEY_STORAGE_KEY (64 hex digits) and never replaced, so that the same original UID or patient
// always gets the same pseudonym on this browser. Extension pages read it from storage.local (and ask the
// background with `spg:deidentification-key` if it is not there yet). It never leaves the browser.

import browser from 'webextension-polyfill';
import {
  DEIDENTIFICATION_KEY_BYTES,
  DEIDENTIFICATION_KEY_STORAGE_KEY,
  decodeDeidentificationKey,
  encodeDeidentificationKey,
} from '../core/settings';

let pending: Promise<string> | undefined;

/** The stored key (64 hex digits), created first if storage holds none or a malformed one. */
export function ensureDeidentificationKey(): Promise<string> {
  pending ??= (async () => {
    const got = await browser.storage.local.get(DEIDENTIFICATION_KEY_STORAGE_KEY);
    const stored = got[DEIDENTIFICATION_KEY_STORAGE_KEY];
    if (decodeDeidentificationKey(stored) !== undefined) return stored as string;
    const key = encodeDeidentificationKey(crypto.getRandomValues(new Uint8Array(DEIDENTIFICATION_KEY_BYTES)));
    await browser.storage.local.set({ [DEIDENTIFICATION_KEY_STORAGE_KEY]: key });
    return key;
  })().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
