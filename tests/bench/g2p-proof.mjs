#!/usr/bin/env node
// npm run results:g2p — grapheme-to-phoneme on CMUdict (issue 13) through the JS API in
// WebAssembly (Node, 2 threads): spelling → ARPAbet phonemes with the encoder–decoder, trained for
// a wall-clock budget (default 30 minutes), then greedy and beam-5 decoding of every test word.
// Data and scoring: tests/bench/g2p-data.mjs (letters and apostrophes only, stress removed,
// alternative pronunciations as extra references, a hashed 90/5/5 split by word). WER: the share of
// test words whose output equals none of their references; PER: Σ edit distance to the closest
// reference / Σ its length. Both are computed here from model.translate() outputs, and checked
// against the core's own metrics (model.evaluate({ pairs, beam }): 1 − exactMatch, tokenErrorRate).
//
// The cosine schedule needs a length: the run first measures its speed on a throw-away trainer
// (PROBE_STEPS steps, not counted in the budget, reported), plans min(epochs × batches per epoch,
// steps that fit the budget at that speed) and stops at the budget whatever happens. The learning
// curve (validation loss, WER/PER of greedy decoding on CURVE_WORDS validation words) is measured
// between training chunks; its time is not counted in the budget.
//
// usage: node tests/bench/g2p-proof.mjs [--minutes M (30)] [--epochs E (10)] [--quick]
//          [--hidden H] [--embedding E] [--layers L] [--batch B] [--lr X] [--no-input-feeding]
//          [--curve-minutes M (3)] [--test-words N (all)] [--out NAME (build/bench/NAME.json, g2p)]
// env: RNN_WASM_THREADS (default 2), RNN_WASM_DIR (the API folder, default wasm/)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { g2pData, wordErrors, wordHash } from './g2p-data.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const value = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
const quick = flag('--quick');
const budgetMinutes = Number(value('--minutes', quick ? 2 : 30));
const epochs = Number(value('--epochs', 10));
const curveMinutes = Number(value('--curve-minutes', quick ? 0.5 : 3));
const testWords = Number(value('--test-words', quick ? 300 : 0));
const outName = value('--out', quick ? 'g2p-quick' : 'g2p');
const PROBE_STEPS = quick ? 10 : 30;
const CURVE_WORDS = quick ? 100 : 500;
process.env.RNN_WASM_THREADS ??= '2';
const threads = Number(process.env.RNN_WASM_THREADS) || 2;
const log = (...a) => console.error(...a);

// The settings (tests/bench/g2p_explore.cpp found them natively; README "Grapheme to phoneme").
const SETTINGS = {
  task: 'seq2seq', sourceTokenizer: 'char', targetTokenizer: 'whitespace',
  cell: 'lstm', layers: Number(value('--layers', 1)), hidden: Number(value('--hidden', 256)),
  embedding: Number(value('--embedding', 64)), bidirectional: true, attention: 'general',
  inputFeeding: !flag('--no-input-feeding'), dropout: 0,
  batchSize: Number(value('--batch', 64)), optimizer: 'adam', learningRate: Number(value('--lr', 2e-3)),
  clip: { norm: 5 }, maxLength: 64, seed: 1,
};

const data = g2pData();
log('data:', JSON.stringify(data.counts));
// Validation pairs in hash order, so that evaluate({ maxExamples }) takes a random sample.
const byHash = (rows) => [...rows].sort((a, b) => wordHash(a.word) - wordHash(b.word) || (a.word < b.word ? -1 : 1));
const asPairs = (rows) => rows.flatMap((r) => r.references.map((ref) => [r.word, ref]));
const validationPairs = asPairs(byHash(data.validation));
const test = testWords > 0 ? byHash(data.test).slice(0, testWords) : data.test;
const testPairs = asPairs(test);
const trainTokens = data.train.reduce((n, [w, p]) => n + w.length + p.split(' ').length + 1, 0);  // + end token

const api = await import(pathToFileURL(path.join(process.env.RNN_WASM_DIR || path.join(root, 'wasm'), 'index.js')).href);
await api.init?.({ threads });
const features = api.features();
log(`wasm: variant ${features.variant}, ${features.threadCount} threads, simd ${features.simd}`);

// ---- plan: speed probe, then the schedule's length ----------------------------------------------
const t0 = performance.now();
const probe = await api.createTrainer({ ...SETTINGS, pairs: data.train, validationPairs });
const setupSeconds = (performance.now() - t0) / 1e3;
const perEpoch = probe.info.batchesPerEpoch;
probe.step();  // the first step sizes every buffer
const p0 = performance.now();
for (let i = 0; i < PROBE_STEPS; i++) probe.step();
const probeStepsPerSecond = PROBE_STEPS / ((performance.now() - p0) / 1e3);
probe.dispose();
const budget = budgetMinutes * 60;
const plannedSteps = Math.max(1, Math.min(Math.ceil(epochs * perEpoch), Math.floor(0.97 * budget * probeStepsPerSecond)));
log(`plan: ${perEpoch} batches/epoch, probe ${probeStepsPerSecond.toFixed(2)} steps/s → ${plannedSteps} steps ` +
    `(${(plannedSteps / perEpoch).toFixed(2)} epochs) in at most ${budgetMinutes} min`);

// ---- train ------------------------------------------------------------------------------------
const trainer = await api.createTrainer({ ...SETTINGS, pairs: data.train, validationPairs, schedule: { type: 'cosine', totalSteps: plannedSteps } });
const info = { ...trainer.info };
for (const k of ['sourceLengthHistogram', 'targetLengthHistogram', 'lengthHistogram', 'problems']) delete info[k];
log(`model: ${info.parameters} parameters, source vocabulary ${info.sourceVocabSize}, target ${info.targetVocabSize}`);
const curve = [];
let trained = 0, evalSeconds = 0;
const point = () => {
  const e0 = performance.now();
  const ev = trainer.evaluate({ maxExamples: CURVE_WORDS });
  const s = (performance.now() - e0) / 1e3;
  evalSeconds += s;
  const step = trainer.info.step;
  const c = { minutes: trained / 60, step, epoch: step / perEpoch, validationLoss: ev.loss, wer: 1 - ev.exactMatch, per: ev.tokenErrorRate, evalSeconds: s };
  curve.push(c);
  log(`  ${c.minutes.toFixed(1)} min  step ${step}/${plannedSteps}  epoch ${c.epoch.toFixed(2)}  val loss ${ev.loss.toFixed(4)}  ` +
      `WER ${(100 * c.wer).toFixed(1)} %  PER ${(100 * c.per).toFixed(2)} %  (${CURVE_WORDS} validation words, greedy)`);
};
while (trained < budget - 0.5 && trainer.info.step < plannedSteps) {
  const r = await trainer.train({ steps: plannedSteps - trainer.info.step, seconds: Math.min(curveMinutes * 60, budget - trained) });
  trained += r.seconds;
  point();
}
const steps = trainer.info.step;
const model = trainer.model;
const modelBytes = model.save();
fs.mkdirSync(path.join(root, 'build/proof'), { recursive: true });
fs.writeFileSync(path.join(root, 'build/proof/g2p.safetensors'), modelBytes);

// ---- test: greedy and beam 5 ------------------------------------------------------------------
const loaded = await api.loadModel(modelBytes);  // the core's metrics, for the cross-check
const results = {
  date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, load: os.loadavg(), threads,
  variant: features.variant, node: process.version, quick, settings: { ...SETTINGS, schedule: { type: 'cosine', totalSteps: plannedSteps } },
  data: data.counts, budgetMinutes, epochsPlanned: epochs, batchesPerEpoch: perEpoch, setupSeconds, probeSteps: PROBE_STEPS,
  probeStepsPerSecond, plannedSteps, steps, epochs: steps / perEpoch, trainSeconds: trained, curveEvalSeconds: evalSeconds,
  trainTokensPerEpoch: trainTokens, tokensPerSecond: (trainTokens * steps) / perEpoch / trained,
  pairsPerSecond: (data.train.length * steps) / perEpoch / trained,
  parameters: info.parameters, modelFileBytes: modelBytes.length, info, curve, test: {},
};
for (const beam of [1, 5]) {
  const name = beam === 1 ? 'greedy' : `beam ${beam}`;
  const d0 = performance.now();
  const outputs = test.map((r) => model.translate(r.word, { beam }).at(0).tokens.join(' '));
  const seconds = (performance.now() - d0) / 1e3;
  const score = wordErrors(test, outputs);
  const c0 = performance.now();
  const core = loaded.evaluate({ pairs: testPairs, beam });
  const coreSeconds = (performance.now() - c0) / 1e3;
  const agree = Math.abs(1 - core.exactMatch - score.wer) < 1e-9 && Math.abs(core.tokenErrorRate - score.per) < 1e-9;
  results.test[name] = { ...score, seconds, core: { wer: 1 - core.exactMatch, per: core.tokenErrorRate, loss: core.loss, seconds: coreSeconds }, agree };
  results.test[name].examples = test.slice(0, 8).map((r, i) => ({ word: r.word, output: outputs[i], references: r.references }));
  log(`test ${name}: WER ${(100 * score.wer).toFixed(2)} %  PER ${(100 * score.per).toFixed(2)} %  (${score.words} words, ` +
      `${seconds.toFixed(1)} s; core: ${(100 * (1 - core.exactMatch)).toFixed(2)} % / ${(100 * core.tokenErrorRate).toFixed(2)} %` +
      `${agree ? '' : ' — DIFFERENT'})`);
}
loaded.dispose();
trainer.dispose();

// ---- report -----------------------------------------------------------------------------------
const pct = (x) => (100 * x).toFixed(2) + ' %';
const s = SETTINGS;
const lines = [
  `**G2P on CMUdict** (${results.data.words} words, ${results.data.split.trainPairs} training pairs, ${results.data.split.testWords} test words${testWords ? `, first ${test.length} by hash` : ''}), ` +
    `WebAssembly (${features.variant}, ${threads} threads), ${new Date().toISOString().slice(0, 10)}:`,
  '',
  '| decoding | WER | PER | test words | decode time |',
  '|---|--:|--:|--:|--:|',
  ...Object.entries(results.test).map(([k, r]) => `| ${k} | ${pct(r.wer)} | ${pct(r.per)} | ${r.words} | ${r.seconds.toFixed(0)} s |`),
  '',
  `Model: embedding ${s.embedding}, ${s.cell.toUpperCase()} ${s.layers}×${s.hidden} bidirectional encoder, bridge, ${s.cell.toUpperCase()} ${s.layers}×${s.hidden} decoder, ` +
    `Luong attention (${s.attention}${s.inputFeeding ? ', input feeding' : ''}); ${results.parameters.toLocaleString('en')} parameters, model file ${(results.modelFileBytes / 1e6).toFixed(2)} MB.`,
  `Training: Adam ${s.learningRate}, cosine over ${plannedSteps} steps, batch ${s.batchSize}, clip ${s.clip.norm}; ` +
    `${(trained / 60).toFixed(1)} min (budget ${budgetMinutes}), ${steps} steps = ${results.epochs.toFixed(2)} epochs, ` +
    `${Math.round(results.tokensPerSecond).toLocaleString('en')} tokens/s (letters + phonemes + end), ${Math.round(results.pairsPerSecond)} words/s; load average at the end ${os.loadavg()[0].toFixed(1)}.`,
];
const out = path.join(root, 'build/bench');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, `${outName}.json`), JSON.stringify(results, null, 2));
fs.writeFileSync(path.join(out, `${outName}.md`), lines.join('\n') + '\n');
console.log(lines.join('\n'));
log(`wrote build/bench/${outName}.json and .md, build/proof/g2p.safetensors`);
