// "See inside" (the language-model tab): three views of the current model, all computed in the worker
// (inspect-worker.js), painted here in slices so no task on this thread runs long.
//  - Gradient flow: ‖∂L_T/∂h_t‖ per layer by steps back from the end of a batch (log scale), measured
//    every N training steps; the gradient norm before and after clipping; side-by-side runs of the
//    same small model as RNN, GRU and LSTM, and a plain RNN with and without clipping.
//  - Neurons: the text coloured by one unit's activation (blue −, red +), the units that follow simple
//    features of the text (inside quotes, brackets, …), click-through.
//  - What it expects: the text coloured by surprise (−ln p of each token); hovering a token shows the
//    five most probable next tokens and the surprise at the actual one.
import { $, showError, clearError } from './ui.js';
import { onUpdateButtons, state, worker } from './state.js';
import { readSettings, trainerConfig } from './settings.js';

const HEIGHT = 170;
const REFRESH_MS = 5000;         // re-inspect the text this often while training
const MAX_CHARS = 20000;
const COMPARE_SECONDS = 60;
const PALETTE = ['#b2182b', '#2166ac', '#1b7837', '#8c510a', '#762a83', '#01665e'];

const view = {
  tab: 'flow',
  result: null,          // the last inspection (tokens, values, H, next, probabilities, surprise, ranking)
  unit: 0,
  flow: null,            // last gradient flow { step, layers, source }
  flowText: '',          // the chosen validation sequence ('' until one is picked)
  clip: { step: [], before: [], after: [] },
  compare: null,         // { variants, data: [{ steps, loss, before, after, flow, error }] }
  inspecting: false,
  lastInspect: 0,
};

const sleep = () => new Promise((r) => setTimeout(r, 0));

// ---------------------------------------------------------------- charts

const charts = {};

function chart(key, figId, series, { logY = false, xLabel = '' } = {}) {
  const fig = $(figId);
  const el = fig.querySelector('.plot');
  const css = getComputedStyle(document.documentElement);
  const c = (n) => css.getPropertyValue(n).trim() || '#888';
  const axis = { stroke: c('--muted'), grid: { stroke: c('--grid'), width: 1 }, ticks: { stroke: c('--grid'), width: 1 }, font: '11px system-ui, sans-serif' };
  const u = new uPlot({
    width: Math.max(200, el.clientWidth || 400), height: HEIGHT,
    padding: [8, 18, 0, 0],
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false }, points: { size: 5 } },
    scales: { x: { time: false } },
    // Log charts plot log10 of the values on a linear scale (lg()), labelled as powers of ten.
    axes: [{ ...axis, label: xLabel, labelSize: xLabel ? 18 : 0, labelFont: '11px system-ui, sans-serif' },
      { ...axis, size: 52, ...(logY ? { values: (_, splits) => splits.map((v) => (Number.isInteger(v) ? `1e${v}` : Math.abs(v) < 4 ? String(+(10 ** v).toPrecision(2)) : '')) } : {}) }],
    series: [{ label: xLabel || 'x' }, ...series.map((s, i) => ({ label: s.label, stroke: s.stroke ?? PALETTE[i % PALETTE.length], width: s.width ?? 2, dash: s.dash, spanGaps: true }))],
  }, [[], ...series.map(() => [])], el);
  charts[key] = { u, fig, series };
  new ResizeObserver(() => {
    const w = el.clientWidth;
    if (w > 0 && Math.abs(w - u.width) > 2) u.setSize({ width: w, height: HEIGHT });
  }).observe(el);
  return charts[key];
}

/** Replaces a chart's series (their count changes with the model's layers or the variants). */
function rechart(key, figId, series, opts) {
  const old = charts[key];
  if (old && old.series.length === series.length && old.series.every((s, i) => s.label === series[i].label)) return old;
  old?.u.destroy();
  return chart(key, figId, series, opts);
}

/** log10 of a positive finite value, else a gap: what the log charts plot. */
const positive = (v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null);

/** x = steps back from the end (0 = the last step), one series per layer. */
function drawFlow(flow) {
  const layers = flow.layers;
  const T = layers[0]?.length ?? 0;
  const c = rechart('flow', 'chart-flow', layers.map((_, l) => ({ label: `layer ${l + 1}` })), { logY: true, xLabel: 'steps back from the end' });
  const x = Array.from({ length: T }, (_, k) => k);
  c.u.setData([x, ...layers.map((a) => x.map((k) => positive(a[T - 1 - k])))]);
  c.fig.dataset.points = String(T);
  const first = layers[layers.length - 1];
  const ratio = T > 1 && first[T - 1] > 0 ? first[0] / first[T - 1] : NaN;
  const of = flow.source === 'text' ? 'the validation sequence' : 'a training batch';
  $('flow-step').textContent = `of ${of} at step ${flow.step}${Number.isFinite(ratio) ? ` · top layer: first step / last step = ${ratio.toExponential(1)}` : ''}`;
}

function drawClip() {
  const c = charts.clip;
  const h = view.clip;
  c.u.setData([h.step, h.before, h.after]);
  c.fig.dataset.points = String(h.step.length);
}

// ---------------------------------------------------------------- training hooks (run.js)

/** Steps between gradient-flow measurements while training (0: off). */
export function diagnosticsEvery() {
  return $('flow-live')?.checked ? Math.max(1, Number($('flow-every').value) || 20) : 0;
}

/** What the measurements read: '' for the training batch, else the chosen validation sequence. */
export function diagnosticsText() {
  return $('flow-source')?.value === 'validation' ? view.flowText : '';
}

/**
 * A sequence of the run's validation text — its validation file, or the share at the end of the
 * corpus it does not train on — of about one training sequence (seqLength tokens), from a random
 * place: the gradient flow of text the model has not fitted.
 */
async function pickValidationSequence() {
  const s = state.run?.settings;
  if (!s || !state.corpus) return '';
  const c = trainerConfig(s);
  const whole = state.corpus.blob;
  const blob = state.validation?.blob ?? whole.slice(Math.floor(whole.size * (1 - (c.validationFraction ?? 0))));
  const chars = c.tokenizer === 'char';
  // Twice the bytes seqLength + 1 tokens take: a line may start inside and still leave enough.
  const span = 2 * (c.seqLength + 1) * (chars ? 4 : 24);
  if (blob.size === 0) return '';
  const start = Math.floor(Math.random() * Math.max(1, blob.size - span));
  const text = (await blob.slice(start, start + span).text()).replace(/\uFFFD/g, '');
  if (chars) {
    // From the start of a line when one begins with enough text after it (cutting at the first
    // newline alone could leave two characters when the window held two line ends).
    const after = Array.from(text.slice(text.indexOf('\n') + 1));
    const from = text.includes('\n') && after.length > c.seqLength ? after : Array.from(text);
    return from.slice(0, c.seqLength + 1).join('');
  }
  const words = text.split(/(\s+)/).slice(2); // from the first whole word
  let n = 0, k = 0;
  while (k < words.length && n < c.seqLength + 1) if (/\S/.test(words[k++])) n++;
  return words.slice(0, k).join('');
}

/** The choice of what the gradient flow reads changed (or another sequence was asked for). */
async function onFlowSource(pickAnother) {
  const validation = $('flow-source').value === 'validation';
  if (validation && (pickAnother || !view.flowText)) view.flowText = await pickValidationSequence();
  $('flow-pick').hidden = !validation;
  $('flow-seq').hidden = !validation;
  $('flow-seq').textContent = validation ? (view.flowText || 'No validation text: train a run first (or set a validation share).') : '';
  if (state.status === 'training') worker.client?.request('diagnostics', { every: diagnosticsEvery(), text: diagnosticsText() }).catch(() => {});
  if (state.run && worker.client && (!validation || view.flowText)) await measureFlowNow();
}

async function measureFlowNow() {
  try {
    const text = diagnosticsText();
    const f = await worker.client.request('gradientFlow', text ? { text } : {});
    view.flow = { step: state.run?.step ?? 0, layers: f.layers, source: text ? 'text' : 'batch' };
    drawFlow(view.flow);
  } catch (e) { showError(`Could not measure the gradient flow: ${e.message}`, 'inspect'); }
}

/** Each training chunk: the gradient norm before and after clipping. */
export function onTrainProgress(m) {
  const h = view.clip;
  h.step.push(m.step); h.before.push(positive(m.gradNorm)); h.after.push(positive(m.gradNormClipped ?? m.gradNorm));
  if (h.step.length > 3000) for (const k of ['step', 'before', 'after']) h[k] = h[k].filter((_, i) => i % 2);
  scheduleDraw();
}

/** A diagnostic step: the new gradient flow. */
export function onTrainDiagnostics(m) {
  view.flow = { step: m.step, layers: m.flow.layers, source: m.source ?? 'batch' };
  scheduleDraw();
  maybeRefresh();
}

let drawTimer = 0;
function scheduleDraw() {
  drawTimer ||= setTimeout(() => {
    drawTimer = 0;
    if (view.flow) drawFlow(view.flow);
    setTimeout(drawClip, 0); // a task of its own
  }, 250);
}

// ---------------------------------------------------------------- comparison runs

const SMALL = { layers: 1, hidden: 128, embedding: 32, seqLength: 100, batchSize: 16, dropout: 0 };

function compareVariants(kind) {
  if (kind === 'cells') {
    return {
      title: 'RNN · GRU · LSTM',
      config: { ...SMALL, optimizer: 'adam', learningRate: 2e-3, clip: { norm: 5 } },
      variants: [{ label: 'RNN', config: { cell: 'rnn' } }, { label: 'GRU', config: { cell: 'gru' } }, { label: 'LSTM', config: { cell: 'lstm' } }],
    };
  }
  // A plain RNN with plain SGD at a high rate: its gradient norm spikes; clipping caps the update.
  return {
    title: 'plain RNN with and without clipping',
    config: { ...SMALL, cell: 'rnn', optimizer: 'sgd', learningRate: 1, schedule: { type: 'constant' } },
    variants: [{ label: 'no clipping', config: { clip: null } }, { label: 'clip norm 1', config: { clip: { norm: 1 } } }],
  };
}

async function runCompare(kind) {
  if (!state.corpus || !worker.client) return;
  clearError('inspect');
  const spec = compareVariants(kind);
  const s = readSettings();
  // The user's tokenizer, split and seed; the model is the same small one for every variant.
  const base = trainerConfig(s);
  const config = { ...base, ...spec.config };
  for (const k of ['schedule']) if (!spec.config[k]) delete config[k];
  const cmp = { title: spec.title, variants: spec.variants, data: spec.variants.map(() => ({ steps: [], loss: [], before: [], after: [], flow: null, error: null })) };
  view.compare = cmp;
  setCompareButtons(true);
  $('compare-note').textContent = `training ${spec.title} for ${COMPARE_SECONDS} s…`;
  let timer = 0;
  const redraw = () => { timer ||= setTimeout(() => { timer = 0; drawCompare(cmp); }, 300); };
  try {
    const r = await worker.client.request('compare', {
      config, variants: spec.variants, seconds: COMPARE_SECONDS, corpusId: state.corpus.id, blob: state.corpus.blob,
    }, {
      onEvent: (m) => {
        const d = cmp.data[m.index];
        for (const p of m.steps ?? []) { d.steps.push(p.step); d.loss.push(p.loss); d.before.push(positive(p.gradNorm)); d.after.push(positive(p.gradNormClipped)); }
        if (m.flow) d.flow = m.flow.layers;
        if (m.error) d.error = m.error;
        redraw();
      },
    });
    $('compare-note').textContent = `${spec.title}: ${r.stopped ? 'stopped' : 'done'} after ${Math.round(r.seconds)} s.`;
  } catch (e) {
    if (!worker.crashing) showError(`The comparison failed: ${e.message}`, 'inspect');
    $('compare-note').textContent = '';
  } finally {
    clearTimeout(timer);
    drawCompare(cmp);
    setCompareButtons(false);
  }
}

function setCompareButtons(running) {
  $('compare-cells').disabled = running || !state.corpus;
  $('compare-noclip').disabled = running || !state.corpus;
  $('compare-stop').disabled = !running;
}

/** Overlaid curves per variant: gradient flow of the top layer, loss and gradient norm by step. */
function drawCompare(cmp) {
  $('compare-charts').hidden = false;
  const labels = cmp.variants.map((v, i) => `${v.label}${cmp.data[i].error ? ' (diverged)' : ''}`);
  const f = rechart('cflow', 'chart-cmp-flow', labels.map((label) => ({ label })), { logY: true, xLabel: 'steps back from the end' });
  const T = Math.max(0, ...cmp.data.map((d) => d.flow?.[d.flow.length - 1]?.length ?? 0));
  const x = Array.from({ length: T }, (_, k) => k);
  f.u.setData([x, ...cmp.data.map((d) => {
    const a = d.flow?.[d.flow.length - 1];
    return x.map((k) => (a && k < a.length ? positive(a[a.length - 1 - k]) : null));
  })]);
  f.fig.dataset.points = String(T);
  // Shared x: every step number any variant reached.
  const maxStep = Math.max(0, ...cmp.data.map((d) => d.steps[d.steps.length - 1] ?? 0));
  const xs = Array.from({ length: maxStep }, (_, i) => i + 1);
  const byStep = (d, key) => { const a = new Array(maxStep).fill(null); d.steps.forEach((s, i) => { a[s - 1] = d[key][i]; }); return a; };
  const l = rechart('closs', 'chart-cmp-loss', labels.map((label) => ({ label })), { xLabel: 'step' });
  l.u.setData([xs, ...cmp.data.map((d) => byStep(d, 'loss'))]);
  l.fig.dataset.points = String(maxStep);
  const n = rechart('cnorm', 'chart-cmp-norm', labels.flatMap((label, i) => [
    { label: `${label}: before clipping`, stroke: PALETTE[i], width: 1.5 },
    { label: `${label}: after`, stroke: PALETTE[i], width: 1, dash: [4, 3] },
  ]), { logY: true, xLabel: 'step' });
  n.u.setData([xs, ...cmp.data.flatMap((d) => [byStep(d, 'before'), byStep(d, 'after')])]);
  n.fig.dataset.points = String(maxStep);
  $('compare-errors').textContent = cmp.data.map((d, i) => (d.error ? `${cmp.variants[i].label}: ${d.error}` : '')).filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------- text: neurons and expectations

function hasModel() { return !!(state.run || state.loadedModel); }

async function textFromCorpus() {
  if (!state.corpus) return;
  // The end of the corpus: the validation split, which the model does not train on.
  const blob = state.corpus.blob;
  const n = 3000;
  const text = await blob.slice(Math.max(0, blob.size - n * 2), blob.size - n).text();
  $('inspect-text').value = text.replace(/^[^\n]*\n/, '').replace(/\uFFFD/g, '').slice(0, 2000);
}

/** Asks the worker for one forward pass over the text; paints both text views. */
export async function inspectNow() {
  if (view.inspecting || !worker.client || !hasModel()) return;
  if (!$('inspect-text').value) {
    if (!state.corpus) return;
    await textFromCorpus();
    if (!$('inspect-text').value) return;
  }
  const text = $('inspect-text').value.slice(0, MAX_CHARS);
  clearError('inspect');
  view.inspecting = true;
  $('inspect-go').disabled = true;
  try {
    const layer = Number($('inspect-layer').value) || 0;
    const kind = $('inspect-kind').value;
    const r = await worker.client.request('inspect', { text, layer, kind, topK: 5 });
    view.result = r;
    view.lastInspect = performance.now();
    fillLayerChoices(r.layers, r.cell);
    if (view.unit >= r.H) view.unit = 0;
    $('inspect-note').textContent = `${r.tokens.length.toLocaleString()} tokens · forward pass ${Math.round(r.ms)} ms · features ${Math.round(r.rankMs)} ms (in the worker)`;
    renderRanking(r);
    await paintText('units-text', r, unitColor(r, view.unit));
    await paintText('next-text', r, surpriseColor(r));
    renderUnit();
  } catch (e) {
    if (!worker.crashing) showError(`Could not inspect the text: ${e.message}`, 'inspect');
  } finally {
    view.inspecting = false;
    $('inspect-go').disabled = !hasModel();
  }
}

function fillLayerChoices(layers, cell) {
  const sel = $('inspect-layer');
  if (sel.options.length !== layers) {
    const v = Math.min(Number(sel.value) || 0, layers - 1);
    sel.replaceChildren();
    for (let l = 0; l < layers; l++) sel.append(new Option(`layer ${l + 1}`, String(l)));
    sel.value = String(v);
  }
  const kind = $('inspect-kind');
  kind.querySelector('option[value="c"]').disabled = cell !== 'lstm';
  kind.querySelector('option[value="gates"]').disabled = cell === 'rnn';
}

/** Re-inspects the text while training (the views follow the model), at most every REFRESH_MS. */
function maybeRefresh() {
  if (!view.result || view.inspecting || view.tab === 'flow') return;
  if (performance.now() - view.lastInspect < REFRESH_MS) return;
  inspectNow();
}

const display = (tok) => (tok === '\n' ? '↵' : tok);

const BUDGET_MS = 4; // work per task before yielding: the page stays responsive even on a busy machine
const painted = {};  // element id -> the text its spans show
const tokens = {};   // element id -> the number of its latest painter (an older one stops)
const nextToken = (id) => (tokens[id] = (tokens[id] ?? 0) + 1);

const spansOf = {};  // element id -> its token spans, in order

/**
 * Paints tokens as spans, a block per line (`content-visibility: auto` in inspect.css: only the lines
 * in view are laid out, so a long text costs the page little), built off the page in tasks of at most
 * BUDGET_MS and attached at once. The same text again (a refresh while training) only recolours.
 */
async function paintText(id, r, colour) {
  const key = r.tokens.join('\u0000');
  if (painted[id] === key) return recolour(id, colour);
  painted[id] = null;
  const token = nextToken(id);
  const pre = $(id);
  const word = r.tokens.some((t) => t.length > 1 && !t.includes('\n'));
  const frag = document.createDocumentFragment();
  const spans = [];
  let line = null;
  let i = 0;
  while (i < r.tokens.length) {
    const end = performance.now() + BUDGET_MS;
    for (let n = 0; i < r.tokens.length && (n < 16 || performance.now() < end); i++, n++) {
      if (!line) { line = document.createElement('div'); line.className = 'line'; frag.append(line); }
      const span = document.createElement('span');
      span.textContent = display(r.tokens[i]) + (word ? ' ' : '');
      span.dataset.i = String(i);
      span.style.background = colour(i);
      line.append(span);
      spans.push(span);
      if (r.tokens[i].includes('\n')) line = null;
    }
    await sleep();
    if (token !== tokens[id]) return;
  }
  pre.replaceChildren(frag);
  spansOf[id] = spans;
  painted[id] = key;
  pre.dataset.tokens = String(r.tokens.length);
}

/** Recolours the painted spans (a unit change, newer weights), in tasks of at most BUDGET_MS. */
async function recolour(id, colour) {
  const token = nextToken(id);
  const spans = spansOf[id] ?? [];
  let i = 0;
  while (i < spans.length) {
    if (token !== tokens[id]) return;
    const end = performance.now() + BUDGET_MS;
    for (let n = 0; i < spans.length && (n < 16 || performance.now() < end); i++, n++) spans[i].style.background = colour(i);
    await sleep();
  }
}

// Blue (negative) ↔ white ↔ red (positive), as in Karpathy's pictures.
function diverging(v) {
  const a = Math.min(1, Math.abs(v));
  return v >= 0 ? `rgba(214, 39, 40, ${(0.85 * a).toFixed(3)})` : `rgba(31, 119, 180, ${(0.85 * a).toFixed(3)})`;
}

/** Unit j's colour scale: h in [−1, 1]; c scaled by the unit's largest |c|; gates [0, 1] → [−1, 1]. */
function unitColor(r, j) {
  const H = r.H, T = r.tokens.length, v = r.values;
  const kind = $('inspect-kind').value;
  let scale = 1, shift = 0;
  if (kind === 'c') { scale = 1e-6; for (let t = 0; t < T; t++) scale = Math.max(scale, Math.abs(v[t * H + j])); }
  if (kind === 'gates') { scale = 0.5; shift = -1; }
  return (i) => diverging(v[i * H + j] / scale + shift);
}

function surpriseColor(r) {
  // Token i is coloured by the surprise at reading it: surprise[i − 1] (the first token has none).
  return (i) => (i === 0 ? 'transparent' : `rgba(214, 39, 40, ${Math.min(0.9, r.surprise[i - 1] / 6).toFixed(3)})`);
}

function unitName(r, j) {
  if (r.gates?.length && r.H > r.hidden) return `${r.gates[Math.floor(j / r.hidden)]}·${j % r.hidden}`;
  return String(j);
}

function renderUnit() {
  const r = view.result;
  if (!r) return;
  $('unit-index').max = String(r.H - 1);
  $('unit-index').value = String(view.unit);
  let lo = Infinity, hi = -Infinity;
  for (let t = 0; t < r.tokens.length; t++) { const x = r.values[t * r.H + view.unit]; lo = Math.min(lo, x); hi = Math.max(hi, x); }
  $('unit-info').textContent = `unit ${unitName(r, view.unit)} of ${r.H} · range ${lo.toFixed(2)} … ${hi.toFixed(2)}`;
  for (const li of $('unit-ranking').querySelectorAll('button[data-unit]')) li.classList.toggle('on', Number(li.dataset.unit) === view.unit);
}

function setUnit(j) {
  const r = view.result;
  if (!r) return;
  view.unit = ((j % r.H) + r.H) % r.H;
  renderUnit();
  recolour('units-text', unitColor(r, view.unit));
}

function renderRanking(r) {
  const ul = $('unit-ranking');
  ul.replaceChildren();
  for (const f of r.ranking) {
    const li = document.createElement('li');
    li.dataset.feature = f.key;
    const name = document.createElement('span');
    name.className = 'feat';
    name.textContent = f.label;
    li.append(name);
    if (f.absent) {
      const m = document.createElement('span');
      m.className = 'muted small';
      m.textContent = ' not in this text';
      li.append(m);
    }
    for (const u of f.units) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'unit-chip';
      b.dataset.unit = String(u.unit);
      b.textContent = `${unitName(r, u.unit)} r=${u.r.toFixed(2)}${u.auc !== undefined ? ` AUC ${u.auc.toFixed(2)}` : ''}`;
      b.title = 'Colour the text by this unit';
      li.append(b);
    }
    ul.append(li);
  }
}

// The tooltip: the top-5 next tokens after the hovered token and the surprise at the actual next one.
function showTip(e) {
  const span = e.target.closest('span[data-i]');
  const tip = $('next-tip');
  const r = view.result;
  if (!span || !r) { tip.hidden = true; return; }
  const i = Number(span.dataset.i);
  const k = r.topK;
  r.nextList ??= r.next.split('\u0000');
  const esc = (t) => JSON.stringify(t).slice(1, -1);
  // Tokens come from the corpus: built as text nodes, never parsed as HTML.
  const code = (t) => Object.assign(document.createElement('code'), { textContent: esc(t) });
  const line = (...parts) => { const p = document.createElement('p'); p.append(...parts); return p; };
  const ol = document.createElement('ol');
  ol.dataset.testid = 'next-top';
  for (let q = 0; q < k; q++) {
    const li = document.createElement('li');
    li.append(code(r.nextList[i * k + q]), ` ${(100 * r.probabilities[i * k + q]).toFixed(1)} %`);
    ol.append(li);
  }
  const actual = i + 1 < r.tokens.length
    ? line('actual next ', code(r.tokens[i + 1]), `: surprise ${r.surprise[i].toFixed(2)} nats (p = ${(100 * Math.exp(-r.surprise[i])).toFixed(1)} %)`)
    : line('end of the text');
  tip.replaceChildren(line('after ', code(r.tokens[i]), ' the model expects'), ol, actual);
  tip.hidden = false;
  const box = span.getBoundingClientRect(), host = tip.offsetParent?.getBoundingClientRect() ?? { left: 0, top: 0 };
  tip.style.left = `${Math.max(0, box.left - host.left)}px`;
  tip.style.top = `${box.bottom - host.top + 4}px`;
}

function showTab(tab) {
  view.tab = tab;
  for (const b of document.querySelectorAll('#inspect-card [data-view]')) b.setAttribute('aria-selected', String(b.dataset.view === tab));
  $('iv-flow').hidden = tab !== 'flow';
  $('iv-units').hidden = tab !== 'units';
  $('iv-next').hidden = tab !== 'next';
  $('iv-text').hidden = tab === 'flow';
  if (tab !== 'flow' && hasModel() && (!view.result || state.status === 'training')) inspectNow();
}

/** Enables what the current state allows (called on every status change). */
export function updateInspectButtons() {
  if (!$('inspect-go')) return;
  $('inspect-go').disabled = view.inspecting || !hasModel();
  if (!view.compare || $('compare-stop').disabled) setCompareButtons(false);
  const training = state.status === 'training';
  $('compare-cells').disabled ||= training;
  $('compare-noclip').disabled ||= training;
}

/** @type {typeof import('./vendor/uPlot.esm.js').default | null} */
let uPlot = null;

/** Loads uPlot when the page sets its charts up (as charts.js does, not with the page) and makes the two charts. */
export async function setupInspectCharts() {
  uPlot ??= (await import('./vendor/uPlot.esm.js')).default;
  chart('flow', 'chart-flow', [{ label: 'layer 1' }], { logY: true, xLabel: 'steps back from the end' });
  chart('clip', 'chart-clip', [{ label: 'before clipping' }, { label: 'after clipping', dash: [4, 3] }], { logY: true, xLabel: 'step' });
}

export function bindInspect() {
  onUpdateButtons(updateInspectButtons);
  for (const b of document.querySelectorAll('#inspect-card [data-view]')) b.addEventListener('click', () => showTab(b.dataset.view));
  $('inspect-go').addEventListener('click', inspectNow);
  $('inspect-corpus').addEventListener('click', async () => { await textFromCorpus(); inspectNow(); });
  $('inspect-layer').addEventListener('change', inspectNow);
  $('inspect-kind').addEventListener('change', () => { view.unit = 0; inspectNow(); });
  $('unit-prev').addEventListener('click', () => setUnit(view.unit - 1));
  $('unit-next').addEventListener('click', () => setUnit(view.unit + 1));
  $('unit-index').addEventListener('change', () => setUnit(Number($('unit-index').value) || 0));
  $('unit-ranking').addEventListener('click', (e) => { const b = e.target.closest('button[data-unit]'); if (b) setUnit(Number(b.dataset.unit)); });
  $('next-text').addEventListener('mouseover', showTip);
  $('next-text').addEventListener('mouseleave', () => { $('next-tip').hidden = true; });
  $('compare-cells').addEventListener('click', () => runCompare('cells'));
  $('compare-noclip').addEventListener('click', () => runCompare('noclip'));
  $('compare-stop').addEventListener('click', () => worker.client?.request('stopCompare'));
  $('flow-now').addEventListener('click', measureFlowNow);
  $('flow-source').addEventListener('change', () => onFlowSource(false));
  $('flow-pick').addEventListener('click', () => onFlowSource(true));
  const live = () => { if (state.status === 'training') worker.client?.request('diagnostics', { every: diagnosticsEvery(), text: diagnosticsText() }).catch(() => {}); };
  $('flow-live').addEventListener('change', live);
  $('flow-every').addEventListener('change', live);
}
