// What a line of text read in a picture means for privacy: whether it repeats an identifying value of the
// file (a part of the patient's name, an ID or accession number, the birth date or a study date in any
// common written form, the institution, a member of staff), or looks like a name, a date, an ID, a phone
// number or a hospital. Either makes it a high finding; any other text is medium.

import type { Finding, PictureTextShape, PictureValueKind, Severity } from '../report';
import { identifyingWordsOf } from '../dicom/identifying-terms';

export type { PictureTextShape, PictureValueKind };

export interface SimpleDate {
  year: number;
  month: number;
  day: number;
}

/** The identifying values of a file, in the forms a picture's text is compared with. */
export interface PictureTerms {
  /** Upper-case words of the patient's names (three letters or more, no titles). */
  names: string[];
  /** Upper-case words of staff names (referring physician, operators...). */
  staff: string[];
  /** IDs and accession numbers, upper case, letters and digits only. */
  identifiers: string[];
  /** Distinctive upper-case words of the institution's name and address. */
  institution: string[];
  birthDates: SimpleDate[];
  /** Study, series, acquisition and content dates. */
  otherDates: SimpleDate[];
}

export interface TextMeaning {
  severity: Extract<Severity, 'high' | 'medium'>;
  /** The file's own values the line repeats (it then identifies the patient and may not be left unmasked). */
  repeats: PictureValueKind[];
  /** What the line looks like. */
  looksLike: PictureTextShape[];
}

/** Institution words too general to point at one place. */
const GENERIC_PLACE_WORDS = new Set([
  'HOSPITAL', 'HOSPITALS', 'GENERAL', 'MEDICAL', 'CENTER', 'CENTRE', 'CLINIC', 'CLINICS', 'UNIVERSITY', 'HEALTH',
  'SURGICAL', 'CARE', 'RADIOLOGY', 'IMAGING', 'DEPARTMENT', 'DEPT', 'SAINT', 'STREET', 'ROAD', 'AVENUE', 'THE',
  'AND', 'FOR', 'OF', 'KLINIK', 'KLINIKUM', 'HOPITAL', 'HÔPITAL', 'INSTITUTE', 'INSTITUT', 'REGIONAL', 'CITY',
  'COUNTY', 'NATIONAL', 'CHILDREN', 'CHILDRENS', 'MEMORIAL', 'COMMUNITY', 'SERVICES', 'SERVICE', 'UNIT',
]);

/** Parts of a name that are titles, not the name. */
const TITLES = new Set(['MR', 'MRS', 'MS', 'DR', 'MD', 'JR', 'SR', 'PHD', 'MISS', 'PROF', 'SIR']);

/** Words that say a line names a hospital or practice. */
const PLACE_WORD = /\b(HOSPITAL|HOSP|CLINIC|CLINIQUE|KLINIK|KLINIKUM|H[OÔ]PITAL|OSPEDALE|HOSPITAL|SPITAL|INFIRMARY|MEDICAL CENT(ER|RE)|HEALTH ?CARE|PRAXIS|IMAGING CENT(ER|RE)|RADIOLOGY|RADIOLOGIE|CARDIOLOGIE|UNIVERSIT(Y|ÄT|AT|É)|CHU|NHS)\b/;
/** Labels that introduce a name, an ID or a birth date on a viewer's screen. */
const NAME_LABEL = /\b(NAME|PATIENT|PAT|PT|NOM|NOMBRE|PATIENTENNAME)\s*[:.]/;
const ID_LABEL = /\b(ID|PID|MRN|MR#|MRN#|ACC|ACCESSION|ACC#|NHS|SSN|PAT ?ID|PATIENT ?ID|HOSP ?NO|RECORD|FILE ?NO|CASE)\s*[:#.]?\s*[A-Z]*\d/;
const BIRTH_LABEL = /\b(DOB|D\.O\.B|BIRTH|BORN|GEB|N[EÉ]E?|FECHA NAC)\b/;

const MONTHS: Readonly<Record<string, number>> = {
  JAN: 1, JANUARY: 1, JANV: 1, JANVIER: 1, JANUAR: 1, ENE: 1, ENERO: 1,
  FEB: 2, FEBRUARY: 2, FEV: 2, FÉV: 2, FEVRIER: 2, FÉVRIER: 2, FEBRUAR: 2, FEBRERO: 2,
  MAR: 3, MARCH: 3, MARS: 3, MÄR: 3, MRZ: 3, MÄRZ: 3, MARZ: 3, MARZO: 3,
  APR: 4, APRIL: 4, AVR: 4, AVRIL: 4, ABR: 4, ABRIL: 4,
  MAY: 5, MAI: 5, MAYO: 5,
  JUN: 6, JUNE: 6, JUIN: 6, JUNI: 6, JUNIO: 6,
  JUL: 7, JULY: 7, JUIL: 7, JUILLET: 7, JULI: 7, JULIO: 7,
  AUG: 8, AUGUST: 8, AOU: 8, AOÛ: 8, AOUT: 8, AOÛT: 8, AGO: 8, AGOSTO: 8,
  SEP: 9, SEPT: 9, SEPTEMBER: 9, SEPTEMBRE: 9, SEPTIEMBRE: 9,
  OCT: 10, OCTOBER: 10, OCTOBRE: 10, OKT: 10, OKTOBER: 10, OCTUBRE: 10,
  NOV: 11, NOVEMBER: 11, NOVEMBRE: 11, NOVIEMBRE: 11,
  DEC: 12, DECEMBER: 12, DÉC: 12, DECEMBRE: 12, DÉCEMBRE: 12, DEZ: 12, DEZEMBER: 12, DIC: 12, DICIEMBRE: 12,
};

function dateOf(value: string | undefined): SimpleDate | undefined {
  const m = value?.trim().match(/^(\d{4})(\d{2})(\d{2})/);
  if (!m) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return valid(date) ? date : undefined;
}

function valid(d: SimpleDate): boolean {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31 && d.year >= 0 && d.year <= 9999;
}

/** Letters and digits only, upper case. */
function compact(text: string): string {
  return text.toUpperCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The file's identifying values from its findings, for comparing with text read in its pictures. */
export function pictureTerms(findings: readonly Finding[]): PictureTerms {
  const terms: PictureTerms = { names: [], staff: [], identifiers: [], institution: [], birthDates: [], otherDates: [] };
  const add = (list: string[], word: string): void => {
    if (!list.includes(word)) list.push(word);
  };
  for (const f of findings) {
    if (f.repeats || f.value === undefined) continue;
    if (f.category === 'birth-date') {
      const d = dateOf(f.value);
      if (d) terms.birthDates.push(d);
      continue;
    }
    if (f.category === 'dates' && /Date(Time)?$/.test(f.keyword)) {
      const d = dateOf(f.value);
      if (d && !terms.otherDates.some((o) => sameDate(o, d))) terms.otherDates.push(d);
      continue;
    }
    if (f.category === 'people-and-institution' && /^Institution(Name|Address|alDepartmentName)$/.test(f.keyword)) {
      for (const word of f.value.toUpperCase().split(/[^\p{L}\p{N}]+/u)) {
        if (word.length >= 4 && /\p{L}/u.test(word) && !GENERIC_PLACE_WORDS.has(word)) add(terms.institution, word);
      }
      continue;
    }
    if (f.category === 'name' && f.severity === 'high') {
      // Every part of the patient's name, even one a header check would not search for elsewhere ("TEST"):
      // drawn in the picture it is the name, whatever it is.
      for (const word of f.value.toUpperCase().split(/[\^=\s,.\\]+/)) {
        if (/^\p{L}{2,}$/u.test(word) && !TITLES.has(word)) add(terms.names, word);
      }
      continue;
    }
    const { words, staff } = identifyingWordsOf(f);
    for (const word of words) {
      if (staff) add(terms.staff, word.toUpperCase());
      else if (f.category === 'identifier') {
        const id = compact(word);
        if (id.length >= 4) add(terms.identifiers, id);
      }
    }
  }
  return terms;
}

function sameDate(a: SimpleDate, b: SimpleDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/**
 * The same date, or one a single misread digit away (a reader's 6 for 8 in 16.06.1976): a birth date is
 * too identifying to miss over one slip.
 */
function nearlySameDate(a: SimpleDate, b: SimpleDate): boolean {
  const digits = (d: SimpleDate): string => `${String(d.year).padStart(4, '0')}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
  const x = digits(a);
  const y = digits(b);
  let differ = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
  return differ <= 1;
}

/** OCR's usual confusions inside a token that is mostly digits (O for 0, I or l for 1, S for 5, B for 8). */
function digitsOf(token: string): string {
  const digits = (token.match(/\d/g) ?? []).length;
  if (digits === 0 || digits * 2 < token.replace(/[^\p{L}\p{N}]/gu, '').length) return token;
  return token.replace(/[Oo]/g, '0').replace(/[IlL|]/g, '1').replace(/S/g, '5').replace(/B/g, '8');
}

/** The text with digit-like letters inside number tokens read as digits. */
function normaliseDigits(text: string): string {
  return text.replace(/[\p{L}\p{N}|]+/gu, digitsOf);
}

function year(y: string): number[] {
  if (y.length === 4) return [Number(y)];
  const n = Number(y);
  return [1900 + n, 2000 + n];
}

/** Every date the text could be read as (day-first and month-first where both are possible). */
export function datesIn(text: string): SimpleDate[] {
  const upper = normaliseDigits(text.toUpperCase());
  const out: SimpleDate[] = [];
  const push = (ys: number[], month: number, day: number): void => {
    for (const y of ys) {
      const d = { year: y, month, day };
      if (valid(d) && !out.some((o) => sameDate(o, d))) out.push(d);
    }
  };
  for (const m of upper.matchAll(/(?<![\d])(19\d\d|20\d\d)(\d\d)(\d\d)(?![\d])/g)) push([Number(m[1])], Number(m[2]), Number(m[3]));
  for (const m of upper.matchAll(/(?<![\d])(\d{4})\s?[-./]\s?(\d{1,2})\s?[-./]\s?(\d{1,2})(?![\d])/g)) push([Number(m[1])], Number(m[2]), Number(m[3]));
  for (const m of upper.matchAll(/(?<![\d.])(\d{1,2})\s?([-./])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d])/g)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    push(year(m[4]!), b, a);
    push(year(m[4]!), a, b);
  }
  // With a four-digit year, separators the reader mistook for others (16.06:1976) still make a date.
  for (const m of upper.matchAll(/(?<![\d.:])(\d{1,2})\s?[-./:,]\s?(\d{1,2})\s?[-./:,]\s?((?:19|20)\d\d)(?![\d])/g)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    push([Number(m[3])], b, a);
    push([Number(m[3])], a, b);
  }
  for (const m of upper.matchAll(/(?<![\d])(\d{1,2})(?:ST|ND|RD|TH)?[\s\-./]*([\p{L}]{3,9})\.?[\s\-./,]*(\d{4}|\d{2})(?![\d])/gu)) {
    const month = MONTHS[m[2]!];
    if (month) push(year(m[3]!), month, Number(m[1]));
  }
  for (const m of upper.matchAll(/([\p{L}]{3,9})\.?[\s\-./]*(\d{1,2})(?:ST|ND|RD|TH)?,?[\s\-./]+(\d{4}|\d{2})(?![\d])/gu)) {
    const month = MONTHS[m[1]!];
    if (month) push(year(m[3]!), month, Number(m[2]));
  }
  return out;
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return false;
    prev = row;
  }
  return prev[b.length]! <= max;
}

/** Whether one of `words` is a word of the text (one OCR slip allowed in words of six letters or more). */
function hasWord(textWords: readonly string[], words: readonly string[]): boolean {
  return words.some((w) => textWords.some((t) => t === w || (w.length >= 6 && t.length >= 5 && withinEdits(t, w, 1))));
}

function wordsOf(text: string): string[] {
  return text.toUpperCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/**
 * Words that appear on scanners' and viewers' screens, in radiology, and in plain English: a line made only
 * of words not in this list, two to four of them, letters only, reads as a person's name ("WIERZBICKA
 * HALINA"). Matched in upper case.
 */
const SCREEN_WORDS = new Set(`
  A AN AND ARE AS AT BE BY FOR FROM IN IS IT NO NOT OF ON OR THE TO WITH YES OFF OUT UP DOWN NEW OLD ALL ANY
  LEFT RIGHT UPPER LOWER FRONT BACK ANTERIOR POSTERIOR LATERAL MEDIAL AXIAL CORONAL SAGITTAL OBLIQUE PROXIMAL DISTAL
  SUPINE PRONE ERECT UPRIGHT DECUBITUS STANDING SITTING PORTABLE MOBILE BEDSIDE VIEW VIEWS FRONTAL INSPIRATION EXPIRATION
  CHEST ABDOMEN PELVIS HEAD NECK BRAIN SKULL SPINE CERVICAL THORACIC LUMBAR SACRUM HIP KNEE ANKLE FOOT HAND WRIST ELBOW
  SHOULDER ARM LEG FEMUR TIBIA HUMERUS RIB RIBS LUNG LUNGS HEART LIVER KIDNEY KIDNEYS BLADDER THYROID BREAST SINUS
  SINUSES ORBIT ORBITS FACE JAW DENTAL TEETH TOOTH PANORAMIC CARDIAC AORTA VESSEL VESSELS CAROTID RENAL HEPATIC
  GENERAL PROGRESS STORE STORED SAVED SAVE PRINT PRINTED FREEZE FROZEN FRAME FRAMES IMAGE IMAGES SERIES STUDY SCAN
  EXAM REPORT PAGE SLICE SLICES THICK THICKNESS DEPTH GAIN POWER FOCUS ZOOM WINDOW LEVEL CONTRAST PHASE DELAY
  ARTERIAL VENOUS PORTAL NATIVE PLAIN ENHANCED STANDARD SOFT TISSUE BONE LUNG MEDIASTINUM HIGH LOW MEDIUM RESOLUTION
  MODE COLOR COLOUR DOPPLER PULSED CONTINUOUS HARMONIC TRANSDUCER PROBE PRESET CARDIOLOGY RADIOLOGY ULTRASOUND
  ECHO ECHOCARDIOGRAM MAMMOGRAPHY TOMOSYNTHESIS FLUOROSCOPY ANGIOGRAPHY DIGITAL COMPUTED TOMOGRAPHY MAGNETIC RESONANCE
  NUCLEAR MEDICINE PET SPECT XRAY RAY RADIOGRAPH RADIOGRAPHY SCOUT LOCALIZER LOCALISER TOPOGRAM SURVEY CALIBRATION
  MARKER MARKERS RULER SCALE DISTANCE AREA VOLUME ANGLE MEASUREMENT MEASUREMENTS DIAMETER LENGTH WIDTH
  PATIENT NAME DATE TIME BIRTH AGE SEX MALE FEMALE DOCTOR PHYSICIAN HOSPITAL CLINIC DEPARTMENT ROOM WARD UNIT
  REFERRING PERFORMING OPERATOR TECHNOLOGIST RADIOGRAPHER ACCESSION NUMBER ID MRN DOB COMMENT COMMENTS NOTE NOTES
  POST PRE POSTOP PREOP FOLLOW INITIAL FINAL PRELIMINARY URGENT ROUTINE STAT EMERGENCY TRAUMA SCREENING DIAGNOSTIC
  NORMAL ABNORMAL FINDINGS IMPRESSION HISTORY CLINICAL INDICATION TECHNIQUE COMPARISON CONCLUSION
  ARTIFACT NOISE FILTER KERNEL SHARP SMOOTH DOSE EXPOSURE TUBE CURRENT VOLTAGE FIELD MATRIX PITCH ROTATION
  INVERTED INVERT FLIPPED FLIP ROTATED MIRROR ORIGINAL PRIMARY SECONDARY DERIVED CAPTURE SCREEN DISPLAY VIEWER
  MONITOR BATTERY READY CONNECTED LOADING OPEN CLOSE CLOSED START STOP PAUSE PLAY RECORD LIVE REVIEW
`.trim().split(/\s+/));

/** Two to four words of letters, none of them a screen or radiology word: "WIERZBICKA HALINA", "Halina Wierzbicka". */
function plainName(upper: string): boolean {
  const words = upper.trim().split(/\s+/);
  if (words.length < 2 || words.length > 4) return false;
  return words.every((w) => /^\p{L}[\p{L}'-]{1,}$/u.test(w) && w.length >= 2 && !SCREEN_WORDS.has(w.replace(/['-]/g, '')))
    && words.some((w) => w.length >= 3);
}

function looksLikeName(upper: string): boolean {
  if (NAME_LABEL.test(upper)) return true;
  if (plainName(upper)) return true;
  // SURNAME^GIVEN, or SURNAME, GIVEN (as viewers print a DICOM name).
  if (/\p{L}{2,}\s*\^\s*\p{L}{2,}/u.test(upper)) return true;
  if (/^[\s\d.:/-]*\p{L}{2,}(?:[-' ]\p{L}{2,})*\s*,\s*\p{L}{2,}/u.test(upper)) return true;
  // A title before a word, or a sex marker after two words: "MR SMITH", "SMITHERS JOHANNA [F]".
  if (/\b(MR|MRS|MS|MISS|DR|HERR|FRAU|MME|M\.|SR|SRA)\.?\s+\p{L}{2,}/u.test(upper)) return true;
  return /\p{L}{2,}\s+\p{L}{2,}\s*[[(](M|F|O|U|X)[\])]/u.test(upper);
}

function looksLikeIdentifier(upper: string, digitsText: string): boolean {
  if (ID_LABEL.test(upper)) return true;
  // Six or more digits in a row that are not a date or a time.
  for (const m of digitsText.matchAll(/(?<![\d.:,])\d{6,}(?![\d.:,])/g)) {
    if (datesIn(m[0]).length === 0 || m[0].length > 8) return true;
  }
  return false;
}

function looksLikePhone(digitsText: string): boolean {
  for (const m of digitsText.matchAll(/(?:\+|\b00)?\d[\d ().-]{7,}\d/g)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 8 && digits.length <= 15 && /[ ().-]/.test(m[0]) && datesIn(m[0]).length === 0 && !/^\d+([.,]\d+)?$/.test(m[0])) return true;
  }
  return /\b(TEL|PHONE|FON|FAX|T[EÉ]L[EÉ]PHONE)\b\s*[:.]?\s*\+?\d/.test(digitsText);
}

/** What a line read in a picture says, compared with the file's own identifying values. */
export function meaningOf(text: string, terms: PictureTerms): TextMeaning {
  const upper = text.toUpperCase();
  const digitsText = normaliseDigits(upper);
  const words = wordsOf(upper);
  const repeats: PictureValueKind[] = [];
  const looksLike: PictureTextShape[] = [];

  if (hasWord(words, terms.names)) repeats.push('name');
  const compactText = compact(digitsText);
  if (terms.identifiers.some((id) => compactText.includes(id) || compactText.includes(compact(digitsOf(id))))) repeats.push('identifier');
  const dates = datesIn(text);
  if (dates.some((d) => terms.birthDates.some((b) => nearlySameDate(b, d)))) repeats.push('birth-date');
  if (dates.some((d) => terms.otherDates.some((b) => sameDate(b, d)))) repeats.push('date');
  if (hasWord(words, terms.institution)) repeats.push('institution');
  if (hasWord(words, terms.staff)) repeats.push('staff');

  if (looksLikeName(upper)) looksLike.push('name');
  if (dates.length > 0 || (BIRTH_LABEL.test(upper) && /\d/.test(upper))) looksLike.push('date');
  if (looksLikeIdentifier(upper, digitsText)) looksLike.push('identifier');
  if (looksLikePhone(digitsText)) looksLike.push('phone');
  if (PLACE_WORD.test(upper)) looksLike.push('institution');

  return { severity: repeats.length > 0 || looksLike.length > 0 ? 'high' : 'medium', repeats, looksLike };
}
