// Crash-safe saves (issue 16): the CLI killed with SIGKILL at any moment — at random, and for certain
// in the middle of writing a checkpoint — leaves at its --out path the previous checkpoint or the
// new one, whole: it loads and training resumes from it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { brownProse, cliPath, tempDir } from './helpers.mjs';

const text = brownProse(40000);
const MODEL = ['--hidden', '128', '--embedding', '32', '--layers', '2', '--batch-size', '8', '--seq-length', '32'];

async function loadsAndResumes(bytes, what) {
  const m = await loadModel(bytes);
  assert.equal(typeof m.generate({ length: 5 }), 'string', what);
  m.dispose();
  const t = await createTrainer({ text, resumeFrom: bytes });
  assert.ok(Number.isFinite(t.step().loss), what);
  t.dispose();
}

test('killed half-way through writing a checkpoint: the previous one is intact and loads', { timeout: 120_000 }, async () => {
  const tmp = tempDir();
  try {
    const corpus = tmp.path('c.txt');
    writeFileSync(corpus, text);
    const out = tmp.path('run.safetensors');
    const first = spawnSync(process.execPath, [cliPath, 'train', corpus, ...MODEL, '--eval-every', '0', '--steps', '5', '-q', '--out', out], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    const before = readFileSync(out);
    const killed = spawnSync(process.execPath, [cliPath, 'train', corpus, ...MODEL, '--eval-every', '0', '--steps', '5', '-q', '--out', out],
      { encoding: 'utf8', env: { ...process.env, RNN_WASM_TEST_KILL_IN_WRITE: '1' } });
    assert.equal(killed.signal, 'SIGKILL', 'the run died inside its write');
    assert.ok(readdirSync(tmp.dir).some((f) => f.endsWith('.tmp')), 'a half-written temporary file is left beside it');
    assert.ok(readFileSync(out).equals(before), 'the checkpoint at --out is the previous one, byte for byte');
    await loadsAndResumes(new Uint8Array(readFileSync(out)), 'the previous checkpoint');
  } finally {
    tmp.cleanup();
  }
});

test('SIGKILL at random moments of a run that checkpoints continually: --out always loads and resumes', { timeout: 240_000 }, async (t) => {
  const tmp = tempDir();
  try {
    const corpus = tmp.path('c.txt');
    writeFileSync(corpus, text);
    const out = tmp.path('run.safetensors');
    let kills = 0;
    let rng = 12345;
    const random = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 12; i++) {
      // The first run starts the model; the others resume the checkpoint the last one left.
      const start = existsSync(out) ? ['--resume', out] : MODEL;
      // Half the runs die inside a checkpoint write (its 1st–3rd, at a random share of its bytes),
      // the others at a random moment.
      const inWrite = i % 2 === 0 ? { RNN_WASM_TEST_KILL_IN_WRITE: `${1 + Math.floor(3 * random())}:${random().toFixed(3)}` } : {};
      const child = spawn(process.execPath, [cliPath, 'train', corpus, ...start, '--eval-every', '0', '--minutes', '5',
        '--checkpoint-minutes', '0.002', '-q', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...inWrite } });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
      // A run meant to die in a write is given the time to reach it (and killed after 60 s regardless).
      const timer = new Promise((r) => setTimeout(r, i % 2 === 0 ? 60_000 : 600 + 1400 * random()).unref());
      await Promise.race([timer, exited]);
      child.kill('SIGKILL');
      const { code, signal } = await exited;
      assert.equal(signal, 'SIGKILL', `run ${i + 1} ended by itself (exit ${code}): ${stderr}`);
      kills++;
      if (existsSync(out)) await loadsAndResumes(new Uint8Array(readFileSync(out)), `after kill ${i + 1}`);
    }
    assert.ok(existsSync(out), 'checkpoints were written');
    // Each run writes its temporary file under its own process id: one left behind = killed mid-write.
    const inWrite = readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp')).length;
    t.diagnostic(`${kills} kills, ${inWrite} of them inside a checkpoint write (a temporary file left behind)`);
    assert.ok(inWrite >= kills / 2, 'the kills meant for the middle of a write landed there');
  } finally {
    tmp.cleanup();
  }
});
