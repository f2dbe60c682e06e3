// The "Keep the model" panel: download the model generation uses, load a .safetensors file, and the
// list of models kept in this browser (IndexedDB).
import * as store from './store.js';
import { $, clearError, fixed, formatBytes, showError, toast } from './ui.js';
import { state, worker } from './state.js';
import { renderGenModel } from './generate.js';

/** A file name for the model generation uses: the loaded file's, or one describing the run. */
function modelName() {
  const r = state.run;
  if (!r || state.loadedModel) return (state.loadedModel?.name ?? 'model.safetensors').replace(/(\.safetensors)?$/, '.safetensors');
  const s = r.settings;
  return `rnn-${s.cell}-${s.layers}x${s.hidden}-${s.tokenizer}-step${r.step}.safetensors`;
}

/** Offers bytes as a file download. */
function saveAs(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function download() {
  clearError('models');
  try {
    const name = modelName();
    const { bytes } = await worker.client.request('save', { source: 'active' });
    saveAs(bytes, name);
  } catch (e) {
    showError(`Download failed: ${e.message}`, 'models');
  }
}

/** Validates the bytes with loadModel() in the worker; only then does generation switch to them. */
async function loadModelBytes(name, bytes) {
  clearError('models');
  try {
    const buf = bytes.slice().buffer;
    const { info } = await worker.client.request('loadModel', { bytes: buf }, { transfer: [buf] });
    state.loadedModel = { name, info };
    renderGenModel();
    toast(`Loaded “${name}”: generate from it below.`);
    return true;
  } catch (e) {
    showError(`“${name}” is not a usable model: ${e.message} Nothing was changed.`, 'models');
    return false;
  }
}

/** The run's best weights so far: as a download, or as the model generation uses. */
async function bestModel(use) {
  clearError('models');
  try {
    const r = state.run;
    const s = r.settings;
    const { bytes, step, loss } = await worker.client.request('save', { source: 'best' });
    const name = `rnn-${s.cell}-${s.layers}x${s.hidden}-${s.tokenizer}-best-step${step}.safetensors`;
    if (!use) return saveAs(bytes, name);
    if (await loadModelBytes(name, new Uint8Array(bytes))) toast(`Generating with the best weights so far: step ${step}, validation loss ${fixed(loss, 3)}.`);
  } catch (e) {
    showError(`${use ? 'Could not use' : 'Download of'} the best model ${use ? '' : 'failed'}: ${e.message}`.replace('  ', ' '), 'models');
  }
}

async function keepModel() {
  clearError('models');
  try {
    const name = modelName();
    const { bytes } = await worker.client.request('save', { source: 'active' });
    const r = state.run;
    const meta = { name, savedAt: Date.now(), size: bytes.byteLength,
      detail: r && !state.loadedModel ? `step ${r.step} · loss ${fixed(r.loss, 3)}` : 'loaded file' };
    await store.addModel(meta, new Uint8Array(bytes));
    await renderModelList();
    toast('Saved to the list.');
  } catch (e) {
    showError(`Could not save the model: ${e.message}`, 'models');
  }
}

/** The saved models, newest first, each with Use, Download and Delete. */
export async function renderModelList() {
  const ul = $('model-list');
  let models = [];
  try { models = await store.listModels(); } catch { /* IndexedDB unavailable: the list stays empty */ }
  ul.replaceChildren();
  if (!models.length) {
    const li = document.createElement('li');
    li.className = 'muted small empty';
    li.dataset.testid = 'saved-models-empty';
    li.textContent = 'No saved models yet. “Save to list” keeps the current model in this browser.';
    ul.append(li);
    return;
  }
  for (const m of models.sort((a, b) => b.savedAt - a.savedAt)) {
    const li = document.createElement('li');
    li.dataset.testid = 'saved-model';
    const info = document.createElement('div');
    info.className = 'model-info';
    const strong = document.createElement('strong');
    strong.textContent = m.name;
    strong.dataset.testid = 'saved-model-name';
    const small = document.createElement('small');
    small.dataset.testid = 'saved-model-detail';
    small.textContent = `${m.detail} · ${formatBytes(m.size)} · ${new Date(m.savedAt).toLocaleString()}`;
    info.append(strong, small);
    const actions = document.createElement('div');
    actions.className = 'row';
    const button = (label, aria, testid, onClick) => {
      const b = document.createElement('button');
      b.type = 'button'; b.textContent = label; b.setAttribute('aria-label', `${aria} ${m.name}`);
      b.dataset.testid = testid;
      b.onclick = onClick;
      actions.append(b);
    };
    button('Use', 'Generate with', 'saved-model-load', async () => { const bytes = await store.modelBytes(m.id); if (bytes) loadModelBytes(m.name, bytes); });
    button('Download', 'Download', 'saved-model-download', async () => {
      const bytes = await store.modelBytes(m.id);
      const url = URL.createObjectURL(new Blob([bytes]));
      Object.assign(document.createElement('a'), { href: url, download: m.name }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
    button('Delete', 'Delete', 'saved-model-delete', async () => { await store.deleteModel(m.id); renderModelList(); });
    li.append(info, actions);
    ul.append(li);
  }
}

export function bindModels() {
  $('download-model').addEventListener('click', download);
  $('keep-model').addEventListener('click', keepModel);
  $('download-best').addEventListener('click', () => bestModel(false));
  $('use-best').addEventListener('click', () => bestModel(true));
  $('load-model').addEventListener('change', async (e) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (f) loadModelBytes(f.name, new Uint8Array(await f.arrayBuffer()));
  });
}
