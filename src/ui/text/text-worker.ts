// The text worker: a module Worker of an extension page that owns the text engine (detection model and
// reader) and the image codecs, and reads the text in the pictures it is sent, one request at a time, off
// the page's thread. It also checks pictures and PDFs that are not DICOM and makes their cleaned copies
// (document-host.ts), and draws small previews of frames, pictures and PDF pages for the dialog.

import { createBrowserTextEngine, type BrowserTextEngine } from './engine';
import { readPictureText } from '../../core/text/picture-text';
import { readDicomPictureText } from '../../core/text/dicom-picture';
import { readDicomHeader, DicomReadError } from '../../core/dicom/header';
import { openPixels } from '../../core/pixels/reader';
import { shrinkFrame, toRgba } from '../../core/pixels/render';
import { sniff, SNIFF_BYTES } from '../../core/sniff';
import { blobSource } from '../../core/source';
import { extensionCodecs } from '../dialog/codec-assets';
import type { FromTextWorker, PicturePreview, ToTextWorker } from './protocol';
import type { NativeFrame } from '../../core/pixels/frame';
import { checkDocument } from '../../core/documents/document-check';
import { cleanDocument, DocumentCleanError } from '../../core/documents/document-clean';
import { PictureDecodeError } from '../../core/documents/picture-decode';
import { PdfOpenError } from '../../core/documents/pdf-check';
import { DocumentHostError, documentPreview, extensionDocumentHost } from './document-host';

const scope = self as unknown as {
  postMessage(message: FromTextWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  location: Location;
};

/** The extension's root URL: this script lives in its assets folder. */
const ROOT = new URL('/', scope.location.href).href;

let engine: Promise<BrowserTextEngine> | undefined;
function loadEngine(): Promise<BrowserTextEngine> {
  engine ??= createBrowserTextEngine(ROOT);
  return engine;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown problem';
}

/** The text engine could not start: its reason names the extension's own files, nothing of a file checked. */
class EngineStartError extends Error {
  override readonly name = 'EngineStartError';
}

async function ready(): Promise<BrowserTextEngine> {
  return loadEngine().catch((e: unknown) => {
    engine = undefined;
    throw new EngineStartError(`the text reader could not start (${messageOf(e)})`);
  });
}

const documents = extensionDocumentHost(ROOT, ready);

/**
 * Why a picture or PDF request failed, in plain words: the reasons the checks, the copies and this host
 * give; anything else (an error deep in a decoder or pdf.js) is named only by what was being done, since
 * its message could quote the file.
 */
function documentReason(e: unknown, doing: string): string {
  const plain = [DocumentCleanError, PictureDecodeError, PdfOpenError, DocumentHostError, EngineStartError];
  if (plain.some((kind) => e instanceof kind)) return (e as Error).message;
  return `${doing} failed unexpectedly`;
}

/** Frame `frame` (1-based) of the DICOM file, decoded, and how many frames it has. */
async function decodedFrame(file: Blob, frame: number): Promise<{ frame: NativeFrame; frameCount: number }> {
  const source = blobSource(file);
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error('it is not a DICOM file');
  let header;
  try {
    header = await readDicomHeader(source, sniffed);
  } catch (e) {
    throw new Error(e instanceof DicomReadError ? e.message : 'its header could not be read');
  }
  const pixels = openPixels(source, header, extensionCodecs());
  if (pixels.kind === 'none') throw new Error(pixels.reason);
  const decoded = await pixels.readFrame(frame - 1);
  if (decoded.kind === 'none') throw new Error(decoded.reason);
  return { frame: decoded, frameCount: pixels.frameCount };
}

async function preview(file: Blob, frame: number, maxSide: number): Promise<PicturePreview> {
  const { frame: decoded } = await decodedFrame(file, frame);
  const small = shrinkFrame(decoded, maxSide);
  return { width: small.columns, height: small.rows, scale: small.columns / decoded.columns, rgba: toRgba(small) };
}

async function handle(message: ToTextWorker): Promise<void> {
  if (message.type === 'warm-up') {
    await loadEngine().catch(() => undefined);
    return;
  }
  const { id } = message;
  const onFrame = (done: number, total: number): void => scope.postMessage({ type: 'progress', id, done, total });
  try {
    switch (message.type) {
      case 'read-dicom': {
        const text = await readDicomPictureText(blobSource(message.file), message.terms, await ready(), extensionCodecs(), { onFrame });
        scope.postMessage({ type: 'result', id, text });
        return;
      }
      case 'read-image': {
        const { image } = message;
        const text = await readPictureText({ frameCount: 1, width: image.width, height: image.height, render: async () => [image] }, await ready(), message.terms, { onFrame });
        scope.postMessage({ type: 'result', id, text });
        return;
      }
      case 'preview': {
        const shown = await preview(message.file, message.frame, message.maxSide);
        scope.postMessage({ type: 'preview', id, preview: shown }, [shown.rgba.buffer]);
        return;
      }
      case 'frame': {
        const { frame, frameCount } = await decodedFrame(message.file, message.frame);
        scope.postMessage({ type: 'frame', id, frame, frameCount }, [frame.pixels.buffer]);
        return;
      }
      default:
        await handleDocument(message);
    }
  } catch (e) {
    scope.postMessage({ type: 'error', id, reason: messageOf(e) });
  }
}

async function handleDocument(message: Extract<ToTextWorker, { type: 'check-document' | 'clean-document' | 'document-preview' }>): Promise<void> {
  const { id } = message;
  const doing = message.type === 'check-document' ? 'checking the file' : message.type === 'clean-document' ? 'making the cleaned copy' : 'drawing the preview';
  try {
    switch (message.type) {
      case 'check-document': {
        const report = await checkDocument(blobSource(message.file), documents);
        scope.postMessage({ type: 'document', id, report });
        return;
      }
      case 'clean-document': {
        const cleaned = await cleanDocument(blobSource(message.file), message.plan, documents);
        scope.postMessage({ type: 'cleaned', id, cleaned }, [cleaned.bytes.buffer as ArrayBuffer]);
        return;
      }
      case 'document-preview': {
        const shown = await documentPreview(message.file, message.page, message.maxSide, documents);
        scope.postMessage({ type: 'preview', id, preview: shown }, [shown.rgba.buffer]);
        return;
      }
    }
  } catch (e) {
    scope.postMessage({ type: 'error', id, reason: documentReason(e, doing) });
  }
}

let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event: MessageEvent) => {
  const message = event.data as ToTextWorker;
  // Reads, checks and copies take turns (one engine); previews are drawn at once, between the steps of a read.
  // The engine's warm-up does not hold the queue: a photo's metadata and look, or a PDF's text layer, need
  // no engine and are checked while it loads (whatever needs it waits for the same load).
  if (message.type === 'warm-up' || message.type === 'preview' || message.type === 'frame' || message.type === 'document-preview') void handle(message);
  else queue = queue.then(() => handle(message));
};
