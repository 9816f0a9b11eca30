// Builds the command-line tool into one Node ES module: dist/cli/scan-privacy-guard.mjs.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    ssr: 'src/cli/scan-privacy-guard.ts',
    minify: false,
    rollupOptions: {
      output: { entryFileNames: 'scan-privacy-guard.mjs', format: 'es' },
    },
  },
  ssr: {
    // Bundle the engine's dependencies so the built CLI needs nothing but Node.
    noExternal: true,
  },
});
