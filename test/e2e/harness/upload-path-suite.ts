// The three end-to-end tests every upload path gets, and the per-file set-up they share (one browser, one
// page, one fixture server per test file):
//   1. a DICOM file that identifies someone: the dialog opens, the server receives nothing and the page's
//      handlers see no file while it is open; Cancel: still nothing, ever;
//   2. the same, then "upload the original" (two steps): the exact bytes arrive and the page's own handler ran;
//   3. a non-medical file: it arrives promptly and no dialog is ever shown.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from './fixture-files';
import { describeRequests, startFixtureServer, type FixtureServer } from './fixture-server';
import { waitForDialog, watchForDialog, type GuardDialog } from './guard-dialog';
import { launchGuardedBrowser, requestsNotFromFixturePages, type GuardedBrowser, type LaunchOptions } from './guarded-browser';

export interface SuiteEnv {
  browser: GuardedBrowser;
  server: FixtureServer;
  page: Page;
  /** A temporary folder for files the tests write to disk; removed after the file's tests. */
  workDir: string;
}

/** The files of one attempt; `dir` when they are a folder on disk, `paths` when they are files on disk. */
export interface FileSet {
  files: FixtureFile[];
  dir?: string;
  paths?: string[];
}

export interface UploadPathCase {
  title: string;
  url(env: SuiteEnv): string;
  /** The frame whose handlers and inputs the tests inspect (default: the page's main frame). */
  scope?(env: SuiteEnv): Promise<Frame>;
  identifying(env: SuiteEnv): FileSet;
  nonMedical(env: SuiteEnv): FileSet;
  /** What the person does to hand the files to the page. */
  deliver(env: SuiteEnv, scope: Frame, set: FileSet): Promise<void>;
  /** What the person does once the files are back in the page (e.g. press its Upload button). */
  afterRelease?(env: SuiteEnv, scope: Frame): Promise<void>;
  /** While the files are held, the page's own script tries to upload what it has. */
  pageTriesWhileHeld?(env: SuiteEnv, scope: Frame): Promise<void>;
  /** False when the upload navigates away (a form post), taking the page's records with it. */
  recordsSurviveUpload?: boolean;
}

/** How long "nothing arrives" is watched for. */
export const QUIET_MS = 500;
/** A non-medical file must reach the server within this (generous: it bounds hangs, the bench measures speed). */
export const PROMPT_MS = 2_000;

/** Registers beforeAll/afterAll for a test file: fixture server, browser with the extension, one page. */
export function setUpGuardedSuite(options: { initScripts?: string[]; launch?: LaunchOptions } = {}): SuiteEnv {
  const env = {} as SuiteEnv;
  beforeAll(async () => {
    env.server = await startFixtureServer();
    env.browser = await launchGuardedBrowser(options.launch);
    env.page = env.browser.page;
    env.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-e2e-files-'));
    for (const script of options.initScripts ?? []) await env.browser.context.addInitScript(script);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
    if (env.workDir) fs.rmSync(env.workDir, { recursive: true, force: true });
  });
  return env;
}

interface SeenEntry {
  event: string;
  names: string[];
  sizes: number[];
}

/** What the page's own handlers recorded that named a file. */
export async function seenFiles(scope: Frame): Promise<SeenEntry[]> {
  return scope.evaluate(() => {
    const seen = (window as unknown as { seen?: SeenEntry[] }).seen ?? [];
    return seen.filter((entry) => entry.names.length > 0);
  });
}

/** How many files the page could read from its file inputs right now. */
export async function filesInInputs(scope: Frame): Promise<number> {
  return scope.evaluate(() => {
    const kit = (window as unknown as { fixtureKit?: { filesInInputs(): number } }).fixtureKit;
    return kit ? kit.filesInInputs() : 0;
  });
}

/** Nothing reached the server since `mark`, and the page can read none of the files. */
export async function expectHeld(env: SuiteEnv, scope: Frame, mark: number, when: string): Promise<void> {
  expect(describeRequests(env.server.requestsSince(mark)), `requests that reached the server ${when}`).toBe('no requests');
  expect(await seenFiles(scope), `files the page's own handlers saw ${when}`).toEqual([]);
  expect(await filesInInputs(scope), `files the page could read from its inputs ${when}`).toBe(0);
}

/** Exactly the files of the set arrived (compared by sha256, as a multiset). */
export function expectArrived(env: SuiteEnv, mark: number, set: FileSet): void {
  const arrived = env.server.filesSince(mark).map((f) => f.sha256).sort();
  expect(arrived, `sha256 of the files that reached the server (${describeRequests(env.server.since(mark))})`).toEqual(
    set.files.map((f) => f.sha256).sort(),
  );
}

export async function expectHandlersSaw(scope: Frame, set: FileSet): Promise<void> {
  const names = (await seenFiles(scope)).flatMap((entry) => entry.names);
  const missing = set.files.filter((f) => !names.some((n) => n === f.name || n.endsWith(`/${f.name}`)));
  expect(missing.map((f) => f.name), `files the page's own handlers never saw (they saw: ${names.join(', ') || 'nothing'})`).toEqual([]);
}

async function openCase(env: SuiteEnv, c: UploadPathCase): Promise<Frame> {
  await env.page.goto(c.url(env), { waitUntil: 'load' });
  return c.scope ? c.scope(env) : env.page.mainFrame();
}

export async function settle(env: SuiteEnv, ms = QUIET_MS): Promise<void> {
  await env.page.waitForTimeout(ms);
}

/** Opens the case's page, hands over its identifying files, waits for the dialog and checks they are held. */
async function deliverIdentifying(env: SuiteEnv, c: UploadPathCase): Promise<{ scope: Frame; set: FileSet; mark: number; dialog: GuardDialog }> {
  const scope = await openCase(env, c);
  const set = c.identifying(env);
  const mark = env.server.mark();
  await c.deliver(env, scope, set);
  const dialog = await waitForDialog(env.page);
  await expectHeld(env, scope, mark, 'while the dialog is open');
  return { scope, set, mark, dialog };
}

/** Cancels the dialog; once it is closed and a quiet while has passed, still nothing was released. */
export async function cancelAndExpectHeld(env: SuiteEnv, scope: Frame, mark: number, dialog: GuardDialog): Promise<void> {
  await dialog.cancel();
  await dialog.waitClosed();
  await settle(env);
  await expectHeld(env, scope, mark, 'after Cancel');
}

/** The three tests of one upload path. */
export function uploadPathTests(env: SuiteEnv, c: UploadPathCase): void {
  describe(c.title, () => {
    it('holds an identifying DICOM while the dialog is open, and Cancel never releases it', async () => {
      const { scope, mark, dialog } = await deliverIdentifying(env, c);
      if (c.pageTriesWhileHeld) {
        await c.pageTriesWhileHeld(env, scope);
        await settle(env);
        await expectHeld(env, scope, mark, 'after the page tried to upload while the dialog was open');
      }
      await cancelAndExpectHeld(env, scope, mark, dialog);
    });

    it('releases the exact original bytes after "upload the original" and its confirmation', async () => {
      const { scope, set, mark, dialog } = await deliverIdentifying(env, c);
      await dialog.uploadOriginal();
      if (c.afterRelease) await c.afterRelease(env, scope);
      await env.server.waitForFiles(mark, set.files.length, 15_000);
      await settle(env, 300); // anything sent twice would arrive now
      expectArrived(env, mark, set);
      if (c.recordsSurviveUpload !== false) await expectHandlersSaw(scope, set);
    });

    it('lets a non-medical file through promptly with no dialog', async () => {
      const scope = await openCase(env, c);
      const set = c.nonMedical(env);
      const mark = env.server.mark();
      const watch = watchForDialog(env.page);
      const started = Date.now();
      let elapsed = Number.NaN;
      let seenDialog: Awaited<ReturnType<typeof watch.stop>>;
      try {
        await c.deliver(env, scope, set);
        if (c.afterRelease) await c.afterRelease(env, scope);
        await env.server.waitForFiles(mark, set.files.length, 10_000);
        elapsed = Date.now() - started;
        await settle(env); // keep watching: a dialog must not come afterwards either
      } finally {
        seenDialog = await watch.stop();
      }
      expect(seenDialog, 'a dialog was shown for a non-medical file').toMatchObject({ shown: false, asking: false });
      expectArrived(env, mark, set);
      if (c.recordsSurviveUpload !== false) await expectHandlersSaw(scope, set);
      expect(elapsed, 'milliseconds from handing over the file to its arrival').toBeLessThan(PROMPT_MS);
    });
  });
}

/** The file's last test: no request came from the extension's own frames or workers, nor went elsewhere. */
export function noExtensionRequestsTest(env: SuiteEnv): void {
  it("the extension's own contexts made no network request", () => {
    const origins = [env.server.originA, env.server.originB];
    expect(env.browser.network.length, 'the recorder saw the fixture pages load (it works)').toBeGreaterThan(0);
    const foreign = requestsNotFromFixturePages(env.browser.network, origins);
    expect(foreign.map((r) => `${r.method} ${r.url} from ${r.kind} ${r.initiator || '?'}`)).toEqual([]);
    const fromExtension = env.server.requests.filter((r) =>
      [r.headers.origin, r.headers.referer].some((h) => typeof h === 'string' && h.startsWith('chrome-extension://')),
    );
    expect(describeRequests(fromExtension), 'requests at the fixture server sent by an extension origin').toBe('no requests');
  });
}

/** For pages with an Upload button: waits until the input holds files (the guard let them through), then presses it. */
export async function pressUploadWhenFilled(scope: Frame, timeoutMs = 10_000): Promise<void> {
  await scope.waitForFunction(() => (document.getElementById('file') as HTMLInputElement).files?.length, undefined, { timeout: timeoutMs });
  await scope.locator('#send').click();
}
