// A hostile page's attempts to read what the guard's dialog shows, from the page's own JavaScript.
// PROBE_INIT runs before any page script (and before the extension's): it hooks attachShadow to keep even
// closed shadow roots the page's world creates, records every window message and every DOM mutation.
// PROBE_READ then gathers every text it can reach: the document, every element's text and attributes
// through open and captured shadow roots, every frame's document (window.frames and iframe elements).
// Both are strings so no transpiler helper ends up in page code.

export const PROBE_INIT = `
if (new URLSearchParams(location.search).has('probe')) {
  const probe = (window.__probe = { roots: [], messages: [], mutations: [] });
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    probe.roots.push(root);
    return root;
  };
  window.addEventListener('message', function (event) {
    try { probe.messages.push(JSON.stringify(event.data)); } catch (error) { probe.messages.push(String(event.data)); }
  }, true);
  new MutationObserver(function (records) {
    for (const record of records) {
      for (const node of record.addedNodes) probe.mutations.push(node.outerHTML || node.textContent || '');
      if (record.type === 'attributes' && record.target.getAttribute) probe.mutations.push(String(record.target.getAttribute(record.attributeName)));
      if (record.type === 'characterData') probe.mutations.push(String(record.target.data));
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
}
`;

export interface ProbeResult {
  /** Everything the page could read, joined. */
  haystack: string;
  /** How far it got: for the failure message and to show the probe did look. */
  notes: string[];
}

/** Evaluated in the page (an expression): returns a ProbeResult. */
export const PROBE_READ = `(() => {
  const texts = [];
  const notes = [];
  const probe = window.__probe || { roots: [], messages: [], mutations: [] };
  const seenRoots = new Set();
  const walk = (root) => {
    if (!root || seenRoots.has(root)) return;
    seenRoots.add(root);
    for (const el of root.querySelectorAll('*')) {
      texts.push(el.textContent || '');
      for (const attr of Array.from(el.attributes)) texts.push(attr.value);
      if ('value' in el && typeof el.value === 'string') texts.push(el.value);
      if (el.shadowRoot) { notes.push('open shadow root on <' + el.localName + '>'); walk(el.shadowRoot); }
      if (el.localName === 'iframe' || el.localName === 'frame' || el.localName === 'object' || el.localName === 'embed') {
        notes.push('frame element ' + (el.getAttribute('src') || '(no src)'));
        try {
          const doc = el.contentDocument || (el.contentWindow && el.contentWindow.document);
          if (doc && doc.documentElement) { texts.push(doc.documentElement.outerHTML); walk(doc); notes.push('read a frame document'); }
        } catch (error) { notes.push('frame document refused: ' + error.name); }
      }
    }
  };
  texts.push(document.documentElement.outerHTML, document.title, document.body ? document.body.innerText : '');
  walk(document);
  for (const root of probe.roots) { notes.push('captured shadow root'); walk(root); texts.push(root.innerHTML); }
  notes.push('window.frames: ' + window.frames.length);
  for (let i = 0; i < window.frames.length; i++) {
    const frame = window.frames[i];
    try { texts.push(frame.document.documentElement.outerHTML); notes.push('read frames[' + i + '].document'); }
    catch (error) { notes.push('frames[' + i + '].document refused: ' + error.name); }
    try { texts.push(String(frame.location.href)); notes.push('read frames[' + i + '].location'); }
    catch (error) { notes.push('frames[' + i + '].location refused: ' + error.name); }
    try { texts.push(String(frame.name)); } catch (error) { notes.push('frames[' + i + '].name refused: ' + error.name); }
  }
  texts.push(...probe.messages, ...probe.mutations);
  notes.push('messages seen: ' + probe.messages.length, 'mutations seen: ' + probe.mutations.length);
  try { texts.push(JSON.stringify(performance.getEntries().map((e) => e.name))); } catch (error) { notes.push('performance refused'); }
  return { haystack: texts.join('\\n'), notes };
})()`;
