// The corners of the picture and PDF code that real files rarely reach: hand-made JPEG segments (standalone
// markers, fill bytes, 16-bit tables, vendor and MPF segments, Latin-1 comments), PNG chunks (bad types,
// unknown filters, missing palettes, transparency, damaged text), GIF blocks (plain text, local colour tables),
// WebP's lossless header, exifr's output shapes (language alternatives, face regions, UCS-2 comments, XMP GPS),
// CMYK JPEGs, pictures no decoder takes, PDF metadata (information dictionary and XMP), damaged pages, pages
// that cannot be drawn, and plans made from reports.

import { zlibSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { appKind, estimateJpegQuality, jpegComments, jpegLayout, stripJpeg } from '../../src/core/documents/jpeg-file';
import { decodePngRaw, fillPngRegions, pngChunks, pngImage, pngTexts } from '../../src/core/documents/png-file';
import { gifLayout, webpChunks, webpSize } from '../../src/core/documents/webp-gif-files';
import { decodePicture, pictureSize, PictureDecodeError } from '../../src/core/documents/picture-decode';
import { exifrFindings, readPictureMetadata } from '../../src/core/documents/picture-metadata';
import { cleanPicture } from '../../src/core/documents/picture-clean';
import { cleanPdf } from '../../src/core/documents/pdf-clean';
import { checkDocument } from '../../src/core/documents/document-check';
import { cleanDocument, documentPlans } from '../../src/core/documents/document-clean';
import { documentTerms, lineMeaning } from '../../src/core/documents/document-text';
import type { Finding, FileReport } from '../../src/core/report';
import type { ByteSource } from '../../src/core/source';
import { bytesSource } from '../../src/core/source';
import { nodeDocumentHost, nodeJpegEncoder, nodePdfOptions, nodePictureDecoders } from '../../src/cli/document-host';
import { cleanUpDocuments, colourPhoto, convertPicture, handPdf, longPdf, viewerScreenshot } from '../fixtures/documents';

afterAll(cleanUpDocuments);

const host = nodeDocumentHost();
afterAll(() => host.close());

function join(...parts: Array<Uint8Array | number[]>): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function segment(marker: number, body: number[] | Uint8Array): number[] {
  const bytes = [...body];
  return [0xff, marker, (bytes.length + 2) >> 8, (bytes.length + 2) & 255, ...bytes];
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe('JPEG segments', () => {
  const small = convertPicture(viewerScreenshot().png, 'jpeg', ['-resize', '64x48!', '-quality', '70']);
  const withSegments = (...segments: number[][]): Uint8Array => join(small.subarray(0, 2), ...segments, small.subarray(2));

  it('names every kind of APPn, skips standalone markers and fill bytes, reads Latin-1 comments', () => {
    const jpeg = withSegments(
      [0xff, 0x01], // TEM
      [0xff, 0xff], // fill byte before the next marker
      segment(0xe0, ascii('JFXX\0\x10')),
      segment(0xe1, ascii('http://ns.adobe.com/xmp/extension/\0x')),
      segment(0xe2, ascii('MPF\0MM')),
      segment(0xe2, ascii('ICC_PROFILE\0\x01\x01')),
      segment(0xe5, ascii('vendor')),
      segment(0xee, ascii('Adobe\0')),
      segment(0xfe, [0x4a, 0x6f, 0x73, 0xe9]), // "José" in Latin-1: not UTF-8
      segment(0xfe, [0, 0]),
    );
    const layout = jpegLayout(jpeg);
    expect(layout.segments.map((s) => (s.marker >= 0xe0 && s.marker <= 0xef ? appKind(jpeg, s) : s.marker.toString(16)))).toEqual(
      expect.arrayContaining(['jfxx', 'xmp-extension', 'mpf', 'icc', 'app5', 'adobe']),
    );
    expect(jpegComments(jpeg, layout)).toEqual(['José']);
    const stripped = stripJpeg(jpeg);
    const kinds = jpegLayout(stripped).segments.filter((s) => s.marker >= 0xe0 && s.marker <= 0xef).map((s) => appKind(stripped, s));
    expect(kinds.sort()).toEqual(['adobe', 'icc', 'jfif']);
  });

  it('reports vendor segments and pictures after the end as low findings', async () => {
    const jpeg = join(withSegments(segment(0xe5, ascii('vendor')), segment(0xe2, ascii('MPF\0MM'))), small);
    const m = await readPictureMetadata(jpeg, 'jpeg');
    expect(m.findings.map((f) => `${f.tag}:${f.severity}`)).toEqual(expect.arrayContaining(['jpeg:trailer:low', 'jpeg:app5:low']));
  });

  it('finds the quality in a table of 16-bit entries after another table, and 90 without one', () => {
    const sixteen = [0x11, ...new Array<number>(128).fill(0).map((_, i) => (i % 2 ? 4 : 0))];
    const eight = [0x00, ...new Array<number>(64).fill(1)];
    const jpeg = join([0xff, 0xd8], segment(0xdb, [...sixteen, ...eight]), [0xff, 0xd9]);
    expect(estimateJpegQuality(jpeg, jpegLayout(jpeg))).toBe(100);
    const table16 = join([0xff, 0xd8], segment(0xdb, [0x10, ...new Array<number>(128).fill(0).map((_, i) => (i % 2 ? 2 : 0))]), [0xff, 0xd9]);
    expect(estimateJpegQuality(table16, jpegLayout(table16))).toBeGreaterThan(90);
    const none = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    expect(estimateJpegQuality(none, jpegLayout(none))).toBe(90);
    const cut = join([0xff, 0xd8], segment(0xdb, [0x00, 1, 2, 3]), [0xff, 0xd9]);
    expect(estimateJpegQuality(cut, jpegLayout(cut))).toBe(90);
  });

  it('stops or refuses where the bytes are not a JPEG', () => {
    expect(() => jpegLayout(new Uint8Array([0xff, 0xd8, 0x00, 0x00]))).toThrow(/marker is missing/);
    expect(() => jpegLayout(new Uint8Array([0xff, 0xd8, 0xff, 0xe5, 0x00, 0x01]))).toThrow(/impossible length/);
    expect(jpegLayout(new Uint8Array([0xff, 0xd8, 0xff])).complete).toBe(false);
    expect(jpegLayout(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00])).complete).toBe(false);
    expect(jpegLayout(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x20, 1, 2])).complete).toBe(false);
  });
});

function pngChunk(type: string, data: number[] | Uint8Array): number[] {
  const bytes = [...data];
  const n = bytes.length;
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...ascii(type), ...bytes, 0, 0, 0, 0];
}
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ihdr = (w: number, h: number, depth: number, colour: number, interlace = 0): number[] =>
  pngChunk('IHDR', [0, 0, 0, w, 0, 0, 0, h, depth, colour, 0, 0, interlace]);
const png = (...chunks: number[][]): Uint8Array => new Uint8Array([...SIGNATURE, ...chunks.flat()]);

describe('PNG chunks', () => {
  it('palette pictures with transparency: shown over white, masked with the darkest opaque entry', () => {
    // Two pixels: index 0 (black, fully transparent), index 1 (grey, opaque), index 2 (dark red, opaque).
    const bytes = png(ihdr(3, 1, 8, 3), pngChunk('PLTE', [0, 0, 0, 128, 128, 128, 40, 0, 0]), pngChunk('tRNS', [0]), pngChunk('IDAT', zlibSync(new Uint8Array([0, 0, 1, 2]))), pngChunk('IEND', []));
    const raw = decodePngRaw(bytes, { maxPixels: 100 });
    expect([...pngImage(raw).data]).toEqual([255, 255, 255, 128, 128, 128, 40, 0, 0]);
    fillPngRegions(raw, [{ x: 1, y: 0, width: 1, height: 1 }], 0);
    expect([...raw.data]).toEqual([0, 2, 2].map((v, i) => (i === 0 ? 0 : v)));
  });

  it('a one-pixel interlaced picture (six empty passes) and 2-bit grey', () => {
    const bytes = png(ihdr(1, 1, 8, 0, 1), pngChunk('IDAT', zlibSync(new Uint8Array([0, 77]))), pngChunk('IEND', []));
    expect([...pngImage(decodePngRaw(bytes, { maxPixels: 100 })).data]).toEqual([77]);
    const two = png(ihdr(4, 1, 2, 0), pngChunk('IDAT', zlibSync(new Uint8Array([0, 0b00011011]))), pngChunk('IEND', []));
    expect([...pngImage(decodePngRaw(two, { maxPixels: 100 })).data]).toEqual([0, 85, 170, 255]);
  });

  it('refuses bad chunk types, missing data or palette, unknown filters, short data', () => {
    expect(() => pngChunks(png(pngChunk('I@AT', [])))).toThrow(/damaged/);
    expect(() => decodePngRaw(png(ihdr(1, 1, 8, 0), pngChunk('IEND', [])), { maxPixels: 100 })).toThrow(/no image data/);
    expect(() => decodePngRaw(png(ihdr(1, 1, 8, 0)), { maxPixels: 100 })).toThrow(/cut short/);
    expect(() => decodePngRaw(png(ihdr(1, 1, 8, 3), pngChunk('IDAT', zlibSync(new Uint8Array([0, 0]))), pngChunk('IEND', [])), { maxPixels: 100 })).toThrow(/no palette/);
    expect(() => decodePngRaw(png(ihdr(1, 1, 8, 0), pngChunk('IDAT', zlibSync(new Uint8Array([7, 0]))), pngChunk('IEND', [])), { maxPixels: 100 })).toThrow(/unknown filter/);
    expect(() => decodePngRaw(png(ihdr(1, 2, 8, 0), pngChunk('IDAT', zlibSync(new Uint8Array([0, 0]))), pngChunk('IEND', [])), { maxPixels: 100 })).toThrow(/cut short/);
    expect(() => decodePngRaw(png(ihdr(1, 1, 8, 0), pngChunk('IDAT', [1, 2, 3]), pngChunk('IEND', [])), { maxPixels: 100 })).toThrow(/damaged/);
    expect(() => decodePngRaw(png(pngChunk('IEND', [])), { maxPixels: 100 })).toThrow(/no valid header/);
    const truncated = png(ihdr(1, 1, 8, 0), [0, 0, 1, 0, ...ascii('IDAT'), 1, 2]);
    expect(pngChunks(truncated).complete).toBe(false);
  });

  it('reads damaged and empty text chunks without failing', () => {
    const bytes = png(
      ihdr(1, 1, 8, 0),
      pngChunk('tEXt', [0, ...ascii('no keyword')]),
      pngChunk('iTXt', [...ascii('Title'), 0, 0, 0, ...ascii('no end of language tag')]),
      pngChunk('iTXt', [...ascii('Plain'), 0, 0, 0, 0, 0, ...ascii('uncompressed')]),
      pngChunk('zTXt', [...ascii('Zipped'), 0, 0, ...zlibSync(new TextEncoder().encode('inflated note'))]),
      pngChunk('tEXt', [...ascii('Software'), 0, ...ascii('Editor 1')]),
      pngChunk('tEXt', [...ascii('Blank'), 0, 32, 32]),
      pngChunk('IDAT', zlibSync(new Uint8Array([0, 0]))),
      pngChunk('IEND', []),
    );
    expect(pngTexts(bytes, pngChunks(bytes).chunks)).toEqual([
      { keyword: 'Title', text: '' },
      { keyword: 'Plain', text: 'uncompressed' },
      { keyword: 'Zipped', text: 'inflated note' },
      { keyword: 'Software', text: 'Editor 1' },
      { keyword: 'Blank', text: '  ' },
    ]);
  });

  it('reports PNG text by kind', async () => {
    const bytes = png(ihdr(1, 1, 8, 0), pngChunk('tEXt', [...ascii('Software'), 0, ...ascii('Editor 1')]), pngChunk('tEXt', [...ascii('Blank'), 0, 32]), pngChunk('IDAT', zlibSync(new Uint8Array([0, 0]))), pngChunk('IEND', []));
    const m = await readPictureMetadata(bytes, 'png');
    expect(m.findings.map((f) => `${f.tag}:${f.category}`)).toEqual(['png:Software:device']);
  });
});

describe('GIF and WebP blocks', () => {
  const lsd = (flags: number): number[] => [...ascii('GIF89a'), 2, 0, 1, 0, flags, 0, 0];
  it('reads plain text, unknown extensions and local colour tables', () => {
    const image = [0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0x80, 1, 2, 3, 4, 5, 6, 2, 2, 0x44, 0x01, 0];
    const gif = new Uint8Array([
      ...lsd(0),
      0x21, 0x01, 12, ...new Array<number>(12).fill(0), 5, ...ascii('Marta'), 0,
      0x21, 0x02, 1, 9, 0,
      ...image,
      0x3b,
    ]);
    const layout = gifLayout(gif);
    expect(layout).toMatchObject({ plainTexts: ['Marta'], frames: 1, complete: true });
    expect(() => gifLayout(new Uint8Array(ascii('GIF89a')))).toThrow(/cut short/);
    expect(() => gifLayout(new Uint8Array([...lsd(0), 0x99]))).toThrow(/damaged/);
    expect(gifLayout(new Uint8Array([...lsd(0), 0x2c, 0, 0])).complete).toBe(false);
  });

  it('reads the size of lossless (VP8L) and extended WebP, and nothing of others', () => {
    const lossless = convertPicture(viewerScreenshot().png, 'webp', ['-resize', '30x20!', '-define', 'webp:lossless=true']);
    expect(webpSize(lossless, webpChunks(lossless).chunks)).toEqual({ width: 30, height: 20 });
    const odd = new Uint8Array([...ascii('RIFF'), 12, 0, 0, 0, ...ascii('WEBP'), ...ascii('ABCD'), 0, 0, 0, 0]);
    expect(webpSize(odd, webpChunks(odd).chunks)).toBeUndefined();
  });

  it('reads a WebP EXIF chunk that keeps the "Exif" prefix', async () => {
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x3b, 0, 2, 0, 0, 0, 6, 0, 0, 0, 26, 0, 0, 0, 0, ...ascii('Marta\0')];
    const exif = [...ascii('Exif\0\0'), ...tiff];
    const vp8l = [...lossless().subarray(12)];
    const body = [...vp8l, ...ascii('EXIF'), exif.length & 255, 0, 0, 0, ...exif];
    const webp = new Uint8Array([...ascii('RIFF'), (body.length + 4) & 255, (body.length + 4) >> 8, 0, 0, ...ascii('WEBP'), ...body]);
    const m = await readPictureMetadata(webp, 'webp');
    expect(m.findings.find((f) => f.tag === 'exif:Artist')?.value).toBe('Marta');
    function lossless(): Uint8Array {
      return convertPicture(viewerScreenshot().png, 'webp', ['-resize', '8x8!', '-define', 'webp:lossless=true', '-strip']);
    }
  });
});

describe("exifr's output shapes", () => {
  const run = (output: Record<string, unknown>): Finding[] => {
    const out: Finding[] = [];
    exifrFindings(output, out);
    return out;
  };
  it('language alternatives, arrays, face regions, nested contact info, unknown namespaces', () => {
    const found = run({
      dc: { title: { lang: 'x-default', value: 'Knee of Marta' }, subject: ['knee', 'MRI'], rights: 'Marta K' },
      'mwg-rs': { Regions: { AppliedToDimensions: { w: 100, h: 100, unit: 'pixel' }, RegionList: [{ Area: { x: 0.5, y: 0.5, w: 0.1, h: 0.1 }, Name: 'Jan Nowak', Type: 'Face' }] } },
      Iptc4xmpCore: { CreatorContactInfo: { CiTelWork: '+44 20 7946 0958', CiEmailWork: 'm@example.org' }, Location: 'Ward 3' },
      xmpDM: { artist: 'SMITHERS^JOHANNA', tempo: 120 },
      MPRI: { Regions: [{ PersonDisplayName: 'Ewa' }] },
      exif: { GPSLatitude: '52,13.782N', GPSLongitude: '21,0.732E', UserComment: 'a note' },
      weird: new Uint8Array(2),
    });
    const by = (tag: string) => found.find((f) => f.tag === tag);
    expect(by('xmp:dc:title')?.value).toBe('Knee of Marta');
    expect(by('xmp:dc:subject')?.value).toBe('knee; MRI');
    expect(by('xmp:mwg-rs:Regions')).toMatchObject({ category: 'name', severity: 'high', value: 'Jan Nowak' });
    expect(by('xmp:Iptc4xmpCore:CreatorContactInfo')).toMatchObject({ category: 'contact', value: '+44 20 7946 0958; m@example.org' });
    expect(by('xmp:xmpDM:artist')).toMatchObject({ severity: 'medium', value: 'SMITHERS^JOHANNA' });
    expect(by('xmp:xmpDM:tempo')).toBeUndefined();
    expect(by('xmp:MPRI:Regions')?.value).toBe('Ewa');
    expect(by('xmp:exif:GPSLatitude')).toMatchObject({ category: 'location', value: '52.22970, 21.01220' });
    expect(by('exif:UserComment')?.value).toBe('a note');
  });

  it('UCS-2 and UTF-8 user comments, XP fields as numbers, GPS in numbers, destinations, stamps, areas, thumbnails', () => {
    const ucs = (text: string, bigEndian: boolean): Uint8Array => {
      const out = new Uint8Array(8 + 2 * text.length);
      out.set(ascii('UNICODE\0'), 0);
      [...text].forEach((c, i) => {
        out[8 + 2 * i + (bigEndian ? 1 : 0)] = c.charCodeAt(0);
      });
      return out;
    };
    const found = run({
      ifd0: { XPComment: [0x4d, 0, 0x61, 0, 0x72, 0], XPSubject: 'Subj\0', XPTitle: new Uint8Array(0), Copyright: '', Orientation: 1 },
      exif: { UserComment: ucs('big endian note', true) },
      userComment: ucs('ignored, the exif one was read', false),
      gps: {
        GPSLatitude: 10, GPSLatitudeRef: 'S', GPSLongitude: 20.5, GPSLongitudeRef: 'W', GPSAltitude: 3,
        GPSDestLatitude: [1, 30, 0], GPSDestLongitude: [2, 0, 0],
        GPSDateStamp: '2024:03:05', GPSTimeStamp: [10, 11, 12],
        GPSAreaInformation: new Uint8Array([...ascii('ASCII\0\0\0'), ...ascii('Warsaw')]), GPSProcessingMethod: 'GPS',
      },
      ifd1: { ThumbnailOffset: 100, ThumbnailLength: 2000 },
      iptc: { Keywords: ['knee', 'scan'], Unknown: 'x', Byline: 'A'.repeat(2000) },
    });
    const by = (tag: string) => found.find((f) => f.tag === tag);
    expect(by('exif:XPComment')?.value).toBe('Mar');
    expect(by('exif:XPSubject')?.value).toBe('Subj');
    expect(by('exif:XPTitle')).toBeUndefined();
    expect(by('exif:UserComment')?.value).toBe('big endian note');
    expect(by('exif:GPSLatitude')?.value).toBe('-10.00000, -20.50000');
    expect(by('exif:GPSDestLatitude')?.value).toBe('1.50000, 2.00000');
    expect(by('exif:GPSDateStamp')?.severity).toBe('low');
    expect(by('exif:GPSAreaInformation')).toMatchObject({ category: 'location', severity: 'medium', value: 'Warsaw' });
    expect(by('exif:GPSProcessingMethod')?.value).toBe('GPS');
    expect(by('exif:thumbnail')).toMatchObject({ category: 'picture-content', severity: 'low' });
    expect(by('iptc:Keywords')?.value).toBe('knee; scan');
    expect(by('iptc:By-line')?.value).toHaveLength(1024);
    // A user comment alone (exifr's own block) is read when the EXIF one is not.
    expect(run({ userComment: new Uint8Array([...ascii('\0\0\0\0\0\0\0\0'), ...ascii('plain note')]) }).find((f) => f.tag === 'exif:UserComment')?.value).toBe('plain note');
    // Null island, latitudes past the pole and GPS text that is no position are no position.
    expect(run({ gps: { GPSLatitude: 0, GPSLongitude: 0 } })).toEqual([]);
    expect(run({ gps: { GPSLatitude: 95, GPSLongitude: 0 } })).toEqual([]);
    expect(run({ gps: { GPSLatitude: 'north', GPSLongitude: 1 }, exif: { UserComment: new Uint8Array(3) } })).toEqual([]);
  });
});

describe('pictures no decoder takes', () => {
  const decoders = nodePictureDecoders();
  it('CMYK JPEGs, damaged GIF and TIFF, empty pictures are refused with the reason', async () => {
    const cmyk = convertPicture(viewerScreenshot().png, 'jpeg', ['-resize', '40x30!', '-colorspace', 'CMYK']);
    await expect(decodePicture(cmyk, 'jpeg', decoders)).rejects.toThrow(/4 colour components \(CMYK\)/);
    const twelve = new Uint8Array([0xff, 0xd8, ...segment(0xc1, [12, 0, 8, 0, 8, 1, 1, 0x11, 0]), 0xff, 0xd9]);
    await expect(decodePicture(twelve, 'jpeg', decoders)).rejects.toThrow(/could not be decoded|12-bit/);
    const header = [...ascii('GIF89a'), 2, 0, 1, 0, 0, 0, 0];
    await expect(decodePicture(new Uint8Array([...header, 0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0x80, 2, 2, 0x44, 0x01, 0]), 'gif', decoders)).rejects.toThrow(/GIF picture is damaged/);
    await expect(decodePicture(new Uint8Array([...header, 0x3b]), 'gif', decoders)).rejects.toThrow(/no frame|damaged/);
    await expect(decodePicture(new Uint8Array([...ascii('GIF89a'), 0, 0, 0, 0, 0, 0, 0, 0x3b]), 'gif', decoders)).rejects.toThrow(/no pixels/);
    // A TIFF whose only page has a size and nothing else.
    const tiff = new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0, 2, 0, 0x00, 0x01, 3, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0x01, 0x01, 3, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
    expect(await pictureSize(tiff, 'tiff')).toEqual({ width: 4, height: 4 });
    await expect(decodePicture(tiff, 'tiff', decoders)).rejects.toThrow(/TIFF picture could not be decoded/);
    expect(await pictureSize(new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0]), 'tiff')).toBeUndefined();
    await expect(decodePicture(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '), 'webp', decoders)).rejects.toThrow(/header is damaged/);
    await expect(decodePicture(convertPicture(viewerScreenshot().png, 'heic', ['-resize', '64x48!']), 'heif', { heif: async () => { throw new Error('refused'); } })).rejects.toThrow(/HEIC\/HEIF picture could not be decoded/);
    // A host decoder's own reason (a browser without HEIC support) is kept.
    const own = new PictureDecodeError('this browser cannot decode HEIC pictures');
    await expect(decodePicture(convertPicture(viewerScreenshot().png, 'heic', ['-resize', '64x48!']), 'heif', { heif: async () => { throw own; } })).rejects.toThrow(/^this browser cannot decode HEIC pictures$/);
  });

  it('pictures that cannot be cleaned say why', async () => {
    await expect(cleanPicture(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2]), 'jpeg', [{ x: 0, y: 0, width: 1, height: 1 }], { decoders, jpeg: nodeJpegEncoder })).rejects.toThrow(/cut short/);
    await expect(cleanPicture(new Uint8Array([1, 2, 3]), 'png', [], { decoders })).rejects.toThrow(/does not start like a PNG/);
    await expect(cleanPicture(new Uint8Array([1, 2, 3]), 'tiff', [], { decoders })).rejects.toThrow(/could not be cleaned|could not be decoded|damaged/);
    // A grey TIFF is written anew as RGBA, turned as it was.
    const grey = convertPicture(viewerScreenshot().png, 'tiff', ['-resize', '40x30!', '-colorspace', 'Gray']);
    const copy = await cleanPicture(grey, 'tiff', [], { decoders }, { orientation: 6 });
    expect(copy.reencoded).toBe(true);
    expect(await pictureSize(copy.bytes, 'tiff')).toEqual({ width: 40, height: 30 });
    // A JPEG encoder's output without JFIF gets the orientation segment first.
    const bare = convertPicture(colourPhoto(64, 48), 'jpeg', ['-strip']);
    const noJfif = join(bare.subarray(0, 2), bare.subarray(jpegLayout(bare).segments[0]!.end));
    const masked = await cleanPicture(bare, 'jpeg', [{ x: 0, y: 0, width: 8, height: 8 }], { decoders, jpeg: async () => noJfif }, { orientation: 3 });
    expect(appKind(masked.bytes, jpegLayout(masked.bytes).segments[0]!)).toBe('exif');
  });
});

/** A PDF made by hand with an information dictionary, XMP metadata and a second page that does not exist. */
function pdfWithMetadata(): Uint8Array {
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:spg="http://example.org/spg/">
<dc:creator><rdf:Seq><rdf:li>KOWALCZYK MARTA</rdf:li></rdf:Seq></dc:creator>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Report of Patient: KOWALCZYK</rdf:li></rdf:Alt></dc:title>
<xmp:CreatorTool>RIS 5</xmp:CreatorTool><xmp:CreateDate>2024-03-05</xmp:CreateDate><xmpMM:DocumentID>uuid:1234</xmpMM:DocumentID>
<spg:contact>Tel: +44 20 7946 0958</spg:contact><spg:colour>blue</spg:colour>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  return handPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>',
      '<< /Type /Pages /Kids [3 0 R 9 0 R] /Count 2 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
      '<< /Length 78 >>\nstream\nBT /F1 12 Tf 50 780 Td (Patient: KOWALCZYK, MARTA   Radiology report) Tj ET\nendstream',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      `<< /Type /Metadata /Subtype /XML /Length ${xmp.length} >>\nstream\n${xmp}\nendstream`,
      '<< /Author (KOWALCZYK MARTA) /Title (Report) /PatientName (KOWALCZYK MARTA) /Ward (3) >>',
    ],
    '/Root 1 0 R /Info 7 0 R',
  );
}

describe('PDF corners', () => {
  it('reads the information dictionary, custom keys and XMP; a missing page is a reason', async () => {
    const report = await checkDocument(bytesSource(pdfWithMetadata()), host);
    const by = (tag: string) => report.findings.find((f) => f.tag === tag);
    expect(by('pdf:Author')).toMatchObject({ category: 'name', severity: 'high' });
    expect(by('pdf:Custom:PatientName')).toMatchObject({ severity: 'high' });
    expect(by('pdf:Custom:Ward')).toMatchObject({ severity: 'low' });
    expect(by('xmp:dc:creator')).toMatchObject({ category: 'name', severity: 'high' });
    expect(by('xmp:dc:title')).toMatchObject({ severity: 'high' });
    expect(by('xmp:xmp:creatortool')).toMatchObject({ category: 'device' });
    expect(by('xmp:xmp:createdate')).toMatchObject({ category: 'dates' });
    expect(by('xmp:xmpmm:documentid')).toMatchObject({ category: 'uids' });
    expect(by('xmp:spg:contact')).toMatchObject({ category: 'contact', severity: 'high' });
    expect(by('xmp:spg:colour')).toBeUndefined();
    expect(report.verdict).toBe('unreadable');
    expect(report.reason).toMatch(/page 2 could not be read/);
  });

  it('pages without text that cannot be drawn, and copies that cannot be made, say why', async () => {
    const { scannedPdf } = await import('../fixtures/documents');
    const scanned = await scannedPdf(1);
    class NoCanvas {
      create(): never {
        throw new Error('no canvas');
      }
      reset(): void {}
      destroy(): void {}
    }
    const options = { ...nodePdfOptions(), CanvasFactory: NoCanvas };
    const noDraw = { ...host, pdf: { options } };
    const report = await checkDocument(bytesSource(scanned), noDraw);
    expect(report.reason).toMatch(/page 1 has no text layer and could not be drawn to be read/);
    expect(report.document.pictureText).toBe('not-read');
    await expect(cleanPdf(scanned, [], { pdf: { options }, jpeg: nodeJpegEncoder }, { maxPages: 10 })).rejects.toThrow(/page 1 could not be drawn here/);
    await expect(cleanPdf(scanned, [], { pdf: { options } }, { maxPages: 10 })).rejects.toThrow(/no JPEG encoder/);
    await expect(cleanPdf(new TextEncoder().encode('%PDF-1.4 nothing'), [], { jpeg: nodeJpegEncoder }, { maxPages: 10 })).rejects.toThrow(/damaged|could not be opened/);
    await expect(cleanPdf(await longPdf(3), [], { jpeg: nodeJpegEncoder }, { maxPages: 2 })).rejects.toThrow(/only the first 2 of its 3 pages were checked/);
    const clean = await cleanDocument(bytesSource(await longPdf(1)), { kind: 'pdf', regions: [], checked: true }, { ...host, jpeg: nodeJpegEncoder }, { margin: 1, maxPdfPages: 5 });
    expect(clean).toMatchObject({ kind: 'pdf', imageOnly: true, pages: 1, masked: 0 });
  });
});

describe('masks and colour profiles', () => {
  it('boxes the reader cannot make out become marks in the report\'s pixels', async () => {
    const { pictureTextFindings } = await import('../../src/core/documents/picture-check');
    const image = { width: 200, height: 100, channels: 1 as const, data: new Uint8Array(200 * 100) };
    // A stand-in engine: the detector sees one line-shaped block, the reader cannot read it.
    const engine = {
      async detect(input: { width: number; height: number; scale: number; pad: number }) {
        const p = new Float32Array(input.width * input.height);
        for (let y = 40; y < 56; y++) for (let x = 40; x < 200; x++) p[y * input.width + x] = 0.95;
        return p;
      },
      async read(crops: readonly unknown[]) {
        return crops.map(() => ({ text: '', confidence: 0 }));
      },
    };
    const read = await pictureTextFindings(image, engine, [], (r) => ({ page: 3, ...r }));
    expect(read.findings).toEqual([]);
    expect(read.marks).toHaveLength(1);
    expect(read.marks[0]).toMatchObject({ page: 3 });
  });

  it('a masked JPEG keeps its colour profile', async () => {
    const base = convertPicture(colourPhoto(64, 48), 'jpeg', ['-strip']);
    const icc = segment(0xe2, [...ascii('ICC_PROFILE\0'), 1, 1, ...new Array<number>(40).fill(7)]);
    const jpeg = join(base.subarray(0, 2), icc, base.subarray(2));
    const masked = await cleanPicture(jpeg, 'jpeg', [{ x: 0, y: 0, width: 10, height: 10 }], { decoders: nodePictureDecoders(), jpeg: nodeJpegEncoder });
    const layout = jpegLayout(masked.bytes);
    expect(layout.segments.filter((s) => s.marker === 0xe2).map((s) => appKind(masked.bytes, s))).toEqual(['icc']);
  });
});

describe('plans and cleaning', () => {
  it('plans: each region once, regions the person keeps, reasons of files not checked; nothing for DICOM', () => {
    const region = { frame: 1, x: 1, y: 2, width: 3, height: 4 };
    const finding = (value: string, repeats: string[] = []): Finding => ({
      tag: '7FE00010', keyword: 'PixelData', category: 'picture-content', severity: 'medium', sequence: [], private: false, value, region, text: { repeats: repeats as never, looksLike: [] },
    });
    const report: FileReport = {
      path: 'a.png', format: 'image', verdict: 'unreadable', reason: 'it is cut short', bytesRead: 1, size: 1,
      findings: [finding('L'), finding('L again'), { ...finding('KOWALCZYK', ['name']), region: { ...region, x: 9 } }],
      document: { kind: 'image', looksMedical: true, pictureText: 'read', orientation: 6 },
      picture: { status: 'read', marks: [region] },
    };
    const zip: FileReport = { path: 'z.zip', format: 'zip', verdict: 'identifying', bytesRead: 1, size: 1, findings: [], entries: [report] };
    const dicom: FileReport = { path: 'x.dcm', format: 'dicom', verdict: 'clean', bytesRead: 1, size: 1, findings: [] };
    const plans = documentPlans([zip, dicom], (f) => f.value === 'L');
    expect(plans.get('x.dcm')).toBeUndefined();
    expect(plans.get('a.png')).toEqual({ kind: 'image', regions: [region, { ...region, x: 9 }], orientation: 6, checked: false, reason: 'it is cut short' });
  });

  it('an unexpected failure while reading the file is not turned into a plain reason', async () => {
    const broken: ByteSource = { size: 10, read: async (_start, end) => { if (end > 9) throw new TypeError('disk gone'); return new TextEncoder().encode('%PDF-1.4\n'); } };
    await expect(cleanDocument(broken, { kind: 'pdf', regions: [], checked: true }, host)).rejects.toThrow(TypeError);
  });
});

describe('document lines', () => {
  it('labels with values that stop at the next label, IDs without digits, and birth dates of the document', () => {
    const terms = documentTerms(['Name: DOE   ID 55', 'Patient ID: ABCDEF', 'Referring physician: X', 'DOB: 01/02/1990']);
    expect(terms.names).toEqual(['DOE']);
    expect(terms.identifiers).toEqual([]);
    expect(terms.staff).toEqual([]);
    expect(lineMeaning('1990-02-01 (age 34)', terms)).toMatchObject({ category: 'birth-date', note: "repeats the patient's birth date" });
  });
});
