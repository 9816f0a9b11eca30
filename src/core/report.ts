// The report types shared by the engine, the CLI and the extension: what a scan says about each file.

/** What a file is, decided by its content. Matches the `format` field of the CLI JSON contract. */
export type FileFormat = 'dicom' | 'dicomdir' | 'nifti' | 'zip' | 'image' | 'pdf' | 'other';

/**
 * `identifying`: a high or medium finding exists. `clean`: medical, only low findings (or none).
 * `unreadable`: medical but could not be fully read (never treated as clean). `not-medical`: nothing we know.
 */
export type Verdict = 'identifying' | 'clean' | 'unreadable' | 'not-medical';

export type Severity = 'high' | 'medium' | 'low';

/** Plain-language groups a person understands; the UI and CLI group findings by these. */
export type Category =
  | 'name'
  | 'identifier'
  | 'birth-date'
  | 'contact'
  | 'dates'
  | 'people-and-institution'
  | 'device'
  | 'free-text'
  | 'structured-content'
  | 'private-data'
  | 'uids'
  | 'patient-characteristics'
  | 'picture-content'
  | 'face'
  /** Where a picture was taken (GPS position, place names): it can be a home or a hospital. */
  | 'location'
  | 'other';

export interface Finding {
  /** 8 upper-case hex digits (`00100010`), or a non-DICOM field such as `nifti:descrip` or `zip:comment`. */
  tag: string;
  /** DICOM keyword, or a short name for non-DICOM fields and file-level risks. */
  keyword: string;
  category: Category;
  severity: Severity;
  /** Enclosing sequence tags, outermost first; empty at top level. */
  sequence: string[];
  private: boolean;
  /** The value as text, decoded with the file's character set. Absent for binary or file-level findings. */
  value?: string;
  /** Private creator of a private element, when known. */
  creator?: string;
  /** Why this is a finding, when it is not simply "the standard lists this attribute". */
  note?: string;
  /** Set when the finding is a value that repeats an identifying value found elsewhere in the file. */
  repeats?: { tag: string; keyword: string };
  /** Where in the picture text was read (tag 7FE00010): pixels of the stored image. */
  region?: FindingRegion;
  /** For text read in a picture: what of the file's values it repeats and what it looks like. */
  text?: { repeats: PictureValueKind[]; looksLike: PictureTextShape[] };
}

/** What of the file's own values a line of picture text repeats. */
export type PictureValueKind = 'name' | 'identifier' | 'birth-date' | 'date' | 'institution' | 'staff';
/** What a line of picture text looks like, whatever the file says. */
export type PictureTextShape = 'name' | 'date' | 'identifier' | 'phone' | 'institution';

/** A rectangle of a picture: `frame` (1-based) for DICOM, `page` (1-based) for documents. */
export interface FindingRegion {
  frame?: number;
  page?: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Every frame the same text was read at this place (when more than one). */
  frames?: number[];
}

/** How the text drawn in a file's picture was checked. */
export interface PictureCheck {
  /**
   * `read`: its frames were read (all, or a sample and the rest compared); `series-sample`: files of its
   * series like it were read and stand for it; `not-read`: it could not be read (`reason`).
   */
  status: 'read' | 'series-sample' | 'not-read';
  frames?: number;
  framesRead?: number;
  /** For `series-sample`: the file read in its place. */
  sample?: string;
  /** Why it was not read, or not read completely, in plain words. */
  reason?: string;
  /**
   * Boxes the detector found whose text could not be made out (not findings, but masked in a de-identified
   * copy with the text): pixels of the stored image, the frame (1-based) where first seen.
   */
  marks?: FindingRegion[];
}

/** Who and what a file belongs to, for counting patients, studies and series across an upload. */
export interface FileIdentity {
  /** Keys built from patient ID and name, in memory only: never logged or stored by the extension. */
  patientKeys: string[];
  studyUids: string[];
  seriesUids: string[];
  modality?: string;
}

export interface FileReport {
  /** As given by the caller; inside a zip, `archive.zip!dir/IM0001`. */
  path: string;
  format: FileFormat;
  verdict: Verdict;
  /** Only for `unreadable`: what was wrong, in plain words. */
  reason?: string;
  findings: Finding[];
  /** Bytes of the file that were read to decide (never the pixel data when it can be skipped). */
  bytesRead: number;
  size: number;
  identity?: FileIdentity;
  /** Reports of the entries of a container (zip), each with its own verdict. */
  entries?: FileReport[];
  /** How the text in its picture was checked (absent when it was not looked at). */
  picture?: PictureCheck;
  /** The picture the header describes (a DICOM file with pixel data): frames and size. */
  pixels?: { frames: number; rows: number; columns: number };
  /** How a picture (JPEG, PNG...) or PDF that is not DICOM was checked, when pictures and documents were asked for. */
  document?: DocumentCheck;
}

/** How a picture or a PDF that is not DICOM was checked. */
export interface DocumentCheck {
  kind: 'image' | 'pdf';
  /** For pictures: jpeg, png, webp, heif, tiff or gif. */
  subtype?: string;
  /** Pictures: stored pixels. */
  width?: number;
  height?: number;
  /** EXIF orientation (1-8) the picture is shown with; its regions are in stored pixels all the same. */
  orientation?: number;
  /** PDFs: pages in the file, pages whose text layer was read, pages read as pictures (no text layer). */
  pages?: number;
  textPages?: number;
  scannedPages?: number;
  /**
   * Regions with a `page` are in pixels of the page rendered at this many pixels per PDF point (pdf.js's
   * viewport at this scale: origin top left, the page's own rotation applied).
   */
  pageScale?: number;
  /** Whether the picture (or a page) looks like a medical image, a viewer screenshot or a medical report. */
  looksMedical: boolean;
  /**
   * `read`: the text drawn in the picture (or in the scanned pages) was read; `skipped`: the picture does not
   * look like a medical image or screenshot, so it was not read; `not-read`: it could not be (`reason`);
   * `none`: there is no picture to read (a PDF whose pages all have a text layer).
   */
  pictureText: 'read' | 'skipped' | 'not-read' | 'none';
  /** Why not everything was checked, in plain words. */
  reason?: string;
}

export interface UploadSummary {
  files: number;
  identifying: number;
  clean: number;
  unreadable: number;
  notMedical: number;
  patients: number;
  studies: number;
  series: number;
}

export interface ScanReport {
  files: FileReport[];
  summary: UploadSummary;
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** The verdict rule for a file that was read completely: identifying when any high or medium finding exists. */
export function verdictFor(findings: readonly Finding[]): 'identifying' | 'clean' {
  return findings.some((f) => f.severity !== 'low') ? 'identifying' : 'clean';
}
