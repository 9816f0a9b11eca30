// The CLI's picture worker (a worker_threads Worker): owns the text engine and the image codecs, and reads
// the text drawn into the pictures it is sent, one at a time, off the main thread that reads headers.

import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { bytesSource, type ByteSource } from '../core/source';
import { readDicomPictureText } from '../core/text/dicom-picture';
import { createNodeTextEngine, type NodeTextEngine } from './text-engine';
import { nodeCodecs } from './codec-host';
import type { PictureJob, PictureJobResult } from './picture-jobs';

let engine: Promise<NodeTextEngine> | undefined;

/** A source over an open file: positional reads, nothing held but what is asked for. */
function fileSource(handle: fs.promises.FileHandle, size: number): ByteSource {
  return {
    size,
    async read(start, end) {
      const s = Math.max(0, Math.min(start, size));
      const e = Math.max(s, Math.min(end, size));
      const out = new Uint8Array(e - s);
      let at = 0;
      while (at < out.length) {
        const { bytesRead } = await handle.read(out, at, out.length - at, s + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at === out.length ? out : out.subarray(0, at);
    },
  };
}

async function run(job: PictureJob): Promise<PictureJobResult> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    engine ??= createNodeTextEngine();
    const ready = await engine;
    let source: ByteSource;
    if (job.file !== undefined) {
      handle = await fs.promises.open(job.file, 'r');
      source = fileSource(handle, (await handle.stat()).size);
    } else {
      source = bytesSource(job.bytes ?? new Uint8Array(0));
    }
    const text = await readDicomPictureText(source, job.terms, ready, nodeCodecs(), job.options ?? {});
    return { id: job.id, text };
  } catch (e) {
    return { id: job.id, error: e instanceof Error ? e.message : 'unknown problem' };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: PictureJob | { type: 'close' }) => {
  if ('type' in job) {
    queue = queue.then(async () => {
      await (await engine?.catch(() => undefined))?.close();
      parentPort?.close();
    });
    return;
  }
  queue = queue.then(async () => parentPort?.postMessage(await run(job)));
});
