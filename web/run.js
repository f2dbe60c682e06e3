// The training run: start, train (the worker runs the loop, see rnn-wasm/loop.js), pause, stop,
// the metrics and samples it shows, autosave to IndexedDB and restore after a reload or a crash.
import * as store from './store.js';
import { $, clearError, clockTime, duration, fixed, formatCount, formatInteger, noValidationNote, showError, toast } from './ui.js';
import { setStatus, state, updateButtons, worker } from './state.js';
import { readSettings, trainerConfig, applySettings } from './settings.js';
import { refreshAutoSize } from './auto-size.js';
import { addEvaluation, addProgress, bounded, drawCharts, emptyHistory, showGuard } from './charts.js';
import { loadDefaultCorpus, setValidationFile, useCorpus } from './corpus.js';
import { renderGenModel } from './generate.js';
import { renderHeap } from './capabilities.js';
import { diagnosticsEvery, diagnosticsText, onTrainDiagnostics, onTrainProgress } from './inspect.js';

const AUTOSAVE_SECONDS = 120;   // the worker sends a checkpoint this often while training
const RENDER_INTERVAL_MS = 250; // the page repaints at most 4 times a second
const CHUNK_SECONDS = 0.2;      // training between the worker's progress messages

// ---------------------------------------------------------------- metrics and samples (throttled)

let renderTimer = 0;
function scheduleRender() {
  if (!renderTimer) renderTimer = setTimeout(() => { renderTimer = 0; render(); }, RENDER_INTERVAL_MS);
}

/** Paints the run's metrics, progress bar, latest sample and charts. */
export function render() {
  const r = state.run;
  $('step').textContent = String(r?.step ?? 0);
  $('step-of').textContent = r ? ` / ${r.untilStep}` : '';
  $('epoch').textContent = r?.epoch != null ? r.epoch.toFixed(2) : '–';
  $('loss').textContent = fixed(r?.loss);
  $('val-loss').textContent = fixed(r?.valLoss);
  $('best').textContent = r?.best ? `step ${r.best.step}, loss ${fixed(r.best.loss)}` : '–';
  showGuard($('guard-notice'), r?.guard);
  $('val-ppl').textContent = fixed(r?.valPpl, 2);
  $('tps').textContent = r?.tps ? formatInteger(Math.round(r.tps)) : '–';
  $('elapsed').textContent = r ? duration(r.elapsed) : '–';
  const left = r ? r.untilStep - r.step : 0;
  $('eta').textContent = r && state.status === 'training' && r.sps > 0 ? duration(left / r.sps) : left <= 0 && r ? 'done' : '–';
  $('progress-bar').style.width = r ? `${Math.min(100, (100 * r.step) / r.untilStep)}%` : '0';
  if (r?.sampleDirty) { renderSample(r.sample); r.sampleDirty = false; }
  drawCharts(r?.history);
  renderHeap();
}

function renderSample(s) {
  const box = $('samples');
  box.replaceChildren();
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
    corpus: { kind: corpus.kind, name: corpus.name, bytes: corpus.analysis.bytes },
  };
}

function runNote() {
  const r = state.run;
  const why = noValidationNote(r?.info);
  $('validation-note').textContent = why;
  $('validation-note').hidden = !why;
  if (!r) { $('run-note').textContent = ''; return; }
  const s = r.settings;
  // A validation file (validationUnknownTokens is only there then) is named with its tokens.
  const v = r.info.validationUnknownTokens === undefined ? '' : ` · validation file: ${formatInteger(r.info.validationTokens)} tokens`;
  $('run-note').textContent = `${s.cell.toUpperCase()} ${s.layers}×${s.hidden} · ${s.tokenizer} · ${formatCount(r.info.parameters)} params · vocab ${r.info.vocabSize}${v}`;
}

/** A raised step target in the settings extends the current run. */
export function runSettingsChanged(settings) {
  if (state.run && settings.steps > 0) state.run.untilStep = Math.max(state.run.untilStep, settings.steps);
}

/** The Train button: a new run with the current settings on the current corpus. */
export async function startTraining() {
  if (!state.corpus) return;
  clearError(); // a new run starts with a clean slate
  await refreshAutoSize(); // size 'auto': chosen for this very corpus and these settings
  const settings = readSettings();
  const prev = state.status;
  setStatus('starting');
  let info;
  try {
    info = await worker.client.request('create', { config: trainerConfig(settings), corpusId: state.corpus.id, blob: state.corpus.blob, validationBlob: state.validation?.blob });
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
  store.saveCorpus({ kind: state.corpus.kind, name: state.corpus.name, blob: state.corpus.kind === 'custom' ? state.corpus.blob : null, validation: state.validation ?? null })
    .catch(() => {});
  hideRestore();
  train();
}

let stopRequested = false;

async function train() {
  const r = state.run;
  if (worker.trainingSlot && worker.trainingSlot !== 'lm') {
    toast('Another tab is training: pause it first (one run trains at a time).');
    return;
  }
  if (r.step >= r.untilStep) r.untilStep = r.step + readSettings().steps;
  stopRequested = false;
  worker.trainingSlot = 'lm';
  setStatus('training');
  const s = r.settings;
  const sample = { prime: state.corpus?.analysis.primeHint ?? '', length: s.tokenizer === 'word' ? 40 : 160 };
  let result;
  try {
    result = await worker.client.request('train', {
      untilStep: r.untilStep, chunkSeconds: CHUNK_SECONDS, evalEvery: s.evalEvery, sampleEvery: s.sampleEvery,
      checkpointSeconds: AUTOSAVE_SECONDS, sample, diagnosticsEvery: diagnosticsEvery(), diagnosticsText: diagnosticsText(),
    }, { onEvent: (m) => onTrainEvent(r, m) });
  } catch (e) {
    if (state.run !== r || worker.crashing) return;
    worker.trainingSlot = null;
    setStatus('error');
    showError(`Training failed: ${e.message}`, 'train');
    return;
  }
  if (worker.trainingSlot === 'lm') worker.trainingSlot = null;
  if (state.run !== r) return;
  render();
  if (stopRequested) setStatus('stopped');
  else if (result.reason === 'done') setStatus('stopped', 'done');
  else setStatus('paused');
  await autosave();
}

/** @param {import('./protocol.js').WorkerMessage} m */
function onTrainEvent(r, m) {
  if (m.type === 'progress') {
    r.step = m.step;
    r.epoch = r.info.batchesPerEpoch ? m.step / r.info.batchesPerEpoch : m.epoch;
    r.loss = m.loss;
    r.tps = m.tokensPerSecond;
    r.sps = r.sps ? 0.8 * r.sps + 0.2 * m.stepsPerSecond : m.stepsPerSecond;
    r.elapsed += m.seconds;
    if (m.heapBytes) r.heapBytes = m.heapBytes;
    if (m.guard) r.guard = { events: m.guardEvents, reason: m.guard, step: m.step };
    addProgress(r.history, m);
    onTrainProgress(m);
    r.history = bounded(r.history);
  } else if (m.type === 'eval') {
    r.valLoss = m.loss;
    r.valPpl = m.perplexity;
    if (m.best) {
      const first = !r.best;
      r.best = { step: m.best.step, loss: m.best.loss };
      if (first) updateButtons(); // "Download best" and "Generate with best" can act now
    }
    addEvaluation(r.history, m);
  } else if (m.type === 'sample') {
    r.sample = m;
    r.sampleDirty = true;
  } else if (m.type === 'diagnostics') {
    onTrainDiagnostics(m);
  } else if (m.type === 'checkpoint') {
    saveRun(async () => m); // the worker's periodic checkpoint, sent every AUTOSAVE_SECONDS of training
  }
  scheduleRender();
}

/** The Pause button: pause, resume, or continue a stopped run. */
export async function pauseOrResume() {
  if (state.status === 'training') {
    setStatus('pausing');
    await worker.client.request('pause');
  } else if (state.status === 'paused' || (state.status === 'stopped' && state.run)) {
    train();
  }
}

export async function stop() {
  if (state.status === 'training') {
    stopRequested = true;
    setStatus('pausing');
    await worker.client.request('pause');
  } else if (state.status === 'paused') {
    setStatus('stopped');
  }
}

// ---------------------------------------------------------------- autosave

let saving = null;

/**
 * Checkpoint + settings + history -> IndexedDB, so a reload or a crash can resume exactly.
 * `checkpoint()` resolves to {bytes, step}. One save at a time: a save under way is waited for instead.
 */
function saveRun(checkpoint) {
  const r = state.run;
  if (!r || saving) return saving;
  saving = (async () => {
    try {
      const { bytes, step } = await checkpoint();
      await store.saveRun({
        settings: r.settings, checkpoint: new Uint8Array(bytes), step, untilStep: r.untilStep, info: r.info,
        history: r.history, stats: { loss: r.loss, valLoss: r.valLoss, valPpl: r.valPpl, epoch: r.epoch, tps: r.tps },
        sample: r.sample, corpus: r.corpus, elapsed: r.elapsed, savedAt: Date.now(),
      });
      $('autosave-note').textContent = `Run saved in this browser at ${clockTime(Date.now())} (step ${step}). It is saved every 2 minutes and whenever you pause or stop.`;
    } catch (e) {
      if (!worker.crashing) toast(`Could not save the run: ${e.message}`);
    } finally {
      saving = null;
    }
  })();
  return saving;
}

/** Saves the run now (pause, stop, leaving the page), with a checkpoint asked of the worker. */
export const autosave = () => saveRun(() => worker.client.request('save', { source: 'run' }));

// ---------------------------------------------------------------- restore

export function hideRestore() { $('restore-banner').hidden = true; state.savedRecord = null; }

/** Shows the restore banner for the last saved run; false when there is none. */
export async function offerRestore(reason) {
  let rec;
  try { rec = await store.loadRun(); } catch { return false; }
  if (!rec) return false;
  state.savedRecord = rec;
  const s = rec.settings;
  const when = new Date(rec.savedAt).toLocaleString();
  $('restore-text').textContent = `${reason === 'crash' ? 'The training worker crashed and was restarted. ' : ''}`
    + `Saved run: ${s.cell.toUpperCase()} ${s.layers}×${s.hidden}, ${s.tokenizer} level, on “${rec.corpus.name}”, `
    + `step ${rec.step}, loss ${fixed(rec.stats.loss)} (saved ${when}). Restore it to continue exactly where it stopped.`;
  $('restore-banner').hidden = false;
  return true;
}

/** The Restore button: the saved settings, corpus and checkpoint, resumed exactly (paused). */
export async function restore() {
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
    setValidationFile((await store.loadCorpus())?.validation?.blob ?? null); // the run's validation file, if it had one
    const resumeFrom = rec.checkpoint.slice().buffer;
    const info = await worker.client.request('create', {
      config: trainerConfig(rec.settings), corpusId: state.corpus.id, blob: state.corpus.blob, resumeFrom, validationBlob: state.validation?.blob,
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

/** Forgets the saved run (the banner's Discard). */
export async function discardSavedRun() {
  hideRestore();
  await store.deleteRun().catch(() => {});
}

/** Wires the train card's buttons, the restore banner, and a save when the page is hidden. */
export function bindRun() {
  $('train').addEventListener('click', startTraining);
  $('pause').addEventListener('click', pauseOrResume);
  $('stop').addEventListener('click', stop);
  $('restore').addEventListener('click', restore);
  $('restore-discard').addEventListener('click', discardSavedRun);
  // Save on the way out too (best effort: the page may be gone before IndexedDB finishes).
  document.addEventListener('visibilitychange', () => { if (document.hidden && state.status === 'training') autosave(); });
}
