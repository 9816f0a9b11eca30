// The command-line tool: `scan-privacy-guard scan [--json] PATH...` checks files, folders and zips
// for identifying data before they are uploaded (exit 0 nothing found, 1 found or not checked, 2 usage);
// `scan-privacy-guard deidentify --out DIR PATH...` writes de-identified copies (see ./deidentify.ts).

import { scanStream } from '../core/scan';
import { DEFAULT_HEADER_LIMITS } from '../core/dicom/header';
import type { FileReport } from '../core/report';
import { version } from '../../package.json';
import { collectInputs, MissingPathError } from './files';
import { READ_AHEAD_BYTES } from './file-source';
import { PictureWorker } from './picture-jobs';
import { jsonStream, toText } from './render';
import { deidentifyCommand, DEIDENTIFY_USAGE } from './deidentify';
import { DocumentWorker } from './document-jobs';

export const SCAN_USAGE = `  scan-privacy-guard scan [--json] [--headers-only] PATH...
                  check files, folders (recursively) and .zip archives

  --json          one JSON object: a "files" array (see the README), then a "summary"
  --headers-only  do not read the text drawn into the pictures (faster; a picture is then
                  flagged only by what its header says of it)`;

const USAGE = `Usage:
${SCAN_USAGE}
${DEIDENTIFY_USAGE}

  -h, --help      this help (also after a command: scan --help)
  --version       the version of scan-privacy-guard

Exit status of scan: 0 nothing identifying found, 1 identifying data found or a file could not be checked,
2 usage error. Of deidentify: 0 every file cleaned (or copied, when not medical), 1 a file could not be
cleaned, 2 usage error.`;

/** Whether an argument asks for help. */
export function isHelp(arg: string): boolean {
  return arg === '--help' || arg === '-h';
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (then a progress bar is drawn for long runs). */
  stderrIsTty: boolean;
  /** Environment variables (deidentify's default key file); process.env when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}

const PROGRESS_MIN_FILES = 20;

function progressBar(io: CliIo, total: number): ((done: number) => void) | undefined {
  if (!io.stderrIsTty || total < PROGRESS_MIN_FILES) return undefined;
  const width = 30;
  return (done) => {
    const filled = Math.round((done / total) * width);
    io.stderr(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} files`);
    if (done === total) io.stderr('\r\x1b[K');
  };
}

/** Files read at once: enough to keep the disk busy while one is parsed. */
const CLI_CONCURRENCY = 8;

/** Progress of the text reading on a terminal: "Reading the text in the pictures: 2 of 5". */
function pictureProgress(io: CliIo): ((done: number, total: number) => void) | undefined {
  if (!io.stderrIsTty) return undefined;
  return (done, total) => {
    io.stderr(`\rReading the text in the pictures: ${done} of ${total}`);
    if (done === total) io.stderr('\r\x1b[K');
  };
}

async function scanCommand(args: string[], io: CliIo): Promise<number> {
  let json = false;
  let headersOnly = false;
  const paths: string[] = [];
  let onlyPaths = false;
  for (const a of args) {
    if (onlyPaths) paths.push(a);
    else if (a === '--') onlyPaths = true;
    else if (isHelp(a)) {
      io.stdout(`Usage:\n${SCAN_USAGE}\n\nExit status: 0 nothing identifying found, 1 identifying data found or a file could not be checked, 2 usage error.\n`);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--headers-only') headersOnly = true;
    else if (a.startsWith('-')) {
      io.stderr(`Unknown option: ${a}\n\n${USAGE}\n`);
      return 2;
    } else paths.push(a);
  }
  if (paths.length === 0) {
    io.stderr(`scan needs at least one PATH.\n\n${USAGE}\n`);
    return 2;
  }
  let inputs;
  try {
    inputs = await collectInputs(paths);
  } catch (e) {
    if (e instanceof MissingPathError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const onProgress = progressBar(io, inputs.length);
  // The read-ahead holds a typical header whole, so the first read of the header comes from it.
  const header = { ...DEFAULT_HEADER_LIMITS, initialBytes: READ_AHEAD_BYTES };
  // The text in pictures is read in a worker thread, a sample of each series, after every header.
  const pictures = headersOnly ? undefined : new PictureWorker((i) => inputs[i]?.absolute, pictureProgress(io));
  // Pictures and PDFs that are not DICOM are checked in a worker of their own (their metadata, their text).
  const documents = new DocumentWorker((i) => inputs[i]?.absolute, headersOnly ? { pictureText: 'never' } : {});
  const options = {
    header,
    concurrency: CLI_CONCURRENCY,
    ...(onProgress ? { onProgress: (d: number) => onProgress(d) } : {}),
    ...(pictures ? { pictures } : {}),
    documents,
  };
  try {
    if (json) {
      const out = jsonStream(io.stdout);
      const summary = await scanStream(inputs, { ...options, onReport: (report) => out.file(report) });
      out.end(summary);
      return summary.identifying + summary.unreadable > 0 ? 1 : 0;
    }
    const files: FileReport[] = new Array(inputs.length);
    const summary = await scanStream(inputs, { ...options, onReport: (report, index) => { files[index] = report; } });
    io.stdout(`${toText({ files, summary })}\n`);
    return summary.identifying + summary.unreadable > 0 ? 1 : 0;
  } finally {
    await Promise.all([pictures?.close(), documents.close()]);
  }
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // --version anywhere before `--` (after it, a path may have that name), unless a help option came first.
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const asked = options.findIndex((a) => a === '--version' || isHelp(a));
  if (asked >= 0 && options[asked] === '--version') {
    io.stdout(`scan-privacy-guard ${version}\n`);
    return 0;
  }
  const [command, ...rest] = argv;
  if (command === 'scan') return scanCommand(rest, io);
  if (command === 'deidentify') return deidentifyCommand(rest, io);
  if (command === 'help' || (command !== undefined && isHelp(command))) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  io.stderr(`${command ? `Unknown command: ${command}` : 'No command given.'}\n\n${USAGE}\n`);
  return 2;
}
