// Type declarations for the one part of dcmjs (a dev dependency, no types of its own) that `npm run bench` uses.
declare module 'dcmjs' {
  interface Logger {
    setLevel(level: 'silent' | 'error' | 'warn' | 'info' | 'debug'): void;
  }
  const dcmjs: {
    log: Logger & { getLogger(name: string): Logger };
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { untilTag?: string }): unknown;
      };
    };
  };
  export default dcmjs;
}
