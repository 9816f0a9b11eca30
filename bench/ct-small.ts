// Benchmark inputs built on the public corpus's CT_small.dcm (pydicom; GE, explicit VR little endian, 180
// private elements): its header over pixel data of any length, and the pixel data element's own header.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/corpus');
export const CT_SMALL = path.join(CORPUS, 'public/pydicom/CT_small.dcm');

/** The 12 bytes that start an OW pixel data element (7FE0,0010) whose value is `length` bytes long. */
export function pixelDataElementHeader(length: number): Buffer {
  const element = Buffer.alloc(12);
  element.writeUInt16LE(0x7fe0, 0);
  element.writeUInt16LE(0x0010, 2);
  element.write('OW', 4, 'latin1');
  element.writeUInt32LE(length, 8);
  return element;
}

/** CT_small's header up to its pixel data, then a pixel data element header of the given length (the value itself is not included). */
export function ctSmallHeaderWithPixelLength(pixelLength: number): Buffer {
  const ct = fs.readFileSync(CT_SMALL);
  const at = ct.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
  return Buffer.concat([ct.subarray(0, at), pixelDataElementHeader(pixelLength)]);
}
