// DICOMDIR records: which patient each record belongs to (for per-patient date offsets), and the byte
// offsets that link records to each other, rebuilt for the cleaned file's new layout.

import type { DataSet, Element, Item } from './parser';
import type { OutElement, OutItem } from './writer';
import { patientKeyOf, stringOf } from './patient-key';

export interface DirectoryLayout {
  /** The patient key of every record that belongs to a patient (the PATIENT records included). */
  patientOf: Map<DataSet, string>;
  onItem: (original: Item, written: OutItem, sequence: readonly string[], tag: string) => void;
  onElement: (original: Element, written: OutElement, sequence: readonly string[]) => void;
  /**
   * Rewrites the offsets in the encoded dataset: `base` is where the dataset starts in the output file
   * (offsets count from the file's first byte). An offset that pointed at no record becomes 0.
   */
  patch: (bytes: Uint8Array, base: number, littleEndian: boolean) => void;
}

const RECORDS = 'x00041220';
const ROOT_OFFSETS = new Set(['00041200', '00041202']);
const RECORD_OFFSETS = new Set(['00041400', '00041420', '00041504']);

function ul(ds: DataSet, key: string): number | undefined {
  const el = ds.elements[key];
  if (!el || el.length !== 4 || el.dataOffset + 4 > ds.byteArray.length) return undefined;
  return ds.byteArrayParser.readUint32(ds.byteArray, el.dataOffset);
}

/** `datasetStart`: where the dataset starts in the original file. */
export function directoryLayout(ds: DataSet, datasetStart: number): DirectoryLayout {
  const records = (ds.elements[RECORDS]?.items ?? []).filter((i): i is Item & { dataSet: DataSet } => i.dataSet !== undefined);
  const offsetOf = (item: Item): number => datasetStart + item.dataOffset - 8;
  const byOffset = new Map<number, DataSet>();
  for (const r of records) byOffset.set(offsetOf(r), r.dataSet);

  // Patients own what their lower-level links reach; records no link reaches go with the last PATIENT before them.
  const patientOf = new Map<DataSet, string>();
  const visited = new Set<DataSet>();
  const claim = (first: number | undefined, key: string): void => {
    for (let at = first; at; ) {
      const record = byOffset.get(at);
      if (!record || visited.has(record)) break;
      visited.add(record);
      patientOf.set(record, key);
      claim(ul(record, 'x00041420'), key);
      at = ul(record, 'x00041400');
    }
  };
  for (const r of records) {
    if (stringOf(r.dataSet, 'x00041430')?.toUpperCase() !== 'PATIENT') continue;
    const key = patientKeyOf(r.dataSet);
    patientOf.set(r.dataSet, key);
    visited.add(r.dataSet);
    claim(ul(r.dataSet, 'x00041420'), key);
  }
  let current: string | undefined;
  for (const r of records) {
    if (stringOf(r.dataSet, 'x00041430')?.toUpperCase() === 'PATIENT') current = patientKeyOf(r.dataSet);
    else if (!patientOf.has(r.dataSet) && current !== undefined) patientOf.set(r.dataSet, current);
  }

  const newPosition = new Map<number, number>();
  const patches: Array<{ position: number; value: Uint8Array }> = [];
  return {
    patientOf,
    onItem(original, written, sequence, tag) {
      if (sequence.length !== 0 || tag !== '00041220') return;
      const old = offsetOf(original);
      written.onItem = (position) => newPosition.set(old, position);
    },
    onElement(original, written, sequence) {
      const tag = original.tag.slice(1).toUpperCase();
      const wanted = sequence.length === 0 ? ROOT_OFFSETS.has(tag) : sequence.length === 1 && sequence[0] === '00041220' && RECORD_OFFSETS.has(tag);
      if (!wanted || written.value?.length !== 4) return;
      const value = written.value;
      written.onValue = (position) => patches.push({ position, value });
    },
    patch(bytes, base, littleEndian) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const { position, value } of patches) {
        const old = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, littleEndian);
        const moved = newPosition.get(old);
        view.setUint32(position, old === 0 || moved === undefined ? 0 : base + moved, littleEndian);
      }
    },
  };
}
