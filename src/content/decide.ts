// One upload attempt from hold to release: the fast path for files with nothing medical, otherwise the
// framed dialog; every failure keeps the files held and tells the person (the guard fails closed).

import browser from 'webextension-polyfill';
import type { HeldUpload } from './held';
import { nothingMedical } from './quick-sniff';
import { DialogFrame, FrameError } from './dialog-frame';
import { showNotice } from './notice';
import type { HooksBridge } from './page-bridge';
import type { SettingsWatch } from './settings-client';
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

export async function decide(held: HeldUpload, opts: DecideOptions): Promise<void> {
  if (held.files.length === 0) return;
  if (!opts.settings.current().protected) {
    held.release(held.files, 'original');
    return;
  }
  if (await nothingMedical(held.files)) {
    held.release(held.files, 'original');
    return;
  }
  // Held until the settings were read (the guard fails closed); what the dialog may offer waits for them.
  const settings = await opts.settings.settled();
  if (!settings.protected) {
    held.release(held.files, 'original');
    return;
  }
  const mayUploadOriginal = settings.allowOriginal && settings.mode !== 'block';
  const releaseOriginal = async (): Promise<void> => {
    if (held.caughtHere) await opts.hooks.untaint(held.files);
    held.release(held.files, 'original');
  };
  if (held.caughtHere) opts.hooks.taint(held.files);
  const requestId = `${Date.now().toString(36)}-${(++requestCounter).toString(36)}`;
  const frame = new DialogFrame(t('guard_dialogFrameTitle'));
  try {
    const outcome = await frame.check({
      type: 'check',
      requestId,
      files: held.files,
      paths: held.paths,
      path: held.path,
      site: location.hostname || location.origin,
      allowOriginal: mayUploadOriginal,
      mode: settings.mode,
    });
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
    const decision = await frame.decision(requestId);
    frame.close();
    if (decision.choice === 'original' && mayUploadOriginal) {
      await releaseOriginal();
      opts.report({ kind: 'original', files: held.files.length });
    } else if (decision.choice === 'deidentified' && Array.isArray(decision.files) && decision.files.length === held.files.length &&
      decision.files.every((f) => f instanceof File)) {
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
