// The training worker: owns the wasm module, the trainer and any loaded model, so that heavy work never
// runs on the page's main thread. Speaks the protocol in protocol.js.
import { serve, errorMessage } from './protocol.js';
import { TrainingSchedule } from './rnn-wasm/loop.js';

/** @type {typeof import('./rnn-wasm/index.js')} */
let api = null;
let trainer = null;      // the training run
let loadedModel = null;  // a model loaded from a file, used for generation until the next run starts
let generateWithLoaded = false; // generation uses loadedModel, not the run
let training = null;     // {pause: boolean} while a train request runs
let generating = null;   // {stop: boolean} while a generate request runs
let step = 0;            // trainer's step count, as of the last chunk

// Evaluations may take at most this share of the training time: the page stays lively.
const MAX_EVAL_SHARE = 0.2;

// Let queued messages (pause, stop, generate) in between chunks of work.
const yieldToMessages = () => new Promise((r) => setTimeout(r, 0));
const now = () => performance.now();
const bytesOf = (buf) => new Uint8Array(buf);
const transferableCopy = (bytes) => {
  // Transfer a standalone copy: the bytes may be a view on wasm memory.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
};

// The bytes of the last corpus read, by the page's corpus id: a Blob is read once, not per request.
let corpusCache = { id: -1, bytes: null };
async function corpusBytes({ corpusId, blob }) {
  if (corpusCache.id !== corpusId) corpusCache = { id: corpusId, bytes: new Uint8Array(await blob.arrayBuffer()) };
  return corpusCache.bytes;
}

function activeModel() {
  if (generateWithLoaded && loadedModel) return loadedModel;
  if (trainer) return trainer.model;
  if (loadedModel) return loadedModel;
  throw new Error('There is no model yet: train one or load a .safetensors file.');
}

/** One line of text: the first non-empty line of what the model wrote. */
function firstLine(s) {
  const lines = s.split('\n');
  const i = lines.findIndex((l) => l.trim());
  return (i < 0 ? s : lines.slice(0, i + 1).join('\n')).trimEnd();
}

serve({
  async init() {
    api = await import('./rnn-wasm/index.js');
    // Load the wasm module now: the pthreads build when this page is cross-origin isolated (its pool
    // workers are nested in this worker), else the single-threaded one. features() reports the heap
    // and thread counts only once it is loaded.
    const features = await api.init();
    // The run options' defaults are the core's: the page shows them (with its own presets on top).
    const defaults = await api.resolveOptions({});
    return { result: { features, version: api.version, defaults } };
  },

  async analyze(req) {
    return { result: await api.analyzeCorpus(await corpusBytes(req), req.options) };
  },

  async estimate(req) {
    return { result: await api.estimateMemory(req.options, req.vocabSize, req.corpusTokens) };
  },

  async create(req) {
    if (training) throw new Error('Pause or stop training first.');
    const text = await corpusBytes(req);
    // A checkpoint carries its own settings: resuming takes only the text and the file.
    const opts = req.resumeFrom ? { text, resumeFrom: bytesOf(req.resumeFrom) } : { ...req.config, text };
    const next = await api.createTrainer(opts); // throws with the core's message; the old run stays
    trainer?.dispose();
    trainer = next;
    generateWithLoaded = false;
    step = trainer.info.step ?? 0;
    return { result: { ...trainer.info, step } };
  },

  async train(req, emit) {
    if (!trainer) throw new Error('There is no training run.');
    if (training) throw new Error('Already training.');
    training = { pause: false };
    const perBatch = trainer.info.tokensPerBatch;
    const schedule = new TrainingSchedule({
      step, evalEvery: req.evalEvery, sampleEvery: req.sampleEvery, checkpointSeconds: req.checkpointSeconds,
      maxEvalShare: MAX_EVAL_SHARE,
    });
    let reason = 'paused';
    try {
      while (!training.pause) {
        const remaining = req.untilStep - step;
        if (remaining <= 0) { reason = 'done'; break; }
        let n = 0, loss = 0, grad = 0, last = null;
        const t0 = now();
        const ret = await trainer.train({
          steps: Math.min(remaining, schedule.chunkSteps(step)), seconds: req.chunkSeconds,
          onProgress: (p) => { n++; loss += p.loss; grad += p.gradNorm; last = p; },
        });
        const seconds = (now() - t0) / 1000;
        if (!last && ret) { last = ret; n = 1; loss = ret.loss; grad = ret.gradNorm; }
        if (!last) break;
        const steps = last.step - step;
        step = last.step;
        const tokens = steps * perBatch;
        emit('progress', {
          step, epoch: last.epoch, loss: loss / n, gradNorm: grad / n, seconds,
          stepsPerSecond: steps / seconds,
          tokensPerSecond: tokens ? tokens / seconds : last.tokensPerSecond,
          heapBytes: api.features().heapBytes,
        });
        if (schedule.evaluationDue(step)) emit('eval', schedule.quickEvaluation(trainer, step));
        if (schedule.sampleDue(step)) {
          schedule.sampled(step);
          emit('sample', sample(trainer.model, req.sample));
        }
        if (schedule.checkpointDue()) {
          schedule.checkpointed();
          const bytes = transferableCopy(trainer.save());
          emit('checkpoint', { step, bytes }, [bytes]);
        }
        await yieldToMessages();
      }
      // A finished run ends with an evaluation on the whole validation split.
      if (reason === 'done' && schedule.evaluatedStep !== step) emit('eval', { step, ...trainer.evaluate() });
    } finally {
      training = null;
    }
    return { result: { reason, step } };
  },

  pause() {
    if (training) training.pause = true;
    return { result: {} };
  },

  save(req) {
    const source = req.source === 'run' ? trainer : generateWithLoaded && loadedModel ? loadedModel : trainer;
    if (!source) throw new Error('There is no model to save yet.');
    const buf = transferableCopy(source.save());
    return { result: { bytes: buf, step: source === trainer ? step : loadedModel.info?.step ?? 0, fromRun: source === trainer }, transfer: [buf] };
  },

  async loadModel(req) {
    const model = await api.loadModel(bytesOf(req.bytes)); // throws on a bad file; nothing changes then
    loadedModel?.dispose();
    loadedModel = model;
    generateWithLoaded = true;
    return { result: { info: { ...model.info } } };
  },

  useTrainer() {
    generateWithLoaded = false;
    return { result: {} };
  },

  async generate(req, emit) {
    if (generating) throw new Error('Already generating.');
    const model = activeModel();
    generating = { stop: false };
    let text = '', pending = '', lastPost = now();
    try {
      for await (const piece of model.stream(req.options)) {
        text += piece;
        pending += piece;
        // Batch pieces (~30 messages/s) and yield so a stop request can arrive.
        if (now() - lastPost > 33) {
          emit('piece', { text: pending });
          pending = '';
          lastPost = now();
          await yieldToMessages();
          if (generating.stop) break;
        }
      }
      if (pending) emit('piece', { text: pending });
      return { result: { text, stopped: generating.stop } };
    } finally {
      generating = null;
    }
  },

  stopGenerate() {
    if (generating) generating.stop = true;
    return { result: {} };
  },
});

function sample(model, opts) {
  const out = { step, prime: opts.prime, greedy: '', sampled: [] };
  try {
    out.greedy = firstLine(model.generate({ ...opts, topK: 1, temperature: 1, seed: step }));
    for (let i = 1; i <= 3; i++) out.sampled.push(firstLine(model.generate({ ...opts, temperature: 0.8, seed: step + i })));
  } catch (e) {
    out.error = errorMessage(e);
  }
  return out;
}
