// Type declarations for the parts of dicom-parser 1.8 that the engine uses. The package's own index.d.ts
// lacks the DataSet constructor and item types, so tsconfig `paths` points the module name here instead.
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
  fragments?: unknown[];
}

export declare class DataSet {
  constructor(byteArrayParser: ByteArrayParser, byteArray: Uint8Array, elements: Record<string, Element>);
  byteArray: Uint8Array;
  byteArrayParser: ByteArrayParser;
  elements: Record<string, Element>;
  warnings: string[];
  position?: number;
  string(tag: string, index?: number): string | undefined;
  uint16(tag: string, index?: number): number | undefined;
}

export declare class ByteStream {
  constructor(byteArrayParser: ByteArrayParser, byteArray: Uint8Array, position?: number);
  byteArray: Uint8Array;
  byteArrayParser: ByteArrayParser;
  position: number;
  warnings: string[];
  seek(offset: number): void;
  readUint16(): number;
  readUint32(): number;
  readFixedString(length: number): string;
}

export interface ParseOptions {
  untilTag?: string;
  vrCallback?: (tag: string) => string | undefined;
  TransferSyntaxUID?: string;
  inflater?: (byteArray: Uint8Array, position: number) => Uint8Array;
}

export declare const littleEndianByteArrayParser: ByteArrayParser;
export declare const bigEndianByteArrayParser: ByteArrayParser;

export declare function parseDicom(byteArray: Uint8Array, options?: ParseOptions): DataSet;
export declare function parseDicomDataSetExplicit(
  dataSet: DataSet,
  byteStream: ByteStream,
  maxPosition?: number,
  options?: ParseOptions,
): void;
export declare function parseDicomDataSetImplicit(
  dataSet: DataSet,
  byteStream: ByteStream,
  maxPosition?: number,
  options?: ParseOptions,
): void;
export declare function readSequenceItemsImplicit(
  byteStream: ByteStream,
  element: Element,
  vrCallback?: (tag: string) => string | undefined,
): void;
export declare function readDicomElementExplicit(byteStream: ByteStream, warnings: string[], untilTag?: string): Element;
export declare function readDicomElementImplicit(
  byteStream: ByteStream,
  untilTag?: string,
  vrCallback?: (tag: string) => string | undefined,
): Element;
export declare function readSequenceItemsExplicit(byteStream: ByteStream, element: Element, warnings: string[]): void;

declare const dicomParser: {
  parseDicom: typeof parseDicom;
  parseDicomDataSetExplicit: typeof parseDicomDataSetExplicit;
  parseDicomDataSetImplicit: typeof parseDicomDataSetImplicit;
  readSequenceItemsImplicit: typeof readSequenceItemsImplicit;
  readSequenceItemsExplicit: typeof readSequenceItemsExplicit;
  readDicomElementExplicit: typeof readDicomElementExplicit;
  readDicomElementImplicit: typeof readDicomElementImplicit;
  littleEndianByteArrayParser: ByteArrayParser;
  bigEndianByteArrayParser: ByteArrayParser;
  ByteStream: typeof ByteStream;
  DataSet: typeof DataSet;
};
export default dicomParser;
