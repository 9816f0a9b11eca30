// The guard's end of the bridge to the MAIN-world hooks: takes the port the hooks post at document_start,
// turns their hold requests into held uploads, and tells them which files to refuse at egress.

import { BRIDGE_CONNECT, fileFingerprint, type GuardToHooks, type HooksToGuard, type HookSource } from '../page/bridge-protocol';
import type { UploadPath } from '../ui/dialog/protocol';
import type { HoldHandler } from './catch';

const PATH_OF_SOURCE: Record<HookSource, UploadPath> = {
  'detached-input': 'input',
  picker: 'picker',
  'directory-picker': 'picker',
  'fs-handle': 'picker',
  clipboard: 'clipboard',
  egress: 'egress',
};

export interface HooksBridge {
  /** The files the guard caught itself are held or refused: the egress backstop must refuse them. */
  taint(files: readonly File[]): void;
  /** The person chose to upload these originals. */
  untaint(files: readonly File[]): void;
}

function fingerprints(files: readonly File[]): string[] {
  return files.map(fileFingerprint).filter((f): f is string => f !== undefined);
}

/** Listens for the hooks' port (once) and serves their hold requests. */
export function acceptHooks(hold: HoldHandler): HooksBridge {
  let port: MessagePort | undefined;
  const queued: GuardToHooks[] = [];
  const send = (m: GuardToHooks): void => {
    if (port) port.postMessage(m);
    else queued.push(m);
  };
  const onMessage = (e: MessageEvent): void => {
    if (e.source !== window || !e.data || typeof e.data !== 'object' || !(BRIDGE_CONNECT in e.data)) return;
    e.stopImmediatePropagation();
    const offered = e.ports[0];
    if (port || !offered) return;
    port = offered;
    window.removeEventListener('message', onMessage, true);
    port.onmessage = (m: MessageEvent<HooksToGuard>) => {
      const req = m.data;
      if (!req || req.type !== 'hold' || !Array.isArray(req.files)) return;
      const files = req.files.filter((f): f is File => f instanceof File);
      const id = req.id;
      hold({
        path: PATH_OF_SOURCE[req.source] ?? 'picker',
        files,
        paths: Array.isArray(req.paths) && req.paths.length === files.length ? req.paths.map(String) : files.map((f) => f.name),
        caughtHere: false,
        release: (released, kind) => send(kind === 'original' ? { type: 'verdict', id, release: 'original' } : { type: 'verdict', id, release: 'cleaned', files: released }),
        cancel: () => send({ type: 'verdict', id, release: 'none' }),
      });
    };
    for (const m of queued.splice(0)) port.postMessage(m);
  };
  window.addEventListener('message', onMessage, true);
  return {
    taint: (files) => send({ type: 'taint', fingerprints: fingerprints(files) }),
    untaint: (files) => send({ type: 'untaint', fingerprints: fingerprints(files) }),
  };
}
