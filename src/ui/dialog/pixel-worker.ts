// A module Worker for the dialog page that decodes frames off the page's thread: it is sent a file and a
// frame number and answers with the decoded frame (its pixels transferred) or the reason there is none.
// The dialog starts it with `new Worker(new URL('./pixel-worker.ts', import.meta.url), { type: 'module' })`.

import { readDicomHeader } from '../../core/dicom/header';
import type { NativeFrame } from '../../core/pixels/frame';
import { openPixels } from '../../core/pixels/reader';
import { sniff, SNIFF_BYTES } from '../../core/sniff';
import { blobSource } from '../../core/source';
import { extensionCodecs } from './codec-assets';

export interface PixelRequest {
  id: number;
  file: Blob;
  /** 0-based. */
  frame: number;
}

export type PixelAnswer =
  | { id: number; frame: NativeFrame; frameCount: number }
  | { id: number; reason: string };

async function answer(request: PixelRequest): Promise<PixelAnswer> {
  const source = blobSource(request.file);
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') return { id: request.id, reason: 'it is not a DICOM file' };
  const reader = openPixels(source, await readDicomHeader(source, sniffed), extensionCodecs());
  if (reader.kind === 'none') return { id: request.id, reason: reader.reason };
  const frame = await reader.readFrame(request.frame);
  if (frame.kind === 'none') return { id: request.id, reason: frame.reason };
  return { id: request.id, frame, frameCount: reader.frameCount };
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PixelRequest>) => void) | null;
  postMessage(message: PixelAnswer, transfer?: Transferable[]): void;
};

scope.onmessage = (event) => {
  const request = event.data;
  answer(request).then(
    (reply) => scope.postMessage(reply, 'frame' in reply ? [reply.frame.pixels.buffer] : []),
    () => scope.postMessage({ id: request.id, reason: 'the file could not be read' }),
  );
};
