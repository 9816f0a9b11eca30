// Real, machine-wide browser policies for the end-to-end tests: a Chromium managed policy file
// (/etc/chromium/policies/managed/<name>.json, "3rdparty" > "extensions" > the id) and Firefox's
// /etc/firefox/policies/policies.json ("3rdparty" > "Extensions" > the gecko id), which every Firefox build reads,
// Debian's firefox-esr included (/etc/firefox-esr/ is not read), before its distribution/policies.json.
//
// These files act on every browser of the machine that loads the extension under that id, other people's test
// runs included, so they exist only while a policy test needs them: Chromium's while its browser runs (Chromium
// watches the folder and drops a policy whose file goes), Firefox's only while Firefox starts (it reads its
// policies once, at start). Each is removed by the test (try/finally, afterAll) and, should the process end
// first, on exit and on SIGINT/SIGTERM/SIGHUP. Writing them needs root: without it the tests fail, never skip
// (itAsRoot, beforeAllAsRoot).

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, it } from 'vitest';

export const CHROMIUM_POLICY_DIR = process.env.SPG_E2E_CHROMIUM_POLICY_DIR ?? '/etc/chromium/policies/managed';
/** Our file in Chromium's managed policy folder (the folder may hold the machine's own files too). */
export const CHROMIUM_POLICY_FILE = path.join(CHROMIUM_POLICY_DIR, 'scan-privacy-guard-e2e.json');
export const FIREFOX_POLICY_FILE = process.env.SPG_E2E_FIREFOX_POLICY_FILE ?? '/etc/firefox/policies/policies.json';

/** The settings an administrator may fix (managed_schema.json). */
export type ManagedSettings = Record<string, unknown>;

/** Whether this process may write the machine's browser policies. */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Fails (with what to do) unless this process may write the machine's browser policies. */
export function requireRoot(): void {
  if (isRoot()) return;
  throw new Error(
    `The policy tests write real, machine-wide browser policies (${CHROMIUM_POLICY_FILE}, ${FIREFOX_POLICY_FILE}) and must run ` +
      `as root, as CI does (.ci/run runs as root): run the end-to-end tests as root (sudo npm test). ` +
      `They fail instead of skipping so that a run without them is never taken for a passing one.`,
  );
}

/** A test of a real policy: without root it fails at once with what to do (counted as failed, never skipped). */
export function itAsRoot(name: string, test: () => Promise<void> | void, timeoutMs?: number): void {
  it(
    name,
    async () => {
      requireRoot();
      await test();
    },
    timeoutMs,
  );
}

/** Set-up that needs root: without it, it does nothing, and the tests (itAsRoot) fail saying why. */
export function beforeAllAsRoot(setUp: () => Promise<void> | void, timeoutMs?: number): void {
  beforeAll(async () => {
    if (isRoot()) await setUp();
  }, timeoutMs);
}

// ---- what was written, to be removed whatever happens ------------------------------------------------------

/** Files this process wrote and folders it created (created folders are removed when empty). */
const written = new Set<string>();
const createdDirs: string[] = [];
let hooked = false;

function removeEverything(): void {
  for (const file of [...written]) removeFile(file);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeEverything);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeEverything();
      process.kill(process.pid, signal);
    });
  }
}

function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    fs.mkdirSync(d, { mode: 0o755 });
    createdDirs.push(d);
  }
}

/** Writes `text` to `file` at once (a temporary name in the same folder, then a rename), readable by everyone. */
function writeAtomically(file: string, text: string): void {
  hookExit();
  ensureDir(path.dirname(file));
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, text, { mode: 0o644 });
  fs.renameSync(temporary, file);
  written.add(file);
}

function removeFile(file: string): void {
  fs.rmSync(file, { force: true });
  written.delete(file);
  // Folders this process created, deepest first, while they are empty (others may have put files in them).
  for (const dir of [...createdDirs].reverse()) {
    try {
      fs.rmdirSync(dir);
      createdDirs.splice(createdDirs.indexOf(dir), 1);
    } catch {
      // not empty, or gone: leave it
    }
  }
}

// ---- Chromium -----------------------------------------------------------------------------------------------

/** The policy file's content: the extension's settings under 3rdparty > extensions > its id, nothing else. */
export function chromiumPolicy(extensionId: string, settings: ManagedSettings): object {
  return { '3rdparty': { extensions: { [extensionId]: settings } } };
}

/** Writes (or replaces) our Chromium policy file; a running Chromium picks the change up by itself. */
export function writeChromiumPolicy(extensionId: string, settings: ManagedSettings): void {
  writeAtomically(CHROMIUM_POLICY_FILE, `${JSON.stringify(chromiumPolicy(extensionId, settings), null, 2)}\n`);
}

export function removeChromiumPolicy(): void {
  removeFile(CHROMIUM_POLICY_FILE);
}

// ---- Firefox ------------------------------------------------------------------------------------------------

export function firefoxPolicies(geckoId: string, settings: ManagedSettings): { policies: object } {
  return { policies: { '3rdparty': { Extensions: { [geckoId]: settings } } } };
}

/** Whether a policies.json is one these tests write (only our extension's 3rdparty entry): a left-over may go. */
function isOurs(text: string, geckoId: string): boolean {
  try {
    const json = JSON.parse(text) as { policies?: { '3rdparty'?: { Extensions?: object } } };
    return (
      Object.keys(json).join() === 'policies' &&
      Object.keys(json.policies ?? {}).join() === '3rdparty' &&
      Object.keys(json.policies?.['3rdparty'] ?? {}).join() === 'Extensions' &&
      Object.keys(json.policies?.['3rdparty']?.Extensions ?? {}).join() === geckoId
    );
  } catch {
    return false;
  }
}

/**
 * Writes Firefox's policies.json with the extension's settings. There is one such file per machine: one that
 * these tests did not write (the machine's own policies) is never replaced; the test fails and says so.
 */
export function writeFirefoxPolicy(geckoId: string, settings: ManagedSettings): void {
  if (fs.existsSync(FIREFOX_POLICY_FILE) && !written.has(FIREFOX_POLICY_FILE) && !isOurs(fs.readFileSync(FIREFOX_POLICY_FILE, 'utf8'), geckoId)) {
    throw new Error(`${FIREFOX_POLICY_FILE} exists and was not written by these tests: it is left as it is, and the Firefox policy tests cannot run here`);
  }
  writeAtomically(FIREFOX_POLICY_FILE, `${JSON.stringify(firefoxPolicies(geckoId, settings), null, 2)}\n`);
}

export function removeFirefoxPolicy(): void {
  removeFile(FIREFOX_POLICY_FILE);
}

/** Paths of policy files this process wrote that are still there (for the tests' own checks). */
export function policyFilesLeft(): string[] {
  return [CHROMIUM_POLICY_FILE, FIREFOX_POLICY_FILE].filter((file) => written.has(file) || fs.existsSync(file));
}
