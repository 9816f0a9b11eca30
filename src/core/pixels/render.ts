// Decoded frames to 8-bit pictures: RGBA for the dialog's preview (display window, MONOCHROME1 inverted,
// YBR_FULL and palette colour turned into RGB), and grey or RGB renders for the text detector, either
// through the display window or stretched over the frame's own stored values (where burned-in text sits).

import { sampleReader, type FrameWindow, type NativeFrame, type PaletteChannel } from './frame';

/** The DICOM linear VOI function (PS3.3 C.11.2.1.2.1) onto 0..255. */
function linearWindow(x: number, w: FrameWindow): number {
  const c = w.center - 0.5;
  const half = (w.width - 1) / 2;
  if (x <= c - half) return 0;
  if (x > c + half) return 255;
  return ((x - c) / (w.width - 1) + 0.5) * 255;
}

const isMonochrome = (frame: NativeFrame): boolean => frame.samplesPerPixel === 1 && (frame.photometric === 'MONOCHROME1' || frame.photometric === 'MONOCHROME2');
const isColour = (frame: NativeFrame): boolean => frame.samplesPerPixel === 3 && (frame.photometric === 'RGB' || frame.photometric === 'YBR_FULL');
const isPalette = (frame: NativeFrame): boolean => frame.samplesPerPixel === 1 && frame.photometric === 'PALETTE COLOR' && frame.palette !== undefined;

/** Grey levels 0..255 of a monochrome frame: through its window (or its rescaled min..max), or over its raw stored min..max. */
function monochromeGreys(frame: NativeFrame, mode: 'window' | 'stored-range'): Uint8ClampedArray<ArrayBuffer> {
  const count = frame.rows * frame.columns;
  const sample = sampleReader(frame);
  const raw = mode === 'stored-range';
  const slope = raw ? 1 : frame.rescale?.slope ?? 1;
  const intercept = raw ? 0 : frame.rescale?.intercept ?? 0;
  const values = new Float64Array(count);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = sample(i) * slope + intercept;
    values[i] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Without a window from the file (or for the raw render), the frame's own range is stretched over black to white.
  const window = (!raw && frame.window) || { center: (lo + hi + 1) / 2, width: Math.max(1, hi - lo + 1) };
  const invert = !raw && frame.photometric === 'MONOCHROME1';
  const out = new Uint8ClampedArray(count);
  for (let i = 0; i < count; i++) {
    const g = linearWindow(values[i]!, window);
    out[i] = invert ? 255 - g : g;
  }
  return out;
}

/** A palette entry (0..255) for a stored index. */
function lookup(channel: PaletteChannel, index: number): number {
  const i = Math.min(channel.data.length - 1, Math.max(0, index - channel.firstMapped));
  const v = channel.data[i]!;
  return channel.bits === 8 ? v & 0xff : v >> 8;
}

/** RGB triplets (0..255) of a colour or palette frame. */
function colourTriplets(frame: NativeFrame): Uint8ClampedArray<ArrayBuffer> {
  const count = frame.rows * frame.columns;
  const out = new Uint8ClampedArray(count * 3);
  if (isPalette(frame)) {
    const sample = sampleReader({ ...frame, pixelRepresentation: 0 });
    const { red, green, blue } = frame.palette!;
    for (let p = 0; p < count; p++) {
      const v = sample(p);
      out[3 * p] = lookup(red, v);
      out[3 * p + 1] = lookup(green, v);
      out[3 * p + 2] = lookup(blue, v);
    }
    return out;
  }
  const sample = sampleReader({ ...frame, pixelRepresentation: 0 });
  // More than 8 bits a sample: the top 8 of the stored bits.
  const shift = Math.max(0, frame.bitsStored - 8);
  const at = frame.planarConfiguration === 1 ? (p: number, s: number): number => s * count + p : (p: number, s: number): number => 3 * p + s;
  const ybr = frame.photometric === 'YBR_FULL';
  for (let p = 0; p < count; p++) {
    const a = Math.floor(sample(at(p, 0)) / 2 ** shift);
    const b = Math.floor(sample(at(p, 1)) / 2 ** shift);
    const c = Math.floor(sample(at(p, 2)) / 2 ** shift);
    if (ybr) {
      // PS3.3 C.7.6.3.1.2: YBR_FULL to RGB.
      out[3 * p] = a + 1.402 * (c - 128);
      out[3 * p + 1] = a - 0.344136 * (b - 128) - 0.714136 * (c - 128);
      out[3 * p + 2] = a + 1.772 * (b - 128);
    } else {
      out[3 * p] = a;
      out[3 * p + 1] = b;
      out[3 * p + 2] = c;
    }
  }
  return out;
}

function unsupported(frame: NativeFrame): Error {
  return new Error(`no rendering for ${frame.photometric} with ${frame.samplesPerPixel} samples per pixel`);
}

/**
 * The RGBA pixels (rows × columns × 4, row by row) of a frame: monochrome windowed to grey (MONOCHROME1
 * inverted), colour and palette colour as RGB. Throws for a form the reader never returns.
 */
export function toRgba(frame: NativeFrame): Uint8ClampedArray<ArrayBuffer> {
  const count = frame.rows * frame.columns;
  const out = new Uint8ClampedArray(count * 4);
  if (isMonochrome(frame)) {
    const g = monochromeGreys(frame, 'window');
    for (let i = 0; i < count; i++) {
      out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = g[i]!;
      out[4 * i + 3] = 255;
    }
  } else if (isColour(frame) || isPalette(frame)) {
    const rgb = colourTriplets(frame);
    for (let i = 0; i < count; i++) {
      out[4 * i] = rgb[3 * i]!;
      out[4 * i + 1] = rgb[3 * i + 1]!;
      out[4 * i + 2] = rgb[3 * i + 2]!;
      out[4 * i + 3] = 255;
    }
  } else {
    throw unsupported(frame);
  }
  return out;
}

/** An 8-bit picture for the text detector: grey (1 channel) for monochrome frames, RGB (3) for colour. */
export interface TextRender {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8ClampedArray<ArrayBuffer>;
}

/**
 * A frame rendered for finding text. `window`: as a viewer shows it (display window, MONOCHROME1 inverted).
 * `stored-range`: the raw stored values stretched from the frame's minimum to its maximum, no rescale, window
 * or inversion, so text drawn at the top (or bottom) of the stored range stands out however the window hides
 * it. Colour and palette frames are RGB either way.
 */
export function renderForText(frame: NativeFrame, mode: 'window' | 'stored-range'): TextRender {
  const base = { width: frame.columns, height: frame.rows };
  if (isMonochrome(frame)) return { ...base, channels: 1, data: monochromeGreys(frame, mode) };
  if (isColour(frame) || isPalette(frame)) return { ...base, channels: 3, data: colourTriplets(frame) };
  throw unsupported(frame);
}

/**
 * The frame with no more than `maxSide` pixels along its longer side, every n-th pixel kept (nearest
 * neighbour), so a preview never converts or holds more pixels than it shows; the frame itself when it fits.
 */
export function shrinkFrame(frame: NativeFrame, maxSide: number): NativeFrame {
  const step = Math.ceil(Math.max(frame.rows, frame.columns) / Math.max(1, maxSide));
  if (step <= 1) return frame;
  const rows = Math.ceil(frame.rows / step);
  const columns = Math.ceil(frame.columns / step);
  const size = frame.bitsAllocated / 8;
  const spp = frame.samplesPerPixel;
  const planar = frame.planarConfiguration === 1;
  const fromPlane = frame.rows * frame.columns;
  const toPlane = rows * columns;
  const pixels = new Uint8Array(toPlane * spp * size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const from = r * step * frame.columns + c * step;
      const to = r * columns + c;
      for (let s = 0; s < spp; s++) {
        const a = (planar ? s * fromPlane + from : from * spp + s) * size;
        const b = (planar ? s * toPlane + to : to * spp + s) * size;
        for (let k = 0; k < size; k++) pixels[b + k] = frame.pixels[a + k]!;
      }
    }
  }
  return { ...frame, rows, columns, pixels };
}
