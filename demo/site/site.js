// The fictional site's script: uploads whatever the person picks or drops (fetch + FormData, at once, as
// many real sites do), and lists what its server received. It has no knowledge of the extension.
'use strict';

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const CATEGORY_WORDS = {
  name: 'names',
  identifier: 'IDs',
  'birth-date': 'birth date',
  contact: 'contact details',
  dates: 'dates',
  'people-and-institution': 'hospital and doctors',
  device: 'device',
  'free-text': 'free text',
  'structured-content': 'report content',
  'private-data': 'vendor private data',
  uids: 'UIDs',
  'patient-characteristics': 'age, sex, size',
  'picture-content': 'text in the picture',
  face: 'a face',
  other: 'other',
};

function logPage(message) {
  $('#page-log-empty')?.remove();
  const time = new Date().toLocaleTimeString();
  $('#page-log').prepend(el('p', { class: 'page-log-line' }, `${time}: ${message}`));
}

async function upload(files, how) {
  const list = [...files];
  if (list.length === 0) return;
  logPage(`this page's script got ${list.length} file(s) by ${how}: ${list.map((f) => `${f.name} (${formatSize(f.size)})`).join(', ')}. Uploading…`);
  const form = new FormData();
  for (const file of list) form.append('scans', file, file.name);
  try {
    const response = await fetch('/api/upload', { method: 'POST', body: form });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const { files: got } = await response.json();
    logPage(`uploaded ${got.length} file(s). A real site would now run its AI on them.`);
  } catch (error) {
    logPage(`the upload failed: ${error.message}`);
  }
  await refreshReceived();
}

function categoriesOf(file) {
  return [...new Set(file.findings.map((f) => CATEGORY_WORDS[f.category] || f.category))].join(', ');
}

function verdictCell(file) {
  const deidentified = file.marks && file.marks.patientIdentityRemoved === 'YES';
  const cell = el('td', { class: `verdict verdict-${deidentified && file.verdict !== 'clean' ? 'kept' : file.verdict}` });
  if (deidentified && file.verdict !== 'clean') {
    // A de-identified copy whose kept details (moved dates, cleaned descriptions) a plain scan still lists.
    const dates = file.marks.datesModified ? `, dates ${file.marks.datesModified.toLowerCase()}` : '';
    cell.append(
      el('strong', {}, 'De-identified copy'),
      el('br'),
      el('span', { class: 'small' }, `marked "identity removed"${dates}. A plain scan still lists: ${categoriesOf(file)}`),
    );
    cell.title = file.findings.map((f) => f.keyword).join(', ');
  } else if (file.verdict === 'identifying') {
    cell.append(el('strong', {}, 'Identifies someone'), el('br'), el('span', { class: 'small' }, categoriesOf(file)));
    cell.title = file.findings.map((f) => f.keyword).join(', ');
  } else if (file.verdict === 'clean') {
    const note = deidentified ? 'de-identified copy: nothing identifying' : `${file.format}: nothing identifying`;
    cell.append(el('strong', {}, 'Clean'), el('br'), el('span', { class: 'small' }, note));
  } else if (file.verdict === 'not-medical') {
    cell.append(el('strong', {}, 'Not medical'));
  } else {
    cell.append(el('strong', {}, 'Could not be read'));
  }
  return cell;
}

function comparisonText(file) {
  if (file.sameBytesAsSample) return `identical to the sample ${file.sameBytesAsSample}`;
  if (!file.sampleOfSameName) return 'not one of the samples';
  const changed = `same name as the sample ${file.sampleOfSameName}, different bytes: a changed copy`;
  const values = file.originalValues;
  if (!values) return changed;
  const found = values.found === 0 ? 'None' : `${values.found}`;
  return `${changed}. ${found} of the original's ${values.checked} identifying values (name, IDs, birth date, hospital, doctors) in it`;
}

function renderReceived(received) {
  const body = $('#received tbody');
  body.replaceChildren();
  if (received.length === 0) {
    body.append(el('tr', { id: 'received-empty' }, el('td', { colspan: '6', class: 'muted' }, 'Nothing received yet.')));
    return;
  }
  for (const file of [...received].reverse()) {
    body.append(
      el(
        'tr',
        { 'data-seq': String(file.seq), 'data-name': file.name, 'data-verdict': file.verdict, 'data-sha256': file.sha256 },
        el('td', {}, String(file.seq)),
        el('td', {}, el('code', {}, file.name)),
        el('td', {}, formatSize(file.size)),
        el('td', { class: 'hash', title: file.sha256 }, el('code', {}, `${file.sha256.slice(0, 16)}…`)),
        el('td', {}, comparisonText(file)),
        verdictCell(file),
      ),
    );
  }
}

async function refreshReceived() {
  const response = await fetch('/api/received');
  const { received } = await response.json();
  renderReceived(received);
}

async function loadSamples() {
  const response = await fetch('/api/samples');
  const { folder, shortcuts, samples } = await response.json();
  $('#samples-folder').textContent = folder;
  const list = $('#samples');
  list.replaceChildren();
  for (const sample of samples) {
    const item = el(
      'li',
      { class: `sample sample-${sample.kind}` },
      el('span', { class: 'sample-kind' }, sample.kind === 'identifying' ? 'identifies someone' : sample.kind === 'clean-scan' ? 'clean scan' : 'not medical'),
      el('code', {}, sample.name),
      el('span', { class: 'small' }, ` ${formatSize(sample.size)}. ${sample.description}.`),
    );
    if (shortcuts) {
      const pick = el('button', { type: 'button', class: 'button', 'data-pick': sample.name }, 'Pick this file for me');
      pick.title = 'The demo launcher puts this file into the upload field, exactly as the file chooser would.';
      pick.addEventListener('click', async () => {
        pick.disabled = true;
        try {
          await fetch(`/api/pick?name=${encodeURIComponent(sample.name)}`, { method: 'POST' });
        } finally {
          pick.disabled = false;
        }
      });
      item.append(pick);
    }
    list.append(item);
  }
}

function wireUpload() {
  const input = $('#file');
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    upload(files, 'the file chooser');
  });
  const zone = $('#dropzone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    upload(event.dataTransfer ? event.dataTransfer.files : [], 'drag and drop');
  });
  $('#reset').addEventListener('click', async () => {
    const response = await fetch('/api/reset', { method: 'POST' });
    renderReceived((await response.json()).received);
  });
}

$('#origin').textContent = location.host;
wireUpload();
Promise.all([loadSamples(), refreshReceived()]).then(() => document.body.setAttribute('data-ready', 'true'));
setInterval(refreshReceived, 3000);
