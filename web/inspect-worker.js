// The worker's side of "See inside" (web/inspect.js is the page's): one forward pass over a text for
// activations, next-token predictions and surprise (with the units ranked against the text's simple
// features, inspect-features.js), gradient flow of the run, the training steps that measure it, and
// the side-by-side comparison runs (RNN · GRU · LSTM, or with and without clipping) on the corpus.
import { rankUnits } from './inspect-features.js';

const now = () => performance.now();

/** A flow result as an event payload: its arrays transferred, not copied. */
function flowPayload(f) {
  return { payload: { loss: f.loss, steps: f.steps, batch: f.batch, layers: f.layers }, transfer: f.layers.map((a) => a.buffer) };
}

const lastDiagnostic = new WeakMap(); // trainer -> step of its last diagnostic step

/**
 * What the live measurement reads while a run trains: { every: steps (0: off), text: a chosen
 * sequence, or '' for the training batch }. Set by the train request and changed mid-run by a
 * 'diagnostics' request, so that a choice on the page takes effect at the next measurement.
 */
export const liveDiagnostics = { every: 0, text: '' };

/**
 * During training: when `every` steps have passed since the trainer's last diagnostic step, measures
 * the gradient flow and emits a 'diagnostics' event. Of the training batch: the next step is taken
 * with diagnostics (the same update, plus the flow of its batch) and its result returned (the caller
 * counts it as a training step). Of a chosen sequence (`text`): measured without an update; null is
 * returned, as when no measurement was due.
 */
export function diagnosticStep(trainer, step, every, emit, text = '') {
  const last = lastDiagnostic.get(trainer);
  if (last !== undefined && step - last < every) return null;
  if (text) {
    const f = trainer.gradientFlowDetails({ text });
    lastDiagnostic.set(trainer, step);
    const { payload, transfer } = flowPayload(f);
    emit('diagnostics', { step, flow: payload, source: 'text' }, transfer);
    return null;
  }
  const r = trainer.step({ diagnostics: true });
  lastDiagnostic.set(trainer, r.step);
  const { payload, transfer } = flowPayload(r.gradientFlow);
  emit('diagnostics', { step: r.step, loss: r.loss, gradNorm: r.gradNorm, gradNormClipped: r.gradNormClipped, flow: payload }, transfer);
  return r;
}

/** The request handlers, given what they need of worker.js. */
export function inspectHandlers({ api, activeModel, trainer, corpusBytes, isTraining, yieldToMessages }) {
  let comparing = null; // { stop } while a comparison runs

  return {
    // { slot, text, layer, kind, topK } -> the model.inspect() result, plus `ranking` (rankUnits) and timings.
    inspect(req) {
      const model = activeModel(req);
      const t0 = now();
      const r = model.inspect(req.text, { layer: req.layer ?? 0, kind: req.kind ?? 'h', topK: req.topK ?? 5, surprise: true });
      const ms = now() - t0;
      const t1 = now();
      const ranking = rankUnits(r.tokens, r.values, r.H, { top: 6 });
      // `next` (T × topK strings) as one string: one copy to the page instead of thousands of small ones.
      const result = { ...r, next: r.next.join('\u0000'), ranking, ms, rankMs: now() - t1, layers: model.info.layers, cell: model.info.cell };
      return { result, transfer: [r.values.buffer, r.probabilities.buffer, r.surprise.buffer] };
    },

    // { every, text }: what the live measurement of a training run reads from now on (liveDiagnostics).
    diagnostics(req) {
      liveDiagnostics.every = Math.max(0, Math.floor(Number(req.every) || 0));
      liveDiagnostics.text = typeof req.text === 'string' ? req.text : '';
      return { result: {} };
    },

    // The run's gradient flow now: of the next batch, or of { text }.
    gradientFlow(req) {
      const t = trainer(req);
      if (!t) throw new Error('There is no training run.');
      const f = t.gradientFlowDetails(req.text ? { text: req.text } : {});
      const { payload, transfer } = flowPayload(f);
      return { result: payload, transfer };
    },

    /**
     * Trains one small model per variant on the corpus, round-robin, for `seconds`: { config (the
     * shared options), variants: [{ label, config }], seconds, chunkSeconds }. Events 'compare':
     * { index, steps: [{ step, loss, gradNorm, gradNormClipped }], flow } after each turn, or
     * { index, error } when a variant's training is refused (diverged). Reply: { stopped, seconds }.
     */
    async compare(req, emit) {
      if (isTraining()) throw new Error('Pause training first: the comparison trains models of its own.');
      if (comparing) throw new Error('A comparison is already running.');
      comparing = { stop: false };
      const trainers = [];
      const t0 = now();
      try {
        const text = await corpusBytes(req);
        for (const v of req.variants) trainers.push(await api().createTrainer({ ...req.config, ...v.config, text }));
        const dead = trainers.map(() => false);
        const chunkMs = 1000 * (req.chunkSeconds ?? 0.15);
        while (!comparing.stop && (now() - t0) / 1000 < req.seconds && dead.some((d) => !d)) {
          for (let k = 0; k < trainers.length && !comparing.stop; k++) {
            if (dead[k]) continue;
            const t = trainers[k];
            const steps = [];
            try {
              const start = now();
              do {
                const r = t.step();
                steps.push({ step: r.step, loss: r.loss, gradNorm: r.gradNorm, gradNormClipped: r.gradNormClipped });
              } while (now() - start < chunkMs);
              const d = t.step({ diagnostics: true });
              steps.push({ step: d.step, loss: d.loss, gradNorm: d.gradNorm, gradNormClipped: d.gradNormClipped });
              const { payload, transfer } = flowPayload(d.gradientFlow);
              emit('compare', { index: k, steps, flow: payload, elapsed: (now() - t0) / 1000 }, transfer);
            } catch (e) {
              dead[k] = true;
              emit('compare', { index: k, steps, error: e.message, elapsed: (now() - t0) / 1000 });
            }
            await yieldToMessages();
          }
        }
        return { result: { stopped: comparing.stop, seconds: (now() - t0) / 1000 } };
      } finally {
        trainers.forEach((t) => t.dispose());
        comparing = null;
      }
    },

    stopCompare() {
      if (comparing) comparing.stop = true;
      return { result: {} };
    },
  };
}
