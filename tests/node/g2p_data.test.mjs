// The G2P proof's data and scoring (tests/bench/g2p-data.mjs): the CMUdict rules of issue 13 and the
// WER/PER definitions, checked on the real package and on hand-made cases.
import test from 'node:test';
import assert from 'node:assert/strict';
import { g2pData, editDistance, wordErrors, splitOf, wordHash } from '../bench/g2p-data.mjs';

test('CMUdict: letters and apostrophes only, 39 phonemes without stress, alternatives as references, 90/5/5 by word', () => {
  const d = g2pData();
  const c = d.counts;
  assert.equal(c.phonemeInventory, 39);
  assert.equal(d.phonemes.length, 39);
  assert.equal(c.entries, c.keptEntries + Object.values(c.dropped).reduce((a, b) => a + b, 0));
  assert.equal(c.references + c.duplicateReferences, c.keptEntries);
  const inventory = new Set(d.phonemes);
  for (const [w, p] of d.train) {
    assert.match(w, /^[a-z']+$/);
    for (const ph of p.split(' ')) assert.ok(inventory.has(ph), `${w}: ${ph}`);
  }
  // Every reference of a word is on the same side; WORD(1) became a second reference.
  const test = new Map(d.test.map((r) => [r.word, r.references]));
  const validation = new Set(d.validation.map((r) => r.word));
  for (const [w] of d.train) assert.ok(!test.has(w) && !validation.has(w), w);
  const all = new Map();
  for (const [w, p] of d.train) all.set(w, [...(all.get(w) || []), p]);
  assert.deepEqual(all.get('a'), ['AH', 'EY']);
  const n = c.words, s = c.split;
  assert.equal(s.trainWords + s.validationWords + s.testWords, n);
  assert.ok(Math.abs(s.trainWords / n - 0.9) < 0.01 && Math.abs(s.testWords / n - 0.05) < 0.005, JSON.stringify(s));
  // The split is pinned: a changed hash would silently move words between train and test.
  assert.equal(wordHash('aardvark'), 2066476170);
  assert.equal(wordHash('a'), 444641715);
  assert.equal(splitOf('aardvark'), 'train');
  assert.deepEqual([s.trainWords, s.validationWords, s.testWords], [111528, 6192, 6154]);
});

test('WER counts a word right when it equals any reference; PER uses the closest reference (ties: the longer)', () => {
  assert.equal(editDistance(['a', 'b', 'c'], ['a', 'c']), 1);
  assert.equal(editDistance([], ['x', 'y']), 2);
  assert.equal(editDistance(['k', 'ae', 't'], ['k', 'ae', 't']), 0);
  const rows = [
    { word: 'either', references: ['IY DH ER', 'AY DH ER'] },
    { word: 'cat', references: ['K AE T'] },
    { word: 'x', references: ['EH K S', 'EH K S AH'] },
  ];
  const r = wordErrors(rows, ['AY DH ER', 'K AH T', 'EH K']);
  assert.equal(r.wrongWords, 2);
  assert.equal(r.wer, 2 / 3);
  // 0 errors / 3, 1 / 3, and 'EH K' is 1 edit from 'EH K S' and 2 from 'EH K S AH': 1 / 3.
  assert.equal(r.phonemeErrors, 2);
  assert.equal(r.referencePhonemes, 9);
  // A tie between references goes to the longer one: 'EH K S' vs 'EH K S AH' from 'EH K S X'.
  const t = wordErrors([rows[2]], ['EH K S IH']);
  assert.equal(t.phonemeErrors, 1);
  assert.equal(t.referencePhonemes, 4);
  assert.throws(() => wordErrors(rows, ['a']), /1 outputs for 3 words/);
});
