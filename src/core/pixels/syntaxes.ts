// The transfer syntaxes the pixel reader knows: how each stores its frames (native or encapsulated), which
// decoder reads them, whether they may be lossy (and the method to record), and a plain name for messages.

/** Decoders of encapsulated frames. `jpeg` covers the DCT processes (baseline, extended, spectral selection). */
export type DecoderName = 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'htj2k' | 'jpeg-xl' | 'rle' | 'deflate-frame' | 'uncompressed-frame';

export interface SyntaxInfo {
  /** A plain name for messages. */
  name: string;
  /** Native: frames one after another in one value. Encapsulated: frames in fragments (items). */
  storage: 'native' | 'encapsulated';
  decoder?: DecoderName;
  /** The syntax allows (or always is) lossy compression: the decoded picture is marked lossy. */
  mayBeLossy: boolean;
  /** The Lossy Image Compression Method (0028,2114) term for a lossy syntax. */
  lossyMethod?: string;
  /** Deflated: the whole dataset after the file meta group is one deflate stream. */
  deflatedDataset?: boolean;
  bigEndian?: boolean;
}

const native = (name: string, extra: Partial<SyntaxInfo> = {}): SyntaxInfo => ({ name, storage: 'native', mayBeLossy: false, ...extra });
const encapsulated = (name: string, decoder: DecoderName, lossyMethod?: string): SyntaxInfo => ({
  name,
  storage: 'encapsulated',
  decoder,
  mayBeLossy: lossyMethod !== undefined,
  ...(lossyMethod ? { lossyMethod } : {}),
});

export const SYNTAXES: Readonly<Record<string, SyntaxInfo>> = {
  '1.2.840.10008.1.2': native('implicit VR little endian'),
  '1.2.840.10008.1.2.1': native('explicit VR little endian'),
  '1.2.840.10008.1.2.1.99': native('deflated explicit VR little endian', { deflatedDataset: true }),
  '1.2.840.10008.1.2.2': native('explicit VR big endian', { bigEndian: true }),
  '1.2.840.10008.1.2.1.98': encapsulated('encapsulated uncompressed', 'uncompressed-frame'),
  '1.2.840.10008.1.2.5': encapsulated('RLE', 'rle'),
  '1.2.840.10008.1.2.8.1': encapsulated('deflated image frames', 'deflate-frame'),
  '1.2.840.10008.1.2.4.50': encapsulated('JPEG baseline', 'jpeg', 'ISO_10918_1'),
  '1.2.840.10008.1.2.4.51': encapsulated('JPEG extended', 'jpeg', 'ISO_10918_1'),
  '1.2.840.10008.1.2.4.53': encapsulated('JPEG spectral selection', 'jpeg', 'ISO_10918_1'),
  '1.2.840.10008.1.2.4.55': encapsulated('JPEG full progression', 'jpeg', 'ISO_10918_1'),
  '1.2.840.10008.1.2.4.57': encapsulated('JPEG lossless', 'jpeg-lossless'),
  '1.2.840.10008.1.2.4.70': encapsulated('JPEG lossless (first-order prediction)', 'jpeg-lossless'),
  '1.2.840.10008.1.2.4.80': encapsulated('JPEG-LS lossless', 'jpeg-ls'),
  '1.2.840.10008.1.2.4.81': encapsulated('JPEG-LS near-lossless', 'jpeg-ls', 'ISO_14495_1'),
  '1.2.840.10008.1.2.4.90': encapsulated('JPEG 2000 lossless', 'jpeg2000'),
  '1.2.840.10008.1.2.4.91': encapsulated('JPEG 2000', 'jpeg2000', 'ISO_15444_1'),
  '1.2.840.10008.1.2.4.201': encapsulated('HTJ2K lossless', 'htj2k'),
  '1.2.840.10008.1.2.4.202': encapsulated('HTJ2K lossless (RPCL)', 'htj2k'),
  '1.2.840.10008.1.2.4.203': encapsulated('HTJ2K', 'htj2k', 'ISO_15444_15'),
  '1.2.840.10008.1.2.4.110': encapsulated('JPEG XL lossless', 'jpeg-xl'),
  '1.2.840.10008.1.2.4.111': encapsulated('JPEG XL JPEG recompression', 'jpeg-xl', 'ISO_18181_1'),
  '1.2.840.10008.1.2.4.112': encapsulated('JPEG XL', 'jpeg-xl', 'ISO_18181_1'),
};

/** Plain names of syntaxes the reader cannot decode (others are named by their UID). */
const UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/^1\.2\.840\.10008\.1\.2\.4\.9[23]$/, 'JPEG 2000 multi-component'],
  [/^1\.2\.840\.10008\.1\.2\.4\.(5[2-9]|6\d)$/, 'a retired JPEG process'],
  [/^1\.2\.840\.10008\.1\.2\.4\.1\d\d$/, 'video (MPEG or HEVC)'],
  [/^1\.2\.840\.10008\.1\.2\.4\.9[45]$/, 'JPIP (a reference to a server)'],
];

export function syntaxInfo(uid: string): SyntaxInfo | undefined {
  return SYNTAXES[uid];
}

/** A plain name for a transfer syntax the reader does not decode. */
export function unsupportedSyntaxName(uid: string): string {
  return UNSUPPORTED.find(([pattern]) => pattern.test(uid))?.[1] ?? `transfer syntax ${uid}`;
}
