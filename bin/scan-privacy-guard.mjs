#!/usr/bin/env node
// Installed entry point of the CLI: runs the bundle built by `npm run build:cli`.
import { runCli } from '../dist/cli/scan-privacy-guard.mjs';

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTty: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`scan-privacy-guard failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
