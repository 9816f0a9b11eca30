// The extension's ids as browsers and policies know them: Chrome's, fixed by the public key in manifest.json
// (`key`), and Firefox's gecko id; and the id the README documents for administrators.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumExtensionIdOf } from '../../demo/browser';
import { GECKO_ID } from '../../vite.config';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Chrome's id of a manifest with a `key` (base64 of the DER public key, SubjectPublicKeyInfo). */
export function chromeIdOfManifest(manifest: { key?: unknown }): string {
  if (typeof manifest.key !== 'string' || manifest.key === '') throw new Error('the manifest has no key: its id would depend on where it is loaded from');
  return chromiumExtensionIdOf(Buffer.from(manifest.key, 'base64'));
}

/** Chrome's id of the extension built from this repository's manifest.json. */
export const CHROME_EXTENSION_ID = chromeIdOfManifest(JSON.parse(fs.readFileSync(path.join(REPO, 'manifest.json'), 'utf8')) as { key?: string });

/** Firefox's id of the extension (browser_specific_settings.gecko.id of the Firefox build). */
export const FIREFOX_EXTENSION_ID = GECKO_ID;

/** The Chrome extension id the README's "For administrators" section gives (undefined when it gives none). */
export function documentedChromeId(): string | undefined {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = /^#+ For administrators\s*$([\s\S]*?)(?=^#{1,3} )/m.exec(readme)?.[1] ?? '';
  return /extension id[^`\n]*`([a-p]{32})`/i.exec(section)?.[1];
}
