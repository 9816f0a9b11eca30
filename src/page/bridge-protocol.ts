// The messages between the MAIN-world hooks (src/page) and the isolated-world guard (src/content).
//
// The hooks create a MessageChannel at document_start and post one port to the guard with
// `window.postMessage({ [BRIDGE_CONNECT]: true }, '*', [port])`; the guard's capture listener, registered
// before any page script, takes it and stops the event. The hooks only ask; the guard decides. Page
// scripts can forge neither side: the port is never visible to them.

/** Key of the one window message that carries the bridge port. */
export const BRIDGE_CONNECT = '__scanPrivacyGuardBridge';

/** How the held files reached the page, seen from the MAIN world. */
export type HookSource = 'detached-input' | 'picker' | 'directory-picker' | 'fs-handle' | 'clipboard' | 'egress';

/** Hooks → guard: hold these files until the person decides. */
export interface HoldRequest {
  type: 'hold';
  id: number;
  source: HookSource;
  files: File[];
  /** Relative paths (folder pickers) or names. */
  paths: string[];
}

/** Hooks → guard: the untaint with this id is applied (the guard releases only after it). */
export interface UntaintedAck {
  type: 'untainted';
  id: number;
}

export type HooksToGuard = HoldRequest | UntaintedAck;

/**
 * Guard → hooks. `verdict`: what to release for a hold (`original`: the objects the hooks kept;
 * `cleaned`: the files given, in the same order; `none`: nothing, the person cancelled or the check failed).
 * `taint`/`untaint`: files the guard caught itself (input, drop, paste), by fingerprint, so the egress
 * backstop can recognise them if the page ever gets hold of them.
 */
export type GuardToHooks =
  | { type: 'verdict'; id: number; release: 'original' | 'none' }
  | { type: 'verdict'; id: number; release: 'cleaned'; files: File[] }
  | { type: 'taint'; fingerprints: string[] }
  | { type: 'untaint'; id: number; fingerprints: string[] };

/** Recognises the same file from the disk in either world (object identity does not cross worlds). */
export function fileFingerprint(file: Blob): string | undefined {
  if (!(file instanceof File)) return undefined;
  return `${file.size}:${file.lastModified}:${file.type}:${file.name}`;
}

/** The fingerprints of those of `files` that are files (plain blobs have none). */
export function fileFingerprints(files: readonly Blob[]): string[] {
  return files.map(fileFingerprint).filter((fp): fp is string => fp !== undefined);
}
