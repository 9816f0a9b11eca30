// Masking and rendering helpers for the text finder: region fills with each picture type's black (both planar
// configurations, clipped, with a margin, the rest untouched), overlay bits cleared from pixel words, and
// renders through the display window or over the frame's stored range.

import { describe, expect, it } from 'vitest';
import { readDicomHeader } from '../../src/core/dicom/header';
import type { NativeFrame, Palette } from '../../src/core/pixels/frame';
import { sampleReader } from '../../src/core/pixels/frame';
import { blackSamples, clearOverlayBits, embeddedOverlayBitPositions, fillRegions } from '../../src/core/pixels/mask';
import { renderForText, toRgba } from '../../src/core/pixels/render';
import { sniff, SNIFF_BYTES } from '../../src/core/sniff';
import { bytesSource } from '../../src/core/source';
import { tag, writeDicom, type El } from '../fixtures/dicom-writer';

function frame(p: Partial<NativeFrame> & { values: number[] }): NativeFrame {
  const bitsAllocated = p.bitsAllocated ?? 16;
  const size = bitsAllocated / 8;
  const pixels = new Uint8Array(p.values.length * size);
  const view = new DataView(pixels.buffer);
  p.values.forEach((v, i) => {
    const word = v < 0 ? v + 2 ** bitsAllocated : v;
    if (size === 1) pixels[i] = word;
    else if (size === 2) view.setUint16(2 * i, word, true);
    else view.setUint32(4 * i, word, true);
  });
  const bitsStored = p.bitsStored ?? bitsAllocated;
  return {
    kind: 'native', rows: p.rows ?? 1, columns: p.columns ?? p.values.length, samplesPerPixel: p.samplesPerPixel ?? 1, bitsAllocated,
    bitsStored, highBit: p.highBit ?? bitsStored - 1, pixelRepresentation: p.pixelRepresentation ?? 0, photometric: p.photometric ?? 'MONOCHROME2',
    planarConfiguration: p.planarConfiguration ?? 0, ...(p.palette ? { palette: p.palette } : {}), ...(p.window ? { window: p.window } : {}),
    ...(p.rescale ? { rescale: p.rescale } : {}), pixels,
  };
}

/** Stored values of every sample, in storage order. */
const values = (f: NativeFrame): number[] => Array.from({ length: f.pixels.length / (f.bitsAllocated / 8) }, (_, i) => sampleReader(f)(i));
/** Raw words, unmasked. */
const words = (f: NativeFrame): number[] => {
  const view = new DataView(f.pixels.buffer, f.pixels.byteOffset, f.pixels.byteLength);
  const size = f.bitsAllocated / 8;
  return Array.from({ length: f.pixels.length / size }, (_, i) => (size === 1 ? f.pixels[i]! : size === 2 ? view.getUint16(2 * i, true) : view.getUint32(4 * i, true)));
};

const palette = (red: number[], green: number[], blue: number[], firstMapped = 0, bits: 8 | 16 = 16): Palette => ({
  red: { firstMapped, bits, data: Uint16Array.from(red) },
  green: { firstMapped, bits, data: Uint16Array.from(green) },
  blue: { firstMapped, bits, data: Uint16Array.from(blue) },
});

describe('fillRegions', () => {
  it('MONOCHROME2: 0 unsigned, the smallest value signed; the region grows by the margin and is clipped, the rest is untouched', () => {
    const grid = Array.from({ length: 25 }, (_, i) => 100 + i);
    const f = frame({ rows: 5, columns: 5, values: grid, bitsStored: 12 });
    const filled = fillRegions(f, [{ x: 1, y: 1, width: 1, height: 1 }], 1);
    const got = values(filled);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) expect(got[y * 5 + x]).toBe(x <= 2 && y <= 2 ? 0 : grid[y * 5 + x]);
    }
    expect(values(f)).toEqual(grid); // the input frame is not changed
    const signed = fillRegions(frame({ values: [5, 5], bitsStored: 12, pixelRepresentation: 1 }), [{ x: 0, y: 0, width: 1, height: 1 }]);
    expect(values(signed)).toEqual([-2048, 5]);
  });

  it('MONOCHROME1: the largest stored value, respecting signedness', () => {
    expect(values(fillRegions(frame({ values: [1, 2], bitsStored: 12, photometric: 'MONOCHROME1' }), [{ x: 1, y: 0, width: 1, height: 1 }]))).toEqual([1, 4095]);
    expect(values(fillRegions(frame({ values: [1, 2], bitsStored: 12, pixelRepresentation: 1, photometric: 'MONOCHROME1' }), [{ x: 0, y: 0, width: 9, height: 9 }]))).toEqual([2047, 2047]);
  });

  it('RGB and YBR_FULL, interleaved and planar', () => {
    const rgb = frame({ bitsAllocated: 8, rows: 1, columns: 2, samplesPerPixel: 3, photometric: 'RGB', values: [1, 2, 3, 4, 5, 6] });
    expect(values(fillRegions(rgb, [{ x: 1, y: 0, width: 1, height: 1 }]))).toEqual([1, 2, 3, 0, 0, 0]);
    const ybrPlanar = frame({ bitsAllocated: 8, rows: 1, columns: 2, samplesPerPixel: 3, photometric: 'YBR_FULL', planarConfiguration: 1, values: [1, 2, 3, 4, 5, 6] });
    expect(values(fillRegions(ybrPlanar, [{ x: 0, y: 0, width: 1, height: 1 }]))).toEqual([0, 2, 128, 4, 128, 6]);
    const ybr16 = frame({ rows: 1, columns: 1, samplesPerPixel: 3, photometric: 'YBR_FULL', bitsStored: 12, values: [9, 9, 9] });
    expect(values(fillRegions(ybr16, [{ x: 0, y: 0, width: 1, height: 1 }]))).toEqual([0, 2048, 2048]);
  });

  it('PALETTE COLOR: the index whose colour is darkest, counted from the first mapped value', () => {
    const f = frame({ bitsAllocated: 8, values: [0, 0], photometric: 'PALETTE COLOR', palette: palette([0xffff, 0x1000, 0x0100], [0xffff, 0x1000, 0x0100], [0xffff, 0x1000, 0x0100], 10) });
    expect(blackSamples(f)).toEqual([12]);
    expect(values(fillRegions(f, [{ x: 0, y: 0, width: 1, height: 1 }]))).toEqual([12, 0]);
    const signed = frame({ values: [0], photometric: 'PALETTE COLOR', pixelRepresentation: 1, palette: palette([5, 0], [5, 0], [5, 0], 0xfffe) });
    expect(blackSamples(signed)).toEqual([-1]);
    expect(blackSamples(frame({ values: [0], photometric: 'PALETTE COLOR' }))).toEqual([0]);
  });

  it('32-bit samples, and regions that are empty, outside the picture or not numbers change nothing', () => {
    const f = frame({ bitsAllocated: 32, photometric: 'MONOCHROME1', values: [1, 2, 3] });
    expect(values(fillRegions(f, [{ x: -5, y: -5, width: 6.2, height: 7 }]))).toEqual([2 ** 32 - 1, 2 ** 32 - 1, 3]);
    const same = [{ x: 0, y: 0, width: 0, height: 5 }, { x: 10, y: 0, width: 5, height: 5 }, { x: Number.NaN, y: 0, width: 1, height: 1 }, { x: 0, y: 0, width: 1, height: 1 }];
    expect(values(fillRegions(f, same.slice(0, 3)))).toEqual([1, 2, 3]);
    expect(values(fillRegions(f, [same[3]!], Number.POSITIVE_INFINITY))).toEqual([1, 2, 3]);
    expect(blackSamples(frame({ bitsAllocated: 8, samplesPerPixel: 3, photometric: 'YBR_ICT', values: [0, 0, 0] }))).toEqual([0, 0, 0]);
  });
});

describe('clearOverlayBits', () => {
  it('clears the bits above the stored bits (an overlay in bit 15 of 12-bit data), keeping every value', () => {
    const f = frame({ bitsStored: 12, values: [0x8000 | 123, 4095, 0x9000] });
    const cleared = clearOverlayBits(f);
    expect(words(cleared)).toEqual([123, 4095, 0]);
    expect(values(cleared)).toEqual(values(f));
    // Only the overlay's own bit position, when asked for; positions inside the stored bits are ignored.
    expect(words(clearOverlayBits(f, [15, 3, 40]))).toEqual([123, 4095, 0x1000]);
    expect(clearOverlayBits(f, [3])).toBe(f);
  });

  it('signed samples keep their sign extension; stored bits that do not start at bit 0 are kept', () => {
    const signed = frame({ bitsStored: 12, pixelRepresentation: 1, values: [0x0fff, 0x7fff, 0x0800] });
    expect(words(clearOverlayBits(signed))).toEqual([0xffff, 0xffff, 0xf800]);
    expect(values(clearOverlayBits(signed))).toEqual([-1, -1, -2048]);
    const shifted = frame({ bitsStored: 8, highBit: 11, values: [0xfff0 | 0x000f] });
    expect(words(clearOverlayBits(shifted))).toEqual([0x0ff0]);
  });

  it('8 and 32-bit words; a frame with no unused bits comes back as it is', () => {
    const eight = frame({ bitsAllocated: 8, bitsStored: 7, values: [0xff] });
    expect(words(clearOverlayBits(eight))).toEqual([0x7f]);
    const full = frame({ bitsAllocated: 8, values: [0xff] });
    expect(clearOverlayBits(full)).toBe(full);
    expect(words(clearOverlayBits(frame({ bitsAllocated: 32, bitsStored: 16, values: [0xffffffff] })))).toEqual([0xffff]);
  });

  it('finds overlays kept in pixel data: those without their own Overlay Data', async () => {
    const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });
    const bytes = writeDicom([
      el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
      el(0x6000, 0x0102, 'US', 0), el(0x6000, 0x3000, 'OW', new Uint8Array(2)),
      el(0x6002, 0x0102, 'US', 15),
      el(0x6004, 0x0102, 'US', []),
    ], { transferSyntax: 'explicit-le' });
    const source = bytesSource(bytes);
    const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
    if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
    expect(embeddedOverlayBitPositions((await readDicomHeader(source, sniffed)).dataSet)).toEqual([15]);
  });
});

describe('renders', () => {
  it('through the window (rescaled, MONOCHROME1 inverted) or over the stored range (raw, not inverted)', () => {
    const f = frame({ bitsStored: 12, photometric: 'MONOCHROME1', values: [0, 1000, 2000, 4095], window: { center: 1500, width: 1000 }, rescale: { slope: 1, intercept: 500 } });
    const windowed = renderForText(f, 'window');
    expect(windowed).toMatchObject({ width: 4, height: 1, channels: 1 });
    // Rescaled 500, 1500, 2500, 4595 through the window 1000..2000, then inverted.
    expect([...windowed.data]).toEqual([255, 127, 0, 0]);
    const raw = renderForText(f, 'stored-range');
    expect([...raw.data]).toEqual([0, Math.round((1000 / 4095) * 255), Math.round((2000 / 4095) * 255), 255].map((v) => expect.closeTo(v, 0) as unknown as number));
    expect(raw.data[3]).toBe(255);
    expect(raw.data[0]).toBe(0);
  });

  it('colour and palette frames render as RGB, palette entries of 8 or 16 bits, indices clamped to the table', () => {
    const rgb = renderForText(frame({ bitsAllocated: 8, columns: 1, samplesPerPixel: 3, photometric: 'RGB', values: [1, 2, 3] }), 'stored-range');
    expect(rgb).toMatchObject({ channels: 3 });
    expect([...rgb.data]).toEqual([1, 2, 3]);
    const pal16 = frame({ bitsAllocated: 8, values: [0, 1, 9], photometric: 'PALETTE COLOR', palette: palette([0x0000, 0xff00], [0x1000, 0x2000], [0xffff, 0], 1) });
    expect([...renderForText(pal16, 'window').data]).toEqual([0, 0x10, 0xff, 0, 0x10, 0xff, 0xff, 0x20, 0]);
    const pal8 = frame({ bitsAllocated: 8, values: [0], photometric: 'PALETTE COLOR', palette: palette([7], [8], [9], 0, 8) });
    expect([...toRgba(pal8)]).toEqual([7, 8, 9, 255]);
    expect(() => renderForText(frame({ values: [0], photometric: 'PALETTE COLOR' }), 'window')).toThrow(/PALETTE COLOR/);
  });

  it('16-bit colour keeps the top 8 of its stored bits', () => {
    const f = frame({ columns: 1, samplesPerPixel: 3, photometric: 'RGB', bitsStored: 12, values: [4095, 2048, 15] });
    expect([...renderForText(f, 'window').data]).toEqual([255, 128, 0]);
  });
});
