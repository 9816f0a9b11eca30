// The background's pure parts: checking runtime messages, the per-site history of counts (counts only, bounded,
// malformed storage repaired) and the choice of toolbar badge.
import { describe, expect, it } from 'vitest';
import { GUARD_EVENT_KINDS, MAX_EVENT_FILES, parseGuardEvent, parseToBackground } from '../../src/background/protocol';
import {
  EMPTY_SITE_ACTIVITY,
  MAX_ACTIVITY_SITES,
  NO_ACTIVITY,
  activityFor,
  addGuardEvent,
  hasActivity,
  parseSiteActivity,
} from '../../src/background/site-activity';
import { badgeKind, badgeLook } from '../../src/background/badge';

describe('runtime messages', () => {
  it('accepts each message type and nothing else', () => {
    expect(parseToBackground({ type: 'spg:hello', extra: 'dropped' })).toEqual({ type: 'spg:hello' });
    expect(parseToBackground({ type: 'spg:deidentification-key' })).toEqual({ type: 'spg:deidentification-key' });
    expect(parseToBackground({ type: 'spg:clear-activity' })).toEqual({ type: 'spg:clear-activity' });
    expect(parseToBackground({ type: 'spg:guard-event', kind: 'warned', files: 2 })).toEqual({ type: 'spg:guard-event', kind: 'warned', files: 2 });
    // The popup reads its state itself (src/background/popup-state.ts): the background no longer answers this.
    expect(parseToBackground({ type: 'spg:popup-state', tabId: 7 })).toBeUndefined();
    expect(parseToBackground({ type: 'spg:set-site-protection', url: 'https://a.example/', on: false })).toEqual({
      type: 'spg:set-site-protection',
      url: 'https://a.example/',
      on: false,
    });
    for (const bad of [
      null,
      'spg:hello',
      [],
      { type: 'other' },
      { type: 'spg:guard-event', kind: 'warned' },
      { type: 'spg:set-site-protection', url: 'https://a.example/' },
      { type: 'spg:set-site-protection', url: 'x'.repeat(5000), on: true },
    ]) {
      expect(parseToBackground(bad)).toBeUndefined();
    }
  });

  it('guard events carry a known kind and a whole, positive, bounded file count: nothing else', () => {
    for (const kind of GUARD_EVENT_KINDS) expect(parseGuardEvent({ kind, files: 1 })).toEqual({ kind, files: 1 });
    expect(parseGuardEvent({ kind: 'checked', files: 3, name: 'DOE^JANE.dcm' })).toEqual({ kind: 'checked', files: 3 });
    for (const bad of [
      { kind: 'uploaded', files: 1 },
      { kind: 'checked', files: 0 },
      { kind: 'checked', files: -2 },
      { kind: 'checked', files: 1.5 },
      { kind: 'checked', files: '3' },
      { kind: 'checked', files: MAX_EVENT_FILES + 1 },
      { kind: 'checked', files: Number.NaN },
      undefined,
    ]) {
      expect(parseGuardEvent(bad)).toBeUndefined();
    }
  });
});

describe('site activity', () => {
  it('counts files per site host, keyed by the site (www and path dropped)', () => {
    let activity = EMPTY_SITE_ACTIVITY;
    activity = addGuardEvent(activity, 'https://www.chatgpt.com/c/123', { kind: 'checked', files: 3 });
    activity = addGuardEvent(activity, 'chatgpt.com', { kind: 'warned', files: 2 });
    activity = addGuardEvent(activity, 'chatgpt.com', { kind: 'cancelled', files: 2 });
    activity = addGuardEvent(activity, 'http://127.0.0.1:8080/', { kind: 'original', files: 1 });
    expect(activity.sites).toEqual({
      'chatgpt.com': { ...NO_ACTIVITY, checked: 3, warned: 2, cancelled: 2 },
      '127.0.0.1': { ...NO_ACTIVITY, original: 1 },
    });
    expect(activityFor(activity, 'chatgpt.com').checked).toBe(3);
    expect(activityFor(activity, 'example.org')).toEqual(NO_ACTIVITY);
    expect(activityFor(activity, null)).toEqual(NO_ACTIVITY);
    expect(activityFor(activity, '__proto__')).toEqual(NO_ACTIVITY);
    expect(hasActivity(activityFor(activity, 'chatgpt.com'))).toBe(true);
    expect(hasActivity(NO_ACTIVITY)).toBe(false);
  });

  it('records nothing for a page that is not a site, and never changes the history it was given', () => {
    const before = addGuardEvent(EMPTY_SITE_ACTIVITY, 'a.example', { kind: 'checked', files: 1 });
    const frozen = JSON.stringify(before);
    expect(addGuardEvent(before, 'file:///tmp/x.html', { kind: 'checked', files: 1 })).toBe(before);
    expect(addGuardEvent(before, undefined, { kind: 'checked', files: 1 })).toBe(before);
    addGuardEvent(before, 'a.example', { kind: 'checked', files: 5 });
    expect(JSON.stringify(before)).toBe(frozen);
  });

  it('keeps at most MAX_ACTIVITY_SITES sites, forgetting the one updated longest ago', () => {
    let activity = EMPTY_SITE_ACTIVITY;
    for (let i = 0; i < MAX_ACTIVITY_SITES; i++) activity = addGuardEvent(activity, `site${i}.example`, { kind: 'checked', files: 1 });
    activity = addGuardEvent(activity, 'site0.example', { kind: 'checked', files: 1 }); // site0 is now the most recent
    activity = addGuardEvent(activity, 'new.example', { kind: 'checked', files: 1 });
    const hosts = Object.keys(activity.sites);
    expect(hosts).toHaveLength(MAX_ACTIVITY_SITES);
    expect(hosts).not.toContain('site1.example');
    expect(hosts.slice(-2)).toEqual(['site0.example', 'new.example']);
    expect(activity.sites['site0.example']!.checked).toBe(2);
  });

  it('repairs whatever storage holds', () => {
    for (const garbage of [undefined, null, 'x', [], { sites: 'x' }, { sites: [] }]) expect(parseSiteActivity(garbage)).toEqual(EMPTY_SITE_ACTIVITY);
    expect(
      parseSiteActivity({
        version: 1,
        sites: {
          'chatgpt.com': { checked: 4, warned: -1, cancelled: 1.5, deidentified: 'x', original: 2, fileName: 'DOE.dcm' },
          'https://www.example.org/': { checked: 1 },
          'not a host': { checked: 1 },
          'b.example': 'x',
        },
      }),
    ).toEqual({ version: 1, sites: { 'chatgpt.com': { ...NO_ACTIVITY, checked: 4, original: 2 } } });
    const many = Object.fromEntries(Array.from({ length: MAX_ACTIVITY_SITES + 5 }, (_, i) => [`s${i}.example`, { checked: 1 }]));
    const parsed = parseSiteActivity({ version: 1, sites: many });
    expect(Object.keys(parsed.sites)).toHaveLength(MAX_ACTIVITY_SITES);
    expect(Object.keys(parsed.sites)[0]).toBe('s5.example');
  });
});

describe('badge', () => {
  it('shows a warning first, then protection off, then a known site', () => {
    expect(badgeKind({ warnings: 1, protected: false, category: 'ai-chat' })).toBe('warning');
    expect(badgeKind({ warnings: 0, protected: false, category: 'ai-chat' })).toBe('off');
    expect(badgeKind({ warnings: 0, protected: true, category: 'ai-chat' })).toBe('known-ai');
    expect(badgeKind({ warnings: 0, protected: true, category: 'ai-image-reader' })).toBe('known-ai');
    expect(badgeKind({ warnings: 0, protected: true, category: 'model-demo' })).toBe('known-ai');
    expect(badgeKind({ warnings: 0, protected: true, category: 'second-opinion' })).toBe('known-second-opinion');
    expect(badgeKind({ warnings: 0, protected: true, category: 'imaging-service' })).toBe('known-imaging');
    expect(badgeKind({ warnings: 0, protected: true, category: undefined })).toBe('none');
    expect(badgeKind({ warnings: 0, protected: undefined, category: undefined })).toBe('none');
  });

  it('takes its text and tooltip from the messages, with the site and count', () => {
    const calls: [string, unknown][] = [];
    const t = (key: string, subs?: string | string[]): string => {
      calls.push([key, subs]);
      return `${key}(${[subs ?? []].flat().join(',')})`;
    };
    expect(badgeLook('warning', t, 'chatgpt.com', 3)).toMatchObject({ text: 'badge_warning()', title: 'badge_titleWarning(3,chatgpt.com)' });
    expect(badgeLook('off', t, 'x.org', 0)).toMatchObject({ text: 'badge_off()', title: 'badge_titleOff(x.org)' });
    expect(badgeLook('known-ai', t, 'ChatGPT', 0).title).toBe('badge_titleKnownAi(ChatGPT)');
    expect(badgeLook('known-second-opinion', t, 'DocPanel', 0).text).toBe('badge_secondOpinion()');
    expect(badgeLook('known-imaging', t, 'BodyMap', 0).text).toBe('badge_imaging()');
    expect(badgeLook('none', t, '', 0)).toMatchObject({ text: '', title: 'actionTitle()' });
    for (const kind of ['warning', 'off', 'known-ai'] as const) expect(badgeLook(kind, t, 's', 1).background).toMatch(/^#[0-9A-F]{6}$/);
  });
});
