// Keyed pseudonyms for de-identification: new UIDs and per-patient date offsets from HMAC-SHA-256 with a
// secret key (WebCrypto), so the same original always maps to the same pseudonym under the same key
// (series, studies and references stay consistent across files and uploads) and nobody without the key
// can match a pseudonym back to its original. Where WebCrypto's `subtle` is missing (Firefox gives none to
// the dialog's frame on a page served over plain HTTP: not a secure context), the same HMAC is computed by
// @noble/hashes.

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** UIDs of the DICOM standard itself (SOP classes, transfer syntaxes, coding schemes): never identifying. */
const STANDARD_UID_ROOT = '1.2.840.10008.';

/** Dates move back by at least a year and at most ten years. */
const MIN_OFFSET_DAYS = 365;
const OFFSET_RANGE_DAYS = 3650 - MIN_OFFSET_DAYS;

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** The original UID as it should be mapped: trailing NULs and spaces removed. */
export function normalizeUid(uid: string): string {
  return uid.replace(/[\0\s]+$/, '').trim();
}

export function isStandardUid(uid: string): boolean {
  return uid.startsWith(STANDARD_UID_ROOT);
}

/** Keyed pseudonyms. Create one per upload with `Pseudonyms.create(key)`; its caches live as long as it does. */
export class Pseudonyms {
  private readonly uids = new Map<string, string>();
  private readonly offsets = new Map<string, number>();

  private constructor(private readonly sign: (message: Uint8Array) => Promise<Uint8Array>) {}

  static async create(key: Uint8Array): Promise<Pseudonyms> {
    if (key.length < 16) throw new Error('the de-identification key must be at least 16 bytes long');
    const subtle = (globalThis.crypto as Crypto | undefined)?.subtle;
    if (!subtle) {
      const own = new Uint8Array(key);
      return new Pseudonyms(async (message) => hmac(sha256, own, message));
    }
    const cryptoKey = await subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Pseudonyms(async (message) => new Uint8Array(await subtle.sign('HMAC', cryptoKey, message as Uint8Array<ArrayBuffer>)));
  }

  private mac(domain: string, value: string): Promise<Uint8Array> {
    return this.sign(encoder.encode(`${domain}\u0000${value}`));
  }

  /** Works out the pseudonyms of these UIDs so that `uid()` can answer them synchronously. */
  async prepareUids(uids: Iterable<string>): Promise<void> {
    const wanted = [...new Set([...uids].map(normalizeUid))].filter((u) => u.length > 0 && !this.uids.has(u) && !isStandardUid(u));
    const macs = await Promise.all(wanted.map((u) => this.mac('uid', u)));
    wanted.forEach((u, i) => {
      // 2.25 followed by a 128-bit integer in decimal (PS3.5 B.2): at most 44 characters, no leading zeros.
      this.uids.set(u, `2.25.${BigInt(`0x${toHex(macs[i]!.subarray(0, 16))}`).toString()}`);
    });
  }

  /** The pseudonym of a prepared UID (standard UIDs map to themselves). Throws for a UID that was not prepared. */
  uid(original: string): string {
    const u = normalizeUid(original);
    if (u.length === 0 || isStandardUid(u)) return u;
    const mapped = this.uids.get(u);
    if (mapped === undefined) throw new Error('a UID was not prepared before cleaning');
    return mapped;
  }

  /** Days to add to every date of a patient (negative: dates move back), from the patient's ID or name. */
  async dateOffset(patientKey: string): Promise<number> {
    const cached = this.offsets.get(patientKey);
    if (cached !== undefined) return cached;
    const mac = await this.mac('date-offset', patientKey);
    const n = new DataView(mac.buffer, mac.byteOffset, 4).getUint32(0, false);
    const offset = -(MIN_OFFSET_DAYS + (n % OFFSET_RANGE_DAYS));
    this.offsets.set(patientKey, offset);
    return offset;
  }
}

/** 32 random bytes for a new de-identification key. */
export function createRandomKey(): Uint8Array {
  const key = new Uint8Array(32);
  crypto.getRandomValues(key);
  return key;
}

const DAY_MS = 86_400_000;

function shiftYmd(ymd: string, days: number): string | undefined {
  const y = Number(ymd.slice(0, 4));
  const m = Number(ymd.slice(4, 6));
  const d = Number(ymd.slice(6, 8));
  if (!Number.isInteger(y) || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const check = new Date(0);
  check.setUTCFullYear(y, m - 1, d);
  const time = check.getTime();
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  const shifted = new Date(time + days * DAY_MS);
  const year = shifted.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  return `${String(year).padStart(4, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${String(shifted.getUTCDate()).padStart(2, '0')}`;
}

/**
 * A DA value (one or more dates, `\`-separated; ranges `a-b`; the old `YYYY.MM.DD` form) moved by `days`.
 * Undefined when any part is not a full date that can be moved.
 */
export function shiftDate(value: string, days: number): string | undefined {
  const parts = value.split('\\').map((v) => v.trim());
  const out: string[] = [];
  for (const part of parts) {
    if (part === '') {
      out.push('');
      continue;
    }
    const ends = part.split('-');
    if (ends.length > 2) return undefined;
    const shifted: string[] = [];
    for (const end of ends) {
      if (end === '' && ends.length === 2) {
        shifted.push('');
        continue;
      }
      const ymd = /^\d{8}$/.test(end) ? end : /^\d{4}\.\d{2}\.\d{2}$/.test(end) ? end.replaceAll('.', '') : undefined;
      const moved = ymd ? shiftYmd(ymd, days) : undefined;
      if (moved === undefined) return undefined;
      shifted.push(moved);
    }
    out.push(shifted.join('-'));
  }
  return out.join('\\');
}

/**
 * A DT value (`YYYYMMDD` then optional time, fraction and UTC offset) with its date moved by `days`; the
 * time of day and offset are kept. Undefined when a part does not start with a full date.
 */
export function shiftDateTime(value: string, days: number): string | undefined {
  const out: string[] = [];
  for (const raw of value.split('\\')) {
    const part = raw.trim();
    if (part === '') {
      out.push('');
      continue;
    }
    const match = /^(\d{8})(\d{0,6}(?:\.\d{1,6})?(?:[+-]\d{4})?)$/.exec(part);
    const moved = match ? shiftYmd(match[1]!, days) : undefined;
    if (!match || moved === undefined) return undefined;
    out.push(moved + match[2]!);
  }
  return out.join('\\');
}
