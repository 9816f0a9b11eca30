// What the popup's end-to-end tests measure on a page: axe-core's violations, and where the parts of the popup's
// first screen are (the largest popup Chromium shows is 600 CSS px tall; ours asks for 400 px at most in width).

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './fixture-server';

/** The popup's size in Chromium's toolbar at most: its width is set by its content, its height capped at 600 px. */
export const POPUP_VIEWPORT = { width: 400, height: 600 };

const AXE_SOURCE = fs.readFileSync(path.join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page, as "rule: targets" lines (empty when there are none). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(
      document,
    ),
  );
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * The parts the popup's first screen must show (the site, the protection switch and its state, the three answers),
 * each with its top and bottom in page coordinates (bottom Infinity when the part is missing).
 */
export async function firstScreen(page: Page): Promise<{ part: string; top: number; bottom: number }[]> {
  return page.evaluate(() => {
    const parts: [string, Element | null][] = [
      ['site', document.querySelector('h1')],
      ['switch', document.getElementById('protection-switch')],
      ['protection state', document.getElementById('protection-state')],
      ...Array.from(document.querySelectorAll('.answers-list > li > details > summary'), (e, i): [string, Element] => [`answer ${i + 1}`, e]),
    ];
    return parts.map(([part, e]) => {
      const box = e?.getBoundingClientRect();
      return { part, top: box ? box.top + window.scrollY : -1, bottom: box ? box.bottom + window.scrollY : Number.POSITIVE_INFINITY };
    });
  });
}
