#!/usr/bin/env node
// Competitor benchmarks, side by side with rnn-wasm: the same character-level LSTM language model
// trained with TensorFlow.js (wasm and cpu backends) and with brain.js, in Node.
//
// Reference workload: tiny Shakespeare, vocabulary = its distinct characters (65),
// Embedding(65→64) → LSTM 256 → LSTM 256 → Dense(→65) on every time step, softmax cross-entropy,
// seqLength 64, batch 32, Adam(lr 0.002), clip by global norm 5 (~0.87 M parameters).
// Throughput = batch × seqLength × steps / seconds, after at least one warm-up step.
//
// usage: node tests/bench/competitors.mjs [--only ID|GROUP,...] [--quick] [--steps N] [--list]
//   groups: tfjs-wasm, tfjs-cpu, brain;  ids: see --list
//   env RNN_DATA_DIR: folder holding tinyshakespeare.txt (default: ../shared/data from the repo root)
// Each variant runs in its own child Node process (one failing or crashing variant does not stop
// the others). One human-readable line per variant; the last stdout line is a JSON summary.
//
// Variants: tfjs layers API as its users write it (tf.sequential + tf.layers.lstm + trainOnBatch);
// tfjs "fused": tf.variables, per-step gate matMuls, and either a hand-written BPTT (the fastest
// honest tfjs code we could write; checked against tf.variableGrads and tf.layers.lstm on a tiny
// model at start-up) or tf.variableGrads on the same forward; brain.js recurrent.LSTM.
// Besides wall-clock tokens/s each result has tokens per CPU-second of the (single-threaded)
// process, which is what the wall-clock figure would be on an idle core.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const require = createRequire(import.meta.url);

const CFG = Object.freeze({ embedding: 64, hidden: 256, layers: 2, batch: 32, seqLength: 64, lr: 0.002, clipNorm: 5 });

const VARIANTS = [
  { id: 'tfjs-wasm-layers', group: 'tfjs-wasm', name: 'tfjs-wasm layers', backend: 'wasm', variant: 'layers', timeout: 400 },
  { id: 'tfjs-wasm-fast', group: 'tfjs-wasm', name: 'tfjs-wasm hand-written BPTT', backend: 'wasm', variant: 'hand-bptt', timeout: 300 },
  { id: 'tfjs-wasm-autodiff', group: 'tfjs-wasm', name: 'tfjs-wasm fused ops + autodiff', backend: 'wasm', variant: 'fused-autodiff', timeout: 300 },
  { id: 'tfjs-cpu-layers', group: 'tfjs-cpu', name: 'tfjs-cpu layers', backend: 'cpu', variant: 'layers', timeout: 900 },
  { id: 'tfjs-cpu-fast', group: 'tfjs-cpu', name: 'tfjs-cpu hand-written BPTT', backend: 'cpu', variant: 'hand-bptt', timeout: 400 },
  { id: 'brain', group: 'brain', name: 'brain.js recurrent.LSTM', backend: 'js', variant: 'brain.recurrent.LSTM', timeout: 300 },
];

// Time boxes: measure until minSeconds have passed (at least minSteps, at most maxSteps).
// --steps N (for by-hand sanity runs): 1 warm-up + exactly N measured steps, all losses printed.
function budget(id, quick, fixedSteps) {
  if (fixedSteps) return { warmup: 1, minSteps: fixedSteps, maxSteps: fixedSteps, minSeconds: 0, strings: id === 'brain' ? 8 : undefined };
  if (id === 'tfjs-cpu-layers') return quick ? { warmup: 1, minSteps: 1, maxSteps: 1, minSeconds: 0 } : { warmup: 1, minSteps: 2, maxSteps: 2, minSeconds: 0 };
  if (id === 'tfjs-cpu-fast') return quick ? { warmup: 1, minSteps: 1, maxSteps: 1, minSeconds: 0 } : { warmup: 1, minSteps: 1, maxSteps: 4, minSeconds: 20 };
  if (id === 'brain') return quick ? { warmup: 1, minSteps: 1, maxSteps: 2, minSeconds: 4, strings: 2 } : { warmup: 1, minSteps: 2, maxSteps: 20, minSeconds: 35, strings: 8 };
  return quick ? { warmup: 1, minSteps: 2, maxSteps: 5, minSeconds: 4 } : { warmup: 1, minSteps: 3, maxSteps: 200, minSeconds: 20 };
}

function pkgVersion(name) {
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      try {
        const pj = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
        if (pj.name === name) return pj.version;
      } catch { /* keep walking up */ }
      const up = path.dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  } catch { return null; }
}

// ---------------------------------------------------------------------------------------------
// data

function loadData() {
  const dir = process.env.RNN_DATA_DIR || path.resolve(ROOT, '../shared/data');
  const text = readFileSync(path.join(dir, 'tinyshakespeare.txt'), 'utf8');
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const ids = Int32Array.from(text, (c) => index.get(c));
  return { text, chars, ids, V: chars.length };
}

// Batch k: rows are consecutive 64-character windows of the text (row b of batch k starts at
// (k·B + b)·T). x = window, y = window shifted by one. Returns batch-major Int32Arrays [B·T].
function batchAt(data, k, B, T) {
  const span = data.ids.length - T - 1;
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = ((k * B + b) * T) % span;
    for (let t = 0; t < T; t++) {
      x[b * T + t] = data.ids[start + t];
      y[b * T + t] = data.ids[start + t + 1];
    }
  }
  return { x, y };
}

async function measure(stepFn, { warmup, minSteps, maxSteps, minSeconds }) {
  const losses = [];
  let k = 0;
  const w0 = performance.now();
  for (let i = 0; i < warmup; i++) losses.push(await stepFn(k++));
  const warmupSeconds = (performance.now() - w0) / 1000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let steps = 0;
  while (steps < minSteps || (steps < maxSteps && performance.now() - t0 < minSeconds * 1000)) {
    losses.push(await stepFn(k++));
    steps++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { steps, seconds, cpuSeconds, warmupSeconds, firstLoss: losses[0], lastLoss: losses[losses.length - 1], losses };
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js

async function loadTf(backend) {
  // tfjs prints a banner recommending tfjs-node when it sees Node; keep the output readable.
  const warn = console.warn;
  console.warn = (...a) => { if (!/tfjs-node|node backend|^=+$/.test(String(a[0]))) warn(...a); };
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // setWasmPaths takes a prefix that the .wasm file name is appended to: under Node a directory
    // path or a file:// directory URL both work, but only with the trailing separator. tfjs never
    // enables wasm threads under Node → single-threaded (SIMD on).
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(dir + path.sep);
  }
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) throw new Error(`could not set tfjs backend ${backend}`);
  let info = `backend ${backend}`;
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info += `, SIMD ${simd ? 'on' : 'off'}, ${threads ? 'multi' : 'single'}-threaded`;
  }
  return { tf, info };
}

// Scales a gradient list/map so its global L2 norm is at most maxNorm (tf.clipByGlobalNorm does
// not exist in tfjs, nor does a clipnorm option on its optimizers).
function clipByGlobalNorm(tf, grads, maxNorm) {
  return tf.tidy(() => {
    const list = Array.isArray(grads) ? grads.map((g) => g.tensor) : Object.values(grads);
    const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.div(tf.scalar(maxNorm), tf.maximum(norm, tf.scalar(maxNorm)));
    if (Array.isArray(grads)) return grads.map((g) => ({ name: g.name, tensor: tf.mul(g.tensor, scale) }));
    const out = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
    return out;
  });
}

// (a)/(c): the layers API as its users write it.
async function runLayers(tf, backend, data, bud) {
  const { batch: B, seqLength: T, hidden: H, embedding: E } = CFG;
  const V = data.V;
  const notes = [];
  const model = tf.sequential();
  // tf.layers.embedding trains on the cpu backend but not on wasm: the gradient of gather needs the
  // UnsortedSegmentSum kernel, which tfjs-backend-wasm 4.22 does not have. Under wasm the
  // embedding is therefore the mathematically identical one-hot input → dense(64, no bias).
  const oneHotInput = backend === 'wasm';
  if (oneHotInput) {
    model.add(tf.layers.dense({ units: E, useBias: false, inputShape: [T, V] }));
    notes.push('embedding = one-hot input → dense(64, no bias), because tf.layers.embedding cannot train on wasm (no UnsortedSegmentSum kernel)');
  } else {
    model.add(tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }));
  }
  for (let l = 0; l < CFG.layers; l++) {
    // tfjs's LSTM defaults to recurrentActivation 'hardSigmoid'; the reference is a standard LSTM.
    // Its default recurrentInitializer 'orthogonal' runs a QR decomposition with tf ops, which
    // takes minutes on the cpu backend (~10 min here for the two 256×1024 kernels): not part of the
    // training workload, so glorotUniform instead (same cost per training step).
    model.add(tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }));
  }
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: V, activation: 'softmax' }) }));
  const optimizer = tf.train.adam(CFG.lr);
  // No clipnorm in tfjs optimizers: clip by global norm by wrapping applyGradients (what
  // model.trainOnBatch → optimizer.minimize calls).
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads) => {
    const clipped = clipByGlobalNorm(tf, grads, CFG.clipNorm);
    apply(clipped);
    tf.dispose(Array.isArray(clipped) ? clipped.map((g) => g.tensor) : Object.values(clipped));
  };
  notes.push('recurrentActivation sigmoid (tfjs default is hardSigmoid); recurrentInitializer glorotUniform (the default orthogonal init takes ~10 min on the cpu backend); clip by global norm via a wrapper around optimizer.applyGradients (tfjs has no clipnorm)');
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const params = model.countParams();

  const step = async (k) => {
    const { x, y } = batchAt(data, k, B, T);
    const xs = oneHotInput
      ? tf.tidy(() => tf.oneHot(tf.tensor2d(x, [B, T], 'int32'), V).toFloat())
      : tf.tensor2d(Float32Array.from(x), [B, T]);
    const ys = tf.tensor3d(Float32Array.from(y), [B, T, 1]);
    const loss = await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
    return Array.isArray(loss) ? loss[0] : loss;
  };
  const m = await measure(step, bud);
  notes.push(`${params} parameters; model.trainOnBatch on [32,64] batches; ${tf.memory().numTensors} live tensors after run`);
  model.dispose();
  return { ...m, tokensPerStep: B * T, notes };
}

// The fused variants. Lessons from profiling tfjs-backend-wasm 4.22 (they shape the code below):
//  • matMul goes through XNNPACK (~22 GFLOP/s here) only without transpose flags; with transposeA
//    or transposeB it falls back to a naive loop, ~10-15× slower. So: explicit tf.transpose, then
//    a plain matMul.
//  • Slice/split/unstack copy the WHOLE input tensor out of the wasm heap once per output
//    (readSync), so cutting a [T·B, 4H] tensor into T time steps costs ~0.3 s per step. Hence no
//    hoisted all-time-steps input projection that would have to be sliced again: every time step
//    multiplies [x_t, h_{t-1}] (one concat) by the gate weights, and the per-step tensors are
//    kept as arrays; big tensors are only ever built by concat (cheap) for the weight gradients.
//  • Reductions over axis 0 are slow; a bias gradient is ones[1, T·B] · dZ instead.
//  • tf.fused.matMul with bias and a sigmoid activation is one XNNPACK call.
const mmTA = (tf, a, b) => tf.matMul(tf.transpose(a), b); // aᵀ·b
const GATES = ['i', 'f', 'o', 'g'];

// Parameters: per layer and gate a [in+H, H] weight (input and recurrent rows stacked) and a bias.
let varCounter = 0;
function makeParams(tf, V, E, H, L) {
  const pre = `p${varCounter++}`;
  const glorot = (shape) => {
    const s = Math.sqrt(6 / (shape[0] + shape[1]));
    return tf.randomUniform(shape, -s, s, 'float32');
  };
  const P = { E: tf.variable(tf.randomNormal([V, E], 0, 0.05), true, `${pre}/E`), layers: [], H };
  let inDim = E;
  for (let l = 0; l < L; l++) {
    const layer = { inDim, W: {}, b: {} };
    for (const g of GATES) {
      layer.W[g] = tf.variable(glorot([inDim + H, H]), true, `${pre}/l${l}/W${g}`);
      layer.b[g] = tf.variable(tf.zeros([H]), true, `${pre}/l${l}/b${g}`);
    }
    P.layers.push(layer);
    inDim = H;
  }
  P.Wy = tf.variable(glorot([H, V]), true, `${pre}/Wy`);
  P.by = tf.variable(tf.zeros([V]), true, `${pre}/by`);
  return P;
}
const paramList = (P) => [P.E, ...P.layers.flatMap((l) => GATES.flatMap((g) => [l.W[g], l.b[g]])), P.Wy, P.by];
const countParams = (P) => paramList(P).reduce((n, v) => n + v.size, 0);

// Per-step tensors of one batch (time-major): input ids, input and target one-hots, from JS.
function makeBatchTensors(tf, x, y, V, B, T) {
  const idsT = [], inOHT = [], tgtOHT = [];
  const tgtAll = new Float32Array(T * B * V), inOHAllT = new Float32Array(V * T * B); // [N,V], [V,N]
  for (let t = 0; t < T; t++) {
    const ids = new Int32Array(B), inOH = new Float32Array(B * V), tgtOH = new Float32Array(B * V);
    for (let b = 0; b < B; b++) {
      ids[b] = x[b * T + t];
      inOH[b * V + x[b * T + t]] = 1;
      tgtOH[b * V + y[b * T + t]] = 1;
      tgtAll[(t * B + b) * V + y[b * T + t]] = 1;
      inOHAllT[x[b * T + t] * T * B + t * B + b] = 1;
    }
    idsT.push(tf.tensor1d(ids, 'int32'));
    inOHT.push(tf.tensor2d(inOH, [B, V]));
    tgtOHT.push(tf.tensor2d(tgtOH, [B, V]));
  }
  return { idsT, inOHT, tgtOHT, tgtAll: tf.tensor2d(tgtAll, [T * B, V]), inOHAllT: tf.tensor2d(inOHAllT, [V, T * B]), B, T, V };
}

// One LSTM layer over a list of per-step inputs [B, in]; returns the per-step outputs h_t.
// With `cache` (hand-written path): fused matMul+bias+sigmoid, and what the backward needs is kept.
// Without: plain differentiable ops (tf.variableGrads cannot differentiate a fused sigmoid).
function lstmForward(tf, xs, layer, H, cache) {
  const B = xs[0].shape[0];
  let h = tf.zeros([B, H]), c = tf.zeros([B, H]);
  const hs = [];
  for (let t = 0; t < xs.length; t++) {
    const xh = tf.concat([xs[t], h], 1);
    let i, f, o, g;
    if (cache) {
      const sig = (k) => tf.fused.matMul({ a: xh, b: layer.W[k], bias: layer.b[k], activation: 'sigmoid' });
      i = sig('i'); f = sig('f'); o = sig('o');
      g = tf.tanh(tf.fused.matMul({ a: xh, b: layer.W.g, bias: layer.b.g }));
    } else {
      const pre = (k) => tf.add(tf.matMul(xh, layer.W[k]), layer.b[k]);
      i = tf.sigmoid(pre('i')); f = tf.sigmoid(pre('f')); o = tf.sigmoid(pre('o'));
      g = tf.tanh(pre('g'));
    }
    const cPrev = c;
    c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
    const th = tf.tanh(c);
    h = tf.mul(o, th);
    hs.push(h);
    if (cache) cache.push({ xh, i, f, o, g, cPrev, th });
  }
  return hs;
}

// Hand-written BPTT for one layer: per-step dL/dh_t in, per-step dL/dx_t out (only if needDx);
// the weight gradients are accumulated after the loop with one big matMul:
// [x_t, h_{t-1}]ᵀ_all · dZ_all. Returns the per-step dx_t, or dZ_all when !needDx.
function lstmBackward(tf, dHs, layer, cache, H, grads, needDx) {
  const T = dHs.length, B = dHs[0].shape[0];
  const one = tf.scalar(1);
  const Wcat = tf.concat(GATES.map((k) => layer.W[k]), 1); // [in+H, 4H]
  // per step: d[x_t, h_{t-1}] = dz_t · Wcatᵀ, or only the recurrent rows when dx is not needed
  const WT = tf.transpose(needDx ? Wcat : tf.slice(Wcat, [layer.inDim, 0], [H, 4 * H]));
  const dzs = new Array(T), dxs = new Array(T);
  let dhNext = null, dcNext = null;
  for (let t = T - 1; t >= 0; t--) {
    const { i, f, o, g, cPrev, th } = cache[t];
    const dh = dhNext ? tf.add(dHs[t], dhNext) : dHs[t];
    const dcLocal = tf.mul(tf.mul(dh, o), tf.sub(one, tf.square(th)));
    const dc = dcNext ? tf.add(dcLocal, dcNext) : dcLocal;
    const dsig = (s, ds) => tf.mul(ds, tf.mul(s, tf.sub(one, s)));
    const dzi = dsig(i, tf.mul(dc, g));
    const dzf = dsig(f, tf.mul(dc, cPrev));
    const dzo = dsig(o, tf.mul(dh, th));
    const dzg = tf.mul(tf.mul(dc, i), tf.sub(one, tf.square(g)));
    const dz = tf.concat([dzi, dzf, dzo, dzg], 1); // [B, 4H]
    dzs[t] = dz;
    if (needDx) {
      const [dx, dhPrev] = tf.split(tf.matMul(dz, WT), [layer.inDim, H], 1);
      dxs[t] = dx;
      dhNext = dhPrev;
    } else if (t > 0) {
      dhNext = tf.matMul(dz, WT);
    }
    dcNext = tf.mul(dc, f);
  }
  const dZ = tf.concat(dzs, 0); // [T·B, 4H]
  const XH = tf.concat(cache.map((s) => s.xh), 0); // [T·B, in+H]
  const dW = tf.split(mmTA(tf, XH, dZ), 4, 1);
  const db = tf.split(tf.reshape(tf.matMul(tf.ones([1, T * B]), dZ), [4 * H]), 4, 0);
  GATES.forEach((k, n) => { grads[layer.W[k].name] = dW[n]; grads[layer.b[k].name] = db[n]; });
  return needDx ? dxs : dZ;
}

// Mean softmax cross-entropy over all B·T predictions, forward shared by both paths.
function modelForward(tf, P, bt, caches) {
  const N = bt.B * bt.T;
  // embedding: gather on the hand path; one-hot · E on the autodiff path (gather's gradient needs
  // UnsortedSegmentSum, missing on wasm); the values are identical.
  let xs = caches ? bt.idsT.map((ids) => tf.gather(P.E, ids)) : bt.inOHT.map((oh) => tf.matMul(oh, P.E));
  P.layers.forEach((layer, l) => { xs = lstmForward(tf, xs, layer, P.H, caches ? caches[l] : null); });
  const logitsT = xs.map((h) => (caches ? tf.fused.matMul({ a: h, b: P.Wy, bias: P.by }) : tf.add(tf.matMul(h, P.Wy), P.by)));
  const logp = tf.logSoftmax(tf.concat(logitsT, 0));
  const loss = tf.div(tf.neg(tf.sum(tf.mul(bt.tgtAll, logp))), N);
  return { loss, hs: xs, logitsT };
}

function handLossAndGrads(tf, P, bt) {
  const N = bt.B * bt.T;
  const caches = P.layers.map(() => []);
  const { loss, hs, logitsT } = modelForward(tf, P, bt, caches);
  const grads = {};
  // output layer, per step: dlogits_t = (softmax(l_t) − y_t) / N
  const invN = tf.scalar(1 / N);
  const dlT = logitsT.map((l, t) => tf.mul(tf.sub(tf.softmax(l), bt.tgtOHT[t]), invN));
  const dl = tf.concat(dlT, 0);
  grads[P.Wy.name] = mmTA(tf, tf.concat(hs, 0), dl);
  grads[P.by.name] = tf.reshape(tf.matMul(tf.ones([1, N]), dl), [bt.V]);
  const WyT = tf.transpose(P.Wy);
  let dHs = dlT.map((d) => tf.matMul(d, WyT));
  for (let l = P.layers.length - 1; l >= 1; l--) dHs = lstmBackward(tf, dHs, P.layers[l], caches[l], P.H, grads, true);
  // bottom layer: its dx_t only feeds the embedding gradient, so no per-step dx:
  // dE = onehotᵀ · dX0 = (onehotᵀ · dZ0) · Wxᵀ, with Wx the input rows of the gate weights.
  const l0 = P.layers[0];
  const dZ0 = lstmBackward(tf, dHs, l0, caches[0], P.H, grads, false);
  const Wx0 = tf.slice(tf.concat(GATES.map((k) => l0.W[k]), 1), [0, 0], [l0.inDim, 4 * P.H]);
  grads[P.E.name] = tf.matMul(tf.matMul(bt.inOHAllT, dZ0), tf.transpose(Wx0));
  return { loss, grads };
}

const autodiffLoss = (tf, P, bt) => modelForward(tf, P, bt, null).loss;

// Hand-written backward vs tf.variableGrads on a tiny model.
function gradCheck(tf) {
  const V = 7, E = 3, H = 5, B = 2, T = 4, L = 2;
  const P = makeParams(tf, V, E, H, L);
  // non-zero biases so every path is exercised
  tf.tidy(() => {
    for (const l of P.layers) for (const g of GATES) l.b[g].assign(tf.randomNormal([H], 0, 0.5));
    P.by.assign(tf.randomNormal([V], 0, 0.5));
  });
  const x = Int32Array.from({ length: T * B }, (_, i) => (i * 5 + 3) % V);
  const y = Int32Array.from({ length: T * B }, (_, i) => (i * 3 + 1) % V);
  const res = tf.tidy(() => {
    const bt = makeBatchTensors(tf, x, y, V, B, T);
    const hand = handLossAndGrads(tf, P, bt);
    const auto = tf.variableGrads(() => autodiffLoss(tf, P, bt), paramList(P));
    let maxDiff = 0, maxAbs = 0;
    for (const v of paramList(P)) {
      const a = hand.grads[v.name].dataSync(), b = auto.grads[v.name].dataSync();
      if (a.length !== b.length) throw new Error(`grad check: shape mismatch for ${v.name}`);
      for (let i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        maxAbs = Math.max(maxAbs, Math.abs(b[i]));
      }
    }
    const lossDiff = Math.abs(hand.loss.dataSync()[0] - auto.value.dataSync()[0]);
    // the forward is a standard LSTM: layer 0 against tf.layers.lstm (gate order i, f, c, o)
    // given the same weights
    const l0 = P.layers[0], inDim = l0.inDim;
    const xs = bt.idsT.map((ids) => tf.gather(P.E, ids));
    const ours = tf.stack(lstmForward(tf, xs, l0, H, []), 1); // [B, T, H]
    const part = (k, from, n) => tf.slice(l0.W[k], [from, 0], [n, H]);
    const order = ['i', 'f', 'g', 'o'];
    const ref = tf.layers.lstm({
      units: H, returnSequences: true, recurrentActivation: 'sigmoid',
      weights: [tf.concat(order.map((k) => part(k, 0, inDim)), 1), tf.concat(order.map((k) => part(k, inDim, H)), 1),
        tf.concat(order.map((k) => l0.b[k]), 0)],
    }).apply(tf.stack(xs, 1));
    const fwdDiff = tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0];
    return { maxDiff, maxAbs, lossDiff, fwdDiff };
  });
  tf.dispose(paramList(P));
  if (!(res.maxDiff <= 1e-5 && res.fwdDiff <= 1e-5)) {
    throw new Error(`hand-written LSTM check failed: max |Δgrad| ${res.maxDiff}, forward vs tf.layers.lstm ${res.fwdDiff}`);
  }
  return res;
}

// (b)/(d): weights as tf.variables, gates computed per time step from [x_t, h_{t-1}] with fused
// matMul+bias(+sigmoid), time loop unrolled with tf ops; gradients either hand-written (BPTT spelled
// out) or by tf.variableGrads on the same forward.
async function runFused(tf, data, bud, handWritten) {
  const { batch: B, seqLength: T, hidden: H, embedding: E } = CFG;
  const V = data.V;
  const notes = [];
  if (handWritten) {
    const gc = gradCheck(tf);
    notes.push(`grad check vs tf.variableGrads (V7 E3 H5 B2 T4, 2 layers): max |Δgrad| ${gc.maxDiff.toExponential(2)} (max |grad| ${gc.maxAbs.toExponential(2)}), |Δloss| ${gc.lossDiff.toExponential(2)}; forward vs tf.layers.lstm (same weights): max |Δh| ${gc.fwdDiff.toExponential(2)}`);
  }
  const P = makeParams(tf, V, E, H, CFG.layers);
  const vars = paramList(P);
  const optimizer = tf.train.adam(CFG.lr);
  const step = async (k) => {
    const { x, y } = batchAt(data, k, B, T);
    const loss = tf.tidy(() => {
      const bt = makeBatchTensors(tf, x, y, V, B, T);
      let loss, grads;
      if (handWritten) ({ loss, grads } = handLossAndGrads(tf, P, bt));
      else ({ value: loss, grads } = tf.variableGrads(() => autodiffLoss(tf, P, bt), vars));
      optimizer.applyGradients(clipByGlobalNorm(tf, grads, CFG.clipNorm));
      return loss;
    });
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  };
  const m = await measure(step, bud);
  notes.push(`${countParams(P)} parameters; ${handWritten ? 'hand-written BPTT' : 'tf.variableGrads'}; Adam + global-norm clip 5; zero initial state per batch; ${tf.memory().numTensors} live tensors after run`);
  tf.dispose(vars);
  optimizer.dispose();
  return { ...m, tokensPerStep: B * T, notes };
}

// ---------------------------------------------------------------------------------------------
// brain.js

// brain.js's default learning rate (0.01, RMSprop without bias correction) diverges at this size
// within 2 updates (loss → ∞); 0.001 trains. The rate does not change the speed.
const BRAIN_LR = 0.001;

async function runBrain(data, bud) {
  const brain = require('brain.js');
  const T = CFG.seqLength, S = bud.strings;
  // The vocabulary is fixed to all 65 characters up front (brain.js would otherwise build it from
  // the strings of the first train() call).
  const dataFormatter = new brain.utilities.DataFormatter([data.chars.join('')]);
  const net = new brain.recurrent.LSTM({ hiddenLayers: [CFG.hidden, CFG.hidden], dataFormatter });
  const step = async (k) => {
    const strings = [];
    for (let i = 0; i < S; i++) {
      const start = ((k * S + i) * T) % (data.text.length - T);
      strings.push(data.text.slice(start, start + T));
    }
    const r = net.train(strings, { iterations: 1, errorThresh: 0, log: false, learningRate: BRAIN_LR });
    // brain.js reports 2^(Σ -log2 p / (n-1)) / 100 per string (n = 64 characters, n+1 predictions
    // incl. the END token), averaged over strings; converted back to mean nats per prediction.
    return Math.log(r.error * 100) * (T - 1) / (T + 1);
  };
  const m = await measure(step, bud);
  let params = 0;
  for (const mat of net.model.allMatrices) params += mat.rows * mat.columns;
  const notes = [
    `counts the characters of the training strings: ${S} strings × ${T} chars per step (each string = ${T + 1} time steps: START + ${T} chars, predicting ${T} chars + END)`,
    `batch 1 (weights updated after every string), RMSprop lr ${BRAIN_LR} (default 0.01 diverges) + per-element clip 5 (brain.js has no Adam, no batching, no global-norm clip)`,
    `input = one-hot-like row lookup of size vocab (${net.inputSize}), not 64; ${params} parameters`,
    'brain.js 1.x LSTM keeps no separate cell state (its forget gate multiplies the previous hidden output)',
    'loss = ln(100·error)·63/65 ≈ mean nats per prediction, from brain.js\'s perplexity-style error',
  ];
  return { ...m, tokensPerStep: S * T, notes };
}

// ---------------------------------------------------------------------------------------------
// child: run one variant, print one line prefixed @@RESULT with its JSON

async function child(id, quick, fixedSteps) {
  const v = VARIANTS.find((x) => x.id === id);
  const out = { name: v.name, backend: v.backend, variant: v.variant };
  try {
    const data = loadData();
    const bud = budget(id, quick, fixedSteps);
    let r, info = '';
    if (v.group === 'brain') {
      r = await runBrain(data, bud);
      info = 'pure JS, single-threaded';
    } else {
      const { tf, info: i } = await loadTf(v.backend);
      info = i;
      if (v.variant === 'layers') r = await runLayers(tf, v.backend, data, bud);
      else r = await runFused(tf, data, bud, v.variant === 'hand-bptt');
    }
    Object.assign(out, {
      tokensPerSecond: Math.round((r.tokensPerStep * r.steps / r.seconds) * 10) / 10,
      steps: r.steps,
      seconds: Math.round(r.seconds * 100) / 100,
      // CPU time of this (single-threaded) process over the measured steps: tokens per CPU-second
      // is what the wall-clock figure would be on an otherwise idle core.
      cpuSeconds: Math.round(r.cpuSeconds * 100) / 100,
      tokensPerCpuSecond: Math.round((r.tokensPerStep * r.steps / r.cpuSeconds) * 10) / 10,
      tokensPerStep: r.tokensPerStep,
      warmupSeconds: Math.round(r.warmupSeconds * 100) / 100,
      firstLoss: Math.round(r.firstLoss * 1e4) / 1e4,
      lastLoss: Math.round(r.lastLoss * 1e4) / 1e4,
      notes: [info, ...r.notes].join('; '),
    });
    if (fixedSteps) out.losses = r.losses.map((x) => Math.round(x * 1e4) / 1e4);
  } catch (e) {
    out.error = String(e && e.message ? e.message : e).split('\n')[0];
  }
  process.stdout.write(`@@RESULT ${JSON.stringify(out)}\n`);
}

function runChild(v, quick, fixedSteps) {
  return new Promise((resolve) => {
    const args = [SELF, '--child', v.id];
    if (quick) args.push('--quick');
    if (fixedSteps) args.push('--steps', String(fixedSteps));
    const p = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let result = null, buf = '', errTail = '';
    p.stdout.on('data', (d) => {
      buf += d;
      let n;
      while ((n = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, n);
        buf = buf.slice(n + 1);
        if (line.startsWith('@@RESULT ')) result = JSON.parse(line.slice(9));
        else if (line.trim()) process.stderr.write(`  [${v.id}] ${line}\n`);
      }
    });
    p.stderr.on('data', (d) => { errTail = (errTail + d).slice(-2000); });
    const limit = fixedSteps ? 3600 : v.timeout;
    const timer = setTimeout(() => p.kill('SIGKILL'), limit * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!result) {
        const why = signal ? `killed (${signal}) after ${limit} s limit` : `exited with code ${code}`;
        const last = errTail.trim().split('\n').filter((l) => l.trim()).slice(-1)[0] || '';
        result = { name: v.name, backend: v.backend, variant: v.variant, error: `${why}${last ? `: ${last}` : ''}` };
      }
      resolve(result);
    });
  });
}

function describe(r) {
  if (r.error) return `${r.name.padEnd(32)} ERROR: ${r.error}`;
  const f = (x) => (x == null ? String(x) : x.toFixed(3));
  return `${r.name.padEnd(32)} ${String(r.tokensPerSecond.toFixed(1)).padStart(8)} tokens/s  ` +
    `(${r.steps} steps × ${r.tokensPerStep} tokens in ${r.seconds.toFixed(1)} s after ${r.warmupSeconds.toFixed(1)} s warm-up; ` +
    `${r.tokensPerCpuSecond.toFixed(1)} tokens per CPU-second; loss ${f(r.firstLoss)} → ${f(r.lastLoss)})` +
    (r.losses ? `\n    losses: ${r.losses.map((x) => x.toFixed(3)).join(' ')}` : '');
}

async function main() {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const si = argv.indexOf('--steps');
  const fixedSteps = si >= 0 ? Math.max(1, parseInt(argv[si + 1], 10) || 0) : 0;
  const ci = argv.indexOf('--child');
  if (ci >= 0) return child(argv[ci + 1], quick, fixedSteps);
  if (argv.includes('--list')) {
    for (const v of VARIANTS) console.log(`${v.id.padEnd(20)} group ${v.group.padEnd(10)} ${v.name}`);
    return;
  }
  let selected = VARIANTS;
  const oi = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (oi >= 0) {
    const spec = argv[oi].includes('=') ? argv[oi].split('=')[1] : argv[oi + 1];
    const want = new Set((spec || '').split(',').map((s) => s.trim()).filter(Boolean));
    const known = new Set(VARIANTS.flatMap((v) => [v.id, v.group]));
    const unknown = [...want].filter((w) => !known.has(w));
    if (unknown.length) {
      console.error(`unknown --only entries: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
      process.exit(2);
    }
    selected = VARIANTS.filter((v) => want.has(v.id) || want.has(v.group));
  }
  const workload = `char LSTM 2×256, emb 64, B${CFG.batch}×T${CFG.seqLength}, Adam ${CFG.lr}, clip ${CFG.clipNorm}`;
  const load0 = os.loadavg()[0];
  console.log(`competitors (${workload}) in Node ${process.version}${quick ? ', --quick' : ''}; load average ${load0.toFixed(2)} on ${os.cpus().length} cores`);
  const results = [];
  for (const v of selected) {
    const r = await runChild(v, quick, fixedSteps);
    results.push(r);
    console.log(describe(r));
  }
  console.log(JSON.stringify({
    competitors: results,
    tfjsVersion: pkgVersion('@tensorflow/tfjs'),
    tfjsBackendWasmVersion: pkgVersion('@tensorflow/tfjs-backend-wasm'),
    brainVersion: pkgVersion('brain.js'),
    node: process.version,
    quick,
    loadAverage: { start: Math.round(load0 * 100) / 100, end: Math.round(os.loadavg()[0] * 100) / 100 },
  }));
}

await main();
