// Lazy, size-limited decompression of deflate and gzip data behind the ByteSource interface.
import { Gunzip, Inflate } from 'fflate';
import type { ByteSource } from './source';

/** Decompressed output would pass a limit (a zip bomb, or data larger than it claims to be). */
export class LimitError extends Error {
  override readonly name = 'LimitError';
  constructor(detail?: string) {
    super(detail ? `decompressed size limit reached: ${detail}` : 'decompressed size limit reached');
  }
}

/** The compressed data is damaged or cut short. */
export class CorruptError extends Error {
  override readonly name = 'CorruptError';
}

export interface InflateOptions {
  /** `raw`: a bare deflate stream (zip entries, DICOM deflated transfer syntax). `gzip`: one or more gzip members. */
  format: 'raw' | 'gzip';
  /** Hard cap on the decompressed bytes ever kept; reading past it throws LimitError. */
  maxOutput: number;
  /**
   * The exact decompressed size, when the container states it (zip). It becomes `size`; output longer
   * than it throws LimitError, output shorter than it throws CorruptError.
   */
  declaredSize?: number;
  /** A size estimate to report as `size` while the real size is unknown (for gzip: see `gzipSizeHint`). */
  sizeHint?: number;
}

/**
 * A ByteSource over decompressed bytes. `complete` turns true once the whole compressed stream has been
 * decoded without error.
 *
 * `size` is `declaredSize` when given, and reads are clamped to it. Otherwise the true size is unknown
 * until the stream has been decoded to its end: until then `size` is `sizeHint` (or `maxOutput` without
 * one) and is only an estimate; reads are not clamped to it, they return fewer bytes past the real end.
 * Once `complete`, `size` is exact.
 */
export type InflatedSource = ByteSource & { readonly complete: boolean };

/** Deflate cannot expand one input byte into more than about 1032 output bytes (258 per 2 bits). */
const MAX_DEFLATE_RATIO = 1032;
const MIN_CHUNK = 1024;
const MAX_CHUNK = 64 * 1024;

/**
 * How many compressed bytes to feed next: about as many as the output still wanted (typical ratios are
 * 2-4:1, so one round is usually enough), and few enough that even a maximal-ratio stream cannot produce
 * much more than the remaining budget in one push.
 */
function nextChunkSize(wanted: number, budget: number): number {
  const byBudget = Math.ceil(Math.max(0, budget) / MAX_DEFLATE_RATIO);
  return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, wanted, byBudget));
}

function checkLimit(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer`);
  }
}

/** fflate reports damaged input with a numeric `code`; anything else is not about the data. */
function asCorruptError(error: unknown): unknown {
  const fromDecoder = error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
  return fromDecoder ? new CorruptError(`the compressed data is damaged or incomplete (${error.message})`) : error;
}

/** Drives one fflate stream and keeps its output, up to `keepLimit` bytes, as a list of chunks. */
class OutputCollector {
  private readonly stream: Inflate | Gunzip;
  private readonly chunks: Uint8Array[] = [];
  private readonly chunkStarts: number[] = [];
  /** Bytes kept (never more than keepLimit). */
  kept = 0;
  /** Bytes the decoder has emitted in total, including any it produced past keepLimit. */
  emitted = 0;
  /** The final chunk has been pushed and decoded. */
  finished = false;

  constructor(
    format: 'raw' | 'gzip',
    private readonly keepLimit: number,
  ) {
    const onData = (data: Uint8Array): void => this.take(data);
    this.stream = format === 'gzip' ? new Gunzip(onData) : new Inflate(onData);
  }

  private take(data: Uint8Array): void {
    this.emitted += data.length;
    const room = this.keepLimit - this.kept;
    if (room <= 0 || data.length === 0) return;
    // A partial keep copies, so the oversized buffer fflate handed us can be freed.
    const part = data.length <= room ? data : data.slice(0, room);
    this.chunkStarts.push(this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** The stream produced more than the keep limit: what is past it is lost, so it cannot go on. */
  get overflowed(): boolean {
    return this.emitted > this.keepLimit;
  }

  push(chunk: Uint8Array, final: boolean): void {
    try {
      this.stream.push(chunk, final);
    } catch (error) {
      throw asCorruptError(error);
    }
    if (final) this.finished = true;
  }

  /** Kept bytes [start, end); the caller keeps the range within `kept`. */
  slice(start: number, end: number): Uint8Array {
    if (end <= start) return new Uint8Array(0);
    let index = this.chunkIndexAt(start);
    const first = this.chunks[index] as Uint8Array;
    const firstStart = this.chunkStarts[index] as number;
    if (end <= firstStart + first.length) return first.subarray(start - firstStart, end - firstStart);
    const out = new Uint8Array(end - start);
    let written = 0;
    for (; written < out.length; index++) {
      const chunk = this.chunks[index] as Uint8Array;
      const chunkStart = this.chunkStarts[index] as number;
      const from = Math.max(0, start - chunkStart);
      const to = Math.min(chunk.length, end - chunkStart);
      out.set(chunk.subarray(from, to), written);
      written += to - from;
    }
    return out;
  }

  private chunkIndexAt(offset: number): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.chunkStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/**
 * A lazy ByteSource over the decompressed form of `compressed`. `read(start, end)` decodes only until
 * `end` bytes of output exist and caches what it produced (output must be kept from byte 0 on, because
 * deflate cannot seek). Never keeps more than `maxOutput` bytes. Reads run one at a time.
 *
 * Errors: LimitError when a read needs bytes past `maxOutput`, or when the output turns out longer than
 * `declaredSize` (then every later read fails too); CorruptError on damaged data, or when the stream ends
 * before `declaredSize`. Errors from `compressed` itself are passed through.
 */
export function inflatedSource(compressed: ByteSource, opts: InflateOptions): InflatedSource {
  checkLimit('maxOutput', opts.maxOutput);
  const declared = opts.declaredSize;
  if (declared !== undefined) checkLimit('declaredSize', declared);
  const keepLimit = declared === undefined ? opts.maxOutput : Math.min(opts.maxOutput, declared);
  const output = new OutputCollector(opts.format, keepLimit);
  let inputOffset = 0;
  let failure: Error | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const fail = (error: unknown): never => {
    if (error instanceof CorruptError || error instanceof LimitError) failure = error;
    throw error;
  };

  async function produceUntil(end: number): Promise<void> {
    while (output.kept < end && !output.finished && !output.overflowed) {
      const chunkSize = nextChunkSize(end - output.kept, keepLimit - output.kept);
      const chunk = await compressed.read(inputOffset, inputOffset + chunkSize);
      inputOffset += chunk.length;
      const last = chunk.length < chunkSize || inputOffset >= compressed.size;
      try {
        output.push(chunk, last);
      } catch (error) {
        fail(error);
      }
      if (declared !== undefined && output.emitted > declared) {
        fail(new LimitError(`the data inflates to more than its declared ${declared} bytes`));
      }
    }
    if (output.kept >= end) return;
    if (output.overflowed) throw new LimitError(`more than ${opts.maxOutput} bytes`);
    if (declared !== undefined) {
      fail(new CorruptError(`the compressed data ends after ${output.kept} of its declared ${declared} bytes`));
    }
  }

  async function readRange(start: number, end: number): Promise<Uint8Array> {
    if (failure) throw failure;
    let stop = end;
    if (declared !== undefined) stop = Math.min(stop, declared);
    else if (output.finished) stop = Math.min(stop, output.kept);
    const begin = Math.max(0, Math.min(start, stop));
    if (stop <= begin) return new Uint8Array(0);
    if (output.kept < stop) await produceUntil(stop);
    return output.slice(begin, Math.min(stop, output.kept));
  }

  return {
    get size() {
      if (declared !== undefined) return declared;
      if (output.finished && !output.overflowed) return output.kept;
      return opts.sizeHint ?? opts.maxOutput;
    },
    get complete() {
      return output.finished && !output.overflowed && failure === undefined;
    },
    read(start, end) {
      const result = queue.then(() => readRange(start, end));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

/**
 * The uncompressed size a gzip file states in its last 4 bytes (ISIZE). Only a hint: it is the size
 * modulo 4 GiB, only of the last member when there are several, and a forged file can say anything.
 * Undefined when the source is too short to hold it.
 */
export async function gzipSizeHint(compressed: ByteSource): Promise<number | undefined> {
  if (compressed.size < 18) return undefined;
  const tail = await compressed.read(compressed.size - 4, compressed.size);
  if (tail.length < 4) return undefined;
  return new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
}

/**
 * Inflates a whole raw deflate stream held in memory (the DICOM deflated explicit VR little endian
 * transfer syntax). Throws LimitError past `maxOutput` bytes, CorruptError on damaged or cut-short data.
 * Bytes after the end of the deflate stream are ignored.
 */
export function inflateRawLimited(bytes: Uint8Array, maxOutput: number): Uint8Array {
  checkLimit('maxOutput', maxOutput);
  const output = new OutputCollector('raw', maxOutput);
  let offset = 0;
  while (!output.finished) {
    const chunkSize = nextChunkSize(bytes.length - offset, maxOutput - output.kept);
    const chunk = bytes.subarray(offset, offset + chunkSize);
    offset += chunk.length;
    output.push(chunk, offset >= bytes.length);
    if (output.overflowed) throw new LimitError(`more than ${maxOutput} bytes`);
  }
  return output.slice(0, output.kept);
}
