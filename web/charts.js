// The training charts (uPlot): loss (train and validation), validation perplexity, gradient norm.
// A run keeps its history as parallel arrays; past MAX_POINTS it is halved, so saves and redraws stay cheap.
// uPlot is imported when the charts are set up, not with the page: evaluating it (its tables and its
// Intl set-up) and creating each chart are tasks of their own, so none blocks the page for long.
import { $ } from './ui.js';

/** @type {typeof import('./vendor/uPlot.esm.js').default | null} */
let uPlot = null;
const nextTask = () => new Promise((r) => setTimeout(r, 0));

const MAX_POINTS = 3000;
const HEIGHT = 150;

/** @typedef {{ step: number[], loss: (number|null)[], grad: (number|null)[], val: (number|null)[], ppl: (number|null)[] }} History */

/** @returns {History} */
export const emptyHistory = () => ({ step: [], loss: [], grad: [], val: [], ppl: [] });

/** The divergence guard's notice above a loss chart: { events, reason, step } of the last event, or nothing. */
export function showGuard(el, g) {
  el.hidden = !g;
  el.textContent = g
    ? `Divergence guard: ${g.events} step${g.events === 1 ? '' : 's'} undone (last: ${g.reason}); back to step ${g.step}, learning rate lowered`
    : '';
}

/** A training chunk's means: a point on the loss and gradient charts. */
export function addProgress(h, { step, loss, gradNorm }) {
  // The divergence guard went back: the undone steps leave the curves.
  while (h.step.length && h.step[h.step.length - 1] > step) for (const k of Object.keys(h)) h[k].pop();
  h.step.push(step); h.loss.push(loss); h.grad.push(gradNorm); h.val.push(null); h.ppl.push(null);
}

/**
 * An evaluation: a validation point, on the chunk's point when it has the same step. `perplexity`
 * is the second chart's value (the other tasks pass their validation accuracy there).
 */
export function addEvaluation(h, { step, loss, perplexity }) {
  const i = h.step.length - 1;
  if (i >= 0 && h.step[i] === step) { h.val[i] = loss; h.ppl[i] = perplexity; }
  else { h.step.push(step); h.loss.push(null); h.grad.push(null); h.val.push(loss); h.ppl.push(perplexity); }
}

/** The history, halved if it grew past MAX_POINTS. */
export const bounded = (h) => (h.step.length > MAX_POINTS ? compact(h) : h);

/** Halves the history by merging neighbours: keeps the whole run visible at a bounded cost. */
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

const charts = {};

function makeChart(key, series, color, figId = `chart-${key}`, range = null) {
  const fig = $(figId);
  const el = fig.querySelector('.plot');
  const axis = { stroke: color('--muted'), grid: { stroke: color('--grid'), width: 1 }, ticks: { stroke: color('--grid'), width: 1 }, font: '11px system-ui, sans-serif' };
  const u = new uPlot({
    width: Math.max(200, el.clientWidth), height: HEIGHT,
    padding: [8, 18, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: { x: { time: false }, ...(range ? { y: { range } } : {}) },
    axes: [{ ...axis }, { ...axis, size: 44 }],
    series: [{}, ...series.map((s) => ({
      stroke: s.stroke, width: 2, spanGaps: true,
      points: { show: !!s.points, size: 5, fill: s.stroke },
    }))],
  }, [[], ...series.map(() => [])], el);
  charts[key] = { u, fig };
  new ResizeObserver(() => {
    const w = el.clientWidth;
    if (w > 0 && Math.abs(w - u.width) > 2) u.setSize({ width: w, height: HEIGHT });
  }).observe(el);
}

/**
 * Loads uPlot and creates every chart, one task each: the three of the language-model view, then the
 * task view's two (classify, tag, generate by category: loss, and validation accuracy in 0–100 % or
 * perplexity; drawTaskCharts' `percent` picks which of the last two shows). Colours come from the
 * page's CSS variables. Histories drawn before a chart exists are drawn when it is created.
 */
export async function setupCharts() {
  uPlot ??= (await import('./vendor/uPlot.esm.js')).default;
  // Each chart reads its figure's width: after the first frame, so that reading it never makes the
  // page's first (whole) layout part of a script task.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  const specs = [
    ['loss', [{ stroke: color('--accent') }, { stroke: color('--accent-2'), points: true }]],
    ['ppl', [{ stroke: color('--accent-2'), points: true }]],
    ['grad', [{ stroke: color('--accent-3') }]],
    ['tloss', [{ stroke: color('--accent') }, { stroke: color('--accent-2'), points: true }], 'tchart-loss'],
    ['tmetric', [{ stroke: color('--accent-2'), points: true }], 'tchart-metric'],
    ['tpct', [{ stroke: color('--accent-3'), points: true }], 'tchart-metric', () => [0, 100]],
  ];
  for (const [key, series, figId, range] of specs) {
    await nextTask();
    makeChart(key, series, color, figId, range);
  }
  if (pending.lm) drawCharts(pending.lm);
  if (pending.task) drawTaskCharts(...pending.task);
}
const pending = { lm: null, task: null };
const ready = (...keys) => keys.every((k) => charts[k]);

/** Draws a task run's history: the second chart in percent (accuracy) or plain (perplexity). */
export function drawTaskCharts(history = emptyHistory(), percent = true) {
  if (!ready('tloss', 'tmetric', 'tpct')) { pending.task = [history, percent]; return; }
  const h = history;
  charts.tloss.u.setData([h.step, h.loss, h.val]);
  charts.tloss.fig.dataset.points = String(h.step.length);
  const show = percent ? 'tpct' : 'tmetric';
  const hide = percent ? 'tmetric' : 'tpct';
  charts[hide].u.root.hidden = true;
  charts[show].u.root.hidden = false;
  charts[show].u.setData([h.step, percent ? h.ppl.map((v) => (v == null ? null : 100 * v)) : h.ppl]);
  charts[show].fig.dataset.points = String(h.ppl.filter((v) => v != null).length);
}

/** Draws a history (an empty one when there is no run); each figure's data-points counts its points. */
export function drawCharts(history = emptyHistory()) {
  if (!ready('loss', 'ppl', 'grad')) { pending.lm = history; return; }
  const h = history;
  const set = (key, data, points) => { charts[key].u.setData(data); charts[key].fig.dataset.points = String(points); };
  set('loss', [h.step, h.loss, h.val], h.step.length);
  set('ppl', [h.step, h.ppl], h.ppl.filter((v) => v != null).length);
  set('grad', [h.step, h.grad], h.step.length);
}
