// The CLI's file source: reads ahead at open, reads the rest positionally, closes small files at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSource } from '../../src/cli/file-source';

let dir: string;
const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-file-source-'));
  fs.writeFileSync(path.join(dir, 'big'), bytes);
  fs.writeFileSync(path.join(dir, 'small'), bytes.subarray(0, 300));
  fs.writeFileSync(path.join(dir, 'empty'), new Uint8Array(0));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openFileSource', () => {
  it('reads any range of a file larger than its read-ahead, clamped to the size', async () => {
    const source = await openFileSource(path.join(dir, 'big'), 1024);
    try {
      expect(source.size).toBe(bytes.length);
      expect(await source.read(0, 10)).toEqual(bytes.subarray(0, 10));
      expect(await source.read(1000, 5000)).toEqual(bytes.subarray(1000, 5000));
      expect(await source.read(90_000, 200_000)).toEqual(bytes.subarray(90_000));
      expect((await source.read(200_000, 300_000)).length).toBe(0);
    } finally {
      await source.close();
    }
    await expect(source.read(5000, 6000)).rejects.toThrow(/closed/);
    await source.close(); // twice is harmless
  });

  it('holds a file within its read-ahead in memory, readable after close', async () => {
    const source = await openFileSource(path.join(dir, 'small'), 1024);
    await source.close();
    expect(source.size).toBe(300);
    expect(await source.read(0, 1000)).toEqual(bytes.subarray(0, 300));
    const empty = await openFileSource(path.join(dir, 'empty'));
    expect(empty.size).toBe(0);
    expect((await empty.read(0, 10)).length).toBe(0);
  });

  it('rejects as the file system does for a missing file or a folder', async () => {
    await expect(openFileSource(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(openFileSource(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
