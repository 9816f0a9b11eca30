// `scan-privacy-guard deidentify --out DIR [--key FILE] PATH...`: writes a de-identified copy of every
// file under DIR, keeping the folder structure; never writes over its input; non-medical files are copied
// unchanged; a file that cannot be cleaned is not written at all (exit 1), usage errors exit 2.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createDeidentifier,
  createDeidentifyKey,
  DEFAULT_DEIDENTIFY_OPTIONS,
  type DeidentifyOptions,
  type DeidentifyResult,
} from '../core/deidentify';
import { DEFAULT_HEADER_LIMITS } from '../core/dicom/header';
import { scanStream } from '../core/scan';
import type { FileReport } from '../core/report';
import { maskPlans, type MaskPlan } from '../core/text/picture-findings';
import type { CliIo } from './main';
import { openFileSource } from './file-source';
import { walkFolder } from './files';
import { plural } from './render';
import { documentCleaningRun } from './document-run';
import { PictureWorker } from './picture-jobs';
import { nodeCodecs } from './codec-host';

export const DEIDENTIFY_USAGE = `  scan-privacy-guard deidentify --out DIR [--key FILE] [--with OPTION] [--without OPTION] PATH...
                                             write de-identified copies under DIR

  --key FILE      the secret key of the pseudonyms (created with 32 random bytes if missing);
                  default: $XDG_CONFIG_HOME/scan-privacy-guard/key or ~/.config/scan-privacy-guard/key
  --with OPTION, --without OPTION
                  switch a PS3.15 option on or off: ${Object.keys(DEFAULT_DEIDENTIFY_OPTIONS).map(kebab).join(', ')}
                  (retain-patient-characteristics and clean-pixel-data are on by default)
  --keep-picture-text
                  do not mask the text drawn into the pictures (Clean Pixel Data is on by default:
                  every line of text found is blacked out in every frame, and the copy read again)
  --mask-outside-ultrasound-regions
                  also black out everything outside the regions an ultrasound picture lists
                  (its scanner's screen: banners, settings, names)`;

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const OPTION_BY_FLAG = new Map(Object.keys(DEFAULT_DEIDENTIFY_OPTIONS).map((k) => [kebab(k), k as keyof DeidentifyOptions]));

class UsageError extends Error {}

/** Files cleaned at the same time. */
const CLI_CONCURRENT_FILES = 4;

/** Thrown by the argument parser when help was asked for. */
class HelpRequested extends Error {}

interface Arguments {
  out: string;
  keyFile?: string;
  options: Partial<DeidentifyOptions>;
  paths: string[];
  keepPictureText: boolean;
  outsideUltrasoundRegions: boolean;
}

function parse(args: readonly string[]): Arguments {
  let out: string | undefined;
  let keyFile: string | undefined;
  const options: Partial<DeidentifyOptions> = {};
  const paths: string[] = [];
  let onlyPaths = false;
  let keepPictureText = false;
  let outsideUltrasoundRegions = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v === '') throw new UsageError(`${a} needs a value.`);
      return v;
    };
    if (onlyPaths) paths.push(a);
    else if (a === '--') onlyPaths = true;
    else if (a === '--help' || a === '-h') throw new HelpRequested();
    else if (a === '--out') out = value();
    else if (a === '--key') keyFile = value();
    else if (a === '--keep-picture-text') keepPictureText = true;
    else if (a === '--mask-outside-ultrasound-regions') outsideUltrasoundRegions = true;
    else if (a === '--with' || a === '--without') {
      const name = value();
      const option = OPTION_BY_FLAG.get(name);
      if (!option) throw new UsageError(`Unknown option name: ${name}`);
      options[option] = a === '--with';
    } else if (a.startsWith('-')) throw new UsageError(`Unknown option: ${a}`);
    else paths.push(a);
  }
  if (out === undefined) throw new UsageError('deidentify needs --out DIR.');
  if (paths.length === 0) throw new UsageError('deidentify needs at least one PATH.');
  // --keep-picture-text is --without clean-pixel-data; --mask-outside-ultrasound-regions is --with its option.
  if (keepPictureText) options.cleanPixelData = false;
  if (outsideUltrasoundRegions) options.maskOutsideUltrasoundRegions = true;
  if (options.cleanPixelData === false && options.maskOutsideUltrasoundRegions) {
    throw new UsageError('--keep-picture-text and --mask-outside-ultrasound-regions cannot go together.');
  }
  return { out, ...(keyFile !== undefined ? { keyFile } : {}), options, paths, keepPictureText: options.cleanPixelData === false, outsideUltrasoundRegions: options.maskOutsideUltrasoundRegions === true };
}

/** The default key file: under $XDG_CONFIG_HOME, else ~/.config. */
export function defaultKeyFile(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'scan-privacy-guard', 'key');
}

/** Reads the key file, or creates it (32 random bytes, readable by its owner only) when it does not exist. */
async function loadKey(file: string): Promise<{ key: Uint8Array; created: boolean }> {
  try {
    const key = new Uint8Array(await fs.promises.readFile(file));
    if (key.length < 16) throw new UsageError(`The key file ${file} holds ${key.length} bytes; a key needs at least 16.`);
    return { key, created: false };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`The key file ${file} could not be read (${(e as Error).message}).`);
    }
  }
  const key = createDeidentifyKey();
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.promises.writeFile(file, key, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new UsageError(`The key file ${file} could not be created (${(e as Error).message}).`);
  }
  return { key, created: true };
}

interface Job {
  /** As shown to the person: the path as given, joined with the path inside a folder. */
  display: string;
  source: string;
  destination: string;
}

/** Whether `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function realOrResolved(p: string): Promise<string> {
  return fs.promises.realpath(p).catch(() => path.resolve(p));
}

/** Where a PATH argument goes under DIR: as given when it is relative and stays below here, else its name. */
function placeUnder(given: string): string {
  const normal = path.normalize(given);
  if (!path.isAbsolute(normal) && !normal.split(path.sep).includes('..')) return normal === '.' ? '' : normal;
  return path.basename(path.resolve(given));
}

/** Every file to clean and where its copy goes; refuses (UsageError) anything that could write over an input. */
async function plan(paths: readonly string[], out: string): Promise<Job[]> {
  const outReal = await realOrResolved(out);
  const jobs: Job[] = [];
  for (const given of paths) {
    const stat = await fs.promises.stat(given).catch(() => undefined);
    if (!stat) throw new UsageError(`no such file or folder: ${given}`);
    const real = await realOrResolved(given);
    const place = placeUnder(given);
    if (stat.isDirectory()) {
      if (within(outReal, real)) throw new UsageError(`The output folder ${out} is inside the input folder ${given}: choose one outside it.`);
      await walkFolder(given, '', (entry) => {
        if (entry.kind === 'unreadable-folder') throw entry.error;
        // A link that cannot be followed is left out.
        if (entry.kind === 'file') {
          jobs.push({ display: path.join(given, entry.relative), source: entry.absolute, destination: path.join(outReal, place, entry.relative) });
        }
      });
    } else {
      jobs.push({ display: given, source: given, destination: path.join(outReal, place) });
    }
  }
  const inputs = new Set(await Promise.all(jobs.map((j) => realOrResolved(j.source))));
  const seen = new Map<string, string>();
  for (const job of jobs) {
    const destination = await realOrResolved(job.destination);
    if (inputs.has(destination)) throw new UsageError(`The copy of ${job.display} would be written over an input file: choose another --out.`);
    const other = seen.get(destination);
    if (other !== undefined) throw new UsageError(`${other} and ${job.display} would both be written to ${job.destination}.`);
    seen.set(destination, job.display);
  }
  return jobs;
}

/** Writes the blob to a temporary file beside the destination, then renames it: never a partial copy. */
async function writeCopy(blob: Blob, destination: string, mtime: Date): Promise<void> {
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  const temporary = `${destination}.spg-partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(blob.stream() as Parameters<typeof Readable.fromWeb>[0]), fs.createWriteStream(temporary));
    await fs.promises.utimes(temporary, mtime, mtime);
    await fs.promises.rename(temporary, destination);
  } catch (e) {
    await fs.promises.rm(temporary, { force: true });
    throw e;
  }
}

interface Outcome {
  job: Job;
  status: DeidentifyResult['status'];
  reason?: string;
  picture?: boolean;
  masked?: { regions: number; frames: number };
  /** A PDF written anew from pictures of its pages. */
  imageOnly?: boolean;
}

function summary(outcomes: readonly Outcome[], out: string, keyFile: string, keyCreated: boolean, keptText: boolean): string {
  const cleaned = outcomes.filter((o) => o.status === 'cleaned');
  const copied = outcomes.filter((o) => o.status === 'not-medical');
  const failed = outcomes.filter((o) => o.status === 'failed');
  const lines = [
    `Scan Privacy Guard: ${plural(outcomes.length, 'file')} de-identified into ${out}`,
    `  ${cleaned.length} cleaned, ${copied.length} copied unchanged (not medical images), ${failed.length} could not be cleaned`,
  ];
  if (copied.length > 0) {
    lines.push('', 'Copied unchanged, as they are not medical images:');
    for (const o of copied.slice(0, 20)) lines.push(`  ${o.job.display}`);
    if (copied.length > 20) lines.push(`  … and ${copied.length - 20} more`);
  }
  const masked = cleaned.filter((o) => o.masked);
  if (masked.length > 0) {
    const regions = masked.reduce((n, o) => n + o.masked!.regions, 0);
    lines.push('', `The text in the pictures of ${plural(masked.length, 'file')} was masked (${plural(regions, 'region')}), and each copy was read again.`);
  }
  const pictures = cleaned.filter((o) => o.picture);
  if (pictures.length > 0) {
    lines.push('', keptText
      ? `The pictures of ${plural(pictures.length, 'file')} were not changed (--keep-picture-text) and may show identifying text: look at them before uploading.`
      : `The pictures of ${plural(pictures.length, 'file')} may show identifying text that could not be checked: look at them before uploading.`);
    for (const o of pictures.slice(0, 20)) lines.push(`  ${o.job.display}`);
    if (pictures.length > 20) lines.push(`  … and ${pictures.length - 20} more`);
  }
  const imageOnly = cleaned.filter((o) => o.imageOnly);
  if (imageOnly.length > 0) {
    lines.push('', `${plural(imageOnly.length, 'PDF')} written as pictures of their pages, identifying lines blacked out (their text can no longer be selected or searched):`);
    for (const o of imageOnly.slice(0, 20)) lines.push(`  ${o.job.display}`);
    if (imageOnly.length > 20) lines.push(`  … and ${imageOnly.length - 20} more`);
  }
  if (failed.length > 0) {
    lines.push('', 'Could not be cleaned (no copy written):');
    for (const o of failed) lines.push(`  ${o.job.display}: ${o.reason ?? 'unknown problem'}`);
  }
  lines.push('', `Key: ${keyFile}${keyCreated ? ' (created now)' : ''}. Keep it to give the same files the same pseudonyms next time.`);
  return lines.join('\n');
}

/** Progress of the text reading on a terminal. */
function pictureProgress(io: CliIo): ((done: number, total: number) => void) | undefined {
  if (!io.stderrIsTty) return undefined;
  return (done, total) => {
    io.stderr(`\rReading the text in the pictures: ${done} of ${total}`);
    if (done === total) io.stderr('\r\x1b[K');
  };
}

/** What to mask in each file's picture: the scan's text regions, by the path each file is shown with. */
async function readPictureText(jobs: readonly Job[], worker: PictureWorker): Promise<Map<string, MaskPlan>> {
  const reports: FileReport[] = [];
  await scanStream(
    jobs.map((job) => ({
      path: job.display,
      async open() {
        try {
          const source = await openFileSource(job.source);
          return { source, close: () => source.close() };
        } catch (e) {
          return { error: `it could not be opened (${(e as Error).message})` };
        }
      },
    })),
    { pictures: worker, concurrency: CLI_CONCURRENT_FILES, onReport: (report) => reports.push(report) },
  );
  return maskPlans(reports);
}

/** Runs `deidentify` with its arguments (after the command name); returns the exit status. */
export async function deidentifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed: Arguments;
  let jobs: Job[];
  let key: { key: Uint8Array; created: boolean };
  let keyFile: string;
  try {
    parsed = parse(args);
    jobs = await plan(parsed.paths, parsed.out);
    keyFile = parsed.keyFile ?? defaultKeyFile(io.env ?? process.env);
    key = await loadKey(keyFile);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.stdout(`Usage:\n${DEIDENTIFY_USAGE}\n\nExit status: 0 every file cleaned (or copied, when not medical), 1 a file could not be cleaned, 2 usage error.\n`);
      return 0;
    }
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`${e.message}\n\nUsage:\n${DEIDENTIFY_USAGE}\n`);
    return 2;
  }
  // Clean Pixel Data: the text in every picture is read first (a sample of each series, in the picture
  // worker), then masked in the copies, and each copy's picture is read again.
  const worker = parsed.keepPictureText ? undefined : new PictureWorker((i) => jobs[i]?.source, pictureProgress(io));
  let plans = new Map<string, MaskPlan>();
  if (worker) plans = await readPictureText(jobs, worker);
  // One session for the whole run: the key is imported once and each UID is hashed once.
  // Pictures and PDFs that are not DICOM are checked, then cleaned, in a worker of their own.
  const documents = documentCleaningRun();
  const deidentifier = await createDeidentifier({
    key: key.key,
    options: parsed.options,
    documents: documents.cleaning,
    ...(worker ? {
      pictures: {
        planFor: (p: string) => plans.get(p),
        // The copy is in memory: the worker is given its bytes, never the original's path.
        verify: (request) => worker.read({ ...request, nested: true }),
        codecs: nodeCodecs(),
        outsideUltrasoundRegions: parsed.outsideUltrasoundRegions,
      },
    } : {}),
  });
  const outcomes: Outcome[] = new Array(jobs.length);
  const cleanOne = async (job: Job): Promise<Outcome> => {
    try {
      const stat = await fs.promises.stat(job.source);
      // The header is read through the file source; the Blob carries the pixel data into the copy.
      const blob = await fs.openAsBlob(job.source);
      await documents.prepare(job.display, blob);
      const source = await openFileSource(job.source, DEFAULT_HEADER_LIMITS.initialBytes);
      let r: DeidentifyResult;
      try {
        r = await deidentifier.deidentify({ path: job.display, file: blob, source });
      } finally {
        await source.close();
      }
      if (r.output) await writeCopy(r.output, job.destination, stat.mtime);
      return {
        job,
        status: r.status,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        ...(r.pictureMayShowText ? { picture: true } : {}),
        ...(r.pictureMasked ? { masked: r.pictureMasked } : {}),
        ...(r.documentCopy?.imageOnly ? { imageOnly: true } : {}),
      };
    } catch (e) {
      return { job, status: 'failed', reason: `it could not be read or written (${(e as Error).message})` };
    }
  };
  // A few files at once: one file's reads and writes overlap another's cleaning.
  let next = 0;
  let done = 0;
  try {
    await Promise.all(Array.from({ length: Math.min(CLI_CONCURRENT_FILES, jobs.length) }, async () => {
      while (next < jobs.length) {
        const index = next++;
        outcomes[index] = await cleanOne(jobs[index]!);
        done++;
        if (io.stderrIsTty && jobs.length >= 20) {
          io.stderr(`\r${done}/${jobs.length} files`);
          if (done === jobs.length) io.stderr('\r\x1b[K');
        }
      }
    }));
  } finally {
    await Promise.all([worker?.close(), documents.close()]);
  }
  io.stdout(`${summary(outcomes, parsed.out, keyFile, key.created, parsed.keepPictureText)}\n`);
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}
