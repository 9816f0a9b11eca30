// Types for the codec packages that ship none: the emscripten glue of the cornerstonejs WebAssembly builds, a
// factory taking emscripten module options and resolving to the module with its decoder classes.

type EmscriptenCodecFactory = (options: Record<string, unknown>) => Promise<Record<string, new () => {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean; isUsingColorTransform?: boolean };
  getInterleaveMode?(): number;
  delete(): void;
}>>;

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjxl/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
