// Small page helpers every panel uses: element lookup, the one error box, toasts, number formats.

export const $ = (id) => document.getElementById(id);

let errorWhere = null;
/** Shows the one visible error message inside the section it is about ('corpus', 'train', 'gen', 'models'). */
export function showError(message, where) {
  const box = $('error');
  errorWhere = where;
  box.textContent = message;
  $(`${where}-msg`).append(box);
  box.hidden = false;
}

/** Hides the error message if it is about `where` (any section when `where` is omitted). */
export function clearError(where) {
  if (!where || errorWhere === where) {
    const box = $('error');
    box.hidden = true;
    box.textContent = '';
    errorWhere = null;
  }
}

let toastTimer = 0;
/** A short note at the bottom of the page for 3 seconds. */
export function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3000);
}

/** A number with `digits` decimals, or '–'. */
export const fixed = (x, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Seconds as "m:ss", or "1h 05m" past an hour; "–" when unknown. */
export function duration(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** The time of day of a timestamp, to the second. */
export const clockTime = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${u[i]}`;
}

export function formatCount(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)} k`;
  return n.toLocaleString('en-US');
}

/** A count with thousands separators, as the page shows counts. */
export const formatInteger = (n) => n.toLocaleString('en-US');

/**
 * Why a run has no validation curve, or '' when it has one: with Validation split 0 (and no
 * validation file) nothing is held out to score the model on. `what`: 'text', 'examples' or 'pairs'.
 */
export function noValidationNote(info, what = 'text') {
  if (!info || (info.validationTokens ?? 0) > 0 || (info.validationExamples ?? 0) > 0 || (info.validationPairs ?? 0) > 0) return '';
  const held = what === 'text' ? 'none of the text is' : `none of the ${what} are`;
  return `No validation curve: Validation split is 0, so ${held} held out to score the model on. `
    + 'The run trains on everything; set the split above 0 for a new run to see how well it generalises.';
}
