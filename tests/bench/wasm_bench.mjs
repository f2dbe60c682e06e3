// WebAssembly in Node: the reference workload (workload.json) through the public API
// (browser/run-workload.js, the same code the Chromium bench runs), on 1 and 2 threads when the
// module has setThreads(). Prints human lines, then one JSON object on its last line.
// usage: node tests/bench/wasm_bench.mjs [--quick]
// env: RNN_DATA_DIR (corpus folder, default ../shared/data), RNN_WASM_DIR (a folder with index.js
// and dist/ to benchmark instead of wasm/)
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runWorkload } from './browser/run-workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quick = process.argv.includes('--quick');
const apiDir = process.env.RNN_WASM_DIR ? resolve(process.env.RNN_WASM_DIR) : join(root, 'wasm');
const api = await import(pathToFileURL(join(apiDir, 'index.js')).href);
const workload = JSON.parse(readFileSync(join(here, 'workload.json'), 'utf8'));
const dataDir = process.env.RNN_DATA_DIR || resolve(root, '..', 'shared', 'data');
const text = readFileSync(join(dataDir, workload.data), 'utf8');

console.log(`Node ${process.version}, API ${join(apiDir, 'index.js')}, corpus ${join(dataDir, workload.data)}`);
const r = await runWorkload(api, { text, workload, quick, log: (s) => console.log(s) });
r.node = process.version;
r.rssBytes = process.memoryUsage().rss;
console.log(`Node process RSS: ${(r.rssBytes / 1e6).toFixed(1)} MB`);
console.log(JSON.stringify(r));
process.exit(0); // pool workers of a threaded build must not keep the process alive
