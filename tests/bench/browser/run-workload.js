// The reference workload (../workload.json) through the public JS API. Shared by wasm_bench.mjs
// (Node) and worker.js (Chromium), so both environments are measured the same way:
//   1. createTrainer(options); for each thread count: warm-up steps, then timed steps (median ms)
//   2. features().heapBytes after training (the wasm memory only grows: this is its peak)
//   3. trainer.model.generate(workload.generate), 3 runs, median tokens/s, per thread count
// Threads: if the module has setThreads() (and init()), each count in `threads` is set and the
// count in effect is recorded; otherwise only 1 thread is measured and a note says why.

// Process CPU seconds (Node only; null in browsers): less sensitive than wall time to other processes.
const cpuSeconds = () => {
  if (typeof process !== 'object' || typeof process.cpuUsage !== 'function') return null;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export async function runWorkload(api, { text, workload, quick = false, threads = [1, 2], log = () => {} }) {
  const notes = [];
  const out = { notes, train: [], generate: [] };
  if (typeof api.init === 'function') {
    try {
      await api.init();
    } catch (e) {
      notes.push(`init() failed: ${e.message}`);
    }
  }
  const t0 = performance.now();
  const trainer = await api.createTrainer({ text, ...workload.options });
  out.setupMs = performance.now() - t0;
  const info = trainer.info;
  const o = workload.options;
  const tokensPerStep = info.tokensPerBatch ?? o.batchSize * o.seqLength;
  out.tokensPerStep = tokensPerStep;
  out.parameters = info.parameters;
  out.vocab = info.vocabSize;
  out.featuresAtStart = api.features();
  log(`build: ${out.featuresAtStart.build}; simd ${out.featuresAtStart.simd}; vocabulary ${info.vocabSize}, ` +
      `${info.parameters} parameters; setup ${out.setupMs.toFixed(0)} ms`);

  const canThread = typeof api.setThreads === 'function';
  if (!canThread) notes.push('this build has no setThreads(): single-threaded only');
  const setThreads = (n) => {
    if (!canThread) return 1;
    const r = api.setThreads(n);
    return typeof r === 'number' ? r : api.features().threadCount || n;
  };
  const counts = [];
  for (const n of threads) {
    if (n > 1 && !canThread) continue;
    let eff;
    try {
      eff = setThreads(n);
    } catch (e) {
      notes.push(`setThreads(${n}) failed: ${e.message}`);
      continue;
    }
    if (eff !== n) notes.push(`setThreads(${n}) gave ${eff} thread(s)`);
    if (!counts.includes(eff)) counts.push(eff);
  }

  const steps = quick ? workload.steps.quickMeasure : workload.steps.measure;
  for (const n of counts) {
    setThreads(n);
    for (let i = 0; i < workload.steps.warmup; i++) trainer.step();
    const ms = [];
    let firstLoss = 0;
    let lastLoss = 0;
    const all = performance.now();
    const cpu0 = cpuSeconds();
    for (let i = 0; i < steps; i++) {
      const a = performance.now();
      const r = trainer.step();
      ms.push(performance.now() - a);
      if (i === 0) firstLoss = r.loss;
      lastLoss = r.loss;
    }
    const total = (performance.now() - all) / 1000;
    const cpuMsPerStep = cpu0 === null ? null : ((cpuSeconds() - cpu0) / steps) * 1000;
    const med = median(ms);
    out.train.push({
      threads: n, steps, msPerStep: ms, msMedian: med,
      tokensPerSecond: (tokensPerStep / med) * 1000, tokensPerSecondMean: (tokensPerStep * steps) / total,
      cpuMsPerStep, firstLoss, lastLoss,
    });
    log(`train ${n} thread${n > 1 ? 's' : ' '}: ${med.toFixed(1).padStart(7)} ms/step median (min ${Math.min(...ms).toFixed(1)}, ` +
        `max ${Math.max(...ms).toFixed(1)}) = ${((tokensPerStep / med) * 1000).toFixed(0).padStart(6)} tokens/s; ` +
        `${cpuMsPerStep === null ? '' : `CPU ${cpuMsPerStep.toFixed(0)} ms/step; `}loss ${firstLoss.toFixed(3)} -> ${lastLoss.toFixed(3)}`);
  }
  out.heapBytes = api.features().heapBytes;

  const g = workload.generate;
  for (const n of counts) {
    setThreads(n);
    const tps = [];
    for (let rep = 0; rep < 3; rep++) {
      const a = performance.now();
      trainer.model.generate(g);
      tps.push(g.length / ((performance.now() - a) / 1000));
    }
    out.generate.push({ threads: n, tokens: g.length, tokensPerSecond: median(tps) });
    log(`generate ${g.length} tokens, ${n} thread${n > 1 ? 's' : ' '}: ${median(tps).toFixed(0).padStart(7)} tokens/s median`);
  }
  if (canThread) setThreads(1);
  out.features = api.features();
  trainer.dispose();
  log(`wasm memory after training: ${(out.heapBytes / 1e6).toFixed(1)} MB`);
  for (const n of notes) log(`note: ${n}`);
  return out;
}
