// What the lines of a picture or a PDF page mean: a cheap look at a picture's pixels first (mostly grey,
// dark like a viewer's screen or light like paper, before any text is read), viewer and report words in
// the text read, and labelled values ("Patient:", "DOB:", "MRN:", "Accession", "Referring physician")
// that say what the rest of the document's lines repeat.

import type { Category, Severity } from '../report';
import type { Image8 } from '../text/detection';
import { datesIn, meaningOf, type PictureTerms, type TextMeaning } from '../text/meaning';

// ---- the picture's look -------------------------------------------------------------------------------

export interface PictureLooks {
  /** Share of pixels without colour of their own (a tint over the whole picture does not count). */
  grey: number;
  /** Share of dark pixels (luma below 60) and of light ones (above 190). */
  dark: number;
  light: number;
  /** Whether it is worth reading its text: mostly grey, and dark like a viewer's screen or light like paper or film on a light box. */
  plausible: boolean;
}

/** About this many pixels are looked at, on an even grid. */
const LOOK_SAMPLES = 65_536;

/** How grey and how dark a picture is, from a grid of its pixels (milliseconds for any size). */
export function pictureLooks(image: Image8): PictureLooks {
  const { width, height, channels, data } = image;
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / LOOK_SAMPLES)));
  const points: number[] = [];
  for (let y = Math.floor(step / 2); y < height; y += step) for (let x = Math.floor(step / 2); x < width; x += step) points.push((y * width + x) * channels);
  const n = Math.max(1, points.length);
  let castRg = 0;
  let castBg = 0;
  if (channels === 3) {
    for (const p of points) {
      castRg += data[p]! - data[p + 1]!;
      castBg += data[p + 2]! - data[p + 1]!;
    }
    castRg /= n;
    castBg /= n;
  }
  let grey = 0;
  let dark = 0;
  let light = 0;
  for (const p of points) {
    let luma: number;
    if (channels === 3) {
      const r = data[p]!;
      const g = data[p + 1]!;
      const b = data[p + 2]!;
      luma = 0.299 * r + 0.587 * g + 0.114 * b;
      const rg = r - g - castRg;
      const bg = b - g - castBg;
      if (Math.max(Math.abs(rg), Math.abs(bg), Math.abs(rg - bg)) < 28) grey++;
    } else {
      luma = data[p]!;
      grey++;
    }
    if (luma < 60) dark++;
    else if (luma > 190) light++;
  }
  const looks = { grey: grey / n, dark: dark / n, light: light / n };
  return { ...looks, plausible: looks.grey >= 0.75 && (looks.dark >= 0.3 || looks.light >= 0.45) };
}

// ---- words ----------------------------------------------------------------------------------------------

/** What a medical viewer prints beside a picture: series and image numbers, window, labels, scanner settings. */
const VIEWER_STRONG = /\b(DOB|D\.O\.B|MRN|ACCESSION|ACC\s*[#:]|SE\s*[:#]\s*\d|IM\s*[:#]\s*\d|IMG\s*[:#]?\s*\d|SER\s*[:#]\s*\d|W\s*[:=]\s*-?\d+|L\s*[:=]\s*-?\d+|WW\s*[:/=]?\s*\d|WL\s*[:/=]?\s*-?\d|C\s*[:=]\s*-?\d+|KVP?\s*[:=]?\s*\d+|MAS\s*[:=]?\s*\d+|THK\s*[:=]?\s*\d|SLICE|STUDY|SERIES|PATIENT|PAT\s*ID|DICOM)\b/i;
const VIEWER_WEAK = /\b(CT|MR|MRI|XR|DX|CR|US|PET|SPECT|AX|AXIAL|SAG|SAGITTAL|COR|CORONAL|T1|T2|FLAIR|DWI|ADC|CONTRAST|LOC|MM|CM|HZ|MHZ|FPS|DB|GAIN|DEPTH|ZOOM|FOV|HU|TR|TE|ECHO|DOPPLER|SCAN|EXAM|HOSPITAL|RADIOLOGY|CLINIC|SEX|AGE)\b/gi;

/** Whether the text read in a picture is that of a medical viewer's screen or a medical document. */
export function viewerText(lines: readonly string[]): boolean {
  const text = lines.join('\n');
  if (VIEWER_STRONG.test(text)) return true;
  const weak = new Set((text.match(VIEWER_WEAK) ?? []).map((w) => w.toUpperCase()));
  return weak.size >= 2;
}

/** Words of medical reports. */
const REPORT_WORDS = /\b(radiolog\w*|patient|impression|findings?|examination|exam|MRN|DOB|date of birth|referring|physician|CT|MRI|ultrasound|sonograph\w*|x-?ray|radiograph\w*|mammogra\w*|scan|diagnos\w*|clinical|hospital|clinic|accession|contrast|lesion|biopsy|patholog\w*|laborator\w*|discharge|medication|befund|informe|compte rendu)\b/gi;

/** Whether a document's text reads like a medical report: three or more distinct report words. */
export function medicalText(text: string): boolean {
  return new Set((text.match(REPORT_WORDS) ?? []).map((w) => w.toLowerCase())).size >= 3;
}

// ---- labelled values ----------------------------------------------------------------------------------

type LabelKind = 'name' | 'birth-date' | 'identifier' | 'staff' | 'phone' | 'address' | 'email';

const LABELS: ReadonlyArray<{ kind: LabelKind; pattern: RegExp }> = [
  { kind: 'birth-date', pattern: /\b(?:DOB|D\.O\.B\.?|date of birth|birth ?date|born|geb\.?|geburtsdatum|fecha de nacimiento|f\. ?nac\.?|date de naissance|n[ée]e? le)\s*[:#.]?\s*(.+)/i },
  { kind: 'identifier', pattern: /\b(?:MRN|MR ?#|medical record(?: number| no\.?| #)?|record (?:number|no\.?|#)|patient ?(?:id|number|no\.?)|PID|hospital (?:number|no\.?)|NHS (?:number|no\.?)|SSN|social security(?: number)?|insurance (?:number|no\.?|id)|accession(?: number| no\.?| #)?|acc\.? ?(?:no\.?|#)|case (?:number|no\.?)|order (?:number|no\.?)|visit (?:number|no\.?)|encounter(?: number| no\.?)?)\s*[:#.]?\s*([A-Z0-9][A-Z0-9\-/.]{2,})/i },
  { kind: 'staff', pattern: /\b(?:referring (?:physician|doctor|provider|clinician)|requesting (?:physician|doctor|clinician)|ordering (?:physician|provider)|radiologist|reported by|dictated by|signed by|verified by|read by|attending(?: physician)?|consultant|zuweiser|überweiser|m[ée]decin (?:prescripteur|traitant)|m[ée]dico (?:solicitante|remitente))\s*[:#.]?\s*(.+)/i },
  { kind: 'name', pattern: /\b(?:patient(?:'s)? name|patient|name|surname|first name|last name|given name|nom|pr[ée]nom|nombre|apellidos?|paciente|patientenname|patient(?:in)?|pat\.?)\s*[:#]\s*(.+)/i },
  { kind: 'phone', pattern: /\b(?:phone|tel\.?|telephone|t[ée]l[ée]phone|mobile|cell|fax|tel[ée]fono|telefon)\s*[:#.]?\s*(\+?[\d][\d ()\-./]{6,})/i },
  { kind: 'address', pattern: /\b(?:address|addr\.?|adresse|direcci[óo]n|anschrift|domicile|home)\s*[:#]\s*(.+)/i },
];

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;

/** Labelled values whose value is itself only a label or punctuation (a form left blank). */
function meaningful(value: string): boolean {
  return /[\p{L}\p{N}]{2,}/u.test(value);
}

const TITLES = new Set(['MR', 'MRS', 'MS', 'DR', 'MD', 'JR', 'SR', 'PHD', 'MISS', 'PROF', 'SIR', 'HERR', 'FRAU', 'MME', 'SRA']);

/** Words of a labelled name (a value stops at the next label on the same line). */
function nameWords(value: string): string[] {
  const cut = value.split(/\s{3,}|\b(?:DOB|D\.O\.B|MRN|ID|SEX|AGE|BORN|GEB)\b/i)[0] ?? value;
  return cut.toUpperCase().split(/[^\p{L}'-]+/u).map((w) => w.replace(/^['-]+|['-]+$/g, '')).filter((w) => w.length >= 2 && !TITLES.has(w));
}

/** The document's own identifying values, from its labelled lines (and names found in its metadata). */
export function documentTerms(lines: readonly string[], names: readonly string[] = []): PictureTerms {
  const terms: PictureTerms = { names: [...names], staff: [], identifiers: [], institution: [], birthDates: [], otherDates: [] };
  const add = (list: string[], word: string): void => {
    if (!list.includes(word)) list.push(word);
  };
  for (const line of lines) {
    for (const { kind, pattern } of LABELS) {
      const m = line.match(pattern);
      const value = m?.[1]?.trim();
      if (!value || !meaningful(value)) continue;
      if (kind === 'name') for (const w of nameWords(value)) if (w.length >= 3) add(terms.names, w);
      if (kind === 'staff') for (const w of nameWords(value)) if (w.length >= 3) add(terms.staff, w);
      if (kind === 'identifier') {
        const id = value.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
        if (id.length >= 4 && /\d/.test(id)) add(terms.identifiers, id);
      }
      if (kind === 'birth-date') for (const d of datesIn(value)) terms.birthDates.push(d);
    }
  }
  return terms;
}

/** What one line of a document says, as a finding's category and severity. */
export interface LineMeaning {
  category: Category;
  severity: Severity;
  meaning: TextMeaning;
  /** The label that introduced the value, when there was one. */
  label?: LabelKind;
  note: string;
}

/**
 * What a line means for privacy, or undefined when it identifies no one: a labelled name, birth date, ID,
 * phone, address or e-mail, a repeat of the document's own values, or a line that looks like a name, a
 * date, an ID, a phone number or a hospital.
 */
export function lineMeaning(text: string, terms: PictureTerms): LineMeaning | undefined {
  // A label with nothing after it ("Name:", "DOB: -", a blank form) says nothing of anyone.
  if (/^\W*[\p{L} .']{1,30}[:#][\s\-_.]*$/u.test(text)) return undefined;
  const meaning = meaningOf(text, terms);
  let label: LabelKind | undefined;
  for (const l of LABELS) {
    const value = text.match(l.pattern)?.[1];
    if (value && meaningful(value)) {
      label = l.kind;
      break;
    }
  }
  if (!label && EMAIL.test(text)) label = 'email';
  const repeats = new Set(meaning.repeats);
  const looks = new Set(meaning.looksLike);
  const result = (category: Category, severity: Severity, note: string): LineMeaning => ({ category, severity, meaning, ...(label ? { label } : {}), note });
  if (label === 'birth-date' || repeats.has('birth-date')) return result('birth-date', 'high', label ? 'a labelled birth date' : "repeats the patient's birth date");
  if (label === 'name' || repeats.has('name')) return result('name', 'high', label ? 'a labelled name' : "repeats the patient's name");
  if (label === 'identifier' || repeats.has('identifier')) return result('identifier', 'high', label ? 'a labelled ID or record number' : "repeats the patient's ID");
  if (label === 'phone' || label === 'address' || label === 'email' || looks.has('phone')) return result('contact', 'high', 'an address, a phone number or an e-mail');
  // A labelled doctor's name is staff, not the patient, however much it looks like a name.
  if (label === 'staff' || repeats.has('staff')) return result('people-and-institution', 'medium', 'names a member of staff');
  if (looks.has('name')) return result('name', 'high', 'looks like a name');
  if (looks.has('identifier')) return result('identifier', 'medium', 'looks like an ID');
  if (looks.has('institution') || repeats.has('institution')) return result('people-and-institution', 'medium', 'names a hospital or practice');
  if (looks.has('date') || repeats.has('date')) return result('dates', 'medium', 'a date');
  return undefined;
}
