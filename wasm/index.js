// rnn-wasm: train recurrent networks and generate text, from Node 20 (ESM), a page or a Web Worker.
// Three builds of the same core live in dist/ (see ../CMakeLists.txt and "Builds and threads" in
// ../README.md); the first call that needs the module loads one of them:
//   dist/node/rnn_core.js   Node: pthreads, CommonJS (its folder's package.json says so)
//   dist/mt/rnn_core.mjs    browsers with crossOriginIsolated: pthreads (+ rnn_core.worker.js)
//   dist/st/rnn_core.mjs    everywhere else, and whenever threads are turned off: no threads
// Each also exists as a relaxed-SIMD build (fused multiply-add, f32x4.relaxed_madd), loaded where
// WebAssembly.validate accepts RELAXED_PROBE: dist/node/rnn_core_relaxed.js,
// dist/mt-relaxed/rnn_core_relaxed.mjs, dist/st-relaxed/rnn_core_relaxed.mjs.
// This module turns the raw handles into the public API: it copies large inputs through malloc
// (fast), turns returned Error objects into throws, and frees C++ memory on dispose().

export const version = '0.1.0';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

let modulePromise = null;
let loadedModule = null;
let loading = null; // the build being loaded or loaded: 'st' | 'mt' | 'node'
let loadingSimd = null; // and its SIMD level: 'relaxed' | 'simd128'

const BUILD_NAMES = {
  st: 'wasm32 simd128, single-threaded',
  mt: 'wasm32 simd128, pthreads (browser)',
  node: 'wasm32 simd128, pthreads (Node)',
};
const buildName = (build, simd) =>
  simd === 'relaxed' ? BUILD_NAMES[build].replace('simd128', 'relaxed SIMD') : BUILD_NAMES[build];

function threadsError(value, where) {
  return new Error(`${where} must be 'auto', 'off' or a positive integer (got ${typeof value === 'string' ? `'${value}'` : String(value)})`);
}

/** 'auto' | 'off' | n >= 1 from init({ threads }) or RNN_WASM_THREADS; throws on anything else. */
function parseThreads(value, where) {
  if (value === undefined || value === 'auto' || value === '') return 'auto';
  if (value === 'off') return 'off';
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (!(Number.isInteger(n) && n >= 1)) throw threadsError(value, where);
  return n;
}

const crossOriginIsolatedHere = () => typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;

/** The build that threads mode `mode` selects in this runtime. */
function buildFor(mode) {
  if (mode === 'off' || mode === 1) return 'st';
  if (isNode) return 'node';
  return crossOriginIsolatedHere() ? 'mt' : 'st';
}

function envThreads() {
  return isNode ? parseThreads(process.env.RNN_WASM_THREADS, 'RNN_WASM_THREADS') : 'auto';
}

// A tiny module using f32x4.relaxed_madd (three i8x16.splat of 0, then 0xfd 0x85 0x02): validates
// only where WebAssembly relaxed SIMD is supported (Chromium 114+; Node 20 only with
// --experimental-wasm-relaxed-simd, Node 22 by default).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11,
]);

function relaxedSupported() {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** 'auto' | 'relaxed' | 'simd128' from init({ simd }) or RNN_WASM_SIMD; throws on anything else. */
function parseSimd(value, where) {
  if (value === undefined || value === 'auto' || value === '') return 'auto';
  if (value === 'relaxed' || value === 'simd128') return value;
  throw new Error(`${where} must be 'auto', 'relaxed' or 'simd128' (got ${typeof value === 'string' ? `'${value}'` : String(value)})`);
}

function envSimd() {
  return isNode ? parseSimd(process.env.RNN_WASM_SIMD, 'RNN_WASM_SIMD') : 'auto';
}

/** The SIMD level that preference `pref` selects in this runtime; throws if 'relaxed' can't run here. */
function simdFor(pref) {
  if (pref === 'simd128') return 'simd128';
  const ok = relaxedSupported();
  if (pref === 'relaxed' && !ok) {
    throw new Error(
      "simd 'relaxed' was asked for, but this runtime does not support WebAssembly relaxed SIMD " +
        '(Node 20: run node with --experimental-wasm-relaxed-simd; Node 22+ and Chromium 114+ have it): ' +
        "use simd: 'auto' or 'simd128'",
    );
  }
  return ok ? 'relaxed' : 'simd128';
}

// Pool workers of the Node build would keep the process alive forever: unref them (and any the
// runtime adds later). They only ever work while the main thread waits inside a call, so nothing
// is cut short when the process exits.
function unrefWorkers(m) {
  const P = m.PThread;
  if (!P) return;
  const unref = (w) => w && typeof w.unref === 'function' && w.unref();
  P.unusedWorkers.forEach(unref);
  P.runningWorkers.forEach(unref);
  const allocate = P.allocateUnusedWorker;
  P.allocateUnusedWorker = function (...args) {
    const r = allocate.apply(this, args);
    unref(P.unusedWorkers[P.unusedWorkers.length - 1]);
    return r;
  };
}

// How the builds are found. The browser builds are imported by literal paths, and each finds its
// rnn_core.wasm (and dist/mt its pthread worker, rnn_core.worker.js) through
// new URL('…', import.meta.url): bundlers (Vite, webpack, Rollup) follow both and copy the files.
// The Node-only pieces are named through variables, which bundlers leave alone, so that a browser
// bundle never takes in the CommonJS Node build or node:fs.
const NODE_BUILD = { simd128: './dist/node/rnn_core.js', relaxed: './dist/node/rnn_core_relaxed.js' };
const NODE_FS = 'node:fs/promises';
const NODE_WASM = {
  simd128: { node: './dist/node/rnn_core.wasm', st: './dist/st/rnn_core.wasm' },
  relaxed: { node: './dist/node/rnn_core_relaxed.wasm', st: './dist/st-relaxed/rnn_core_relaxed.wasm' },
};

/**
 * The wasm bytes of a build, in Node: emscripten 3.1.6 would fetch() the file, which Node 20 cannot do
 * for a path or a file: URL. Undefined for a build with the wasm inlined (RNN_WASM_SINGLE_FILE).
 */
async function nodeWasmBinary(build, simd) {
  const { readFile } = await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_FS);
  try {
    return await readFile(new URL(NODE_WASM[simd][build], import.meta.url));
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

async function load(build, simd) {
  const relaxed = simd === 'relaxed';
  let create;
  if (build === 'node') create = (await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_BUILD[simd])).default;
  else if (build === 'mt') create = (await (relaxed ? import('./dist/mt-relaxed/rnn_core_relaxed.mjs') : import('./dist/mt/rnn_core.mjs'))).default;
  else create = (await (relaxed ? import('./dist/st-relaxed/rnn_core_relaxed.mjs') : import('./dist/st/rnn_core.mjs'))).default;
  const options = isNode ? { wasmBinary: await nodeWasmBinary(build, simd) } : {};
  const m = await create(options);
  if (build === 'node') unrefWorkers(m);
  return m;
}

function start(mode, simdPref) {
  loading = buildFor(mode);
  loadingSimd = simdFor(simdPref);
  // Chosen by 'auto', a relaxed build that fails to load (say, left out of a bundle) gives way to
  // the simd128 one.
  const loaded =
    loadingSimd === 'relaxed' && simdPref === 'auto'
      ? load(loading, 'relaxed').catch(() => {
          loadingSimd = 'simd128';
          return load(loading, 'simd128');
        })
      : load(loading, loadingSimd);
  modulePromise = loaded.then(
    (m) => {
      loadedModule = m;
      if (typeof mode === 'number') m.setThreads(mode);
      return m;
    },
    (e) => {
      modulePromise = null; // a failed load may be retried
      loading = null;
      loadingSimd = null;
      throw e;
    },
  );
  return modulePromise;
}

/**
 * Loads (once) and returns the WebAssembly module, with the threads mode of RNN_WASM_THREADS and the
 * SIMD level of RNN_WASM_SIMD (Node).
 */
async function wasm() {
  return modulePromise ?? start(envThreads(), envSimd());
}

/**
 * Loads the WebAssembly module now, choosing the build: `threads: 'auto'` (the default; Node: the
 * threaded build, browsers: the threaded one when cross-origin isolated), `'off'` or `1` (the
 * single-threaded build, no workers at all) or a number n > 1 (the threaded build using n threads,
 * clamped to what it has). In Node the default comes from the environment variable
 * RNN_WASM_THREADS (same values). `simd: 'auto'` (the default; in Node RNN_WASM_SIMD) loads the
 * relaxed-SIMD build where the runtime supports relaxed SIMD and the simd128 one elsewhere;
 * 'relaxed' or 'simd128' forces one ('relaxed' throws where unsupported). Every other function
 * loads the module with the defaults; call init() first to choose. Once loaded, a number just sets
 * the thread count, and 'auto' / 'off' / a SIMD level throw if they would need another build.
 * Resolves to features().
 */
export async function init(options = {}) {
  const o = checkObject(options, 'init options');
  for (const k of Object.keys(o)) if (k !== 'threads' && k !== 'simd') throw new Error(`unknown option '${k}'`);
  const mode = o.threads === undefined ? envThreads() : parseThreads(o.threads, "option 'threads'");
  const simdPref = o.simd === undefined ? envSimd() : parseSimd(o.simd, "option 'simd'");
  if (!modulePromise) {
    await start(mode, simdPref);
    return features();
  }
  if (o.simd !== undefined && simdPref !== 'auto' && simdPref !== loadingSimd) {
    throw new Error(
      `rnn-wasm is already loaded with the ${loadingSimd} ${loading} build (${buildName(loading, loadingSimd)}); ` +
        `init({ simd: '${simdPref}' }) needs the ${simdPref} one: call init() before anything else loads the module`,
    );
  }
  if (typeof mode === 'number') {
    // A count never needs another build: setThreads clamps it to what the loaded one has.
    (await modulePromise).setThreads(mode);
    return features();
  }
  const want = buildFor(mode);
  if (want !== loading) {
    throw new Error(
      `rnn-wasm is already loaded with the ${loading} build (${buildName(loading, loadingSimd)}); ` +
        `init({ threads: ${JSON.stringify(o.threads ?? mode)} }) needs the ${want} build: call init() before anything else loads the module`,
    );
  }
  await modulePromise;
  return features();
}

/**
 * Sets the number of threads the kernels use from now on, clamped to [1, features().maxThreads],
 * and returns the number in effect. Results are bitwise identical for any count. Needs the module
 * loaded (after `await init()` or any other async call); call it between steps.
 */
export function setThreads(n) {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new Error(`setThreads needs an integer (got ${typeof n === 'number' ? n : typeName(n)})`);
  }
  if (!loadedModule) throw new Error('rnn-wasm is not loaded yet: await init() (or any async function) before setThreads()');
  return loadedModule.setThreads(Math.max(-1, Math.min(n, 1 << 20)));
}

// A tiny module using a v128 instruction: validates only where WebAssembly SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

// The current wasm memory. With pthreads, memory growth on another thread leaves this thread's
// HEAPU8 a view of the old, shorter buffer, so always view wasmMemory.buffer afresh.
function heap(m) {
  return m.wasmMemory ? new Uint8Array(m.wasmMemory.buffer) : m.HEAPU8;
}

/**
 * What this runtime and build offer. Synchronous; `heapBytes`, `threadCount` and `maxThreads` are 0
 * until the module has loaded (`threads` and `variant` tell which build loads before that).
 */
export function features() {
  let simd = false;
  try {
    simd = WebAssembly.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  const info = loadedModule ? loadedModule.features() : null;
  let variant = loading;
  if (!variant) {
    try {
      variant = buildFor(envThreads());
    } catch {
      variant = buildFor('auto');
    }
  }
  const relaxedSimd = relaxedSupported();
  let simdBuild = loadingSimd;
  if (!simdBuild) {
    try {
      simdBuild = simdFor(envSimd());
    } catch {
      simdBuild = simdFor('auto');
    }
  }
  const relaxed = simdBuild === 'relaxed';
  return {
    simd,
    relaxedSimd,
    simdBuild,
    threads: info ? info.threads : variant !== 'st',
    threadCount: info ? info.threadCount : 0,
    maxThreads: info ? info.maxThreads : 0,
    variant,
    version,
    build: buildName(variant, simdBuild),
    simdArch: info ? (relaxed ? info.simdArch.replace('wasm-simd128', 'wasm-relaxed-simd') : info.simdArch)
      : relaxed ? 'wasm-relaxed-simd' : 'wasm-simd128',
    modelFormatVersion: info ? info.modelFormatVersion : 1,
    heapBytes: loadedModule ? heap(loadedModule).length : 0,
    heapInUse: info ? info.heapInUse : 0,
    heapHighWater: info ? info.heapHighWater : 0,
  };
}

function check(result) {
  if (result instanceof Error) throw new Error(result.message);
  return result;
}

function isBytes(x) {
  return x instanceof Uint8Array || x instanceof ArrayBuffer;
}

function toBytes(x, name) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new Error(`option '${name}' must be a Uint8Array or ArrayBuffer (got ${typeName(x)})`);
}

function typeName(x) {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  return typeof x === 'object' ? x.constructor?.name ?? 'object' : typeof x;
}

// Copies bytes (or a string as UTF-8) into wasm memory for the duration of fn(ptr, len).
function withBuffer(m, data, fn) {
  let bytes = data;
  if (typeof data === 'string') bytes = new TextEncoder().encode(data);
  const len = bytes.length;
  const ptr = m._malloc(Math.max(1, len));
  if (!ptr) throw new Error(`out of memory: cannot allocate ${len} bytes for the input`);
  try {
    heap(m).set(bytes, ptr); // a fresh view: memory growth replaces the buffer
    return fn(ptr, len);
  } finally {
    m._free(ptr);
  }
}

// The core writes a saved file straight into a new Uint8Array outside its heap (bindings.cpp
// JsBytes): the caller owns it, nothing to copy or release.
function savedFile(bytes) {
  return check(bytes);
}

function checkObject(options, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${what} must be an object (got ${typeName(options)})`);
  }
  return options;
}

// JSON.stringify would turn NaN and ±Infinity into null, which the core reads as "use the
// default": refuse them here, naming the option.
function toJson(options) {
  return JSON.stringify(options, (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(`option '${key}' must be a finite number (got ${value})`);
    }
    return value;
  });
}

const GENERATE_KEYS = new Set([
  'prime', 'length', 'temperature', 'topK', 'topP', 'greedy', 'repetitionPenalty', 'seed', 'stop', 'includePrime', 'label',
]);

function generateJson(options) {
  const o = checkObject(options, 'generate options');
  for (const k of Object.keys(o)) {
    if (!GENERATE_KEYS.has(k)) throw new Error(`unknown option '${k}'`);
  }
  if (o.prime !== undefined && typeof o.prime !== 'string') {
    throw new Error(`option 'prime' must be a string (got ${typeName(o.prime)})`);
  }
  if (o.label !== undefined && typeof o.label !== 'string') {
    throw new Error(`option 'label' must be a string (got ${typeName(o.label)})`);
  }
  return toJson(o);
}

// Yields to the event loop (a macrotask), so pages and workers stay responsive between chunks.
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

// ---------------------------------------------------------------- the C++ objects behind handles

// Every Embind object a wrapper owns sits in a cell { kind, handle }: dispose() frees it, and so,
// as a backstop for a forgotten dispose(), does the FinalizationRegistry once the wrapper (or the
// stream) is garbage. The cell never points back at its wrapper, or the wrapper could never be
// collected. `live` counts the objects not yet freed (liveHandles()).
const live = { trainers: 0, models: 0, streams: 0 };
const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((cell) => release(cell)) : null;

function track(kind, handle, owner) {
  const cell = { kind, handle, token: {}, set: null, closed: null };
  live[kind]++;
  finalizer?.register(owner, cell, cell.token);
  return cell;
}

/** Frees the cell's object (once); `why` is what a later use says ("model is disposed"). */
function release(cell, why = null) {
  if (!cell.handle) return;
  const h = cell.handle;
  cell.handle = null;
  cell.closed = why;
  live[cell.kind]--;
  finalizer?.unregister(cell.token);
  cell.set?.delete(cell);
  if (!h.isDeleted()) h.delete();
}

/**
 * The C++ objects that handles hold and that are not freed yet: { trainers, models, streams }
 * (a stream counts from its first piece until it ends, is closed, or its owner is disposed). For
 * leak checks: with dispose() (or, later, garbage collection) the counts fall back.
 */
export function liveHandles() {
  return { ...live };
}

/** Generation shared by loaded models and a trainer's live model. */
class ModelBase {
  constructor(handle) {
    this._handle = handle;
    this._streams = new Set(); // cells of the streams in progress, freed by dispose()
  }

  _h() {
    if (!this._handle) throw new Error('model is disposed');
    return this._handle;
  }

  /** Generates text; returns the prime (normalised) followed by `length` new tokens. */
  generate(options) {
    const json = generateJson(options);
    return check(this._h().generate(json));
  }

  /**
   * Streams the text token by token: `for await (const piece of model.stream({...}))`. The C++
   * generator is freed when the stream ends, fails, is closed (break, return()), when its model
   * (or trainer) is disposed — the next piece then throws "… is disposed" — or, for a stream
   * abandoned half-way, when it is garbage-collected.
   */
  stream(options) {
    const owner = this._streamOwner();
    const cell = { kind: 'streams', handle: null, token: {}, set: null, closed: null };
    const it = this._stream(cell, owner, options);
    finalizer?.register(it, cell, cell.token);
    return it;
  }

  /** The wrapper whose dispose() ends this model's streams (a live model's: its trainer). */
  _streamOwner() {
    return this;
  }

  async *_stream(cell, owner, options) {
    const json = generateJson(options);
    const gen = check(this._h().generator(json));
    cell.handle = gen;
    live.streams++;
    cell.set = owner._streams;
    owner._streams.add(cell);
    try {
      let n = 0;
      for (;;) {
        if (!cell.handle) throw new Error(cell.closed ?? 'the stream is closed');
        const piece = check(gen.next());
        if (piece === null) return;
        yield piece;
        if (++n % 32 === 0) await yieldToEventLoop();
      }
    } finally {
      release(cell);
    }
  }

  get info() {
    return check(this._h().info());
  }

  /**
   * The label of a text (a model trained with task 'classify'):
   * { label, probabilities: [{ label, probability }] } most probable first.
   */
  classify(text) {
    if (typeof text !== 'string') throw new Error(`classify() needs a text (a string; got ${typeName(text)})`);
    return check(this._h().classify(text));
  }

  /**
   * A tag for every token (a model trained with task 'tag'): [{ token, tag, probability }]. Give
   * the tokens as an array of strings, or a text, which is split on whitespace.
   */
  tag(tokens) {
    let list = tokens;
    if (typeof tokens === 'string') list = tokens.split(/\s+/).filter(Boolean);
    else if (!Array.isArray(tokens)) throw new Error(`tag() needs tokens: an array of strings or a text (got ${typeName(tokens)})`);
    list.forEach((t, i) => {
      if (typeof t !== 'string') throw new Error(`tag(): tokens[${i}] must be a string (got ${typeName(t)})`);
      if (t === '' || /\s/.test(t)) throw new Error(`tag(): tokens[${i}] must be a non-empty token without whitespace (got ${JSON.stringify(t)})`);
    });
    return check(this._h().tag(JSON.stringify(list)));
  }

  /**
   * The n best targets for a source (a model trained with task 'seq2seq'), best first:
   * [{ text, tokens, score, logProb, attention: { source, target, weights } | null }]; weights is a
   * Float32Array of target.length × source.length (row t: what output step t attended to; the last
   * row is the step that wrote the end token when it was written). Greedy by default; { beam: 5,
   * nBest: 3 } searches; { sample: true, temperature, topK, topP, seed } draws.
   */
  translate(source, options) {
    if (typeof source !== 'string') throw new Error(`translate() needs a source text (a string; got ${typeName(source)})`);
    const json = translateJson(options);
    return check(this._h().translate(source, json)).map(withAttentionArray);
  }
}

// ---------------------------------------------------------------- seeing inside (language models)

const INSPECT_KEYS = new Set(['layer', 'kind', 'topK', 'surprise']);
const KINDS = new Set(['h', 'c', 'gates']);

function inspectText(text, method) {
  if (typeof text !== 'string' && !isBytes(text)) throw new Error(`${method}() needs a text (a string or Uint8Array; got ${typeName(text)})`);
  return typeof text === 'string' ? text : toBytes(text, 'text');
}

/** Checks inspect options (the keys `allowed` of INSPECT_KEYS) and fills the defaults. */
function inspectOptions(options, allowed, defaults) {
  const o = checkObject(options, 'options');
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`unknown option '${k}'`);
  const r = { ...defaults, ...o };
  if (r.layer !== undefined && !(Number.isInteger(r.layer) && r.layer >= 0)) {
    throw new Error(`option 'layer' must be a non-negative integer (got ${String(r.layer)})`);
  }
  if (r.kind !== undefined && !KINDS.has(r.kind)) throw new Error(`option 'kind' must be 'h', 'c' or 'gates' (got ${String(r.kind)})`);
  if (r.topK !== undefined && !(Number.isInteger(r.topK) && r.topK >= 0)) {
    throw new Error(`option 'topK' must be a non-negative integer (got ${String(r.topK)})`);
  }
  if (r.surprise !== undefined && typeof r.surprise !== 'boolean') throw new Error("option 'surprise' must be a boolean");
  return r;
}

/** The one forward pass behind activations / predictNext / surprise / inspect. */
function runInspect(handle, text, opts, method) {
  const bytes = inspectText(text, method);
  const json = toJson({ layer: opts.layer ?? -1, kind: opts.kind ?? 'h', topK: opts.topK ?? 0, surprise: !!opts.surprise });
  return check(withBuffer(loadedModule, bytes, (p, n) => handle.inspect(p, n, json)));
}

Object.assign(ModelBase.prototype, {
  /**
   * Activations of one level over a text, from a zero state, in one forward pass:
   * { tokens, values: Float32Array (T × H row-major: values[t * H + j] is unit j after token t), H }.
   * kind 'h' (hidden state, default), 'c' (LSTM cell state) or 'gates' (LSTM i f g o / GRU r z n:
   * H = G × hidden columns, gate k of unit j at column k × hidden + j; `gates` names them).
   */
  activations(text, options) {
    const o = inspectOptions(options, ['layer', 'kind'], { layer: 0, kind: 'h' });
    const r = runInspect(this._h(), text, o, 'activations');
    return { tokens: r.tokens, values: r.values, H: r.width, hidden: r.hidden, kind: o.kind, layer: o.layer, gates: o.kind === 'gates' ? r.gates : undefined };
  },

  /**
   * What the model expects after each token of a text: { tokens, topK, next: string[] (T × topK:
   * next[t * topK + k] is the k-th most probable token after tokens[t]), probabilities: Float32Array (T × topK) }.
   */
  predictNext(text, options) {
    const o = inspectOptions(options, ['topK'], { topK: 5 });
    if (o.topK < 1) throw new Error(`option 'topK' must be a positive integer (got ${o.topK})`);
    const r = runInspect(this._h(), text, o, 'predictNext');
    return { tokens: r.tokens, topK: r.topK, next: r.next, probabilities: r.probabilities };
  },

  /**
   * The model's surprise at each token of a text: { tokens, surprise: Float32Array (T − 1) } with
   * surprise[t] = −ln p(tokens[t + 1] | tokens[0..t]) in nats (its mean is the text's loss).
   */
  surprise(text) {
    const r = runInspect(this._h(), text, { surprise: true }, 'surprise');
    return { tokens: r.tokens, surprise: r.surprise };
  },

  /**
   * All of the above in one forward pass: { tokens, H, hidden, gates, values (if `layer` is given),
   * topK, next, probabilities (if topK > 0), surprise (if `surprise`) }.
   */
  inspect(text, options) {
    const o = inspectOptions(options, [...INSPECT_KEYS], {});
    const r = runInspect(this._h(), text, o, 'inspect');
    return { tokens: r.tokens, H: r.width, hidden: r.hidden, gates: r.gates, values: r.values, topK: r.topK, next: r.next, probabilities: r.probabilities, surprise: r.surprise };
  },
});

const TRANSLATE_KEYS = new Set(['beam', 'nBest', 'maxLength', 'alpha', 'temperature', 'topK', 'topP', 'sample', 'seed']);

function translateJson(options) {
  const o = checkObject(options, 'translate options');
  for (const k of Object.keys(o)) if (!TRANSLATE_KEYS.has(k)) throw new Error(`unknown option '${k}'`);
  return toJson(o);
}

// The attention weights as a Float32Array (target × source), as the declarations promise.
function withAttentionArray(t) {
  if (t.attention) t.attention.weights = Float32Array.from(t.attention.weights);
  return t;
}

const PAIRS_EVALUATE_KEYS = new Set(['beam', 'alpha', 'maxExamples']);

// Seq2seq evaluate options as JSON for the core (beam, alpha, maxExamples).
function pairsEvaluateJson(o) {
  const out = {};
  for (const k of PAIRS_EVALUATE_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return toJson(out);
}

const MODEL_EVALUATE_KEYS = new Set(['text', 'examples', 'maxTokens', 'pairs', 'beam', 'alpha', 'maxExamples']);

/** A model loaded from a file (see loadModel). */
export class Model extends ModelBase {
  constructor(handle) {
    super(handle);
    this._cell = track('models', handle, this);
  }

  /**
   * Loss and metrics of this model on data it was not trained on, in the shape of
   * Trainer.evaluate() for its task: { examples } (file text or an array, in the format the model
   * was trained on) for classify, tag and generation by category; { text } for a language model
   * trained on a text (a string or bytes alone is read as { text }): every token after the first
   * predicted once, as benchmarks count it, with { tokens, unknownTokens, skippedTokens,
   * unknownExamples } saying what was scored. { maxTokens } scores only the first batches holding
   * that many tokens.
   */
  evaluate(options) {
    const o = typeof options === 'string' || isBytes(options) || ArrayBuffer.isView(options) ? { text: options } : checkObject(options, 'evaluate options');
    for (const k of Object.keys(o)) if (!MODEL_EVALUATE_KEYS.has(k)) throw new Error(`unknown option '${k}'`);
    if (o.pairs !== undefined || this.info.task === 'seq2seq') {
      // An encoder-decoder on pairs: { pairs, beam, alpha, maxExamples }.
      if (o.pairs === undefined) throw new Error("evaluate() of a model trained with task 'seq2seq' needs 'pairs' (the text of a file or an array of [source, target])");
      for (const k of ['text', 'examples', 'maxTokens']) {
        if (o[k] !== undefined) throw new Error(`option '${k}' cannot be combined with 'pairs'`);
      }
      const h = this._h();
      const p = examplesArg(o.pairs, 'pairs');
      const json = pairsEvaluateJson(o);
      return check(withBuffer(loadedModule, p.data, (pp, pl) => h.evaluatePairs(p.kind, pp, pl, json)));
    }
    for (const k of PAIRS_EVALUATE_KEYS) {
      if (o[k] !== undefined) throw new Error(`option '${k}' is for a model trained with task 'seq2seq'`);
    }
    const max = o.maxTokens ?? 0;
    if (!(Number.isInteger(max) && max >= 0)) {
      throw new Error(`option 'maxTokens' must be a non-negative integer (got ${String(o.maxTokens)})`);
    }
    if ((o.text === undefined) === (o.examples === undefined)) {
      throw new Error("evaluate() needs either 'text' (a language model trained on a text) or 'examples'");
    }
    const h = this._h();
    const m = loadedModule;
    const text = o.text === undefined ? '' : corpusText(o.text, 'text');
    const ex = examplesArg(o.examples, 'examples');
    return check(withBuffer(m, text, (tp, tl) => withBuffer(m, ex.data, (ep, el) => h.evaluate(tp, tl, ex.kind, ep, el, max))));
  }

  /** The model file (safetensors) as bytes. */
  save() {
    const h = this._h();
    return savedFile(h.save());
  }

  /** Frees the model and ends its streams. */
  dispose() {
    disposeOwner(this, 'model is disposed');
  }
}

/** dispose() of a model or trainer: its streams first (they would keep it alive), then itself. */
function disposeOwner(owner, why) {
  for (const c of [...owner._streams]) release(c, why);
  if (owner._cell) release(owner._cell, why);
  owner._handle = null;
}

/** The model a trainer is training: generates with the current weights. Freed with its trainer. */
class LiveModel extends ModelBase {
  constructor(trainer) {
    super(null);
    this._trainer = trainer;
  }

  _h() {
    return this._trainer._h();
  }

  _streamOwner() {
    return this._trainer;
  }

  /** A model file (weights, config, tokenizer; no training state). */
  save() {
    const h = this._h();
    return savedFile(h.saveModel());
  }

  dispose() {} // owned by the trainer
}

const TRAIN_KEYS = new Set(['steps', 'seconds', 'onProgress', 'signal', 'chunkMilliseconds', 'fitSchedule']);

/** A training run. Create with createTrainer(). */
export class Trainer {
  constructor(handle) {
    this._handle = handle;
    this._cell = track('trainers', handle, this);
    this._streams = new Set(); // its live model's streams in progress, freed by dispose()
    this._model = new LiveModel(this);
    const info = handle.info();
    this._task = info.task;
    this._step = info.step ?? 0; // updates applied so far, kept current by step() and train()
    // Examples runs have batches of different lengths: the mean tokens of a batch.
    this._tokensPerBatch = info.tokensPerBatch ?? (info.batchesPerEpoch > 0 ? info.trainTokens / info.batchesPerEpoch : 0);
    this._fitTime = !!info.config?.schedule?.fitTime;
  }

  _h() {
    if (!this._handle) throw new Error('trainer is disposed');
    return this._handle;
  }

  get info() {
    return check(this._h().info());
  }

  get model() {
    this._h();
    return this._model;
  }

  /**
   * One batch: { step, epoch, loss, gradNorm, gradNormClipped, learningRate, tokensPerSecond }.
   * With { diagnostics: true } (a language model on a text) also gradientFlow: { loss, steps,
   * batch, layers: Float32Array per level } of the batch this step trains on (see gradientFlow()),
   * at the cost of one more forward and backward pass; the step itself is the same, bit for bit.
   */
  step(options) {
    const o = checkObject(options, 'step options');
    for (const k of Object.keys(o)) if (k !== 'diagnostics') throw new Error(`unknown option '${k}'`);
    if (o.diagnostics !== undefined && typeof o.diagnostics !== 'boolean') throw new Error("option 'diagnostics' must be a boolean");
    const h = this._h();
    const t0 = performance.now();
    const r = o.diagnostics ? h.stepDiagnostics() : h.step();
    if (r instanceof Error) throw this._stepsFailed(h, r, 0);
    const secs = (performance.now() - t0) / 1000;
    r.tokensPerSecond = secs > 0 ? this._tokensPerBatch / secs : 0;
    this._step = r.step;
    return r;
  }

  /**
   * The error of a step that failed: says which step (the core's own messages do), and carries
   * `step` (the failed step's number) and `stepsDone` (updates this call applied before it, which
   * the trainer keeps: a failed step changes nothing).
   */
  _stepsFailed(h, error, doneBefore) {
    let now = this._step;
    try {
      now = check(h.info()).step ?? now;
    } catch {
      // keep the last known count
    }
    const applied = Math.max(0, now - this._step);
    this._step = now;
    const failed = now + 1;
    const e = new Error(/\bat step \d+/.test(error.message) ? error.message : `step ${failed} failed: ${error.message}`);
    e.step = failed;
    e.stepsDone = doneBefore + applied;
    return e;
  }

  /**
   * Trains in chunks of steps until `steps` updates or `seconds` elapse or `signal` aborts,
   * yielding to the event loop between chunks. onProgress(result) is called after each chunk.
   * Resolves to the last step's result plus { stepsDone, seconds, aborted }.
   */
  async train(options = {}) {
    const o = checkObject(options, 'train options');
    for (const k of Object.keys(o)) if (!TRAIN_KEYS.has(k)) throw new Error(`unknown option '${k}'`);
    const { steps, seconds, onProgress, signal } = o;
    const chunkMs = o.chunkMilliseconds ?? 50;
    if (steps !== undefined && !(Number.isInteger(steps) && steps >= 0)) {
      throw new Error(`option 'steps' must be a non-negative integer (got ${String(steps)})`);
    }
    if (seconds !== undefined && !(typeof seconds === 'number' && seconds >= 0 && Number.isFinite(seconds))) {
      throw new Error(`option 'seconds' must be a non-negative number (got ${String(seconds)})`);
    }
    if (steps === undefined && seconds === undefined) throw new Error("train needs 'steps' or 'seconds'");
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new Error("option 'onProgress' must be a function");
    if (!(typeof chunkMs === 'number' && chunkMs > 0)) throw new Error("option 'chunkMilliseconds' must be a positive number");
    if (o.fitSchedule !== undefined && typeof o.fitSchedule !== 'boolean') throw new Error("option 'fitSchedule' must be a boolean");
    // A schedule with fitTime decays over `seconds` (re-estimated from the speed between chunks).
    const fit = this._fitTime && seconds > 0 && o.fitSchedule !== false;
    this._h();
    const start = performance.now();
    let done = 0;
    let last = null;
    let perStep = 0; // measured ms per step, to size chunks
    while (!signal?.aborted) {
      const elapsed = (performance.now() - start) / 1000;
      if (steps !== undefined && done >= steps) break;
      if (seconds !== undefined && elapsed >= seconds) break;
      // Asked afresh every chunk: onProgress, or anything between chunks, may have disposed it.
      const h = this._h();
      if (fit) check(h.fitSchedule(elapsed, seconds));
      let n = perStep > 0 ? Math.max(1, Math.floor(chunkMs / perStep)) : 1;
      if (steps !== undefined) n = Math.min(n, steps - done);
      const t0 = performance.now();
      const r = h.steps(n);
      if (r instanceof Error) throw this._stepsFailed(h, r, done);
      last = r;
      this._step = r.step;
      const ms = performance.now() - t0;
      perStep = ms / n;
      done += n;
      last.tokensPerSecond = ms > 0 ? (this._tokensPerBatch * n * 1000) / ms : 0;
      last.stepsDone = done;
      if (onProgress) onProgress(last);
      await yieldToEventLoop();
    }
    const result = last ?? { step: this.info.step, epoch: this.info.epoch };
    return { ...result, stepsDone: done, seconds: (performance.now() - start) / 1000, aborted: !!signal?.aborted };
  }

  /**
   * Loss on the validation split: { loss, perplexity, bitsPerToken, tokens } for a language model
   * on a text; classify adds accuracy, majorityLabel, majorityBaseline, perLabel, confusion; tag
   * accuracy, unseenTokens, unseenAccuracy; examples runs count `examples`. With { maxTokens },
   * only the first batches holding at least that many tokens are scored (a quick estimate).
   */
  evaluate(options) {
    const o = checkObject(options, 'evaluate options');
    for (const k of Object.keys(o)) if (k !== 'maxTokens' && !PAIRS_EVALUATE_KEYS.has(k)) throw new Error(`unknown option '${k}'`);
    if (this._task === 'seq2seq') {
      if (o.maxTokens !== undefined) {
        throw new Error("option 'maxTokens' is not for an encoder-decoder: use maxExamples (the number of validation sources to score)");
      }
      return check(this._h().evaluatePairs(pairsEvaluateJson(o)));
    }
    for (const k of PAIRS_EVALUATE_KEYS) {
      if (o[k] !== undefined) throw new Error(`option '${k}' is for task 'seq2seq'`);
    }
    const max = o.maxTokens ?? 0;
    if (!(Number.isInteger(max) && max >= 0)) {
      throw new Error(`option 'maxTokens' must be a non-negative integer (got ${String(o.maxTokens)})`);
    }
    return check(this._h().evaluate(max));
  }

  /**
   * Gradient flow through time: ‖∂L_T/∂h_t‖ for every step t of the batch the next step trains on
   * (or of `text`, one sequence from a zero state), where L_T is the loss at the last step. With
   * { layer } a Float32Array (index t, length T); otherwise one per level. Training is unchanged.
   */
  gradientFlow(options) {
    const f = this.gradientFlowDetails(options);
    const o = checkObject(options, 'gradientFlow options');
    return o.layer === undefined ? f.layers : f.layers[o.layer];
  }

  /** gradientFlow() with its context: { loss: L_T, steps: T, batch: B, layers: Float32Array[] }. */
  gradientFlowDetails(options) {
    const o = checkObject(options, 'gradientFlow options');
    for (const k of Object.keys(o)) if (k !== 'layer' && k !== 'text') throw new Error(`unknown option '${k}'`);
    const h = this._h();
    if (o.layer !== undefined && !(Number.isInteger(o.layer) && o.layer >= 0)) {
      throw new Error(`option 'layer' must be a non-negative integer (got ${String(o.layer)})`);
    }
    const f = o.text === undefined ? check(h.gradientFlow(0, 0, false))
      : check(withBuffer(loadedModule, inspectText(o.text, 'gradientFlow'), (p, n) => h.gradientFlow(p, n, true)));
    if (o.layer !== undefined && o.layer >= f.layers.length) {
      throw new Error(`option 'layer' must be between 0 and ${f.layers.length - 1} (got ${o.layer})`);
    }
    return f;
  }

  /**
   * Keep-best: records a validation loss of the current weights (measure every one alike, e.g. the
   * same maxTokens). A strictly lower loss than the best so far keeps a copy of these weights.
   * Returns best() plus { improved, stop } (stop: `patience` evaluations in a row did not improve).
   */
  recordValidation(loss) {
    if (!(typeof loss === 'number' && Number.isFinite(loss))) throw new Error(`recordValidation needs a finite loss (got ${String(loss)})`);
    return check(this._h().recordValidation(loss));
  }

  /** The best validation loss recorded so far: { step, loss, stale, stop }, or null before any. */
  best() {
    return check(this._h().best());
  }

  /** The model file (as model.save()) of the weights at best().step; throws before any is recorded. */
  saveBest() {
    const h = this._h();
    return savedFile(h.saveBestModel());
  }

  /**
   * A schedule with fitTime: `elapsedSeconds` of `budgetSeconds` have passed; the schedule's length
   * becomes the steps done plus the time left at the speed measured since the first call of this
   * budget. train({ seconds }) calls it itself. Returns the planned steps (0: not measured yet, or
   * the schedule does not fit time).
   */
  fitSchedule(elapsedSeconds, budgetSeconds) {
    for (const [k, x] of [['elapsedSeconds', elapsedSeconds], ['budgetSeconds', budgetSeconds]]) {
      if (!(typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw new Error(`${k} must be a non-negative number (got ${String(x)})`);
    }
    return check(this._h().fitSchedule(elapsedSeconds, budgetSeconds));
  }

  /** The checkpoint (safetensors): weights, config, tokenizer and the whole training state. */
  save() {
    const h = this._h();
    return savedFile(h.saveCheckpoint());
  }

  /** Starts the next batch from a zero state (the state still resets at every epoch). */
  resetState() {
    check(this._h().resetState());
  }

  /** Frees the trainer, its model and the model's streams. */
  dispose() {
    disposeOwner(this, 'trainer is disposed');
  }
}

/** The corpus as a string or bytes, checked as createTrainer's `text` option. */
function corpusText(text, name) {
  if (text === undefined) throw new Error(`option '${name}' is required (the corpus, a string or Uint8Array)`);
  if (typeof text !== 'string' && !isBytes(text)) {
    throw new Error(`option '${name}' must be a string or Uint8Array (got ${typeName(text)})`);
  }
  return typeof text === 'string' ? text : toBytes(text, name);
}

// Run options as JSON for the core; functions (a misplaced callback) are refused by name.
function runOptionsJson(options) {
  for (const [k, v] of Object.entries(options)) {
    if (typeof v === 'function') throw new Error(`option '${k}' must not be a function`);
  }
  return toJson(options);
}

// Examples for the core: { kind: 0 absent | 1 the text of a file | 2 an array as JSON, data }.
function examplesArg(x, name) {
  if (x === undefined) return { kind: 0, data: '' };
  if (typeof x === 'string') return { kind: 1, data: x };
  if (isBytes(x) || ArrayBuffer.isView(x)) return { kind: 1, data: toBytes(x, name) };
  if (Array.isArray(x)) return { kind: 2, data: toJson(x) };
  const what = name === 'pairs' || name === 'validationPairs' ? 'an array of [source, target] pairs' : 'an array of examples';
  throw new Error(`option '${name}' must be the text of a file (a string or Uint8Array) or ${what} (got ${typeName(x)})`);
}

const EXAMPLE_TASKS = new Set(['classify', 'tag']);

/** What a run trains on: a text (and an optional validation text), examples or pairs (and optional validation examples or pairs). */
function runData({ text, examples, validationExamples, validationText, pairs, validationPairs }, task, resuming) {
  if (pairs !== undefined || validationPairs !== undefined || task === 'seq2seq') {
    if (task !== undefined && task !== 'seq2seq') throw new Error(`option 'pairs' is for task 'seq2seq' (got task '${task}')`);
    for (const [k, v] of [['text', text], ['examples', examples], ['validationExamples', validationExamples], ['validationText', validationText]]) {
      if (v !== undefined) throw new Error(`option '${k}' cannot be combined with task 'seq2seq': give 'pairs' (and 'validationPairs')`);
    }
    if (pairs === undefined) {
      throw new Error("option 'pairs' is required for task 'seq2seq' (the text of a source<TAB>target file or an array of [source, target])");
    }
    return { text: '', examples: examplesArg(pairs, 'pairs'), validation: examplesArg(validationPairs, 'validationPairs') };
  }
  if (validationText !== undefined && examples !== undefined) {
    throw new Error("option 'validationText' is for a language model on a text; examples take 'validationExamples'");
  }
  if (examples !== undefined) {
    if (text !== undefined) {
      throw new Error("option 'text' cannot be combined with 'examples': a run trains on a text (task 'lm') or on examples");
    }
    return { text: '', examples: examplesArg(examples, 'examples'), validation: examplesArg(validationExamples, 'validationExamples') };
  }
  if (validationExamples !== undefined) throw new Error("option 'validationExamples' needs 'examples'");
  if (text === undefined && !resuming && EXAMPLE_TASKS.has(task)) {
    throw new Error(`option 'examples' is required for task '${task}' (the text of a file or an array of examples)`);
  }
  const bytes = corpusText(text, 'text');
  if (bytes.length === 0) throw new Error("option 'text' is empty: give a corpus to train on");
  let validation = examplesArg(undefined);
  if (validationText !== undefined) {
    // Scored instead of a validationFraction split, with the training text's vocabulary.
    const v = corpusText(validationText, 'validationText');
    if (v.length === 0) throw new Error("option 'validationText' is empty: give the validation text, or leave it out to split validationFraction off the text");
    validation = { kind: 1, data: v };
  }
  return { text: bytes, examples: examplesArg(undefined), validation };
}

// Copies a run's data into wasm memory for fn(textPtr, textLen, examplesKind, ptr, len, validationKind, ptr, len),
// fn being createSession or resumeSession. The text goes straight into the string the session takes
// over (textBuffer), so a large corpus is never held twice in wasm memory.
function withData(m, d, fn) {
  const bytes = typeof d.text === 'string' ? new TextEncoder().encode(d.text) : d.text;
  const tl = bytes.length;
  const tp = m.textBuffer(tl);
  if (!tp) throw new Error(`out of memory: cannot allocate ${tl} bytes for the text`);
  try {
    heap(m).set(bytes, tp);
    return withBuffer(m, d.examples.data, (ep, el) =>
      withBuffer(m, d.validation.data, (vp, vl) => fn(tp, tl, d.examples.kind, ep, el, d.validation.kind, vp, vl)));
  } finally {
    m.releaseTextBuffer(); // taken by the session, or left over by a failure before it
  }
}

/**
 * Starts a training run on `text` (a language model), on `examples` (task 'classify', 'tag', or
 * 'lm' by category) or on `pairs` (task 'seq2seq'), or resumes a checkpoint exactly with
 * { resumeFrom, text | examples, validationExamples | pairs, validationPairs }. Throws an Error naming the option or problem for any bad argument.
 */
export async function createTrainer(options) {
  const o = checkObject(options, 'createTrainer options');
  const { text, examples, validationExamples, validationText, pairs, validationPairs, resumeFrom, ...rest } = o;
  if (pairs !== undefined && resumeFrom === undefined && rest.task === undefined) rest.task = 'seq2seq'; // pairs mean an encoder-decoder
  const data = runData({ text, examples, validationExamples, validationText, pairs, validationPairs }, rest.task, resumeFrom !== undefined);
  const m = await wasm();
  let handle;
  if (resumeFrom !== undefined) {
    const extra = Object.keys(rest);
    if (extra.length) {
      throw new Error(`option '${extra[0]}' cannot be combined with resumeFrom: a checkpoint carries its own settings`);
    }
    const file = toBytes(resumeFrom, 'resumeFrom');
    handle = withData(m, data, (...args) => withBuffer(m, file, (fp, fl) => m.resumeSession(...args, fp, fl)));
  } else {
    const json = runOptionsJson(rest);
    handle = withData(m, data, (...args) => m.createSession(json, ...args));
  }
  return new Trainer(check(handle));
}

/** Loads a model file (or checkpoint) for generation; throws if the file fails validation. */
export async function loadModel(bytes) {
  const file = toBytes(bytes, 'bytes');
  if (file.length === 0) throw new Error('model file is empty');
  const m = await wasm();
  return new Model(check(withBuffer(m, file, (p, n) => m.loadModel(p, n))));
}

/** The full option set with defaults filled in (and validated), as the trainer would use it. */
export async function resolveOptions(options = {}) {
  const o = checkObject(options, 'options');
  const m = await wasm();
  return check(m.parseOptions(toJson(o)));
}

/**
 * What a trainer on `text` with these options would see, computed by the trainer's own tokenizer
 * and split: `{ bytes, chars, tokens, vocabSize, trainTokens, validationTokens, batchesPerEpoch,
 * primeHint, problem }`. `options` are createTrainer's (without `text`); only the tokenizer
 * options, validationFraction, batchSize and seqLength change the answer. `problem` is null, or the
 * "text too short: …" message createTrainer would throw (the counts are still given);
 * `batchesPerEpoch` is 0 then. Throws as createTrainer does for bad options, an empty text or
 * invalid UTF-8 ("invalid UTF-8 at byte N (…)"). `primeHint` is the commonest first token of a line
 * (e.g. "moe_szyslak:" in a TV script): a prime the model will know.
 */
export async function analyzeCorpus(text, options = {}) {
  const bytes = corpusText(text, 'text');
  const json = runOptionsJson(checkObject(options, 'options'));
  const m = await wasm();
  return check(withBuffer(m, bytes, (p, n) => m.analyzeCorpus(json, p, n)));
}

/**
 * What `size: 'auto'` picks for a language model on `text` within `budgetSeconds` (default 600),
 * without training: `{ options, autoSize }` — the options a trainer on this text would use (those
 * given beside size: 'auto' are kept) and the rule's choice with its prediction (`info.autoSize`).
 * The rule depends on the thread count: call after init().
 */
export async function chooseSize(text, options = {}) {
  const bytes = corpusText(text, 'text');
  const json = runOptionsJson({ size: 'auto', ...checkObject(options, 'options') });
  const m = await wasm();
  return check(withBuffer(m, bytes, (p, n) => m.chooseSize(json, p, n)));
}

/**
 * What a trainer on these examples would see, without training: `{ task, conditional, labels,
 * labelCounts, examples, validationExamples, trainTokens, validationTokens, truncated,
 * lengthHistogram: { binWidth, counts }, batchesPerEpoch, vocabSize, parameters, skipped, problems }`.
 * `examples` as createTrainer's (file text or an array); `options` are createTrainer's, with
 * `validationExamples`. Throws as createTrainer does for bad options or data ("line 12: …").
 */
export async function analyzeExamples(examples, options = {}) {
  const o = checkObject(options, 'options');
  const { validationExamples, ...rest } = o;
  if (examples === undefined) throw new Error("analyzeExamples needs examples: the text of a file or an array of examples");
  const ex = examplesArg(examples, 'examples');
  const val = examplesArg(validationExamples, 'validationExamples');
  const json = runOptionsJson(rest);
  const m = await wasm();
  return check(withBuffer(m, ex.data, (ep, el) => withBuffer(m, val.data, (vp, vl) => m.analyzeExamples(json, ex.kind, ep, el, val.kind, vp, vl))));
}

/**
 * What a seq2seq trainer on these pairs would see, without training: `{ task: 'seq2seq', pairs,
 * validationPairs, sources, validationSources, multiReferenceSources, sourceTokens, targetTokens,
 * truncated, truncatedSources, truncatedTargets, sourceLengthHistogram, targetLengthHistogram
 * (each { binWidth, counts }), sourceVocabSize, targetVocabSize, vocabSize, parameters,
 * batchesPerEpoch, skipped, problems, … }`. `pairs` as createTrainer's; `options` are createTrainer's
 * (task 'seq2seq' implied), with `validationPairs`. Throws as createTrainer does ("line 12: …").
 */
export async function analyzePairs(pairs, options = {}) {
  const o = checkObject(options, 'options');
  const { validationPairs, ...rest } = o;
  if (rest.task !== undefined && rest.task !== 'seq2seq') throw new Error(`analyzePairs is for task 'seq2seq' (got task '${rest.task}')`);
  if (pairs === undefined) throw new Error('analyzePairs needs pairs: the text of a source<TAB>target file or an array of [source, target]');
  const ex = examplesArg(pairs, 'pairs');
  const val = examplesArg(validationPairs, 'validationPairs');
  const json = runOptionsJson({ ...rest, task: 'seq2seq' });
  const m = await wasm();
  return check(withBuffer(m, ex.data, (ep, el) => withBuffer(m, val.data, (vp, vl) => m.analyzeExamples(json, ex.kind, ep, el, val.kind, vp, vl))));
}

/**
 * The memory a training run with these options holds, by the formula the trainer uses to refuse
 * configurations that cannot fit: `{ parameters, weightBytes, activationBytes, packingBytes,
 * checkpointBytes, corpusBytes, totalBytes }` (bytes; weightBytes counts values, gradients and
 * optimizer moments). `vocabSize` is the vocabulary (analyzeCorpus's `vocabSize`); `corpusTokens`
 * the corpus's tokens, or omitted/0 when unknown (corpusBytes is 0 then).
 */
export async function estimateMemory(options, vocabSize, corpusTokens = 0) {
  const o = checkObject(options, 'options');
  // The example and pair tasks' memory depends on their longest rows, known once the data is read.
  if (o.task !== undefined && o.task !== 'lm') {
    throw new Error(`estimateMemory is for language models on a text (task 'lm'); a '${o.task}' run's memory depends on its longest examples, and createTrainer refuses one that cannot fit with its estimate in the message`);
  }
  const json = runOptionsJson(o);
  if (!(Number.isInteger(vocabSize) && vocabSize >= 1)) {
    throw new Error(`vocabSize must be a positive integer (got ${String(vocabSize)})`);
  }
  if (!(Number.isInteger(corpusTokens) && corpusTokens >= 0)) {
    throw new Error(`corpusTokens must be a non-negative integer (got ${String(corpusTokens)})`);
  }
  const m = await wasm();
  return check(m.estimateMemory(json, vocabSize, corpusTokens));
}
