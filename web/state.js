// What the page's panels share: the page state, the worker connection, the status pill and the
// buttons that depend on them.
import { $ } from './ui.js';

export const state = {
  /** The tab shown: 'lm' (write like a text: the panels in this file's buttons) | 'classify' | 'tag' | 'bycat' | 'translate' (tasks.js). */
  task: 'lm',
  /** 'loading' | 'starting' | 'ready' | 'training' | 'pausing' | 'paused' | 'stopped' | 'error' */
  status: 'loading',
  /** @type {{id: number, name: string, kind: 'default'|'custom', blob: Blob, analysis: import('./protocol.js').CorpusAnalysis} | null} */
  corpus: null,
  validation: null, // the language model's validation file { name, blob } (corpus.js), or null: the split
  /** The training run: settings, progress and chart history (run.js). */
  run: null,
  /** {name, info} when generation uses a loaded file. */
  loadedModel: null,
  generating: false,
  /** features() of the worker's wasm module. */
  features: null,
  /** The service worker's offline cache: {version, files, fetched} once filled, {error} if it cannot be. */
  offline: null,
  /** size 'auto': { key, options, autoSize } of the last chooseSize() for the corpus and settings (auto-size.js), or null. */
  autoSize: null,
  /** The saved run the restore banner offers. */
  savedRecord: null,
};

/** The training worker: `client` is null while it (re)starts; `crashing` while a crash is handled. */
export const worker = {
  /** @type {import('./protocol.js').WorkerClient | null} */
  client: null,
  crashing: false,
  /** Corpus ids tell the worker when to re-read a corpus: a new one for every new text or worker. */
  lastCorpusId: 0,
  /** The tab whose run is training ('lm', 'classify', …), or null: the worker trains one run at a time. */
  trainingSlot: null,
  nextCorpusId() { return ++this.lastCorpusId; },
};

/** The language model's status; the pill shows it while its tab is open. */
export function setStatus(status, detail = '') {
  state.status = status;
  state.statusDetail = detail;
  if (state.task === 'lm') paintStatus(status, detail);
  updateButtons();
}

/** Shows a status in the header's pill (the open tab's). */
export function paintStatus(status, detail = '') {
  $('status').textContent = detail ? `${status} · ${detail}` : status;
  $('status-pill').dataset.status = status;
  document.body.dataset.status = status;
}

const buttonHooks = [];
/** Calls fn() whenever the buttons are updated (the task view keeps its own in step). */
export function onUpdateButtons(fn) { buttonHooks.push(fn); }

/** Enables the buttons of every panel that can act in the current state. */
export function updateButtons() {
  for (const fn of buttonHooks) fn();
  const s = state.status;
  const ready = worker.client && s !== 'loading' && s !== 'starting';
  const busy = s === 'training' || s === 'paused' || s === 'pausing';
  const otherTraining = worker.trainingSlot && worker.trainingSlot !== 'lm';
  $('train').disabled = !ready || busy || !state.corpus || otherTraining;
  $('train').title = otherTraining ? 'Another tab is training: pause it first (one run trains at a time).' : '';
  // After a stop the same button continues the run (past its step target if that was reached).
  const canContinue = s === 'stopped' && !!state.run;
  $('pause').disabled = !(s === 'training' || ((s === 'paused' || canContinue) && !otherTraining));
  $('pause').textContent = s === 'paused' ? 'Resume' : canContinue ? 'Continue' : 'Pause';
  $('stop').disabled = !(s === 'training' || s === 'paused');
  const hasModel = !!(state.run || state.loadedModel);
  $('generate').disabled = !ready || !hasModel || state.generating;
  $('gen-stop').disabled = !state.generating;
  $('copy').disabled = !$('output').textContent;
  $('download-model').disabled = !ready || !hasModel;
  $('keep-model').disabled = !ready || !hasModel;
  // Keep-best: the weights of the best validation loss so far (the worker's trainer has them).
  const hasBest = !!state.run?.best;
  $('download-best').disabled = !ready || !hasBest;
  $('use-best').disabled = !ready || !hasBest;
}
