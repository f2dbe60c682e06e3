// Type declarations for rnn-wasm (wasm/index.js), written by hand.
// Train recurrent networks (RNN, LSTM, GRU) on text and generate from them: one API for Node 20
// (ESM), pages and Web Workers, over three WebAssembly builds (single-threaded, pthreads for
// cross-origin isolated browsers, pthreads for Node) chosen at load time; see `init()`.
//
// Every function and method throws (or rejects with) an `Error` whose message names the option
// or the problem for any bad argument; the objects stay usable afterwards. Objects hold C++
// memory: call `dispose()` when done (using a disposed object throws "... is disposed"). A
// FinalizationRegistry frees what a forgotten dispose() leaves once the object is garbage-collected,
// but only as a backstop: collection may come late or never (`liveHandles()` counts what is held).

/** Bytes of a model file, checkpoint or corpus. Any `ArrayBufferView` (e.g. a Node `Buffer`) works too. */
export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** 'char': Unicode code points; 'word': the TV-script recipe; 'whitespace': tokens exactly as separated by whitespace (task 'tag', pre-tokenized text). */
export type TokenizerKind = 'char' | 'word' | 'whitespace';
/**
 * What a run learns: 'lm' a language model (on `text`, or by category on `examples`), 'classify'
 * a label per text, 'tag' a tag per token.
 */
export type Task = 'lm' | 'classify' | 'tag' | 'seq2seq';
/** How a classifier turns the encoder's steps into one vector: the last step, their mean or their maximum. */
export type Pooling = 'final' | 'mean' | 'max';

/** A labelled text (task 'classify'). As a file: `text<TAB>label` lines. */
export interface ClassifyExample {
  text: string;
  label: string;
}
/** A tagged sentence (task 'tag'), as many tags as tokens. As a file: CoNLL `token<TAB>tag` lines (blank line between sentences) or Brown `word/tag` sentences, one a line. */
export interface TagExample {
  tokens: string[];
  tags: string[];
}
/** A text of a category (task 'lm' by category). As a file: `category<TAB>text` lines. */
export interface CategoryExample {
  label: string;
  text: string;
}
/**
 * Training examples: the text of a file (a string or UTF-8 bytes, in the format of the task) or an
 * array of examples. Parse errors name the line (`line 12: missing tab between text and label`) or
 * the element (`examples[3].label must be a non-empty string`).
 */
export type Examples = string | Bytes | ClassifyExample[] | TagExample[] | CategoryExample[];

/** A source and one of its targets (task 'seq2seq'). As a file: `source<TAB>target` lines (further columns ignored; an optional header line `source<TAB>target`). */
export type Pair = [source: string, target: string] | { source: string; target: string };
/**
 * Source–target pairs: the text of a TSV file (a string or UTF-8 bytes) or an array of pairs. A
 * source may occur with several targets: each is a training pair, and in evaluation they are the
 * source's references (an output is right if it equals any).
 */
export type Pairs = string | Bytes | Pair[];
/** Luong attention's score ('general': hᵀW_a·e; 'dot': hᵀe, needs a unidirectional encoder), or none. */
export type AttentionKind = 'general' | 'dot' | 'none';
export type CellType = 'lstm' | 'gru' | 'rnn';
/** 'adamw': Adam with decoupled weight decay (matrices and embeddings decay by lr·weightDecay each step; biases do not). */
export type OptimizerType = 'adam' | 'adamw' | 'rmsprop' | 'sgd';
export type ScheduleType = 'constant' | 'step' | 'cosine' | 'linear';

/** Learning-rate schedule: a name (with the defaults below) or an object. */
export type Schedule =
  | ScheduleType
  | null
  | {
      type: ScheduleType;
      /** Linear warm-up from 0 over this many steps. @default 0 */
      warmup?: number;
      /** 'step': multiply the rate by `gamma` every `stepSize` steps. @default 1000 */
      stepSize?: number;
      /** 'step': factor, in (0, 1]. @default 0.5 */
      gamma?: number;
      /** 'cosine' / 'linear': steps from the base rate down to `minLearningRate`. @default 10000 */
      totalSteps?: number;
      /** 'cosine' / 'linear': the final rate. @default 0 */
      minLearningRate?: number;
      /**
       * 'cosine' / 'linear': the decay ends when a time budget does — `train({ seconds })` (or
       * `Trainer.fitSchedule()`) re-estimates `totalSteps` from the measured speed. @default false
       */
      fitTime?: boolean;
    };

/**
 * Gradient clipping: each gradient to [-value, value], the global norm to `norm`, both, or
 * none (`null` / `false`). @default { norm: 5 }
 */
export type Clip = { value: number; norm?: number } | { norm: number; value?: number } | null | false;

/**
 * Options of a new training run: `text` (a language model on a corpus) or `examples` (tasks
 * 'classify' and 'tag', and 'lm' by category); everything else is optional, see `resolveOptions()`.
 */
export interface TrainerOptions extends RunOptions {
  /** The corpus of a language model: a string, or UTF-8 bytes. Must hold at least one batch (batchSize × seqLength tokens) after the validation split. Not with `examples`. */
  text?: string | Bytes;
  /**
   * The examples of task 'classify' (`text<TAB>label`), 'tag' (CoNLL or word/tag) or 'lm' by
   * category (`category<TAB>text`: a conditional language model, generating with `label`). Not with `text`.
   */
  examples?: Examples;
  /** Held-out examples in the same form; otherwise `validationFraction` of `examples` is split off (seeded; stratified by label for 'classify'). Needs `examples`. */
  validationExamples?: Examples;
  /** Task 'seq2seq': the training pairs (TSV text or an array). Not with `text` or `examples`. */
  pairs?: Pairs;
  /** Task 'seq2seq': held-out pairs; otherwise `validationFraction` of the distinct sources (with all their targets) is split off, seeded. */
  validationPairs?: Pairs;
  /**
   * A language model's validation text (a benchmark's valid.txt), scored by `evaluate()` instead of a
   * `validationFraction` split: read with the training text's vocabulary (tokens outside it count in
   * `info.validationUnknownTokens`), every token after the first predicted once. Not with `examples`.
   */
  validationText?: string | Bytes;
  /** Not with a new run: see `ResumeOptions`. */
  resumeFrom?: undefined;
}

/** The options of a run besides its data (`resolveOptions()`, `analyzeCorpus()`, `estimateMemory()`). */
export interface RunOptions {
  /** What the run learns. @default 'lm' */
  task?: Task;
  /** 'seq2seq': the target side's tokenizer. @default the `tokenizer` option ('char') */
  targetTokenizer?: TokenizerKind;
  /** 'seq2seq': the source side's tokenizer. @default the `tokenizer` option ('char') */
  sourceTokenizer?: TokenizerKind;
  /** 'seq2seq': one vocabulary built from both sides (needs the same tokenizer on both; the encoder's and decoder's embeddings remain two tensors). @default false */
  sharedVocabulary?: boolean;
  /** 'seq2seq': Luong attention over the encoder's outputs. @default 'general' */
  attention?: AttentionKind;
  /** 'seq2seq' with attention: each decoder step also reads the previous attentional state (Luong et al. 2015). @default true with attention, false without */
  inputFeeding?: boolean;
  /** 'seq2seq': chance, in [0, 1], that a decoder input in training is the model's own previous prediction instead of the reference token. @default 0 */
  scheduledSampling?: number;
  /** 'classify', 'tag' and 'seq2seq' (the encoder; the decoder gets a learned bridge from both directions): read each text both ways (a forward and a reverse recurrent level; refused for 'lm', which predicts each token from the ones before it). @default false */
  bidirectional?: boolean;
  /** 'classify': how the steps of a text become one vector. @default 'final' */
  pooling?: Pooling;
  /** Examples runs: examples are cut to this many tokens, 1..65536 (`info.truncated` counts them); 'seq2seq': sources and targets alike. @default 256 */
  maxLength?: number;
  /** Examples given as file text: leave malformed lines out (counted in `info.skipped`, the first 20 in `info.problems`) instead of failing on the first. @default false */
  skipBadLines?: boolean;
  /**
   * Tokens are Unicode characters, words (the TV-script recipe: punctuation becomes tokens like
   * `||Period||`) or exactly the whitespace-separated strings (pre-tokenized text: Penn Treebank,
   * WikiText; no punctuation mapping, case kept unless `lowercase`; a language model reads every
   * newline as the end-of-sentence token `<eos>`). @default 'char'; 'whitespace' (the only one allowed) for task 'tag'; 'seq2seq': both sides
   */
  tokenizer?: TokenizerKind;
  /** Word and whitespace level: lower-case the text. (Char level always keeps the text exactly.) @default true; false for tokenizer 'whitespace' and tasks 'tag' and 'seq2seq' */
  lowercase?: boolean;
  /** Tokens seen fewer times than this map to `<unk>`; integer >= 1. @default 1; 2 for task 'tag' */
  minCount?: number;
  /** Replace invalid UTF-8 in the corpus with U+FFFD instead of throwing. @default false */
  replaceInvalid?: boolean;
  /**
   * Word and whitespace level, with `minCount` ≥ 2: a token seen fewer than `minCount` times, and a token never seen, reads as
   * its shape — `<unk:Cing>` for "Walking", `<unk:od>` for "1960" (capitalisation, digits, hyphen, a common English suffix) —
   * instead of the one `<unk>`, so a tagger can still tell an unknown name from an unknown verb. @default false; true for task 'tag'
   */
  unknownShapes?: boolean;
  /** Recurrent cell. @default 'lstm' */
  cell?: CellType;
  /** Stacked recurrent layers, 1..64. @default 2 */
  layers?: number;
  /** Hidden units per layer, 1..65536. @default 256 */
  hidden?: number;
  /** Embedding size, 1..65536. @default 64 */
  embedding?: number;
  /** Dropout between recurrent layers, 0 <= dropout < 1 (off at evaluation and generation). @default 0 */
  dropout?: number;
  /** Task 'lm': dropout on the embedding output (the first layer's input), 0 <= p < 1. @default 0 */
  embeddingDropout?: number;
  /** Task 'lm': dropout on the last layer's output (the output layer's input), 0 <= p < 1. @default 0 */
  outputDropout?: number;
  /** Task 'lm': one dropout mask per sequence for all its steps (variational / locked dropout), at every dropout site. @default false */
  lockedDropout?: boolean;
  /** Task 'lm': DropConnect on each layer's recurrent weights W_hh (AWD-LSTM's weight drop), one mask per batch, 0 <= p < 1. @default 0 */
  weightDrop?: number;
  /** Task 'lm': the output layer's weight is the embedding matrix (one tensor); needs `embedding` equal to `hidden`. @default false */
  tieWeights?: boolean;
  /**
   * Task 'lm', word-level tokenizers: an adaptive softmax (Grave et al. 2017, PyTorch's
   * AdaptiveLogSoftmaxWithLoss) in place of the output layer: a head over the most frequent words
   * plus one logit per cluster, each cluster projecting to hidden / divValue^(i+1). `true`/'auto'
   * chooses the cut-offs from the corpus's frequencies (the head covers ~80 % of the tokens); or give
   * them (increasing, below the vocabulary size). Not with `tieWeights`. Saved as tensors
   * adaptive.head.weight, adaptive.tail.{i}.{0,1}.weight. @default false
   */
  adaptiveSoftmax?: boolean | 'auto' | { cutoffs?: number[]; divValue?: number; headBias?: boolean };
  /**
   * Task 'lm': choose layers, hidden, embedding, dropout (three sites, locked), tied weights (words),
   * seqLength, batchSize, learningRate, AdamW and a cosine schedule fitted to the time from the
   * corpus (training tokens, vocabulary), `budgetSeconds` and the thread count, by the rule in the
   * README ("Settings that fit the data and the time"). Options given beside it are kept. The choice
   * and its prediction are in `info.autoSize`; `chooseSize()` gives them without training.
   */
  size?: 'auto';
  /** With `size: 'auto'`: the seconds the run will train (sizes the model; `train({ seconds })` still decides when it stops). @default 600 */
  budgetSeconds?: number;
  /** Early stopping: `recordValidation()` reports `stop` after this many evaluations without a better loss (0 = never). @default 0 */
  patience?: number;
  /**
   * The divergence guard: a step whose loss or gradient norm is not finite, or whose loss is above
   * M + max(M, 1) for M the median loss of the last 64 accepted steps, is undone — the run goes back
   * to its last good state (weights, optimizer moments, step, data position; kept every 25 steps and
   * at each save) and the learning rate is multiplied by `factor`. `false`: such a step throws instead
   * and leaves the model unchanged. @default true ({ factor: 0.5 })
   */
  guard?: boolean | { factor?: number };
  /**
   * Reduce on plateau: after every `patience` evaluations recorded with `recordValidation()` without
   * a better loss, the learning rate is multiplied by `factor` in (0, 1) (carried by checkpoints).
   * A number is the patience; `{ patience }` alone has factor 0.5; `{}` patience 2. @default off
   */
  plateau?: false | number | { patience?: number; factor?: number };
  /** Tokens per training sequence (truncated backpropagation through time), 1..65536. @default 64 */
  seqLength?: number;
  /** Sequences per batch, 1..65536. @default 32 */
  batchSize?: number;
  /** @default 'adam' */
  optimizer?: OptimizerType;
  /** Base learning rate, in (0, 10000] (beyond about 1 a run depends on the divergence guard to come back). @default 0.002 */
  learningRate?: number;
  /** SGD momentum, in [0, 1). @default 0 */
  momentum?: number;
  /** Adam β1, in [0, 1). @default 0.9 */
  beta1?: number;
  /** Adam β2, in [0, 1). @default 0.999 */
  beta2?: number;
  /** Adam / RMSProp ε, in (0, 1]. @default 1e-8 */
  eps?: number;
  /** RMSProp smoothing constant, in [0, 1). @default 0.99 */
  alpha?: number;
  /** Weight decay, in [0, 1]: L2 (added to the gradient), or decoupled with optimizer 'adamw'. @default 0 */
  weightDecay?: number;
  /** Learning-rate schedule. @default 'constant' */
  schedule?: Schedule;
  /** Gradient clipping. @default { norm: 5 } */
  clip?: Clip;
  /** Share of the tokens (the end of the text) held out for `evaluate()`, in [0, 0.5]. @default 0.05 */
  validationFraction?: number;
  /** Seed of the initial weights, dropout and batch order; integer in [0, 2^53 − 1]. @default 1 */
  seed?: number;
}

/**
 * Resumes a checkpoint exactly: the same data it was trained on (`text`, or `examples` and
 * `validationExamples` as given then; checked by CRC-32 and length), and no other option.
 */
export type ResumeOptions = {
  /** A checkpoint from `Trainer.save()` (or the native tools). */
  resumeFrom: Bytes;
  text?: string | Bytes;
  examples?: Examples;
  validationExamples?: Examples;
  pairs?: Pairs;
  validationPairs?: Pairs;
  validationText?: string | Bytes;
} & { [K in keyof RunOptions]?: never };

/** The full option set with every default filled in, as `resolveOptions()` and `info.config` give it. */
export interface ResolvedOptions {
  tokenizer: TokenizerKind;
  lowercase: boolean;
  minCount: number;
  replaceInvalid: boolean;
  /** Present for task 'tag' and wherever it is set. */
  unknownShapes?: boolean;
  cell: CellType;
  layers: number;
  hidden: number;
  embedding: number;
  dropout: number;
  /** Present when set (task 'lm'). */
  embeddingDropout?: number;
  outputDropout?: number;
  lockedDropout?: true;
  weightDrop?: number;
  tieWeights?: true;
  /** Present when set: the cut-offs as chosen (once training started) and the division value. */
  adaptiveSoftmax?: { cutoffs?: number[]; divValue: number; headBias?: true };
  patience?: number;
  guard?: false | { factor: number };
  /** Present when set. */
  plateau?: { patience: number; factor?: number };
  seqLength: number;
  batchSize: number;
  optimizer: OptimizerType;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  alpha: number;
  weightDecay: number;
  schedule: {
    type: ScheduleType;
    warmup: number;
    /** Present for 'step'. */
    stepSize?: number;
    /** Present for 'step'. */
    gamma?: number;
    /** Present for 'cosine' and 'linear'. */
    totalSteps?: number;
    /** Present for 'cosine' and 'linear'. */
    minLearningRate?: number;
    /** Present (true) when the schedule fits a time budget. */
    fitTime?: true;
  };
  /** `null` when clipping is off. */
  clip: { value?: number; norm?: number } | null;
  validationFraction: number;
  seed: number;
  /** Present for tasks other than 'lm'. */
  task?: 'classify' | 'tag' | 'seq2seq';
  /** Present for task 'seq2seq' (as are sharedVocabulary, attention, inputFeeding, scheduledSampling). */
  sourceTokenizer?: TokenizerKind;
  targetTokenizer?: TokenizerKind;
  sharedVocabulary?: boolean;
  attention?: AttentionKind;
  inputFeeding?: boolean;
  scheduledSampling?: number;
  /** Present (true) for a bidirectional model. */
  bidirectional?: true;
  /** Present for task 'classify'. */
  pooling?: Pooling;
  /** Present for examples runs (classify, tag, lm by category). */
  maxLength?: number;
  /** Present for examples runs. */
  skipBadLines?: boolean;
}

/** Options of `generate()` and `stream()`. */
export interface GenerateOptions {
  /** The category to write for: required by a model trained by category (task 'lm' with `examples`), refused by others. An unknown label throws `unknown label '…'`. */
  label?: string;
  /** Text to start from (any length); it runs through the network once. Unknown tokens map to `<unk>` or are skipped. @default '' (start of a line) */
  prime?: string;
  /** Tokens to generate after the prime, 0..1 000 000. @default 200 */
  length?: number;
  /** Sampling temperature, >= 0; 0 is greedy. @default 1 */
  temperature?: number;
  /** Sample only from the k most likely tokens; 0 = all. @default 0 */
  topK?: number;
  /** Nucleus sampling: the smallest set of tokens with cumulative probability >= topP, in (0, 1]. @default 1 */
  topP?: number;
  /** Always take the most likely token (ties: lowest id); ignores the seed. @default false */
  greedy?: boolean;
  /** > 1 makes the last 64 tokens less likely, < 1 more; > 0. @default 1 */
  repetitionPenalty?: number;
  /** Sampling seed: the same seed, model and options give the same text. Integer in [0, 2^53 − 1]. @default 1 */
  seed?: number;
  /** Stop right after a token equal to one of these, as text ('.', '\n') or as a vocabulary entry ('||Period||'). */
  stop?: string | string[];
  /** The result starts with the (normalised) prime. @default true */
  includePrime?: boolean;
}

/** Options of `Trainer.train()`; `steps` or `seconds` (or both: whichever comes first) is required. */
export interface TrainOptions {
  /** Updates to make (a non-negative integer). */
  steps?: number;
  /** Wall-clock budget in seconds (checked between chunks). */
  seconds?: number;
  /** Called after each chunk with the chunk's last step. A throw rejects `train()`. */
  onProgress?: (progress: TrainProgress) => void;
  /** Stops after the current chunk when aborted; the result then has `aborted: true`. */
  signal?: AbortSignal;
  /** Target duration of a chunk of steps between yields to the event loop. @default 50 */
  chunkMilliseconds?: number;
  /** With a `fitTime` schedule and `seconds`: fit the decay to these seconds. @default true */
  fitSchedule?: boolean;
}

/** The best validation loss recorded so far (`Trainer.best()`). */
export interface BestSoFar {
  /** The step whose weights gave it. */
  step: number;
  loss: number;
  /** Evaluations recorded since. */
  stale: number;
  /** `stale` reached the run's `patience`. */
  stop: boolean;
}

/** One update, from `Trainer.step()`. */
export interface StepResult {
  /** Updates made so far (1 after the first). */
  step: number;
  /** Completed passes over the training split. */
  epoch: number;
  /** Mean cross-entropy (nats per token) of the batch. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Global gradient norm after clipping: what the update used (equals `gradNorm` without clipping). */
  gradNormClipped: number;
  /** Learning rate used for this update (after the schedule and the guard's factor). */
  learningRate: number;
  /** Throughput of this call. */
  tokensPerSecond: number;
  /**
   * Set when the divergence guard undid a step (of this call, or of the chunk for `onProgress`): why,
   * e.g. "loss 41.2 is far above the running median 1.83 at step 5001". `step` is then where the run
   * went back to, and the learning rate is lower from here on.
   */
  guard?: string;
  /** Steps the divergence guard has undone in this run (carried by checkpoints). */
  guardEvents: number;
}

/** A chunk of steps, as `onProgress` sees it. */
export interface TrainProgress extends StepResult {
  /** Mean loss over the chunk. */
  meanLoss: number;
  /** Steps made by this `train()` call so far. */
  stepsDone: number;
}

/**
 * The Error a failed step throws (`Trainer.step()`, `Trainer.train()`): its message names the step
 * ("… at step 7; the model was left unchanged …" from the core, else "step 7 failed: …"). A failed
 * step changes nothing; the steps before it in the same call were applied and stay counted
 * (`trainer.info.step` is `step - 1`).
 */
export interface StepError extends Error {
  /** The number of the step that failed. */
  step: number;
  /** Steps this call applied before the failure. */
  stepsDone: number;
}

/** The C++ objects not freed yet, from `liveHandles()`. */
export interface LiveHandles {
  trainers: number;
  models: number;
  /** Streams from their first piece until they end, fail, are closed, or their model is disposed. */
  streams: number;
}

/** What `Trainer.train()` resolves to. When no step was made, only `step` and `epoch` of the step fields are present. */
export interface TrainResult extends Partial<TrainProgress> {
  step: number;
  epoch: number;
  /** Steps made by this call. */
  stepsDone: number;
  /** Wall-clock duration of this call. */
  seconds: number;
  /** True if `signal` stopped it. */
  aborted: boolean;
}

/** Options of `Trainer.evaluate()`. */
export interface EvaluateOptions {
  /** Score only the first validation batches holding at least this many tokens (a quick estimate); 0 = all. Not for 'seq2seq'. @default 0 */
  maxTokens?: number;
  /** 'seq2seq': decode with beam search of this width (1..64); 1 = greedy. @default 1 */
  beam?: number;
  /** 'seq2seq': beam search's length normalisation α (Wu et al. 2016), 0..10. @default 0.6 */
  alpha?: number;
  /** 'seq2seq': score only the first this many validation sources (in file order; the same sample every time); 0 = all. @default 0 */
  maxExamples?: number;
}

/** `evaluate()` of task 'seq2seq': teacher-forced loss, and the decoded outputs against every reference of their source. */
export interface Seq2SeqEvaluateResult {
  /** Mean cross-entropy per target token (the end token included), teacher forcing. */
  loss: number;
  perplexity: number;
  /** Share of sources whose output equals one of their references. */
  exactMatch: number;
  /** Σ edit distance to the closest reference / Σ that reference's length (tokens; for word-level G2P targets: the phoneme error rate). */
  tokenErrorRate: number;
  /** Corpus BLEU-4 with brevity penalty (0..1) for word or whitespace targets; null for char-level targets. */
  bleu: number | null;
  /** Sources scored (= `sources`). */
  examples: number;
  sources: number;
  /** Pairs of those sources, scored for the loss. */
  pairs: number;
  targetTokens: number;
  beam: number;
  /** The first five sources: what the model wrote, and whether it is right. */
  samples: { source: string; prediction: string; references: string[]; correct: boolean }[];
}

/** Loss on the validation split of a language model (on a text; by category adds `examples`). */
export interface EvaluateResult {
  /** Mean cross-entropy, nats per token. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
  /** loss / ln 2. */
  bitsPerToken: number;
  /** Tokens scored (predictions: a text of N tokens gives N − 1 when scored by `Model.evaluate()` or as a `validationText`). */
  tokens: number;
  /** Examples scored: present for a language model by category. */
  examples?: number;
  /** `Model.evaluate()` of a text: its tokens outside the vocabulary (read as `<unk>`, or left out when there is none). */
  unknownTokens?: number;
  /** Of those, the ones left out because the vocabulary has no `<unk>`. */
  skippedTokens?: number;
  /** The first distinct unknown tokens (at most 10). */
  unknownExamples?: string[];
}

/** One label's scores in `ClassifyEvaluateResult.perLabel`. */
export interface LabelScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Validation examples with this label. */
  support: number;
}

/** Task 'classify': loss and accuracy on the validation examples. */
export interface ClassifyEvaluateResult {
  /** Mean cross-entropy per example, nats. */
  loss: number;
  /** Share of examples whose most probable label is right. */
  accuracy: number;
  /** The commonest label of the training examples. */
  majorityLabel: string;
  /** The accuracy of always answering `majorityLabel`. */
  majorityBaseline: number;
  /** In label order (`info.labels`). */
  perLabel: LabelScore[];
  /** `matrix[i][j]`: examples of true label `labels[i]` predicted as `labels[j]`. */
  confusion: { labels: string[]; matrix: number[][] };
  examples: number;
  tokens: number;
}

/** Task 'tag': loss and token accuracy on the validation examples. */
export interface TagEvaluateResult {
  /** Mean cross-entropy per token, nats. */
  loss: number;
  /** Share of tokens tagged right. */
  accuracy: number;
  /** Validation tokens whose word never occurs in training (a loaded model: tokens outside its vocabulary). */
  unseenTokens: number;
  /** Accuracy on those; null when there are none. */
  unseenAccuracy: number | null;
  examples: number;
  tokens: number;
}

/** What `evaluate()` gives, by task: tell them apart with `'accuracy' in r` / `'perLabel' in r`. */
export type Evaluation = EvaluateResult | ClassifyEvaluateResult | TagEvaluateResult | Seq2SeqEvaluateResult;

/** Options of `translate()`. */
export interface TranslateOptions {
  /** Beam width, 1..64; 1 = greedy (or sampling with `sample`). @default 1 */
  beam?: number;
  /** Outputs returned, best first, 1..beam. @default 1 */
  nBest?: number;
  /** Most target tokens written. @default 2 × source tokens + 10 */
  maxLength?: number;
  /** Beam search's length normalisation: score = log P / ((5 + |y|) / 6)^α; 0 = raw log-probability. @default 0.6 */
  alpha?: number;
  /** Draw each token instead of taking the most probable (beam 1 only). @default false */
  sample?: boolean;
  /** With `sample`. @default 1 */
  temperature?: number;
  /** With `sample`: only the k most probable tokens; 0 = all. @default 0 */
  topK?: number;
  /** With `sample`: nucleus, in (0, 1]. @default 1 */
  topP?: number;
  /** With `sample`. @default 1 */
  seed?: number;
}

/** One output of `translate()`. */
export interface Translation {
  /** The target, detokenized. */
  text: string;
  /** Its tokens (without start and end tokens; word-level punctuation shown as text). */
  tokens: string[];
  /** `logProb`, length-normalised for beam search (what the n best are ranked by). */
  score: number;
  /** Σ log p of the tokens and of the end token when it was written. */
  logProb: number;
  /** Null for a model without attention. */
  attention: {
    /** The source's tokens as the encoder read them (cut to maxLength). */
    source: string[];
    /** The output tokens, and '</s>' for the step that wrote the end token. */
    target: string[];
    /** target.length × source.length, row-major: row t is output step t's weights over the source (each row sums to 1). */
    weights: Float32Array;
  } | null;
}

/** `classify()`: the most probable label, and every label's probability, most probable first. */
export interface Classification {
  label: string;
  probabilities: { label: string; probability: number }[];
}

/** `tag()`: one entry per token, in order. */
export interface TaggedToken {
  token: string;
  tag: string;
  /** The tag's probability. */
  probability: number;
}

/** A model's description (`Model.info`). */
export interface ModelInfo {
  parameters: number;
  vocabSize: number;
  tokenizer: TokenizerKind;
  cell: CellType;
  layers: number;
  hidden: number;
  embedding: number;
  /** The options the model was trained with. */
  config: ResolvedOptions;
  /** SIMD instruction set of the kernels (e.g. 'sse2', the xsimd name of wasm-simd128). */
  simd: string;
  task: Task;
  bidirectional: boolean;
  /** Classes (classify), tags (tag) or categories (lm by category), most frequent in training first; [] for a language model on a text or an encoder–decoder. */
  labels: string[];
  /** Task 'seq2seq' only (vocabSize is then the source's). */
  sourceTokenizer?: TokenizerKind;
  targetTokenizer?: TokenizerKind;
  sourceVocabSize?: number;
  /** The target tokenizer's tokens + the start and end tokens. */
  targetVocabSize?: number;
  sharedVocabulary?: boolean;
  attention?: AttentionKind;
  inputFeeding?: boolean;
  scheduledSampling?: number;
  maxLength?: number;
  /** Bytes held now: a loaded model keeps weights only (gradientBytes and optimizerBytes 0); a trainer all three. */
  memory: { weightBytes: number; gradientBytes: number; optimizerBytes: number };
}

/** What a run on examples sees of them (`analyzeExamples()`, and `Trainer.info` of an examples run). */
export interface ExamplesInfo {
  task: Task;
  /** A language model by category. */
  conditional: boolean;
  labels: string[];
  /** Training examples per label ('tag': training tokens per tag). */
  labelCounts: Record<string, number>;
  /** Training examples (after the validation split). */
  examples: number;
  validationExamples: number;
  trainTokens: number;
  validationTokens: number;
  /** Examples cut to `maxLength`. */
  truncated: number;
  /** Training examples by length in tokens: `counts[k]` have length in [k·binWidth, (k+1)·binWidth). At most 30 bins. */
  lengthHistogram: { binWidth: number; counts: number[] };
  batchesPerEpoch: number;
  /** Examples left out by `skipBadLines`. */
  skipped: number;
  /** "line 7: empty label", … for the first 20 of them ("validation line …" for `validationExamples`). */
  problems: string[];
}

/** What a seq2seq run sees of its pairs (`analyzePairs()`, and `Trainer.info` of a seq2seq run, beside ExamplesInfo's fields). */
export interface PairsInfo {
  task: 'seq2seq';
  /** Training pairs (after the validation split); `examples` is the same number. */
  pairs: number;
  validationPairs: number;
  /** Distinct training sources. */
  sources: number;
  validationSources: number;
  /** Training sources with more than one target. */
  multiReferenceSources: number;
  sourceTokens: number;
  /** Without the end tokens. */
  targetTokens: number;
  /** sourceTokens + targetTokens. */
  trainTokens: number;
  validationTokens: number;
  /** truncatedSources + truncatedTargets: sides cut to `maxLength`. */
  truncated: number;
  truncatedSources: number;
  truncatedTargets: number;
  /** Training pairs by source length: `counts[k]` have length in [k·binWidth, (k+1)·binWidth). At most 30 bins. (`lengthHistogram` is the same.) */
  sourceLengthHistogram: { binWidth: number; counts: number[] };
  /** By target length (without the end token). */
  targetLengthHistogram: { binWidth: number; counts: number[] };
  sourceVocabSize: number;
  targetVocabSize: number;
  batchesPerEpoch: number;
  skipped: number;
  problems: string[];
}

/** `analyzePairs()`: `PairsInfo` plus the model size a run would have (vocabSize: the source's). */
export interface PairsAnalysis extends PairsInfo {
  vocabSize: number;
  parameters: number;
}

/** `analyzeExamples()`: `ExamplesInfo` plus the vocabulary and model size a run would have. */
export interface ExamplesAnalysis extends ExamplesInfo {
  vocabSize: number;
  parameters: number;
}

/** A training run's description (`Trainer.info`). An examples run has `ExampleRunInfo`'s fields instead of `tokens` and `tokensPerBatch`. */
export interface TrainerInfo extends ModelInfo {
  /** Tokens in the whole text. */
  tokens: number;
  trainTokens: number;
  /** Held-out tokens: the `validationFraction` split, or the tokens of `validationText`. */
  validationTokens: number;
  /** With `validationText`: its tokens outside the training text's vocabulary. */
  validationUnknownTokens?: number;
  batchesPerEpoch: number;
  /** batchSize × seqLength. */
  tokensPerBatch: number;
  step: number;
  epoch: number;
  /** Next batch within the epoch. */
  position: number;
  /** Memory of weights, gradients and optimizer moments. */
  parameterBytes: number;
  /** What this run holds by the trainer's estimate (the formula of `estimateMemory()`; within 20 % of the measured peak). */
  memoryEstimate: MemoryEstimate;
  /** With `size: 'auto'`: what the rule chose and predicted. */
  autoSize?: AutoSize;
}

/** `size: 'auto'`'s choice for a corpus and a time, with the prediction behind it (`info.autoSize`, `chooseSize()`). */
export interface AutoSize {
  budgetSeconds: number;
  threads: number;
  trainTokens: number;
  vocabSize: number;
  layers: number;
  hidden: number;
  embedding: number;
  /** At the three dropout sites (the embedding's is a quarter of it), one mask per sequence. */
  dropout: number;
  /** DropConnect on the recurrent weights: 0.3 from 30 passes over the text on, else 0. */
  weightDrop: number;
  seqLength: number;
  batchSize: number;
  learningRate: number;
  /** Weights of the recurrent layers (what the rule balances against the tokens). */
  recurrentWeights: number;
  /** The rule's speed model on this machine class (README), and what it gives in the budget. */
  predictedTokensPerSecond: number;
  predictedTokens: number;
  predictedEpochs: number;
  /** The schedule's length until the real speed is measured (`totalSteps`). */
  predictedSteps: number;
}

/** `Trainer.info` of a seq2seq run. */
export interface PairsRunInfo extends ModelInfo, PairsInfo {
  task: 'seq2seq';
  step: number;
  epoch: number;
  position: number;
  parameterBytes: number;
  /** What this run holds by the trainer's estimate, for its longest examples (within 20 % of the measured peak). */
  memoryEstimate: MemoryEstimate;
}

/** `Trainer.info` of a run on examples (classify, tag, lm by category). */
export interface ExampleRunInfo extends ModelInfo, ExamplesInfo {
  task: Task;
  step: number;
  epoch: number;
  /** Next batch within the epoch. */
  position: number;
  parameterBytes: number;
  /** What this run holds by the trainer's estimate, for its longest examples (within 20 % of the measured peak). */
  memoryEstimate: MemoryEstimate;
}

/** Which WebAssembly build is loaded (or, before loading, would be). */
export type BuildVariant =
  /** Single-threaded: browsers without cross-origin isolation, and `threads: 'off'`. */
  | 'st'
  /** pthreads, for cross-origin isolated browsers (COOP `same-origin` + COEP `require-corp`). */
  | 'mt'
  /** pthreads, for Node. */
  | 'node';

/** What this runtime and build offer (`features()`). */
export interface Features {
  /** WebAssembly SIMD is supported here. */
  simd: boolean;
  /**
   * WebAssembly relaxed SIMD is supported here (Chromium 114+, Node 22+; Node 20 only with
   * `--experimental-wasm-relaxed-simd`).
   */
  relaxedSimd: boolean;
  /**
   * The SIMD level of the build loaded (or, before loading, the one that will load): `'relaxed'`,
   * the relaxed-SIMD build (fused multiply-add, f32x4.relaxed_madd), where `relaxedSimd` and
   * `init({ simd })` allow; else `'simd128'`. Results of the two differ in the last bits (one
   * rounding per multiply-add instead of two); within one build they don't depend on threads.
   */
  simdBuild: SimdLevel;
  /** The build has threads (pthreads): `variant` is 'mt' or 'node'. */
  threads: boolean;
  /** Threads the kernels use now (see `setThreads()`); 0 until the module has loaded. */
  threadCount: number;
  /** Most threads this build can use here: min(CPU cores, 8) with threads, else 1; 0 until the module has loaded. */
  maxThreads: number;
  /** The build loaded (or, before loading, the one that will load). */
  variant: BuildVariant;
  /** The package version. */
  version: string;
  build: string;
  simdArch: string;
  /** Version of the model file format this build reads and writes. */
  modelFormatVersion: number;
  /** Size of the WebAssembly memory in bytes; 0 until the module has loaded. It only grows. */
  heapBytes: number;
  /** Bytes in live allocations of the module's allocator (its `mallinfo().uordblks`); 0 until loaded. */
  heapInUse: number;
  /** The most the module's allocator has ever held (its high-water mark, `mallinfo().usmblks`); 0 until loaded. */
  heapHighWater: number;
}

/** Options of `init()`. */
export interface InitOptions {
  /**
   * `'auto'`: the threaded build in Node, and in browsers when `crossOriginIsolated`; `'off'` or
   * `1`: the single-threaded build (no workers at all); n > 1: the threaded build using n threads
   * (clamped to `maxThreads`). Default: `'auto'`, or in Node the environment variable
   * `RNN_WASM_THREADS` (same values).
   */
  threads?: 'auto' | 'off' | number;
  /**
   * `'auto'`: the relaxed-SIMD build where the runtime supports relaxed SIMD, else the simd128 one;
   * `'relaxed'` or `'simd128'` forces one (`'relaxed'` throws where unsupported). Default: `'auto'`,
   * or in Node the environment variable `RNN_WASM_SIMD` (same values).
   */
  simd?: 'auto' | SimdLevel;
}

/** The SIMD level of a build: `'relaxed'` (relaxed SIMD, fused multiply-add) or `'simd128'`. */
export type SimdLevel = 'relaxed' | 'simd128';

/** Gradient flow through time (`Trainer.gradientFlowDetails()`, `step({ diagnostics: true })`). */
export interface GradientFlow {
  /** L_T: the mean over the batch's rows of the loss at the last step. */
  loss: number;
  /** T: steps of the batch (or the text's tokens − 1). */
  steps: number;
  /** Rows of the batch (1 for a text). */
  batch: number;
  /** Per recurrent level, T values: `layers[l][t]` = ‖∂L_T/∂h_t‖ over the batch's rows and the level's units. */
  layers: Float32Array[];
}

/** A step with diagnostics: the gradient flow of the batch it trained on. */
export interface DiagnosticStepResult extends StepResult {
  gradientFlow: GradientFlow;
}

/** `model.activations()`: one level's activations over a text (one forward pass from a zero state). */
export interface Activations {
  /** The text's tokens as the model reads them. */
  tokens: string[];
  /** T × H, row-major: `values[t * H + j]` is column j after reading tokens[t]. */
  values: Float32Array;
  /** Columns: the hidden size for 'h' and 'c'; G × hidden for 'gates' (gate k of unit j at k × hidden + j). */
  H: number;
  hidden: number;
  layer: number;
  kind: 'h' | 'c' | 'gates';
  /** kind 'gates': the gate names in column-block order (LSTM i f g o, GRU r z n). */
  gates?: string[];
}

/** `model.predictNext()`: the most probable next tokens after every token of a text. */
export interface NextTokenPredictions {
  tokens: string[];
  topK: number;
  /** T × topK: `next[t * topK + k]` is the k-th most probable token after tokens[t]. */
  next: string[];
  /** T × topK, matching `next`. */
  probabilities: Float32Array;
}

/** `model.surprise()`: `surprise[t]` = −ln p(tokens[t + 1] | tokens[0..t]) in nats (T − 1 values; their mean is the text's loss). */
export interface Surprise {
  tokens: string[];
  surprise: Float32Array;
}

/** `model.inspect()`: activations, next-token predictions and surprise from one forward pass. */
export interface TextInspection {
  tokens: string[];
  /** Columns of `values` (0 when no `layer` was asked). */
  H: number;
  hidden: number;
  gates: string[];
  values: Float32Array;
  topK: number;
  next: string[];
  probabilities: Float32Array;
  surprise: Float32Array;
}

/** Seeing inside a language model (trained on a text; others throw naming the task). */
interface Inspecting {
  /** Activations of level `layer` (default 0), kind 'h' (default), 'c' (LSTM only) or 'gates' (not for a plain RNN). */
  activations(text: string | Bytes, options?: { layer?: number; kind?: 'h' | 'c' | 'gates' }): Activations;
  /** The `topK` (default 5) most probable next tokens after every token, with their probabilities. */
  predictNext(text: string | Bytes, options?: { topK?: number }): NextTokenPredictions;
  /** −ln p of every token after the first, given the ones before it. */
  surprise(text: string | Bytes): Surprise;
  /** The three in one pass: `layer` (+ `kind`) for activations, `topK` > 0 for predictions, `surprise: true`. */
  inspect(text: string | Bytes, options?: { layer?: number; kind?: 'h' | 'c' | 'gates'; topK?: number; surprise?: boolean }): TextInspection;
}

/** Generation, shared by loaded models and a trainer's live model. */
interface Generating extends Inspecting {
  /** The prime (unless `includePrime: false`) followed by `length` generated tokens, or fewer if a `stop` token came. */
  generate(options?: GenerateOptions): string;
  /**
   * The same text as `generate()` with the same options, piece by piece: the prime first, then one
   * piece per token. Its C++ generator is freed when it ends or fails, on `break`/`return()`, when
   * the model (or trainer) is disposed — the next piece then throws "model is disposed" ("trainer
   * is disposed") — and, abandoned half-way, once it is garbage-collected.
   */
  stream(options?: GenerateOptions): AsyncGenerator<string, void, undefined>;
  /** The model file (safetensors: weights, config, tokenizer). */
  save(): Uint8Array;
  readonly info: ModelInfo;
  /** Task 'classify': the label of a text (cut to maxLength tokens). Throws "classify() needs a model trained with task 'classify'" for other models. */
  classify(text: string): Classification;
  /** Task 'tag': a tag per token; a string is split on whitespace. Unknown tokens are read as `<unk>`. Throws "tag() needs a model trained with task 'tag'" for other models. */
  tag(tokens: string[] | string): TaggedToken[];
  /** Task 'seq2seq': the n best targets for a source, best first. Throws "translate() needs a model trained with task 'seq2seq'; this one is for task '…'" for other models. */
  translate(source: string, options?: TranslateOptions): Translation[];
  dispose(): void;
}

/** A model loaded with `loadModel()`. */
export declare class Model implements Generating {
  private constructor(handle: unknown);
  activations(text: string | Bytes, options?: { layer?: number; kind?: 'h' | 'c' | 'gates' }): Activations;
  predictNext(text: string | Bytes, options?: { topK?: number }): NextTokenPredictions;
  surprise(text: string | Bytes): Surprise;
  inspect(text: string | Bytes, options?: { layer?: number; kind?: 'h' | 'c' | 'gates'; topK?: number; surprise?: boolean }): TextInspection;
  generate(options?: GenerateOptions): string;
  stream(options?: GenerateOptions): AsyncGenerator<string, void, undefined>;
  classify(text: string): Classification;
  tag(tokens: string[] | string): TaggedToken[];
  translate(source: string, options?: TranslateOptions): Translation[];
  /**
   * Loss and metrics on data the model was not trained on, as `Trainer.evaluate()` gives them for
   * its task: `{ examples }` (file text or array, the training format) for classify, tag and lm
   * by category; `{ text }` for a language model on a text. Classify: `majorityLabel` is the label
   * most frequent in training. Tag: `unseenTokens` are tokens outside the model's vocabulary.
   * Unknown labels or tags throw, naming the line. A string or bytes alone is `{ text }`.
   */
  evaluate(data: string | Bytes | { text: string | Bytes; examples?: undefined; maxTokens?: number } | { examples: Examples; text?: undefined; maxTokens?: number }): Evaluation;
  /** Task 'seq2seq': on pairs (each source's targets in the file are its references), greedy unless `beam` > 1. */
  evaluate(data: { pairs: Pairs; beam?: number; alpha?: number; maxExamples?: number }): Seq2SeqEvaluateResult;
  /** The model file as bytes. */
  save(): Uint8Array;
  readonly info: ModelInfo;
  /** Frees the model's memory and ends its streams; later calls (and the streams' next pieces) throw "model is disposed". Idempotent. */
  dispose(): void;
}

/** The model a trainer is training: generates with the current weights. Owned (and freed) by its trainer. */
export interface LiveModel extends Generating {
  /** A model file without training state. */
  save(): Uint8Array;
  /** Does nothing: the trainer owns this model. */
  dispose(): void;
}

/** A training run, from `createTrainer()`. */
export declare class Trainer {
  private constructor(handle: unknown);
  readonly info: TrainerInfo | ExampleRunInfo | PairsRunInfo;
  /** The model being trained (the same object every time). */
  readonly model: LiveModel;
  /** One update on the next batch (synchronous). Throws a `StepError` if the step fails (nothing changes then). */
  step(options?: { diagnostics?: false }): StepResult;
  /** The same update, plus the gradient flow of its batch (one more forward and backward pass; the update is bitwise the same). */
  step(options: { diagnostics: true }): DiagnosticStepResult;
  /**
   * ‖∂L_T/∂h_t‖ for every step t of the batch the next step trains on, or of `text` (one sequence
   * from a zero state, no dropout); L_T = the loss at the last step. With `layer`: that level's
   * Float32Array (index t); otherwise one per level. Does not change the run.
   */
  gradientFlow(options: { layer: number; text?: string | Bytes }): Float32Array;
  gradientFlow(options?: { text?: string | Bytes }): Float32Array[];
  /** `gradientFlow()` with L_T, T and the batch size. */
  gradientFlowDetails(options?: { text?: string | Bytes }): GradientFlow;
  /**
   * Trains in chunks, yielding to the event loop between them, until `steps`, `seconds` or `signal`.
   * Rejects with a `StepError` when a step fails, and with "trainer is disposed" when the trainer is
   * disposed meanwhile (from `onProgress` or anything else between chunks).
   */
  train(options: TrainOptions): Promise<TrainResult>;
  /** Loss and the task's metrics on the validation split (throws if there is none); 'seq2seq': `Seq2SeqEvaluateResult` (tell it by `'exactMatch' in r`), with `beam`, `alpha`, `maxExamples`. Does not change the run. */
  evaluate(options?: EvaluateOptions): Evaluation;
  /** A checkpoint: weights, config, tokenizer and the whole training state; `createTrainer({ resumeFrom, text | examples })` continues it exactly. */
  save(): Uint8Array;
  /**
   * Keep-best: records a validation loss of the current weights (measure each alike, e.g. the same
   * `maxTokens`); a strictly lower loss than the best so far keeps a copy of the weights (carried by
   * checkpoints). Returns the best so far, `improved`, and `stop` once `patience` evaluations brought none.
   */
  recordValidation(loss: number): BestSoFar & {
    improved: boolean;
    /** The run's `plateau` lowered the learning rate now. */
    reduced: boolean;
    /** The learning rate the next step uses. */
    learningRate: number;
  };
  /** The best validation loss recorded so far, or null. */
  best(): BestSoFar | null;
  /** The model file of the weights at `best().step` (as `model.save()` wrote then); `loadModel()` it to generate. Throws before any. */
  saveBest(): Uint8Array;
  /** A `fitTime` schedule: `elapsedSeconds` of `budgetSeconds` passed; returns the planned steps (0 until measured). */
  fitSchedule(elapsedSeconds: number, budgetSeconds: number): number;
  /** Starts the next batch from a zero recurrent state (a language model on a text; examples runs throw). */
  resetState(): void;
  /** Frees the trainer, its model and the model's streams; later calls throw "trainer is disposed". Idempotent. */
  dispose(): void;
}

/**
 * The C++ objects behind handles not freed yet (by `dispose()` or, as a backstop, after garbage
 * collection): for leak checks, e.g. under `node --expose-gc`.
 */
export declare function liveHandles(): LiveHandles;

/** The package version, e.g. '0.1.0'. */
export declare const version: string;

/** Starts a training run on `text` or `examples`, or resumes a checkpoint exactly with `{ resumeFrom, text | examples }`. */
export declare function createTrainer(options: TrainerOptions | ResumeOptions): Promise<Trainer>;

/** Loads a model file or checkpoint for generation; rejects if the file fails validation. */
export declare function loadModel(bytes: Bytes): Promise<Model>;

/** The option set with defaults filled in, validated exactly as `createTrainer` does (without `text`). */
export declare function resolveOptions(options?: RunOptions): Promise<ResolvedOptions>;

/**
 * What a run on these examples would see, parsed and split as `createTrainer()` would, without
 * training. `options` are `createTrainer()`'s run options plus `validationExamples`. Rejects as
 * `createTrainer()` does for bad options or data (`line 12: missing tab between text and label`);
 * with `skipBadLines` the bad lines are counted in `skipped` and listed in `problems` instead.
 */
/**
 * What a seq2seq run on these pairs would see, without training: pair and source counts, length
 * histograms per side, the vocabularies and the model size. Throws as createTrainer does for bad
 * options or data ("line 12: missing tab between source and target").
 */
export declare function analyzePairs(pairs: Pairs, options?: RunOptions & { validationPairs?: Pairs }): Promise<PairsAnalysis>;

export declare function analyzeExamples(examples: Examples, options?: RunOptions & { validationExamples?: Examples }): Promise<ExamplesAnalysis>;

/** What a trainer would see of a corpus: `analyzeCorpus()`. Counts follow the trainer's tokenizer and split exactly. */
export interface CorpusAnalysis {
  /** Size of the text in bytes (UTF-8). */
  bytes: number;
  /** Unicode code points. */
  chars: number;
  /** Tokens under the tokenizer options (characters, or words and punctuation tokens). */
  tokens: number;
  /** Vocabulary size, `<unk>` included when `minCount` > 1 leaves rare tokens out (= `info.vocabSize`). */
  vocabSize: number;
  /** Tokens of the training split (= `info.trainTokens`). */
  trainTokens: number;
  /** Tokens held out for validation (= `info.validationTokens`). */
  validationTokens: number;
  /** Batches per pass over the training split (= `info.batchesPerEpoch`); 0 when `problem` is set. */
  batchesPerEpoch: number;
  /** The commonest first token of a line (e.g. `moe_szyslak:` in a TV script): a prime the model will know. */
  primeHint: string;
  /** `null`, or the "text too short: …" message `createTrainer()` would throw on this text with these options. */
  problem: string | null;
}

/**
 * Analyses a corpus as `createTrainer()` would see it, without building a model: counts, vocabulary,
 * split, batches per epoch, a prime hint, and whether the text is long enough for one batch.
 * `options` are `createTrainer()`'s (without `text`); only the tokenizer options, `validationFraction`,
 * `batchSize` and `seqLength` change the result. Rejects as `createTrainer()` does for bad options,
 * an empty text or invalid UTF-8 (`invalid UTF-8 at byte N (…)`); a text too short is reported in
 * `problem` instead.
 */
export declare function analyzeCorpus(text: string | Bytes, options?: RunOptions): Promise<CorpusAnalysis>;

/**
 * What `size: 'auto'` chooses for a language model on `text` (`size: 'auto'` is implied), without
 * training: the options a trainer on this text would use (given options kept) and the choice.
 * Depends on the thread count (call after `init()`).
 */
export declare function chooseSize(text: string | Bytes, options?: RunOptions): Promise<{ options: ResolvedOptions; autoSize: AutoSize }>;

/** Memory a training run holds, in bytes: `estimateMemory()`. */
export interface MemoryEstimate {
  /** Trainable parameters (= `info.parameters`). */
  parameters: number;
  /** Weights, gradients and optimizer moments. */
  weightBytes: number;
  /** What one step keeps for backpropagation through time, and its scratch. */
  activationBytes: number;
  /** Recurrent weights packed for the forward and backward products. */
  packingBytes: number;
  /** A save's chunk: files are written 64 KB at a time straight into the returned `Uint8Array`, outside the WebAssembly heap. */
  checkpointBytes: number;
  /** Token ids and batches of the corpus (0 when `corpusTokens` is not given). */
  corpusBytes: number;
  /** The sum of the above. */
  totalBytes: number;
  /** Language models: every buffer by name (they add up to `totalBytes`). */
  items?: MemoryItem[];
  /** Language models: the unavoidable minimum — the items with `needed`. */
  minimumBytes?: number;
}

/** One buffer of a memory estimate. */
export interface MemoryItem {
  name: string;
  bytes: number;
  /** Part of the unavoidable minimum: parameters, gradients, optimizer moments, the activations backpropagation through time must keep, the corpus ids. */
  needed: boolean;
}

/**
 * The memory a run with these options and vocabulary needs, by the same formula the trainer uses to
 * refuse configurations that cannot fit. `corpusTokens` (e.g. `analyzeCorpus().tokens`) adds the
 * corpus's share; omit it when unknown. Rejects for bad options, and for tasks other than 'lm'
 * (their memory depends on their longest examples: createTrainer refuses a run that cannot fit, with
 * the estimate in its message).
 */
export declare function estimateMemory(options: RunOptions, vocabSize: number, corpusTokens?: number): Promise<MemoryEstimate>;

/** What this runtime and build offer. Synchronous. */
export declare function features(): Features;

/**
 * Loads the WebAssembly module now, choosing the build (every other async function loads it with
 * the default). Once loaded, a numeric `threads` only sets the thread count; `'auto'` / `'off'`
 * reject if they would need the other build. Resolves to `features()`.
 */
export declare function init(options?: InitOptions): Promise<Features>;

/**
 * Threads the kernels use from now on, clamped to [1, `features().maxThreads`]; returns the count
 * in effect. Results are bitwise identical for any count. Throws if the module has not loaded yet
 * (`await init()` first) or `n` is not an integer. Call it between steps.
 */
export declare function setThreads(n: number): number;
