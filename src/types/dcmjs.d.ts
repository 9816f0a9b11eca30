// Type declarations for the one part of dcmjs (a dev dependency) that `npm run bench` compares against.
declare const dcmjs: {
  data: {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { untilTag?: string }): unknown;
    };
  };
};
export default dcmjs;
