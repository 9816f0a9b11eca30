// The pure parts of finding text in pictures: the detector's input tensor, its probability map turned into
// boxes in the picture's pixels, merging boxes seen in two renderings, crops for the reader, and which
// frames of a long picture are read.

import { describe, expect, it } from 'vitest';
import {
  borderColour, boxesFromProbability, detectionScale, detectorInput, mergeBoxes, overlaps, union,
  DEFAULT_DETECTION, type Image8,
} from '../../src/core/text/detection';
import { cropKey, pgmBytes, readerCrop, readsAsText, textShaped, tidyText } from '../../src/core/text/reading';

function grey(width: number, height: number, fill = 0): Image8 {
  return { width, height, channels: 1, data: new Uint8Array(width * height).fill(fill) };
}

describe('detectorInput', () => {
  it('keeps a mid-sized picture at its size, pads it and rounds up to the stride', () => {
    const image = grey(700, 500, 10);
    const input = detectorInput(image);
    expect(input.scale).toBe(1);
    expect(input.pad).toBe(16);
    expect(input.width).toBe(736);
    expect(input.height).toBe(544);
    expect(input.data.length).toBe(3 * 736 * 544);
  });

  it('scales a large picture down to the longest side and a small one up, at most twice', () => {
    expect(detectionScale(2140, 1760)).toBeCloseTo(960 / 2140);
    expect(detectionScale(256, 256)).toBe(2);
    expect(detectionScale(500, 400)).toBeCloseTo(640 / 500);
    expect(detectionScale(1, 1)).toBe(2);
    const input = detectorInput(grey(2140, 1760));
    expect(input.width).toBe(Math.ceil((960 + 32) / 32) * 32);
  });

  it('normalises B, G, R planes with ImageNet statistics and pads with the border colour', () => {
    const image: Image8 = { width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 255, 0, 0]) };
    const input = detectorInput(image, { ...DEFAULT_DETECTION, minSide: 1, pad: 1 });
    const plane = input.width * input.height;
    // Red 255 lands in the third (R) plane: (1 - 0.485) / 0.229.
    expect(input.data[2 * plane]).toBeCloseTo((1 - 0.485) / 0.229, 4);
    expect(input.data[0]).toBeCloseTo((0 - 0.406) / 0.225, 4);
    // A pixel inside: row 1, column 1.
    expect(input.data[2 * plane + input.width + 1]).toBeCloseTo((1 - 0.485) / 0.229, 4);
  });

  it('averages the pixels a scaled-down detector pixel covers', () => {
    const image = grey(2000, 10, 0);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 2000; x += 2) image.data[y * 2000 + x] = 200;
    const input = detectorInput(image, { ...DEFAULT_DETECTION, maxSide: 1000, pad: 0 });
    expect(input.scale).toBe(0.5);
    expect(input.data[0]).toBeCloseTo((100 / 255 - 0.406) / 0.225, 4);
  });

  it('finds the most common border colour, grey or colour, of any size', () => {
    const image = grey(5, 4, 7);
    image.data[0] = 200;
    expect(borderColour(image)).toEqual([7, 7, 7]);
    expect(borderColour(grey(1, 1, 9))).toEqual([9, 9, 9]);
    const rgb: Image8 = { width: 2, height: 2, channels: 3, data: new Uint8Array([1, 2, 3, 1, 2, 3, 1, 2, 3, 9, 9, 9]) };
    expect(borderColour(rgb)).toEqual([1, 2, 3]);
  });
});

describe('boxesFromProbability', () => {
  const input = { width: 64, height: 32, scale: 1, pad: 0 };
  function map(rects: Array<[number, number, number, number, number]>): Float32Array {
    const p = new Float32Array(64 * 32);
    for (const [x, y, w, h, v] of rects) for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) p[yy * 64 + xx] = v;
    return p;
  }

  it('grows each confident region by the unclip distance and maps it to the picture', () => {
    const boxes = boxesFromProbability(map([[10, 10, 20, 6, 0.9]]), input, { width: 64, height: 32 }, { ...DEFAULT_DETECTION, minTextHeight: 1 });
    // d = 20 * 6 * 1.5 / (2 * 26) = 3.46
    expect(boxes).toEqual([{ x: 6, y: 6, width: 28, height: 14, score: expect.closeTo(0.9, 5) }]);
  });

  it('drops faint regions, specks and boxes too short to be text, and clamps to the picture', () => {
    const boxes = boxesFromProbability(
      map([[2, 2, 20, 6, 0.5], [40, 2, 2, 2, 0.9], [40, 20, 24, 12, 0.95]]),
      { width: 64, height: 32, scale: 2, pad: 4 },
      { width: 30, height: 14 },
    );
    expect(boxes).toHaveLength(1);
    expect(boxes[0]).toMatchObject({ x: 15, y: 5, width: 15, height: 9 });
    expect(boxesFromProbability(map([[10, 10, 20, 6, 0.9]]), input, { width: 64, height: 32 }, { ...DEFAULT_DETECTION, minTextHeight: 20 })).toEqual([]);
  });

  it('sorts boxes top to bottom, then left to right, and refuses a map too small for the input', () => {
    const boxes = boxesFromProbability(map([[40, 20, 10, 5, 0.9], [40, 2, 10, 5, 0.9], [4, 2, 10, 5, 0.9]]), input, { width: 64, height: 32 }, { ...DEFAULT_DETECTION, minTextHeight: 1 });
    expect(boxes.map((b) => [b.x < 20, b.y < 10])).toEqual([[true, true], [false, true], [false, false]]);
    expect(() => boxesFromProbability(new Float32Array(10), input, { width: 64, height: 32 })).toThrow(/smaller/);
  });

  it('drops a box that falls outside the picture altogether', () => {
    expect(boxesFromProbability(map([[0, 0, 8, 8, 0.9]]), { ...input, pad: 30 }, { width: 64, height: 32 }, { ...DEFAULT_DETECTION, minTextHeight: 1 })).toEqual([]);
  });
});

describe('mergeBoxes', () => {
  it('unites boxes of the same text seen in two renderings and keeps others apart', () => {
    const a = { x: 10, y: 10, width: 100, height: 20, score: 0.7 };
    const b = { x: 12, y: 11, width: 100, height: 20, score: 0.9 };
    const c = { x: 300, y: 10, width: 50, height: 20, score: 0.8 };
    const merged = mergeBoxes([[a, c], [b]]);
    expect(merged).toEqual([{ x: 10, y: 10, width: 102, height: 21, score: 0.9 }, c]);
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    expect(union(a, c)).toMatchObject({ x: 10, y: 10, width: 340, height: 20 });
  });
});

describe('reader crops', () => {
  it('cuts the box with a margin, in grey, scaled up when the text is small', () => {
    const image: Image8 = { width: 40, height: 20, channels: 3, data: new Uint8Array(40 * 20 * 3).fill(100) };
    const crop = readerCrop(image, { x: 10, y: 5, width: 20, height: 10 });
    // margin 3 each side: 26 x 16, scaled by 4 (40 / 10).
    expect([crop.width, crop.height]).toEqual([104, 64]);
    expect(crop.data.every((v) => v === 100)).toBe(true);
  });

  it('keeps a crop of tall text at its size and never wider than the reader takes', () => {
    const image = grey(5000, 100, 50);
    expect(readerCrop(image, { x: 0, y: 0, width: 200, height: 60 }).height).toBe(75);
    expect(readerCrop(image, { x: 0, y: 0, width: 5000, height: 20 }).width).toBeLessThanOrEqual(4096);
  });

  it('encodes a PGM and fingerprints crops by their pixels', () => {
    const crop = { width: 2, height: 1, data: new Uint8Array([0, 255]) };
    expect(new TextDecoder().decode(pgmBytes(crop).subarray(0, 11))).toBe('P5\n2 1\n255\n');
    expect(pgmBytes(crop).subarray(11)).toEqual(new Uint8Array([0, 255]));
    expect(cropKey(crop)).toBe(cropKey({ ...crop, data: new Uint8Array([0, 255]) }));
    expect(cropKey(crop)).not.toBe(cropKey({ ...crop, data: new Uint8Array([255, 0]) }));
  });

  it('tidies what the reader returns and tells text from marks', () => {
    expect(tidyText('  DOE, JOHN\n\n')).toBe('DOE, JOHN');
    expect(tidyText('| Store in  progress)~')).toBe('Store in progress)');
    expect(readsAsText('| |', 40)).toBe(false);
    expect(readsAsText('L', 90)).toBe(true);
    expect(readsAsText('L', 20)).toBe(false);
    expect(readsAsText('6L3', 10)).toBe(false);
    expect(readsAsText('6L3', 45)).toBe(true);
    expect(readsAsText('ed', 37)).toBe(false);
    // A short sure guess in a box no line of text would fill (a lung the detector boxed) is not text.
    expect(readsAsText('09', 90, false)).toBe(false);
    expect(readsAsText('09', 90, true)).toBe(true);
    expect(readsAsText('DOE JANE', 60, false)).toBe(true);
  });

  it('keeps unreadable boxes shaped like a line of text, not large blocks', () => {
    expect(textShaped({ width: 120, height: 20 }, { height: 480 })).toBe(true);
    expect(textShaped({ width: 140, height: 76 }, { height: 240 })).toBe(false);
    expect(textShaped({ width: 10, height: 30 }, { height: 480 })).toBe(false);
    expect(textShaped({ width: 300, height: 90 }, { height: 2000 })).toBe(true);
  });
});
