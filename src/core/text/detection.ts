// Where text is drawn in a picture, with a DB text detector (PaddleOCR's PP-OCRv4 detection model): builds
// the detector's input tensor from an 8-bit picture (scaled, padded, normalised) and turns its probability
// map back into boxes in the picture's own pixels. Pure: the model itself runs wherever the host runs it.

/** An 8-bit picture, row by row: one sample a pixel (grey) or three (R, G, B). */
export interface Image8 {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array | Uint8ClampedArray;
}

/** A rectangle in a picture's pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A box the detector drew around a line of text, with its mean probability. */
export interface TextBox extends Rect {
  score: number;
}

/** The detector's input: a 1 x 3 x height x width tensor (B, G, R planes) and how it maps to the picture. */
export interface DetectorInput {
  data: Float32Array;
  width: number;
  height: number;
  /** Detector pixels per picture pixel. */
  scale: number;
  /** Detector pixels of border added on each side. */
  pad: number;
}

export interface DetectionSettings {
  /** The longest side the picture is scaled down to (PaddleOCR's own default limit is 960). */
  maxSide: number;
  /** Pictures whose longest side is shorter are scaled up towards this, at most twice, so small text is seen. */
  minSide: number;
  /** Border added on every side, in the border's most common colour: text often touches the edge. */
  pad: number;
  /** Probability above which a detector pixel is text (PaddleOCR det_db_thresh). */
  pixelThreshold: number;
  /** Mean probability a box needs (PaddleOCR det_db_box_thresh). */
  boxThreshold: number;
  /** How far a box is grown around its core (PaddleOCR det_db_unclip_ratio). */
  unclipRatio: number;
  /** Boxes whose shorter side is below this many picture pixels are not text anyone could read. */
  minTextHeight: number;
}

export const DEFAULT_DETECTION: Readonly<DetectionSettings> = {
  maxSide: 960,
  minSide: 640,
  pad: 16,
  pixelThreshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  minTextHeight: 6,
};

/** The detector's input sides are multiples of this (its strides). */
const STRIDE = 32;
/** ImageNet normalisation, as the model was trained (B, G, R order, as PaddleOCR reads pictures with OpenCV). */
const MEAN_BGR = [0.406, 0.456, 0.485] as const;
const STD_BGR = [0.225, 0.224, 0.229] as const;

/** The most common colour of the picture's outermost rows and columns (the padding colour). */
export function borderColour(image: Image8): [number, number, number] {
  const { width, height, channels, data } = image;
  const counts = new Map<number, number>();
  const count = (x: number, y: number): void => {
    const at = (y * width + x) * channels;
    const key = channels === 1 ? data[at]! * 0x10101 : (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (let x = 0; x < width; x++) {
    count(x, 0);
    if (height > 1) count(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    count(0, y);
    if (width > 1) count(width - 1, y);
  }
  let best = 0;
  let bestCount = -1;
  for (const [key, n] of counts) {
    if (n > bestCount) {
      best = key;
      bestCount = n;
    }
  }
  return [(best >> 16) & 255, (best >> 8) & 255, best & 255];
}

/** The scale the picture is detected at. */
export function detectionScale(width: number, height: number, settings: DetectionSettings = DEFAULT_DETECTION): number {
  const longest = Math.max(width, height);
  if (longest > settings.maxSide) return settings.maxSide / longest;
  if (longest < settings.minSide) return Math.min(2, settings.minSide / longest);
  return 1;
}

/**
 * The detector's input for a picture: scaled (area average down, nearest up), padded with the border's
 * colour, sides rounded up to the detector's stride, normalised.
 */
export function detectorInput(image: Image8, settings: DetectionSettings = DEFAULT_DETECTION): DetectorInput {
  const scale = detectionScale(image.width, image.height, settings);
  const sw = Math.max(1, Math.round(image.width * scale));
  const sh = Math.max(1, Math.round(image.height * scale));
  const pad = settings.pad;
  const width = Math.ceil((sw + 2 * pad) / STRIDE) * STRIDE;
  const height = Math.ceil((sh + 2 * pad) / STRIDE) * STRIDE;
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const border = borderColour(image);
  // R, G, B of the border, normalised into the B, G, R planes.
  for (let c = 0; c < 3; c++) data.fill((border[2 - c]! / 255 - MEAN_BGR[c]!) / STD_BGR[c]!, c * plane, (c + 1) * plane);

  const { channels, data: src } = image;
  // Source columns and rows each detector pixel averages: [from, to).
  const spans = (size: number, scaled: number): Int32Array => {
    const out = new Int32Array(2 * scaled);
    for (let i = 0; i < scaled; i++) {
      const from = Math.min(size - 1, Math.floor(i / scale));
      out[2 * i] = from;
      out[2 * i + 1] = Math.max(from + 1, Math.min(size, Math.floor((i + 1) / scale)));
    }
    return out;
  };
  const xs = spans(image.width, sw);
  const ys = spans(image.height, sh);
  const norm = [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - MEAN_BGR[c]!) / STD_BGR[c]!;
    return table;
  });
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  for (let oy = 0; oy < sh; oy++) {
    const y0 = ys[2 * oy]!;
    const y1 = ys[2 * oy + 1]!;
    for (let ox = 0; ox < sw; ox++) {
      const x0 = xs[2 * ox]!;
      const x1 = xs[2 * ox + 1]!;
      s0 = 0;
      s1 = 0;
      s2 = 0;
      for (let y = y0; y < y1; y++) {
        let at = (y * image.width + x0) * channels;
        for (let x = x0; x < x1; x++, at += channels) {
          s0 += src[at]!;
          if (channels === 3) {
            s1 += src[at + 1]!;
            s2 += src[at + 2]!;
          }
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (oy + pad) * width + ox + pad;
      const r = Math.round(s0 / n);
      const g = channels === 1 ? r : Math.round(s1 / n);
      const b = channels === 1 ? r : Math.round(s2 / n);
      data[o] = norm[0]![b]!;
      data[plane + o] = norm[1]![g]!;
      data[2 * plane + o] = norm[2]![r]!;
    }
  }
  return { data, width, height, scale, pad };
}

/**
 * The boxes of a probability map (one value per detector pixel): connected regions above the pixel
 * threshold whose mean probability passes the box threshold, grown by the unclip distance, mapped back to
 * the picture and clamped to it.
 */
export function boxesFromProbability(
  probability: ArrayLike<number>,
  input: Pick<DetectorInput, 'width' | 'height' | 'scale' | 'pad'>,
  picture: { width: number; height: number },
  settings: DetectionSettings = DEFAULT_DETECTION,
): TextBox[] {
  const { width, height, scale, pad } = input;
  const size = width * height;
  if (probability.length < size) throw new Error('the probability map is smaller than the detector input');
  const seen = new Uint8Array(size);
  const stack = new Int32Array(size);
  const boxes: TextBox[] = [];
  for (let start = 0; start < size; start++) {
    if (seen[start] || !(probability[start]! > settings.pixelThreshold)) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let sum = 0;
    let count = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      sum += probability[p]!;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      const push = (q: number): void => {
        if (!seen[q] && probability[q]! > settings.pixelThreshold) {
          seen[q] = 1;
          stack[top++] = q;
        }
      };
      if (x > 0) push(p - 1);
      if (x < width - 1) push(p + 1);
      if (y > 0) push(p - width);
      if (y < height - 1) push(p + width);
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < 3 || sum / count < settings.boxThreshold) continue;
    const grow = (w * h * settings.unclipRatio) / (2 * (w + h));
    const left = Math.max(0, Math.floor((x0 - grow - pad) / scale));
    const right = Math.min(picture.width, Math.ceil((x1 + 1 + grow - pad) / scale));
    const upper = Math.max(0, Math.floor((y0 - grow - pad) / scale));
    const lower = Math.min(picture.height, Math.ceil((y1 + 1 + grow - pad) / scale));
    if (right <= left || lower <= upper) continue;
    if (Math.min(right - left, lower - upper) < settings.minTextHeight) continue;
    boxes.push({ x: left, y: upper, width: right - left, height: lower - upper, score: sum / count });
  }
  return sortBoxes(boxes);
}

/**
 * Boxes in reading order: rows from top to bottom (a box whose middle lies within the height of a row's
 * first box joins that row, so text on one baseline stays together), each row left to right.
 */
export function sortBoxes<T extends Rect>(boxes: T[]): T[] {
  const byTop = [...boxes].sort((a, b) => a.y - b.y || a.x - b.x);
  const rows: T[][] = [];
  for (const box of byTop) {
    const middle = box.y + box.height / 2;
    const row = rows.find((r) => middle >= r[0]!.y && middle < r[0]!.y + r[0]!.height);
    if (row) row.push(box);
    else rows.push([box]);
  }
  const ordered = rows.flatMap((row) => row.sort((a, b) => a.x - b.x));
  boxes.splice(0, boxes.length, ...ordered);
  return boxes;
}

function area(r: Rect): number {
  return r.width * r.height;
}

function intersection(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The smallest rectangle holding both. */
export function union<T extends Rect>(a: T, b: Rect): T {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { ...a, x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * One list from boxes found in several renderings of the same picture: boxes that mostly overlap (the same
 * text seen twice) become their union, keeping the better score.
 */
export function mergeBoxes(lists: readonly (readonly TextBox[])[]): TextBox[] {
  const out: TextBox[] = [];
  for (const list of lists) {
    for (const box of list) {
      let merged: TextBox = { ...box };
      for (let i = out.length - 1; i >= 0; i--) {
        const other = out[i]!;
        const shared = intersection(merged, other);
        if (shared >= 0.5 * Math.min(area(merged), area(other))) {
          merged = { ...union(merged, other), score: Math.max(merged.score, other.score) };
          out.splice(i, 1);
        }
      }
      out.push(merged);
    }
  }
  return sortBoxes(out);
}

/** Whether two rectangles share any pixel. */
export function overlaps(a: Rect, b: Rect): boolean {
  return intersection(a, b) > 0;
}
