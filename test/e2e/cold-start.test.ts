// End-to-end: the first pick right after the browser starts. The administrator's policy (storage.managed)
// can take seconds to be readable then; the dialog must open and check at once, and offer its choices once
// the policy is known. No timing is asserted here (bench/guard.bench.ts measures it).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputPayloads } from './harness/deliveries';
import { identifyingDicom, PLANTED } from './harness/fixture-files';
import { startFixtureServer, type FixtureServer } from './harness/fixture-server';
import { waitForDialog } from './harness/guard-dialog';
import { launchGuardedBrowser } from './harness/guarded-browser';

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
});

afterAll(async () => {
  await server?.close();
});

describe('the first pick after the browser starts', () => {
  for (const how of ['set at once', 'picked through the file chooser'] as const) {
    it(`shows the findings and then every choice (${how})`, async () => {
      const browser = await launchGuardedBrowser();
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-cold-'));
      try {
        const page = browser.page;
        await page.goto(`${server.originA}/plain-input.html`);
        const mark = server.mark();
        if (how === 'set at once') {
          await page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(1)]));
        } else {
          const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#file').click()]);
          await chooser.setFiles(inputPayloads([identifyingDicom(1)]));
        }
        const dialog = await waitForDialog(page, 30_000);
        expect(await dialog.state(), await dialog.describe()).toBe('asking');
        expect(await dialog.text()).toContain('QUILLFEATHER');
        expect(PLANTED.patientName).toMatch(/^QUILLFEATHER/);
        // Every choice the default policy allows, once it is read.
        await dialog.frame.locator('[data-action="upload-original"]').waitFor({ state: 'visible', timeout: 30_000 });
        await dialog.frame.locator('[data-action="deidentify"]').waitFor({ state: 'visible', timeout: 30_000 });
        expect(await dialog.frame.locator('#spg-policy-pending').count()).toBe(0);
        await dialog.cancel();
        // Cancel releases nothing.
        await page.waitForTimeout(500);
        expect(server.filesSince(mark)).toEqual([]);
      } finally {
        await browser.close();
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    });
  }
});
