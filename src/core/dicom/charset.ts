// Turns the bytes of a DICOM text value into a string according to Specific Character Set (0008,0005), ISO 2022 code extensions included.
//
// Pure: only the standard TextDecoder is used, so this runs in browsers and in Node. Nothing here throws:
// malformed bytes become U+FFFD, and an unknown term falls back to the default repertoire and is listed in
// `unknownTerms`. Decoded values are returned, never logged or kept.
//
// Choices worth knowing (PS3.3 C.12.1.1.2, PS3.5 6.1):
// - ISO_IR 100 and bytes >= 0x80 under the default repertoire are read as true ISO 8859-1 (byte n -> U+00nn).
//   TextDecoder is not used for them because WHATWG maps the 'iso-8859-1' label to windows-1252, which
//   differs in 0x80-0x9F.
// - ISO_IR 166 (TIS-620) is read with 'windows-874', a superset that differs only in 0x80-0x9F.
// - The G0 half of ISO_IR 13 (JIS X 0201 romaji) is read as ASCII: 0x5C gives '\', not '¥', because DICOM
//   uses that byte as the value delimiter. The katakana half (0xA1-0xDF) gives U+FF61-U+FF9F.
// - JIS X 0208 (ISO 2022 IR 87) and JIS X 0212 (ISO 2022 IR 159) runs are rewritten as EUC-JP and read with
//   'euc-jp', which, unlike 'iso-2022-jp', knows JIS X 0212.
// - KS X 1001 (ISO 2022 IR 149) runs are read with 'euc-kr', GB 2312 (ISO 2022 IR 58) runs with 'gbk'.
// - A recognised escape sequence is obeyed even if its term is missing from Specific Character Set: the aim
//   is to read what is in the file. Unrecognised escape sequences are kept as text.
// - ISO_IR 192, GB18030 and GBK allow no code extensions; values are decoded whole and ESC is kept as text.
// - Empty terms mean the default repertoire; they are valid (value 1 is empty in "\ISO 2022 IR 87") and are
//   not reported as unknown.

/** Decoder for the text values of one data set, built from its Specific Character Set. */
export interface CharsetDecoder {
  /**
   * Decodes one element value (all of its values; internal backslashes are kept). VRs that Specific
   * Character Set does not apply to (AE, AS, CS, DA, DS, DT, IS, TM, UI, UR) are read in the default
   * repertoire. Trailing spaces and NULs are removed, and leading spaces too except for ST, LT, UT, UC and UN.
   * Pass 'UN' to read a value of unknown VR as text.
   */
  decode(bytes: Uint8Array, vr: string): string;
  /** Terms of Specific Character Set that were not recognised, as written (trimmed). */
  readonly unknownTerms: string[];
}

const ESC = 0x1b;
const SPACE = 0x20;

/** Internal decoder name: true ISO 8859-1. */
const LATIN1 = 'latin1';
/** Internal G1 name: JIS X 0201 katakana, rewritten as EUC-JP (0x8E prefix). */
const KATAKANA = 'jis-x-0201-katakana';
const EUC_JP = 'euc-jp';

/** What a G0 set does with bytes 0x21-0x7E. */
type G0 = 'ascii' | 'jis-x-0208' | 'jis-x-0212';

/** What a Specific Character Set term selects: a whole-value decoder, or an initial G1 set with G0 = ASCII. */
interface TermMeaning {
  /** TextDecoder label for terms that allow no code extensions, else null. */
  readonly whole: string | null;
  /** Initial G1 set (decoder name) for terms that do. */
  readonly g1: string;
}

const DEFAULT_MEANING: TermMeaning = { whole: null, g1: LATIN1 };

/** Defined terms by ISO-IR registration number, for both the "ISO_IR n" and "ISO 2022 IR n" spellings. */
const TERMS_BY_IR = new Map<number, TermMeaning>([
  [6, DEFAULT_MEANING],
  [100, { whole: null, g1: LATIN1 }],
  [101, { whole: null, g1: 'iso-8859-2' }],
  [109, { whole: null, g1: 'iso-8859-3' }],
  [110, { whole: null, g1: 'iso-8859-4' }],
  [144, { whole: null, g1: 'iso-8859-5' }],
  [127, { whole: null, g1: 'iso-8859-6' }],
  [126, { whole: null, g1: 'iso-8859-7' }],
  [138, { whole: null, g1: 'iso-8859-8' }],
  [148, { whole: null, g1: 'iso-8859-9' }],
  [203, { whole: null, g1: 'iso-8859-15' }],
  [166, { whole: null, g1: 'windows-874' }],
  [13, { whole: null, g1: KATAKANA }],
  // JIS X 0208 and 0212 are G0 sets that are only ever reached through an escape sequence.
  [87, DEFAULT_MEANING],
  [159, DEFAULT_MEANING],
  // Files with only "ISO 2022 IR 149" or "58" and no escape sequences exist; read them as EUC.
  [149, { whole: null, g1: 'euc-kr' }],
  [58, { whole: null, g1: 'gbk' }],
  [192, { whole: 'utf-8', g1: LATIN1 }],
]);

const TERMS_BY_NAME = new Map<string, TermMeaning>([
  ['GB18030', { whole: 'gb18030', g1: LATIN1 }],
  ['GBK', { whole: 'gbk', g1: LATIN1 }],
  ['UTF8', { whole: 'utf-8', g1: LATIN1 }],
]);

const IR_TERM = /^ISO(?:2022)?IR(\d+)$/;

/** Meaning of one term, tolerating case, spaces, '_', '-' and '+' ("ISO-IR 100", "iso_ir100"); null if unknown. */
function termMeaning(term: string): TermMeaning | null {
  const squeezed = term.toUpperCase().replace(/[\s_+-]/g, '');
  const ir = IR_TERM.exec(squeezed);
  if (ir) return TERMS_BY_IR.get(Number(ir[1])) ?? null;
  return TERMS_BY_NAME.get(squeezed) ?? null;
}

interface Plan {
  readonly meaning: TermMeaning;
  readonly unknownTerms: readonly string[];
}

const PLAN_CACHE_LIMIT = 256;
const planCache = new Map<string, Plan>();

function planFor(specificCharacterSet: string): Plan {
  const cached = planCache.get(specificCharacterSet);
  if (cached) return cached;
  const unknownTerms: string[] = [];
  let meaning = DEFAULT_MEANING;
  specificCharacterSet.split('\\').forEach((value, index) => {
    const term = value.replace(/\0/g, '').trim();
    if (term === '') return;
    const known = termMeaning(term);
    if (known === null) unknownTerms.push(term);
    else if (index === 0) meaning = known;
  });
  const plan: Plan = { meaning, unknownTerms };
  if (planCache.size >= PLAN_CACHE_LIMIT) planCache.clear();
  planCache.set(specificCharacterSet, plan);
  return plan;
}

/** Parses the value of Specific Character Set (0008,0005), e.g. "ISO 2022 IR 6\ISO 2022 IR 87", into a decoder. */
export function charsetDecoder(specificCharacterSet: string | undefined): CharsetDecoder {
  const plan = planFor(specificCharacterSet ?? '');
  return {
    unknownTerms: [...plan.unknownTerms],
    decode: (bytes, vr) => decodeValue(bytes, vr, plan.meaning),
  };
}

// ---- VR rules -------------------------------------------------------------------------------------------

interface VrRules {
  /** Whether Specific Character Set applies. */
  readonly charset: boolean;
  readonly trimLeading: boolean;
  /** Bytes (< 0x80) before which the code extension state returns to the initial one (PS3.5 6.1.2.5.3). */
  readonly resets: Uint8Array;
}

function resetTable(delimiters: string): Uint8Array {
  const table = new Uint8Array(0x80);
  // "before any other Control Character other than ESC": CR, LF, FF, TAB and the rest.
  for (let b = 0; b < SPACE; b++) if (b !== ESC) table[b] = 1;
  for (const c of delimiters) table[c.charCodeAt(0)] = 1;
  return table;
}

const DEFAULT_REPERTOIRE_RULES: VrRules = { charset: false, trimLeading: true, resets: resetTable('') };
const MULTI_VALUE_RULES: VrRules = { charset: true, trimLeading: true, resets: resetTable('\\') };
const VR_RULES = new Map<string, VrRules>();
for (const vr of ['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']) VR_RULES.set(vr, DEFAULT_REPERTOIRE_RULES);
for (const vr of ['SH', 'LO']) VR_RULES.set(vr, MULTI_VALUE_RULES);
VR_RULES.set('PN', { charset: true, trimLeading: true, resets: resetTable('\\^=') });
for (const vr of ['ST', 'LT', 'UT']) VR_RULES.set(vr, { charset: true, trimLeading: false, resets: resetTable('') });
for (const vr of ['UC', 'UN']) VR_RULES.set(vr, { charset: true, trimLeading: false, resets: resetTable('\\') });

// ---- Byte-to-string primitives --------------------------------------------------------------------------

const CHUNK = 4096;

/** True ISO 8859-1 (and so ASCII): each byte is its code point. */
export function latin1String(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return text;
}

/** One TextDecoder per label, made on first use; null when the platform lacks the encoding. */
const textDecoders = new Map<string, TextDecoder | null>();

function decodeWith(name: string, bytes: Uint8Array): string {
  if (name === LATIN1) return latin1String(bytes);
  let decoder = textDecoders.get(name);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(name);
    } catch {
      decoder = null;
    }
    textDecoders.set(name, decoder);
  }
  return decoder === null ? latin1String(bytes) : decoder.decode(bytes);
}

/** Reused buffer for runs rewritten as EUC-JP; grows as needed, but huge values get their own buffer. */
let scratch = new Uint8Array(1024);
const SCRATCH_LIMIT = 1 << 20;

// ---- Escape sequences -----------------------------------------------------------------------------------

interface Designation {
  readonly length: number;
  readonly g0: G0 | null;
  readonly g1: string | null;
}

const TO_ASCII: Designation = { length: 3, g0: 'ascii', g1: null };
const TO_JIS_X_0208: Designation = { length: 3, g0: 'jis-x-0208', g1: null };
const TO_JIS_X_0212: Designation = { length: 4, g0: 'jis-x-0212', g1: null };
const TO_KATAKANA: Designation = { length: 3, g1: KATAKANA, g0: null };
const TO_KS_X_1001: Designation = { length: 4, g1: 'euc-kr', g0: null };
const TO_GB_2312: Designation = { length: 4, g1: 'gbk', g0: null };

/** ESC 02/13 F: 96-character sets designated to G1, by final byte F. */
const G1_96_BY_FINAL = new Map<number, Designation>(
  (
    [
      [0x41, LATIN1], // ISO-IR 100
      [0x42, 'iso-8859-2'], // 101
      [0x43, 'iso-8859-3'], // 109
      [0x44, 'iso-8859-4'], // 110
      [0x4c, 'iso-8859-5'], // 144
      [0x47, 'iso-8859-6'], // 127
      [0x46, 'iso-8859-7'], // 126
      [0x48, 'iso-8859-8'], // 138
      [0x4d, 'iso-8859-9'], // 148
      [0x54, 'windows-874'], // 166
      [0x62, 'iso-8859-15'], // 203
    ] as const
  ).map(([final, g1]) => [final, { length: 3, g0: null, g1 }]),
);

/** The designation that the escape sequence at `i` makes, or null if it is not one DICOM uses. */
function designationAt(bytes: Uint8Array, i: number, end: number): Designation | null {
  if (i + 2 >= end) return null;
  const b1 = bytes[i + 1];
  const b2 = bytes[i + 2];
  switch (b1) {
    case 0x28: // ESC ( B: ASCII; ESC ( J: JIS X 0201 romaji, read as ASCII
      return b2 === 0x42 || b2 === 0x4a ? TO_ASCII : null;
    case 0x29: // ESC ) I: JIS X 0201 katakana
      return b2 === 0x49 ? TO_KATAKANA : null;
    case 0x2d: // ESC - F: ISO 8859 right halves
      return G1_96_BY_FINAL.get(b2 as number) ?? null;
    case 0x24: {
      // ESC $ B (and the 1978 edition ESC $ @): JIS X 0208
      if (b2 === 0x42 || b2 === 0x40) return TO_JIS_X_0208;
      if (i + 3 >= end) return null;
      const b3 = bytes[i + 3];
      if (b2 === 0x28) return b3 === 0x44 ? TO_JIS_X_0212 : null; // ESC $ ( D
      if (b2 === 0x29) return b3 === 0x43 ? TO_KS_X_1001 : b3 === 0x41 ? TO_GB_2312 : null; // ESC $ ) C / A
      return null;
    }
    default:
      return null;
  }
}

// ---- Decoding -------------------------------------------------------------------------------------------

function decodeValue(bytes: Uint8Array, vr: string, meaning: TermMeaning): string {
  const rules = VR_RULES.get(vr) ?? MULTI_VALUE_RULES;
  let start = 0;
  let end = bytes.length;
  while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === 0)) end--;
  if (rules.trimLeading) while (start < end && bytes[start] === SPACE) start++;

  let plain = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b >= 0x80 || b === ESC) {
      plain = false;
      break;
    }
  }
  if (plain || !rules.charset) return latin1String(bytes.subarray(start, end));
  if (meaning.whole !== null) return decodeWith(meaning.whole, bytes.subarray(start, end));
  return decodeCodeExtensions(bytes, start, end, meaning.g1, rules.resets);
}

/**
 * Decodes bytes under ISO 2022 code extensions: ESC sequences switch G0 (bytes < 0x80) and G1 (bytes >= 0x80),
 * and the initial state returns before each byte in `resets` while G0 is single-byte. Consecutive bytes that
 * one decoder can read are gathered into a run and decoded together.
 */
function decodeCodeExtensions(bytes: Uint8Array, start: number, end: number, initialG1: string, resets: Uint8Array): string {
  // A katakana byte becomes 2 bytes and a JIS X 0212 pair 3, so twice the input always fits.
  const needed = 2 * (end - start);
  if (scratch.length < needed && needed <= SCRATCH_LIMIT) scratch = new Uint8Array(needed);
  const run = scratch.length < needed ? new Uint8Array(needed) : scratch;
  let runLength = 0;
  let runDecoder = '';
  let text = '';
  let g0: G0 = 'ascii';
  let g1 = initialG1;

  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    let decoder: string;
    if (b === ESC) {
      const designation = designationAt(bytes, i, end);
      if (designation !== null) {
        if (designation.g0 !== null) g0 = designation.g0;
        if (designation.g1 !== null) g1 = designation.g1;
        i += designation.length - 1;
        continue;
      }
    }
    if (b >= 0x80) {
      if (g1 === KATAKANA && (b < 0xa1 || b > 0xdf)) {
        // Not JIS X 0201: one U+FFFD, whatever the platform's EUC-JP decoder would make of 0x8E b.
        if (runLength > 0) text += decodeWith(runDecoder, run.subarray(0, runLength));
        runLength = 0;
        text += '\uFFFD';
        continue;
      }
      decoder = g1 === KATAKANA ? EUC_JP : g1;
      if (decoder !== runDecoder) {
        if (runLength > 0) text += decodeWith(runDecoder, run.subarray(0, runLength));
        runLength = 0;
        runDecoder = decoder;
      }
      if (g1 === KATAKANA) run[runLength++] = 0x8e;
      run[runLength++] = b;
    } else if (g0 !== 'ascii' && b >= 0x21 && b <= 0x7e) {
      if (runDecoder !== EUC_JP) {
        if (runLength > 0) text += decodeWith(runDecoder, run.subarray(0, runLength));
        runLength = 0;
        runDecoder = EUC_JP;
      }
      const trail = i + 1 < end ? (bytes[i + 1] as number) : 0;
      if (trail >= 0x21 && trail <= 0x7e) {
        if (g0 === 'jis-x-0212') run[runLength++] = 0x8f;
        run[runLength++] = b | 0x80;
        run[runLength++] = trail | 0x80;
        i++;
      } else {
        run[runLength++] = b | 0x80; // lone lead byte: the decoder gives U+FFFD
      }
    } else {
      // A single-byte G0 character, or a control character or space between double-byte characters.
      if (resets[b] === 1) {
        g0 = 'ascii';
        g1 = initialG1;
      }
      decoder = g0 !== 'ascii' ? EUC_JP : g1 === KATAKANA ? EUC_JP : g1;
      if (decoder !== runDecoder) {
        if (runLength > 0) text += decodeWith(runDecoder, run.subarray(0, runLength));
        runLength = 0;
        runDecoder = decoder;
      }
      run[runLength++] = b;
    }
  }
  if (runLength > 0) text += decodeWith(runDecoder, run.subarray(0, runLength));
  return text;
}
