// Plain values of a parsed dataset that the de-identifier needs before cleaning it: a few UIDs and the key
// of the patient, whose date offset depends on it.

import { elementBytes, type DataSet } from './parser';
import { latin1String } from './charset';

/** An element's value as trimmed single-byte text (UIDs, IDs), or undefined when absent or empty. */
export function stringOf(ds: DataSet | undefined, key: string): string | undefined {
  const el = ds?.elements[key];
  const bytes = ds && el ? elementBytes(ds, el) : undefined;
  const v = bytes ? latin1String(bytes).replace(/[\0\s]+$/, '').trim() : '';
  return v.length > 0 ? v : undefined;
}

/** The key of a dataset's patient for the date offset: the patient ID, else the name, else one shared key. */
export function patientKeyOf(ds: DataSet): string {
  const id = stringOf(ds, 'x00100020');
  if (id) return `id:${id}`;
  const name = stringOf(ds, 'x00100010');
  return name ? `name:${name}` : 'none';
}
