// Pairs the encoder-decoder tests learn from, made here (seeded).

/** Seeded strings over a 10-letter alphabet with their reversals, as [source, target] pairs. */
export function reversalPairs(n, lo, hi, seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = lo + Math.floor(next() * (hi - lo + 1));
    let w = '';
    for (let k = 0; k < len; k++) w += 'abcdefghij'[Math.floor(next() * 10)];
    out.push([w, [...w].reverse().join('')]);
  }
  return out;
}
