// The generate panel: which model generation uses, the options, and the streamed output.
import { $, clearError, showError, toast } from './ui.js';
import { state, updateButtons, worker } from './state.js';

const FLUSH_MS = 100; // streamed text reaches the page at most 10 times a second

// namedItem: the collection's own .length would shadow the field called length.
const field = (k) => $('gen-form').elements.namedItem(k);

/** Says which model generation uses: a loaded file (with a way back to the run), the run's, or none. */
export function renderGenModel() {
  const el = $('gen-model');
  el.replaceChildren();
  if (state.loadedModel) {
    const { name, info } = state.loadedModel;
    el.textContent = `Using the loaded model “${name}”${info?.vocabSize ? ` (vocabulary ${info.vocabSize})` : ''}. `;
    if (state.run) {
      const b = document.createElement('button');
      b.type = 'button'; b.className = 'link'; b.textContent = 'Use the training run instead';
      b.onclick = async () => { await worker.client.request('useTrainer'); state.loadedModel = null; renderGenModel(); };
      el.append(b);
    }
  } else if (state.run) {
    el.textContent = 'Using the model of the current training run (it keeps learning while you generate).';
  } else {
    el.textContent = 'No model yet: train one, or load a .safetensors file below.';
  }
  updateButtons();
}

let outText = null;
let outPending = '';
let outTimer = 0;

function flushOutput() {
  outTimer = 0;
  if (outPending) { outText.appendData(outPending); outPending = ''; }
  const o = $('output');
  o.scrollTop = o.scrollHeight;
}

async function generate() {
  const prime = field('prime').value;
  if (!prime) { showError('Enter a prime text: the model continues from it.', 'gen'); return; }
  clearError('gen');
  const num = (k) => Number(field(k).value);
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
    const r = await worker.client.request('generate', { options }, {
      onEvent: (m) => { outPending += m.text; outTimer ||= setTimeout(flushOutput, FLUSH_MS); },
    });
    const ms = performance.now() - t0;
    $('gen-note').textContent = `${r.stopped ? 'stopped' : 'done'} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}`;
  } catch (e) {
    if (!worker.crashing) showError(`Generation failed: ${e.message}`, 'gen');
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

export function bindGenerate() {
  $('gen-form').addEventListener('submit', (e) => { e.preventDefault(); generate(); });
  $('generate').addEventListener('click', generate);
  $('gen-stop').addEventListener('click', () => worker.client.request('stopGenerate'));
  $('copy').addEventListener('click', copyOutput);
}
