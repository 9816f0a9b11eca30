// The administrator's policy as last read from storage.managed, kept in storage.local, so that a page opened right
// after the browser starts can show it at once: storage.managed takes seconds to answer the first time (about 3 s
// in Chromium 156 on a 2-core machine). Whoever reads the live policy refreshes the copy; a page that showed the copy
// shows the live policy as soon as it answers. The copy only speeds up what is SHOWN: every decision that must follow
// the policy (the background's switch, the guard's dialog) still waits for storage.managed itself.
// A policy names sites and settings, never a person or a file: it may be stored.

import browser from 'webextension-polyfill';
import type { ManagedPolicyRead } from './managed-policy';

/** storage.local key: `{ policy }`, the last policy storage.managed answered (`{}` when there is none). */
export const MANAGED_POLICY_CACHE_KEY = 'managedPolicyCache';

/** The copy as storage.local holds it under MANAGED_POLICY_CACHE_KEY, or undefined when it holds none. */
export function parseCachedManagedPolicy(stored: unknown): ManagedPolicyRead | undefined {
  if (typeof stored !== 'object' || stored === null || !('policy' in stored)) return undefined;
  return { policy: (stored as ManagedPolicyRead).policy };
}

/** The last policy stored by cacheManagedPolicy, or undefined when there is none (or storage fails). */
export async function readCachedManagedPolicy(): Promise<ManagedPolicyRead | undefined> {
  try {
    return parseCachedManagedPolicy((await browser.storage.local.get(MANAGED_POLICY_CACHE_KEY))[MANAGED_POLICY_CACHE_KEY]);
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted, so that two reads of one policy compare equal whatever order storage gives. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? {}, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Whether two policies as storage returns them (plain JSON) are the same. */
export function samePolicy(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Stores the policy storage.managed answered, when it differs from the stored copy. Never rejects. */
export async function cacheManagedPolicy(policy: unknown): Promise<void> {
  try {
    const cached = await readCachedManagedPolicy();
    if (cached && samePolicy(cached.policy, policy)) return;
    await browser.storage.local.set({ [MANAGED_POLICY_CACHE_KEY]: { policy: policy ?? {} } });
  } catch {
    // Storage is unavailable: the next page waits for storage.managed, as it did before the copy existed.
  }
}
