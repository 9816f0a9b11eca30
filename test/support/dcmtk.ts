// dcmtk (Debian package dcmtk) as an independent judge of the de-identifier's output: dcmdump must read a
// file without one error or warning, and dcmconv must re-encode it with the very lengths we wrote.
// dcmtk missing is a failure with a clear message, not a skip (CI installs it).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plantedRows } from '../fixtures/planted';

let workDir: string | undefined;
let environment: NodeJS.ProcessEnv | undefined;

function dir(): string {
  workDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'spg-dcmtk-'));
  return workDir;
}

/** Removes the temporary files; call from afterAll. */
export function cleanUpDcmtk(): void {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tool, args, { encoding: 'latin1', env, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) {
    throw new Error(`${tool} could not be run (${r.error.message}). Install dcmtk (apt-get install dcmtk); CI installs it.`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** dcmtk 3.6.7 predates some 2024b attributes: a supplement dictionary of the planted tags is loaded after its own. */
function env(): NodeJS.ProcessEnv {
  if (environment) return environment;
  const probe = run('dcmdump', ['-d', path.join(dir(), 'no-such-file.dcm')], process.env);
  const own = process.env.DCMDICTPATH?.split(path.delimiter) ?? [...probe.stderr.matchAll(/Loading file: (.+)$/gm)].map((m) => m[1] ?? '');
  const supplement = path.join(dir(), 'planted-2024b.dic');
  const entries = plantedRows()
    .filter((row) => !row.pattern)
    .map((row) => `(${row.concreteTag.slice(0, 4)},${row.concreteTag.slice(4)})\t${row.vr}\t${row.keyword}\t1\tDICOM`);
  fs.writeFileSync(supplement, `${entries.join('\n')}\n`);
  environment = { ...process.env, DCMDICTPATH: [...own, supplement].join(path.delimiter) };
  return environment;
}

function failIfUnclean(tool: string, name: string, r: { status: number | null; stderr: string }): void {
  const complaints = r.stderr.split('\n').filter((line) => line.trim() !== '');
  if (r.status !== 0 || complaints.length > 0) throw new Error(`${tool} ${name}: exit status ${r.status}\n${complaints.join('\n')}`);
}

let counter = 0;

function write(bytes: Uint8Array, name: string): string {
  const file = path.join(dir(), `${counter++}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** dcmdump's text (-dc: no data correction, +L: long values in full) of bytes it read without any complaint. */
export function dcmdump(bytes: Uint8Array, name = 'file.dcm'): string {
  const file = write(bytes, name);
  const r = run('dcmdump', ['-dc', '+L', '-Un', file], env());
  failIfUnclean('dcmdump', name, r);
  return r.stdout;
}

/** The data-set part of a dump, without the transfer syntax line (to compare two dumps). */
export function dataSetPart(dumpText: string): string {
  return dumpText
    .slice(dumpText.indexOf('# Dicom-Data-Set'))
    .split('\n')
    .filter((line) => !line.startsWith('# Used TransferSyntax'))
    .join('\n');
}

/**
 * The dump after dcmconv read the bytes and wrote them again in the same transfer syntax with lengths it
 * computed itself (`+e` defined, `-e` undefined), so a wrong length we wrote shows as a difference.
 */
export function dcmconvDump(bytes: Uint8Array, name: string, lengths: 'defined' | 'undefined'): string {
  const file = write(bytes, name);
  const out = `${file}.dcmconv`;
  const r = run('dcmconv', ['-dc', lengths === 'defined' ? '+e' : '-e', file, out], env());
  failIfUnclean('dcmconv', name, r);
  return dcmdump(new Uint8Array(fs.readFileSync(out)), `${name}.dcmconv`);
}

/** The pixel data as dcmdump writes it out (+W): one byte array per fragment, or one for native pixel data. */
export function dcmdumpPixels(bytes: Uint8Array, name = 'pixels.dcm'): Uint8Array[] {
  const file = write(bytes, name);
  const out = fs.mkdtempSync(path.join(dir(), 'pixels-'));
  const r = run('dcmdump', ['-dc', '+W', out, file], env());
  // Warnings are the caller's business (dcmdumpComplaints); a file dcmdump cannot read is not.
  if (r.status !== 0) throw new Error(`dcmdump ${name}: exit status ${r.status}\n${r.stderr}`);
  const base = path.basename(file);
  return fs
    .readdirSync(out)
    .filter((f) => f.startsWith(base) && f.endsWith('.raw'))
    .sort((a, b) => Number(a.slice(base.length + 1, -4)) - Number(b.slice(base.length + 1, -4)))
    .map((f) => new Uint8Array(fs.readFileSync(path.join(out, f))));
}

/** dcmdump's errors and warnings about bytes (file names taken out), and whether it read them at all. */
export function dcmdumpComplaints(bytes: Uint8Array, name = 'file.dcm'): { read: boolean; complaints: string[] } {
  const file = write(bytes, name);
  const r = run('dcmdump', ['-dc', '+L', '-Un', file], env());
  const complaints = r.stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(file).join('FILE'));
  return { read: r.status === 0 && !complaints.some((c) => c.startsWith('E:') || c.startsWith('F:')), complaints };
}
