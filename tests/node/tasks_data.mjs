// Small generated data for the tasks beside the language model (the generators of
// tests/native/tasks_test.cpp, in JS): each needs what its task adds.
/** A seeded uniform generator in [0, 1) (mulberry32). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const below = (r, n) => Math.floor(r() * n);

/** Classify: strings of a, b, c labelled by which of a and b occurs more often (no ties). */
export function moreAThanB(n, seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    let a = 0;
    let b = 0;
    const len = 3 + below(r, 14);
    for (let t = 0; t < len; t++) {
      const c = 'abc'[below(r, 3)];
      a += c === 'a';
      b += c === 'b';
      s += c;
    }
    if (a === b) s += 'a', a++;
    out.push({ text: s, label: a > b ? 'more a' : 'more b' });
  }
  return out;
}

/** Tag: each symbol is tagged with the next non-blank symbol after it ('$' at the end). */
export function nextSymbol(n, seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = 4 + below(r, 9);
    const tokens = [];
    for (let t = 0; t < len; t++) tokens.push(below(r, 3) === 0 ? '_' : 'abcdef'[below(r, 6)]);
    const tags = tokens.map((_, t) => tokens.slice(t + 1).find((x) => x !== '_') ?? '$');
    out.push({ tokens, tags });
  }
  return out;
}

/** By category: 'up' a run of consecutive letters, 'same' one letter repeated, 'pair' a letter alternating with x. */
export function families(n, seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = below(r, 3);
    const len = 3 + below(r, 5);
    const first = 97 + below(r, 10);
    let s = '';
    for (let t = 0; t < len; t++) s += String.fromCharCode(kind === 0 ? first + t : kind === 1 ? first : t % 2 ? 120 : first);
    out.push({ label: ['up', 'same', 'pair'][kind], text: s });
  }
  return out;
}

/** Whether a generated text follows its family's pattern. */
export function followsFamily(label, text) {
  if (text.length < 2) return false;
  for (let t = 1; t < text.length; t++) {
    const c = text.charCodeAt(t);
    if (label === 'up' && c !== text.charCodeAt(t - 1) + 1) return false;
    if (label === 'same' && c !== text.charCodeAt(0)) return false;
    if (label === 'pair' && c !== (t % 2 ? 120 : text.charCodeAt(0))) return false;
  }
  return true;
}

export const classifyTsv = (examples, header = true) => (header ? 'text\tlabel\n' : '') + examples.map((e) => `${e.text}\t${e.label}\n`).join('');
export const categoryTsv = (examples) => examples.map((e) => `${e.label}\t${e.text}\n`).join('');
/** CoNLL: token<TAB>tag lines, a blank line between sentences. */
export const conll = (examples) => examples.map((e) => e.tokens.map((t, k) => `${t}\t${e.tags[k]}\n`).join('')).join('\n');
/** Brown-style word/tag, a sentence a line. */
export const wordTag = (examples) => examples.map((e) => e.tokens.map((t, k) => `${t}/${e.tags[k]}`).join(' ') + '\n').join('');

/**
 * Tagging where a word's tag shows only in its shape: made-up names (capitalised), verbs (…ing),
 * adverbs (…ly) and numbers among a few common words, in random order — words never seen in
 * training can be tagged from their shape alone. → [{ tokens, tags }]
 */
export function shapedWords(n, seed) {
  const r = rng(seed);
  const pick = (s) => s[Math.floor(r() * s.length)];
  const stem = () => Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick('bdfgkmprtvz') + pick('aou')).join('');
  return Array.from({ length: n }, () => {
    const e = { tokens: [], tags: [] };
    for (let t = 0, len = 3 + Math.floor(r() * 6); t < len; ++t) {
      const [token, tag] = [
        () => [pick(['the', 'a', 'of', 'and', 'to', 'in']), 'DET'],
        () => { const s = stem(); return [s[0].toUpperCase() + s.slice(1), 'NAME']; },
        () => [stem() + 'ing', 'VERB'],
        () => [stem() + 'ly', 'ADV'],
        () => [String(Math.floor(r() * 100000)), 'NUM'],
      ][Math.floor(r() * 5)]();
      e.tokens.push(token);
      e.tags.push(tag);
    }
    return e;
  });
}
