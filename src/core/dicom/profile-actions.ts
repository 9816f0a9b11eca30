// What the de-identifier does with one PS3.15 E.1-1 row under the chosen options: the row's Basic Profile
// action, or the action of an option column the person switched on.

import type { ProfileOption, ProfileRow } from '../../data/confidentiality-profile';

/** The options of PS3.15 E.3 that the de-identifier offers (Retain Longitudinal Full Dates is not offered). */
export interface ProfileOptions {
  /** Keep age, sex, size, weight and the like: they help an AI reading (default true). */
  retainPatientCharacteristics: boolean;
  /** Default false: dates replaced per the Basic Profile; true: moved by a keyed per-patient offset. */
  retainLongitudinalModifiedDates: boolean;
  retainDeviceIdentity: boolean;
  retainInstitutionIdentity: boolean;
  retainUids: boolean;
  cleanDescriptors: boolean;
  cleanStructuredContent: boolean;
  cleanGraphics: boolean;
  retainSafePrivate: boolean;
  /**
   * Keep Allergies, Special Needs, Patient State and Pre-Medication (the rows Retain Patient Characteristics
   * marks C): free text that can name people or places, so by default (false) they are removed even when
   * patient characteristics are kept. Only with Retain Patient Characteristics on; the file's own names and
   * IDs are still taken out of the text.
   */
  retainPatientFreeText: boolean;
  /**
   * Clean Pixel Data (PS3.15 E.3.1, 113101): the text drawn into pictures is found, read and blacked out in
   * every frame, and the copy read again (default true). Only where the picture's text could be read.
   */
  cleanPixelData: boolean;
  /**
   * With Clean Pixel Data: also black out everything outside the regions an ultrasound picture lists (its
   * scanner's screen, crowded with settings and names). Not a PS3.15 option of its own. Default false.
   */
  maskOutsideUltrasoundRegions: boolean;
}

/**
 * The Basic Profile with Retain Patient Characteristics: age, sex, size and weight stay (a reader needs them);
 * everything else follows the Basic Profile, so a plain scan of the copy finds it clean. The settings, the
 * CLI and the engine all start from these.
 */
export const DEFAULT_PROFILE_OPTIONS: Readonly<ProfileOptions> = Object.freeze({
  retainPatientCharacteristics: true,
  retainLongitudinalModifiedDates: false,
  retainDeviceIdentity: false,
  retainInstitutionIdentity: false,
  retainUids: false,
  cleanDescriptors: false,
  cleanStructuredContent: false,
  cleanGraphics: false,
  retainSafePrivate: false,
  retainPatientFreeText: false,
  cleanPixelData: true,
  maskOutsideUltrasoundRegions: false,
});

/** The option names, in the order above. */
export const PROFILE_OPTION_NAMES = Object.freeze(Object.keys(DEFAULT_PROFILE_OPTIONS) as (keyof ProfileOptions)[]);

/**
 * - `keep`: the value stays (a sequence's items are still cleaned).
 * - `remove`: X. `empty`: Z, a zero-length value (a sequence with no items).
 * - `dummy`: D, a non-identifying value of the same VR (a sequence: no items, see below).
 * - `uid`: U, the keyed pseudonym of each UID.
 * - `clean`: C, an option's clean: dates moved by the patient's offset, text kept without identifying
 *   values, a sequence kept with its items cleaned.
 */
export type ElementAction = 'keep' | 'remove' | 'empty' | 'dummy' | 'uid' | 'clean';

export interface ResolvedAction {
  action: ElementAction;
  /** The option whose column decided, when one did. */
  option?: ProfileOption;
}

/**
 * Options in the order they are consulted when several columns name a row: moving dates first (a date kept
 * by Retain Device Identity is still moved when Modified Dates is on), then the retain options, then cleans.
 */
const OPTION_ORDER: readonly (keyof ProfileOptions & ProfileOption)[] = [
  'retainLongitudinalModifiedDates',
  'retainUids',
  'retainPatientCharacteristics',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
];

const DATE_VRS = new Set(['DA', 'DT', 'TM']);

/**
 * The Basic Profile action. The combined codes depend on the attribute's Type in its IOD, which a file does
 * not say; the choice made is one that is valid whatever the Type: D wherever D is allowed (a dummy is valid
 * for Types 1, 2 and 3), else Z where Z is allowed (valid for Types 2 and 3), and X/Z/U* keeps the sequence
 * so that the UIDs in its items are replaced by their own rows. Dates and times are the exception: a made-up
 * date reads as a real one (to people and to the scan alike), so they are emptied or removed wherever the
 * code allows it, and get a dummy only where D is the only choice.
 */
export function basicAction(code: ProfileRow['basic'], vr?: string): ElementAction {
  if (vr !== undefined && DATE_VRS.has(vr) && code !== 'D') {
    if (code === 'X/D' || code === 'X') return 'remove';
    if (code === 'X/Z/D' || code === 'Z/D' || code === 'X/Z' || code === 'Z') return 'empty';
  }
  switch (code) {
    case 'D': case 'X/D': case 'X/Z/D': case 'Z/D':
      return 'dummy';
    case 'Z': case 'X/Z':
      return 'empty';
    case 'U':
      return 'uid';
    case 'X/Z/U*':
      return 'keep';
    default:
      return 'remove';
  }
}

/** The action for a row under the options. */
export function resolveAction(row: Pick<ProfileRow, 'basic' | 'options'>, options: ProfileOptions, vr?: string): ResolvedAction {
  for (const option of OPTION_ORDER) {
    const code = row.options[option];
    if (code === undefined || !options[option]) continue;
    // PS3.15's C here means "values of similar meaning known not to identify": free text cannot be known so.
    if (option === 'retainPatientCharacteristics' && code === 'C' && !options.retainPatientFreeText) continue;
    return { action: code === 'K' ? 'keep' : 'clean', option };
  }
  return { action: basicAction(row.basic, vr) };
}
