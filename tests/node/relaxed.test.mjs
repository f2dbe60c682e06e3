// The relaxed-SIMD builds (README "Relaxed SIMD build"): index.js loads them where the runtime
// validates relaxed SIMD. Node 20 does only with --experimental-wasm-relaxed-simd, so each case runs
// in a child node with or without that flag. Within the relaxed build, training is bitwise identical
// for 1 and 2 threads and for the single-threaded build, and resume is exact; init({ simd }) forces a
// build, and forcing 'relaxed' where it can't run fails with a clear message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { root } from './helpers.mjs';

const FLAG = '--experimental-wasm-relaxed-simd';
const indexUrl = pathToFileURL(join(root, 'wasm', 'index.js')).href;
const helpersUrl = pathToFileURL(join(root, 'tests', 'node', 'helpers.mjs')).href;
const built = ['st-relaxed', 'mt-relaxed', 'node'].every((b) => existsSync(join(root, 'wasm', 'dist', b, 'rnn_core_relaxed.wasm')));
const skip = built ? false : 'wasm/dist/*/rnn_core_relaxed.wasm not built (bash cmake/build.sh wasm)';

/** Runs `script` (ESM, with `api` = wasm/index.js) in a child node; returns its last stdout line as JSON. */
function child(script, { flags = [], env = {} } = {}) {
  const code = `const api = await import(${JSON.stringify(indexUrl)});
const { shakespeare, readSafetensors } = await import(${JSON.stringify(helpersUrl)});
const { createHash } = await import('node:crypto');
const out = await (async () => { ${script} })();
console.log(JSON.stringify(out));
process.exit(0);`;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], {
    encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20,
    env: { ...process.env, RNN_WASM_THREADS: '', RNN_WASM_SIMD: '', ...env },
  });
  assert.equal(r.status, 0, `child failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// A 2×64 char LSTM (its GEMMs split across threads) for a few steps: losses and the saved model's
// bytes (SHA-256) per thread count; with `st`, also the single-threaded build.
const TRAIN = `
  const text = shakespeare(60000);
  const CONFIG = { tokenizer: 'char', cell: 'lstm', layers: 2, hidden: 64, embedding: 32, batchSize: 32, seqLength: 32, seed: 7 };
  const run = async (threads) => {
    api.setThreads(threads);
    const tr = await api.createTrainer({ text, ...CONFIG });
    const losses = [];
    for (let i = 0; i < 4; i++) losses.push(tr.step().loss);
    const bytes = createHash('sha256').update(tr.save()).digest('hex');
    tr.dispose();
    return { losses, bytes };
  };`;

describe('relaxed SIMD builds', { skip }, () => {
  test('with relaxed SIMD: features() says so before and after loading; 1 and 2 threads train bitwise identically', () => {
    const r = child(`${TRAIN}
      const before = api.features();
      const f = await api.init();
      return { before, f, one: await run(1), two: await run(2), maxThreads: api.features().maxThreads };`, { flags: [FLAG] });
    assert.equal(r.before.relaxedSimd, true);
    assert.equal(r.before.simdBuild, 'relaxed', 'features() before loading names the build that will load');
    assert.equal(r.f.relaxedSimd, true);
    assert.equal(r.f.simdBuild, 'relaxed');
    assert.equal(r.f.variant, 'node');
    assert.match(r.f.build, /relaxed SIMD, pthreads \(Node\)/);
    assert.match(r.f.simdArch, /^wasm-relaxed-simd/);
    assert.ok(r.one.losses.every(Number.isFinite));
    assert.deepEqual(r.two.losses, r.one.losses, 'losses, 2 threads vs 1');
    assert.equal(r.two.bytes, r.one.bytes, 'saved model, 2 threads vs 1');
  });

  test("the single-threaded relaxed build (threads: 'off') trains bitwise like the threaded one", () => {
    const threaded = child(`${TRAIN} await api.init(); return run(2);`, { flags: [FLAG] });
    const st = child(`${TRAIN} const f = await api.init({ threads: 'off' }); return { f, r: await run(1) };`, { flags: [FLAG] });
    assert.equal(st.f.variant, 'st');
    assert.equal(st.f.simdBuild, 'relaxed');
    assert.match(st.f.build, /relaxed SIMD, single-threaded/);
    assert.deepEqual(st.r.losses, threaded.losses);
    assert.equal(st.r.bytes, threaded.bytes);
  });

  test('resume is exact in the relaxed build: 12 steps straight == 6, save, resume, 6', () => {
    const r = child(`
      const text = shakespeare(4000);
      const CONFIG = { tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 32, embedding: 16, batchSize: 4, seqLength: 16, seed: 3, optimizer: 'adam' };
      const f = await api.init();
      const a = await api.createTrainer({ text, ...CONFIG });
      const straight = [];
      for (let i = 0; i < 12; i++) straight.push(a.step().loss);
      const b = await api.createTrainer({ text, ...CONFIG });
      const resumed = [];
      for (let i = 0; i < 6; i++) resumed.push(b.step().loss);
      const saved = b.save();
      b.dispose();
      const c = await api.createTrainer({ resumeFrom: saved, text });
      for (let i = 0; i < 6; i++) resumed.push(c.step().loss);
      const same = readSafetensors(a.model.save()).data.equals(readSafetensors(c.model.save()).data);
      a.dispose(); c.dispose();
      return { simdBuild: f.simdBuild, straight, resumed, same };`, { flags: [FLAG] });
    assert.equal(r.simdBuild, 'relaxed');
    assert.deepEqual(r.resumed, r.straight);
    assert.equal(r.same, true, 'model weights, resumed vs straight');
  });

  test("init({ simd: 'simd128' }) loads today's build even where relaxed SIMD runs, and trains exactly like it", () => {
    const forced = child(`${TRAIN} const f = await api.init({ simd: 'simd128' }); return { f, r: await run(2) };`, { flags: [FLAG] });
    const plain = child(`${TRAIN} const f = await api.init(); return { f, r: await run(2) };`);
    assert.equal(forced.f.relaxedSimd, true);
    assert.equal(forced.f.simdBuild, 'simd128');
    assert.equal(forced.f.build, 'wasm32 simd128, pthreads (Node)');
    assert.equal(plain.f.simdBuild, 'simd128');
    assert.deepEqual(forced.r.losses, plain.r.losses);
    assert.equal(forced.r.bytes, plain.r.bytes);
    // RNN_WASM_SIMD does the same from the environment.
    const env = child(`return api.init();`, { flags: [FLAG], env: { RNN_WASM_SIMD: 'simd128' } });
    assert.equal(env.simdBuild, 'simd128');
  });

  test("without relaxed SIMD the simd128 build loads, and forcing 'relaxed' fails clearly", () => {
    const r = child(`
      const before = api.features();
      let forced = null;
      try { await api.init({ simd: 'relaxed' }); } catch (e) { forced = e.message; }
      const f = await api.init();
      let later = null;
      try { await api.init({ simd: 'relaxed' }); } catch (e) { later = e.message; }
      let bad = null;
      try { await api.init({ simd: 'fma' }); } catch (e) { bad = e.message; }
      return { before, forced, f, later, bad };`, { flags: ['--no-experimental-wasm-relaxed-simd'] });
    assert.equal(r.before.relaxedSimd, false);
    assert.equal(r.before.simdBuild, 'simd128');
    assert.match(r.forced, /does not support WebAssembly relaxed SIMD.*--experimental-wasm-relaxed-simd/);
    assert.equal(r.f.simdBuild, 'simd128');
    assert.equal(r.f.build, 'wasm32 simd128, pthreads (Node)');
    assert.match(r.later, /already loaded with the simd128 node build.*needs the relaxed one/);
    assert.match(r.bad, /option 'simd' must be 'auto', 'relaxed' or 'simd128'/);
  });

  test('once loaded, asking for the other SIMD build throws', () => {
    const r = child(`
      await api.init();
      let msg = null;
      try { await api.init({ simd: 'simd128' }); } catch (e) { msg = e.message; }
      const again = await api.init({ simd: 'relaxed' });
      return { msg, again: again.simdBuild };`, { flags: [FLAG] });
    assert.match(r.msg, /already loaded with the relaxed node build.*init\(\{ simd: 'simd128' \}\) needs the simd128 one/);
    assert.equal(r.again, 'relaxed');
  });
});
