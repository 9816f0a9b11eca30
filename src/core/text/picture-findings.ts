// Text read in a picture as findings of the report (tag 7FE00010, keyword PixelData, category
// picture-content, the line read as the value and its region), and which files of a series are read when
// an upload holds many pictures of the same kind.

import type { FileReport, Finding, FindingRegion, PictureCheck } from '../report';
import type { Rect } from './detection';
import type { PictureRegion, PictureText } from './picture-text';
import type { TextMeaning } from './meaning';

export const PIXEL_DATA_TAG = '7FE00010';

const REPEAT_WORDS: Readonly<Record<TextMeaning['repeats'][number], string>> = {
  name: "the patient's name",
  identifier: "the patient's ID or accession number",
  'birth-date': "the patient's birth date",
  date: 'a date of the study',
  institution: 'the institution',
  staff: 'a member of staff',
};

const SHAPE_WORDS: Readonly<Record<TextMeaning['looksLike'][number], string>> = {
  name: 'a name',
  date: 'a date',
  identifier: 'an ID',
  phone: 'a phone number',
  institution: 'a hospital or practice',
};

/** Why a line of text is a finding, in plain words. */
export function textNote(meaning: TextMeaning): string {
  if (meaning.repeats.length > 0) return `text in the picture repeats ${meaning.repeats.map((k) => REPEAT_WORDS[k]).join(' and ')}`;
  if (meaning.looksLike.length > 0) return `text in the picture looks like ${meaning.looksLike.map((k) => SHAPE_WORDS[k]).join(' or ')}`;
  return 'text drawn into the picture';
}

/** The same text at (nearly) the same place is one finding, whatever the number of frames showing it. */
function samePlace(a: FindingRegion, b: PictureRegion): boolean {
  return Math.abs(a.x - b.x) <= 2 && Math.abs(a.y - b.y) <= 2 && Math.abs(a.width - b.width) <= 4 && Math.abs(a.height - b.height) <= 4;
}

/** The most frames listed in one finding's region. */
const MAX_LISTED_FRAMES = 64;

/** One finding per line of text read (the same line in many frames once, with the frames listed). */
export function pictureTextFindings(text: Pick<PictureText, 'regions'>): Finding[] {
  const out: Finding[] = [];
  for (const r of text.regions) {
    const same = out.find((f) => f.value === r.text && f.region !== undefined && samePlace(f.region, r));
    if (same?.region) {
      const frames = same.region.frames ?? [same.region.frame ?? 1];
      if (!frames.includes(r.frame) && frames.length < MAX_LISTED_FRAMES) frames.push(r.frame);
      same.region.frames = frames;
      continue;
    }
    out.push({
      tag: PIXEL_DATA_TAG,
      keyword: 'PixelData',
      category: 'picture-content',
      severity: r.meaning.severity,
      sequence: [],
      private: false,
      value: r.text,
      region: { frame: r.frame, x: r.x, y: r.y, width: r.width, height: r.height },
      note: textNote(r.meaning),
      text: { repeats: [...r.meaning.repeats], looksLike: [...r.meaning.looksLike] },
    });
  }
  return out;
}

/** The finding that says a picture's text could not be checked, and why. */
export function notCheckedFinding(reason: string): Finding {
  return {
    tag: PIXEL_DATA_TAG, keyword: 'PixelData', category: 'picture-content', severity: 'medium', sequence: [], private: false,
    note: `the picture may show identifying text: it could not be checked (${reason})`,
  };
}

/** What a file's report says of how its picture was checked. */
export function pictureCheckOf(text: PictureText): PictureCheck {
  return {
    status: 'read',
    frames: text.frameCount,
    framesRead: text.framesRead.length,
    ...(text.complete ? {} : { reason: text.problem ?? 'not every frame could be looked at' }),
  };
}

/** The marks of a picture (boxes whose text could not be made out), each place once. */
export function pictureMarks(text: Pick<PictureText, 'marks'>): FindingRegion[] {
  const out: FindingRegion[] = [];
  for (const m of text.marks) {
    if (!out.some((o) => Math.abs(o.x - m.x) <= 2 && Math.abs(o.y - m.y) <= 2 && Math.abs(o.width - m.width) <= 4 && Math.abs(o.height - m.height) <= 4)) {
      out.push({ frame: m.frame, x: m.x, y: m.y, width: m.width, height: m.height });
    }
  }
  return out;
}

/** What a de-identified copy of a file should mask, from the file's report. */
export interface MaskPlan {
  regions: Rect[];
  /** The text of the picture was read (not only guessed from its header). */
  checked: boolean;
}

/**
 * The regions to mask in each file of a scan (by report path, zip entries included): every line of text
 * read and every mark, in every frame; `keep` returns true for a finding the person chose to leave visible
 * (only findings that do not repeat the patient's values may be kept).
 */
export function maskPlans(reports: readonly FileReport[], keep: (finding: Finding, report: FileReport) => boolean = () => false): Map<string, MaskPlan> {
  const plans = new Map<string, MaskPlan>();
  const visit = (report: FileReport): void => {
    for (const entry of report.entries ?? []) visit(entry);
    if (!report.picture) return;
    const regions: Rect[] = [];
    const add = (r: FindingRegion): void => {
      if (!regions.some((o) => o.x === r.x && o.y === r.y && o.width === r.width && o.height === r.height)) regions.push({ x: r.x, y: r.y, width: r.width, height: r.height });
    };
    for (const f of report.findings) {
      if (f.tag !== PIXEL_DATA_TAG || !f.region) continue;
      if ((f.text?.repeats.length ?? 0) === 0 && keep(f, report)) continue;
      add(f.region);
    }
    for (const m of report.picture.marks ?? []) add(m);
    plans.set(report.path, { regions, checked: report.picture.status !== 'not-read' && report.picture.reason === undefined });
  };
  reports.forEach(visit);
  return plans;
}

// ---- series --------------------------------------------------------------------------------------------

/** A picture of an upload, as the choice of which to read sees it. */
export interface PictureCandidate {
  series?: string;
  /** Rows x columns x frames. */
  pixels: number;
  bytes: number;
  imageType?: string;
  sopClass?: string;
  instanceNumber?: number;
}

export interface PictureSample {
  /** Indexes of the candidates to read. */
  read: number[];
  /** For every candidate not read, the candidate read in its place. */
  standIns: Map<number, number>;
}

/** Series with this many pictures or fewer have every picture read. */
const READ_WHOLE_SERIES_UP_TO = 3;

function signature(c: PictureCandidate): string {
  return `${c.pixels}\u0000${c.imageType ?? ''}\u0000${c.sopClass ?? ''}`;
}

/**
 * Which pictures to read. A series (a CT or MR series has hundreds of slices, drawn by the same scanner
 * with the same overlay) has its first, middle and last picture of the usual kind read, and every picture
 * that differs from that kind (another size, ImageType or SOP class, or a file much larger or smaller than
 * the series' usual, as a screen capture or a localiser is); the others stand in for by the nearest
 * picture read. Pictures with no series are all read.
 */
export function choosePictures(candidates: readonly PictureCandidate[]): PictureSample {
  const read = new Set<number>();
  const standIns = new Map<number, number>();
  const bySeries = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    if (c.series === undefined) {
      read.add(i);
      return;
    }
    const list = bySeries.get(c.series) ?? [];
    list.push(i);
    bySeries.set(c.series, list);
  });
  for (const members of bySeries.values()) {
    if (members.length <= READ_WHOLE_SERIES_UP_TO) {
      members.forEach((i) => read.add(i));
      continue;
    }
    const counts = new Map<string, number>();
    for (const i of members) counts.set(signature(candidates[i]!), (counts.get(signature(candidates[i]!)) ?? 0) + 1);
    const usual = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const sizes = members.map((i) => candidates[i]!.bytes).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    const typical = members.filter((i) => {
      const c = candidates[i]!;
      const odd = signature(c) !== usual || c.bytes > median * 1.5 || c.bytes < median / 1.5;
      if (odd) read.add(i);
      return !odd;
    });
    const ordered = [...typical].sort((a, b) => (candidates[a]!.instanceNumber ?? a) - (candidates[b]!.instanceNumber ?? b) || a - b);
    const picks = [0, Math.floor((ordered.length - 1) / 2), ordered.length - 1].map((k) => ordered[k]!);
    for (const p of picks) read.add(p);
    ordered.forEach((i, k) => {
      if (read.has(i)) return;
      // The nearest pick in the series' order.
      const position = picks.map((p) => ordered.indexOf(p));
      let best = picks[0]!;
      let distance = Infinity;
      position.forEach((pos, j) => {
        if (Math.abs(pos - k) < distance) {
          distance = Math.abs(pos - k);
          best = picks[j]!;
        }
      });
      standIns.set(i, best);
    });
  }
  return { read: [...read].sort((a, b) => a - b), standIns };
}
