// The toolbar badge of one tab: a warning on this page first, then protection being off for the site, then a
// site the notes know (an AI or second-opinion service); nothing otherwise. The choice is pure; `badgeLook`
// gives its text, colours and tooltip through _locales.

import type { SiteCategory } from '../core/site-notes';

export type BadgeKind = 'warning' | 'off' | 'known-ai' | 'known-second-opinion' | 'known-imaging' | 'none';

export interface BadgeInput {
  /** Files warned about in this tab since its page loaded. */
  readonly warnings: number;
  /** Whether the guard protects this tab's top-level site (undefined: not a website, no badge for it). */
  readonly protected: boolean | undefined;
  /** The site's category when it has notes. */
  readonly category: SiteCategory | undefined;
}

export function badgeKind(input: BadgeInput): BadgeKind {
  if (input.warnings > 0) return 'warning';
  if (input.protected === false) return 'off';
  switch (input.category) {
    case 'ai-chat':
    case 'ai-image-reader':
    case 'model-demo':
      return 'known-ai';
    case 'second-opinion':
      return 'known-second-opinion';
    case 'imaging-service':
      return 'known-imaging';
    default:
      return 'none';
  }
}

export interface BadgeLook {
  readonly text: string;
  /** Background and text colours: white on these is at least 4.5:1. */
  readonly background: string;
  readonly color: string;
  readonly title: string;
}

export type Translate = (key: string, substitutions?: string | string[]) => string;

/** Text, colours and tooltip of a badge. `site` is the host or, for a known site, its name. */
export function badgeLook(kind: BadgeKind, t: Translate, site: string, warnings: number): BadgeLook {
  const white = '#FFFFFF';
  switch (kind) {
    case 'warning':
      return { text: t('badge_warning'), background: '#B3261E', color: white, title: t('badge_titleWarning', [String(warnings), site]) };
    case 'off':
      return { text: t('badge_off'), background: '#5F6368', color: white, title: t('badge_titleOff', site) };
    case 'known-ai':
      return { text: t('badge_ai'), background: '#0B57D0', color: white, title: t('badge_titleKnownAi', site) };
    case 'known-second-opinion':
      return { text: t('badge_secondOpinion'), background: '#0B57D0', color: white, title: t('badge_titleKnownSecondOpinion', site) };
    case 'known-imaging':
      return { text: t('badge_imaging'), background: '#0B57D0', color: white, title: t('badge_titleKnownImaging', site) };
    default:
      return { text: '', background: '#5F6368', color: white, title: t('actionTitle') };
  }
}
