// Checks one picture that is not DICOM (a photo, a screenshot, a viewer's export): its metadata, then a
// cheap look at its pixels, and only when it looks like a medical image or a viewer's screen (mostly grey,
// dark or paper-light) its text, read with the same detector and reader as DICOM pictures.

import type { Finding, FindingRegion, Verdict } from '../report';
import type { ImageFormat } from '../sniff';
import type { Image8 } from '../text/detection';
import { readPictureText, type TextEngine } from '../text/picture-text';
import { PIXEL_DATA_TAG } from '../text/picture-findings';
import { documentTerms, lineMeaning, pictureLooks, viewerText } from './document-text';
import { readPictureMetadata } from './picture-metadata';
import { decodePicture, orient, storedRect, PictureDecodeError } from './picture-decode';
import { jpegLayout } from './jpeg-file';
import { pngChunks } from './png-file';
import { gifLayout, webpChunks } from './webp-gif-files';
import type { DocumentHost, DocumentLimits, DocumentReport } from './document-check';

/** What was read in one picture (or one scanned page): findings with regions in the given pixels, and marks. */
export interface PictureTextFindings {
  findings: Finding[];
  marks: FindingRegion[];
  lines: string[];
  looksMedical: boolean;
}

/**
 * Reads the text of an already decoded picture (as it is shown) and turns it into findings (tag 7FE00010,
 * picture-content). `toRegion` maps a rectangle of the shown picture to the report's region (stored pixels
 * and frame, or a PDF page). Every line is a finding when the text is a medical viewer's; otherwise only
 * lines that identify someone are.
 */
export async function pictureTextFindings(
  shown: Image8,
  engine: TextEngine,
  names: readonly string[],
  toRegion: (r: { x: number; y: number; width: number; height: number }) => FindingRegion,
  everyLine: boolean | 'when-medical' = 'when-medical',
): Promise<PictureTextFindings> {
  const first = documentTerms([], names);
  const text = await readPictureText({ frameCount: 1, width: shown.width, height: shown.height, render: async () => [shown] }, engine, first);
  const lines = text.regions.map((r) => r.text);
  const terms = documentTerms(lines, names);
  const looksMedical = viewerText(lines);
  const all = everyLine === true || (everyLine === 'when-medical' && looksMedical);
  const findings: Finding[] = [];
  for (const r of text.regions) {
    const meaning = lineMeaning(r.text, terms);
    if (!meaning && !all) continue;
    // As for DICOM pictures: high when the line repeats or looks like anything identifying.
    const high = meaning?.severity === 'high' || meaning?.meaning.severity === 'high';
    findings.push({
      tag: PIXEL_DATA_TAG,
      keyword: 'PixelData',
      category: 'picture-content',
      severity: high ? 'high' : 'medium',
      sequence: [],
      private: false,
      value: r.text,
      region: toRegion({ x: r.x, y: r.y, width: r.width, height: r.height }),
      note: meaning ? `text in the picture: ${meaning.note}` : 'text drawn into the picture',
      text: { repeats: [...(meaning?.meaning.repeats ?? [])], looksLike: [...(meaning?.meaning.looksLike ?? [])] },
    });
  }
  // Lines not reported (they identify no one) are not masked either; boxes that could not be read are.
  const marks = text.marks.map((m) => toRegion({ x: m.x, y: m.y, width: m.width, height: m.height }));
  return { findings, marks, lines, looksMedical };
}

function verdictOf(findings: readonly Finding[], problem: string | undefined, looksMedical: boolean): Verdict {
  if (problem !== undefined) return 'unreadable';
  if (findings.some((f) => f.severity !== 'low')) return 'identifying';
  return looksMedical ? 'clean' : 'not-medical';
}

/**
 * Why a picture's file is damaged, from its structure alone (decoders often show what they could of a cut
 * picture without a word): undefined when it is whole.
 */
export function structureProblem(bytes: Uint8Array, format: ImageFormat): string | undefined {
  try {
    switch (format) {
      case 'jpeg':
        return jpegLayout(bytes).complete ? undefined : 'the picture is cut short (it has no end marker)';
      case 'png':
        return pngChunks(bytes).complete ? undefined : 'the picture is cut short (it has no end chunk)';
      case 'gif':
        return gifLayout(bytes).complete ? undefined : 'the picture is cut short';
      case 'webp':
        return webpChunks(bytes).complete ? undefined : 'the picture is cut short';
      default:
        return undefined;
    }
  } catch (e) {
    return e instanceof Error ? e.message : 'the picture is damaged';
  }
}

/** Checks one picture's bytes. Never throws for a bad picture; engine failures reject. */
export async function checkPicture(bytes: Uint8Array, format: ImageFormat, host: DocumentHost, limits: DocumentLimits): Promise<DocumentReport> {
  const metadata = await readPictureMetadata(bytes, format);
  const findings = [...metadata.findings];
  const problems: string[] = metadata.problem ? [metadata.problem] : [];
  const damaged = structureProblem(bytes, format);
  if (damaged) problems.push(damaged);
  const document: DocumentReport['document'] = { kind: 'image', subtype: format, looksMedical: false, pictureText: 'skipped' };
  if (metadata.orientation !== 1) document.orientation = metadata.orientation;
  let picture: DocumentReport['picture'];
  let image: Image8 | undefined;
  try {
    image = await decodePicture(bytes, format, host.decoders, { maxPixels: limits.maxPixels });
  } catch (e) {
    document.pictureText = 'not-read';
    const reason = e instanceof PictureDecodeError ? e.message : 'the picture could not be decoded';
    problems.push(reason);
  }
  if (image) {
    document.width = image.width;
    document.height = image.height;
    const o = metadata.orientation;
    const shown = orient(image, o);
    const looks = pictureLooks(shown);
    const read = limits.pictureText === 'always' || (limits.pictureText === 'when-plausible' && looks.plausible);
    if (read && host.engine) {
      const engine = await host.engine();
      const text = await pictureTextFindings(shown, engine, metadata.names, (r) => ({ frame: 1, ...storedRect(r, o, image!.width, image!.height) }));
      findings.push(...text.findings);
      document.pictureText = 'read';
      document.looksMedical = text.looksMedical;
      // One frame already decoded: its read is always complete.
      picture = { status: 'read', frames: 1, framesRead: 1, ...(text.marks.length > 0 ? { marks: text.marks } : {}) };
    } else if (read) {
      document.pictureText = 'not-read';
      problems.push('no text reader is available here');
    }
  }
  const reason = problems.length > 0 ? [...new Set(problems)].join('; ') : undefined;
  const verdict = verdictOf(findings, reason, document.looksMedical);
  if (reason !== undefined) document.reason = reason;
  return { format: 'image', verdict, ...(reason !== undefined ? { reason } : {}), findings, document, ...(picture ? { picture } : {}) };
}
