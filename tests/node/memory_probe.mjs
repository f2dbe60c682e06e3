// Child process of memory.test.mjs: one training run in a fresh WebAssembly heap. It trains a few
// steps, saves a checkpoint and evaluates, then prints JSON: the trainer's memory estimate
// (info.memoryEstimate) and the allocator's high-water mark above what was in use before the run
// (features().heapHighWater - features().heapInUse), with estimateMemory()'s for a language model.
import { analyzeCorpus, createTrainer, estimateMemory, features, init } from '../../wasm/index.js';

const { options, size, words = 16 } = JSON.parse(process.argv[2]);
await init();
// Seeded "words" of a vocabulary of the size asked; sentences of 3 to 30 of them.
let x = 12345;
const next = (n) => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8) % n;
const word = () => 'w' + next(words).toString(36);
const sentence = () => Array.from({ length: 3 + next(28) }, word);
let data;
if (!options.task || options.task === 'lm') {
  let text = '';
  while (text.length < size) text += sentence().join(' ') + '.\n';
  data = { text };
} else if (options.task === 'classify') {
  data = { examples: Array.from({ length: size }, () => ({ text: sentence().join(' '), label: `label ${next(5)}` })) };
} else if (options.task === 'tag') {
  data = { examples: Array.from({ length: size }, () => sentence().map((w) => `${w}/T${w.length}`).join(' ') + '\n').join('') };
} else {
  data = { pairs: Array.from({ length: size }, () => { const s = sentence(); return [s.join(' '), s.reverse().join(' ')]; }) };
}
const before = features().heapInUse;
const trainer = await createTrainer({ ...data, ...options });
for (let i = 0; i < 2; i++) trainer.step();
trainer.save();
trainer.evaluate(data.pairs ? { maxExamples: 64 } : { maxTokens: 4096 });
const measured = features().heapHighWater - before;
const { memoryEstimate: memory, vocabSize } = trainer.info;
trainer.dispose();
const out = { estimate: memory, measured, vocabSize };
if (data.text) {
  const corpus = await analyzeCorpus(data.text, options);
  out.estimateMemory = await estimateMemory(options, vocabSize, corpus.tokens);
}
console.log(JSON.stringify(out));
