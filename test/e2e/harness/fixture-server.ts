// The fixture web server the end-to-end tests start on 127.0.0.1: serves test/fixtures/pages (and the
// upload libraries from node_modules) on two ports, so a page on one can frame a page on the other
// (cross-origin), and records every request it receives, with multipart bodies split into their file parts.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../../..');
export const PAGES_ROOT = path.join(REPO_ROOT, 'test/fixtures/pages');

/** The Content-Security-Policy the strict-CSP fixture page is served with. */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; frame-src 'none'; style-src 'self'";

export interface FilePart {
  /** The form field name. */
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
}

export interface RecordedRequest {
  /** Order of arrival, from 1. */
  seq: number;
  /** 'A' (the main origin) or 'B' (the second, cross-origin one). */
  server: 'A' | 'B';
  method: string;
  /** Path without the query. */
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The file parts of a multipart/form-data body; a non-empty body of any other type counts as one part. */
  files: FilePart[];
  receivedAt: number;
}

export interface FixtureServer {
  originA: string;
  originB: string;
  requests: RecordedRequest[];
  /** A position in the request log: pass it to `since` to see only what arrived afterwards. */
  mark(): number;
  since(mark: number): RecordedRequest[];
  /** Requests since `mark` other than the browser's own favicon fetch. */
  requestsSince(mark: number): RecordedRequest[];
  /** File parts received since `mark`, across all requests. */
  filesSince(mark: number): FilePart[];
  /** Resolves once at least `count` file parts have arrived since `mark`; rejects after `timeoutMs`. */
  waitForFiles(mark: number, count: number, timeoutMs?: number): Promise<FilePart[]>;
  close(): Promise<void>;
}

const STATIC_ROOTS: ReadonlyArray<{ prefix: string; dir: string }> = [
  { prefix: '/lib/dropzone/', dir: path.join(REPO_ROOT, 'node_modules/dropzone/dist') },
  { prefix: '/', dir: PAGES_ROOT },
];

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
};

export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;

  const handler = (server: 'A' | 'B') => (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        seq: ++seq,
        server,
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
        files: fileParts(req.headers['content-type'] ?? '', body, url),
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      for (const wake of [...waiters]) wake();
      respond(recorded, res);
    });
  };

  const serverA = http.createServer(handler('A'));
  const serverB = http.createServer(handler('B'));
  const portA = await listen(serverA);
  const portB = await listen(serverB);

  const since = (mark: number): RecordedRequest[] => requests.filter((r) => r.seq > mark);
  const requestsSince = (mark: number): RecordedRequest[] => since(mark).filter((r) => !(r.method === 'GET' && r.path === '/favicon.ico'));
  const filesSince = (mark: number): FilePart[] => since(mark).flatMap((r) => r.files);

  return {
    originA: `http://127.0.0.1:${portA}`,
    originB: `http://127.0.0.1:${portB}`,
    requests,
    mark: () => seq,
    since,
    requestsSince,
    filesSince,
    waitForFiles(mark, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const files = filesSince(mark);
          if (files.length < count) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(files);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const got = filesSince(mark);
          reject(new Error(`fixture server: expected ${count} uploaded file(s) within ${timeoutMs} ms, got ${got.length} (${describeRequests(since(mark))})`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    async close() {
      await Promise.all([close(serverA), close(serverB)]);
    },
  };
}

/** One line per request, for failure messages. */
export function describeRequests(list: readonly RecordedRequest[]): string {
  if (list.length === 0) return 'no requests';
  return list.map((r) => `${r.method} ${r.server}${r.path}${r.query} [${r.files.map((f) => `${f.filename}:${f.bytes.length}`).join(', ')}]`).join('; ');
}

function respond(request: RecordedRequest, res: http.ServerResponse): void {
  if (request.path.startsWith('/upload/')) {
    if (request.headers.accept?.includes('text/html')) {
      // A <form> post navigates: answer with a page that says what arrived.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Received</title><link rel="icon" href="data:,"><p id="received">${request.files.length} file(s) received</p>`);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, files: request.files.length }));
    }
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  const file = staticFile(request.path);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const headers: http.OutgoingHttpHeaders = {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  };
  if (path.basename(file) === 'strict-csp.html') headers['content-security-policy'] = STRICT_CSP;
  res.writeHead(200, headers);
  res.end(request.method === 'HEAD' ? undefined : fs.readFileSync(file));
}

function staticFile(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  for (const { prefix, dir } of STATIC_ROOTS) {
    if (!decoded.startsWith(prefix)) continue;
    const target = path.resolve(dir, `.${decoded.slice(prefix.length - 1)}`);
    if (!target.startsWith(dir + path.sep) && target !== dir) return undefined;
    const candidate = fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'index.html') : target;
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    return undefined;
  }
  return undefined;
}

/** The file parts of a body: multipart/form-data parts that carry a filename, or the whole body otherwise. */
export function fileParts(contentType: string, body: Buffer, url: URL): FilePart[] {
  const boundary = /multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) {
    if (body.length === 0) return [];
    return [part('', url.searchParams.get('name') ?? '', contentType, body)];
  }
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2] ?? ''}`, 'latin1');
  const parts: FilePart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const headerStart = start + delimiter.length;
    if (body.subarray(headerStart, headerStart + 2).toString('latin1') === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart, 'latin1');
    if (headerEnd === -1) break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n', 'latin1'), delimiter]), headerEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const filename = /filename="([^"]*)"/i.exec(disposition)?.[1];
    const bytes = body.subarray(headerEnd + 4, next);
    // A file field left empty is sent as a part with an empty filename and no bytes: not a file.
    if (filename !== undefined && (filename !== '' || bytes.length > 0)) {
      const field = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
      const type = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      parts.push(part(field, filename, type, bytes));
    }
    start = next + 2;
  }
  return parts;
}

function part(field: string, filename: string, contentType: string, bytes: Buffer): FilePart {
  return { field, filename, contentType, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
