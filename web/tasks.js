// The task tabs beside "Write like a text": Classify, Tag, Generate by category and Translate. They
// share one view (#view-tasks), filled from the open task's state: its examples (a file parsed in the
// worker by analyzeExamples(), or analyzePairs() for Translate: counts, labels or lengths, bad lines),
// settings, training run (task-run.js) and what the model answers (task-try.js; task-translate.js
// paints Translate's own views). Everything the user gave is inserted as text, never as HTML.
import { $, clearError, formatBytes, formatInteger, showError, toast } from './ui.js';
import { onUpdateButtons, paintStatus, state, updateButtons, worker } from './state.js';
import { histogram, renderPairsSummary } from './task-translate.js';

/**
 * The four tasks: the API's task (a conditional language model is task 'lm' with examples), the
 * file format, the validation metric, the page's settings and the "try it" panel's words. Translate
 * (an encoder–decoder) trains on pairs (`dataKind`), analysed by analyzePairs() (`analyze`); its
 * validation metric is the exact match of the decoded outputs (`metricKey` of the evaluation).
 */
export const TASKS = {
  classify: {
    title: 'Classify', apiTask: 'classify', metric: 'accuracy',
    format: 'A TSV file, one example a line: text<TAB>label (a first line “text<TAB>label” is a header).',
    defaults: { tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 64, embedding: 16, dropout: 0, pooling: 'final', bidirectional: true,
      batchSize: 32, learningRate: 0.01, validationFraction: 0.1, seed: 1, steps: 600, evalEvery: 50 },
    tryTitle: 'Classify', go: 'Classify', caption: 'Text to classify',
  },
  tag: {
    title: 'Tag', apiTask: 'tag', metric: 'accuracy',
    format: 'Tagged sentences: CoNLL (token<TAB>tag a line, a blank line between sentences) or word/tag tokens a sentence a line, as in the Brown corpus.',
    defaults: { cell: 'lstm', layers: 1, hidden: 64, embedding: 32, dropout: 0, bidirectional: true, unknownShapes: true,
      batchSize: 16, learningRate: 0.01, validationFraction: 0.1, seed: 1, steps: 600, evalEvery: 50 },
    tryTitle: 'Tag a sentence', go: 'Tag', caption: 'Sentence to tag (punctuation is split off, as the Brown corpus writes it)',
  },
  bycat: {
    title: 'Generate by category', apiTask: 'lm', metric: 'perplexity',
    format: 'A TSV file, one example a line: category<TAB>text (a first line “category<TAB>text” is a header).',
    defaults: { tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 128, embedding: 32, dropout: 0,
      batchSize: 32, learningRate: 0.005, validationFraction: 0.05, seed: 1, steps: 1000, evalEvery: 100 },
    tryTitle: 'Generate', go: 'Generate', caption: 'Start with (optional)',
  },
  translate: {
    title: 'Translate', apiTask: 'seq2seq', metric: 'accuracy', metricKey: 'exactMatch', metricName: 'exact match',
    dataKind: 'pairs', analyze: 'analyzePairs',
    format: 'Pairs: a TSV file, one pair a line: source<TAB>target (further columns are ignored; a first line “source<TAB>target” is a header; a source on several lines has several right answers), or a JSON array of [source, target].',
    defaults: { sourceTokenizer: 'char', targetTokenizer: 'char', attention: 'general', inputFeeding: true, cell: 'lstm', layers: 1, hidden: 64, embedding: 32, dropout: 0,
      bidirectional: true, batchSize: 32, learningRate: 0.01, validationFraction: 0.05, seed: 1, steps: 1000, evalEvery: 100 },
    tryTitle: 'Translate', go: 'Translate', caption: 'Source to translate (written as the pairs write their sources: lower case for CMUdict)',
  },
};
export const isExampleTask = (t) => Object.hasOwn(TASKS, t);

/**
 * @typedef {{ data: object|null, settings: object, run: object|null, status: string, detail: string,
 *   loadedModel: {name: string, info: object}|null, saved: object|null, choice: number }} TaskState
 * @type {Record<string, TaskState>}
 */
export const tasks = Object.fromEntries(Object.entries(TASKS).map(([k, t]) => [k, {
  data: null, settings: { ...t.defaults }, run: null, status: 'ready', detail: '', loadedModel: null, saved: null, choice: 0,
}]));

/** The open example task's name and state (the task view shows one at a time). */
export const current = () => (isExampleTask(state.task) ? state.task : null);

/** The example datasets the site build made (examples/index.json), by task ('lm' = by category). */
let manifest = {};
const manifestKey = (task) => (task === 'bycat' ? 'lm' : task);
export const exampleOf = (task) => manifest[manifestKey(task)] ?? null;

// ---------------------------------------------------------------- status and buttons

/** A task's status ('ready', 'starting', 'training', 'pausing', 'paused', 'stopped', 'error'); the pill shows the open tab's. */
export function setTaskStatus(task, status, detail = '') {
  Object.assign(tasks[task], { status, detail });
  if (state.task === task) paintStatus(status, detail);
  updateButtons();
}

/** Whether the examples may train as the user set them: not while bad lines are there and not skipped. */
function dataBlocked(t) {
  return !!t.data && t.data.analysis.skipped > 0 && !$('skip-bad').checked;
}

function updateTaskButtons() {
  const task = current();
  if (!task) return;
  const t = tasks[task];
  const s = t.status;
  const ready = !!worker.client && state.status !== 'loading';
  const busy = s === 'training' || s === 'paused' || s === 'pausing' || s === 'starting';
  const other = worker.trainingSlot && worker.trainingSlot !== task;
  $('ttrain').disabled = !ready || busy || !t.data || dataBlocked(t) || !!other;
  $('ttrain').title = other ? 'Another tab is training: pause it first (one run trains at a time).' : '';
  const canContinue = s === 'stopped' && !!t.run;
  $('tpause').disabled = !(s === 'training' || ((s === 'paused' || canContinue) && !other));
  $('tpause').textContent = s === 'paused' ? 'Resume' : canContinue ? 'Continue' : 'Pause';
  $('tstop').disabled = !(s === 'training' || s === 'paused');
  const hasModel = !!(t.run || t.loadedModel);
  $('tgo').disabled = !ready || !hasModel || tryBusy;
  $('tdownload').disabled = !ready || !hasModel;
}

let tryBusy = false;
export function setTryBusy(b) { tryBusy = b; updateButtons(); }

// ---------------------------------------------------------------- tabs

const listeners = { show: [], settings: [] };
/** Calls fn(task) when a task tab is shown (after the view is filled in). */
export const onShowTask = (fn) => listeners.show.push(fn);

/** Shows a tab: 'lm' (the language model's panels) or one of TASKS. */
export function showTask(task) {
  if (!isExampleTask(task)) task = 'lm';
  const prev = current();
  if (prev) tasks[prev].settings = readTaskSettings();
  state.task = task;
  document.body.dataset.task = task;
  for (const b of document.querySelectorAll('.task-tabs [role="tab"]')) {
    const on = b.dataset.task === task;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $('view-lm').hidden = task !== 'lm';
  $('view-tasks').hidden = task === 'lm';
  $('view-tasks').setAttribute('aria-labelledby', `tab-${task}`);
  const hash = task === 'lm' ? '' : `#${task}`;
  if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname + location.search);
  clearError();
  if (task === 'lm') {
    paintStatus(state.status, state.statusDetail);
    $('trestore-banner').hidden = true;
  } else {
    const t = tasks[task];
    paintStatus(t.status, t.detail);
    applyTaskSettings(t.settings);
    renderTaskFrame(task);
    renderData(task);
    for (const fn of listeners.show) fn(task);
  }
  updateButtons();
}

/** The parts of the view that depend on the task only: titles, formats, which settings apply. */
function renderTaskFrame(task) {
  const T = TASKS[task];
  $('tdata-format').textContent = T.format;
  for (const el of document.querySelectorAll('#view-tasks [data-for]')) el.hidden = !el.dataset.for.split(' ').includes(task);
  const percent = T.metric === 'accuracy';
  const name = T.metricName ?? 'accuracy';
  $('tmetric-name').textContent = percent ? `Val. ${name}` : 'Val. perplexity';
  $('tchart-metric-name').textContent = percent ? `Validation ${name} (%)` : 'Validation perplexity';
  const ex = exampleOf(task);
  const b = $('tdata-default');
  b.disabled = !ex?.file;
  b.textContent = ex?.file ? `Use the example: ${ex.name}` : 'No example dataset';
  b.title = ex?.missing ?? '';
  $('tdata-note').textContent = ex?.file ? `Example: ${ex.name}, ${ex.description}. Source: ${ex.source}.` : ex?.missing ? `The example dataset was not built: ${ex.missing.replace(/^skipped the [^(]*\([^)]*\): /, '')}.` : '';
}

// ---------------------------------------------------------------- settings

const tform = () => /** @type {HTMLFormElement} */ ($('tsettings'));

export function readTaskSettings() {
  const F = tform().elements;
  const num = (k) => Number(F[k].value);
  return {
    tokenizer: F.tokenizer.value, sourceTokenizer: F.sourceTokenizer.value, targetTokenizer: F.targetTokenizer.value,
    attention: F.attention.value, inputFeeding: F.inputFeeding.checked, cell: F.cell.value, layers: num('layers'), hidden: num('hidden'), embedding: num('embedding'),
    dropout: num('dropout'), pooling: F.pooling.value, bidirectional: F.bidirectional.checked,
    unknownShapes: F.unknownShapes.checked, batchSize: num('batchSize'),
    learningRate: Number((10 ** num('lrLog')).toPrecision(2)), validationFraction: num('validationFraction'), seed: num('seed'),
    steps: num('steps'), evalEvery: num('evalEvery'),
  };
}

export function applyTaskSettings(s) {
  const F = tform().elements;
  for (const [k, v] of Object.entries(s)) {
    if (k === 'learningRate') F.lrLog.value = String(Math.log10(v));
    else if (F[k]?.type === 'checkbox') F[k].checked = !!v;
    else if (F[k]) F[k].value = String(v);
  }
  $('tlr-out').textContent = readTaskSettings().learningRate.toString();
}

/** createTrainer() options of a task's settings (the examples are added by the worker). */
export function taskConfig(task, s, skipBadLines) {
  const c = {
    task: TASKS[task].apiTask, cell: s.cell, layers: s.layers, hidden: s.hidden, embedding: s.embedding, dropout: s.dropout,
    batchSize: s.batchSize, learningRate: s.learningRate, validationFraction: s.validationFraction, seed: s.seed, skipBadLines,
  };
  if (task !== 'tag' && task !== 'translate') c.tokenizer = s.tokenizer;
  if (task !== 'bycat') c.bidirectional = s.bidirectional;
  if (task === 'classify') c.pooling = s.pooling;
  if (task === 'tag') c.unknownShapes = s.unknownShapes ?? true;
  if (task === 'translate') {
    Object.assign(c, { sourceTokenizer: s.sourceTokenizer, targetTokenizer: s.targetTokenizer, attention: s.attention,
      inputFeeding: s.attention !== 'none' && s.inputFeeding !== false });
  }
  return c;
}

/** The options that change what analyzeExamples() reports. */
function analysisOptions(task, s) {
  const c = taskConfig(task, s, true); // every bad line is listed, whether or not the run will skip them
  if (task === 'translate') {
    return { task: c.task, sourceTokenizer: c.sourceTokenizer, targetTokenizer: c.targetTokenizer, validationFraction: c.validationFraction,
      seed: c.seed, skipBadLines: true };
  }
  return { task: c.task, tokenizer: c.tokenizer, validationFraction: c.validationFraction, seed: c.seed, skipBadLines: true };
}

// ---------------------------------------------------------------- examples

/** Makes a file the task's examples, or explains why not and keeps the previous ones. Resolves to whether it did. */
export async function useExamples(task, name, kind, blob) {
  const t = tasks[task];
  const choice = ++t.choice;
  const id = worker.nextCorpusId();
  $('tdata-card').classList.add('busy');
  try {
    const settings = task === current() ? readTaskSettings() : t.settings;
    const options = analysisOptions(task, settings);
    const analysis = await worker.client.request(TASKS[task].analyze ?? 'analyzeExamples', { corpusId: id, blob, options });
    if (choice !== t.choice) return false;
    t.data = { id, name, kind, blob, analysis, analyzedFor: JSON.stringify(options) };
    if (task === current()) { clearError('tdata'); renderData(task); }
    updateButtons();
    return true;
  } catch (e) {
    if (choice !== t.choice) return false;
    const hint = /invalid UTF-8/.test(e.message) ? ' Save the file as UTF-8 text.' : '';
    const keep = t.data ? ` Still using “${t.data.name}”.` : '';
    if (task === current()) showError(`“${name}”: ${e.message}.${hint}${keep}`.replace(/\.\./g, '.'), 'tdata');
    return false;
  } finally {
    if (choice === t.choice) $('tdata-card').classList.remove('busy');
  }
}

/** Loads the task's built-in example; its own settings (e.g. Translate's tokenizers) apply unless keepSettings. */
export async function loadExampleData(task, { keepSettings = false } = {}) {
  const ex = exampleOf(task);
  if (!ex?.file) throw new Error(ex?.missing ?? 'this task has no example dataset');
  if (ex.settings && !keepSettings) {
    const t = tasks[task];
    t.settings = { ...(task === current() ? readTaskSettings() : t.settings), ...ex.settings };
    if (task === current()) applyTaskSettings(t.settings);
  }
  const before = tasks[task].choice;
  const res = await fetch(`examples/${ex.file}`);
  if (!res.ok) throw new Error(`could not load examples/${ex.file} (HTTP ${res.status})`);
  const blob = await res.blob();
  if (tasks[task].choice !== before) return false; // a file chosen meanwhile wins
  return useExamples(task, ex.name, 'example', blob);
}

let reanalyzeTimer = 0;
/** Settings that change the analysis (split, seed, tokens) analyse the examples again, debounced. */
function taskSettingsChanged() {
  const task = current();
  if (!task) return;
  const s = readTaskSettings();
  tasks[task].settings = s;
  $('tlr-out').textContent = s.learningRate.toString();
  const t = tasks[task];
  if (t.run && s.steps > 0) t.run.untilStep = Math.max(t.run.untilStep, s.steps);
  if (!t.data || JSON.stringify(analysisOptions(task, s)) === t.data.analyzedFor) return;
  clearTimeout(reanalyzeTimer);
  const choice = t.choice; // a file chosen meanwhile is analysed under these settings already
  reanalyzeTimer = setTimeout(() => { const d = t.data; if (d && t.choice === choice) useExamples(task, d.name, d.kind, d.blob); }, 300);
}

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** What was parsed: counts, labels with their counts, a length histogram, the bad lines and the first lines. */
export function renderData(task) {
  const t = tasks[task];
  const box = $('tdata-summary');
  box.replaceChildren();
  if (!t.data) {
    $('tdata-name').textContent = 'No examples yet: choose a file or use the example.';
    return;
  }
  const a = t.data.analysis;
  $('tdata-name').textContent = t.data.name;
  if (task === 'translate') renderPairsSummary(box, a);
  else renderExamplesSummary(task, box, a);
  renderFileNotes(box, a);
}

/** Counts, labels with their counts and a length histogram of examples (classify, tag, by category). */
function renderExamplesSummary(task, box, a) {
  const unit = task === 'tag' ? 'sentences' : 'examples';
  const labelWord = task === 'tag' ? 'tags' : task === 'bycat' ? 'categories' : 'labels';
  const stats = el('p', { className: 'stats' });
  const items = [
    [formatBytes(a.bytes), 'size'], [formatInteger(a.examples), `training ${unit}`],
    [formatInteger(a.validationExamples), 'for validation'], [formatInteger(a.labels.length), labelWord],
  ];
  if (a.vocabSize != null) items.push([formatInteger(a.vocabSize), 'vocabulary']);
  if (a.truncated) items.push([formatInteger(a.truncated), 'cut to the maximum length']);
  for (const [value, label] of items) stats.append(el('span', {}, el('b', { textContent: value }), ` ${label}`), ' ');
  box.append(stats);

  // Labels and their counts, most frequent first, as bars.
  const counts = Object.entries(a.labelCounts ?? {}).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const max = Math.max(1, ...counts.map((c) => c[1]));
  const shown = counts.slice(0, 12);
  const list = el('ul', { className: 'label-counts', ariaLabel: `${labelWord} and their counts` });
  list.dataset.testid = 'label-counts';
  for (const [label, n] of shown) {
    const bar = el('span', { className: 'lbar' });
    bar.style.setProperty('--w', `${(100 * n) / max}%`);
    list.append(el('li', {}, el('span', { className: 'lname', textContent: label, title: label }), bar, el('span', { className: 'lcount', textContent: formatInteger(n) })));
  }
  box.append(el('h3', { textContent: `${labelWord[0].toUpperCase()}${labelWord.slice(1)}${task === 'tag' ? ' (tokens)' : ''}` }), list);
  if (counts.length > shown.length) box.append(el('p', { className: 'muted small', textContent: `… and ${counts.length - shown.length} more ${labelWord}.` }));

  // Lengths (tokens per example) as a histogram.
  box.append(...histogram(a.lengthHistogram, 'Length (tokens per example)'));
}

/** The bad lines (with their line numbers) and the file's first lines. */
function renderFileNotes(box, a) {
  // The bad lines, with their line numbers.
  if (a.skipped > 0) {
    const skip = $('skip-bad').checked;
    const warn = el('div', { className: skip ? 'badlines skipped' : 'badlines' });
    warn.dataset.testid = 'bad-lines';
    warn.append(el('p', { textContent: skip
      ? `${formatInteger(a.skipped)} bad ${a.skipped === 1 ? 'line is' : 'lines are'} skipped:`
      : `${formatInteger(a.skipped)} bad ${a.skipped === 1 ? 'line' : 'lines'}: fix ${a.skipped === 1 ? 'it' : 'them'}, or tick “Skip bad lines” to train on the rest.` }));
    const ul = el('ul');
    for (const p of a.problems) ul.append(el('li', { textContent: p }));
    if (a.skipped > a.problems.length) ul.append(el('li', { className: 'muted', textContent: `… ${formatInteger(a.skipped - a.problems.length)} more` }));
    warn.append(ul);
    box.append(warn);
  }

  if (a.head?.length) {
    box.append(el('h3', { textContent: 'First lines of the file' }), el('pre', { className: 'head', textContent: a.head.join('\n') }));
  }
}

// ---------------------------------------------------------------- wiring

export async function loadManifest() {
  try {
    const res = await fetch('examples/index.json');
    if (res.ok) manifest = await res.json();
  } catch { /* no examples: the buttons say so */ }
  const task = current();
  if (task) renderTaskFrame(task);
}

export function bindTasks() {
  onUpdateButtons(updateTaskButtons);
  const tabs = [...document.querySelectorAll('.task-tabs [role="tab"]')];
  for (const b of tabs) b.addEventListener('click', () => showTask(b.dataset.task));
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  document.querySelector('.task-tabs').addEventListener('keydown', (e) => {
    const i = tabs.findIndex((b) => b.dataset.task === state.task);
    const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
    if (j < 0) return;
    e.preventDefault();
    showTask(tabs[j].dataset.task);
    tabs[j].focus();
  });
  tform().addEventListener('input', taskSettingsChanged);
  tform().addEventListener('submit', (e) => e.preventDefault());
  $('skip-bad').addEventListener('change', () => { const task = current(); if (task) { renderData(task); updateButtons(); } });
  $('tdata-file').addEventListener('change', (e) => {
    const f = e.target.files?.[0];
    const task = current();
    if (f && task) useExamples(task, f.name, 'custom', f);
    e.target.value = '';
  });
  $('tdata-default').addEventListener('click', () => {
    const task = current();
    if (task) loadExampleData(task).catch((e) => showError(e.message, 'tdata'));
  });
  const dz = $('tdata-card');
  for (const t of ['dragenter', 'dragover']) dz.addEventListener(t, (e) => { e.preventDefault(); dz.classList.add('drag'); });
  dz.addEventListener('dragleave', (e) => { if (!dz.contains(e.relatedTarget)) dz.classList.remove('drag'); });
  dz.addEventListener('drop', (e) => {
    e.preventDefault();
    dz.classList.remove('drag');
    const f = e.dataTransfer?.files?.[0];
    const task = current();
    if (f && task) useExamples(task, f.name, 'custom', f);
  });
  window.addEventListener('hashchange', () => showTask(location.hash.slice(1)));
}

/** The tab the address names (#classify, #tag, #bycat, #translate), shown at start-up. */
export function showInitialTask() {
  const task = location.hash.slice(1) || state.task;
  if (isExampleTask(task)) showTask(task);
  else document.body.dataset.task = 'lm';
}

/** The worker was restarted: every task's run is gone (their autosaves can be restored). */
export function tasksWorkerRestarted() {
  for (const [task, t] of Object.entries(tasks)) {
    t.run = null;
    t.loadedModel = null;
    if (t.data) t.data.id = worker.nextCorpusId();
    Object.assign(t, { status: 'ready', detail: '' });
    if (state.task === task) paintStatus('ready');
  }
  toast('The training worker was restarted.');
}
