// Type declarations for the one part of dcmjs (a dev dependency, no types of its own) that `npm run bench` uses.
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { untilTag?: string }): unknown;
      };
    };
  };
  export default dcmjs;
}
