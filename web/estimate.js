// The live line under the settings: parameters and memory (the core's estimateMemory(), the formula
// the trainer refuses configurations by), vocabulary and batches per epoch (the core's corpus
// analysis), and why the corpus is too short when it is.
import { $, formatBytes, formatCount, formatInteger } from './ui.js';
import { state, worker } from './state.js';
import { readSettings, trainerConfig } from './settings.js';

let lastRequest = 0;

/** Recomputes the estimate for the current settings and corpus (replies that arrive late are dropped). */
export async function renderEstimate() {
  const el = $('estimate');
  const c = state.corpus;
  if (!c || !worker.client) { el.textContent = ''; return; }
  const request = ++lastRequest;
  const { analysis } = c;
  let lines;
  try {
    const memory = await worker.client.request('estimate', {
      options: trainerConfig(readSettings()), vocabSize: analysis.vocabSize, corpusTokens: analysis.tokens,
    });
    lines = [
      [`${formatCount(memory.parameters)} parameters`, 'big'],
      [`≈ ${formatBytes(memory.totalBytes)} memory (weights + optimizer ${formatBytes(memory.weightBytes + memory.packingBytes)}, `
        + `activations ${formatBytes(memory.activationBytes)}, corpus ${formatBytes(memory.corpusBytes)}, checkpoint ${formatBytes(memory.checkpointBytes)})`],
    ];
  } catch (e) {
    lines = [[e.message, 'warn-text']]; // a setting out of range: the core names it
  }
  if (request !== lastRequest || state.corpus !== c) return;
  lines.push([`vocabulary ${formatInteger(analysis.vocabSize)} · ${formatInteger(analysis.batchesPerEpoch)} batches per epoch`]);
  if (analysis.problem) lines.push([`${analysis.problem[0].toUpperCase()}${analysis.problem.slice(1)}.`, 'warn-text']); // "Text too short: …"
  el.classList.toggle('warn', !!analysis.problem);
  el.replaceChildren();
  for (const [text, cls] of lines) {
    const span = document.createElement('span');
    span.textContent = text;
    if (cls) span.className = cls;
    el.append(span);
  }
}
