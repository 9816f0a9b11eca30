// The Retain Safe Private option: which private elements may stay, by their creator, and whether a value
// really is the number the list expects (anything else, such as text in a numeric slot, is removed).

import { SAFE_PRIVATE_ELEMENTS, type SafePrivateElement } from '../../data/safe-private';

const BY_KEY = new Map<string, SafePrivateElement>();
for (const e of SAFE_PRIVATE_ELEMENTS) BY_KEY.set(`${e.creator}|${e.group}|${e.element}`, e);

const BINARY_SIZES: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };
const NUMBER_TEXT = /^[0-9+\-.eE \\]*$/;

/** The safe-list entry of a private element (`element` is the full element number, e.g. 0x1009). */
export function safePrivateEntry(creator: string | undefined, group: number, element: number): SafePrivateElement | undefined {
  if (creator === undefined) return undefined;
  return BY_KEY.get(`${creator.trim()}|${group}|${element & 0xff}`);
}

/**
 * Whether a private element's value is what its safe-list entry allows. `vr` is the VR written in the file
 * (UN or absent for implicit VR files, where the entry's VR is assumed).
 */
export function isSafePrivateValue(entry: SafePrivateElement, vr: string | undefined, bytes: Uint8Array): boolean {
  const as = vr === undefined || vr === 'UN' ? entry.vrs[0]! : vr;
  if (!entry.vrs.includes(as)) return false;
  const size = BINARY_SIZES[as];
  if (size !== undefined) return bytes.length % size === 0;
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return NUMBER_TEXT.test(text.replace(/\0+$/, ''));
}
