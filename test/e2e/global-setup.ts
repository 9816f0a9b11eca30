// Global setup of the end-to-end suite, once per `vitest run --config vitest.e2e.config.ts`: builds the
// extension (vite build → dist/chrome, vite build --mode firefox → dist/firefox) when a build is missing or
// older than its sources, snapshots both for the run (see harness/extension-build.ts), and bundles the
// fixture pages that use npm upload libraries (react-dropzone) into test/fixtures/pages/dist.
//
// SPG_E2E_BUILD=always rebuilds the extension every time, SPG_E2E_BUILD=never never does (dist/ is used
// as it is); SPG_E2E_DIST (Chromium) and SPG_E2E_FIREFOX_DIST (Firefox) point the suite at another
// build of the extension, loaded in place.

import path from 'node:path';
import { build } from 'vite';
import { buildExtensionIfNeeded, snapshotExtension } from './harness/extension-build';
import { PAGES_ROOT } from './harness/fixture-server';

export default async function setup(): Promise<void> {
  buildExtensionIfNeeded('chrome');
  snapshotExtension('chrome');
  buildExtensionIfNeeded('firefox');
  snapshotExtension('firefox');
  await buildLibraryPages();
}

async function buildLibraryPages(): Promise<void> {
  await build({
    configFile: false,
    root: PAGES_ROOT,
    logLevel: 'warn',
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: path.join(PAGES_ROOT, 'dist'),
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      sourcemap: false,
      lib: {
        entry: path.join(PAGES_ROOT, 'src/react-dropzone-entry.ts'),
        formats: ['iife'],
        name: 'ReactDropzoneFixture',
        fileName: () => 'react-dropzone.js',
      },
    },
  });
}
