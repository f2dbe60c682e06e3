#!/usr/bin/env node
// Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/): small real model files and
// checkpoints of every task, saved by the JS API, and samples of each text format. Run it again when
// the model-file format changes; the files are committed so that `npm test` replays them.
//   node tests/fuzz/make-seeds.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrainer, resolveOptions } from '../../wasm/index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
const write = (target, name, bytes) => {
  fs.mkdirSync(path.join(dir, target), { recursive: true });
  fs.writeFileSync(path.join(dir, target, name), bytes);
};
const withMode = (mode, text) => Buffer.concat([Buffer.from([mode]), Buffer.from(text)]);

// ---- model files: one small model of each kind, and checkpoints (optimizer moments, state) ----
const text = 'The cat sat on the mat. "Hello," she said (twice) -- then left!\nA new line; and more.\n'.repeat(6);
const tiny = { layers: 1, hidden: 8, embedding: 4, batchSize: 2, seqLength: 8, seed: 1 };
const classify = 'good film\tpos\nbad film\tneg\ngreat plot\tpos\nawful acting\tneg\n'.repeat(3);
const tagged = 'the/at cat/nn sat/vbd\na/at dog/nn ran/vbd\n'.repeat(4);
const pairs = 'abc\tc b a\nhello\to l l e h\nxy\ty x\n'.repeat(4);
const runs = [
  ['lm-char-lstm', { ...tiny, text }],
  ['lm-word-gru', { ...tiny, cell: 'gru', tokenizer: 'word', text }],
  ['lm-whitespace-rnn', { ...tiny, cell: 'rnn', tokenizer: 'whitespace', text }],
  ['classify-bi', { ...tiny, task: 'classify', bidirectional: true, examples: classify }],
  ['tag-shapes', { ...tiny, task: 'tag', tokenizer: 'whitespace', minCount: 2, examples: tagged }],
  ['bycat', { ...tiny, task: 'lm', examples: 'pos\tgood film\nneg\tbad film\n'.repeat(4) }],
  ['seq2seq-attention', { ...tiny, task: 'seq2seq', targetTokenizer: 'whitespace', bidirectional: true, attention: 'general', pairs }],
];
for (const [name, options] of runs) {
  let t;
  try {
    t = await createTrainer(options);
  } catch (e) {
    console.error(`${name}: ${e.message} (skipped)`);
    continue;
  }
  t.step();
  t.step();
  write('model_file', `${name}.safetensors`, t.model.save());
  write('model_file', `${name}.checkpoint.safetensors`, t.save());
  t.dispose();
}
// Issue 14's file contents: tied weights (no fc.weight), keep-best tensors (best.*) and the planned
// length of a time-fitted schedule in a checkpoint.
{
  const t = await createTrainer({ ...tiny, tokenizer: 'word', hidden: 8, embedding: 8, tieWeights: true, embeddingDropout: 0.1,
    outputDropout: 0.1, lockedDropout: true, optimizer: 'adamw', weightDecay: 0.01, patience: 3, validationFraction: 0.2,
    schedule: { type: 'cosine', fitTime: true, totalSteps: 50 }, text });
  t.step();
  t.recordValidation(t.evaluate().loss);
  t.fitSchedule(1, 10);
  t.step();
  write('model_file', 'lm-tied-best.safetensors', t.model.save());
  write('model_file', 'lm-tied-best.checkpoint.safetensors', t.save());
  t.dispose();
}

// ---- text: a mode byte (tokenizer kind and options, see fuzz_text.cpp), then the corpus ----
const samples = {
  english: text, greek: 'Καλημέρα κόσμε. ΑΒΓ αβγ!\n', emoji: 'I 😀 wasm — “quotes” and ’apostrophes’\n',
  cjk: '你好，世界。\n日本語のテキスト\n', mixed: 'Tab\tseparated\r\nlines\u2028and\u00a0spaces\n',
};
let k = 0;
for (const [name, s] of Object.entries(samples)) for (const mode of [0, 1, 2, 13, 66, 130]) write('text', `${name}-${mode}`, withMode(mode, s)), k++;
write('text', 'invalid-utf8', withMode(32, Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3, 0x28, 0xe2, 0x82, 0x0a])));

// ---- config: run options as JSON ----
write('config', 'empty.json', '{}');
write('config', 'resolved.json', JSON.stringify(resolveOptions({})));
write('config', 'seq2seq.json', JSON.stringify({ task: 'seq2seq', attention: 'dot', inputFeeding: false, sourceTokenizer: 'char', targetTokenizer: 'word' }));
write('config', 'classify.json', JSON.stringify({ task: 'classify', bidirectional: true, pooling: 'max', clip: { value: 1 }, schedule: { type: 'cosine', totalSteps: 100, warmup: 5 } }));
write('config', 'fit.json', JSON.stringify({ tieWeights: true, tokenizer: 'word', hidden: 64, embedding: 64, embeddingDropout: 0.1, outputDropout: 0.2, lockedDropout: true, dropout: 0.3, optimizer: 'adamw', weightDecay: 0.1, patience: 4, schedule: { type: 'linear', fitTime: true, warmup: 10 } }));
write('config', 'tag.json', JSON.stringify({ task: 'tag', unknownShapes: true, minCount: 2, optimizer: 'sgd', momentum: 0.9 }));

// ---- datasets: a mode byte (format, skip_bad_lines; see fuzz_datasets.cpp), then the file ----
write('datasets', 'classify', withMode(0, 'text\tlabel\n' + classify + 'no tab here\n'));
write('datasets', 'classify-skip', withMode(8, classify + 'a\tb\tc\n\t\n'));
write('datasets', 'category', withMode(1, 'category\ttext\n' + 'pos\tgood\nneg\tbad\n'));
write('datasets', 'pairs', withMode(2, 'source\ttarget\tattribution\n' + pairs));
write('datasets', 'tagged-slash', withMode(3, tagged + '1/2/cd //in\n'));
write('datasets', 'tagged-conll', withMode(11, '-DOCSTART-\tO\n\nEU\tNNP\tB-ORG\nrejects\tVBZ\tO\n\nbad line\n'));
console.log(`seeds written to ${dir}`);
