// The guard's end of the bridge to the MAIN-world hooks: takes the port the hooks post at document_start,
// turns their hold requests into held uploads, and tells them which files to refuse at egress.

import { BRIDGE_CONNECT, fileFingerprints, type GuardToHooks, type HooksToGuard, type HookSource } from '../page/bridge-protocol';
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

/** The hooks answer at once; if they do not, the release goes ahead (the backstop would only ask again). */
const UNTAINT_ACK_TIMEOUT_MS = 1000;

export interface HooksBridge {
  /** The files the guard caught itself are held or refused: the egress backstop must refuse them. */
  taint(files: readonly File[]): void;
  /**
   * The person chose to upload these originals: resolves once the hooks stopped refusing them, so the
   * replayed event's upload is not caught by the backstop (or at once when the hooks never connected).
   */
  untaint(files: readonly File[]): Promise<void>;
}

/** Listens for the hooks' port (once) and serves their hold requests. */
export function acceptHooks(hold: HoldHandler): HooksBridge {
  let port: MessagePort | undefined;
  const queued: GuardToHooks[] = [];
  let nextUntaint = 1;
  const untaintAcks = new Map<number, () => void>();
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
      if (req?.type === 'untainted') {
        untaintAcks.get(req.id)?.();
        untaintAcks.delete(req.id);
        return;
      }
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
    taint: (files) => send({ type: 'taint', fingerprints: fileFingerprints(files) }),
    untaint: (files) => {
      if (!port) return Promise.resolve();
      const id = nextUntaint++;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          untaintAcks.delete(id);
          resolve();
        }, UNTAINT_ACK_TIMEOUT_MS);
        untaintAcks.set(id, done);
        send({ type: 'untaint', id, fingerprints: fileFingerprints(files) });
      });
    },
  };
}
