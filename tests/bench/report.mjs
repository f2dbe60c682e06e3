// Collects the section outputs of tests/bench/run.sh (build/bench/*.json: the last stdout line of
// each benchmark program) into build/bench/results.json, and prints the final tables (Markdown,
// also written to build/bench/results.md). A missing or failed section shows as "–" with a note.
// usage: node tests/bench/report.mjs [build/bench]
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const dir = resolve(process.argv[2] ?? join(root, 'build', 'bench'));

const load = (name) => {
  const f = join(dir, `${name}.json`);
  if (!existsSync(f)) return null;
  try {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
};
// status/<section>: "ok SECONDS" | "fail RC SECONDS" | "skipped WHY"
const statusDir = join(dir, 'status');
const sections = {};
if (existsSync(statusDir)) {
  for (const f of readdirSync(statusDir).sort()) {
    const [state, ...rest] = readFileSync(join(statusDir, f), 'utf8').trim().split(/\s+/);
    sections[f] = state === 'ok' ? { ok: true, seconds: Number(rest[0]) }
      : state === 'fail' ? { ok: false, exitCode: Number(rest[0]), seconds: Number(rest[1]) }
      : { ok: null, skipped: rest.join(' ') };
  }
}

const workload = JSON.parse(readFileSync(join(here, 'workload.json'), 'utf8'));
const machine = load('machine');
const machineEnd = load('machine-end');
const peakNative = load('peak-native');
const peakWasm = load('peak-wasm');
const peakRelaxed = load('peak-relaxed'); // tests/bench/peak_relaxed.mjs: relaxed_madd vs mul+add
const gemmNative = load('gemm-native');
const gemmWasm = load('gemm-wasm');
const trainNative = load('train-native');
const wasmNode = load('wasm-node');
const wasmChromium = load('wasm-chromium');
const competitors = load('competitors');
const vocabNative = load('vocab-native'); // tests/bench/vocab_bench.cpp: full vs adaptive softmax
const generate33k = load('generate-33k'); // tests/bench/generate_bench.mjs: 33 K words, full vs adaptive
const memoryRuns = load('memory')?.memory ?? null; // tests/bench/memory_bench.mjs: every buffer
const notes = [];

// ---- FLOPs per token, from the shapes -------------------------------------------------------
const o = workload.options;
const V = trainNative?.vocab ?? wasmNode?.vocab ?? 65;
const G = { lstm: 4, gru: 3, rnn: 1 }[o.cell ?? 'lstm'];
const H = o.hidden;
const layerTerms = [];
let fwd = 0;
for (let l = 0; l < o.layers; l++) {
  const I = l === 0 ? o.embedding : H;
  fwd += 2 * G * H * (I + H);
  layerTerms.push(`2·${G * H}·(${I}+${H})`);
}
fwd += 2 * H * V;
const flopPerToken = 3 * fwd;
const fmt = (x, d = 0) => (x == null || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const formula =
  `FLOP/token = 3 × forward GEMMs (backward = 2 × forward) = 3 × [Σ_layers 2·${G}H·(I+H) + 2·H·V] = ` +
  `3 × [${layerTerms.join(' + ')} + 2·${H}·${V}] = 3 × ${fmt(fwd)} = ${fmt(flopPerToken)} ≈ ${(flopPerToken / 1e6).toFixed(2)} MFLOP/token ` +
  '(embedding lookup, activations, loss and optimizer not counted)';

// ---- peaks ------------------------------------------------------------------------------------
function twoCore(p, what) {
  if (!p) return null;
  if (p.gflops2 != null && p.gflops2 >= 1.8 * p.gflops1) return p.gflops2;
  if (p.gflops2 != null) {
    notes.push(`${what}: the 2-thread peak measured ${fmt(p.gflops2, 1)} GFLOP/s (< 1.8 × one core: the second core was busy); 2 × one-core peak is used as the two-core peak`);
  }
  return 2 * p.gflops1;
}
const avx2 = peakNative?.avx2_fma ?? null;
const avx512 = peakNative?.avx512_fma ?? null;
const wsimd = peakWasm?.wasm_simd128 ?? null;
const peak = {
  avx2OneCore: avx2?.gflops1 ?? null,
  avx2TwoCores: twoCore(avx2, 'AVX2 FMA'),
  avx512OneCore: avx512?.gflops1 ?? null,
  avx512TwoCores: twoCore(avx512, 'AVX-512 FMA'),
  wasmOneCore: wsimd?.gflops1 ?? null,
  wasmTwoCores: twoCore(wsimd, 'wasm simd128'),
};
const avx2Peak = (threads) => (threads > 1 ? peak.avx2TwoCores : peak.avx2OneCore);
const ownPeak = (env, threads, simd) => {
  if (env === 'native') {
    const wide = /avx512/.test(simd ?? '') && peak.avx512OneCore;
    return threads > 1 ? (wide ? peak.avx512TwoCores : peak.avx2TwoCores) : wide ? peak.avx512OneCore : peak.avx2OneCore;
  }
  return threads > 1 ? peak.wasmTwoCores : peak.wasmOneCore;
};
const pct = (x, of) => (x != null && of ? (100 * x) / of : null);
const pctStr = (p) => (p == null ? '–' : `${p >= 10 ? p.toFixed(0) : p.toFixed(1)}%`);

// ---- GEMM -------------------------------------------------------------------------------------
const gemmRows = [];
const shapes = (gemmNative ?? gemmWasm)?.shapes ?? [];
for (let i = 0; i < shapes.length; i++) {
  const s = shapes[i];
  const n = gemmNative?.shapes?.[i];
  const w = gemmWasm?.shapes?.[i];
  const cell = (r, t) => (r ? r[`gflops${t}`] : null);
  gemmRows.push({
    name: s.name.replace(/\s+/g, ' '), layout: s.layout, packed: s.packed ?? false, M: s.M, N: s.N, K: s.K, perStep: s.perStep,
    native1: cell(n, 1), native2: cell(n, 2), wasm1: cell(w, 1), wasm2: cell(w, 2),
    native1PctAvx2: pct(cell(n, 1), avx2Peak(1)), native2PctAvx2: pct(cell(n, 2), avx2Peak(2)),
    wasm1PctAvx2: pct(cell(w, 1), avx2Peak(1)), wasm2PctAvx2: pct(cell(w, 2), avx2Peak(2)),
    wasm1PctWasm: pct(cell(w, 1), peak.wasmOneCore), wasm2PctWasm: pct(cell(w, 2), peak.wasmTwoCores),
    maxRelErr: Math.max(n?.maxRelErr ?? 0, w?.maxRelErr ?? 0),
  });
}
const gemmStep = (g) => (g ? { flop: g.stepFlop, ms1: g.stepGemmMs1, ms2: g.stepGemmMs2 } : null);

// ---- training, generation, memory ---------------------------------------------------------------
const training = [];
const generation = [];
const envs = [
  ['native', 'native (C++)', trainNative],
  ['wasm-node', `wasm, Node ${wasmNode?.node ?? ''}`.trim(), wasmNode],
  ['wasm-chromium', `wasm, Chromium${wasmChromium?.chromium ? ` ${wasmChromium.chromium}` : ''} (worker)`, wasmChromium],
  // The relaxed-SIMD builds (README "Relaxed SIMD build"): the second pass of wasm_bench.mjs / browser_bench.mjs.
  ['wasm-node-relaxed', 'wasm relaxed SIMD, Node (--experimental-wasm-relaxed-simd)', wasmNode?.relaxed],
  ['wasm-chromium-relaxed', 'wasm relaxed SIMD, Chromium (worker)', wasmChromium?.relaxed],
];
for (const [env, label, r] of envs) {
  for (const t of r?.train ?? []) {
    const gflops = (t.tokensPerSecond * flopPerToken) / 1e9;
    training.push({
      env, label, threads: t.threads, msMedian: t.msMedian, tokensPerSecond: t.tokensPerSecond,
      tokensPerSecondMean: t.tokensPerSecondMean, steps: t.steps, gflops, cpuMsPerStep: t.cpuMsPerStep ?? null,
      pctAvx2Peak: pct(gflops, avx2Peak(t.threads)),
      pctOwnSimdPeak: pct(gflops, ownPeak(env, t.threads, r.simd)),
      firstLoss: t.firstLoss, lastLoss: t.lastLoss,
    });
  }
  for (const g of r?.generate ?? []) generation.push({ env, label, threads: g.threads, tokens: g.tokens, tokensPerSecond: g.tokensPerSecond });
  for (const n of r?.notes ?? []) notes.push(`${label}: ${n}`);
  if (r?.error) notes.push(`${label}: ${r.error}`);
}
const findTrain = (env, threads) => training.find((t) => t.env === env && t.threads === threads) ?? null;
const memory = {
  nativeMaxRssBytes: trainNative?.maxRssBytes ?? null,
  parameterBytes: trainNative?.parameterBytes ?? null,
  wasmNodeHeapBytes: wasmNode?.heapBytes ?? null,
  wasmNodeProcessRssBytes: wasmNode?.rssBytes ?? null,
  wasmChromiumHeapBytes: wasmChromium?.heapBytes ?? null,
};

// ---- competitors --------------------------------------------------------------------------------
const ours1 = findTrain('wasm-node', 1);
const ours2 = findTrain('wasm-node', 2);
const rivals = (competitors?.competitors ?? []).map((c) => ({
  ...c,
  ratioOurs2: c.tokensPerSecond && ours2 ? ours2.tokensPerSecond / c.tokensPerSecond : null,
  ratioOurs1: c.tokensPerSecond && ours1 ? ours1.tokensPerSecond / c.tokensPerSecond : null,
}));
if (!competitors && !sections.competitors?.skipped) notes.push('competitors: no result (tests/bench/competitors.mjs failed or printed no JSON)');

// ---- tasks: the tagger's cost per token beside the language model's ---------------------------
const taskRows = [];
for (const [env, label, r] of envs) {
  for (const t of r?.tasks?.rows ?? []) {
    taskRows.push({ env, label, threads: t.threads, lm: t.lm?.tokensPerSecond ?? null, taggerUni: t.taggerUni?.tokensPerSecond ?? null,
      taggerBi: t.taggerBi?.tokensPerSecond ?? null, biOverUni: t.biOverUni ?? null, biOverLm: t.biOverLm ?? null,
      biOverUniOneLayer: t.biOverUniOneLayer ?? null });
  }
}
const tasksShape = trainNative?.tasks ?? wasmNode?.tasks ?? null;
// The bi/uni ratio the shapes imply (GEMM FLOPs per token): a bidirectional level runs two
// directions, and every level after the first reads both directions' outputs (2H inputs).
const tasksFlopRatio = (() => {
  try {
    const tw = JSON.parse(readFileSync(join(here, 'tasks-workload.json'), 'utf8'));
    const { layers: L, hidden: Hh, embedding: E } = tw.options, g = 4, K = tw.tags;
    let uni = 0, bi = 0;
    for (let l = 0; l < L; l++) {
      uni += g * Hh * ((l === 0 ? E : Hh) + Hh);
      bi += 2 * g * Hh * ((l === 0 ? E : 2 * Hh) + Hh);
    }
    return (bi + 2 * Hh * K) / (uni + Hh * K);
  } catch {
    return null;
  }
})();
if (tasksFlopRatio) notes.push(`tasks: the shapes alone make a bidirectional ${tasksShape ? '2-layer ' : ''}tagger ${tasksFlopRatio.toFixed(2)} × the unidirectional one's FLOPs per token (its second level reads 2H inputs)`);
// The issue's bound is per layer: one bidirectional layer (2 × the arithmetic) ≤ 2.2 × one unidirectional layer.
if (taskRows.some((t) => t.biOverUniOneLayer != null && t.biOverUniOneLayer > 2.2)) notes.push('tasks: one bidirectional layer costs more than 2.2 × a unidirectional one per token');

// ---- results.json -------------------------------------------------------------------------------
const busy = [machine?.busyFraction, machineEnd?.busyFraction].filter((x) => x != null);
if (busy.some((b) => b > 0.15)) {
  const perCpu = training.filter((t) => t.threads === 1 && t.cpuMsPerStep).map((t) => `${t.label} ${fmt((o.batchSize * o.seqLength * 1000) / t.cpuMsPerStep)}`);
  notes.push(`other processes kept the CPUs busy (${busy.map((b) => `${Math.round(b * 100)}%`).join(' before, ')} after): ` +
    'expect slower, noisier wall-clock numbers' + (perCpu.length ? `; 1-thread tokens per CPU-second, less affected: ${perCpu.join(', ')}` : ''));
}
const results = {
  machine, machineEnd,
  workload: { ...workload, vocab: V, flopPerToken, forwardFlopPerToken: fwd, formula },
  peak: { ...peak, native: peakNative, wasm: peakWasm },
  gemm: { rows: gemmRows, native: gemmNative, wasm: gemmWasm, stepNative: gemmStep(gemmNative), stepWasm: gemmStep(gemmWasm) },
  training, generation, memory, memoryByBuffer: memoryRuns, vocab: vocabNative, generate33k,
  tasks: { flopRatioBiOverUni: tasksFlopRatio, shape: tasksShape ? { tags: tasksShape.tags, vocab: tasksShape.vocab, batch: tasksShape.batch, length: tasksShape.length } : null, rows: taskRows },
  competitors: competitors ? { ...competitors, competitors: rivals, oursWasmNode1: ours1?.tokensPerSecond ?? null, oursWasmNode2: ours2?.tokensPerSecond ?? null } : null,
  sections, notes,
};
writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');

// ---- tables ---------------------------------------------------------------------------------------
const lines = [];
const out = (s = '') => lines.push(s);
const mb = (b) => (b == null ? '–' : `${(b / 1e6).toFixed(1)} MB`);
const g1 = (x) => (x == null ? '–' : x.toFixed(1));
const gp = (x, p) => (x == null ? '–' : `${x.toFixed(1)} (${pctStr(p)})`);

const m = machine ?? {};
out(`**Machine:** ${m.cpu?.model ?? '?'}, ${m.cores ?? '?'} cores${m.cpu?.threadsPerCore === 1 ? ' (no SMT)' : ''}` +
  `${m.cpu?.avx512f ? ', AVX-512' : ''}; ${m.distro ?? m.os ?? ''}; Node ${m.node ?? '?'}, Emscripten ${m.emscripten ?? '?'}, ` +
  `${(m.gxx ?? '').replace(/\s*\(.*?\)/, '')}${wasmChromium?.chromium ? `, Chromium ${wasmChromium.chromium}` : ''}; ${m.date ?? ''}` +
  `${m.git ? `; commit ${m.git}` : ''}`);
out(`**Workload:** char LM on ${workload.data} (vocabulary ${V}): Embedding(${V}→${o.embedding}) → ` +
  `${Array(o.layers).fill(`${o.cell.toUpperCase()} ${H}`).join(' → ')} → Dense(→${V}); batch ${o.batchSize} × seq ${o.seqLength}, ` +
  `${o.optimizer}, clip norm ${o.clip?.norm ?? '–'}.`);
out(`**FLOPs:** ${formula}.`);
out();
out('GEMM GFLOP/s (median) for the products of one training step; in brackets: % of the peak of one core (1 thread) or two cores (2 threads): native of the AVX2-FMA peak, wasm of the wasm simd128 peak.');
out();
out('| product | op | M×N×K | ×step | native 1 thr | native 2 thr | wasm 1 thr | wasm 2 thr |');
out('|---|---|---|--:|--:|--:|--:|--:|');
for (const r of gemmRows) {
  out(`| ${r.name} | ${{ nn: 'A·B', nt: 'A·Bᵀ', tn: 'Aᵀ·B' }[r.layout]}${r.packed ? ' (packed)' : ''} | ${r.M}×${r.N}×${r.K} | ${r.perStep || '–'} | ` +
    `${gp(r.native1, r.native1PctAvx2)} | ${gp(r.native2, r.native2PctAvx2)} | ${gp(r.wasm1, r.wasm1PctWasm)} | ${gp(r.wasm2, r.wasm2PctWasm)} |`);
}
out();

const stepFlop = (gemmNative ?? gemmWasm)?.stepFlop ?? null;
const wasmPeak = (threads) => (threads > 1 ? peak.wasmTwoCores : peak.wasmOneCore);
const stepCell = (ms, threads, peakOf) => {
  if (ms == null) return '–';
  const gf = stepFlop / (ms / 1e3) / 1e9;
  return `${ms.toFixed(0)} ms · ${gf.toFixed(1)} GFLOP/s · ${pctStr(pct(gf, peakOf(threads)))}`;
};
const trainCell = (t, wasm) =>
  t ? `${t.msMedian.toFixed(0)} ms · ${fmt(t.tokensPerSecond)} tok/s · ${t.gflops.toFixed(1)} GFLOP/s · ${pctStr(wasm ? pct(t.gflops, wasmPeak(t.threads)) : t.pctAvx2Peak)}` : '–';
out('**Summary** (medians; "%" = share of the measured peak of one core for 1 thread, two cores for 2 threads: AVX2 FMA for native rows, wasm simd128 for wasm rows)');
out();
out('| | measurement | 1 thread | 2 threads |');
out('|---|---|--:|--:|');
out(`| peak | native AVX2 FMA, 8 lanes (GFLOP/s) | ${g1(peak.avx2OneCore)} | ${g1(avx2?.gflops2)} |`);
if (avx512) out(`| peak | native AVX-512 FMA, 16 lanes (GFLOP/s) | ${g1(peak.avx512OneCore)} | ${g1(avx512?.gflops2)} |`);
const chainsOf = (p) => (p?.form ? `, best of ${p.tried?.length ?? '?'} loops: ${p.form} × ${p.accumulators} chains` : '');
out(`| peak | wasm simd128 mul+add, 4 lanes, Node${chainsOf(wsimd)} (GFLOP/s) | ${g1(peak.wasmOneCore)} (${pctStr(pct(peak.wasmOneCore, peak.avx2OneCore))}) | ${g1(wsimd?.gflops2)} |`);
if (peakRelaxed?.relaxed_madd) out(`| peak | wasm relaxed SIMD: f32x4.relaxed_madd / mul+add, 12 chains, Node (GFLOP/s) | ${g1(peakRelaxed.relaxed_madd.gflops)} / ${g1(peakRelaxed.mul_add.gflops)} | |`);
if (stepFlop) {
  out(`| GEMM | native: all GEMMs of one step (${(stepFlop / 1e9).toFixed(2)} GFLOP) | ${stepCell(gemmNative?.stepGemmMs1, 1, avx2Peak)} | ${stepCell(gemmNative?.stepGemmMs2, 2, avx2Peak)} |`);
  out(`| GEMM | wasm (Node): all GEMMs of one step | ${stepCell(gemmWasm?.stepGemmMs1, 1, wasmPeak)} | ${stepCell(gemmWasm?.stepGemmMs2, 2, wasmPeak)} |`);
}
for (const [env, label] of envs) {
  const t1 = findTrain(env, 1);
  const t2 = findTrain(env, 2);
  if (t1 || t2) out(`| train | ${label}: ms/step · tokens/s · GFLOP/s · % | ${trainCell(t1, env !== 'native')} | ${trainCell(t2, env !== 'native')} |`);
  else out(`| train | ${label} | – | – |`);
}
for (const c of rivals) {
  const theirs = c.tokensPerSecond ? `${fmt(c.tokensPerSecond, c.tokensPerSecond < 100 ? 1 : 0)} tok/s` : `failed: ${String(c.error ?? 'no result').split(':')[0].slice(0, 48)}`;
  out(`| vs | ${c.name} (${theirs}): ours (wasm, Node) ÷ theirs | ${c.ratioOurs1 ? `${c.ratioOurs1.toFixed(1)}×` : '–'} | ${c.ratioOurs2 ? `${c.ratioOurs2.toFixed(1)}×` : '–'} |`);
}
for (const [env, label] of envs) {
  const a = generation.find((g) => g.env === env && g.threads === 1);
  const b = generation.find((g) => g.env === env && g.threads === 2);
  if (a || b) out(`| generate | ${label}: tokens/s, one stream (${(a ?? b).tokens} tokens, T ${workload.generate.temperature}) | ${a ? fmt(a.tokensPerSecond) : '–'} | ${b ? fmt(b.tokensPerSecond) : '–'} |`);
}
if (taskRows.length) {
  const sh = tasksShape ?? {};
  for (const [env, label] of envs) {
    const a = taskRows.find((t) => t.env === env && t.threads === 1), b = taskRows.find((t) => t.env === env && t.threads === 2);
    if (!a && !b) continue;
    const one = (t) => (t?.biOverUniOneLayer != null ? ` (1 layer: ${t.biOverUniOneLayer.toFixed(2)}×)` : '');
    const cell = (t) => (t ? `LM ${fmt(t.lm)} · tagger ${fmt(t.taggerUni)} · BiLSTM tagger ${fmt(t.taggerBi)} tok/s; bi/uni ${t.biOverUni?.toFixed(2)}×${one(t)}` : '–');
    out(`| tasks | ${label}: 2-layer LSTM 256, batch ${sh.batch ?? '?'} × ${sh.length ?? '?'}: LM (V ${V}) · tagger (${sh.tags ?? '?'} tags) · bidirectional tagger; cost per token bi ÷ uni (2 layers; 1 layer) | ${cell(a)} | ${cell(b)} |`);
  }
}
out(`| memory | native peak RSS after training (getrusage) | ${mb(memory.nativeMaxRssBytes)} | |`);
out(`| memory | wasm memory after training: Node / Chromium (parameters: ${mb(memory.parameterBytes)}) | ${mb(memory.wasmNodeHeapBytes)} | ${mb(memory.wasmChromiumHeapBytes)} |`);
out();

// ---- large vocabularies ------------------------------------------------------------------------
const wordRows = gemmRows.filter((r) => r.name.startsWith('word '));
const softmax = { native: gemmNative?.softmax ?? [], wasm: gemmWasm?.softmax ?? [] };
if (wordRows.length || vocabNative?.speed || generate33k?.results) {
  out('**Large vocabularies** (a word model\'s output layer, T·B = 1024 rows, LSTM 256: the GEMM rows marked "word" above; here the rest)');
  out();
  out('| | measurement | 1 thread | 2 threads |');
  out('|---|---|--:|--:|');
  for (const [env, label] of [['native', 'native'], ['wasm', 'wasm (Node)']]) {
    for (const x of softmax[env]) {
      out(`| softmax | ${label}: softmax + cross-entropy + gradient in place, 1024 × ${fmt(x.V)} logits (ms) | ${x.ms1?.toFixed(2) ?? '–'} | ${x.ms2?.toFixed(2) ?? '–'} |`);
    }
  }
  for (const v of vocabNative?.speed ?? []) {
    out(`| train | native, V ${fmt(v.vocab)}: tokens/s full softmax → adaptive (cut-offs ${v.cutoffs.join(', ')}); output layer ms/step | ${fmt(v.fullTokensPerSecond)} → ${fmt(v.adaptiveTokensPerSecond)} (${v.speedup.toFixed(2)}×); ${v.fullOutputMs.toFixed(0)} → ${v.adaptiveOutputMs.toFixed(0)} ms of ${v.fullStepMs.toFixed(0)} → ${v.adaptiveStepMs.toFixed(0)} | (one thread, CPU time) |`);
  }
  const gen = generate33k?.results ?? [];
  const genCell = (options, threads) => {
    const of = (model) => gen.find((r) => r.model.includes(model) && r.options === options && r.threads === threads)?.wall;
    const full = of('full'), adaptive = of('adaptive');
    return adaptive == null ? '–' : `${fmt(full)} → ${fmt(adaptive)}`;
  };
  for (const options of [...new Set(gen.map((r) => r.options))]) {
    out(`| generate | wasm (Node), 33 K words, ${options}: tokens/s of one stream, full softmax → adaptive (two-level sampling) | ${genCell(options, 1)} | ${genCell(options, 2)} |`);
  }
  out();
}

// ---- memory, buffer by buffer -----------------------------------------------------------------------
if (memoryRuns) {
  const MiB = 2 ** 20;
  out('**Memory** of a training run in WebAssembly (tests/bench/memory_bench.mjs: a fresh heap, two steps, a checkpoint, an evaluation; the minimum = parameters, gradients, optimizer moments, the activations BPTT must keep, the corpus ids)');
  out();
  out('| run | estimate (all buffers) MiB | unavoidable minimum MiB | measured peak MiB | measured ÷ minimum |');
  out('|---|--:|--:|--:|--:|');
  for (const r of memoryRuns) {
    out(`| ${r.what} | ${(r.totalBytes / MiB).toFixed(1)} | ${(r.minimumBytes / MiB).toFixed(1)} | ${(r.measuredBytes / MiB).toFixed(1)} | ${(r.measuredBytes / r.minimumBytes).toFixed(2)}× |`);
  }
  out();
  const ref = memoryRuns[0];
  out(`Buffers of the ${ref.what} (MiB; ✓ = in the minimum):`);
  out();
  out('| buffer | MiB | ✓ |');
  out('|---|--:|:-:|');
  for (const i of ref.items) out(`| ${i.name} | ${(i.bytes / MiB).toFixed(2)} | ${i.needed ? '✓' : ''} |`);
  out();
}

const failed = Object.entries(sections).filter(([, s]) => s.ok === false).map(([k, s]) => `${k} (exit ${s.exitCode})`);
const skipped = Object.entries(sections).filter(([, s]) => s.ok === null).map(([k, s]) => `${k} (${s.skipped})`);
if (failed.length) notes.push(`failed sections: ${failed.join(', ')} (logs in ${dir})`);
if (skipped.length) notes.push(`skipped: ${skipped.join(', ')}`);
for (const n of notes) out(`- ${n}`);
if (notes.length) out();
writeFileSync(join(dir, 'results.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
console.log(`results: ${join(dir, 'results.json')} (tables: results.md)`);
