// The settings form ("Model & training"): run options, the page's own run settings and presets.
// Defaults of the run options are the core's (resolveOptions({}), from the worker); the page puts
// its presets on top as explicit overrides.

import { state } from './state.js';

const form = () => /** @type {HTMLFormElement} */ (document.getElementById('settings'));
const fields = () => form().elements;

/**
 * Where the page differs from the core's defaults: size 'auto' for five minutes (auto-size.js fills
 * in what it chooses; until then a smaller network that trains briskly in a tab), and text keeps its case.
 */
export const PAGE_PRESET = { size: 'auto', budgetMinutes: 5, hidden: 128, lowercase: false };

/** The settings size 'auto' chooses (shown, not editable, while it is on). */
export const AUTO_FIELDS = ['layers', 'hidden', 'embedding', 'dropout', 'seqLength', 'batchSize', 'optimizer', 'lrLog', 'schedule', 'steps'];

/** Page-only settings: steps per run, and how often to validate and sample (steps). */
export const RUN_DEFAULTS = { steps: 2000, evalEvery: 100, sampleEvery: 100 };

export const PRESETS = {
  tiny: { size: 'manual', tokenizer: 'char', lowercase: false, minCount: 1, cell: 'lstm', layers: 1, hidden: 64, embedding: 32, dropout: 0,
    seqLength: 32, batchSize: 16, optimizer: 'adam', learningRate: 0.01, clipKind: 'norm', clipAt: 5, steps: 1000, evalEvery: 50, sampleEvery: 50 },
  shakespeare: { size: 'manual', tokenizer: 'char', lowercase: false, minCount: 1, cell: 'lstm', layers: 2, hidden: 192, embedding: 64, dropout: 0.1,
    seqLength: 64, batchSize: 32, optimizer: 'adam', learningRate: 0.002, clipKind: 'norm', clipAt: 5, steps: 5000, evalEvery: 200, sampleEvery: 100 },
  tv: { size: 'manual', tokenizer: 'word', lowercase: true, minCount: 1, cell: 'lstm', layers: 2, hidden: 256, embedding: 200, dropout: 0,
    seqLength: 16, batchSize: 64, optimizer: 'adam', learningRate: 0.003, clipKind: 'value', clipAt: 1, steps: 3000, evalEvery: 100, sampleEvery: 100 },
};

/**
 * The form's values for the core's resolved options: the schedule by its type, clipping as a kind
 * and a threshold. @param {import('./protocol.js').ResolvedOptions} core
 */
function formValues(core) {
  const v = {
    tokenizer: core.tokenizer, lowercase: core.lowercase, minCount: core.minCount, cell: core.cell, layers: core.layers,
    hidden: core.hidden, embedding: core.embedding, dropout: core.dropout, seqLength: core.seqLength,
    batchSize: core.batchSize, optimizer: core.optimizer, learningRate: core.learningRate, schedule: core.schedule.type,
    validationFraction: core.validationFraction, seed: core.seed,
  };
  if (core.clip?.norm) Object.assign(v, { clipKind: 'norm', clipAt: core.clip.norm });
  else if (core.clip?.value) Object.assign(v, { clipKind: 'value', clipAt: core.clip.value });
  else v.clipKind = 'none';
  return v;
}

/** What the page starts with: the core's defaults, the page preset over them, and the page-only settings. */
export const pageDefaults = (coreDefaults) => ({ ...formValues(coreDefaults), ...PAGE_PRESET, ...RUN_DEFAULTS });

const listeners = [];
/** Calls fn(settings) whenever the form changes (typing, a preset, a restore). */
export function onSettingsChange(fn) { listeners.push(fn); }

function settingsChanged() {
  const s = readSettings();
  const F = fields();
  document.getElementById('lr-out').textContent = s.learningRate.toString();
  F.lowercase.disabled = s.tokenizer === 'char'; // char level always keeps the text exactly
  F.clipAt.disabled = s.clipKind === 'none';
  for (const k of AUTO_FIELDS) F[k].disabled = s.size === 'auto';
  F.budgetMinutes.disabled = s.size !== 'auto';
  for (const fn of listeners) fn(s);
}

/** Puts settings (all or some, in readSettings() form) into the form. */
export function applySettings(s) {
  const F = fields();
  for (const [k, v] of Object.entries(s)) {
    if (k === 'learningRate') F.lrLog.value = String(Math.log10(v));
    else if (F[k]?.type === 'checkbox') F[k].checked = !!v;
    else if (F[k]) F[k].value = String(v);
  }
  settingsChanged();
}

/** The form's settings: run options in page form, plus steps, evalEvery and sampleEvery. */
export function readSettings() {
  const F = fields();
  const num = (k) => Number(F[k].value);
  return {
    tokenizer: F.tokenizer.value, lowercase: F.lowercase.checked, minCount: num('minCount'),
    cell: F.cell.value, layers: num('layers'), hidden: num('hidden'), embedding: num('embedding'), dropout: num('dropout'),
    seqLength: num('seqLength'), batchSize: num('batchSize'), optimizer: F.optimizer.value,
    // The slider is log10(lr); two significant digits keep the numbers readable (0.002, not 0.001995).
    learningRate: Number((10 ** num('lrLog')).toPrecision(2)),
    schedule: F.schedule.value, clipKind: F.clipKind.value, clipAt: num('clipAt'), validationFraction: num('validationFraction'), seed: num('seed'),
    steps: num('steps'), evalEvery: num('evalEvery'), sampleEvery: num('sampleEvery'),
    size: F.size.value, budgetMinutes: num('budgetMinutes'),
    // size 'auto': the options chooseSize() gave for the current corpus and these settings (auto-size.js).
    ...(F.size.value === 'auto' && state.autoSize ? { autoOptions: state.autoSize.options } : {}),
  };
}

/** createTrainer() options for settings. @returns {import('./protocol.js').TrainerConfig} */
export function trainerConfig(s) {
  if (s.size === 'auto' && s.autoOptions) return { ...s.autoOptions };
  const c = {
    tokenizer: s.tokenizer, lowercase: s.lowercase, minCount: s.minCount, cell: s.cell, layers: s.layers,
    hidden: s.hidden, embedding: s.embedding, dropout: s.dropout, seqLength: s.seqLength, batchSize: s.batchSize,
    optimizer: s.optimizer, learningRate: s.learningRate, schedule: schedule(s),
    validationFraction: s.validationFraction, seed: s.seed,
  };
  if (s.clipKind !== 'none') c.clip = { [s.clipKind]: s.clipAt };
  return c;
}

/** The options that decide what a corpus gives a run (tokens, vocabulary, split, batches): analyzeCorpus()'s. */
export function corpusOptions(s) {
  const c = trainerConfig(s);
  return {
    tokenizer: c.tokenizer, lowercase: c.lowercase, minCount: c.minCount,
    validationFraction: c.validationFraction, batchSize: c.batchSize, seqLength: c.seqLength,
  };
}

function schedule(s) {
  if (s.schedule === 'cosine') return { type: 'cosine', totalSteps: s.steps, minLearningRate: s.learningRate / 10 };
  if (s.schedule === 'step') return { type: 'step', stepSize: Math.max(1, Math.round(s.steps / 4)), gamma: 0.5 };
  return { type: 'constant' };
}

/** Wires the form and the preset buttons; `onPreset(label)` is told when a preset was applied. */
export function bindSettings(onPreset) {
  form().addEventListener('input', settingsChanged);
  form().addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.addEventListener('click', () => { applySettings(PRESETS[b.dataset.preset]); onPreset(b.textContent); });
  }
}
