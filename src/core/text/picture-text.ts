// Reads the text drawn into the frames of one picture: which frames to look at, the detector on each
// rendering of them, the reader on every box it finds (each distinct crop read once), and what each line
// means. The detector and reader are a TextEngine the host provides (a Worker in the browser, a worker
// thread in Node), so this stays pure.

import {
  boxesFromProbability, detectorInput, mergeBoxes, DEFAULT_DETECTION,
  type DetectionSettings, type DetectorInput, type Image8, type Rect, type TextBox,
} from './detection';
import { cropKey, readerCrop, readsAsText, textShaped, tidyText, type ReaderCrop } from './reading';
import { meaningOf, type PictureTerms, type TextMeaning } from './meaning';

/** What runs the models: the detector's probability map for an input, and the reader's text for crops. */
export interface TextEngine {
  /** One probability per detector pixel (input.width x input.height), row by row. */
  detect(input: DetectorInput): Promise<ArrayLike<number>>;
  /** The text of each crop (one line), with the reader's confidence from 0 to 100. */
  read(crops: readonly ReaderCrop[]): Promise<Array<{ text: string; confidence: number }>>;
}

/** The frames of a picture, rendered to 8 bits for the detector. */
export interface PictureFrames {
  frameCount: number;
  width: number;
  height: number;
  /**
   * The renderings of frame `index` (0-based) to look for text in: the stored value range stretched over
   * black to white, and the display window when the file has one that differs. Throws when the frame
   * cannot be decoded.
   */
  render(index: number): Promise<Image8[]>;
}

/** A line of text found in a frame. */
export interface PictureRegion extends Rect {
  /** 1-based. */
  frame: number;
  text: string;
  confidence: number;
  meaning: TextMeaning;
}

export interface PictureText {
  frameCount: number;
  /** 1-based frames the detector looked at. */
  framesRead: number[];
  /** Frames whose text areas were compared with a frame that was read (long multi-frame pictures). */
  framesCompared: number;
  regions: PictureRegion[];
  /**
   * Boxes the detector found whose text the reader could not make out (a symbol, a trace, text too small
   * or faint): not findings, but masked with the rest, since unreadable is not the same as harmless.
   */
  marks: Array<Rect & { frame: number }>;
  /** Every frame was read or compared. */
  complete: boolean;
  /** Why not every frame was looked at, in plain words (never a value from the file). */
  problem?: string;
}

export interface PictureTextOptions {
  /** Every frame of a picture with up to this many is read. */
  readAllUpTo: number;
  /** Frames read, evenly spread, in a longer picture; the others are compared with them. */
  sampleFrames: number;
  /** The most frames of a long picture compared with the frames read. */
  compareUpTo: number;
  /** The most boxes read again because their frame's text changed. */
  rereadUpTo: number;
  detection: DetectionSettings;
  /** Called after each frame read, for progress. */
  onFrame?: (done: number, total: number) => void;
}

/**
 * Frames of a cine loop or multi-frame series come in tens to thousands, and reading one costs 0.2-0.5 s:
 * every frame of a picture with up to 12 is read (a typical ultrasound still, a short series); a longer one
 * has 12 frames read, evenly spread from first to last, and every other frame compared with them where
 * text was found, so text that changes (a clock, a frame counter, a new label) is read again.
 */
export const DEFAULT_PICTURE_TEXT: Readonly<PictureTextOptions> = {
  readAllUpTo: 12,
  sampleFrames: 12,
  compareUpTo: 4096,
  rereadUpTo: 256,
  detection: DEFAULT_DETECTION,
};

/** `count` frame indexes (0-based), evenly spread from the first to the last of `total`. */
export function spreadFrames(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  if (count <= 1) return [0];
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * (total - 1)) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

/** A pixel differs when its grey values are further apart than compression noise and speckle take them. */
const PIXEL_CHANGED = 64;

/**
 * Whether the text in a crop differs from the same area of another frame: a few pixels changing strongly
 * (one digit of a clock is enough), not many changing a little (noise, compression).
 */
function changed(a: ReaderCrop, b: ReaderCrop): boolean {
  if (a.width !== b.width || a.height !== b.height) return true;
  let count = 0;
  const enough = Math.max(6, a.data.length * 0.002);
  for (let i = 0; i < a.data.length; i++) {
    if (Math.abs(a.data[i]! - b.data[i]!) > PIXEL_CHANGED && ++count >= enough) return true;
  }
  return false;
}

/** Whether two boxes are the same place in two frames (the detector's edges wander by a pixel or two). */
function samePlace(a: Rect, b: Rect): boolean {
  const near = (p: number, q: number): boolean => Math.abs(p - q) <= 3;
  return near(a.x, b.x) && near(a.y, b.y) && near(a.x + a.width, b.x + b.width) && near(a.y + a.height, b.y + b.height);
}

/** Standard deviation of a crop's grey values: the rendering where text stands out most is read. */
function contrast(crop: ReaderCrop): number {
  let sum = 0;
  let squares = 0;
  for (const v of crop.data) {
    sum += v;
    squares += v * v;
  }
  const n = Math.max(1, crop.data.length);
  return Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2));
}

interface Reading {
  text: string;
  confidence: number;
}

/** Reads the text in a picture. Throws only when the engine fails; a frame that cannot be decoded stops the read with a problem. */
export async function readPictureText(
  frames: PictureFrames,
  engine: TextEngine,
  terms: PictureTerms,
  options: Partial<PictureTextOptions> = {},
): Promise<PictureText> {
  const o = { ...DEFAULT_PICTURE_TEXT, ...options };
  const total = frames.frameCount;
  const toRead = total <= o.readAllUpTo ? spreadFrames(total, total) : spreadFrames(total, o.sampleFrames);
  const cache = new Map<string, Reading>();
  const regions: PictureRegion[] = [];
  const marks: PictureText['marks'] = [];
  const result: PictureText = { frameCount: total, framesRead: [], framesCompared: 0, regions, marks, complete: true };

  const readCrops = async (crops: ReaderCrop[]): Promise<Reading[]> => {
    const keys = crops.map(cropKey);
    const missing = [...new Set(keys.filter((k) => !cache.has(k)))];
    if (missing.length > 0) {
      const byKey = new Map(keys.map((k, i) => [k, crops[i]!]));
      const read = await engine.read(missing.map((k) => byKey.get(k)!));
      missing.forEach((k, i) => cache.set(k, { text: tidyText(read[i]?.text ?? ''), confidence: read[i]?.confidence ?? 0 }));
    }
    return keys.map((k) => cache.get(k)!);
  };

  const addRegion = (frame: number, box: Rect, reading: Reading): void => {
    const shaped = textShaped(box, frames);
    if (!readsAsText(reading.text, reading.confidence, shaped)) {
      if (shaped) marks.push({ frame: frame + 1, x: box.x, y: box.y, width: box.width, height: box.height });
      return;
    }
    regions.push({ frame: frame + 1, x: box.x, y: box.y, width: box.width, height: box.height, text: reading.text, confidence: reading.confidence, meaning: meaningOf(reading.text, terms) });
  };

  /** For each frame read: its boxes and the crop of each, in the rendering they were read from. */
  /** Per frame read: each box, the rendering it was read from, the crop read, and the crop's own values. */
  const known = new Map<number, Array<{ box: TextBox; render: number; crop: ReaderCrop; raw: ReaderCrop }>>();
  let lastRead: Array<{ box: TextBox; render: number; crop: ReaderCrop; raw: ReaderCrop; reading: Reading }> = [];
  for (const [n, index] of toRead.entries()) {
    let renders: Image8[];
    try {
      renders = await frames.render(index);
    } catch (e) {
      result.complete = false;
      result.problem = `frame ${index + 1} could not be decoded (${e instanceof Error ? e.message : 'unknown problem'})`;
      return result;
    }
    const lists: TextBox[][] = [];
    for (const image of renders) {
      const input = detectorInput(image, o.detection);
      const probability = await engine.detect(input);
      lists.push(boxesFromProbability(probability, input, image, o.detection));
    }
    const boxes = mergeBoxes(lists);
    const chosen = boxes.map((box) => {
      // Read from the rendering where the text stands out most (before stretching).
      const raws = renders.map((image) => readerCrop(image, box, false));
      let best = 0;
      raws.forEach((c, i) => {
        if (contrast(c) > contrast(raws[best]!)) best = i;
      });
      return { box, render: best, crop: readerCrop(renders[best]!, box), raw: raws[best]! };
    });
    // A box at the same place as one of the frame read before, whose pixels did not change, says the same.
    const before = lastRead;
    const reused = chosen.map((c) => before.find((b) => b.render === c.render && samePlace(b.box, c.box) && !changed(readerCrop(renders[b.render]!, b.box, false), b.raw))?.reading);
    const fresh = chosen.filter((_, i) => reused[i] === undefined);
    const freshReadings = await readCrops(fresh.map((c) => c.crop));
    let k = 0;
    const readings = chosen.map((_, i) => reused[i] ?? freshReadings[k++]!);
    chosen.forEach((c, i) => addRegion(index, c.box, readings[i]!));
    lastRead = chosen.map((c, i) => ({ ...c, reading: readings[i]! }));
    known.set(index, chosen);
    result.framesRead.push(index + 1);
    o.onFrame?.(n + 1, toRead.length);
  }

  if (total > toRead.length) {
    // Every other frame: its text areas compared with those of the nearest frame read before it.
    let rereads = 0;
    let compared = 0;
    for (let index = 0; index < total; index++) {
      if (known.has(index)) continue;
      if (compared >= o.compareUpTo) {
        result.complete = false;
        result.problem = `${total - toRead.length - compared} of its ${total} frames were not looked at (more than ${o.compareUpTo})`;
        break;
      }
      const nearest = toRead.filter((r) => r < index).pop() ?? toRead[0]!;
      const areas = known.get(nearest)!;
      compared++;
      if (areas.length === 0) continue;
      let renders: Image8[];
      try {
        renders = await frames.render(index);
      } catch (e) {
        result.complete = false;
        result.problem = `frame ${index + 1} could not be decoded (${e instanceof Error ? e.message : 'unknown problem'})`;
        break;
      }
      const moved = areas
        .map((a) => {
          const image = renders[a.render] ?? renders[0]!;
          return { ...a, crop: readerCrop(image, a.box), now: readerCrop(image, a.box, false) };
        })
        .filter((a) => changed(a.now, a.raw));
      if (moved.length === 0) continue;
      if (rereads + moved.length > o.rereadUpTo) {
        result.complete = false;
        result.problem = `the text of its frames changes more often than this tool reads (${o.rereadUpTo} areas)`;
        break;
      }
      rereads += moved.length;
      const readings = await readCrops(moved.map((c) => c.crop));
      moved.forEach((c, i) => addRegion(index, c.box, readings[i]!));
    }
    result.framesCompared = compared;
  }
  return result;
}

/** Every region of every frame, one rectangle each, for masking the whole picture (frames not read included). */
export function maskRects(text: Pick<PictureText, 'regions' | 'marks'>): Rect[] {
  const out: Rect[] = [];
  for (const r of [...text.regions, ...text.marks]) {
    if (!out.some((o) => o.x === r.x && o.y === r.y && o.width === r.width && o.height === r.height)) {
      out.push({ x: r.x, y: r.y, width: r.width, height: r.height });
    }
  }
  return out;
}
