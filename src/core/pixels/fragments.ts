// Where each frame of encapsulated pixel data lies: from the Extended Offset Table, the Basic Offset Table,
// or by walking the fragment items (one fragment a frame, or a frame ending with a codestream end marker),
// reading only 8-byte item headers and the asked frame's fragments, never the whole pixel data.

import type { ByteSource } from '../source';
import { PixelDataError } from './frame';

/** Most fragment items followed in one pixel data element. */
export const MAX_FRAGMENTS = 1_000_000;

const ITEM = 0xe000;
const SEQUENCE_END = 0xe0dd;
const UNDEFINED = 0xffffffff;

interface Fragment {
  /** Where the fragment's bytes start (after its item header). */
  offset: number;
  length: number;
}

export interface FrameTable {
  /** 64-bit offsets of each frame's first item, from the first fragment (Extended Offset Table, 7FE0,0001). */
  extendedOffsets?: Uint8Array;
  /** 64-bit lengths of each frame's bytes (Extended Offset Table Lengths, 7FE0,0002). */
  extendedLengths?: Uint8Array;
}

const damaged = (): PixelDataError => new PixelDataError('its compressed picture is damaged (its fragments do not fit together)');

/** The frames of one encapsulated pixel data element. Offsets are in `source` (the file). */
export class EncapsulatedFrames {
  private firstFragment: number | undefined;
  private basicOffsets: number[] | undefined;
  private extended: Array<[number, number]> | undefined;
  /** Every fragment, once walked (only when no table says where frames start). */
  private walked: Fragment[] | undefined;
  private frameStarts: number[] | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly source: ByteSource,
    /** Where the Basic Offset Table item starts in `source`. */
    private readonly start: number,
    readonly frames: number,
    private readonly table: FrameTable,
    /** Whether a fragment ending with FFD9 ends a frame (JPEG, JPEG-LS, JPEG 2000 and HTJ2K codestreams). */
    private readonly endMarkerEndsFrame: boolean,
    private readonly maxFrameBytes: number,
  ) {}

  private async item(at: number): Promise<{ element: number; length: number } | undefined> {
    const h = await this.source.read(at, at + 8);
    if (h.length < 8) return undefined;
    const view = new DataView(h.buffer, h.byteOffset, 8);
    if (view.getUint16(0, true) !== 0xfffe) return undefined;
    return { element: view.getUint16(2, true), length: view.getUint32(4, true) };
  }

  private init(): Promise<void> {
    this.ready ??= this.readTables();
    return this.ready;
  }

  private async readTables(): Promise<void> {
    const bot = await this.item(this.start);
    if (!bot || bot.element !== ITEM || bot.length === UNDEFINED) throw damaged();
    this.firstFragment = this.start + 8 + bot.length;
    const { extendedOffsets: eo, extendedLengths: el } = this.table;
    if (eo && el && eo.length === 8 * this.frames && el.length === 8 * this.frames) {
      const offsets = new DataView(eo.buffer, eo.byteOffset, eo.length);
      const lengths = new DataView(el.buffer, el.byteOffset, el.length);
      const out: Array<[number, number]> = [];
      for (let i = 0; i < this.frames; i++) out.push([Number(offsets.getBigUint64(8 * i, true)), Number(lengths.getBigUint64(8 * i, true))]);
      this.extended = out;
      return;
    }
    // A Basic Offset Table helps only when it has one entry per frame, starting at 0 and increasing.
    if (bot.length === 4 * this.frames && this.frames > 1) {
      const bytes = await this.source.read(this.start + 8, this.start + 8 + bot.length);
      if (bytes.length < bot.length) throw damaged();
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const offsets = Array.from({ length: this.frames }, (_, i) => view.getUint32(4 * i, true));
      if (offsets[0] === 0 && offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)) this.basicOffsets = offsets;
    }
  }

  /** Every fragment up to the sequence delimiter (item headers only), and where frames start among them. */
  private async walk(): Promise<void> {
    if (this.walked) return;
    const fragments: Fragment[] = [];
    let p = this.firstFragment!;
    for (;;) {
      if (fragments.length >= MAX_FRAGMENTS) throw new PixelDataError('its compressed picture has more fragments than this reader follows');
      const item = await this.item(p);
      if (!item || (item.element !== ITEM && item.element !== SEQUENCE_END) || item.length === UNDEFINED) throw damaged();
      if (item.element === SEQUENCE_END) break;
      fragments.push({ offset: p + 8, length: item.length });
      p += 8 + item.length;
    }
    if (fragments.length === 0) throw new PixelDataError('its compressed picture has no fragments');
    let starts: number[];
    if (this.frames === 1) starts = [0];
    else if (fragments.length === this.frames) starts = fragments.map((_, i) => i);
    else if (this.endMarkerEndsFrame) {
      starts = [0];
      for (let i = 0; i < fragments.length - 1 && starts.length < this.frames; i++) {
        if (await this.endsWithEndMarker(fragments[i]!)) starts.push(i + 1);
      }
    } else {
      throw new PixelDataError('its compressed picture does not say where each frame starts');
    }
    this.walked = fragments;
    this.frameStarts = starts;
  }

  private async endsWithEndMarker(f: Fragment): Promise<boolean> {
    if (f.length < 2) return false;
    const tail = await this.source.read(f.offset + f.length - Math.min(3, f.length), f.offset + f.length);
    const end = tail[tail.length - 1] === 0x00 ? tail.length - 1 : tail.length;
    return end >= 2 && tail[end - 2] === 0xff && tail[end - 1] === 0xd9;
  }

  private async readFragments(fragments: Fragment[]): Promise<Uint8Array> {
    const total = fragments.reduce((n, f) => n + f.length, 0);
    if (total > this.maxFrameBytes) throw new PixelDataError('a frame of its picture is too large to read');
    if (total === 0) throw new PixelDataError('a frame of its compressed picture is empty');
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of fragments) {
      const bytes = await this.source.read(f.offset, f.offset + f.length);
      if (bytes.length < f.length) throw new PixelDataError('the file ends inside its compressed picture');
      out.set(bytes, at);
      at += f.length;
    }
    return out;
  }

  /** The fragments from the item at `from` up to (not including) `until`, or the sequence end. */
  private async fragmentsBetween(from: number, until: number | undefined): Promise<Fragment[]> {
    const out: Fragment[] = [];
    let p = from;
    let total = 0;
    while (until === undefined || p < until) {
      if (out.length >= MAX_FRAGMENTS) throw new PixelDataError('its compressed picture has more fragments than this reader follows');
      const item = await this.item(p);
      if (!item || (item.element !== ITEM && item.element !== SEQUENCE_END) || item.length === UNDEFINED) throw damaged();
      if (item.element === SEQUENCE_END) break;
      total += item.length;
      if (total > this.maxFrameBytes) throw new PixelDataError('a frame of its picture is too large to read');
      out.push({ offset: p + 8, length: item.length });
      p += 8 + item.length;
    }
    if (until !== undefined && p !== until) throw damaged();
    if (out.length === 0) throw new PixelDataError('its compressed picture has no fragments');
    return out;
  }

  /** The encoded bytes of frame `index` (0-based; the caller checks the range). */
  async frame(index: number): Promise<Uint8Array> {
    await this.init();
    const first = this.firstFragment!;
    if (this.extended) {
      const [offset, length] = this.extended[index]!;
      const item = await this.item(first + offset);
      if (!item || item.element !== ITEM || item.length < length) throw damaged();
      return this.readFragments([{ offset: first + offset + 8, length }]);
    }
    if (this.basicOffsets) {
      const next = this.basicOffsets[index + 1];
      return this.readFragments(await this.fragmentsBetween(first + this.basicOffsets[index]!, next === undefined ? undefined : first + next));
    }
    if (this.frames === 1) return this.readFragments(await this.fragmentsBetween(first, undefined));
    await this.walk();
    if (index >= this.frameStarts!.length) throw new PixelDataError('its compressed picture has fewer frames than the file says');
    const from = this.frameStarts![index]!;
    const to = this.frameStarts![index + 1] ?? this.walked!.length;
    return this.readFragments(this.walked!.slice(from, to));
  }
}
