// Simple features of a text, token by token, and the units whose activations follow them: the page's
// "which unit tracks what" list (Karpathy's quote and line-length cells). Pure functions: the worker
// runs them next to the model (so the page thread only paints), and the Node tests run the same code.
//
// A feature's value at token t describes the text *after reading token t* — what the state h_t can
// know: inside quotes = a quote is open after t (the opening quote counts as inside, the closing one
// as outside), position in line = characters since the last newline, and so on.

/** The features, in the order the page lists them. `binary` ones also get an AUC. */
export const FEATURES = [
  { key: 'quotes', label: 'inside quotes', binary: true },
  { key: 'brackets', label: 'inside brackets', binary: true },
  { key: 'position', label: 'position in the line', binary: false },
  { key: 'newline', label: 'after a newline', binary: true },
  { key: 'vowel', label: 'vowel (+1) / consonant (−1)', binary: false },
  { key: 'boundary', label: 'word boundary', binary: true },
];

const VOWELS = /^[aeiouyàáâäèéêëìíîïòóôöùúûü]$/i;
const LETTER = /^\p{L}$/u;
const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** Feature values per token: { quotes, brackets, position, newline, vowel, boundary } as Float32Array(T). */
export function textFeatures(tokens) {
  const T = tokens.length;
  const f = Object.fromEntries(FEATURES.map((x) => [x.key, new Float32Array(T)]));
  let quote = false, depth = 0, col = 0;
  for (let t = 0; t < T; t++) {
    const s = tokens[t];
    for (const ch of s) {
      if (ch === '"') quote = !quote;
      else if (ch === '\u201c') quote = true;
      else if (ch === '\u201d') quote = false;
      else if (OPEN.has(ch)) depth++;
      else if (CLOSE.has(ch)) depth = Math.max(0, depth - 1);
    }
    col = s.includes('\n') ? s.length - 1 - s.lastIndexOf('\n') : col + [...s].length;
    f.quotes[t] = quote ? 1 : 0;
    f.brackets[t] = depth > 0 ? 1 : 0;
    f.position[t] = col;
    f.newline[t] = s.endsWith('\n') ? 1 : 0;
    const single = [...s].length === 1;
    f.vowel[t] = single && LETTER.test(s) ? (VOWELS.test(s) ? 1 : -1) : 0;
    f.boundary[t] = /^[\s\p{P}]+$/u.test(s) ? 1 : 0;
  }
  return f;
}

/**
 * Pearson correlation of every column of `values` (T × H) with `x` (T): Float64Array(H); 0 for a
 * constant column or feature.
 */
export function correlations(values, H, x) {
  const T = x.length;
  let mx = 0;
  for (let t = 0; t < T; t++) mx += x[t];
  mx /= T;
  let sxx = 0;
  for (let t = 0; t < T; t++) sxx += (x[t] - mx) ** 2;
  const mean = new Float64Array(H), sxy = new Float64Array(H), syy = new Float64Array(H);
  for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) mean[j] += values[t * H + j];
  for (let j = 0; j < H; j++) mean[j] /= T;
  for (let t = 0; t < T; t++) {
    const dx = x[t] - mx;
    const row = t * H;
    for (let j = 0; j < H; j++) {
      const dy = values[row + j] - mean[j];
      sxy[j] += dx * dy;
      syy[j] += dy * dy;
    }
  }
  const r = new Float64Array(H);
  for (let j = 0; j < H; j++) r[j] = sxx > 0 && syy[j] > 0 ? sxy[j] / Math.sqrt(sxx * syy[j]) : 0;
  return r;
}

/**
 * Area under the ROC curve of column j as a score for a binary label (ties counted half): the
 * chance that a random positive token scores above a random negative one. 0.5 = no separation.
 */
export function auc(values, H, j, label) {
  const T = label.length;
  const idx = Array.from({ length: T }, (_, t) => t).sort((a, b) => values[a * H + j] - values[b * H + j]);
  let pos = 0, neg = 0, rankSum = 0;
  for (let k = 0; k < T;) {
    let e = k;
    while (e < T && values[idx[e] * H + j] === values[idx[k] * H + j]) e++;
    const mid = (k + e + 1) / 2; // mean 1-based rank of the tie group
    for (let q = k; q < e; q++) {
      if (label[idx[q]] > 0) { rankSum += mid; pos++; } else neg++;
    }
    k = e;
  }
  if (!pos || !neg) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * For every feature, the `top` units most correlated with it (by |r|, strongest first), each as
 * { unit, r, auc? } (auc: binary features, oriented so that > 0.5 means the unit separates them).
 * Features that are constant over the text (no quotes in it, …) get an empty list and `absent: true`.
 */
export function rankUnits(tokens, values, H, { top = 5 } = {}) {
  const feats = textFeatures(tokens);
  return FEATURES.map(({ key, label, binary }) => {
    const x = feats[key];
    let lo = Infinity, hi = -Infinity;
    for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(hi > lo)) return { key, label, absent: true, units: [] };
    const r = correlations(values, H, x);
    const order = Array.from({ length: H }, (_, j) => j).sort((a, b) => Math.abs(r[b]) - Math.abs(r[a]) || a - b);
    const units = order.slice(0, top).map((unit) => {
      const u = { unit, r: r[unit] };
      if (binary) {
        const a = auc(values, H, unit, x);
        u.auc = Math.max(a, 1 - a);
      }
      return u;
    });
    return { key, label, units };
  });
}
