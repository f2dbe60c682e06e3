// The training worker: owns the wasm module, the trainers and any loaded models, so that heavy work
// never runs on the page's main thread. Speaks the protocol in protocol.js.
//
// Each task tab of the page has a slot ('lm', 'classify', 'tag', 'bycat', 'translate': requests name theirs in
// `slot`, 'lm' when absent) with its own training run and loaded model; one run trains at a time.
import { serve, errorMessage } from './protocol.js';
import { TrainingSchedule } from './rnn-wasm/loop.js';
import { inspectHandlers, diagnosticStep, liveDiagnostics } from './inspect-worker.js';

/** @type {typeof import('./rnn-wasm/index.js')} */
let api = null;
/**
 * @typedef {{ trainer: any, loadedModel: any, generateWithLoaded: boolean, step: number }} Slot
 *   trainer: the training run; loadedModel: a model loaded from a file, used until the next run
 *   starts; generateWithLoaded: generation and predictions use loadedModel, not the run; step:
 *   the trainer's step count as of the last chunk.
 * @type {Record<string, Slot>}
 */
const slots = {};
const slotOf = (req) => (slots[req.slot ?? 'lm'] ??= { trainer: null, loadedModel: null, generateWithLoaded: false, step: 0 });
let training = null;     // {pause: boolean, slot} while a train request runs
let generating = null;   // {stop: boolean} while a generate request runs

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

/** Whether a run holds anything out to evaluate on (a split above 0, or a validation file). */
function hasValidation(info) {
  return (info.validationTokens ?? 0) > 0 || (info.validationExamples ?? 0) > 0 || (info.validationPairs ?? 0) > 0;
}

function activeModel(slot) {
  if (slot.generateWithLoaded && slot.loadedModel) return slot.loadedModel;
  if (slot.trainer) return slot.trainer.model;
  if (slot.loadedModel) return slot.loadedModel;
  throw new Error('There is no model yet: train one or load a .safetensors file.');
}

/** The first lines of a file of examples, for the page to show what it holds (at most 8 lines of 200 characters). */
function firstLines(bytes) {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '');
  return head.split(/\r?\n/).filter((l) => l.trim()).slice(0, 8).map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
}

/**
 * A pairs file as the API takes it: a JSON array ([[source, target], …] or [{source, target}]) when
 * the file is one, else the TSV bytes. A file that starts with '[' but is not JSON is read as TSV
 * when it has tabs (a source may start with '['); without any, the JSON error is the useful one.
 */
function pairsInput(bytes) {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
  if (bytes[i] !== 0x5b) return bytes; // '['
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''); } catch { return bytes; } // the core names the bad byte
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value)) return value;
  } catch (e) {
    if (!text.includes('\t')) throw new Error(`not valid JSON pairs (${e.message}) and no source<TAB>target lines either`);
  }
  return bytes;
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

  async chooseSize(req) {
    return { result: await api.chooseSize(await corpusBytes(req), req.options) };
  },

  async estimate(req) {
    return { result: await api.estimateMemory(req.options, req.vocabSize, req.corpusTokens) };
  },

  // Examples of a task (classify, tag, lm by category) parsed without training: counts, labels,
  // lengths and the bad lines (options.skipBadLines), plus the file's first lines.
  async analyzeExamples(req) {
    const bytes = await corpusBytes(req);
    const analysis = await api.analyzeExamples(bytes, req.options);
    return { result: { ...analysis, bytes: bytes.length, head: firstLines(bytes) } };
  },

  // Source–target pairs (the Translate tab) parsed without training: counts, lengths, vocabularies and
  // the bad lines (options.skipBadLines), plus the file's first lines.
  async analyzePairs(req) {
    const bytes = await corpusBytes(req);
    const analysis = await api.analyzePairs(pairsInput(bytes), req.options);
    return { result: { ...analysis, bytes: bytes.length, head: firstLines(bytes) } };
  },

  async create(req) {
    if (training) throw new Error('Pause or stop training first.');
    const slot = slotOf(req);
    const data = await corpusBytes(req);
    // The language model trains on a text; the other tasks (and lm by category) on examples.
    const input = req.dataKind === 'examples' ? { examples: data } : req.dataKind === 'pairs' ? { pairs: pairsInput(data) } : { text: data };
    // A language model's validation file, scored instead of the split (and needed again to resume).
    if (req.validationBlob && req.dataKind !== 'examples') input.validationText = new Uint8Array(await req.validationBlob.arrayBuffer());
    // A checkpoint carries its own settings: resuming takes only the data and the file.
    const opts = req.resumeFrom ? { ...input, resumeFrom: bytesOf(req.resumeFrom) } : { ...req.config, ...input };
    const next = await api.createTrainer(opts); // throws with the core's message; the old run stays
    slot.trainer?.dispose();
    slot.trainer = next;
    slot.generateWithLoaded = false;
    slot.step = next.info.step ?? 0;
    return { result: { ...next.info, step: slot.step } };
  },

  async train(req, emit) {
    const slot = slotOf(req);
    const trainer = slot.trainer;
    if (!trainer) throw new Error('There is no training run.');
    if (training) throw new Error('Already training.');
    training = { pause: false, slot: req.slot ?? 'lm' };
    liveDiagnostics.every = Math.max(0, Math.floor(Number(req.diagnosticsEvery) || 0));
    liveDiagnostics.text = typeof req.diagnosticsText === 'string' ? req.diagnosticsText : '';
    let step = slot.step;
    const info = trainer.info;
    // Example tasks have batches of different lengths: their mean size.
    const perBatch = info.tokensPerBatch ?? (info.batchesPerEpoch ? info.trainTokens / info.batchesPerEpoch : 0);
    // Validation split 0 (and no validation file) holds nothing out: train without evaluations (the
    // page says why there is no validation curve) instead of failing at the first one.
    const validate = hasValidation(info);
    const schedule = new TrainingSchedule({
      step, evalEvery: req.evalEvery, sampleEvery: req.sampleEvery, checkpointSeconds: req.checkpointSeconds,
      maxEvalShare: MAX_EVAL_SHARE,
    });
    let reason = 'paused';
    try {
      while (!training.pause) {
        const remaining = req.untilStep - step;
        if (remaining <= 0) { reason = 'done'; break; }
        let n = 0, loss = 0, grad = 0, clipped = 0, last = null, guard = '';
        const t0 = now();
        const ret = await trainer.train({
          steps: Math.min(remaining, schedule.chunkSteps(step)), seconds: req.chunkSeconds,
          onProgress: (p) => { n++; loss += p.loss; grad += p.gradNorm; clipped += p.gradNormClipped ?? p.gradNorm; last = p; if (p.guard) guard = p.guard; },
        });
        if (!last && ret) { last = ret; n = 1; loss = ret.loss; grad = ret.gradNorm; clipped = ret.gradNormClipped ?? ret.gradNorm; }
        if (!last) break;
        // Gradient flow every liveDiagnostics.every steps (inspect-worker.js): of the batch, one step
        // taken with diagnostics, counted in this chunk's progress so that the page's step is the
        // trainer's; of a chosen sequence, a measurement without an update.
        const d = liveDiagnostics.every > 0 && last.step < req.untilStep ? diagnosticStep(trainer, last.step, liveDiagnostics.every, emit, liveDiagnostics.text) : null;
        if (d) { n++; loss += d.loss; grad += d.gradNorm; clipped += d.gradNormClipped ?? d.gradNorm; last = { ...last, step: d.step, epoch: d.epoch ?? last.epoch }; }
        const seconds = (now() - t0) / 1000;
        const steps = Math.max(0, last.step - step); // the divergence guard may have gone back
        step = slot.step = last.step;
        const tokens = steps * perBatch;
        emit('progress', {
          step, epoch: last.epoch, loss: loss / n, gradNorm: grad / n, gradNormClipped: clipped / n, seconds,
          stepsPerSecond: steps / seconds,
          tokensPerSecond: tokens ? tokens / seconds : last.tokensPerSecond,
          heapBytes: api.features().heapBytes,
          guardEvents: last.guardEvents ?? 0, ...(guard ? { guard } : {}),
        });
        if (validate && schedule.evaluationDue(step)) {
          const e = schedule.quickEvaluation(trainer, step);
          emit('eval', { ...e, best: trainer.recordValidation(e.loss) }); // keep-best: the same slice every time
        }
        if (schedule.sampleDue(step)) {
          schedule.sampled(step);
          emit('sample', sample(trainer.model, req.sample, step));
        }
        if (schedule.checkpointDue()) {
          schedule.checkpointed();
          const bytes = transferableCopy(trainer.save());
          emit('checkpoint', { step, bytes }, [bytes]);
        }
        await yieldToMessages();
      }
      // A finished run ends with an evaluation on the whole validation split.
      if (reason === 'done' && validate && schedule.evaluatedStep !== step) emit('eval', { step, ...trainer.evaluate() });
    } catch (e) {
      // A step that failed part-way through a chunk: the steps before it were applied and count.
      if (Number.isInteger(e.step)) slot.step = e.step - 1;
      throw e;
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
    const { trainer, loadedModel, generateWithLoaded, step } = slotOf(req);
    if (req.source === 'best') {
      // Keep-best: the model file of the weights at the best validation loss recorded so far.
      if (!trainer) throw new Error('There is no run, so no best model yet.');
      const best = trainer.best();
      if (!best) throw new Error('No best model yet: it is chosen at the first validation evaluation.');
      const buf = transferableCopy(trainer.saveBest());
      return { result: { bytes: buf, step: best.step, loss: best.loss, fromRun: true }, transfer: [buf] };
    }
    const source = req.source === 'run' ? trainer : generateWithLoaded && loadedModel ? loadedModel : trainer;
    if (!source) throw new Error('There is no model to save yet.');
    const buf = transferableCopy(source.save());
    return { result: { bytes: buf, step: source === trainer ? step : loadedModel.info?.step ?? 0, fromRun: source === trainer }, transfer: [buf] };
  },

  async loadModel(req) {
    const slot = slotOf(req);
    const model = await api.loadModel(bytesOf(req.bytes)); // throws on a bad file; nothing changes then
    // A tab takes only models of its task: a tagger cannot classify.
    const want = req.expect;
    if (want) {
      const task = model.info.task ?? 'lm';
      const conditional = !!model.info.conditional || (task === 'lm' && (model.info.labels?.length ?? 0) > 0);
      const got = task === 'lm' ? (conditional ? 'bycat' : 'lm') : task === 'seq2seq' ? 'translate' : task;
      if (got !== want) {
        model.dispose();
        throw new Error(`it is a model for ${TASK_NAMES[got] ?? got}, not for ${TASK_NAMES[want] ?? want}.`);
      }
    }
    slot.loadedModel?.dispose();
    slot.loadedModel = model;
    slot.generateWithLoaded = true;
    return { result: { info: { ...model.info } } };
  },

  useTrainer(req) {
    slotOf(req).generateWithLoaded = false;
    return { result: {} };
  },

  // A full evaluation of the run on its validation examples (or text).
  evaluate(req) {
    const { trainer, step } = slotOf(req);
    if (!trainer) throw new Error('There is no training run.');
    return { result: { step, ...trainer.evaluate() } };
  },

  // classify(text) or tag(tokens) with the model the slot uses.
  predict(req) {
    const model = activeModel(slotOf(req));
    if (req.kind === 'classify') return { result: model.classify(req.input) };
    if (req.kind === 'tag') return { result: model.tag(req.input) };
    throw new Error(`unknown prediction ${req.kind}`);
  },

  // The n best outputs of an encoder–decoder for one source, with their attention (weights as a
  // Float32Array, target × source): model.translate(input, options).
  translate(req) {
    const model = activeModel(slotOf(req));
    return { result: model.translate(req.input, req.options) };
  },

  // Several short texts of a conditional model at once (the by-category tab): one per seed.
  generateMany(req) {
    const model = activeModel(slotOf(req));
    const { count, seed, ...options } = req.options;
    const texts = [];
    for (let i = 0; i < count; i++) texts.push(model.generate({ ...options, seed: seed + i }));
    return { result: { texts } };
  },

  async generate(req, emit) {
    if (generating) throw new Error('Already generating.');
    const model = activeModel(slotOf(req));
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
    } catch (e) {
      // A new run or a loaded model replaced (and disposed) the one generating: its stream ends
      // there, as if stopped.
      if (!/^(model|trainer) is disposed$/.test(e.message)) throw e;
      if (pending) emit('piece', { text: pending });
      return { result: { text, stopped: true } };
    } finally {
      generating = null;
    }
  },

  stopGenerate() {
    if (generating) generating.stop = true;
    return { result: {} };
  },

  // Seeing inside the model (inspect-worker.js): inspect, gradientFlow, compare, stopCompare.
  ...inspectHandlers({
    api: () => api, activeModel: (req) => activeModel(slotOf(req)), trainer: (req) => slotOf(req).trainer,
    corpusBytes, isTraining: () => !!training, yieldToMessages,
  }),
});

const TASK_NAMES = { lm: 'writing like a text', classify: 'classifying', tag: 'tagging', bycat: 'generating by category', translate: 'translating' };

/**
 * Samples of the model at a step: a greedy line and three at temperature 0.8; with `labels` (a
 * conditional model) one sample per label instead, each tagged with its label.
 */
function sample(model, opts, step) {
  const { labels, ...gen } = opts;
  const out = { step, prime: gen.prime ?? '', greedy: '', sampled: [] };
  try {
    if (labels) {
      out.byLabel = labels.map((label, i) => ({ label, text: firstLine(model.generate({ ...gen, label, temperature: 0.8, seed: step + i })) }));
      return out;
    }
    out.greedy = firstLine(model.generate({ ...gen, topK: 1, temperature: 1, seed: step }));
    for (let i = 1; i <= 3; i++) out.sampled.push(firstLine(model.generate({ ...gen, temperature: 0.8, seed: step + i })));
  } catch (e) {
    out.error = errorMessage(e);
  }
  return out;
}
