// Pictures and PDFs without the text engine: what sniff calls them, their metadata as exiftool writes it
// (every finding), their structure (JPEG segments, PNG chunks, WebP chunks, GIF blocks), PNG decoding of every
// colour type and bit depth against ImageMagick's, the JPEG quality estimate against ImageMagick's, stripping
// checked by exiftool, orientation, and the cheap look that decides whether a picture's text is read.

import { afterAll, describe, expect, it } from 'vitest';
import { sniff, sniffImage } from '../../src/core/sniff';
import { readPictureMetadata } from '../../src/core/documents/picture-metadata';
import { estimateJpegQuality, jpegComments, jpegFrame, jpegLayout, orientationSegment, stripJpeg, appKind, iccSegments } from '../../src/core/documents/jpeg-file';
import { decodePngRaw, encodePngData, fillPngRegions, pngChunks, pngImage, pngTexts, stripPng } from '../../src/core/documents/png-file';
import { gifLayout, stripGif, stripWebp, webpChunks, webpSize } from '../../src/core/documents/webp-gif-files';
import { decodePicture, fromRgba, orient, pictureSize, storedRect, swapsSides } from '../../src/core/documents/picture-decode';
import { documentTerms, lineMeaning, medicalText, pictureLooks, viewerText } from '../../src/core/documents/document-text';
import type { Image8 } from '../../src/core/text/detection';
import { nodeCodecs } from '../../src/cli/codec-host';
import { nodePictureDecoders } from '../../src/cli/document-host';
import {
  cleanUpDocuments, colourPhoto, convertPicture, decodeWithImageMagick, exiftoolTags, PHOTO_TAGS, viewerScreenshot, withExif, writeFixture, tool,
} from '../fixtures/documents';

afterAll(cleanUpDocuments);

const screenshot = viewerScreenshot();

describe('sniff', () => {
  it('recognises each picture format and PDFs by their bytes, never by a name', () => {
    expect(sniff(screenshot.png)).toEqual({ kind: 'image', format: 'png' });
    for (const [coder, format] of [['jpeg', 'jpeg'], ['webp', 'webp'], ['gif', 'gif'], ['tiff', 'tiff'], ['heic', 'heif']] as const) {
      expect(sniff(convertPicture(screenshot.png, coder)), coder).toEqual({ kind: 'image', format });
    }
    const bigEndianTiff = convertPicture(screenshot.png, 'tiff', ['-endian', 'MSB']);
    expect(sniffImage(bigEndianTiff)).toBe('tiff');
    expect(sniff(new TextEncoder().encode('%PDF-1.7\n%...'))).toEqual({ kind: 'pdf' });
    // A few bytes of junk before the header, as readers allow.
    expect(sniff(new TextEncoder().encode('\n\n%PDF-1.4\n'))).toEqual({ kind: 'pdf' });
    expect(sniff(new TextEncoder().encode('hello %PDF'))).toEqual({ kind: 'other' });
    // An ftyp box of another brand (an MP4 film) is not a picture.
    const mp4 = new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 0, 0, 0x6d, 0x70, 0x34, 0x31, 0x69, 0x73, 0x6f, 0x6d]);
    expect(sniff(mp4)).toEqual({ kind: 'other' });
  });

  it('keeps DICOM first: a DICOM file whose preamble is a TIFF header is DICOM', () => {
    const dual = new Uint8Array(200);
    dual.set([0x49, 0x49, 0x2a, 0], 0);
    dual.set([0x44, 0x49, 0x43, 0x4d, 0x02, 0x00], 128);
    expect(sniff(dual).kind).toBe('dicom');
  });
});

describe('picture metadata', () => {
  const photo = withExif(colourPhoto(640, 480), 'photo.jpg', PHOTO_TAGS);

  it('reports GPS, owner, serial, captions, XMP and IPTC people and places, and comments, each with its tag', async () => {
    const m = await readPictureMetadata(photo, 'jpeg');
    const by = (tag: string) => m.findings.find((f) => f.tag === tag);
    expect(by('exif:GPSLatitude')).toMatchObject({ keyword: 'GPSPosition', category: 'location', severity: 'high', value: '52.22970, 21.01220' });
    expect(by('exif:Artist')).toMatchObject({ category: 'name', severity: 'high', value: 'Marta Kowalczyk' });
    expect(by('exif:OwnerName')).toMatchObject({ category: 'name', severity: 'high' });
    expect(by('exif:SerialNumber')).toMatchObject({ category: 'device', severity: 'medium', value: '123456789' });
    expect(by('exif:UserComment')).toMatchObject({ category: 'free-text', severity: 'medium', value: 'knee MRI' });
    expect(by('exif:Make')).toMatchObject({ category: 'device', severity: 'low' });
    expect(by('exif:DateTimeOriginal')).toMatchObject({ category: 'dates', severity: 'low' });
    expect(by('xmp:dc:creator')).toMatchObject({ category: 'name', severity: 'high', value: 'Marta Kowalczyk' });
    expect(by('xmp:Iptc4xmpExt:PersonInImage')).toMatchObject({ category: 'name', severity: 'high', value: 'Jan Nowak' });
    expect(by('iptc:By-line')).toMatchObject({ category: 'name', severity: 'high', value: 'Marta K' });
    expect(by('iptc:City')).toMatchObject({ category: 'location', severity: 'medium', value: 'Warsaw' });
    expect(by('jpeg:comment')).toMatchObject({ category: 'free-text', value: 'sent to Dr Nowak' });
    expect(m.names).toEqual(expect.arrayContaining(['MARTA', 'KOWALCZYK', 'NOWAK']));
    expect(m.problem).toBeUndefined();
  });

  it('reads the same in PNG (text chunks, eXIf, XMP), WebP (EXIF and XMP chunks), TIFF, GIF comments and HEIC', async () => {
    const tags = ['-Artist=Exif Artist', '-XMP-dc:Creator=Xmp Person', '-GPSLatitude=10.5', '-GPSLatitudeRef=S', '-GPSLongitude=20', '-GPSLongitudeRef=W'];
    const png = await readPictureMetadata(withExif(screenshot.png, 'm.png', [...tags, '-PNG:Author=Png Author', '-PNG:Comment=a note']), 'png');
    expect(png.findings.map((f) => f.tag)).toEqual(expect.arrayContaining(['exif:Artist', 'xmp:dc:creator', 'exif:GPSLatitude', 'png:Author', 'png:Comment']));
    expect(png.findings.find((f) => f.tag === 'exif:GPSLatitude')?.value).toBe('-10.50000, -20.00000');
    for (const [coder, format] of [['webp', 'webp'], ['tiff', 'tiff'], ['heic', 'heif']] as const) {
      const m = await readPictureMetadata(withExif(convertPicture(screenshot.png, coder), `m.${coder}`, tags), format);
      expect(m.findings.map((f) => f.tag), coder).toEqual(expect.arrayContaining(['exif:Artist', 'xmp:dc:creator', 'exif:GPSLatitude']));
      expect(m.problem, coder).toBeUndefined();
    }
    const gif = await readPictureMetadata(withExif(convertPicture(screenshot.png, 'gif'), 'm.gif', ['-Comment=gif note Marta', '-XMP-dc:Creator=Xmp Person']), 'gif');
    expect(gif.findings.map((f) => `${f.tag}=${f.value}`)).toEqual(expect.arrayContaining(['gif:comment=gif note Marta', 'xmp:dc:creator=Xmp Person']));
  });

  it('says nothing of a picture without metadata but what it is made with, and calls default camera texts low', async () => {
    const plain = await readPictureMetadata(convertPicture(screenshot.png, 'jpeg', ['-strip']), 'jpeg');
    expect(plain.findings.filter((f) => f.severity !== 'low')).toEqual([]);
    const camera = await readPictureMetadata(withExif(colourPhoto(64, 48), 'cam.jpg', ['-ImageDescription=OLYMPUS DIGITAL CAMERA', '-XPAuthor=Xp Author', '-Orientation#=6']), 'jpeg');
    expect(camera.findings.find((f) => f.tag === 'exif:ImageDescription')?.severity).toBe('low');
    expect(camera.findings.find((f) => f.tag === 'exif:XPAuthor')).toMatchObject({ value: 'Xp Author', severity: 'high' });
    expect(camera.orientation).toBe(6);
  });
});

describe('JPEG structure', () => {
  const jpeg = withExif(convertPicture(screenshot.png, 'jpeg', ['-quality', '83']), 's.jpg', [...PHOTO_TAGS, '-ICC_Profile<=/dev/null']);

  it('lists its segments, frame and comments, and estimates its quality as ImageMagick does', () => {
    const layout = jpegLayout(jpeg);
    expect(layout.complete).toBe(true);
    expect(layout.segments.map((s) => appKind(jpeg, s))).toEqual(expect.arrayContaining(['jfif', 'exif', 'xmp', 'photoshop']));
    expect(jpegComments(jpeg, layout)).toEqual(['sent to Dr Nowak']);
    expect(jpegFrame(jpeg, layout)).toMatchObject({ width: 800, height: 600, components: 3, progressive: false });
    for (const q of [35, 60, 83, 95]) {
      const other = convertPicture(screenshot.png, 'jpeg', ['-quality', String(q)]);
      const reported = Number(tool('identify', ['-format', '%Q', '-'], other).toString());
      expect(Math.abs(estimateJpegQuality(other, jpegLayout(other)) - reported), `quality ${q}`).toBeLessThanOrEqual(1);
    }
  });

  it('strips every metadata segment but JFIF and ICC without touching the picture; exiftool finds none left', () => {
    const stripped = stripJpeg(jpeg, 6);
    const tags = exiftoolTags(stripped, 'stripped.jpg');
    const groups = new Set(Object.keys(tags).map((k) => k.split(':')[0]));
    expect([...groups].sort()).toEqual(['IFD0', 'JFIF']);
    expect(tags['IFD0:Orientation']).toBe(6);
    // The entropy-coded data is byte for byte the same.
    const scan = (b: Uint8Array) => {
      const l = jpegLayout(b);
      const sos = l.segments.find((s) => s.marker === 0xda)!;
      return b.subarray(sos.start, l.end);
    };
    expect(Buffer.from(scan(stripped)).equals(Buffer.from(scan(jpeg)))).toBe(true);
    expect(orientationSegment(1)).toHaveLength(0);
    expect(iccSegments(jpeg, jpegLayout(jpeg))).toEqual([]);
  });

  it('keeps an ICC profile, drops what follows the end (a second picture) and a progressive picture stays progressive', () => {
    const withProfile = convertPicture(colourPhoto(320, 240), 'jpeg', ['-profile', '/usr/share/color/icc/sRGB.icc'].filter(() => false));
    const progressive = convertPicture(withProfile, 'jpeg', ['-interlace', 'JPEG']);
    const joined = new Uint8Array([...progressive, ...withProfile]);
    const layout = jpegLayout(joined);
    expect(layout.trailing).toBe(true);
    const stripped = stripJpeg(joined);
    expect(stripped.length).toBeLessThan(joined.length);
    expect(jpegFrame(stripped, jpegLayout(stripped))?.progressive).toBe(true);
    expect(decodeWithImageMagick(stripped).width).toBe(320);
  });

  it('refuses bytes that are no JPEG, a segment running past the end, and strips nothing from a cut picture', () => {
    expect(() => jpegLayout(screenshot.png)).toThrow(/does not start like a JPEG/);
    const broken = jpeg.slice(0, 30);
    broken[4] = 0xff;
    broken[5] = 0xff;
    expect(() => jpegLayout(broken)).toThrow(/past the end/);
    expect(jpegLayout(jpeg.subarray(0, jpeg.length >> 1)).complete).toBe(false);
    expect(() => stripJpeg(jpeg.subarray(0, jpeg.length >> 1))).toThrow(/cut short/);
  });
});

describe('PNG', () => {
  const forms: Array<[string, string[]]> = [
    ['grey 8', ['-colorspace', 'Gray', '-define', 'png:color-type=0', '-depth', '8']],
    ['grey 1', ['-colorspace', 'Gray', '-threshold', '50%', '-define', 'png:color-type=0', '-depth', '1']],
    ['grey 4 interlaced', ['-colorspace', 'Gray', '-define', 'png:color-type=0', '-depth', '4', '-interlace', 'PNG']],
    ['grey 16', ['-colorspace', 'Gray', '-define', 'png:color-type=0', '-depth', '16']],
    ['RGB 8 interlaced', ['-define', 'png:color-type=2', '-depth', '8', '-interlace', 'PNG']],
    ['RGB 16', ['-define', 'png:color-type=2', '-depth', '16']],
    ['palette 4', ['-colors', '12', '-define', 'png:color-type=3', '-depth', '4']],
    ['palette 8 interlaced', ['-colors', '200', '-define', 'png:color-type=3', '-depth', '8', '-interlace', 'PNG']],
    ['grey and alpha', ['-colorspace', 'Gray', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '100%', '+channel', '-define', 'png:color-type=4']],
    ['RGBA 8', ['-alpha', 'set', '-define', 'png:color-type=6', '-depth', '8']],
  ];
  const small = convertPicture(screenshot.png, 'png', ['-resize', '203x151!']);

  it.each(forms)('decodes %s as ImageMagick does', (_name, args) => {
    const png = convertPicture(small, 'png', args);
    const image = pngImage(decodePngRaw(png, { maxPixels: 1e8 }));
    const reference = decodeWithImageMagick(png);
    expect([image.width, image.height]).toEqual([reference.width, reference.height]);
    let worst = 0;
    for (let i = 0; i < image.width * image.height; i++) {
      for (let c = 0; c < 3; c++) {
        const ours = image.data[image.channels === 3 ? 3 * i + c : i]!;
        worst = Math.max(worst, Math.abs(ours - reference.rgb[3 * i + c]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('fills regions in the stored samples and writes them back losslessly: every other pixel unchanged', () => {
    for (const [name, args] of forms) {
      const png = convertPicture(small, 'png', args);
      const raw = decodePngRaw(png, { maxPixels: 1e8 });
      const region = { x: 10, y: 8, width: 60, height: 20 };
      expect(fillPngRegions(raw, [region, { x: 500, y: 500, width: 5, height: 5 }], 1)).toBe(1);
      const copy = stripPng(png, encodePngData(raw));
      const before = decodeWithImageMagick(png);
      const after = decodeWithImageMagick(copy);
      let changedOutside = 0;
      let notBlack = 0;
      for (let y = 0; y < before.height; y++) {
        for (let x = 0; x < before.width; x++) {
          const inside = x >= 9 && x < 71 && y >= 7 && y < 29;
          for (let c = 0; c < 3; c++) {
            const i = 3 * (y * before.width + x) + c;
            if (inside && after.rgb[i]! > 40) notBlack++;
            if (!inside && after.rgb[i] !== before.rgb[i]) changedOutside++;
          }
        }
      }
      expect(changedOutside, name).toBe(0);
      expect(notBlack, name).toBe(0);
    }
  });

  it('reads text chunks (tEXt, zTXt, iTXt) and strips them with eXIf and tIME; exiftool finds none left', () => {
    const png = withExif(small, 't.png', ['-PNG:Comment=plain note', '-PNG:Author=Png Author', '-PNG:Description=iTXt text', '-Artist=Exif Artist', '-XMP-dc:Creator=X']);
    const compressed = convertPicture(png, 'png', ['-define', 'png:compression-level=9', '-set', 'comment', 'a zipped comment that is long enough to be compressed by ImageMagick '.repeat(20)]);
    const texts = pngTexts(compressed, pngChunks(compressed).chunks).map((t) => t.keyword);
    expect(texts).toContain('comment');
    expect(pngTexts(png, pngChunks(png).chunks).map((t) => `${t.keyword}=${t.text}`)).toEqual(expect.arrayContaining(['Comment=plain note', 'Author=Png Author']));
    const stripped = stripPng(png);
    const groups = new Set(Object.keys(exiftoolTags(stripped, 'stripped.png')).map((k) => k.split(':')[0]));
    expect([...groups]).toEqual(['PNG']);
    expect(Object.keys(exiftoolTags(stripped, 'stripped.png')).filter((k) => /Comment|Author|Description|Artist|Creator|ModifyDate/.test(k))).toEqual([]);
  });

  it('refuses damaged and oversized pictures with a reason', () => {
    expect(() => pngChunks(convertPicture(small, 'jpeg'))).toThrow(/does not start like a PNG/);
    const cut = small.subarray(0, small.length - 40);
    expect(pngChunks(cut).complete).toBe(false);
    expect(() => decodePngRaw(small.subarray(0, 200), { maxPixels: 1e8 })).toThrow(/cut short|damaged/);
    expect(() => decodePngRaw(small, { maxPixels: 1000 })).toThrow(/too large/);
    const badFilter = decodePngRaw(small, { maxPixels: 1e8 });
    expect(badFilter.header.width).toBe(203);
    const header = small.slice();
    header[8 + 8 + 9] = 5; // colour type 5 does not exist
    expect(() => decodePngRaw(header, { maxPixels: 1e8 })).toThrow(/header is not valid/);
  });
});

describe('WebP and GIF', () => {
  it('reads their size and strips EXIF and XMP (WebP) and comments (GIF) without touching the picture', () => {
    const small = convertPicture(screenshot.png, 'png', ['-resize', '200x150!']);
    const webp = withExif(convertPicture(small, 'webp'), 'w.webp', ['-Artist=Someone', '-XMP-dc:Creator=X']);
    expect(webpSize(webp, webpChunks(webp).chunks)).toEqual({ width: 200, height: 150 });
    const stripped = stripWebp(webp);
    expect(Object.keys(exiftoolTags(stripped, 'w2.webp')).filter((k) => /Artist|Creator|XMP|IFD/.test(k))).toEqual([]);
    expect(Buffer.from(decodeWithImageMagick(stripped).rgb).equals(Buffer.from(decodeWithImageMagick(webp).rgb))).toBe(true);
    const gif = withExif(convertPicture(small, 'gif'), 'g.gif', ['-Comment=secret', '-XMP-dc:Creator=X']);
    const layout = gifLayout(gif);
    expect([layout.width, layout.height, layout.frames, layout.complete]).toEqual([200, 150, 1, true]);
    expect(layout.comments).toEqual(['secret']);
    const clean = stripGif(gif);
    expect(gifLayout(clean).comments).toEqual([]);
    expect(gifLayout(clean).applications).toEqual([]);
    expect(Buffer.from(decodeWithImageMagick(clean).rgb).equals(Buffer.from(decodeWithImageMagick(gif).rgb))).toBe(true);
    expect(() => stripWebp(webp.subarray(0, webp.length - 100))).toThrow(/cut short/);
    expect(() => stripGif(gif.subarray(0, gif.length - 100))).toThrow(/cut short/);
    expect(() => webpChunks(gif)).toThrow(/WebP/);
    expect(() => gifLayout(webp)).toThrow(/GIF/);
  });
});

describe('decoding and orientation', () => {
  const host = nodePictureDecoders();

  it('decodes every format to the pixels ImageMagick decodes (lossless ones exactly)', async () => {
    const reference = decodeWithImageMagick(screenshot.png);
    for (const [coder, format, tolerance] of [['png', 'png', 0], ['tiff', 'tiff', 0], ['webp', 'webp', 60], ['jpeg', 'jpeg', 60], ['heic', 'heif', 90], ['gif', 'gif', 80]] as const) {
      const bytes = coder === 'webp' ? convertPicture(screenshot.png, 'webp', ['-define', 'webp:lossless=true']) : convertPicture(screenshot.png, coder);
      const image = await decodePicture(bytes, format, host);
      expect([image.width, image.height], coder).toEqual([800, 600]);
      let differ = 0;
      for (let i = 0; i < 800 * 600; i++) {
        const v = image.channels === 3 ? image.data[3 * i]! : image.data[i]!;
        if (Math.abs(v - reference.rgb[3 * i]!) > 24) differ++;
      }
      expect(differ / (800 * 600), coder).toBeLessThanOrEqual(tolerance === 0 ? 0 : 0.02);
    }
  });

  it('reads sizes from headers and refuses pictures over the limit before decoding', async () => {
    expect(await pictureSize(convertPicture(screenshot.png, 'heic'), 'heif')).toEqual({ width: 800, height: 600 });
    expect(await pictureSize(convertPicture(screenshot.png, 'tiff'), 'tiff')).toEqual({ width: 800, height: 600 });
    await expect(decodePicture(screenshot.png, 'png', host, { maxPixels: 1000 })).rejects.toThrow(/too large to read its text here \(0 megapixels; at most 0\)/);
    await expect(decodePicture(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), 'jpeg', host)).rejects.toThrow(/header is damaged/);
    await expect(decodePicture(convertPicture(screenshot.png, 'webp'), 'webp', { codecs: nodeCodecs() })).rejects.toThrow(/no WebP decoder/);
    await expect(decodePicture(convertPicture(screenshot.png, 'jpeg'), 'jpeg', {})).rejects.toThrow(/no JPEG decoder/);
    // A browser's own decoder is tried first; when it cannot, the rest are.
    const viaHost = await decodePicture(screenshot.png, 'png', { any: async () => ({ width: 800, height: 600, data: new Uint8ClampedArray(800 * 600 * 4).fill(255) }) });
    expect(viaHost.data[0]).toBe(255);
    const fallback = await decodePicture(screenshot.png, 'png', { any: async () => { throw new Error('no'); } });
    expect(fallback.width).toBe(800);
  });

  it('turns pictures as EXIF says and maps regions of the shown picture back to stored pixels', () => {
    const stored: Image8 = { width: 3, height: 2, channels: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    // 1 2 3 / 4 5 6 turned a quarter clockwise (6) shows 4 1 / 5 2 / 6 3.
    expect([...orient(stored, 6).data]).toEqual([4, 1, 5, 2, 6, 3]);
    expect([...orient(stored, 8).data]).toEqual([3, 6, 2, 5, 1, 4]);
    expect([...orient(stored, 3).data]).toEqual([6, 5, 4, 3, 2, 1]);
    expect([...orient(stored, 2).data]).toEqual([3, 2, 1, 6, 5, 4]);
    expect([...orient(stored, 4).data]).toEqual([4, 5, 6, 1, 2, 3]);
    expect([...orient(stored, 5).data]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...orient(stored, 7).data]).toEqual([6, 3, 5, 2, 4, 1]);
    expect(orient(stored, 1)).toBe(stored);
    expect(swapsSides(6) && swapsSides(5) && !swapsSides(3)).toBe(true);
    // Every orientation: the shown pixel at a region's corner is the stored pixel at the mapped corner.
    for (let o = 1; o <= 8; o++) {
      const shown = orient(stored, o);
      for (let y = 0; y < shown.height; y++) {
        for (let x = 0; x < shown.width; x++) {
          const r = storedRect({ x, y, width: 1, height: 1 }, o, 3, 2);
          expect(stored.data[r.y * 3 + r.x], `orientation ${o}`).toBe(shown.data[y * shown.width + x]);
        }
      }
    }
    expect(storedRect({ x: 0, y: 0, width: 2, height: 3 }, 6, 3, 2)).toEqual({ x: 0, y: 0, width: 3, height: 2 });
  });

  it('shows transparent pixels over white', () => {
    const rgba = new Uint8ClampedArray([0, 0, 0, 0, 255, 0, 0, 255]);
    expect([...fromRgba({ width: 2, height: 1, data: rgba }).data]).toEqual([255, 255, 255, 255, 0, 0]);
    expect(() => fromRgba({ width: 3, height: 1, data: rgba })).toThrow(/fewer pixels/);
  });
});

describe('what a picture looks like, and what its lines mean', () => {
  it('reads a dark grey screenshot and paper, not a colourful photo', async () => {
    const host = nodePictureDecoders();
    expect(pictureLooks(await decodePicture(screenshot.png, 'png', host)).plausible).toBe(true);
    const photo = await decodePicture(colourPhoto(), 'jpeg', host);
    expect(pictureLooks(photo)).toMatchObject({ plausible: false });
    const paper: Image8 = { width: 100, height: 100, channels: 1, data: new Uint8Array(10000).fill(240) };
    expect(pictureLooks(paper)).toMatchObject({ plausible: true, light: 1 });
    // A bluish tint over a grey picture (a phone photo of a screen) is still grey.
    const tinted = await decodePicture(convertPicture(screenshot.png, 'png', ['-fill', 'rgb(40,60,160)', '-colorize', '20%']), 'png', host);
    expect(pictureLooks(tinted).plausible).toBe(true);
  });

  it('knows a viewer by its words and a report by its vocabulary', () => {
    expect(viewerText(['Se: 3 Im: 42'])).toBe(true);
    expect(viewerText(['W: 400 L: 40'])).toBe(true);
    expect(viewerText(['AXIAL T2', 'FOV 24 cm'])).toBe(true);
    expect(viewerText(['Happy birthday', 'see you soon'])).toBe(false);
    expect(medicalText('Radiology report. Findings: normal. Impression: no lesion.')).toBe(true);
    expect(medicalText('Invoice for a kitchen table')).toBe(false);
  });

  it('finds labelled values and what other lines repeat of them', () => {
    const lines = ['Patient: KOWALCZYK, MARTA   DOB: 16/06/1976', 'MRN: 88412907', 'Referring physician: Dr. John Smith', 'Name: -'];
    const terms = documentTerms(lines, ['NOWAK']);
    expect(terms.names).toEqual(expect.arrayContaining(['NOWAK', 'KOWALCZYK', 'MARTA']));
    expect(terms.identifiers).toContain('88412907');
    expect(terms.staff).toEqual(expect.arrayContaining(['JOHN', 'SMITH']));
    expect(terms.birthDates).toContainEqual({ year: 1976, month: 6, day: 16 });
    expect(lineMeaning('Mrs Kowalczyk was told', terms)).toMatchObject({ category: 'name', severity: 'high' });
    expect(lineMeaning('Born 1976-06-16', terms)).toMatchObject({ category: 'birth-date', severity: 'high' });
    expect(lineMeaning('Record 88412907', terms)).toMatchObject({ category: 'identifier', severity: 'high' });
    expect(lineMeaning('Accession: A55512345', terms)).toMatchObject({ category: 'identifier', label: 'identifier' });
    expect(lineMeaning('Tel: +44 20 7946 0958', terms)).toMatchObject({ category: 'contact', severity: 'high' });
    expect(lineMeaning('write to jane.doe@example.org', terms)).toMatchObject({ category: 'contact', label: 'email' });
    expect(lineMeaning('Address: 12 Oak Street', terms)).toMatchObject({ category: 'contact' });
    expect(lineMeaning('Dictated by Dr Who', terms)).toMatchObject({ category: 'people-and-institution', severity: 'medium' });
    expect(lineMeaning('St. Mary Hospital', terms)).toMatchObject({ category: 'people-and-institution', severity: 'medium' });
    expect(lineMeaning('Exam date 2024-03-05', terms)).toMatchObject({ category: 'dates', severity: 'medium' });
    expect(lineMeaning('Ref 123456789012', terms)).toMatchObject({ category: 'identifier', severity: 'medium' });
    expect(lineMeaning('SMITHERS^JOHANNA', terms)).toMatchObject({ category: 'name', severity: 'high' });
    expect(lineMeaning('The menisci are intact.', terms)).toBeUndefined();
    expect(lineMeaning('Name: -', terms)).toBeUndefined();
  });
});

describe('fixtures', () => {
  it('writes files where the tests can hand them to outside tools', () => {
    expect(writeFixture('x.bin', new Uint8Array([1]))).toMatch(/spg-documents-/);
  });
});
