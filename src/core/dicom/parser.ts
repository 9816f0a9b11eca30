// dicom-parser 1.8 with the types the engine relies on. The package's own index.d.ts lacks the DataSet
// constructor, item datasets and VR callbacks that may return undefined, so the module is typed here once.

import dicomParserModule from 'dicom-parser';

export interface ByteArrayParser {
  readUint16(byteArray: Uint8Array, position: number): number;
  readUint32(byteArray: Uint8Array, position: number): number;
}

export interface Item {
  tag: string;
  length: number;
  dataOffset: number;
  hadUndefinedLength?: boolean;
  dataSet?: DataSet;
}

export interface Element {
  tag: string;
  vr?: string;
  length: number;
  dataOffset: number;
  hadUndefinedLength?: boolean;
  items?: Item[];
}

export interface DataSet {
  byteArray: Uint8Array;
  byteArrayParser: ByteArrayParser;
  elements: Record<string, Element>;
  warnings: string[];
}

export interface ByteStream {
  byteArray: Uint8Array;
  byteArrayParser: ByteArrayParser;
  position: number;
  warnings: string[];
}

export type VrCallback = (tag: string) => string | undefined;

interface DicomParser {
  DataSet: new (byteArrayParser: ByteArrayParser, byteArray: Uint8Array, elements: Record<string, Element>) => DataSet;
  ByteStream: new (byteArrayParser: ByteArrayParser, byteArray: Uint8Array, position?: number) => ByteStream;
  littleEndianByteArrayParser: ByteArrayParser;
  bigEndianByteArrayParser: ByteArrayParser;
  parseDicomDataSetExplicit(dataSet: DataSet, byteStream: ByteStream, maxPosition?: number, options?: { untilTag?: string }): void;
  parseDicomDataSetImplicit(
    dataSet: DataSet,
    byteStream: ByteStream,
    maxPosition?: number,
    options?: { untilTag?: string; vrCallback?: VrCallback },
  ): void;
  readDicomElementExplicit(byteStream: ByteStream, warnings: string[], untilTag?: string): Element;
  readDicomElementImplicit(byteStream: ByteStream, untilTag?: string, vrCallback?: VrCallback): Element;
  readSequenceItemsImplicit(byteStream: ByteStream, element: Element, vrCallback?: VrCallback): void;
  parseDicom(byteArray: Uint8Array, options?: { untilTag?: string }): DataSet;
}

export const dicomParser = dicomParserModule as unknown as DicomParser;

/** The bytes of an element's value, or undefined when its length is undefined or it runs past the data. */
export function elementBytes(ds: DataSet, el: Element): Uint8Array | undefined {
  if (el.hadUndefinedLength || el.length === 0xffffffff) return undefined;
  const end = el.dataOffset + el.length;
  if (el.dataOffset < 0 || end > ds.byteArray.length) return undefined;
  return ds.byteArray.subarray(el.dataOffset, end);
}
