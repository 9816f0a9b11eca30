// Types for the packages the Node document host loads that ship none: libjpeg-turbo's full emscripten build
// (its JPEG encoder) and libheif-js's bundle with the WebAssembly inside.
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: (options: Record<string, unknown>) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module 'libheif-js/wasm-bundle.js' {
  const libheif: unknown;
  export default libheif;
}
