// The corpus panel: the default corpus, a chosen, dropped or pasted text, and what the core makes of
// it (analyzeCorpus() in the worker: counts, vocabulary, split, batches per epoch, too short or not).
import { $, clearError, formatBytes, formatInteger, showError } from './ui.js';
import { state, updateButtons, worker } from './state.js';
import { corpusOptions, readSettings } from './settings.js';

const DEFAULT_CORPUS = { name: 'Brown corpus (fiction)', url: 'corpus/brown.txt' };
const REANALYZE_DELAY_MS = 300;

const listeners = [];
/** Calls fn() whenever the corpus or its analysis changes. */
export function onCorpusChange(fn) { listeners.push(fn); }

let lastChoice = 0;
const analysisKey = (s) => JSON.stringify(corpusOptions(s));

/** @returns {Promise<import('./protocol.js').CorpusAnalysis>} */
function analyze(corpusId, blob, settings) {
  return worker.client.request('analyze', { corpusId, blob, options: corpusOptions(settings) });
}

/** Makes a new text the corpus, or explains why not and keeps the previous one. Resolves to whether it did. */
export async function useCorpus(name, kind, blob) {
  const choice = ++lastChoice;
  const id = worker.nextCorpusId();
  $('corpus-card').classList.add('busy');
  try {
    const settings = readSettings();
    const analysis = await analyze(id, blob, settings);
    if (choice !== lastChoice) return false; // a newer choice won
    if (analysis.problem) throw new Error(analysis.problem);
    state.corpus = { id, name, kind, blob, analysis, analyzedFor: analysisKey(settings) };
    clearError('corpus');
    renderCorpus();
    return true;
  } catch (e) {
    if (choice !== lastChoice) return false;
    const hint = /invalid UTF-8/.test(e.message) ? '. Choose a plain-text file.' : '';
    const keep = state.corpus ? ` Still using “${state.corpus.name}”.` : '';
    showError(`“${name}”: ${e.message}${hint}${keep}`, 'corpus');
    return false;
  } finally {
    if (choice === lastChoice) $('corpus-card').classList.remove('busy');
  }
}

/** The worker has a new corpus cache (it restarted): the current corpus needs a fresh id. */
export function corpusForgotten() {
  if (state.corpus) state.corpus.id = worker.nextCorpusId();
}

let reanalyzeTimer = 0;
/** Settings changed: analyse the corpus again (debounced) when the change affects the analysis. */
export function corpusSettingsChanged(settings) {
  const c = state.corpus;
  if (!c || !worker.client || analysisKey(settings) === c.analyzedFor) return;
  clearTimeout(reanalyzeTimer);
  reanalyzeTimer = setTimeout(reanalyze, REANALYZE_DELAY_MS);
}

async function reanalyze() {
  const c = state.corpus;
  if (!c || !worker.client) return;
  const settings = readSettings();
  const key = analysisKey(settings);
  try {
    const analysis = await analyze(c.id, c.blob, settings);
    if (state.corpus !== c) return;
    Object.assign(c, { analysis, analyzedFor: key });
    renderCorpus();
  } catch (e) {
    showError(e.message, 'corpus');
  }
}

function renderCorpus() {
  const c = state.corpus;
  const a = c.analysis;
  $('corpus-name').textContent = c.name;
  const s = readSettings();
  $('corpus-stats').replaceChildren();
  for (const [label, value] of [
    ['size', formatBytes(a.bytes)], ['characters', formatInteger(a.chars)],
    [s.tokenizer === 'word' ? 'word tokens' : 'tokens', formatInteger(a.tokens)],
    ['vocabulary', formatInteger(a.vocabSize)],
  ]) {
    const span = document.createElement('span');
    const b = document.createElement('b');
    b.textContent = value;
    span.append(b, ' ', label);
    $('corpus-stats').append(span, ' '); // the space keeps textContent readable
  }
  if ($('prime').dataset.auto !== '0') { $('prime').value = a.primeHint; $('prime').dataset.auto = '1'; }
  for (const fn of listeners) fn();
  updateButtons();
}

export async function loadDefaultCorpus() {
  const res = await fetch(DEFAULT_CORPUS.url);
  if (!res.ok) throw new Error(`could not load ${DEFAULT_CORPUS.url} (HTTP ${res.status})`);
  return useCorpus(DEFAULT_CORPUS.name, 'default', await res.blob());
}

/**
 * The language model's validation file (a benchmark's valid.txt): scored instead of the validation
 * split, sent with the run as `validationBlob` (createTrainer's validationText). state.validation:
 * { name, blob } or null (the split).
 */
export function setValidationFile(file) {
  state.validation = file ? { name: file.name, blob: file } : null;
  $('validation-name').textContent = file ? `${file.name} (${formatBytes(file.size)})` : 'none';
  $('validation-clear').hidden = !file;
  document.querySelector('#settings [name="validationFraction"]').disabled = !!file;
}

export function bindCorpusInputs() {
  $('validation-file').addEventListener('change', (e) => {
    const f = e.target.files?.[0];
    if (f) setValidationFile(f);
    e.target.value = '';
  });
  $('validation-clear').addEventListener('click', () => setValidationFile(null));
  $('corpus-file').addEventListener('change', (e) => {
    const f = e.target.files?.[0];
    if (f) useCorpus(f.name, 'custom', f);
    e.target.value = ''; // choosing the same file again must fire again
  });
  $('corpus-default').addEventListener('click', () => loadDefaultCorpus().catch((e) => showError(e.message, 'corpus')));
  $('corpus-use-text').addEventListener('click', () => {
    useCorpus('Pasted text', 'custom', new Blob([$('corpus-text').value], { type: 'text/plain' }));
  });
  $('prime').addEventListener('input', () => { $('prime').dataset.auto = '0'; });
  const dz = $('corpus-card');
  for (const t of ['dragenter', 'dragover']) dz.addEventListener(t, (e) => { e.preventDefault(); dz.classList.add('drag'); });
  dz.addEventListener('dragleave', (e) => { if (!dz.contains(e.relatedTarget)) dz.classList.remove('drag'); });
  dz.addEventListener('drop', (e) => {
    e.preventDefault();
    dz.classList.remove('drag');
    const f = e.dataTransfer?.files?.[0];
    if (f) useCorpus(f.name, 'custom', f);
  });
  // A file dropped anywhere else must not navigate away from the page.
  for (const t of ['dragover', 'drop']) window.addEventListener(t, (e) => e.preventDefault());
}
