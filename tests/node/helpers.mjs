// Shared set-up for the Node suites: paths, corpora, small configurations, temp dirs, the native twin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedData = resolve(root, '..', 'shared', 'data');
export const simpsonsPath = join(sharedData, 'simpsons_moes_tavern.txt');
export const shakespearePath = join(sharedData, 'tinyshakespeare.txt');
export const cliPath = join(root, 'wasm', 'cli.js');
export const rnnTool = join(root, 'build', 'native', 'rnn_tool');
export const hasNative = existsSync(rnnTool);

/** The first `bytes` characters of tiny Shakespeare (ASCII, so characters = bytes). */
export function shakespeare(bytes = 20000) {
  return readFileSync(shakespearePath, 'latin1').slice(0, bytes);
}

/** A small, fast character-level LSTM: one step takes well under a millisecond. */
export const SMALL = Object.freeze({
  tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 32, embedding: 16,
  seqLength: 16, batchSize: 4, dropout: 0, seed: 1,
});

/** A fresh temp directory under os.tmpdir(), removed by cleanup(). */
export function tempDir(prefix = 'rnn-wasm-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs build/native/rnn_tool synchronously; throws with its stderr on a non-zero exit. */
export function runNative(args, { input } = {}) {
  const r = spawnSync(rnnTool, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`rnn_tool ${args[0]} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Asserts that fn throws (or rejects with) an Error whose message matches re. */
export async function rejects(fn, re, what) {
  let threw = false;
  try {
    await fn();
  } catch (e) {
    threw = true;
    assert.ok(e instanceof Error, `${what ?? re}: expected an Error, got ${e}`);
    assert.match(e.message, re, `${what ?? re}: message ${JSON.stringify(e.message)}`);
  }
  assert.ok(threw, `${what ?? re}: expected a throw`);
}

/** Bytes as a Buffer, for compare/equals. */
export const buf = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/** The safetensors header of a file: { tensors: {name: {dtype, shape, data_offsets}}, metadata, data }. */
export function readSafetensors(bytes) {
  const b = buf(bytes);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  const metadata = header.__metadata__ ?? {};
  delete header.__metadata__;
  return { tensors: header, metadata, data: b.subarray(8 + n) };
}

/** The model tensors (no optimizer or state tensors) of a file, as name -> Buffer of raw bytes. */
export function weightTensors(bytes) {
  const { tensors, data } = readSafetensors(bytes);
  const out = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('optimizer.') || name.startsWith('state.')) continue;
    out[name] = data.subarray(t.data_offsets[0], t.data_offsets[1]);
  }
  return out;
}
