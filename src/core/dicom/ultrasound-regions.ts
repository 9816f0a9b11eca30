// The regions of an ultrasound picture that hold the image itself (Sequence of Ultrasound Regions,
// 0018,6011): everything outside them is the scanner's screen (banners, settings, names), which the
// de-identifier can black out on request. Bounds are inclusive (PS3.3 C.8.5.5.1.1).

import type { DataSet } from './parser';
import type { Region } from '../pixels/mask';

function uint32(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 4 || el.dataOffset + 4 > ds.byteArray.length) return undefined;
  return ds.byteArrayParser.readUint32(ds.byteArray, el.dataOffset);
}

/** The regions the file lists, as rectangles of the stored image; undefined when it lists none usable. */
export function ultrasoundRegions(ds: DataSet): Region[] | undefined {
  const sequence = ds.elements.x00186011;
  const out: Region[] = [];
  for (const item of sequence?.items ?? []) {
    const region = item.dataSet;
    if (!region) continue;
    const x0 = uint32(region, 'x00186018');
    const y0 = uint32(region, 'x0018601a');
    const x1 = uint32(region, 'x0018601c');
    const y1 = uint32(region, 'x0018601e');
    if (x0 === undefined || y0 === undefined || x1 === undefined || y1 === undefined || x1 < x0 || y1 < y0) continue;
    out.push({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 });
  }
  return out.length > 0 ? out : undefined;
}
