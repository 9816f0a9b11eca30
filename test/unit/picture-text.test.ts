// Reading the text of a picture frame by frame, with a stand-in engine whose "detector" marks bright pixels
// and whose "reader" names a crop by its brightness: which frames are read, which are compared, what is
// read again, what counts as a mark, and how failures stop the read with a reason.

import { describe, expect, it } from 'vitest';
import { readPictureText, spreadFrames, maskRects, type PictureFrames, type TextEngine } from '../../src/core/text/picture-text';
import { pictureTerms } from '../../src/core/text/meaning';
import type { Image8, Rect } from '../../src/core/text/detection';

const W = 200;
const H = 120;

/**
 * A frame: dark, with bright blocks ("text"); a block's `value` sets its look: that many bright stripes
 * across it (value 250: 25 stripes), so a "reader" can tell blocks apart whatever the contrast.
 */
function frame(blocks: Array<Rect & { value: number }>): Image8 {
  const data = new Uint8Array(W * H).fill(20);
  for (const b of blocks) {
    const stripes = Math.round(b.value / 10);
    for (let y = b.y; y < b.y + b.height; y++) {
      for (let x = b.x; x < b.x + b.width; x++) {
        const inStripe = Math.floor(((x - b.x) * stripes * 2) / b.width) % 2 === 0;
        data[y * W + x] = inStripe ? 230 : 90;
      }
    }
  }
  return { width: W, height: H, channels: 1, data };
}

/** Counts dark-to-bright steps along a crop's middle row: the stripes a block was drawn with. */
function stripesOf(c: { width: number; height: number; data: Uint8Array }): number {
  const row = Math.floor(c.height / 2) * c.width;
  let steps = 0;
  for (let x = 1; x < c.width; x++) if (c.data[row + x - 1]! < 160 && c.data[row + x]! >= 160) steps++;
  return steps;
}

/** Detector: probability 0.95 where the B plane is bright. Reader: a text chosen by the block's stripes (`value` / 10). */
function standInEngine(texts: Record<number, string>): TextEngine & { detections: number; reads: number } {
  const engine = {
    detections: 0,
    reads: 0,
    async detect(input: { data: Float32Array; width: number; height: number }) {
      engine.detections++;
      const p = new Float32Array(input.width * input.height);
      for (let i = 0; i < p.length; i++) p[i] = input.data[i]! > -1 ? 0.95 : 0;
      return p;
    },
    async read(crops: ReadonlyArray<{ width: number; height: number; data: Uint8Array }>) {
      engine.reads += crops.length;
      return crops.map((c) => ({ text: texts[stripesOf(c) * 10] ?? '', confidence: 90 }));
    },
  };
  return engine;
}

function frames(list: Image8[], failAt?: number): PictureFrames {
  return {
    frameCount: list.length,
    width: W,
    height: H,
    async render(i) {
      if (i === failAt) throw new Error('damaged');
      return [list[i]!];
    },
  };
}

const NAME = { x: 10, y: 10, width: 80, height: 12 };
const DATE = { x: 110, y: 10, width: 60, height: 12 };
const terms = pictureTerms([{ tag: '00100010', keyword: 'PatientName', category: 'name', severity: 'high', sequence: [], private: false, value: 'DOE^JANE' }]);

describe('spreadFrames', () => {
  it('spreads a sample from the first frame to the last', () => {
    expect(spreadFrames(5, 12)).toEqual([0, 1, 2, 3, 4]);
    expect(spreadFrames(100, 5)).toEqual([0, 25, 50, 74, 99]);
    expect(spreadFrames(100, 1)).toEqual([0]);
  });
});

describe('readPictureText', () => {
  it('reads every frame of a short picture, including text that appears only in a later frame', async () => {
    const engine = standInEngine({ 250: 'DOE JANE', 240: '16/06/1976' });
    const list = [frame([]), frame([]), frame([{ ...NAME, value: 250 }, { ...DATE, value: 240 }])];
    const progress: number[] = [];
    const text = await readPictureText(frames(list), engine, terms, { onFrame: (done) => progress.push(done) });
    expect(text.framesRead).toEqual([1, 2, 3]);
    expect(progress).toEqual([1, 2, 3]);
    expect(text.complete).toBe(true);
    expect(text.regions.map((r) => [r.frame, r.text, r.meaning.severity])).toEqual([[3, 'DOE JANE', 'high'], [3, '16/06/1976', 'high']]);
    expect(text.regions[0]!.meaning.repeats).toEqual(['name']);
    // The region covers the block, with the detector's margin.
    const r = text.regions[0]!;
    expect(r.x).toBeLessThanOrEqual(NAME.x);
    expect(r.x + r.width).toBeGreaterThanOrEqual(NAME.x + NAME.width);
    expect(r.height).toBeLessThan(3 * NAME.height);
  });

  it('gives no region for a picture without text', async () => {
    const text = await readPictureText(frames([frame([])]), standInEngine({}), terms);
    expect(text.regions).toEqual([]);
    expect(text.marks).toEqual([]);
  });

  it('keeps what the reader cannot make out as marks to mask, not findings', async () => {
    const text = await readPictureText(frames([frame([{ ...NAME, value: 230 }])]), standInEngine({ 230: '|' }), terms);
    expect(text.regions).toEqual([]);
    expect(text.marks).toHaveLength(1);
    expect(maskRects(text)).toHaveLength(1);
  });

  it('reads the same crop once however many frames show it', async () => {
    const engine = standInEngine({ 250: 'DOE JANE' });
    const same = frame([{ ...NAME, value: 250 }]);
    const text = await readPictureText(frames([same, same, same, same]), engine, terms);
    expect(engine.detections).toBe(4);
    expect(engine.reads).toBe(1);
    expect(text.regions).toHaveLength(4);
    expect(maskRects(text)).toHaveLength(1);
  });

  it('samples a long picture and reads again only the frames whose text areas change', async () => {
    const engine = standInEngine({ 250: 'DOE JANE', 200: 'CLOCK 1', 120: 'CLOCK 2' });
    const list = Array.from({ length: 40 }, (_, i) => frame([{ ...NAME, value: 250 }, { ...DATE, value: i < 20 ? 200 : 120 }]));
    const text = await readPictureText(frames(list), engine, terms, { readAllUpTo: 4, sampleFrames: 4 });
    expect(text.framesRead).toEqual([1, 14, 27, 40]);
    expect(text.framesCompared).toBe(36);
    expect(engine.detections).toBe(4);
    expect(text.complete).toBe(true);
    // Frame 21 is the first whose clock differs from the frame read before it (14).
    expect(text.regions.filter((r) => r.frame === 21).map((r) => r.text)).toEqual(['CLOCK 2']);
    expect(new Set(text.regions.map((r) => r.text))).toEqual(new Set(['DOE JANE', 'CLOCK 1', 'CLOCK 2']));
  });

  it('stops with a reason when a frame cannot be decoded', async () => {
    const list = [frame([]), frame([]), frame([])];
    const text = await readPictureText(frames(list, 1), standInEngine({}), terms);
    expect(text.complete).toBe(false);
    expect(text.problem).toBe('frame 2 could not be decoded (damaged)');
    expect(text.framesRead).toEqual([1]);
  });

  it('stops with a reason when a compared frame cannot be decoded, or when there are too many to compare or read again', async () => {
    const list = Array.from({ length: 10 }, (_, i) => frame([{ ...NAME, value: i % 2 === 0 ? 250 : 120 }]));
    const failing = await readPictureText(frames(list, 3), standInEngine({}), terms, { readAllUpTo: 2, sampleFrames: 2 });
    expect(failing.problem).toBe('frame 4 could not be decoded (damaged)');
    const capped = await readPictureText(frames(list), standInEngine({}), terms, { readAllUpTo: 2, sampleFrames: 2, compareUpTo: 3 });
    expect(capped.complete).toBe(false);
    expect(capped.problem).toBe('5 of its 10 frames were not looked at (more than 3)');
    const rereads = await readPictureText(frames(list), standInEngine({}), terms, { readAllUpTo: 2, sampleFrames: 2, rereadUpTo: 2 });
    expect(rereads.problem).toMatch(/changes more often/);
  });

  it('skips the comparison of frames near a frame read that had no text', async () => {
    const engine = standInEngine({});
    const list = Array.from({ length: 8 }, () => frame([]));
    const text = await readPictureText(frames(list), engine, terms, { readAllUpTo: 2, sampleFrames: 2 });
    expect(text.framesCompared).toBe(6);
    expect(text.regions).toEqual([]);
  });

  it('lets an engine failure reach the caller', async () => {
    const engine = standInEngine({});
    engine.detect = async () => { throw new Error('model crashed'); };
    await expect(readPictureText(frames([frame([])]), engine, terms)).rejects.toThrow('model crashed');
  });
});
