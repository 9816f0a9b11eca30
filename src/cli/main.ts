// The command-line tool: `scan-privacy-guard scan [--json] PATH...` checks files, folders and zips
// for identifying data before they are uploaded (exit 0 nothing found, 1 found or not checked, 2 usage);
// `scan-privacy-guard deidentify --out DIR PATH...` writes de-identified copies (see ./deidentify.ts).

import { scanFiles, summarize, type ScanInput } from '../core/scan';
import type { FileReport, ScanReport } from '../core/report';
import { collectInputs, MissingPathError } from './files';
import { toJson, toText } from './render';
import { deidentifyCommand, DEIDENTIFY_USAGE } from './deidentify';
import { DocumentWorker } from './document-jobs';

const USAGE = `Usage:
  scan-privacy-guard scan [--json] PATH...   check files, folders (recursively) and .zip archives
${DEIDENTIFY_USAGE}

Exit status of scan: 0 nothing identifying found, 1 identifying data found or a file could not be checked,
2 usage error. Of deidentify: 0 every file cleaned (or copied, when not medical), 1 a file could not be
cleaned, 2 usage error.`;

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

async function scanCommand(args: string[], io: CliIo): Promise<number> {
  let json = false;
  const paths: string[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '--') continue;
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
  const readable: ScanInput[] = [];
  const failed: FileReport[] = [];
  for (const input of inputs) {
    if (input.source) readable.push({ path: input.path, source: input.source });
    else failed.push({ path: input.path, format: 'other', verdict: 'unreadable', reason: input.error ?? 'it could not be opened', findings: [], bytesRead: 0, size: 0 });
  }
  const onProgress = progressBar(io, readable.length);
  // Pictures and PDFs are checked in a worker of their own (metadata, their text), off this thread.
  const documents = new DocumentWorker();
  let scanned;
  try {
    scanned = await scanFiles(readable, { ...(onProgress ? { onProgress: (d) => onProgress(d) } : {}), documents });
  } finally {
    await documents.close();
  }
  const files = [...scanned.files, ...failed];
  const report: ScanReport = { files, summary: summarize(files) };
  io.stdout(`${json ? toJson(report) : toText(report)}\n`);
  return report.summary.identifying + report.summary.unreadable > 0 ? 1 : 0;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'scan') return scanCommand(rest, io);
  if (command === 'deidentify') return deidentifyCommand(rest, io);
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  io.stderr(`${command ? `Unknown command: ${command}` : 'No command given.'}\n\n${USAGE}\n`);
  return 2;
}
