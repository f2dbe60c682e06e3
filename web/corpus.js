// Corpus checks and statistics, run in the worker so that large files never block the page.
// The counts mirror the core's tokenizers closely enough for the page's estimates; the trainer's own
// info.vocabSize is authoritative once a run exists.

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function invalidUtf8Offset(b) {
  for (let i = 0, n = b.length; i < n; ) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let len, min;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
    else return i;
    if (i + len > n) return i;
    let cp = c & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/** Bytes -> string, or an Error that says where the text stops being UTF-8. */
export function decodeUtf8(bytes) {
  if (!bytes.length) throw new Error('The text is empty.');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = invalidUtf8Offset(bytes);
    const hex = at >= 0 ? ` (byte 0x${bytes[at].toString(16).padStart(2, '0')} at offset ${at})` : '';
    throw new Error(`This is not UTF-8 text${hex}. Choose a plain-text file.`);
  }
}

// The TV-script word tokenizer: punctuation becomes tokens of its own, a line break is a token too.
const WORD_SPLIT = /--|[.,";!?()\n]/g;
export function wordTokens(text) {
  return text.replace(WORD_SPLIT, ' $& ').split(/[ \t\r\f\v]+/).filter(Boolean);
}

/**
 * @param {Uint8Array} bytes
 * @param {{tokenizer: 'char'|'word', lowercase: boolean, minCount: number}} opts
 * @returns {import('./protocol.js').CorpusStats}
 */
export function analyzeCorpus(bytes, { tokenizer, lowercase, minCount = 1 }) {
  let text = decodeUtf8(bytes);
  if (!text.trim()) throw new Error('The text contains only whitespace.');
  if (lowercase && tokenizer === 'word') text = text.toLowerCase();
  let chars = 0, tokens;
  const counts = new Map();
  if (tokenizer === 'word') {
    const list = wordTokens(text);
    for (const t of list) counts.set(t, (counts.get(t) || 0) + 1);
    tokens = list.length;
    for (const _ of text) chars++;
  } else {
    for (const ch of text) { counts.set(ch, (counts.get(ch) || 0) + 1); chars++; }
    tokens = chars;
  }
  // Tokens rarer than minCount share "<unk>", which the vocabulary holds whenever minCount > 1.
  let vocab = minCount > 1 ? 1 : 0;
  for (const c of counts.values()) if (c >= minCount) vocab++;
  return { bytes: bytes.length, chars, tokens, vocab, primeHint: primeHint(text, tokenizer) };
}

/** The commonest first word of a line ("moe_szyslak:" in a TV script): a prime the model knows well. */
function primeHint(text, tokenizer) {
  const counts = new Map();
  let lines = 0;
  for (const m of text.matchAll(/^[ \t]*(\S+)/gm)) {
    let w = m[1];
    if (tokenizer === 'word') w = wordTokens(w).find((t) => !/^(--|[.,";!?()\n])$/.test(t)) ?? '';
    if (w) counts.set(w, (counts.get(w) || 0) + 1);
    if (++lines > 20000) break;
  }
  let best = '', n = 0;
  for (const [w, c] of counts) if (c > n) { best = w; n = c; }
  return best || [...text.trim()][0];
}
