// The pictures section of the decision dialog: each picture in which text was read, its frames with every
// region outlined and numbered, and beside them the text read and whether it will be masked in the
// de-identified copy. Regions that repeat the patient's details are always masked; any other may be
// unticked by the person (a "PORTABLE", a probe frequency). Pictures whose text could not be checked are
// shown so the person can look. Photos, screenshots and PDF pages (on the sites where they are checked) are
// shown the same way, a PDF by its pages. Frames are decoded and shrunk by the text worker, never on this thread.

import type { FileReport, Finding, FindingRegion, ScanReport } from '../../core/report';
import { el } from '../shared/element';
import { displayPath, type Translate } from './explain';
import { mayStayVisible, regionKey } from './pictures';
import type { TextReader } from '../text/client';
import type { PicturePreview } from '../text/protocol';

/** Pictures shown with their frames; the others are listed by name. */
export const MAX_PICTURES_SHOWN = 4;
/** Frames shown per picture (those with text, first first). */
export const MAX_FRAMES_SHOWN = 3;
/** Longer side of a preview, in canvas pixels (CSS scales it down further). */
export const PREVIEW_MAX_SIDE = 640;

/** A line of text read in a picture, as the panel lists it. */
export interface PanelRegion {
  /** 1-based, the number drawn beside its outline. */
  number: number;
  key: string;
  finding: Finding;
  /** May the person leave it visible? */
  optional: boolean;
}

export interface PanelPicture {
  path: string;
  /** The upload's file it is, or is inside of (a zip entry's bytes are taken from it). */
  input: number;
  /** The entry's path inside the zip, for a zip entry. */
  entry?: string;
  /** A DICOM file's picture, a photo or screenshot, or a PDF (whose `frames` are pages). */
  kind: 'dicom' | 'image' | 'pdf';
  /** The frames (or PDF pages) to show (1-based), with text first. */
  frames: number[];
  regions: PanelRegion[];
  /** Set when its text could not be checked: why. */
  notChecked?: string;
}

const PIXEL_DATA = '7FE00010';

/** The frame or PDF page a region is in (1-based). */
function placeOf(region: FindingRegion): number {
  return region.page ?? region.frame ?? 1;
}

/** A line of text found at a place in the picture or page (text read in a picture, a PDF's text or comment). */
function isPlacedText(f: Finding): boolean {
  return f.region !== undefined && f.value !== undefined && (f.tag === PIXEL_DATA || f.tag.startsWith('pdf:'));
}

/**
 * The pictures the panel shows, in upload order: every file or zip entry with text read in it, and every
 * picture whose text could not be checked (its header says it may show text, or it could not be read).
 */
export function picturesForPanel(report: ScanReport): PanelPicture[] {
  const out: PanelPicture[] = [];
  report.files.forEach((top, input) => {
    const visit = (r: FileReport): void => {
      if (r.entries) {
        r.entries.forEach(visit);
        return;
      }
      const lines = r.findings.filter(isPlacedText);
      const document = r.document?.kind;
      const unchecked = document
        ? (r.verdict === 'unreadable' || r.document?.pictureText === 'not-read' ? { tag: PIXEL_DATA, note: r.reason ?? r.document?.reason ?? '' } : undefined)
        : r.findings.find((f) => f.category === 'picture-content' && f.value === undefined && (f.tag === PIXEL_DATA || f.tag === '00280301'));
      // A photo or PDF with findings is shown even when they are only its metadata (a GPS position).
      const shownAnyway = document !== undefined && r.findings.length > 0 && r.verdict !== 'unreadable';
      if (lines.length === 0 && !unchecked && !shownAnyway) return;
      const frames = [...new Set(lines.map((f) => placeOf(f.region!)))].sort((a, b) => a - b);
      out.push({
        path: r.path,
        input,
        ...(r === top ? {} : { entry: r.path.slice(top.path.length + 1) }),
        kind: document ?? 'dicom',
        frames: frames.length > 0 ? frames.slice(0, MAX_FRAMES_SHOWN) : [1],
        regions: lines.map((finding, i) => ({ number: i + 1, key: regionKey(r.path, finding.region!), finding, optional: mayStayVisible(finding) })),
        ...(unchecked && (lines.length === 0 || unchecked.tag === PIXEL_DATA) ? { notChecked: unchecked.note ?? '' } : {}),
      });
    };
    visit(top);
  });
  return out;
}

/** Where a picture's bytes come from: the file itself, or the bytes of its zip entry. */
export type PictureBytes = (picture: PanelPicture) => Promise<Blob>;

export class PicturePanel {
  readonly element: HTMLElement;
  /** Regions the person chose to leave visible (keys from regionKey). */
  private readonly unticked = new Set<string>();
  private started = false;

  constructor(
    private readonly t: Translate,
    private readonly reader: TextReader,
    private readonly bytesOf: PictureBytes,
    private readonly onChange: () => void,
    private readonly stillShown: () => boolean,
  ) {
    this.element = el('section', { class: 'pictures', id: 'spg-pictures', 'aria-labelledby': 'spg-pictures-heading' },
      el('h2', { id: 'spg-pictures-heading', class: 'pictures-heading' }, t('dialog_pictures_heading')));
  }

  /** The keys of the regions the person unticked. */
  keptVisible(): ReadonlySet<string> {
    return this.unticked;
  }

  /** Shows the pictures (once; later calls do nothing). */
  show(pictures: readonly PanelPicture[]): void {
    if (this.started) return;
    this.started = true;
    const t = this.t;
    if (pictures.some((p) => p.regions.length > 0)) this.element.append(el('p', { class: 'pictures-hint' }, t('dialog_pictures_hint')));
    const previews: Array<{ picture: PanelPicture; frame: number; slot: HTMLElement }> = [];
    pictures.forEach((picture, index) => {
      const shown = index < MAX_PICTURES_SHOWN;
      const figureRow = el('div', { class: 'picture-frames' });
      if (shown) {
        for (const frame of picture.frames) {
          const slot = el('div', { class: 'picture-frame' }, el('p', { class: 'picture-loading' }, t('dialog_pictures_loading')));
          figureRow.append(slot);
          previews.push({ picture, frame, slot });
        }
      }
      const list = el('ul', { class: 'picture-regions' });
      for (const region of picture.regions) list.append(this.regionItem(picture, region));
      const article = el('article', { class: 'picture' },
        el('h3', { class: 'picture-name' }, el('bdi', {}, displayPath(picture.path))),
        picture.notChecked !== undefined && el('p', { class: 'picture-unchecked' }, t('dialog_pictures_not_checked')),
        shown && figureRow,
        picture.regions.length > 0 && list);
      this.element.append(article);
    });
    void this.drawPreviews(previews);
  }

  private regionItem(picture: PanelPicture, region: PanelRegion): HTMLElement {
    const t = this.t;
    const id = `spg-region-${picture.input}-${region.number}-${Math.abs(hash(region.key))}`;
    const box = el('input', { type: 'checkbox', id, class: 'region-mask', 'data-region': region.key }) as HTMLInputElement;
    box.checked = !this.unticked.has(region.key);
    const f = region.finding;
    const reason = el('span', { class: 'region-why', id: `${id}-why` }, region.optional ? t('dialog_pictures_optional') : (f.text?.repeats.length ?? 0) > 0 ? t('dialog_pictures_required') : t('dialog_pictures_required_looks'));
    if (!region.optional) {
      box.disabled = true;
      box.setAttribute('aria-describedby', `${id}-why`);
    }
    box.addEventListener('change', () => {
      if (box.checked) this.unticked.delete(region.key);
      else this.unticked.add(region.key);
      this.onChange();
    });
    // The frame is said only when the picture has text in more than one.
    const where = f.region?.page !== undefined && picture.frames.length > 1
      ? t('dialog_pictures_page', [String(f.region.page)])
      : f.region?.frame !== undefined && picture.frames.length > 1 ? t('dialog_pictures_frame', [String(f.region.frame)]) : '';
    return el('li', { class: `region severity-${f.severity}` },
      box,
      el('label', { for: id },
        el('span', { class: 'region-number' }, `${region.number}`), ' ',
        el('bdi', { class: 'region-text' }, f.value ?? ''),
        where && el('span', { class: 'region-where' }, ` (${where})`)),
      ' ', reason);
  }

  private async drawPreviews(previews: ReadonlyArray<{ picture: PanelPicture; frame: number; slot: HTMLElement }>): Promise<void> {
    for (const { picture, frame, slot } of previews) {
      if (!this.stillShown()) return;
      let shown: PicturePreview;
      try {
        const bytes = await this.bytesOf(picture);
        shown = picture.kind === 'dicom'
          ? await this.reader.preview(bytes, frame, PREVIEW_MAX_SIDE)
          : await this.reader.documentPreview(bytes, picture.kind === 'pdf' ? frame : undefined, PREVIEW_MAX_SIDE);
      } catch (e) {
        slot.replaceChildren(el('p', { class: 'picture-unshown' }, this.t('dialog_pictures_unshown', [e instanceof Error ? e.message : ''])));
        continue;
      }
      slot.replaceChildren(this.canvasOf(picture, frame, shown));
    }
  }

  /** The frame with each region of it outlined and numbered (red: masked; dashed: left visible). */
  private canvasOf(picture: PanelPicture, frame: number, shown: PicturePreview): HTMLElement {
    const canvas = el('canvas', { class: 'picture-canvas', width: String(shown.width), height: String(shown.height) }) as HTMLCanvasElement;
    const regions = picture.regions.filter((r) => placeOf(r.finding.region!) === frame);
    const page = picture.kind === 'pdf';
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', this.t(page ? 'dialog_pictures_page_label' : 'dialog_pictures_frame_label', [String(frame), String(regions.length)]));
    const context = canvas.getContext('2d');
    if (context) {
      context.putImageData(new ImageData(shown.rgba, shown.width, shown.height), 0, 0);
      this.outline(context, regions, shown.scale);
    }
    const redraw = (): void => {
      if (!context) return;
      context.putImageData(new ImageData(shown.rgba, shown.width, shown.height), 0, 0);
      this.outline(context, regions, shown.scale);
    };
    this.element.addEventListener('change', redraw);
    return el('figure', { class: 'picture-figure' }, canvas,
      el('figcaption', {}, this.t(page ? 'dialog_pictures_page' : 'dialog_pictures_frame', [String(frame)])));
  }

  private outline(context: CanvasRenderingContext2D, regions: readonly PanelRegion[], scale: number): void {
    context.lineWidth = 2;
    context.font = 'bold 12px sans-serif';
    for (const region of regions) {
      const r = region.finding.region!;
      const masked = !this.unticked.has(region.key);
      context.setLineDash(masked ? [] : [4, 3]);
      context.strokeStyle = masked ? '#ff3b30' : '#ffd60a';
      const x = r.x * scale;
      const y = r.y * scale;
      context.strokeRect(x, y, Math.max(2, r.width * scale), Math.max(2, r.height * scale));
      // The number in a tab beside the box: above it, or below when the box touches the top.
      const label = String(region.number);
      const w = context.measureText(label).width + 6;
      const top = y >= 15 ? y - 15 : y + Math.max(2, r.height * scale);
      context.fillStyle = context.strokeStyle;
      context.fillRect(x, top, w, 15);
      context.fillStyle = '#000';
      context.fillText(label, x + 3, top + 12);
    }
    context.setLineDash([]);
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
