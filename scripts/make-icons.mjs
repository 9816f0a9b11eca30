#!/usr/bin/env node
// Draws the toolbar and store icons (a shield over a scan slice) as PNGs in icons/, with no image library.
// Run `node scripts/make-icons.mjs` after changing the drawing; the PNGs are committed.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../icons');
const SIZES = [16, 32, 48, 128];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates (0..1, y down).
function inShield(x, y) {
  const cx = 0.5;
  const top = 0.08;
  const shoulder = 0.3;
  const halfWidth = 0.4;
  if (y < top || y > 0.94) return false;
  if (y <= shoulder) return Math.abs(x - cx) <= halfWidth - (shoulder - y) * 0.12;
  const t = (y - shoulder) / (0.94 - shoulder); // 0 at the shoulder, 1 at the tip
  return Math.abs(x - cx) <= halfWidth * Math.sqrt(Math.max(0, 1 - t * t));
}
function inSlice(x, y) {
  // An axial scan slice: an ellipse ring with a lighter centre.
  const dx = (x - 0.5) / 0.22;
  const dy = (y - 0.48) / 0.26;
  const r = dx * dx + dy * dy;
  return r <= 1 ? (r >= 0.55 ? 'ring' : 'core') : null;
}

function draw(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (!inShield(x, y)) continue;
          const part = inSlice(x, y);
          const [cr, cg, cb] = part === 'ring' ? [255, 255, 255] : part === 'core' ? [147, 197, 253] : [29, 78, 216];
          r += cr; g += cg; b += cb; a += 255;
        }
      }
      const n = samples * samples;
      const o = (py * size + px) * 4;
      const coverage = a / 255;
      rgba[o] = coverage ? Math.round(r / coverage) : 0;
      rgba[o + 1] = coverage ? Math.round(g / coverage) : 0;
      rgba[o + 2] = coverage ? Math.round(b / coverage) : 0;
      rgba[o + 3] = Math.round(a / n);
    }
  }
  return png(size, rgba);
}

fs.mkdirSync(OUT, { recursive: true });
for (const size of SIZES) {
  fs.writeFileSync(path.join(OUT, `icon-${size}.png`), draw(size));
  console.log(`wrote icons/icon-${size}.png`);
}
