// What the browser benchmarks (guard.bench.ts, documents-guard.bench.ts) time with: the page's change events
// recorded before the guard sees them, the dialog page's own performance marks, the time from a pick to the
// page getting its files, and the median of a row.

import type { Page } from 'playwright-core';
import type { FixtureServer } from '../test/e2e/harness/fixture-server';

/** Every change event's time (epoch ms), recorded by a capture listener registered before the guard's (an init script). */
export const CHANGE_TIMES = `
window.__spgChangeTimes = [];
window.addEventListener('change', function () { window.__spgChangeTimes.push(performance.timeOrigin + performance.now()); }, true);
`;

/** Evaluated in the dialog frame: the epoch time of each of its marks. */
export const MARKS_IN_FRAME = `Object.fromEntries(performance.getEntriesByType('mark').reverse().map((m) => [m.name, performance.timeOrigin + m.startTime]))`;

export async function changeTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __spgChangeTimes: number[] }).__spgChangeTimes);
}

/** ms from the first change event to the page getting the files (the replayed change, or 0 for the same event). */
export async function toRelease(page: Page, server: FixtureServer, count: number, choose: () => void | Promise<void>): Promise<number> {
  const mark = server.mark();
  await choose();
  await server.waitForFiles(mark, count, 60_000);
  const times = await changeTimes(page);
  if (times.length === 0) throw new Error('no change event was recorded');
  return times.length === 1 ? 0 : (times[times.length - 1] ?? 0) - (times[0] ?? 0);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
