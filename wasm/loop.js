// The training-loop policy shared by the CLI (cli.js) and the page's training worker (web/worker.js):
// train in chunks, evaluate every N steps on a bounded slice of the validation split, sample every
// N steps, checkpoint every N seconds. Plain JS, no wasm: the loops call the trainer themselves and
// ask a TrainingSchedule what is due between chunks.

/**
 * Tokens a periodic (quick) evaluation scores: the first validation batches holding at least this
 * many. The split can be large, and an evaluation between chunks must stay short; the final
 * evaluation of a run scores the whole split.
 */
export const QUICK_EVAL_TOKENS = 32768;

/**
 * Sources a periodic evaluation of an encoder-decoder (task 'seq2seq') decodes: the first this many
 * validation sources (the same sample every time, so the curve compares like with like). Decoding is
 * the costly part, so it is counted in sources, not tokens.
 */
export const QUICK_EVAL_SOURCES = 200;

/** The options of a quick evaluation for this trainer's task. */
export function quickEvaluationOptions(task) {
  return task === 'seq2seq' ? { maxExamples: QUICK_EVAL_SOURCES } : { maxTokens: QUICK_EVAL_TOKENS };
}

/** Whether a multiple of `every` lies in (from, to]: the boundary an event is due at was reached. */
const crossed = (every, from, to) => every > 0 && Math.floor(to / every) > Math.floor(from / every);

/** Steps from `step` to the next multiple of `every`, or Infinity when `every` is 0 (never). */
const toNextMultiple = (every, step) => (every > 0 ? every - (step % every) : Infinity);

/**
 * When to evaluate, sample and checkpoint during a run. Evaluations and samples fall due at
 * multiples of evalEvery and sampleEvery (chunkSteps() ends a chunk there); a checkpoint falls due
 * checkpointSeconds after the last one (or the start). With maxEvalShare < 1, a due evaluation waits
 * until evaluations have taken at most that share of the wall time since the previous one (the page
 * keeps training responsive that way); the CLI evaluates at every multiple.
 */
export class TrainingSchedule {
  /**
   * @param {{ step: number, evalEvery?: number, sampleEvery?: number, checkpointSeconds?: number,
   *   maxEvalShare?: number }} options  step: the trainer's step when the loop starts; 0 turns an
   *   event off.
   */
  constructor({ step, evalEvery = 0, sampleEvery = 0, checkpointSeconds = 0, maxEvalShare = 1 }) {
    this.evalEvery = evalEvery;
    this.sampleEvery = sampleEvery;
    this.checkpointMs = checkpointSeconds * 1000;
    this.maxEvalShare = maxEvalShare;
    this.lastEval = { step, endedAt: performance.now(), ms: 0 }; // the start counts as one, taking no time
    this.evaluatedStep = null; // the step of the last evaluation made
    this.lastSampleStep = step;
    this.lastCheckpointAt = performance.now();
  }

  /** The most steps the next chunk may train: up to the next evaluation or sample boundary. */
  chunkSteps(step) {
    return Math.min(toNextMultiple(this.evalEvery, step), toNextMultiple(this.sampleEvery, step));
  }

  /** A quick evaluation is due at this step (and its time budget allows it). */
  evaluationDue(step) {
    if (!crossed(this.evalEvery, this.lastEval.step, step)) return false;
    if (this.maxEvalShare >= 1) return true;
    const idleMs = performance.now() - this.lastEval.endedAt;
    return idleMs * this.maxEvalShare >= this.lastEval.ms * (1 - this.maxEvalShare);
  }

  /**
   * Scores QUICK_EVAL_TOKENS of the validation split (an encoder-decoder: QUICK_EVAL_SOURCES
   * sources, greedy) and records the evaluation: { step, loss, perplexity, … }.
   */
  quickEvaluation(trainer, step) {
    const startedAt = performance.now();
    this.task ??= trainer.info.task;
    const result = trainer.evaluate(quickEvaluationOptions(this.task));
    const endedAt = performance.now();
    this.lastEval = { step, endedAt, ms: endedAt - startedAt };
    this.evaluatedStep = step;
    return { step, ...result };
  }

  /** A sample is due at this step; call sampled() once it is taken. */
  sampleDue(step) {
    return crossed(this.sampleEvery, this.lastSampleStep, step);
  }

  sampled(step) {
    this.lastSampleStep = step;
  }

  /** checkpointSeconds have passed since the last checkpoint; call checkpointed() after saving. */
  checkpointDue() {
    return this.checkpointMs > 0 && performance.now() - this.lastCheckpointAt >= this.checkpointMs;
  }

  checkpointed() {
    this.lastCheckpointAt = performance.now();
  }
}
