// First-frame previews in the decision dialog: for files whose picture may show identifying text, the first
// image is drawn on a canvas so the person can look before choosing (header cleaning does not touch it).
//
// Lazy and never in the way: at most MAX_PREVIEWS pictures, read one after another after the dialog is
// shown, each at most PREVIEW_MAX_SIDE pixels on its longer side; a picture that cannot be shown says so.

import { readFirstFrame, shrinkFrame, toRgba, type FirstFrame } from '../../core/dicom/first-frame';
import { readZip } from '../../core/zip/zip';
import { blobSource, type ByteSource } from '../../core/source';
import type { FileReport, ScanReport } from '../../core/report';
import { el } from '../shared/element';
import { displayPath, type Translate } from './explain';

/** Pictures previewed in one upload; the others are counted. */
export const MAX_PREVIEWS = 3;
/** Longer side of a preview, in canvas pixels (CSS scales it down further). */
export const PREVIEW_MAX_SIDE = 1024;

/** A picture to preview: a file of the upload, or an entry of a zip in it. */
export interface PreviewTarget {
  /** As shown to the person (a zip entry is `archive.zip!dir/IM0001`). */
  path: string;
  file: File;
  /** The entry's path inside the zip `file`, for a zip entry. */
  entry?: string;
}

const mayShowText = (r: FileReport): boolean => r.findings.some((f) => f.category === 'picture-content');

/**
 * The files and zip entries whose picture may show identifying text, in upload order: those the scan
 * flagged (a 'picture-content' finding), then files the de-identifier flagged (`alsoPaths`, top-level paths).
 */
export function picturesToPreview(report: ScanReport, files: readonly File[], alsoPaths: readonly string[] = []): PreviewTarget[] {
  const out: PreviewTarget[] = [];
  const flaggedFiles = new Set<number>();
  report.files.forEach((top, i) => {
    const file = files[i];
    if (!file) return;
    const visit = (r: FileReport): void => {
      if (r.entries) {
        r.entries.forEach(visit);
        return;
      }
      if (!mayShowText(r)) return;
      flaggedFiles.add(i);
      out.push(r === top ? { path: r.path, file } : { path: r.path, file, entry: r.path.slice(top.path.length + 1) });
    };
    visit(top);
  });
  const also = new Set(alsoPaths);
  report.files.forEach((top, i) => {
    const file = files[i];
    if (file && also.has(top.path) && !flaggedFiles.has(i) && !top.entries) out.push({ path: top.path, file });
  });
  return out;
}

/** The bytes of a target: the file itself, or its zip entry (one level deep). */
async function sourceOf(target: PreviewTarget): Promise<ByteSource | undefined> {
  if (target.entry === undefined) return blobSource(target.file);
  if (target.entry.includes('!')) return undefined; // a zip inside a zip: not opened for a preview
  const archive = await readZip(blobSource(target.file));
  const entry = archive.entries.find((e) => e.path === target.entry && !e.isDirectory);
  return entry?.open();
}

type Drawn = { ok: true } | { ok: false; reason: string };

function fitted(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, PREVIEW_MAX_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function draw(frame: FirstFrame, canvas: HTMLCanvasElement): Promise<Drawn> {
  if (frame.kind === 'none') return { ok: false, reason: frame.reason };
  const context = canvas.getContext('2d');
  if (!context) return { ok: false, reason: 'the browser could not draw the picture' };
  if (frame.kind === 'native') {
    const small = shrinkFrame(frame, PREVIEW_MAX_SIDE);
    canvas.width = small.columns;
    canvas.height = small.rows;
    context.putImageData(new ImageData(toRgba(small), small.columns, small.rows), 0, 0);
    return { ok: true };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([frame.bytes], { type: 'image/jpeg' }));
  } catch {
    return { ok: false, reason: 'the browser could not decode its JPEG picture' };
  }
  const size = fitted(bitmap.width, bitmap.height);
  canvas.width = size.width;
  canvas.height = size.height;
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  return { ok: true };
}

/**
 * The previews section of one upload. `add` takes the pictures to preview (again when more become known:
 * those already there stay); `start` reads and draws them one at a time while `active()` stays true.
 */
export class PreviewPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly more: HTMLParagraphElement;
  private readonly shown = new Map<string, { target: PreviewTarget; item: HTMLLIElement; done: boolean }>();
  private readonly known = new Set<string>();
  private running = false;

  constructor(
    private readonly t: Translate,
    private readonly active: () => boolean,
  ) {
    this.list = el('ul', { class: 'preview-list' });
    this.more = el('p', { class: 'more preview-more', hidden: '' });
    this.element = el('section', { class: 'previews', id: 'spg-previews', 'aria-labelledby': 'spg-previews-heading', hidden: '' },
      el('h2', { id: 'spg-previews-heading', class: 'previews-heading' }, t('dialog_preview_heading')),
      el('p', { class: 'previews-intro' }, t('dialog_preview_intro')),
      this.list,
      this.more);
  }

  add(targets: readonly PreviewTarget[]): void {
    for (const target of targets) {
      if (this.known.has(target.path)) continue;
      this.known.add(target.path);
      if (this.shown.size >= MAX_PREVIEWS) continue;
      const item = el('li', { class: 'preview' },
        el('figure', {},
          el('div', { class: 'preview-frame' }, el('p', { class: 'preview-status' }, this.t('dialog_preview_loading'))),
          el('figcaption', {}, el('bdi', {}, displayPath(target.path)))));
      this.shown.set(target.path, { target, item, done: false });
      this.list.append(item);
    }
    const left = this.known.size - this.shown.size;
    this.more.textContent = left === 0 ? ''
      : left === 1 ? this.t('dialog_preview_more_one', [String(this.shown.size)])
      : this.t('dialog_preview_more_many', [String(left), String(this.shown.size)]);
    this.more.hidden = left === 0;
    this.element.hidden = this.shown.size === 0;
    if (this.running) return;
    // Started once the dialog is on screen; a picture added later joins the queue.
    this.running = true;
    setTimeout(() => void this.run(), 0);
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        const next = [...this.shown.values()].find((s) => !s.done);
        if (!next || !this.active()) return;
        next.done = true;
        await this.fill(next.target, next.item);
        // Let clicks and key presses in between two pictures.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      this.running = false;
    }
  }

  private async fill(target: PreviewTarget, item: HTMLLIElement): Promise<void> {
    const frameBox = item.querySelector<HTMLElement>('.preview-frame')!;
    let drawn: Drawn;
    const canvas = el('canvas', {
      class: 'preview-canvas',
      role: 'img',
      'aria-label': this.t('dialog_preview_label', [displayPath(target.path)]),
    });
    try {
      const source = await sourceOf(target);
      drawn = source ? await draw(await readFirstFrame(source), canvas) : { ok: false, reason: 'it is inside a zip file inside another zip file' };
    } catch {
      drawn = { ok: false, reason: 'the picture could not be read' };
    }
    if (drawn.ok) {
      frameBox.replaceChildren(canvas);
      return;
    }
    frameBox.replaceChildren(
      el('p', { class: 'preview-status' }, this.t('dialog_preview_none')),
      el('p', { class: 'preview-reason' }, el('span', { class: 'label' }, this.t('dialog_reason_label')), ' ', el('span', { lang: 'en' }, drawn.reason)),
    );
  }
}
