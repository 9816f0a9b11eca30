// DataTransfers and events the page can read. In Chrome, objects made by a content script are plain DOM
// objects to the page. In Firefox, a DataTransfer or event built in the content script's compartment
// reaches page scripts without its files, so there they are built in the page's compartment
// (`window.wrappedJSObject`, `cloneInto` with DOM objects allowed).

type CloneInto = <T>(obj: T, scope: object, options?: { wrapReflectors?: boolean }) => T;
/** Firefox: the content script's (Xray) view of a page object, so our WeakSet sees the same object later. */
type XrayOf = <T>(obj: T) => T;
type EventConstructorName = 'Event' | 'DragEvent' | 'ClipboardEvent';

const pageWindow = (window as unknown as { wrappedJSObject?: Window & typeof globalThis }).wrappedJSObject;
const cloneInto = (globalThis as unknown as { cloneInto?: CloneInto }).cloneInto;
const xrayOf = (globalThis as unknown as { XPCNativeWrapper?: XrayOf }).XPCNativeWrapper;
const inFirefoxContentScript = pageWindow !== undefined && typeof cloneInto === 'function' && typeof xrayOf === 'function';

export function pageDataTransfer(files: readonly File[], text?: { plain?: string; html?: string }): DataTransfer {
  const dt = inFirefoxContentScript ? new pageWindow!.DataTransfer() : new DataTransfer();
  for (const f of files) dt.items.add(f);
  if (text?.plain) dt.setData('text/plain', text.plain);
  if (text?.html) dt.setData('text/html', text.html);
  return dt;
}

export function pageEvent<E extends Event>(ctor: EventConstructorName, type: string, init: EventInit & Record<string, unknown>): E {
  if (inFirefoxContentScript) {
    const Ctor = pageWindow![ctor] as unknown as new (type: string, init: EventInit) => E;
    const event = new Ctor(type, cloneInto!(init, window, { wrapReflectors: true }));
    // Gecko's ClipboardEvent constructor ignores `clipboardData`: give the page's event its own.
    if (ctor === 'ClipboardEvent' && init.clipboardData) {
      pageWindow!.Object.defineProperty(event, 'clipboardData', cloneInto!({ value: init.clipboardData, enumerable: true }, window, { wrapReflectors: true }));
    }
    return xrayOf!(event);
  }
  const Ctor = globalThis[ctor] as unknown as new (type: string, init: EventInit) => E;
  return new Ctor(type, init);
}
