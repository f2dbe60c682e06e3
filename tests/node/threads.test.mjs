// Threads in Node: the pthreads build loads by default, setThreads clamps, any thread count (and the
// single-threaded build) trains bitwise identically, and processes exit on their own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createTrainer, features, init, setThreads } from '../../wasm/index.js';
import { buf, rejects, root, shakespeare } from './helpers.mjs';

const indexUrl = pathToFileURL(join(root, 'wasm', 'index.js')).href;
const cores = cpus().length;
const text = shakespeare(60000);
// A 2×64 char LSTM: its GEMMs are big enough for the kernels to split them across threads.
const CONFIG = { tokenizer: 'char', cell: 'lstm', layers: 2, hidden: 64, embedding: 32, batchSize: 32, seqLength: 32, seed: 7 };
const STEPS = 5;

async function run(threads) {
  assert.equal(setThreads(threads), Math.min(threads, features().maxThreads));
  const tr = await createTrainer({ text, ...CONFIG });
  const losses = [];
  for (let i = 0; i < STEPS; i++) losses.push(tr.step().loss);
  const bytes = tr.save();
  tr.dispose();
  return { losses, bytes };
}

/** Runs a script in a fresh node process (ESM), with `api` bound to wasm/index.js. */
function node(script, env = {}, timeout = 60_000) {
  const code = `const api = await import(${JSON.stringify(indexUrl)});\n${script}`;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8', timeout, env: { ...process.env, RNN_WASM_THREADS: '', ...env }, maxBuffer: 64 << 20,
  });
  return { ...r, ms: Date.now() - t0 };
}

describe('threads (Node)', () => {
  test('the Node build has threads; before loading features() says which build will load', async () => {
    const before = features();
    assert.equal(before.variant, 'node');
    assert.equal(before.threads, true);
    assert.equal(before.threadCount, 0);
    const f = await init();
    assert.equal(f.variant, 'node');
    assert.equal(f.threads, true);
    assert.match(f.build, /pthreads/);
    assert.equal(f.maxThreads, Math.min(cores, 8));
    assert.equal(f.threadCount, f.maxThreads, 'all threads by default');
    assert.ok(f.heapBytes > 0);
  });

  test('setThreads clamps to [1, maxThreads] and rejects non-integers', async () => {
    await init();
    const max = features().maxThreads;
    assert.equal(setThreads(0), 1);
    assert.equal(features().threadCount, 1);
    assert.equal(setThreads(-3), 1);
    assert.equal(setThreads(999), max);
    assert.equal(features().threadCount, max);
    assert.equal(setThreads(2 ** 40), max);
    assert.equal(setThreads(1), 1);
    for (const bad of [1.5, NaN, '2', null, undefined]) assert.throws(() => setThreads(bad), /setThreads needs an integer/);
    assert.equal(features().threadCount, 1, 'a rejected call changes nothing');
    setThreads(max);
  });

  test('init: bad options throw; a count after loading sets threads; the other build is refused', async () => {
    await rejects(() => init({ threads: 'many' }), /option 'threads' must be 'auto', 'off' or a positive integer \(got 'many'\)/);
    await rejects(() => init({ threads: 0 }), /option 'threads' must be/);
    await rejects(() => init({ thread: 2 }), /unknown option 'thread'/);
    await rejects(() => init(5), /init options must be an object/);
    await rejects(() => init({ threads: 'off' }), /already loaded with the node build.*needs the st build/);
    assert.equal((await init({ threads: 1 })).threadCount, 1);
    assert.equal((await init({ threads: 'auto' })).variant, 'node');
    assert.equal((await init({ threads: 64 })).threadCount, features().maxThreads);
  });

  test(`1 and 2 threads train bitwise identically (${STEPS} steps, 2×64 LSTM)`, async (t) => {
    await init();
    const one = await run(1);
    const two = await run(2);
    if (features().maxThreads < 2) t.diagnostic('one core: both runs used one thread');
    assert.deepEqual(two.losses, one.losses, 'losses');
    assert.ok(buf(two.bytes).equals(buf(one.bytes)), 'checkpoint bytes');
    assert.ok(one.losses.every(Number.isFinite));
    setThreads(features().maxThreads);
  });

  test('the single-threaded build (RNN_WASM_THREADS=off) trains bitwise identically to the threaded one', async () => {
    await init();
    const mine = await run(features().maxThreads);
    const script = `
      const f = await api.init();
      const tr = await api.createTrainer({ text: ${JSON.stringify(text)}, ...${JSON.stringify(CONFIG)} });
      const losses = [];
      for (let i = 0; i < ${STEPS}; i++) losses.push(tr.step().loss);
      process.stdout.write(JSON.stringify({ f, losses, bytes: Buffer.from(tr.save()).toString('base64') }));`;
    for (const value of ['off', '1']) {
      const r = node(script, { RNN_WASM_THREADS: value });
      assert.equal(r.status, 0, `RNN_WASM_THREADS=${value}: exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
      const out = JSON.parse(r.stdout);
      assert.equal(out.f.variant, 'st');
      assert.equal(out.f.threads, false);
      assert.equal(out.f.threadCount, 1);
      assert.equal(out.f.maxThreads, 1);
      assert.deepEqual(out.losses, mine.losses);
      assert.ok(Buffer.from(out.bytes, 'base64').equals(buf(mine.bytes)), 'checkpoint bytes, st build vs pthreads build');
    }
  });

  test('RNN_WASM_THREADS=n picks a count; a bad value is an error naming the variable', () => {
    const r = node(`process.stdout.write(JSON.stringify(await api.init()));`, { RNN_WASM_THREADS: '2' });
    assert.equal(r.status, 0, r.stderr);
    const f = JSON.parse(r.stdout);
    assert.equal(f.variant, 'node');
    assert.equal(f.threadCount, Math.min(2, cores, 8));
    const bad = node(`await api.init().catch((e) => { process.stdout.write(e.message); });`, { RNN_WASM_THREADS: 'lots' });
    assert.equal(bad.status, 0, bad.stderr);
    assert.match(bad.stdout, /RNN_WASM_THREADS must be 'auto', 'off' or a positive integer \(got 'lots'\)/);
  });

  test('a process that trained with threads exits on its own', () => {
    const r = node(`
      const tr = await api.createTrainer({ text: ${JSON.stringify(text.slice(0, 20000))}, tokenizer: 'char', layers: 1, hidden: 64, batchSize: 16, seqLength: 16 });
      api.setThreads(2);
      tr.step(); await tr.train({ steps: 3 });
      tr.dispose();
      console.log('done', api.features().threadCount);`, {}, 30_000);
    assert.equal(r.signal, null, `killed (${r.signal}) after ${r.ms} ms: the process did not exit on its own`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^done \d+$/m);
  });
});
