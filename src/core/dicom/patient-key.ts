// Plain values of a parsed dataset that the de-identifier needs before cleaning it: a few UIDs and the key
// of the patient, whose date offset depends on it.

import type { DataSet } from './parser';

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s.replace(/[\0\s]+$/, '').trim();
}

/** An element's value as trimmed single-byte text (UIDs, IDs), or undefined when absent or empty. */
export function stringOf(ds: DataSet | undefined, key: string): string | undefined {
  const el = ds?.elements[key];
  if (!ds || !el || el.hadUndefinedLength || el.dataOffset + el.length > ds.byteArray.length) return undefined;
  const v = latin1(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length));
  return v.length > 0 ? v : undefined;
}

/** The key of a dataset's patient for the date offset: the patient ID, else the name, else one shared key. */
export function patientKeyOf(ds: DataSet): string {
  const id = stringOf(ds, 'x00100020');
  if (id) return `id:${id}`;
  const name = stringOf(ds, 'x00100010');
  return name ? `name:${name}` : 'none';
}
