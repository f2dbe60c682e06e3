// Training runs of the task tabs (classify, tag, generate by category, translate): start, train in the
// shared worker (its slot named by the task), pause, stop, the metrics and charts, the validation scores
// (accuracy next to the majority-class baseline and the confusion matrix as a heat map for
// classify; exact match, token error rate and the first outputs for translate, task-translate.js),
// autosave to IndexedDB and restore after a reload or a crash.
import * as store from './store.js';
import { $, clearError, clockTime, duration, fixed, formatCount, formatInteger, noValidationNote, showError, toast } from './ui.js';
import { state, worker } from './state.js';
import { addEvaluation, addProgress, bounded, drawTaskCharts, emptyHistory, showGuard } from './charts.js';
import {
  TASKS, applyTaskSettings, current, loadExampleData, onShowTask, readTaskSettings, setTaskStatus, taskConfig, tasks, useExamples,
} from './tasks.js';
import { renderTryModel } from './task-try.js';
import { renderTranslateEval } from './task-translate.js';

const AUTOSAVE_SECONDS = 120;
const RENDER_INTERVAL_MS = 250;
const CHUNK_SECONDS = 0.2;
const storeKey = (task) => `task:${task}`;
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');

// ---------------------------------------------------------------- painting (throttled)

let renderTimer = 0;
function scheduleRender() {
  if (!renderTimer) renderTimer = setTimeout(() => { renderTimer = 0; renderTaskRun(); }, RENDER_INTERVAL_MS);
}

/** Paints the open task's run: metrics, progress, charts, and the validation card when it changed. */
export function renderTaskRun() {
  const task = current();
  if (!task) return;
  const t = tasks[task];
  const r = t.run;
  const percent = TASKS[task].metric === 'accuracy';
  $('tstep').textContent = String(r?.step ?? 0);
  $('tstep-of').textContent = r ? ` / ${r.untilStep}` : '';
  $('tepoch').textContent = r?.epoch != null ? r.epoch.toFixed(2) : '–';
  $('tloss').textContent = fixed(r?.loss);
  $('tval-loss').textContent = fixed(r?.valLoss);
  $('tmetric').textContent = percent ? pct(r?.metric) : fixed(r?.metric, 2);
  $('ttps').textContent = r?.tps ? formatInteger(Math.round(r.tps)) : '–';
  showGuard($('task-guard-notice'), r?.guard);
  $('telapsed').textContent = r ? duration(r.elapsed) : '–';
  const left = r ? r.untilStep - r.step : 0;
  $('teta').textContent = r && t.status === 'training' && r.sps > 0 ? duration(left / r.sps) : left <= 0 && r ? 'done' : '–';
  $('tprogress-bar').style.width = r ? `${Math.min(100, (100 * r.step) / r.untilStep)}%` : '0';
  $('trun-note').textContent = r ? runNote(task, r) : '';
  const why = noValidationNote(r?.info, task === 'translate' ? 'pairs' : 'examples');
  $('tvalidation-note').textContent = why;
  $('tvalidation-note').hidden = !why;
  drawTaskCharts(r?.history, percent);
  if (!r || r.evalDirty !== false) { renderEvaluation(task); if (r) r.evalDirty = false; }
}

function runNote(task, r) {
  const s = r.settings;
  const bi = task !== 'bycat' && s.bidirectional ? 'bi-' : '';
  if (task === 'translate') {
    const i = r.info;
    return `${bi}${s.cell.toUpperCase()} ${s.layers}×${s.hidden} encoder–decoder · ${formatCount(i.parameters)} params · `
      + `${i.sourceVocabSize ?? '?'} → ${i.targetVocabSize ?? '?'} tokens · attention ${i.attention ?? s.attention}`;
  }
  return `${bi}${s.cell.toUpperCase()} ${s.layers}×${s.hidden} · ${formatCount(r.info.parameters)} params · ${r.info.labels?.length ?? '?'} ${task === 'tag' ? 'tags' : task === 'bycat' ? 'categories' : 'labels'}`;
}

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** The validation card: the scores of the last evaluation (and, by category, a sample per category). */
function renderEvaluation(task) {
  const r = tasks[task].run;
  const box = $('teval');
  box.replaceChildren();
  const ev = r?.evaluation;
  $('teval-step').textContent = ev ? `at step ${ev.step} · ${formatInteger(ev.examples ?? 0)} ${task === 'translate' ? 'sources' : 'examples'}` : '';
  if (!ev) {
    const why = noValidationNote(r?.info, task === 'translate' ? 'pairs' : 'examples');
    box.append(el('p', { className: 'muted small', textContent: why || 'The scores on the validation examples appear here once training starts.' }));
  } else if (task === 'classify') renderClassifyEval(box, ev);
  else if (task === 'translate') renderTranslateEval(box, ev);
  else if (task === 'tag') {
    box.append(scoreRow([['Token accuracy', pct(ev.accuracy), 'acc'],
      ['On words unseen in training', ev.unseenTokens ? `${pct(ev.unseenAccuracy)} of ${formatInteger(ev.unseenTokens)}` : 'none', 'base']]));
  } else {
    box.append(scoreRow([['Perplexity', fixed(ev.perplexity, 2), 'acc'], ['Bits per token', fixed(ev.bitsPerToken, 3), 'base']]));
  }
  if (task === 'bycat' && r?.sample) {
    const s = r.sample;
    const list = el('div', { className: 'samples' });
    list.dataset.testid = 'task-samples';
    if (s.error) list.append(el('div', { className: 'sample err' }, el('span', { className: 'tag', textContent: 'error' }), el('p', { textContent: s.error })));
    for (const { label, text } of s.byLabel ?? []) {
      list.append(el('div', { className: 'sample sampled' }, el('span', { className: 'tag', textContent: label, title: label }), el('p', { textContent: text })));
    }
    box.append(el('h3', { textContent: `Samples at step ${s.step}` }), list);
  }
}

/** Big numbers side by side: [label, value, kind]. */
function scoreRow(items) {
  const row = el('div', { className: 'scores' });
  for (const [label, value, kind] of items) row.append(el('div', { className: `score ${kind}` }, el('span', { textContent: label }), el('b', { textContent: value })));
  return row;
}

/** Accuracy next to the majority-class baseline, the confusion matrix as a heat map, and per-label scores. */
function renderClassifyEval(box, ev) {
  const acc = el('div', { className: 'vs' });
  acc.dataset.testid = 'accuracy-vs-baseline';
  const bar = (label, value, cls) => {
    const b = el('span', { className: `vbar ${cls}` });
    b.style.setProperty('--w', `${100 * (value || 0)}%`);
    return el('div', { className: 'vrow' }, el('span', { className: 'vlabel', textContent: label }), b, el('b', { textContent: pct(value) }));
  };
  acc.append(bar('Accuracy', ev.accuracy, 'acc'), bar(`Always “${ev.majorityLabel}” (majority class)`, ev.majorityBaseline, 'base'));
  box.append(acc);

  const { labels, matrix } = ev.confusion ?? { labels: [], matrix: [] };
  if (labels.length) {
    const shown = labels.length > 30 ? 30 : labels.length; // a bigger matrix would not read
    const table = el('table', { className: 'confusion' });
    table.dataset.testid = 'confusion';
    const cap = el('caption', { textContent: `Confusion matrix: rows are the true labels, columns the predicted ones${shown < labels.length ? ` (first ${shown} of ${labels.length} labels)` : ''}.` });
    const head = el('tr', {}, el('th', { className: 'corner', textContent: 'true ╲ predicted' }));
    for (let j = 0; j < shown; j++) head.append(el('th', { scope: 'col', textContent: labels[j], title: labels[j] }));
    table.append(cap, el('thead', {}, head));
    const body = el('tbody');
    for (let i = 0; i < shown; i++) {
      const row = matrix[i] ?? [];
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const tr = el('tr', {}, el('th', { scope: 'row', textContent: labels[i], title: labels[i] }));
      for (let j = 0; j < shown; j++) {
        const n = row[j] ?? 0;
        const share = n / total;
        const td = el('td', { textContent: String(n), title: `true ${labels[i]}, predicted ${labels[j]}: ${n} (${(100 * share).toFixed(0)} % of the row)` });
        td.style.setProperty('--a', share.toFixed(3));
        if (i === j) td.className = 'diag';
        if (share > 0.55) td.classList.add('dark');
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
    box.append(el('div', { className: 'confusion-wrap' }, table));
  }
  if (ev.perLabel?.length) {
    const t = el('table', { className: 'per-label' });
    t.append(el('thead', {}, el('tr', {}, ...['label', 'precision', 'recall', 'F1', 'support'].map((h) => el('th', { textContent: h })))));
    const body = el('tbody');
    for (const p of ev.perLabel.slice(0, 30)) {
      body.append(el('tr', {}, el('td', { textContent: p.label }), el('td', { textContent: fixed(p.precision, 3) }),
        el('td', { textContent: fixed(p.recall, 3) }), el('td', { textContent: fixed(p.f1, 3) }), el('td', { textContent: String(p.support) })));
    }
    t.append(body);
    box.append(t);
  }
}

// ---------------------------------------------------------------- training

function newRun(task, settings, info, data) {
  return {
    settings, info, untilStep: settings.steps, step: info.step ?? 0, epoch: 0, loss: NaN, valLoss: NaN, metric: NaN,
    tps: 0, sps: 0, elapsed: 0, history: emptyHistory(), evaluation: null, evalDirty: true, sample: null, skipBadLines: false,
    data: { kind: data.kind, name: data.name, bytes: data.analysis.bytes },
  };
}

async function createRun(task, extra) {
  const t = tasks[task];
  return worker.client.request('create', { slot: task, dataKind: TASKS[task].dataKind ?? 'examples', corpusId: t.data.id, blob: t.data.blob, ...extra }, extra.resumeFrom ? { transfer: [extra.resumeFrom] } : {});
}

/** The Train button: a new run of the open task on its examples. */
async function startTraining() {
  const task = current();
  const t = tasks[task];
  if (!t?.data) return;
  clearError();
  const settings = readTaskSettings();
  const skip = $('skip-bad').checked;
  const prev = t.status;
  setTaskStatus(task, 'starting');
  let info;
  try {
    info = await createRun(task, { config: taskConfig(task, settings, skip) });
  } catch (e) {
    setTaskStatus(task, prev);
    if (current() === task) showError(`Could not start training: ${e.message}`, 'ttrain');
    return;
  }
  t.run = newRun(task, settings, info, t.data);
  t.run.skipBadLines = skip;
  t.loadedModel = null;
  store.saveCorpus({ kind: t.data.kind, name: t.data.name, blob: t.data.kind === 'custom' ? t.data.blob : null }, storeKey(task)).catch(() => {});
  hideTaskRestore(task);
  renderTryModel(task);
  renderTaskRun();
  train(task);
}

const stopRequested = {};

async function train(task) {
  const t = tasks[task];
  const r = t.run;
  if (worker.trainingSlot && worker.trainingSlot !== task) {
    toast('Another tab is training: pause it first (one run trains at a time).');
    return;
  }
  if (r.step >= r.untilStep) r.untilStep = r.step + (current() === task ? readTaskSettings() : r.settings).steps;
  stopRequested[task] = false;
  worker.trainingSlot = task;
  setTaskStatus(task, 'training');
  const s = r.settings;
  const labels = task === 'bycat' ? r.info.labels ?? [] : null;
  let result;
  try {
    result = await worker.client.request('train', {
      slot: task, untilStep: r.untilStep, chunkSeconds: CHUNK_SECONDS, evalEvery: s.evalEvery,
      sampleEvery: labels ? s.evalEvery : 0, checkpointSeconds: AUTOSAVE_SECONDS,
      sample: { labels: labels?.slice(0, 8), prime: '', length: 60 },
    }, { onEvent: (m) => onTrainEvent(task, r, m) });
  } catch (e) {
    if (worker.trainingSlot === task) worker.trainingSlot = null;
    if (t.run !== r || worker.crashing) return;
    setTaskStatus(task, 'error');
    if (current() === task) showError(`Training failed: ${e.message}`, 'ttrain');
    return;
  }
  if (worker.trainingSlot === task) worker.trainingSlot = null;
  if (t.run !== r) return;
  renderTaskRun();
  if (stopRequested[task]) setTaskStatus(task, 'stopped');
  else if (result.reason === 'done') setTaskStatus(task, 'stopped', 'done');
  else setTaskStatus(task, 'paused');
  await autosave(task);
}

function onTrainEvent(task, r, m) {
  if (m.type === 'progress') {
    r.step = m.step;
    r.epoch = r.info.batchesPerEpoch ? m.step / r.info.batchesPerEpoch : m.epoch;
    r.loss = m.loss;
    r.tps = m.tokensPerSecond;
    r.sps = r.sps ? 0.8 * r.sps + 0.2 * m.stepsPerSecond : m.stepsPerSecond;
    r.elapsed += m.seconds;
    if (m.guard) r.guard = { events: m.guardEvents, reason: m.guard, step: m.step };
    addProgress(r.history, m);
    r.history = bounded(r.history);
  } else if (m.type === 'eval') {
    const T = TASKS[task];
    const metric = T.metricKey ? m[T.metricKey] : T.metric === 'accuracy' ? m.accuracy : m.perplexity;
    r.valLoss = m.loss;
    r.metric = metric;
    const { type, id, ...evaluation } = m;
    r.evaluation = evaluation;
    r.evalDirty = true;
    addEvaluation(r.history, { step: m.step, loss: m.loss, perplexity: metric });
  } else if (m.type === 'sample') {
    r.sample = m;
    r.evalDirty = true;
  } else if (m.type === 'checkpoint') {
    saveRun(task, async () => m);
  }
  if (current() === task) scheduleRender();
}

async function pauseOrResume() {
  const task = current();
  const t = tasks[task];
  if (t.status === 'training') {
    setTaskStatus(task, 'pausing');
    await worker.client.request('pause');
  } else if (t.status === 'paused' || (t.status === 'stopped' && t.run)) {
    train(task);
  }
}

async function stop() {
  const task = current();
  const t = tasks[task];
  if (t.status === 'training') {
    stopRequested[task] = true;
    setTaskStatus(task, 'pausing');
    await worker.client.request('pause');
  } else if (t.status === 'paused') {
    setTaskStatus(task, 'stopped');
  }
}

// ---------------------------------------------------------------- autosave and restore

const saving = {};
function saveRun(task, checkpoint) {
  const r = tasks[task].run;
  if (!r || saving[task]) return saving[task];
  saving[task] = (async () => {
    try {
      const { bytes, step } = await checkpoint();
      await store.saveRun({
        task, settings: r.settings, skipBadLines: r.skipBadLines, checkpoint: new Uint8Array(bytes), step, untilStep: r.untilStep,
        info: r.info, history: r.history, stats: { loss: r.loss, valLoss: r.valLoss, metric: r.metric, epoch: r.epoch, tps: r.tps },
        evaluation: r.evaluation, sample: r.sample, data: r.data, elapsed: r.elapsed, savedAt: Date.now(),
      }, storeKey(task));
      if (current() === task) $('tautosave-note').textContent = `Run saved in this browser at ${clockTime(Date.now())} (step ${step}). It is saved every 2 minutes and whenever you pause or stop.`;
    } catch (e) {
      if (!worker.crashing) toast(`Could not save the run: ${e.message}`);
    } finally {
      saving[task] = null;
    }
  })();
  return saving[task];
}

const autosave = (task) => saveRun(task, () => worker.client.request('save', { slot: task, source: 'run' }));

function hideTaskRestore(task) {
  tasks[task].saved = null;
  if (current() === task) $('trestore-banner').hidden = true;
}

/** Looks up each task's saved run; the banner offers the open task's. */
export async function findSavedTaskRuns() {
  for (const task of Object.keys(tasks)) {
    try { tasks[task].saved = (await store.loadRun(storeKey(task))) ?? null; } catch { tasks[task].saved = null; }
    document.querySelector(`#tab-${task}`)?.classList.toggle('has-saved', !!tasks[task].saved);
  }
  showTaskRestore(current());
}

function showTaskRestore(task) {
  const rec = task && tasks[task].saved;
  if (!rec || tasks[task].run) { $('trestore-banner').hidden = true; return; }
  const s = rec.settings;
  $('trestore-text').textContent = `Saved ${TASKS[task].title} run: ${s.cell.toUpperCase()} ${s.layers}×${s.hidden} on “${rec.data.name}”, `
    + `step ${rec.step}, loss ${fixed(rec.stats.loss)} (saved ${new Date(rec.savedAt).toLocaleString()}). Restore it to continue exactly where it stopped.`;
  $('trestore-banner').hidden = false;
}

/** The Restore button: the saved settings, examples and checkpoint, resumed exactly (paused). */
async function restore() {
  const task = current();
  const t = tasks[task];
  const rec = t?.saved;
  if (!rec) return;
  $('trestore').disabled = true;
  clearError('ttrain');
  try {
    applyTaskSettings(rec.settings);
    t.settings = { ...rec.settings };
    $('skip-bad').checked = !!rec.skipBadLines;
    if (rec.data.kind === 'example') {
      if (!(await loadExampleData(task, { keepSettings: true }))) throw new Error('the example dataset could not be read');
    } else {
      const c = await store.loadCorpus(storeKey(task));
      if (!c?.blob) throw new Error('the examples of that run are no longer stored');
      if (!(await useExamples(task, c.name, 'custom', c.blob))) throw new Error('its examples could not be read');
    }
    setTaskStatus(task, 'starting');
    const info = await createRun(task, { resumeFrom: rec.checkpoint.slice().buffer });
    const r = newRun(task, rec.settings, info, t.data);
    Object.assign(r, {
      untilStep: rec.untilStep, step: info.step ?? rec.step, epoch: rec.stats.epoch, loss: rec.stats.loss, valLoss: rec.stats.valLoss,
      metric: rec.stats.metric, tps: rec.stats.tps, elapsed: rec.elapsed, history: rec.history, evaluation: rec.evaluation,
      sample: rec.sample, skipBadLines: !!rec.skipBadLines, evalDirty: true,
    });
    t.run = r;
    t.loadedModel = null;
    hideTaskRestore(task);
    renderTryModel(task);
    setTaskStatus(task, 'paused');
    renderTaskRun();
    toast(`Restored the run at step ${r.step}.`);
  } catch (e) {
    setTaskStatus(task, t.run ? 'paused' : 'ready');
    showError(`Could not restore the run: ${e.message}`, 'ttrain');
  } finally {
    $('trestore').disabled = false;
  }
}

async function discard() {
  const task = current();
  if (!task) return;
  hideTaskRestore(task);
  document.querySelector(`#tab-${task}`)?.classList.remove('has-saved');
  await store.deleteRun(storeKey(task)).catch(() => {});
}

export function bindTaskRun() {
  $('ttrain').addEventListener('click', startTraining);
  $('tpause').addEventListener('click', pauseOrResume);
  $('tstop').addEventListener('click', stop);
  $('trestore').addEventListener('click', restore);
  $('trestore-discard').addEventListener('click', discard);
  onShowTask((task) => {
    const r = tasks[task].run;
    if (r) r.evalDirty = true;
    renderTaskRun();
    showTaskRestore(task);
    $('tautosave-note').textContent = 'The current run is saved in this browser every 2 minutes and whenever you pause or stop.';
  });
  document.addEventListener('visibilitychange', () => {
    const task = worker.trainingSlot;
    if (document.hidden && task && tasks[task]?.status === 'training') autosave(task);
  });
}

/** After a worker restart: offer every task's last autosave again. */
export async function offerTaskRestores() {
  if (state.task !== 'lm') renderTaskRun();
  await findSavedTaskRuns();
}
