// pdf.js ships no types for its worker module: it is loaded into the host's worker thread for pdf.js to use.
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
