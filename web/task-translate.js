// What only the Translate tab (an encoder–decoder on source<TAB>target pairs) paints: the parsed pairs
// (counts and the source and target length histograms), the validation card (exact match, token error
// rate, BLEU, and the first sources with what the model wrote), and the answers to a typed source —
// the n best outputs with their scores and the attention matrix as a heat map on a canvas (source
// tokens along the top, output tokens down the side). Plain painting: no state, no worker, no imports
// of the other task modules (they import this one). Everything from the data goes in as text.
import { fixed, formatBytes, formatInteger } from './ui.js';

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');

/**
 * A length histogram ({binWidth, counts}: counts[k] in [k·binWidth, (k+1)·binWidth)) as bars, under
 * its title; [] when there is nothing to show. `testid` names the bars for tests.
 */
export function histogram(h, title, testid) {
  if (!h?.counts?.length) return [];
  const hmax = Math.max(1, ...h.counts);
  const hist = el('div', { className: 'hist', role: 'img' });
  if (testid) hist.dataset.testid = testid;
  const last = h.counts.length * h.binWidth;
  hist.setAttribute('aria-label', `${title}: lengths from 0 to ${last} tokens`);
  h.counts.forEach((n, i) => {
    const b = el('span', { title: `${i * h.binWidth}–${(i + 1) * h.binWidth - 1} tokens: ${n}` });
    b.style.setProperty('--h', `${(100 * n) / hmax}%`);
    hist.append(b);
  });
  return [el('h3', { textContent: title }), hist,
    el('div', { className: 'hist-axis' }, el('span', { textContent: '0' }), el('span', { textContent: String(last) }))];
}

/** analyzePairs()' view of a pairs file: counts, vocabularies, and the two length histograms. */
export function renderPairsSummary(box, a) {
  const stats = el('p', { className: 'stats' });
  stats.dataset.testid = 'pairs-stats';
  const items = [
    [formatBytes(a.bytes), 'size'], [formatInteger(a.pairs), 'training pairs'], [formatInteger(a.validationPairs), 'for validation'],
    [formatInteger(a.sources), 'distinct sources'],
  ];
  if (a.multiReferenceSources) items.push([formatInteger(a.multiReferenceSources), 'with several targets']);
  items.push([formatInteger(a.sourceVocabSize), 'source tokens'], [formatInteger(a.targetVocabSize), 'target tokens (with start and end)']);
  if (a.truncated) items.push([formatInteger(a.truncated), 'sides cut to the maximum length']);
  for (const [value, label] of items) stats.append(el('span', {}, el('b', { textContent: value }), ` ${label}`), ' ');
  box.append(stats);
  const two = el('div', { className: 'hist-pair' });
  const side = (h, title, id) => { const parts = histogram(h, title, id); if (parts.length) two.append(el('div', {}, ...parts)); };
  side(a.sourceLengthHistogram, 'Source length (tokens)', 'source-lengths');
  side(a.targetLengthHistogram, 'Target length (tokens)', 'target-lengths');
  box.append(two);
}

/** The validation card of a Translate run: the scores, then the first sources with the model's output. */
export function renderTranslateEval(box, ev) {
  const row = el('div', { className: 'scores' });
  row.dataset.testid = 'translate-scores';
  const items = [['Exact match', pct(ev.exactMatch), 'acc'], ['Token error rate', pct(ev.tokenErrorRate), 'base']];
  if (ev.bleu != null) items.push(['BLEU-4', fixed(100 * ev.bleu, 1), 'base']);
  items.push(['Perplexity', fixed(ev.perplexity, 2), 'base']);
  for (const [label, value, kind] of items) row.append(el('div', { className: `score ${kind}` }, el('span', { textContent: label }), el('b', { textContent: value })));
  box.append(row);
  if (ev.beam > 1) box.append(el('p', { className: 'muted small', textContent: `Decoded with a beam of ${ev.beam}.` }));
  if (!ev.samples?.length) return;
  const table = el('table', { className: 'per-label s2s-samples' });
  table.dataset.testid = 'translate-samples';
  table.append(el('caption', { textContent: 'The first validation sources: what the model wrote (greedy) and the right answers.' }),
    el('thead', {}, el('tr', {}, ...['source', 'output', 'reference', ''].map((h) => el('th', { textContent: h })))));
  const body = el('tbody');
  for (const s of ev.samples) {
    const refs = s.references.join(' · ');
    body.append(el('tr', { className: s.correct ? 'right' : 'wrong' }, el('td', { textContent: s.source }), el('td', { textContent: s.prediction }),
      el('td', { textContent: refs, title: refs }), el('td', { textContent: s.correct ? '✓' : '✗', title: s.correct ? 'right' : 'wrong' })));
  }
  table.append(body);
  box.append(table);
}

/**
 * The answers to a typed source: the n best outputs (best first, with their length-normalised score
 * and log-probability) and the heat map of the chosen one's attention; choosing another output
 * redraws the heat map.
 */
export function renderTranslations(out, source, results) {
  out.replaceChildren();
  const list = el('ol', { className: 'nbest' });
  list.dataset.testid = 'translations';
  const figure = el('figure', { className: 'heatmap' });
  const show = (i) => {
    for (const [j, li] of [...list.children].entries()) li.setAttribute('aria-current', String(i === j));
    drawAttention(figure, results[i]);
  };
  results.forEach((r, i) => {
    const b = el('button', { type: 'button', className: 'nbest-pick', title: 'Show this output’s attention' },
      el('span', { className: 'ntext', textContent: r.text || '(empty)' }),
      el('span', { className: 'nscore', textContent: `score ${r.score.toFixed(3)}` }),
      el('span', { className: 'nlogp', textContent: `log P ${r.logProb.toFixed(3)}` }));
    b.onclick = () => show(i);
    const li = el('li', {}, b);
    li.dataset.text = r.text;
    li.dataset.score = String(r.score);
    list.append(li);
  });
  out.append(el('p', { className: 'verdict' }, '“', el('span', { textContent: source }), '” → ', el('b', { textContent: results[0]?.text ?? '' })), list, figure);
  if (results.length) show(0);
}

/**
 * One output's attention as a heat map: row t (an output token, '</s>' for the step that ended it) ×
 * column s (a source token), the cell's colour the weight step t gave token s. Drawn on a canvas
 * (labels with fillText); hovering a cell names it. No attention (a model without it): a note.
 */
export function drawAttention(figure, r) {
  figure.replaceChildren();
  const a = r?.attention;
  if (!a) {
    figure.append(el('figcaption', { className: 'muted small', textContent: 'This model has no attention (attention: none), so there is no heat map.' }));
    return;
  }
  const rows = a.target.length, cols = a.source.length;
  const w = a.weights;
  const canvas = el('canvas', { className: 'heatmap-canvas' });
  canvas.dataset.testid = 'attention-heatmap';
  canvas.dataset.rows = String(rows);
  canvas.dataset.cols = String(cols);
  // The most attended source token of each output step (what a reader looks for in the picture).
  const argmax = [];
  for (let t = 0; t < rows; t++) {
    let best = 0;
    for (let s = 1; s < cols; s++) if (w[t * cols + s] > w[t * cols + best]) best = s;
    argmax.push(best);
  }
  canvas.dataset.argmax = argmax.join(',');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Attention of ${rows} output steps (rows) over ${cols} source tokens (columns); `
    + `the most attended source token per output step: ${a.target.map((x, t) => `${x}→${a.source[argmax[t]]}`).join(', ')}`);
  const wrap = el('div', { className: 'heatmap-wrap' }, canvas);
  figure.append(el('figcaption', { textContent: `Attention of “${r.text}”: each row is an output token, each column a source token; darker = more weight.` }), wrap);

  const css = getComputedStyle(figure);
  const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const accent = color('--accent', '#4f46e5'), text = color('--text', '#1c1f2e'), muted = color('--muted', '#5f6478'), field = color('--field', '#f8f9fd');
  const font = '12px ui-monospace, "DejaVu Sans Mono", Menlo, monospace';
  const ctx = canvas.getContext('2d');
  ctx.font = font;
  const widest = (xs) => Math.max(8, ...xs.map((x) => ctx.measureText(x).width));
  // Cells as big as fit the card (16–36 px), smaller for long sources (the wrap scrolls past 6 px).
  const left = Math.ceil(widest(a.target)) + 10;
  const room = Math.max(160, (figure.clientWidth || 520) - left - 8);
  const cell = Math.max(6, Math.min(36, Math.floor(room / Math.max(1, cols))));
  const labelled = cell >= 10;
  const srcWidest = widest(a.source);
  const rotate = srcWidest > cell - 2; // long source tokens stand on end
  const top = Math.ceil((labelled ? (rotate ? srcWidest : 14) : 0) + 8);
  const W = left + cols * cell + 2, H = top + rows * cell + 2;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  canvas.style.width = `${W}px`;
  canvas.style.height = `${H}px`;
  ctx.scale(dpr, dpr);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  // Labels: output tokens on the left (right-aligned), source tokens along the top.
  ctx.fillStyle = text;
  ctx.textAlign = 'right';
  for (let t = 0; t < rows; t++) {
    ctx.fillStyle = a.target[t] === '</s>' ? muted : text;
    ctx.fillText(a.target[t], left - 6, top + t * cell + cell / 2);
  }
  if (labelled) {
    ctx.fillStyle = text;
    for (let s = 0; s < cols; s++) {
      const x = left + s * cell + cell / 2;
      if (rotate) {
        ctx.save();
        ctx.translate(x, top - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'left';
        ctx.fillText(a.source[s], 0, 0);
        ctx.restore();
      } else {
        ctx.textAlign = 'center';
        ctx.fillText(a.source[s], x, top - 9);
      }
    }
  }
  // Cells: the accent colour at the weight's opacity over the field colour.
  for (let t = 0; t < rows; t++) {
    for (let s = 0; s < cols; s++) {
      const x = left + s * cell, y = top + t * cell;
      ctx.globalAlpha = 1;
      ctx.fillStyle = field;
      ctx.fillRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
      ctx.globalAlpha = Math.min(1, Math.max(0, w[t * cols + s]));
      ctx.fillStyle = accent;
      ctx.fillRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
    }
  }
  ctx.globalAlpha = 1;
  canvas.addEventListener('mousemove', (e) => {
    const b = canvas.getBoundingClientRect();
    const s = Math.floor((e.clientX - b.left - left) / cell), t = Math.floor((e.clientY - b.top - top) / cell);
    canvas.title = s >= 0 && s < cols && t >= 0 && t < rows
      ? `output “${a.target[t]}” (step ${t + 1}) ← source “${a.source[s]}” (${s + 1}): ${(100 * w[t * cols + s]).toFixed(1)} %`
      : '';
  });
}
