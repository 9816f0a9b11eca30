// Builds DOM elements with text only (never parsed as HTML), for every extension page: the popup, the options page
// and the decision dialog. No extension API here, so pure modules of the dialog (preview.ts) can use it in tests.

export type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined>;

/**
 * An element with attributes and children. Strings become text nodes; `null`, `undefined` and `false` children and
 * attributes are skipped; `true` sets an empty attribute. Event handlers are attached by the caller.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}
