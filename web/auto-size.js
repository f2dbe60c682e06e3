// size 'auto' on the page: the core's chooseSize() for the corpus, its tokenizer and the minutes,
// put into the form (greyed: chosen, not set) with the prediction behind it. The run then trains
// exactly the options chooseSize() returned (settings.js trainerConfig).
import { $, formatInteger } from './ui.js';
import { state, worker } from './state.js';
import { applySettings, onSettingsChange, readSettings } from './settings.js';
import { onCorpusChange } from './corpus.js';

const DELAY_MS = 300;

// What the choice depends on besides the corpus: the options the user sets either way, and the time.
function request(s) {
  const o = {
    tokenizer: s.tokenizer, lowercase: s.lowercase, minCount: s.minCount, cell: s.cell,
    validationFraction: s.validationFraction, seed: s.seed, budgetSeconds: Math.max(1, s.budgetMinutes * 60),
  };
  if (s.clipKind !== 'none') o.clip = { [s.clipKind]: s.clipAt };
  else o.clip = null;
  return o;
}
const keyOf = (s) => JSON.stringify([state.corpus?.id, request(s), state.features?.threadCount]);

/** The form's values for a choice: what it shows while size is 'auto'. */
function formValues(options, a) {
  return {
    layers: options.layers, hidden: options.hidden, embedding: options.embedding, dropout: options.dropout,
    seqLength: options.seqLength, batchSize: options.batchSize, optimizer: options.optimizer,
    learningRate: options.learningRate, schedule: options.schedule.type, steps: Math.max(1, a.predictedSteps),
  };
}

function note(options, a) {
  const minutes = a.budgetSeconds / 60;
  return `Chosen for ${minutes < 1 ? `${Math.round(a.budgetSeconds)} s` : `${+minutes.toFixed(1)} min`} on ${a.threads} thread${a.threads === 1 ? '' : 's'} ` +
    `from ${formatInteger(a.trainTokens)} training tokens and a vocabulary of ${formatInteger(a.vocabSize)}: ` +
    `${options.layers}×${options.hidden} ${options.cell.toUpperCase()}${options.tieWeights ? ', embedding tied to the output layer' : ''}, ` +
    `dropout ${options.dropout} at three sites (one mask per sequence)${options.weightDrop ? `, DropConnect ${options.weightDrop} on the recurrent weights` : ''}, AdamW, cosine decay. ` +
    `Predicted ≈ ${formatInteger(a.predictedTokensPerSecond)} tokens/s, ${formatInteger(a.predictedSteps)} steps, ` +
    `${a.predictedEpochs < 10 ? a.predictedEpochs.toFixed(1) : Math.round(a.predictedEpochs)} passes over the text.`;
}

let pending = 0;
let timer = 0;

/** Makes state.autoSize current for the corpus and settings (no-op when it is, or size is manual). */
export async function refreshAutoSize() {
  clearTimeout(timer);
  const s = readSettings();
  if (s.size !== 'auto' || !state.corpus || !worker.client) return;
  const key = keyOf(s);
  if (state.autoSize?.key === key) return;
  const ticket = ++pending;
  try {
    const r = await worker.client.request('chooseSize', { corpusId: state.corpus.id, blob: state.corpus.blob, options: request(s) });
    if (ticket !== pending || keyOf(readSettings()) !== key || readSettings().size !== 'auto') return; // since changed
    state.autoSize = { key, ...r };
    applySettings(formValues(r.options, r.autoSize));
    $('auto-note').textContent = note(r.options, r.autoSize);
  } catch (e) {
    if (ticket === pending) $('auto-note').textContent = `Auto size: ${e.message}`;
  }
}

function later() {
  clearTimeout(timer);
  if (readSettings().size !== 'auto') {
    $('auto-note').textContent = '';
    return;
  }
  timer = setTimeout(() => refreshAutoSize().catch(() => {}), DELAY_MS);
}

export function bindAutoSize() {
  onSettingsChange(later);
  onCorpusChange(later);
}
