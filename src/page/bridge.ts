// The hooks' end of the bridge: posts our port to the isolated-world guard and asks it to hold files.
// Everything here runs inside the site's JavaScript world, so it keeps its own references to the
// platform functions it uses (taken before any page script runs) and never trusts page objects.

import { BRIDGE_CONNECT, type GuardToHooks, type HoldRequest, type HookSource } from './bridge-protocol';

export type Release = { release: 'original' } | { release: 'cleaned'; files: File[] } | { release: 'none' };

const postMessage = window.postMessage.bind(window);

let nextId = 1;
const waiting = new Map<number, (r: Release) => void>();
/** Fingerprints of files the guard caught itself and has not released. */
const taintedFingerprints = new Set<string>();

const channel = new MessageChannel();
const port = channel.port1;
port.onmessage = (e: MessageEvent<GuardToHooks>) => {
  const m = e.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'verdict') {
    const resolve = waiting.get(m.id);
    waiting.delete(m.id);
    if (!resolve) return;
    if (m.release === 'cleaned') resolve({ release: 'cleaned', files: m.files });
    else resolve({ release: m.release === 'original' ? 'original' : 'none' });
  } else if (m.type === 'taint') {
    for (const fp of m.fingerprints) taintedFingerprints.add(fp);
  } else if (m.type === 'untaint') {
    for (const fp of m.fingerprints) taintedFingerprints.delete(fp);
    port.postMessage({ type: 'untainted', id: m.id });
  }
};

/** Hands our port to the guard; its capture listener (registered before ours ran) takes it. */
export function connectToGuard(): void {
  postMessage({ [BRIDGE_CONNECT]: true }, '*', [channel.port2]);
}

/** Asks the guard to hold these files until the person decides. Never rejects: failure releases nothing. */
export function askGuard(source: HookSource, files: File[], paths?: string[]): Promise<Release> {
  const id = nextId++;
  const request: HoldRequest = { type: 'hold', id, source, files, paths: paths ?? files.map((f) => f.name) };
  return new Promise<Release>((resolve) => {
    waiting.set(id, resolve);
    try {
      port.postMessage(request);
    } catch {
      waiting.delete(id);
      resolve({ release: 'none' });
    }
  });
}

/** Whether the guard caught a file with this fingerprint itself and has not released it. */
export function isTaintedFingerprint(fp: string): boolean {
  return taintedFingerprints.has(fp);
}
