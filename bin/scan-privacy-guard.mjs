#!/usr/bin/env node
// Installed entry point of the CLI: the bundle built by `npm run build:cli` runs on import.
import '../dist/cli/scan-privacy-guard.mjs';
