// The task tabs' "try it" panel and model files: label probabilities as bars (classify), the tokens
// coloured by their tag (tag), texts generated for a chosen category (generate by category), the n best
// outputs and the attention heat map of a typed source (translate, painted by task-translate.js);
// download the model as .safetensors, or load one of the same task. The worker predicts (and decodes);
// the page only paints.
import { $, clearError, showError, toast } from './ui.js';
import { updateButtons, worker } from './state.js';
import { TASKS, current, onShowTask, setTryBusy, tasks } from './tasks.js';
import { renderTranslations } from './task-translate.js';

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};
const field = (k) => $('ttry-form').elements.namedItem(k);

/** The labels the model knows: the loaded file's, or the run's. */
function modelLabels(task) {
  const t = tasks[task];
  return (t.loadedModel ? t.loadedModel.info.labels : t.run?.info.labels) ?? [];
}

/** Which model answers (a loaded file, with a way back to the run; the run's; none), the button and inputs. */
export function renderTryModel(task) {
  if (current() !== task) return;
  const T = TASKS[task];
  const t = tasks[task];
  $('ttry-title').textContent = T.tryTitle;
  $('tgo').textContent = T.go;
  $('tinput-caption').textContent = T.caption;
  const note = $('tmodel-note');
  note.replaceChildren();
  if (t.loadedModel) {
    note.textContent = `Using the loaded model “${t.loadedModel.name}”. `;
    if (t.run) {
      const b = el('button', { type: 'button', className: 'link', textContent: 'Use the training run instead' });
      b.onclick = async () => { await worker.client.request('useTrainer', { slot: task }); t.loadedModel = null; renderTryModel(task); };
      note.append(b);
    }
  } else if (t.run) {
    note.textContent = 'Using the model of the current training run (it keeps learning while you try it).';
  } else {
    note.textContent = 'No model yet: train one, or load a .safetensors file below.';
  }
  const sel = $('tcategory');
  const labels = modelLabels(task);
  const keep = sel.value;
  if (sel.dataset.labels !== JSON.stringify(labels)) {
    sel.replaceChildren();
    for (const l of labels) sel.append(el('option', { value: l, textContent: l }));
    sel.dataset.labels = JSON.stringify(labels);
    if (labels.includes(keep)) sel.value = keep;
  }
  if (!t.tryInput) t.tryInput = task === 'classify' ? 'Maria' : task === 'tag' ? 'The jury said the election was fair .' : task === 'translate' ? 'pronounce' : '';
  updateButtons();
}

/** Words and punctuation apart, as the Brown corpus writes them ("it." -> "it", "."; "Atlanta's" stays). */
export const tokenize = (text) => text.match(/[\p{L}\p{N}][\p{L}\p{N}'’\-]*|\S/gu) ?? [];

/** A tag's colour: a hue from its name, the same on every run. */
function tagHue(tag) {
  let h = 0;
  for (const ch of tag) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % 360;
}

async function go() {
  const task = current();
  if (!task) return;
  const t = tasks[task];
  const input = field('input').value;
  t.tryInput = input;
  clearError('ttry');
  const out = $('tresult');
  if (task !== 'bycat' && !input.trim()) {
    showError(task === 'tag' ? 'Type a sentence to tag.' : task === 'translate' ? 'Type a source to translate.' : 'Type a text to classify.', 'ttry');
    return;
  }
  setTryBusy(true);
  const t0 = performance.now();
  try {
    if (task === 'classify') {
      const r = await worker.client.request('predict', { slot: task, kind: 'classify', input });
      out.replaceChildren();
      const list = el('ul', { className: 'probs' });
      list.dataset.testid = 'classify-result';
      for (const { label, probability } of r.probabilities.slice(0, 12)) {
        const bar = el('span', { className: 'lbar' });
        bar.style.setProperty('--w', `${100 * probability}%`);
        const li = el('li', { className: label === r.label ? 'best' : '' }, el('span', { className: 'lname', textContent: label, title: label }), bar,
          el('span', { className: 'lcount', textContent: `${(100 * probability).toFixed(1)} %` }));
        li.dataset.label = label;
        list.append(li);
      }
      out.append(el('p', { className: 'verdict' }, '“', el('span', { textContent: input }), '” → ', el('b', { textContent: r.label })), list);
    } else if (task === 'tag') {
      const r = await worker.client.request('predict', { slot: task, kind: 'tag', input: tokenize(input) });
      out.replaceChildren();
      const line = el('p', { className: 'tagged' });
      line.dataset.testid = 'tag-result';
      for (const { token, tag, probability } of r) {
        const span = el('span', { className: 'tok', title: `${token}: ${tag} (${(100 * probability).toFixed(0)} %)` },
          el('span', { className: 'w', textContent: token }), el('span', { className: 't', textContent: tag }));
        span.style.setProperty('--h', String(tagHue(tag)));
        span.dataset.tag = tag;
        line.append(span, ' ');
      }
      out.append(line);
    } else if (task === 'translate') {
      // Beam search (beam 1 = greedy) in the worker; n best is at most the beam.
      const beam = Math.max(1, Math.min(16, Math.round(Number(field('beam').value)) || 1));
      const nBest = Math.max(1, Math.min(beam, Math.round(Number(field('nBest').value)) || 1));
      const results = await worker.client.request('translate', { slot: task, input, options: { beam, nBest } });
      renderTranslations(out, input, results);
    } else {
      const num = (k) => Number(field(k).value);
      const options = { label: field('label').value, length: num('length'), temperature: num('temperature'), count: Math.max(1, Math.min(50, num('count'))), seed: num('seed') };
      if (input) options.prime = input;
      const { texts } = await worker.client.request('generateMany', { slot: task, options });
      out.replaceChildren();
      const list = el('ol', { className: 'generated' });
      list.dataset.testid = 'generated';
      for (const text of texts) list.append(el('li', { textContent: firstLine(text) }));
      out.append(el('p', { className: 'verdict' }, 'For ', el('b', { textContent: options.label }), ':'), list);
    }
    const ms = performance.now() - t0;
    $('tgo-note').textContent = `done in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}`;
  } catch (e) {
    if (!worker.crashing) showError(`${TASKS[task].go} failed: ${e.message}`, 'ttry');
    $('tgo-note').textContent = '';
  } finally {
    setTryBusy(false);
  }
}

const firstLine = (s) => s.split('\n').find((l) => l.trim()) ?? s;

// ---------------------------------------------------------------- model files

function modelName(task) {
  const t = tasks[task];
  if (t.loadedModel) return t.loadedModel.name.replace(/(\.safetensors)?$/, '.safetensors');
  const s = t.run.settings;
  return `rnn-${task}-${s.cell}-${s.layers}x${s.hidden}-step${t.run.step}.safetensors`;
}

async function download() {
  const task = current();
  clearError('tmodels');
  try {
    const name = modelName(task);
    const { bytes } = await worker.client.request('save', { slot: task, source: 'active' });
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showError(`Download failed: ${e.message}`, 'tmodels');
  }
}

async function loadModelFile(file) {
  const task = current();
  clearError('tmodels');
  try {
    const buf = await file.arrayBuffer();
    const { info } = await worker.client.request('loadModel', { slot: task, bytes: buf, expect: task }, { transfer: [buf] });
    tasks[task].loadedModel = { name: file.name, info };
    renderTryModel(task);
    toast(`Loaded “${file.name}”: try it above.`);
  } catch (e) {
    showError(`“${file.name}” is not a usable model: ${e.message} Nothing was changed.`, 'tmodels');
  }
}

export function bindTaskTry() {
  $('ttry-form').addEventListener('submit', (e) => { e.preventDefault(); if (!$('tgo').disabled) go(); });
  $('tgo').addEventListener('click', go);
  $('tdownload').addEventListener('click', download);
  $('tload').addEventListener('change', (e) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (f) loadModelFile(f);
  });
  field('input').addEventListener('input', () => { const task = current(); if (task) tasks[task].tryInput = field('input').value; });
  onShowTask((task) => {
    $('tresult').replaceChildren();
    $('tgo-note').textContent = '';
    renderTryModel(task);
    field('input').value = tasks[task].tryInput ?? '';
  });
}
