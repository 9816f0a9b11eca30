// Builds the browser extension (Manifest V3) into dist/chrome with @crxjs/vite-plugin.
import { defineConfig } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

export default defineConfig({
  plugins: [crx({ manifest: manifest as ManifestV3Export })],
  publicDir: 'public',
  build: {
    outDir: 'dist/chrome',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      // Extension pages that are not named in the manifest's own page fields (the dialog is framed into
      // sites through web_accessible_resources, which @crxjs copies as a plain asset otherwise).
      input: {
        dialog: 'src/ui/dialog/index.html',
      },
    },
  },
});
