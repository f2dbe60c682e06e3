// The page: corpus, settings, training controls, charts, generation and persistence. All heavy work
// happens in worker.js; this thread only moves messages and paints, at most 4 times a second.
import uPlot from './vendor/uPlot.esm.js';
import { WorkerClient } from './protocol.js';
import * as store from './store.js';
import { estimateMemory, formatBytes, formatCount } from './estimate.js';

const $ = (id) => document.getElementById(id);
const AUTOSAVE_MS = 120_000;
const UI_INTERVAL_MS = 250;
const WORKER_START_MS = 60_000;  // loading and compiling the wasm module; generous for slow devices
const CHUNK_SECONDS = 0.2;
const MAX_POINTS = 3000;          // chart history is halved past this, so saves and redraws stay cheap
const DEFAULT_CORPUS = { name: 'Brown corpus (fiction)', url: 'corpus/brown.txt' };

const DEFAULTS = {
  tokenizer: 'char', lowercase: false, minCount: 1, cell: 'lstm', layers: 2, hidden: 128, embedding: 64,
  dropout: 0, seqLength: 64, batchSize: 32, optimizer: 'adam', learningRate: 0.002, schedule: 'constant', clipKind: 'norm', clipAt: 5,
  validationFraction: 0.05, seed: 1, steps: 2000, evalEvery: 100, sampleEvery: 100,
};
const PRESETS = {
  tiny: { tokenizer: 'char', lowercase: false, minCount: 1, cell: 'lstm', layers: 1, hidden: 64, embedding: 32, dropout: 0,
    seqLength: 32, batchSize: 16, optimizer: 'adam', learningRate: 0.01, clipKind: 'norm', clipAt: 5, steps: 1000, evalEvery: 50, sampleEvery: 50 },
  shakespeare: { tokenizer: 'char', lowercase: false, minCount: 1, cell: 'lstm', layers: 2, hidden: 192, embedding: 64, dropout: 0.1,
    seqLength: 64, batchSize: 32, optimizer: 'adam', learningRate: 0.002, clipKind: 'norm', clipAt: 5, steps: 5000, evalEvery: 200, sampleEvery: 100 },
  tv: { tokenizer: 'word', lowercase: true, minCount: 1, cell: 'lstm', layers: 2, hidden: 256, embedding: 200, dropout: 0,
    seqLength: 16, batchSize: 64, optimizer: 'adam', learningRate: 0.003, clipKind: 'value', clipAt: 1, steps: 3000, evalEvery: 100, sampleEvery: 100 },
};

const state = {
  status: 'loading',
  /** @type {{id: number, name: string, kind: 'default'|'custom', blob: Blob, stats: import('./protocol.js').CorpusStats} | null} */
  corpus: null,
  /** The training run: settings, progress and chart history. */
  run: null,
  loadedModel: null,   // {name, info} when generation uses a loaded file
  generating: false,
  features: null,
  savedRecord: null,   // the record the restore banner offers
};
let client = null;
let corpusSeq = 0;

// ---------------------------------------------------------------- errors and small helpers

const errorBox = $('error');
let errorWhere = null;
/** Shows the one visible error message inside the section it is about. */
function showError(message, where) {
  errorWhere = where;
  errorBox.textContent = message;
  $(`${where}-msg`).append(errorBox);
  errorBox.hidden = false;
}
function clearError(where) {
  if (!where || errorWhere === where) { errorBox.hidden = true; errorBox.textContent = ''; errorWhere = null; }
}

let toastTimer = 0;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3000);
}

const fmt = (x, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '–');
function duration(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
}
const time = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function setStatus(status, detail = '') {
  state.status = status;
  $('status').textContent = detail ? `${status} · ${detail}` : status;
  $('status-pill').dataset.status = status;
  document.body.dataset.status = status;
  updateButtons();
}

function updateButtons() {
  const s = state.status;
  const ready = client && s !== 'loading' && s !== 'starting';
  const busy = s === 'training' || s === 'paused' || s === 'pausing';
  $('train').disabled = !ready || busy || !state.corpus;
  // After a stop the same button continues the run (past its step target if that was reached).
  const canContinue = s === 'stopped' && !!state.run;
  $('pause').disabled = !(s === 'training' || s === 'paused' || canContinue);
  $('pause').textContent = s === 'paused' ? 'Resume' : canContinue ? 'Continue' : 'Pause';
  $('stop').disabled = !(s === 'training' || s === 'paused');
  const hasModel = !!(state.run || state.loadedModel);
  $('generate').disabled = !ready || !hasModel || state.generating;
  $('gen-stop').disabled = !state.generating;
  $('copy').disabled = !$('output').textContent;
  $('download-model').disabled = !ready || !hasModel;
  $('keep-model').disabled = !ready || !hasModel;
}

// ---------------------------------------------------------------- settings

const form = $('settings');
const F = form.elements;

function applySettings(s) {
  for (const [k, v] of Object.entries(s)) {
    if (k === 'learningRate') F.lrLog.value = String(Math.log10(v));
    else if (F[k]?.type === 'checkbox') F[k].checked = !!v;
    else if (F[k]) F[k].value = String(v);
  }
  settingsChanged();
}

function readSettings() {
  const num = (k) => Number(F[k].value);
  return {
    tokenizer: F.tokenizer.value, lowercase: F.lowercase.checked, minCount: num('minCount'),
    cell: F.cell.value, layers: num('layers'), hidden: num('hidden'), embedding: num('embedding'), dropout: num('dropout'),
    seqLength: num('seqLength'), batchSize: num('batchSize'), optimizer: F.optimizer.value,
    // The slider is log10(lr); two significant digits keep the numbers readable (0.002, not 0.001995).
    learningRate: Number((10 ** num('lrLog')).toPrecision(2)),
    schedule: F.schedule.value, clipKind: F.clipKind.value, clipAt: num('clipAt'), validationFraction: num('validationFraction'), seed: num('seed'),
    steps: num('steps'), evalEvery: num('evalEvery'), sampleEvery: num('sampleEvery'),
  };
}

/** @returns {import('./protocol.js').TrainerConfig} */
function trainerConfig(s) {
  const c = {
    tokenizer: s.tokenizer, lowercase: s.lowercase, minCount: s.minCount, cell: s.cell, layers: s.layers,
    hidden: s.hidden, embedding: s.embedding, dropout: s.dropout, seqLength: s.seqLength, batchSize: s.batchSize,
    optimizer: s.optimizer, learningRate: s.learningRate, schedule: schedule(s),
    validationFraction: s.validationFraction, seed: s.seed,
  };
  if (s.clipKind !== 'none') c.clip = { [s.clipKind]: s.clipAt };
  return c;
}

function schedule(s) {
  if (s.schedule === 'cosine') return { type: 'cosine', totalSteps: s.steps, minLearningRate: s.learningRate / 10 };
  if (s.schedule === 'step') return { type: 'step', stepSize: Math.max(1, Math.round(s.steps / 4)), gamma: 0.5 };
  return { type: 'constant' };
}

let analyzeTimer = 0;
let lastTokenSettings = '';
function settingsChanged() {
  const s = readSettings();
  $('lr-out').textContent = s.learningRate.toString();
  F.lowercase.disabled = s.tokenizer !== 'word'; // char level always keeps the text exactly
  F.clipAt.disabled = s.clipKind === 'none';
  // Vocabulary and token counts depend on these three: recount in the worker (debounced).
  const tokenKey = `${s.tokenizer}|${s.tokenizer === 'word' && s.lowercase}|${s.minCount}`;
  if (tokenKey !== lastTokenSettings && state.corpus && client) {
    clearTimeout(analyzeTimer);
    analyzeTimer = setTimeout(() => reanalyze(), 300);
  }
  lastTokenSettings = tokenKey;
  if (state.run && s.steps > 0) state.run.untilStep = Math.max(state.run.untilStep, s.steps);
  renderEstimate();
}

function renderEstimate() {
  const el = $('estimate');
  if (!state.corpus) { el.textContent = ''; return; }
  const s = readSettings();
  const { stats } = state.corpus;
  const m = estimateMemory(s, stats.vocab);
  const trainTokens = Math.floor(stats.tokens * (1 - s.validationFraction));
  const need = s.batchSize * s.seqLength + 1;
  el.classList.toggle('warn', trainTokens < need);
  el.innerHTML = '';
  const line = (text, cls) => { const p = document.createElement('span'); p.textContent = text; if (cls) p.className = cls; el.append(p); };
  line(`${formatCount(m.params)} parameters`, 'big');
  line(`≈ ${formatBytes(m.bytes)} memory (weights + optimizer ${formatBytes(m.weights)}, activations ${formatBytes(m.activations)})`);
  line(`vocabulary ${stats.vocab.toLocaleString('en-US')} · ${Math.max(0, Math.floor(trainTokens / (need - 1))).toLocaleString('en-US')} batches per epoch`);
  if (trainTokens < need) line(`The corpus is too short for one batch: ${trainTokens} training tokens, need ${need}.`, 'warn-text');
}

// ---------------------------------------------------------------- corpus

async function analyze(corpusId, blob) {
  const s = readSettings();
  return client.request('analyze', { corpusId, blob, tokenizer: s.tokenizer, lowercase: s.tokenizer === 'word' && s.lowercase, minCount: s.minCount });
}

/** Makes a new text the corpus, or explains why not and keeps the previous one. */
async function useCorpus(name, kind, blob) {
  const id = ++corpusSeq;
  $('corpus-card').classList.add('busy');
  try {
    const stats = await analyze(id, blob);
    if (id !== corpusSeq) return false; // a newer choice won
    const s = readSettings();
    const train = Math.floor(stats.tokens * (1 - s.validationFraction)), need = s.batchSize * s.seqLength + 1;
    if (train < need) {
      throw new Error(`The text is too short for one batch: ${train} training tokens, need ${need} `
        + `(batch size ${s.batchSize} × sequence length ${s.seqLength} + 1). Give more text or lower those settings.`);
    }
    state.corpus = { id, name, kind, blob, stats };
    clearError('corpus');
    renderCorpus();
    return true;
  } catch (e) {
    if (id !== corpusSeq) return false;
    const keep = state.corpus ? ` Still using “${state.corpus.name}”.` : '';
    showError(`“${name}”: ${e.message}${keep}`, 'corpus');
    return false;
  } finally {
    if (id === corpusSeq) $('corpus-card').classList.remove('busy');
  }
}

async function reanalyze() {
  const c = state.corpus;
  if (!c) return;
  try {
    c.stats = await analyze(c.id, c.blob);
    renderCorpus();
  } catch (e) {
    showError(e.message, 'corpus');
  }
}

function renderCorpus() {
  const c = state.corpus;
  $('corpus-name').textContent = c.name;
  const s = readSettings();
  $('corpus-stats').innerHTML = '';
  for (const [label, value] of [
    ['size', formatBytes(c.stats.bytes)], ['characters', c.stats.chars.toLocaleString('en-US')],
    [s.tokenizer === 'word' ? 'word tokens' : 'tokens', c.stats.tokens.toLocaleString('en-US')],
    ['vocabulary', c.stats.vocab.toLocaleString('en-US')],
  ]) {
    const span = document.createElement('span');
    span.innerHTML = '<b></b> ';
    span.firstChild.textContent = value;
    span.append(label);
    $('corpus-stats').append(span, ' '); // the space keeps textContent readable
  }
  if ($('prime').dataset.auto !== '0') { $('prime').value = c.stats.primeHint; $('prime').dataset.auto = '1'; }
  renderEstimate();
  updateButtons();
}

async function loadDefaultCorpus() {
  const res = await fetch(DEFAULT_CORPUS.url);
  if (!res.ok) throw new Error(`could not load ${DEFAULT_CORPUS.url} (HTTP ${res.status})`);
  return useCorpus(DEFAULT_CORPUS.name, 'default', await res.blob());
}

function bindCorpusInputs() {
  $('corpus-file').addEventListener('change', (e) => {
    const f = e.target.files?.[0];
    if (f) useCorpus(f.name, 'custom', f);
    e.target.value = ''; // choosing the same file again must fire again
  });
  $('corpus-default').addEventListener('click', () => loadDefaultCorpus().catch((e) => showError(e.message, 'corpus')));
  $('corpus-use-text').addEventListener('click', () => {
    useCorpus('Pasted text', 'custom', new Blob([$('corpus-text').value], { type: 'text/plain' }));
  });
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

// ---------------------------------------------------------------- charts

const css = getComputedStyle(document.documentElement);
const color = (name) => css.getPropertyValue(name).trim();
const charts = {};

function makeChart(key, series) {
  const fig = $(`chart-${key}`);
  const el = fig.querySelector('.plot');
  const axis = { stroke: color('--muted'), grid: { stroke: color('--grid'), width: 1 }, ticks: { stroke: color('--grid'), width: 1 }, font: '11px system-ui, sans-serif' };
  const u = new uPlot({
    width: Math.max(200, el.clientWidth), height: 150,
    padding: [8, 18, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: { x: { time: false } },
    axes: [{ ...axis }, { ...axis, size: 44 }],
    series: [{}, ...series.map((s) => ({
      stroke: s.stroke, width: 2, spanGaps: true,
      points: { show: !!s.points, size: 5, fill: s.stroke },
    }))],
  }, [[], ...series.map(() => [])], el);
  charts[key] = { u, fig };
  new ResizeObserver(() => {
    const w = el.clientWidth;
    if (w > 0 && Math.abs(w - u.width) > 2) u.setSize({ width: w, height: 150 });
  }).observe(el);
}

function setupCharts() {
  makeChart('loss', [{ stroke: color('--accent') }, { stroke: color('--accent-2'), points: true }]);
  makeChart('ppl', [{ stroke: color('--accent-2'), points: true }]);
  makeChart('grad', [{ stroke: color('--accent-3') }]);
}

function drawCharts() {
  const h = state.run?.history ?? emptyHistory();
  const set = (key, data, points) => { charts[key].u.setData(data); charts[key].fig.dataset.points = String(points); };
  set('loss', [h.step, h.loss, h.val], h.step.length);
  set('ppl', [h.step, h.ppl], h.ppl.filter((v) => v != null).length);
  set('grad', [h.step, h.grad], h.step.length);
}

const emptyHistory = () => ({ step: [], loss: [], grad: [], val: [], ppl: [] });

/** Halve the history by merging neighbours: keeps the whole run visible at a bounded cost. */
function compact(h) {
  const out = emptyHistory();
  for (let i = 0; i < h.step.length; i += 2) {
    const j = Math.min(i + 1, h.step.length - 1);
    const mean = (a) => (a[i] != null && a[j] != null ? (a[i] + a[j]) / 2 : a[j] ?? a[i]);
    out.step.push(h.step[j]); out.loss.push(mean(h.loss)); out.grad.push(mean(h.grad));
    out.val.push(h.val[j] ?? h.val[i]); out.ppl.push(h.ppl[j] ?? h.ppl[i]);
  }
  return out;
}

// ---------------------------------------------------------------- rendering (throttled)

let renderTimer = 0;
function scheduleRender() {
  if (!renderTimer) renderTimer = setTimeout(() => { renderTimer = 0; render(); }, UI_INTERVAL_MS);
}

function render() {
  const r = state.run;
  $('step').textContent = String(r?.step ?? 0);
  $('step-of').textContent = r ? ` / ${r.untilStep}` : '';
  $('epoch').textContent = r?.epoch != null ? r.epoch.toFixed(2) : '–';
  $('loss').textContent = fmt(r?.loss);
  $('val-loss').textContent = fmt(r?.valLoss);
  $('val-ppl').textContent = fmt(r?.valPpl, 2);
  $('tps').textContent = r?.tps ? Math.round(r.tps).toLocaleString('en-US') : '–';
  $('elapsed').textContent = r ? duration(r.elapsed) : '–';
  const left = r ? r.untilStep - r.step : 0;
  $('eta').textContent = r && state.status === 'training' && r.sps > 0 ? duration(left / r.sps) : left <= 0 && r ? 'done' : '–';
  $('progress-bar').style.width = r ? `${Math.min(100, (100 * r.step) / r.untilStep)}%` : '0';
  if (r?.sampleDirty) { renderSample(r.sample); r.sampleDirty = false; }
  drawCharts();
  renderHeap();
}

function renderSample(s) {
  const box = $('samples');
  box.innerHTML = '';
  $('sample-step').textContent = s ? `at step ${s.step}` : '';
  if (!s) return;
  const add = (label, text, cls) => {
    const row = document.createElement('div');
    row.className = `sample ${cls}`;
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = label;
    const p = document.createElement('p');
    // The text starts with the prime (normalised, e.g. lower-cased): set it apart.
    const n = s.prime && text.toLowerCase().startsWith(s.prime.toLowerCase()) ? s.prime.length : 0;
    const b = document.createElement('b');
    b.textContent = text.slice(0, n);
    p.append(b, text.slice(n));
    row.append(tag, p);
    box.append(row);
  };
  if (s.error) { add('error', s.error, 'err'); return; }
  add('greedy', s.greedy, 'greedy');
  s.sampled.forEach((t) => add('T 0.8', t, 'sampled'));
}

// ---------------------------------------------------------------- training

function newRun(settings, info, corpus) {
  return {
    settings, info, untilStep: settings.steps, step: info.step ?? 0, epoch: 0, loss: NaN, valLoss: NaN, valPpl: NaN,
    tps: 0, sps: 0, elapsed: 0, history: emptyHistory(), sample: null, sampleDirty: false,
    corpus: { kind: corpus.kind, name: corpus.name, bytes: corpus.stats.bytes },
  };
}

function runNote() {
  const r = state.run;
  if (!r) { $('run-note').textContent = ''; return; }
  const s = r.settings;
  $('run-note').textContent = `${s.cell.toUpperCase()} ${s.layers}×${s.hidden} · ${s.tokenizer} · ${formatCount(r.info.parameters)} params · vocab ${r.info.vocabSize}`;
}

async function startTraining() {
  if (!state.corpus) return;
  clearError(); // a new run starts with a clean slate
  const settings = readSettings();
  const prev = state.status;
  setStatus('starting');
  let info;
  try {
    info = await client.request('create', { config: trainerConfig(settings), corpusId: state.corpus.id, blob: state.corpus.blob });
  } catch (e) {
    setStatus(prev === 'loading' ? 'ready' : prev);
    showError(`Could not start training: ${e.message}`, 'train');
    return;
  }
  state.run = newRun(settings, info, state.corpus);
  state.loadedModel = null;
  runNote();
  renderGenModel();
  render();
  // Keep the corpus with the run so a reload can resume on exactly the same text.
  store.saveCorpus({ kind: state.corpus.kind, name: state.corpus.name, blob: state.corpus.kind === 'custom' ? state.corpus.blob : null })
    .catch(() => {});
  hideRestore();
  train();
}

let stopRequested = false;
let lastAutosave = 0;

async function train() {
  const r = state.run;
  if (r.step >= r.untilStep) r.untilStep = r.step + readSettings().steps;
  stopRequested = false;
  setStatus('training');
  lastAutosave = performance.now();
  const s = r.settings;
  const sample = { prime: state.corpus?.stats.primeHint ?? '', length: s.tokenizer === 'word' ? 40 : 160 };
  let result;
  try {
    result = await client.request('train', {
      untilStep: r.untilStep, chunkSeconds: CHUNK_SECONDS, evalEvery: s.evalEvery, sampleEvery: s.sampleEvery, sample,
    }, { onEvent: (m) => onTrainEvent(r, m) });
  } catch (e) {
    if (state.run !== r || crashing) return;
    setStatus('error');
    showError(`Training failed: ${e.message}`, 'train');
    return;
  }
  if (state.run !== r) return;
  render();
  if (stopRequested) setStatus('stopped');
  else if (result.reason === 'done') setStatus('stopped', 'done');
  else setStatus('paused');
  await autosave();
}

function onTrainEvent(r, m) {
  const h = r.history;
  if (m.type === 'progress') {
    r.step = m.step;
    r.epoch = r.info.batchesPerEpoch ? m.step / r.info.batchesPerEpoch : m.epoch;
    r.loss = m.loss;
    r.tps = m.tokensPerSecond;
    r.sps = r.sps ? 0.8 * r.sps + 0.2 * m.stepsPerSecond : m.stepsPerSecond;
    r.elapsed += m.seconds;
    if (m.heapBytes) r.heapBytes = m.heapBytes;
    h.step.push(m.step); h.loss.push(m.loss); h.grad.push(m.gradNorm); h.val.push(null); h.ppl.push(null);
    if (h.step.length > MAX_POINTS) r.history = compact(h);
    if (performance.now() - lastAutosave > AUTOSAVE_MS) autosave();
  } else if (m.type === 'eval') {
    r.valLoss = m.loss;
    r.valPpl = m.perplexity;
    const i = h.step.length - 1;
    if (i >= 0 && h.step[i] === m.step) { h.val[i] = m.loss; h.ppl[i] = m.perplexity; }
    else { h.step.push(m.step); h.loss.push(null); h.grad.push(null); h.val.push(m.loss); h.ppl.push(m.perplexity); }
  } else if (m.type === 'sample') {
    r.sample = m;
    r.sampleDirty = true;
  }
  scheduleRender();
}

async function pauseOrResume() {
  if (state.status === 'training') {
    setStatus('pausing');
    await client.request('pause');
  } else if (state.status === 'paused' || (state.status === 'stopped' && state.run)) {
    train();
  }
}

async function stop() {
  if (state.status === 'training') {
    stopRequested = true;
    setStatus('pausing');
    await client.request('pause');
  } else if (state.status === 'paused') {
    setStatus('stopped');
  }
}

let saving = null;
/** Checkpoint + settings + history -> IndexedDB, so a reload or a crash can resume exactly. */
async function autosave() {
  const r = state.run;
  if (!r || saving) return saving;
  lastAutosave = performance.now();
  saving = (async () => {
    try {
      const { bytes, step } = await client.request('save', { source: 'run' });
      await store.saveRun({
        settings: r.settings, checkpoint: new Uint8Array(bytes), step, untilStep: r.untilStep, info: r.info,
        history: r.history, stats: { loss: r.loss, valLoss: r.valLoss, valPpl: r.valPpl, epoch: r.epoch, tps: r.tps },
        sample: r.sample, corpus: r.corpus, elapsed: r.elapsed, savedAt: Date.now(),
      });
      $('autosave-note').textContent = `Run saved in this browser at ${time(Date.now())} (step ${step}). It is saved every 2 minutes and whenever you pause or stop.`;
    } catch (e) {
      if (!crashing) toast(`Could not save the run: ${e.message}`);
    } finally {
      saving = null;
    }
  })();
  return saving;
}

// ---------------------------------------------------------------- restore

function hideRestore() { $('restore-banner').hidden = true; state.savedRecord = null; }

/** Shows the restore banner for the last saved run; false when there is none. */
async function offerRestore(reason) {
  let rec;
  try { rec = await store.loadRun(); } catch { return false; }
  if (!rec) return false;
  state.savedRecord = rec;
  const s = rec.settings;
  const when = new Date(rec.savedAt).toLocaleString();
  $('restore-text').textContent = `${reason === 'crash' ? 'The training worker crashed and was restarted. ' : ''}`
    + `Saved run: ${s.cell.toUpperCase()} ${s.layers}×${s.hidden}, ${s.tokenizer} level, on “${rec.corpus.name}”, `
    + `step ${rec.step}, loss ${fmt(rec.stats.loss)} (saved ${when}). Restore it to continue exactly where it stopped.`;
  $('restore-banner').hidden = false;
  return true;
}

async function restore() {
  const rec = state.savedRecord;
  if (!rec) return;
  $('restore').disabled = true;
  clearError('train');
  try {
    applySettings({ ...rec.settings });
    // The same text as the run trained on: the default corpus is rebuilt byte for byte, custom text is stored.
    if (rec.corpus.kind === 'default') {
      if (state.corpus?.kind !== 'default') await loadDefaultCorpus();
    } else {
      const c = await store.loadCorpus();
      if (!c?.blob) throw new Error('the corpus of that run is no longer stored');
      if (!(await useCorpus(c.name, 'custom', c.blob))) throw new Error('its corpus could not be read');
    }
    setStatus('starting');
    const resumeFrom = rec.checkpoint.slice().buffer;
    const info = await client.request('create', {
      config: trainerConfig(rec.settings), corpusId: state.corpus.id, blob: state.corpus.blob, resumeFrom,
    }, { transfer: [resumeFrom] });
    const r = newRun(rec.settings, info, state.corpus);
    Object.assign(r, {
      untilStep: rec.untilStep, step: info.step ?? rec.step, epoch: rec.stats.epoch, loss: rec.stats.loss,
      valLoss: rec.stats.valLoss, valPpl: rec.stats.valPpl, tps: rec.stats.tps, elapsed: rec.elapsed,
      history: rec.history, sample: rec.sample, sampleDirty: true,
    });
    state.run = r;
    state.loadedModel = null;
    hideRestore();
    runNote();
    renderGenModel();
    setStatus('paused');
    render();
    toast(`Restored the run at step ${r.step}.`);
  } catch (e) {
    setStatus(state.run ? 'paused' : 'ready');
    showError(`Could not restore the run: ${e.message}`, 'train');
  } finally {
    $('restore').disabled = false;
  }
}

// ---------------------------------------------------------------- generation

// namedItem: the collection's own .length would shadow the field called length.
const gen = (k) => $('gen-form').elements.namedItem(k);
let outText = null;
let outPending = '';
let outTimer = 0;

function renderGenModel() {
  const el = $('gen-model');
  el.innerHTML = '';
  if (state.loadedModel) {
    const { name, info } = state.loadedModel;
    el.textContent = `Using the loaded model “${name}”${info?.vocabSize ? ` (vocabulary ${info.vocabSize})` : ''}. `;
    if (state.run) {
      const b = document.createElement('button');
      b.type = 'button'; b.className = 'link'; b.textContent = 'Use the training run instead';
      b.onclick = async () => { await client.request('useTrainer'); state.loadedModel = null; renderGenModel(); };
      el.append(b);
    }
  } else if (state.run) {
    el.textContent = 'Using the model of the current training run (it keeps learning while you generate).';
  } else {
    el.textContent = 'No model yet: train one, or load a .safetensors file below.';
  }
  updateButtons();
}

function flushOutput() {
  outTimer = 0;
  if (outPending) { outText.appendData(outPending); outPending = ''; }
  const o = $('output');
  o.scrollTop = o.scrollHeight;
}

async function generate() {
  const prime = gen('prime').value;
  if (!prime) { showError('Enter a prime text: the model continues from it.', 'gen'); return; }
  clearError('gen');
  const num = (k) => Number(gen(k).value);
  const options = { prime, length: num('length'), temperature: num('temperature'), seed: num('seed') };
  if (num('topK') > 0) options.topK = num('topK');
  if (num('topP') > 0 && num('topP') < 1) options.topP = num('topP');
  const out = $('output');
  out.textContent = '';
  outText = document.createTextNode(''); // the core's stream starts with the (normalised) prime
  out.append(outText);
  out.classList.add('live');
  state.generating = true;
  updateButtons();
  $('gen-note').textContent = 'generating…';
  const t0 = performance.now();
  try {
    const r = await client.request('generate', { options }, {
      onEvent: (m) => { outPending += m.text; outTimer ||= setTimeout(flushOutput, 100); },
    });
    const ms = performance.now() - t0;
    $('gen-note').textContent = `${r.stopped ? 'stopped' : 'done'} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}`;
  } catch (e) {
    if (!crashing) showError(`Generation failed: ${e.message}`, 'gen');
    $('gen-note').textContent = '';
  } finally {
    clearTimeout(outTimer);
    flushOutput();
    out.classList.remove('live');
    state.generating = false;
    updateButtons();
  }
}

async function copyOutput() {
  const text = $('output').textContent;
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied to the clipboard.');
  } catch {
    // Clipboard permission denied (e.g. not focused): select the text so Ctrl+C works.
    const range = document.createRange();
    range.selectNodeContents($('output'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    toast('Text selected: press Ctrl+C to copy.');
  }
}

// ---------------------------------------------------------------- models: download, load, keep

function modelName() {
  const r = state.run;
  if (!r || state.loadedModel) return (state.loadedModel?.name ?? 'model.safetensors').replace(/(\.safetensors)?$/, '.safetensors');
  const s = r.settings;
  return `rnn-${s.cell}-${s.layers}x${s.hidden}-${s.tokenizer}-step${r.step}.safetensors`;
}

async function download() {
  clearError('models');
  try {
    const name = modelName();
    const { bytes } = await client.request('save', { source: 'active' });
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showError(`Download failed: ${e.message}`, 'models');
  }
}

/** Validates the bytes with loadModel() in the worker; only then does generation switch to them. */
async function loadModelBytes(name, bytes) {
  clearError('models');
  try {
    const buf = bytes.slice().buffer;
    const { info } = await client.request('loadModel', { bytes: buf }, { transfer: [buf] });
    state.loadedModel = { name, info };
    renderGenModel();
    toast(`Loaded “${name}”: generate from it below.`);
    return true;
  } catch (e) {
    showError(`“${name}” is not a usable model: ${e.message} Nothing was changed.`, 'models');
    return false;
  }
}

async function keepModel() {
  clearError('models');
  try {
    const name = modelName();
    const { bytes } = await client.request('save', { source: 'active' });
    const r = state.run;
    const meta = { name, savedAt: Date.now(), size: bytes.byteLength,
      detail: r && !state.loadedModel ? `step ${r.step} · loss ${fmt(r.loss, 3)}` : 'loaded file' };
    await store.addModel(meta, new Uint8Array(bytes));
    await renderModelList();
    toast('Saved to the list.');
  } catch (e) {
    showError(`Could not save the model: ${e.message}`, 'models');
  }
}

async function renderModelList() {
  const ul = $('model-list');
  let models = [];
  try { models = await store.listModels(); } catch { /* IndexedDB unavailable: the list stays empty */ }
  ul.innerHTML = '';
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
    const btn = (label, aria, testid, fn) => {
      const b = document.createElement('button');
      b.type = 'button'; b.textContent = label; b.setAttribute('aria-label', `${aria} ${m.name}`);
      b.dataset.testid = testid;
      b.onclick = fn;
      actions.append(b);
    };
    btn('Use', 'Generate with', 'saved-model-load', async () => { const bytes = await store.modelBytes(m.id); if (bytes) loadModelBytes(m.name, bytes); });
    btn('Download', 'Download', 'saved-model-download', async () => {
      const bytes = await store.modelBytes(m.id);
      const url = URL.createObjectURL(new Blob([bytes]));
      Object.assign(document.createElement('a'), { href: url, download: m.name }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
    btn('Delete', 'Delete', 'saved-model-delete', async () => { await store.deleteModel(m.id); renderModelList(); });
    li.append(info, actions);
    ul.append(li);
  }
}

// ---------------------------------------------------------------- capabilities

function renderFeatures() {
  const f = state.features ?? {};
  const dl = $('features');
  dl.innerHTML = '';
  const yes = (v) => (v ? 'yes' : 'no');
  const rows = [
    ['SIMD (wasm128)', yes(f.simd)],
    ['Threads', threadsText(f)],
    ['Core build', [f.version, f.build].filter(Boolean).join(' · ') || '–'],
    ['Kernels', f.simdArch ?? '–'],
    ['CPU cores', String(navigator.hardwareConcurrency ?? '–')],
    ['Heap in use', '–'],
  ];
  if (f.modelFormatVersion != null) rows.push(['Model file format', `v${f.modelFormatVersion}`]);
  for (const [k, v] of rows) {
    const d = document.createElement('div');
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    if (v === 'yes') dd.className = 'ok';
    if (k === 'Heap in use') dd.id = 'heap';
    d.append(dt, dd);
    dl.append(d);
  }
  renderHeap();
}

/** "2 of 2 (pthreads build)", or "1 (page not cross-origin isolated)" when the single-threaded build runs. */
function threadsText(f) {
  if (f.threads && f.threadCount) return `${f.threadCount} of ${f.maxThreads} (pthreads build)`;
  if (f.threads === undefined) return '–';
  return `1 (${crossOriginIsolated ? 'single-threaded build' : 'page not cross-origin isolated'})`;
}

let lastHeap = 0;
function renderHeap() {
  const el = $('heap');
  if (!el || performance.now() - lastHeap < 2000) return;
  lastHeap = performance.now();
  const f = state.features ?? {};
  const wasm = state.run?.heapBytes || f.heapBytes;
  const [bytes, what] = wasm ? [wasm, 'wasm heap'] : performance.memory ? [performance.memory.usedJSHeapSize, 'page JS heap'] : [];
  if (!bytes) return;
  el.textContent = `${formatBytes(bytes)} `;
  const small = document.createElement('small');
  small.textContent = what;
  el.append(small);
}

// ---------------------------------------------------------------- worker lifecycle

let crashing = false;

async function startWorker() {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  client = new WorkerClient(w, { onFatal: (msg) => workerCrashed(msg) });
  w.addEventListener('error', (e) => { e.preventDefault(); workerCrashed(e.message || 'the worker script failed'); });
  // A worker that dies while starting (its 'error' may arrive while a crash is being handled)
  // would never answer: give up after a while so the page can say so.
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker did not start within ${WORKER_START_MS / 1000} s`)), WORKER_START_MS);
  });
  const { features } = await Promise.race([client.request('init'), timeout]).finally(() => clearTimeout(timer));
  state.features = features;
  renderFeatures();
}

/** The worker died (wasm trap, out of memory, script error): restart it and offer the last autosave. */
async function workerCrashed(message) {
  if (crashing) return;
  crashing = true;
  const old = client;
  client = null;
  old.fail(`the training worker stopped (${message})`);
  old.worker.terminate();
  state.run = null;
  state.loadedModel = null;
  state.generating = false;
  setStatus('error');
  showError(`The training worker crashed: ${message}. Restarting it…`, 'train');
  try {
    await startWorker();
    // The worker's corpus cache is gone: re-send the current corpus under a fresh id.
    if (state.corpus) state.corpus.id = ++corpusSeq;
    if (await offerRestore('crash')) {
      showError(`The training worker crashed: ${message}. It was restarted; restore the last saved run to continue.`, 'train');
      $('restore-banner').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    } else {
      showError(`The training worker crashed: ${message}. It was restarted, but no run was saved yet: start training again.`, 'train');
    }
  } catch (e) {
    showError(`The training worker crashed and could not be restarted: ${e.message}`, 'train');
  } finally {
    crashing = false;
    renderGenModel();
    updateButtons();
  }
}

// ---------------------------------------------------------------- start-up

function bind() {
  bindCorpusInputs();
  form.addEventListener('input', settingsChanged);
  form.addEventListener('submit', (e) => e.preventDefault());
  $('gen-form').addEventListener('submit', (e) => { e.preventDefault(); generate(); });
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.addEventListener('click', () => { applySettings(PRESETS[b.dataset.preset]); toast(`Preset “${b.textContent}” applied.`); });
  }
  $('train').addEventListener('click', startTraining);
  $('pause').addEventListener('click', pauseOrResume);
  $('stop').addEventListener('click', stop);
  $('prime').addEventListener('input', () => { $('prime').dataset.auto = '0'; });
  $('generate').addEventListener('click', generate);
  $('gen-stop').addEventListener('click', () => client.request('stopGenerate'));
  $('copy').addEventListener('click', copyOutput);
  $('download-model').addEventListener('click', download);
  $('keep-model').addEventListener('click', keepModel);
  $('load-model').addEventListener('change', async (e) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (f) loadModelBytes(f.name, new Uint8Array(await f.arrayBuffer()));
  });
  $('restore').addEventListener('click', restore);
  $('restore-discard').addEventListener('click', async () => { hideRestore(); await store.deleteRun().catch(() => {}); });
  // Save on the way out too (best effort: the page may be gone before IndexedDB finishes).
  document.addEventListener('visibilitychange', () => { if (document.hidden && state.status === 'training') autosave(); });
}

// Start-up work is split over several tasks so that no single one blocks the page for long.
const nextTask = () => new Promise((r) => setTimeout(r, 0));

async function main() {
  applySettings(DEFAULTS);
  bind();
  await nextTask();
  setupCharts();
  await nextTask();
  render();
  try {
    await startWorker();
  } catch (e) {
    setStatus('error');
    showError(`The WebAssembly module could not be loaded: ${e.message}`, 'train');
    return;
  }
  try {
    await loadDefaultCorpus();
  } catch (e) {
    showError(`The default corpus could not be loaded (${e.message}). Choose or paste a text instead.`, 'corpus');
  }
  setStatus('ready');
  renderGenModel();
  await Promise.all([offerRestore('reload'), renderModelList()]);
}

main();
