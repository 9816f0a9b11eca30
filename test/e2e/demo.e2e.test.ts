// End-to-end: `npm start` without a display. Runs the demo headless against the extension the e2e suite
// loads (the global setup builds dist/chrome and snapshots it), and checks that it exits 0 and says so,
// printed no value of the made-up patient, and wrote a screenshot of every step.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_UNDER_TEST, buildExtensionIfNeeded, snapshotExtension } from './harness/extension-build';
import { REPO_ROOT } from './harness/fixture-server';

interface DemoSummary {
  ok: boolean;
  totalMs: number;
  steps: Array<{ id: string; title: string; status: 'ok' | 'fallback' | 'failed'; detail: string; screenshot?: string; ms: number }>;
}

/** The screenshot each step writes: the step's normal outcome, or its fallback while a feature is missing. */
const STEP_SCREENSHOTS: ReadonlyArray<{ id: string; files: RegExp }> = [
  { id: 'site', files: /^01-demo-site\.png$/ },
  { id: 'warning', files: /^02-warning\.png$/ },
  { id: 'choice', files: /^03-(deidentified-copy-received|cancelled-nothing-sent)\.png$/ },
  { id: 'photo', files: /^04-photo-passes\.png$/ },
  { id: 'clean-scan', files: /^05-clean-scan-passes\.png$/ },
  { id: 'popup', files: /^06-(popup|extension-loaded)\.png$/ },
];

/** The made-up patient's values in the identifying samples: the demo's terminal output must hold none. */
const PLANTED = ['DEMO^ALEX', 'DEMO ALEX', 'DEMO-000123', '19790312', '1979-03-12', 'Fictional General Hospital', 'DEMOACC0042', 'MADEUP'];

function pngSize(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`).toBe(true);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function runDemo(outDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
      ['demo/start.ts', '--headless', '--no-build', '--out', outDir],
      {
        cwd: REPO_ROOT,
        // No display, as on CI: the demo must say so and run headless by itself.
        env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', SPG_DEMO_DIST: EXTENSION_UNDER_TEST },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start without a display (headless demo)', () => {
  let outDir = '';
  let run: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(EXTENSION_UNDER_TEST, 'manifest.json'))) {
      // Normally built and snapshotted by the e2e global setup; done here when this file runs without it.
      buildExtensionIfNeeded();
      snapshotExtension();
    }
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-demo-e2e-'));
    run = await runDemo(outDir);
  }, 180_000);

  afterAll(() => {
    if (outDir && !process.env.SPG_E2E_KEEP_DEMO) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('exits 0 and says every step was seen', () => {
    expect(run.code, `demo output:\n${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('No display ($DISPLAY and $WAYLAND_DISPLAY are unset): running headless');
    expect(run.stdout).toContain('Demo passed: every step was seen as expected.');
    expect(run.stdout).toContain(`Screenshots: ${outDir}`);
  });

  it('writes a screenshot of every step, and a summary naming them', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.json'), 'utf8')) as DemoSummary;
    expect(summary.ok).toBe(true);
    expect(summary.steps.map((s) => s.id)).toEqual(STEP_SCREENSHOTS.map((s) => s.id));
    const files = fs.readdirSync(outDir).filter((name) => name.endsWith('.png'));
    expect(files.filter((name) => name.startsWith('failed-'))).toEqual([]);
    for (const expected of STEP_SCREENSHOTS) {
      const step = summary.steps.find((s) => s.id === expected.id);
      expect(step?.status, `${expected.id}: ${step?.detail}`).not.toBe('failed');
      const shot = files.filter((name) => expected.files.test(name));
      expect(shot, `screenshot of step ${expected.id}`).toHaveLength(1);
      expect(step?.screenshot).toBe(path.join(outDir, shot[0]!));
      const { width, height } = pngSize(path.join(outDir, shot[0]!));
      expect(width).toBeGreaterThanOrEqual(320);
      expect(height).toBeGreaterThanOrEqual(320);
      expect(fs.statSync(path.join(outDir, shot[0]!)).size).toBeGreaterThan(5_000); // a picture, not a blank
    }
  });

  it('the site received nothing while the warning was open, and harmless files untouched', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.json'), 'utf8')) as DemoSummary;
    const detail = (id: string): string => summary.steps.find((s) => s.id === id)?.detail ?? '';
    expect(detail('warning')).toContain("the site's script and server have nothing");
    expect(detail('choice')).toMatch(/none of the original's \d+ identifying values are in it|the site received nothing/);
    expect(detail('photo')).toContain('identical bytes');
    expect(detail('clean-scan')).toContain('identical bytes');
  });

  it('generated the samples, and printed no value of the made-up patient', () => {
    const samples = fs.readdirSync(path.join(outDir, 'samples')).sort();
    expect(samples).toEqual(['alex-ct-chest.dcm', 'anonymous-ct-chest.dcm', 'holiday-photo.png', 'questions-for-my-doctor.txt', 'sam-mr-knee.dcm']);
    const alex = fs.readFileSync(path.join(outDir, 'samples/alex-ct-chest.dcm')).toString('latin1');
    expect(alex).toContain('DEMO^ALEX'); // the planted value is really in the sample ...
    for (const value of PLANTED) expect(`${run.stdout}\n${run.stderr}`).not.toContain(value); // ... and not in the output
  });
});
