// One upload attempt from hold to release: the fast path for files with nothing medical, otherwise the
// framed dialog; every failure keeps the files held and tells the person (the guard fails closed).

import browser from 'webextension-polyfill';
import type { HeldUpload } from './held';
import { nothingMedical } from './quick-sniff';
import { dialogFrameFor, FrameError } from './dialog-frame';
import { showNotice } from './notice';
import type { HooksBridge } from './page-bridge';
import type { EffectiveSettingsForThisSite, SettingsWatch } from './settings-client';
import type { GuardEventKind } from '../background/protocol';

function t(key: string, substitutions?: string | string[]): string {
  return browser.i18n.getMessage(key, substitutions) || key;
}

let requestCounter = 0;

function failedNotice(): void {
  showNotice({ text: t('guard_noticeFailed'), dismissLabel: t('guard_dismiss'), warning: true });
}

export interface DecideOptions {
  hooks: HooksBridge;
  /** The settings in force for this frame's top-level site. */
  settings: SettingsWatch;
  /** Counts only, for the popup's "what happened on this site". */
  report: (e: { kind: GuardEventKind; files: number }) => void;
}

/** Resolves with `work`'s value, or with 'unprotected' if the settings say first that this site is not protected. */
function unlessUnprotected<T>(work: Promise<T>, unprotected: Promise<boolean>): Promise<T | 'unprotected'> {
  return Promise.race([work, unprotected.then((yes) => (yes ? 'unprotected' as const : new Promise<never>(() => undefined)))]);
}

export async function decide(held: HeldUpload, opts: DecideOptions): Promise<void> {
  if (held.files.length === 0) return;
  if (!opts.settings.current().protected) {
    held.release(held.files, 'original');
    return;
  }
  // Asked (and waited for) only when the first bytes showed a picture or PDF among the files.
  let askedDocuments: Promise<boolean> | undefined;
  const documents = (): Promise<boolean> => (askedDocuments ??= opts.settings.checksDocumentsHere());
  if (await nothingMedical(held.files, documents)) {
    held.release(held.files, 'original');
    return;
  }
  // Whether pictures and PDFs among the files are checked here: as answered, or from what is known now (a DICOM
  // upload never waits for it). Settled before the policy is looked at, so the policy sent later is this request's.
  const checksDocuments = askedDocuments ? await askedDocuments : opts.settings.checksDocumentsNow();
  // The dialog opens and checks at once. What it may offer follows the administrator's policy, which can
  // take seconds to arrive right after the browser starts: until then it offers only Cancel, and the policy
  // is sent when read. A site that the settings, once read, leave unprotected gets its files as they were.
  const known = opts.settings.settledNow();
  if (known && !known.protected) {
    held.release(held.files, 'original');
    return;
  }
  const settled = opts.settings.settled();
  const unprotected = settled.then((s) => !s.protected);
  const mayUploadOriginal = (s: EffectiveSettingsForThisSite): boolean => s.allowOriginal && s.mode !== 'block';
  const releaseOriginal = async (): Promise<void> => {
    if (held.caughtHere) await opts.hooks.untaint(held.files);
    held.release(held.files, 'original');
  };
  if (held.caughtHere) opts.hooks.taint(held.files);
  const requestId = `${Date.now().toString(36)}-${(++requestCounter).toString(36)}`;
  const frame = dialogFrameFor(t('guard_dialogFrameTitle'), held.files.length);
  if (!known) {
    void settled.then((s) => {
      if (s.protected) frame.sendPolicy({ type: 'policy', requestId, allowOriginal: mayUploadOriginal(s), mode: s.mode });
    });
  }
  try {
    const outcome = await unlessUnprotected(frame.check({
      type: 'check',
      requestId,
      files: held.files,
      paths: held.paths,
      path: held.path,
      site: location.hostname || location.origin,
      allowOriginal: known ? mayUploadOriginal(known) : false,
      mode: known?.mode ?? 'ask',
      policySettled: known !== undefined,
      documents: checksDocuments,
    }), unprotected);
    if (outcome === 'unprotected') {
      frame.close();
      await releaseOriginal();
      return;
    }
    opts.report({ kind: 'checked', files: held.files.length });
    if (outcome.outcome === 'pass' || outcome.outcome === 'notice') {
      frame.close();
      await releaseOriginal();
      if (outcome.outcome === 'notice') {
        showNotice({ text: t('guard_noticeClean', String(outcome.counts.medical)), dismissLabel: t('guard_dismiss'), warning: false });
      }
      return;
    }
    opts.report({ kind: 'warned', files: held.files.length });
    const decision = await unlessUnprotected(frame.decision(requestId), unprotected);
    frame.close();
    if (decision === 'unprotected') {
      await releaseOriginal();
      return;
    }
    // The dialog offers more than Cancel only under the policy; the guard holds to it as well.
    const policy = decision.choice === 'cancel' ? undefined : await settled;
    if (decision.choice === 'original' && policy && mayUploadOriginal(policy)) {
      await releaseOriginal();
      opts.report({ kind: 'original', files: held.files.length });
    } else if (decision.choice === 'deidentified' && policy && policy.mode !== 'block' && Array.isArray(decision.files) &&
      decision.files.length === held.files.length && decision.files.every((f) => f instanceof File)) {
      held.release(decision.files, 'cleaned');
      opts.report({ kind: 'deidentified', files: held.files.length });
    } else {
      held.cancel();
      opts.report({ kind: 'cancelled', files: held.files.length });
    }
  } catch (error) {
    held.cancel();
    const reason = error instanceof FrameError ? error.kind : 'error';
    try {
      await frame.showFailure(requestId, reason);
    } catch {
      failedNotice();
    } finally {
      frame.close();
    }
  }
}
