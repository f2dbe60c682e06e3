// The message protocol between the page (app.js and its panel modules) and the training worker (worker.js).
//
// Every request carries a numeric `id`. The worker answers each request exactly once, with a Reply or an
// ErrorReply carrying the same id. Long requests (train, generate) also emit events carrying the id of the
// request they belong to. A Fatal message (no id) means the wasm module is unusable; the page then
// restarts the worker. Byte payloads travel as transferable ArrayBuffers, so nothing big is copied twice.

/**
 * @typedef {'char'|'word'} Tokenizer
 * @typedef {{ tokenizer: Tokenizer, lowercase: boolean, minCount: number,
 *   cell: 'lstm'|'gru'|'rnn', layers: number, hidden: number, embedding: number, dropout: number,
 *   seqLength: number, batchSize: number, optimizer: 'adam'|'rmsprop'|'sgd', learningRate: number,
 *   schedule: {type: string}, clip?: {value: number}|{norm: number}, validationFraction: number, seed: number }} TrainerConfig
 *   The options of createTrainer() minus text/resumeFrom.
 * @typedef {import('./rnn-wasm/index.js').CorpusAnalysis} CorpusAnalysis
 *   analyzeCorpus(): counts, vocabSize, split, batchesPerEpoch, primeHint, and `problem` (null, or why
 *   a run cannot start on this text).
 * @typedef {import('./rnn-wasm/index.js').MemoryEstimate} MemoryEstimate   estimateMemory(), in bytes.
 * @typedef {import('./rnn-wasm/index.js').ResolvedOptions} ResolvedOptions  resolveOptions({}): the core's defaults.
 * @typedef {{ parameters: number, vocabSize: number, tokens: number, batchesPerEpoch: number, step: number,
 *   [key: string]: any }} TrainerInfo
 * @typedef {{ prime: string, length: number, temperature?: number, topK?: number, topP?: number, seed?: number,
 *   stop?: string }} GenerateOptions
 */

/**
 * Requests, page -> worker.
 * @typedef {{ id: number, type: 'init' }} InitRequest
 *   Loads the wasm module. Reply: {features, version, defaults: ResolvedOptions}
 * @typedef {{ corpusId: number, blob: Blob }} CorpusRef
 *   Corpora travel as Blobs (files stay on disk, nothing is copied on the page); the worker caches the
 *   bytes of the last corpusId it read.
 * @typedef {{ id: number, type: 'analyze', options: Partial<TrainerConfig> } & CorpusRef} AnalyzeRequest
 *   The core's analyzeCorpus() under these options. Reply: CorpusAnalysis; an error for an empty text,
 *   invalid UTF-8 or bad options.
 * @typedef {{ id: number, type: 'chooseSize', options: Partial<TrainerConfig> } & CorpusRef} ChooseSizeRequest
 *   The core's chooseSize(): size 'auto' for this corpus, these options and options.budgetSeconds.
 *   Reply: { options: ResolvedOptions, autoSize }
 * @typedef {{ id: number, type: 'estimate', options: TrainerConfig, vocabSize: number, corpusTokens: number }} EstimateRequest
 *   The core's estimateMemory(). Reply: MemoryEstimate
 * Slots: every request about a run or a model names the page tab it is for in `slot` ('lm' when absent;
 *   'classify', 'tag', 'bycat', 'translate'). Each slot has its own training run and loaded model; one run trains at a time.
 * @typedef {{ id: number, type: 'analyzeExamples', options: object } & CorpusRef} AnalyzeExamplesRequest
 *   The core's analyzeExamples() of a file of examples under these options (task, tokenizer, split, seed,
 *   skipBadLines). Reply: {task, labels, labelCounts, examples, validationExamples, lengthHistogram, skipped,
 *   problems, truncated, vocabSize, bytes, head: the file's first lines}; an error for a file without examples.
 * @typedef {{ id: number, type: 'analyzePairs', options: object } & CorpusRef} AnalyzePairsRequest
 *   The core's analyzePairs() of a source<TAB>target file (or JSON pairs) under these options (task 'seq2seq',
 *   sourceTokenizer, targetTokenizer, split, seed, skipBadLines). Reply: PairsAnalysis (pairs, validationPairs,
 *   sources, source/targetLengthHistogram, source/targetVocabSize, skipped, problems, …) + bytes, head.
 * @typedef {{ id: number, type: 'create', slot?: string, dataKind?: 'text'|'examples'|'pairs', config: TrainerConfig,
 *   resumeFrom?: ArrayBuffer, validationBlob?: Blob } & CorpusRef} CreateRequest
 *   New trainer (or the exact resume of a checkpoint) on the corpus as `text` (default), `examples` or `pairs`;
 *   `validationBlob`: a language model's validation file (createTrainer's validationText). Reply: TrainerInfo
 * @typedef {{ id: number, type: 'evaluate', slot?: string }} EvaluateRequest   The run's full evaluate(). Reply: its result + step
 * @typedef {{ id: number, type: 'predict', slot: string, kind: 'classify'|'tag', input: string|string[] }} PredictRequest
 *   model.classify(text) -> {label, probabilities} or model.tag(tokens) -> [{token, tag, probability}]
 * @typedef {{ id: number, type: 'translate', slot: string, input: string,
 *   options: import('./rnn-wasm/index.js').TranslateOptions }} TranslateRequest
 *   model.translate(input, options) of an encoder–decoder. Reply: Translation[] (best first; attention.weights a Float32Array)
 * @typedef {{ id: number, type: 'generateMany', slot: string, options: GenerateOptions & {count: number, label?: string} }} GenerateManyRequest
 *   `count` texts, seeds seed … seed+count-1. Reply: {texts}
 * @typedef {{ id: number, type: 'train', untilStep: number, chunkSeconds: number, evalEvery: number,
 *   sampleEvery: number, checkpointSeconds: number, sample: GenerateOptions }} TrainRequest
 *   Trains until untilStep or a pause, by the loop policy of rnn-wasm/loop.js (quick evaluation every
 *   evalEvery steps, a sample every sampleEvery, a checkpoint every checkpointSeconds; 0 = never).
 *   Events: Progress, Eval, Sample, Checkpoint. Reply: {reason: 'paused'|'done', step}
 * @typedef {{ id: number, type: 'pause' }} PauseRequest                    Ends a running train request after its chunk. Reply: {}
 * @typedef {{ id: number, type: 'save', source: 'run'|'active'|'best' }} SaveRequest
 *   Checkpoint of the training run, the model generation uses, or ('best') the model file of the run's
 *   weights at its best validation loss so far. Reply: {bytes: ArrayBuffer, step, fromRun, loss? (best)}
 * @typedef {{ id: number, type: 'loadModel', slot?: string, bytes: ArrayBuffer, expect?: string }} LoadModelRequest
 *   Validates a .safetensors file with loadModel(); on success generation uses it. `expect` (a slot name)
 *   refuses a model of another task. Reply: {info}
 * @typedef {{ id: number, type: 'useTrainer' }} UseTrainerRequest          Generation goes back to the training run. Reply: {}
 * @typedef {{ id: number, type: 'generate', options: GenerateOptions }} GenerateRequest
 *   Events: Piece. Reply: {text, stopped}
 * @typedef {{ id: number, type: 'stopGenerate' }} StopGenerateRequest      Reply: {}
 * See inside (inspect-worker.js; the language model's slot):
 * @typedef {{ id: number, type: 'inspect', slot?: string, text: string, layer: number, kind: 'h'|'c'|'gates', topK: number }} InspectRequest
 *   One forward pass of the slot's model over the text. Reply: model.inspect()'s {tokens, H, hidden, gates, values,
 *   topK, next (joined by U+0000), probabilities, surprise} (typed arrays transferred) + {ranking: rankUnits() of inspect-features.js,
 *   ms, rankMs, layers, cell}
 * @typedef {{ id: number, type: 'gradientFlow', slot?: string, text?: string }} GradientFlowRequest
 *   The run's gradient flow now (next batch, or the text). Reply: {loss, steps, batch, layers: Float32Array[]}
 * @typedef {{ id: number, type: 'compare', config: TrainerConfig, variants: {label: string, config: object}[],
 *   seconds: number, chunkSeconds?: number } & CorpusRef} CompareRequest
 *   Side-by-side runs of one small model per variant on the corpus, taking turns, for `seconds` (refused while a
 *   run trains). Events: Compare. Reply: {stopped, seconds}
 * @typedef {{ id: number, type: 'stopCompare' }} StopCompareRequest   Ends a comparison after the current turn. Reply: {}
 * @typedef {{ id: number, type: 'diagnostics', every: number, text?: string }} DiagnosticsRequest
 *   Changes a training run's live gradient-flow measurement from the next one on (as TrainRequest's fields). Reply: {}
 * TrainRequest also takes `diagnosticsEvery` (steps; 0 or absent = off): the gradient flow measured that often,
 *   each emitting a Diagnostics event; of the training batch (a step taken with diagnostics), or with
 *   `diagnosticsText` of that text (a validation sequence the page chose), measured without an update.
 * @typedef {InitRequest|AnalyzeRequest|ChooseSizeRequest|AnalyzeExamplesRequest|EstimateRequest|CreateRequest|TrainRequest|PauseRequest|
 *   SaveRequest|LoadModelRequest|UseTrainerRequest|GenerateRequest|StopGenerateRequest|EvaluateRequest|PredictRequest|
 *   GenerateManyRequest|InspectRequest|GradientFlowRequest|DiagnosticsRequest|CompareRequest|StopCompareRequest|AnalyzePairsRequest|TranslateRequest} Request
 */

/**
 * Messages, worker -> page.
 * @typedef {{ type: 'reply', id: number, result: any }} Reply
 * @typedef {{ type: 'error', id: number, message: string }} ErrorReply
 * @typedef {{ type: 'progress', id: number, step: number, epoch: number, loss: number, gradNorm: number,
 *   tokensPerSecond: number, stepsPerSecond: number, seconds: number, heapBytes?: number,
 *   guardEvents: number, guard?: string }} Progress
 *   One per training chunk: loss and gradNorm are the chunk means; seconds is the chunk's wall time;
 *   heapBytes is the wasm memory size when the module reports it; guardEvents counts the steps the
 *   divergence guard undid in this run, guard is why when one was undone in this chunk (step is then
 *   where the run went back to).
 * @typedef {{ type: 'eval', id: number, step: number, loss: number, perplexity?: number, bitsPerToken?: number,
 *   accuracy?: number, best?: { step: number, loss: number, stale: number, stop: boolean, improved: boolean },
 *   [key: string]: any }} Eval   evaluate()'s result: classify and tag add accuracy (and more, see the API); a
 *   periodic (quick) evaluation adds the keep-best record (Trainer.recordValidation)
 * @typedef {{ type: 'sample', id: number, step: number, prime: string, greedy: string, sampled: string[],
 *   byLabel?: {label: string, text: string}[], error?: string }} Sample   byLabel: a conditional model's (sample.labels given)
 * @typedef {{ type: 'checkpoint', id: number, step: number, bytes: ArrayBuffer }} Checkpoint
 *   The run's checkpoint, due every checkpointSeconds of training: the page keeps it for restore.
 * @typedef {{ type: 'diagnostics', id: number, step: number, loss?: number, gradNorm?: number, gradNormClipped?: number,
 *   source?: 'text', flow: {loss: number, steps: number, batch: number, layers: Float32Array[]} }} Diagnostics
 *   A training step taken with diagnostics: ‖∂L_T/∂h_t‖ per layer and step of its batch; or (source 'text') the
 *   flow of the chosen sequence at that step, with no step taken (no loss or norms). (Progress also carries
 *   gradNormClipped: the chunk's mean norm after clipping.)
 * @typedef {{ type: 'compare', id: number, index: number, steps: {step: number, loss: number, gradNorm: number,
 *   gradNormClipped: number}[], flow?: {layers: Float32Array[]}, error?: string, elapsed: number }} Compare
 *   A comparison variant's turn: its steps and its gradient flow, or the error that stopped it (a diverged run).
 * @typedef {{ type: 'piece', id: number, text: string }} Piece
 * @typedef {{ type: 'fatal', message: string }} Fatal
 * @typedef {Reply|ErrorReply|Progress|Eval|Sample|Checkpoint|Piece|Fatal|Diagnostics|Compare} WorkerMessage
 */

/** Page side: typed request/reply over a Worker. */
export class WorkerClient {
  /** @param {Worker} worker @param {{onFatal: (message: string) => void}} hooks */
  constructor(worker, { onFatal }) {
    this.worker = worker;
    this.nextId = 1;
    /** @type {Map<number, {resolve: Function, reject: Function, onEvent?: (m: WorkerMessage) => void}>} */
    this.pending = new Map();
    worker.onmessage = (e) => {
      /** @type {WorkerMessage} */ const m = e.data;
      if (m.type === 'fatal') return onFatal(m.message);
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'reply') { this.pending.delete(m.id); p.resolve(m.result); }
      else if (m.type === 'error') { this.pending.delete(m.id); p.reject(new Error(m.message)); }
      else p.onEvent?.(m);
    };
  }

  /**
   * @param {Request['type']} type
   * @param {object} [payload]
   * @param {{onEvent?: (m: WorkerMessage) => void, transfer?: Transferable[]}} [opts]
   */
  request(type, payload = {}, { onEvent, transfer = [] } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.worker.postMessage({ ...payload, id, type }, transfer);
    });
  }

  /** Rejects everything in flight (the worker died) and stops listening. */
  fail(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    this.worker.onmessage = null;
  }
}

/** Worker side: wire a handler table to messages; handlers may be async and may emit events. */
export function serve(handlers) {
  self.onmessage = async (e) => {
    /** @type {Request} */ const req = e.data;
    const emit = (type, body, transfer = []) => self.postMessage({ ...body, type, id: req.id }, transfer);
    try {
      const h = handlers[req.type];
      if (!h) throw new Error(`unknown request type ${req.type}`);
      const { result, transfer = [] } = (await h(req, emit)) ?? {};
      self.postMessage({ type: 'reply', id: req.id, result }, transfer);
    } catch (err) {
      self.postMessage({ type: 'error', id: req.id, message: errorMessage(err) });
      // A wasm trap (out of memory, unreachable) leaves the module in an unknown state: start afresh.
      if (err instanceof WebAssembly.RuntimeError || /out of memory|Aborted\(/i.test(String(err?.message))) {
        self.postMessage({ type: 'fatal', message: errorMessage(err) });
      }
    }
  };
}

export function errorMessage(err) {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : String(err);
}
