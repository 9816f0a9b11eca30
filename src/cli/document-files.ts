// Which files of which npm packages the document worker reads at run time (WebAssembly, pdf.js's data): the
// CLI build copies them beside the bundle in documents/ (vite.cli.config.ts), the Node document host reads them.

export const DOCUMENT_FILES = {
  webpWasm: '@jsquash/webp/codec/dec/webp_dec.wasm',
  jpegEncoderWasm: '@cornerstonejs/codec-libjpeg-turbo-8bit/wasm',
  /** pdf.js's folder: standard_fonts/, cmaps/, wasm/ and iccs/ are read from it. */
  pdfjs: 'pdfjs-dist/package.json',
} as const;

/** Where the built CLI keeps a document file (or pdf.js's folder), relative to its bundle. */
export const bundledDocumentFile = (name: keyof typeof DOCUMENT_FILES): string => `documents/${name === 'pdfjs' ? 'pdfjs' : `${name}.wasm`}`;
