// Builds the browser extension (Manifest V3) with @crxjs/vite-plugin from the one manifest.json:
// `vite build` writes dist/chrome; `vite build --mode firefox` writes dist/firefox with Firefox's keys.
import { defineConfig } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

/** Firefox's extension id: what Firefox policies (3rdparty > Extensions) name; docs/admin has examples. */
export const GECKO_ID = 'scan-privacy-guard@scan-privacy-guard.org';

/** Firefox's id and its data-consent declaration: the extension collects and transmits nothing. */
const GECKO = {
  id: GECKO_ID,
  // 140: MAIN-world content scripts (128+) and the data_collection_permissions key without a warning.
  strict_min_version: '140.0',
  data_collection_permissions: { required: ['none'] },
};

type Manifest = Record<string, unknown>;

/** The Firefox manifest: the same source, minus Chrome-only keys (`minimum_chrome_version`, `key`), plus browser_specific_settings. */
export function firefoxManifest(source: Manifest): Manifest {
  const m: Manifest = structuredClone(source);
  delete m.minimum_chrome_version;
  // The Chrome build's public key fixes its extension id; Firefox's id is browser_specific_settings.gecko.id.
  delete m.key;
  const war = m.web_accessible_resources as Array<Record<string, unknown>> | undefined;
  for (const entry of war ?? []) delete entry.use_dynamic_url;
  // Firefox for Android reads the data-consent key from 142.
  m.browser_specific_settings = { gecko: GECKO, gecko_android: { strict_min_version: '142.0' } };
  // Firefox runs the background as an event page from `scripts` (it has no `service_worker`).
  const background = m.background as { service_worker?: string; type?: string } | undefined;
  if (background?.service_worker) m.background = { scripts: [background.service_worker], type: background.type ?? 'module' };
  return m;
}

export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  return {
    plugins: [
      crx({
        manifest: (firefox ? firefoxManifest(manifest) : manifest) as ManifestV3Export,
        browser: firefox ? 'firefox' : 'chrome',
      }),
    ],
    publicDir: 'public',
    // Workers as ES modules, so the codecs' glue stays in chunks loaded on first use.
    worker: { format: 'es' as const },
    build: {
      outDir: firefox ? 'dist/firefox' : 'dist/chrome',
      emptyOutDir: true,
      target: 'es2022',
      // Dynamic imports stay plain import(): Vite's preload helper touches `document`, which a Worker has not
      // (the pixel worker loads the codecs' glue on first use). Extension files are local; nothing to preload.
      modulePreload: false,
      rollupOptions: {
        // Extension pages that are not named in the manifest's own page fields (the dialog is framed into
        // sites through web_accessible_resources, which @crxjs copies as a plain asset otherwise).
        input: {
          dialog: 'src/ui/dialog/index.html',
          // The dialog's frame decoder (a module Worker). Built as its own entry until the dialog starts it
          // with `new Worker(new URL('./pixel-worker.ts', import.meta.url), { type: 'module' })`, which
          // makes Vite build it from there instead (then drop this line).
          'pixel-worker': 'src/ui/dialog/pixel-worker.ts',
        },
      },
    },
  };
});
