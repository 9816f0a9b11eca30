// Reads the administrator's policy (storage.managed) for the background, the guard and the popup, with a time limit:
// storage.managed can take seconds to answer right after the browser starts.

import browser from 'webextension-polyfill';

/** Past this, no policy is assumed. */
export const MANAGED_TIMEOUT_MS = 10_000;

export interface ManagedPolicyRead {
  readonly policy: unknown;
}

/**
 * storage.managed now: `{ policy }` when it answered (`{}` when it rejects: Firefox without a managed storage
 * manifest), undefined when it did not answer within `timeoutMs`. Never rejects.
 */
export function readManagedPolicyAnswer(timeoutMs = MANAGED_TIMEOUT_MS): Promise<ManagedPolicyRead | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    const done = (policy: unknown): void => {
      clearTimeout(timer);
      resolve({ policy });
    };
    try {
      browser.storage.managed.get().then(done, () => done({}));
    } catch {
      done({});
    }
  });
}

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
