// What the de-identifier left in a cleaned file on purpose (dummy values, moved dates, values an option
// keeps), so that the check of its output can tell those from anything identifying that is left by mistake.

import type { Finding } from '../report';

interface Expected {
  reason: string;
  /** Any value is expected here (an option keeps whatever the file had). */
  any: boolean;
  values: Set<string>;
}

export class ExpectedFindings {
  private readonly entries = new Map<string, Expected>();

  private static key(sequence: readonly string[], tag: string): string {
    return `${sequence.join('>')}|${tag}`;
  }

  private entry(sequence: readonly string[], tag: string, reason: string): Expected {
    const key = ExpectedFindings.key(sequence, tag);
    let e = this.entries.get(key);
    if (!e) {
      e = { reason, any: false, values: new Set() };
      this.entries.set(key, e);
    }
    return e;
  }

  /** The de-identifier wrote exactly this value here (a dummy, a moved date). */
  value(sequence: readonly string[], tag: string, value: string, reason: string): void {
    this.entry(sequence, tag, reason).values.add(value.replace(/[\0\s]+$/, '').trim());
  }

  /** An option keeps whatever this element holds. */
  any(sequence: readonly string[], tag: string, reason: string): void {
    this.entry(sequence, tag, reason).any = true;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Why a finding in the cleaned file is there on purpose, or undefined when it is not. A value that repeats
   * an identifying value found elsewhere is never expected.
   */
  explain(f: Finding): string | undefined {
    if (f.repeats) return undefined;
    const e = this.entries.get(ExpectedFindings.key(f.sequence, f.tag));
    if (!e) return undefined;
    if (e.any) return e.reason;
    return f.value !== undefined && e.values.has(f.value.trim()) ? e.reason : undefined;
  }
}
