// The CLI's ByteSource over a file on disk: positional reads on the file's descriptor, the first bytes read
// ahead when the file is opened (a DICOM header is usually all in them), no Blob. Node's callback API is
// used rather than FileHandle: per operation it costs the main thread about half as much (a FileHandle is
// a promise-wrapped object with its own close tracking), which shows on folders of thousands of files.

import fs from 'node:fs';
import type { ByteSource } from '../core/source';

/** Bytes read when a file is opened: more than most DICOM headers, far less than a typical image. */
export const READ_AHEAD_BYTES = 16 * 1024;

export interface FileSource extends ByteSource {
  /** Closes the file (done at once when the read-ahead already holds all of it). */
  close(): Promise<void>;
}

function open(file: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}

function read(fd: number, into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, into, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((resolve, reject) => fs.fstat(fd, (e, stat) => (e ? reject(e) : resolve(stat))));
}

function close(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (e) => (e ? reject(e) : resolve())));
}

/** Reads `length` bytes at `position`, fewer only where the file ends. */
async function readFully(fd: number, length: number, position: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await read(fd, out, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled < length ? out.subarray(0, filled) : out;
}

/** Opens `file` for reading and reads its first `readAhead` bytes; rejects as fs does when it cannot. */
export async function openFileSource(file: string, readAhead = READ_AHEAD_BYTES): Promise<FileSource> {
  const fd = await open(file);
  let head: Uint8Array;
  let size: number;
  try {
    // The size is asked for while the first bytes are read.
    const [first, stat] = await Promise.all([readFully(fd, readAhead, 0), fstat(fd)]);
    head = first;
    // A file that ended within the read-ahead is whole in memory: its size is what was read.
    size = head.length < readAhead ? head.length : Math.max(stat.size, head.length);
  } catch (e) {
    await close(fd);
    throw e;
  }
  let openFd: number | undefined = fd;
  if (head.length >= size) {
    openFd = undefined;
    await close(fd);
  }
  return {
    size,
    async read(start, end) {
      const s = Math.max(0, Math.min(start, size));
      const e = Math.max(s, Math.min(end, size));
      if (e <= head.length) return head.subarray(s, e);
      if (openFd === undefined) throw new Error('the file is closed');
      return readFully(openFd, e - s, s);
    },
    async close() {
      const toClose = openFd;
      openFd = undefined;
      if (toClose !== undefined) await close(toClose);
    },
  };
}
