// The module worker of the Vite app: load rnn-wasm (the pthreads build when the page is cross-origin
// isolated), make a trainer, train a few steps, generate. Posts 'ready' (a trainer exists), then 'done'.
import { createTrainer, features, init } from 'rnn-wasm';

const at = () => performance.timeOrigin + performance.now();
const sentences = ['the cat sat on the mat. ', 'a dog ran in the park. ', 'we like to read books. ', 'it is a sunny day. '];

try {
  await init();
  let text = '';
  for (let i = 0; text.length < 8000; i++) text += sentences[(i * 7) % sentences.length];
  const trainer = await createTrainer({ text, tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 32, embedding: 16, seqLength: 16, batchSize: 8, seed: 3 });
  postMessage({ type: 'ready', at: at(), features: features(), crossOriginIsolated: self.crossOriginIsolated });
  const losses = [];
  for (let i = 0; i < 20; i++) losses.push(trainer.step().loss);
  const sample = trainer.model.generate({ prime: 'the ', length: 40, seed: 1 });
  postMessage({ type: 'done', at: at(), losses, sample, features: features() });
  trainer.dispose();
} catch (e) {
  postMessage({ type: 'error', message: String(e?.stack ?? e) });
}
