// The demo's web server on 127.0.0.1: serves the fictional "AI second opinion" site (demo/site), lists and
// serves the sample files, and records every file the site uploads, checking each received file with our
// own engine (src/core scanFile) so the page can show what the site actually got. It never prints or
// returns a value from a file: only names, sizes, hashes, verdicts, categories and keywords.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanFile } from '../src/core/scan';
import { bytesSource } from '../src/core/source';
import { dicomParser } from '../src/core/dicom/parser';
import type { Category, FileReport, Severity, Verdict } from '../src/core/report';
import type { Sample, SampleKind } from './samples';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SITE_ROOT = path.join(HERE, 'site');

/** One file as the demo site's server received it. */
export interface ReceivedFile {
  /** Order of arrival, from 1. */
  seq: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The sample with exactly these bytes, if any: null means the bytes differ from every sample. */
  sameBytesAsSample: string | null;
  /** The sample with this file name, if any (a de-identified copy keeps its original's name). */
  sampleOfSameName: string | null;
  /** What our engine says about the bytes that arrived. */
  verdict: Verdict;
  format: string;
  /** High and medium findings only, without values. */
  findings: Array<{ keyword: string; category: Category; severity: Severity }>;
  /**
   * For a file named like an identifying sample: how many of that sample's identifying values (name, IDs,
   * birth date, hospital, doctors) occur anywhere in the received bytes, out of how many were looked for.
   */
  originalValues: { checked: number; found: number } | null;
  /** What a DICOM file says about itself: PatientIdentityRemoved (0012,0062), LongitudinalTemporalInformationModified (0028,0303). */
  marks: { patientIdentityRemoved: string | null; datesModified: string | null } | null;
  receivedAt: string;
}

/** Categories of findings whose values identify a person by themselves. */
const IDENTITY_CATEGORIES: ReadonlySet<Category> = new Set(['name', 'identifier', 'birth-date', 'contact', 'people-and-institution']);

/** The identifying values a sample carries (kept in memory only, never printed or served). */
function identityValues(report: FileReport): string[] {
  const values = report.findings
    .filter((f) => f.severity !== 'low' && IDENTITY_CATEGORIES.has(f.category))
    .map((f) => (f.value ?? '').trim())
    .filter((v) => v.length >= 4);
  return [...new Set(values)];
}

/** PatientIdentityRemoved and LongitudinalTemporalInformationModified of a DICOM file, read from its header. */
function deidentificationMarks(bytes: Uint8Array): ReceivedFile['marks'] {
  try {
    const dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
    const text = (tag: string): string | null => {
      const element = dataSet.elements[tag];
      if (!element) return null;
      return Buffer.from(bytes.subarray(element.dataOffset, element.dataOffset + element.length)).toString('latin1').replace(/[\0 ]+$/, '');
    };
    return { patientIdentityRemoved: text('x00120062'), datesModified: text('x00280303') };
  } catch {
    return null;
  }
}

export interface DemoServer {
  origin: string;
  received: ReceivedFile[];
  /** Resolves with the files received after `seq` once there are at least `count`; rejects after `timeoutMs`. */
  waitForReceived(afterSeq: number, count: number, timeoutMs: number): Promise<ReceivedFile[]>;
  /** The highest seq so far (0 when nothing arrived). */
  lastSeq(): number;
  close(): Promise<void>;
}

export interface DemoServerOptions {
  samples: readonly Sample[];
  samplesDir: string;
  /** Called for every received file (the terminal prints a line). */
  onReceived?: (file: ReceivedFile) => void;
  /**
   * When set, the site shows "pick this sample for me" buttons: the launcher, which drives the browser,
   * puts the sample into the page's file input as the file chooser would. Resolves when done.
   */
  pickSample?: (name: string) => Promise<void>;
  port?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

export async function startDemoServer(opts: DemoServerOptions): Promise<DemoServer> {
  const received: ReceivedFile[] = [];
  const waiters = new Set<() => void>();
  const bySha = new Map(opts.samples.map((s) => [s.sha256, s.name]));
  const byName = new Map(opts.samples.map((s) => [s.name, s]));
  /** Each sample's identifying values, to check whether a received copy still carries them. */
  const sampleValues = new Map<string, string[]>();
  for (const sample of opts.samples) {
    const report = await scanFile({ path: sample.name, source: bytesSource(sample.bytes) });
    sampleValues.set(sample.name, identityValues(report));
  }

  async function record(name: string, contentType: string, bytes: Buffer): Promise<ReceivedFile> {
    const report = await scanFile({ path: name, source: bytesSource(new Uint8Array(bytes)) });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const values = sampleValues.get(name) ?? [];
    const haystack = bytes.toString('latin1');
    const file: ReceivedFile = {
      seq: received.length + 1,
      name,
      contentType,
      size: bytes.length,
      sha256,
      sameBytesAsSample: bySha.get(sha256) ?? null,
      sampleOfSameName: byName.has(name) ? name : null,
      verdict: report.verdict,
      format: report.format,
      findings: report.findings
        .filter((f) => f.severity !== 'low')
        .map((f) => ({ keyword: f.keyword, category: f.category, severity: f.severity })),
      originalValues: values.length > 0 ? { checked: values.length, found: values.filter((v) => haystack.includes(v)).length } : null,
      marks: report.format === 'dicom' ? deidentificationMarks(new Uint8Array(bytes)) : null,
      receivedAt: new Date().toISOString(),
    };
    received.push(file);
    opts.onReceived?.(file);
    for (const wake of [...waiters]) wake();
    return file;
  }

  const sampleList = (): Array<{ name: string; kind: SampleKind; description: string; size: number; sha256: string }> =>
    opts.samples.map((s) => ({ name: s.name, kind: s.kind, description: s.description, size: s.bytes.length, sha256: s.sha256 }));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /api/samples') {
      return json(res, 200, { folder: opts.samplesDir, shortcuts: Boolean(opts.pickSample), samples: sampleList() });
    }
    if (route === 'GET /api/received') return json(res, 200, { received });
    if (route === 'POST /api/reset') {
      received.length = 0;
      return json(res, 200, { received });
    }
    if (route === 'POST /api/upload') {
      const body = await readBody(req, MAX_UPLOAD_BYTES);
      const parts = parseMultipart(body, String(req.headers['content-type'] ?? ''));
      if (!parts) return json(res, 400, { error: 'expected multipart/form-data with files' });
      const files: ReceivedFile[] = [];
      for (const part of parts) {
        if (part.filename !== undefined) files.push(await record(part.filename, part.contentType, part.bytes));
      }
      return json(res, 200, { files });
    }
    if (route === 'POST /api/pick') {
      const name = url.searchParams.get('name') ?? '';
      if (!opts.pickSample || !byName.has(name)) return json(res, 404, { error: 'no such sample, or no launcher to pick it' });
      try {
        await opts.pickSample(name);
      } catch (error) {
        return json(res, 409, { error: error instanceof Error ? error.message : String(error) });
      }
      return json(res, 200, { picked: name });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/samples/')) {
      const sample = byName.get(decodeURIComponent(url.pathname.slice('/samples/'.length)));
      if (!sample) return text(res, 404, 'no such sample');
      res.writeHead(200, {
        'content-type': sample.mimeType,
        'content-length': sample.bytes.length,
        'content-disposition': `attachment; filename="${sample.name}"`,
      });
      res.end(Buffer.from(sample.bytes));
      return;
    }
    if (req.method === 'GET') return serveStatic(url.pathname, res);
    return text(res, 405, 'method not allowed');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) text(res, 500, `demo server error: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    lastSeq: () => received.at(-1)?.seq ?? 0,
    waitForReceived(afterSeq, count, timeoutMs) {
      const ready = (): ReceivedFile[] | null => {
        const after = received.filter((f) => f.seq > afterSeq);
        return after.length >= count ? after : null;
      };
      return new Promise((resolve, reject) => {
        const now = ready();
        if (now) return resolve(now);
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`the demo site's server received ${received.filter((f) => f.seq > afterSeq).length} file(s) within ${timeoutMs} ms, expected ${count}`));
        }, timeoutMs);
        const wake = (): void => {
          const got = ready();
          if (!got) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(got);
        };
        waiters.add(wake);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveStatic(pathname: string, res: http.ServerResponse): void {
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const target = path.resolve(SITE_ROOT, relative);
  if (!target.startsWith(SITE_ROOT + path.sep) || !fs.existsSync(target) || !fs.statSync(target).isFile()) {
    return text(res, 404, 'not found');
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(fs.readFileSync(target));
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`upload larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Part {
  name: string;
  filename?: string;
  contentType: string;
  bytes: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough for what browsers send). */
export function parseMultipart(body: Buffer, contentType: string): Part[] | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (!/^multipart\/form-data/i.test(contentType) || !token) return null;
  const delimiter = Buffer.from(`--${token}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', afterDelimiter);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd);
    if (headerEnd === -1 || next === -1) return null;
    const headers = body.subarray(afterDelimiter + 2, headerEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const filename = /filename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '',
      ...(filename !== undefined ? { filename } : {}),
      contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? '',
      bytes: body.subarray(headerEnd + 4, next),
    });
    start = next + 2;
  }
  return parts;
}
