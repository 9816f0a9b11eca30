// Reads the administrator's policy (storage.managed) for the background and the guard, with a time limit:
// storage.managed can take seconds to answer right after the browser starts.

import browser from 'webextension-polyfill';

/** Past this, no policy is assumed. */
export const MANAGED_TIMEOUT_MS = 10_000;

/**
 * What storage.managed holds, `{}` when it rejects (Firefox without a managed storage manifest) or does not
 * answer within MANAGED_TIMEOUT_MS. Rejects only when the extension API itself throws.
 */
export function readManagedPolicy(): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({}), MANAGED_TIMEOUT_MS);
    const done = (value: unknown): void => {
      clearTimeout(timer);
      resolve(value);
    };
    browser.storage.managed.get().then(done, () => done({}));
  });
}
