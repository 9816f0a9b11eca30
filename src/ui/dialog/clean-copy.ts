// The seam where the dialog gets de-identified copies of the held files ("Upload a de-identified copy"):
// the engine's de-identifier with this install's key and the settings in force, every copy verified by a
// second scan inside the engine. A copy is offered only when every medical file came out clean.

import browser from 'webextension-polyfill';
import { deidentifyFiles, type DeidentifyResult, type DocumentCleaning, type PictureCleaning } from '../../core/deidentify';
import type { DocumentPlan } from '../../core/documents/document-clean';
import { workerDocumentReading } from './pictures';
import type { MaskPlan } from '../../core/text/picture-findings';
import { extensionCodecs } from './codec-assets';
import type { TextReader } from '../text/client';
import {
  DEIDENTIFICATION_KEY_STORAGE_KEY,
  SETTINGS_STORAGE_KEY,
  decodeDeidentificationKey,
  effectiveSettings,
  type DeidentifySettings,
} from '../../core/settings';
import type { DeidentificationKeyMessage } from '../../background/protocol';

/** Files whose copy could not be made or verified, by the path shown to the person, with the reason. */
export interface UncleanedFile {
  path: string;
  reason: string;
}

/** Either the cleaned copies, or why there are none (then the dialog does not offer the choice). */
export type CleanCopies =
  | { available: false; reason: string; failed: UncleanedFile[] }
  | {
      available: true;
      files: File[];
      /** Paths of copies whose picture itself may show identifying text (the header was cleaned, not the picture). */
      pictureMayShowText: string[];
      /** Paths of copies from which a face could still be rebuilt. */
      faceMayBeRebuilt: string[];
      /** Copies whose picture had its text masked, and how many regions in all. */
      masked: { files: number; regions: number };
      /** Paths of PDFs whose copy is made of pictures of their pages (their text can no longer be selected). */
      imageOnlyPdfs: string[];
    };

async function deidentificationKey(): Promise<Uint8Array> {
  const got = await browser.storage.local.get(DEIDENTIFICATION_KEY_STORAGE_KEY);
  const stored = decodeDeidentificationKey(got[DEIDENTIFICATION_KEY_STORAGE_KEY]);
  if (stored) return stored;
  // Not created yet (the background creates it once): ask for it.
  const ask: DeidentificationKeyMessage = { type: 'spg:deidentification-key' };
  const reply = (await browser.runtime.sendMessage(ask)) as { key?: unknown } | undefined;
  const key = decodeDeidentificationKey(reply?.key);
  if (!key) throw new Error('no de-identification key');
  return key;
}

async function deidentifyOptions(): Promise<DeidentifySettings> {
  const local = await browser.storage.local.get(SETTINGS_STORAGE_KEY);
  let managed: unknown;
  try {
    managed = await browser.storage.managed.get();
  } catch {
    managed = undefined; // no policy installed (Firefox throws without one)
  }
  return effectiveSettings(local[SETTINGS_STORAGE_KEY], managed).settings.deidentify;
}

function asFile(result: DeidentifyResult, original: File): File {
  const out = result.output!;
  if (out instanceof File && out.name === original.name) return out;
  return new File([out], original.name, { type: original.type, lastModified: original.lastModified });
}

/** What the copies do to the pictures: the regions to mask per file, and the reader that checks the copies. */
export interface CopyPictures {
  plans: ReadonlyMap<string, MaskPlan>;
  reader: TextReader;
}

/** What the copies do to pictures and PDFs that are not DICOM: what to mask in each, and the worker that cleans and checks. */
export interface CopyDocuments {
  plans: ReadonlyMap<string, DocumentPlan>;
  reader: TextReader;
}

/**
 * Prepares de-identified copies of `files` (same names, types and lastModified, in the same order; files
 * with nothing medical passed through unchanged). `paths` are the paths shown to the person, one per file.
 * With `pictures`, the text in the pictures is masked (Clean Pixel Data, unless the settings turn it off)
 * and every copy's picture read again. Never hands out a partly cleaned upload: one failed file and no copy.
 */
export async function prepareCleanCopies(files: File[], paths: string[], pictures?: CopyPictures, documents?: CopyDocuments): Promise<CleanCopies> {
  const [key, options] = await Promise.all([deidentificationKey(), deidentifyOptions()]);
  const cleaning: PictureCleaning | undefined = pictures && {
    planFor: (path) => pictures.plans.get(path),
    // The copy is checked by the same worker: its bytes are handed over (it exists only in memory).
    verify: async (request) => pictures.reader.readDicom(new Blob([(await request.source.read(0, request.source.size)) as Uint8Array<ArrayBuffer>]), request.terms),
    codecs: extensionCodecs(),
  };
  // Pictures and PDFs (on the sites where they are checked): cleaned by the worker, each copy checked again there.
  const documentCleaning: DocumentCleaning | undefined = documents && {
    planFor: (path) => documents.plans.get(path),
    clean: async (request) => documents.reader.cleanDocument(new Blob([(await request.source.read(0, request.source.size)) as Uint8Array<ArrayBuffer>]), request.plan),
    verify: workerDocumentReading([], documents.reader, true),
  };
  const results = await deidentifyFiles(files.map((file, i) => ({ path: paths[i] ?? file.name, file })), {
    key,
    options,
    ...(cleaning ? { pictures: cleaning } : {}),
    ...(documentCleaning ? { documents: documentCleaning } : {}),
  });
  const failed = results
    .filter((r) => r.status === 'failed' || !r.output)
    .map((r) => ({ path: r.path, reason: r.reason ?? 'the copy could not be made' }));
  if (failed.length > 0 || results.length !== files.length) {
    return { available: false, reason: failed[0]?.reason ?? 'the copy could not be made', failed };
  }
  return {
    available: true,
    files: results.map((r, i) => asFile(r, files[i]!)),
    pictureMayShowText: results.filter((r) => r.pictureMayShowText).map((r) => r.path),
    faceMayBeRebuilt: results.filter((r) => r.faceMayBeRebuilt).map((r) => r.path),
    masked: {
      files: results.filter((r) => r.pictureMasked || (r.documentCopy?.masked ?? 0) > 0).length,
      regions: results.reduce((n, r) => n + (r.pictureMasked?.regions ?? 0) + (r.documentCopy?.masked ?? 0), 0),
    },
    imageOnlyPdfs: results.filter((r) => r.documentCopy?.imageOnly).map((r) => r.path),
  };
}
