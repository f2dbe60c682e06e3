// The capabilities panel: SIMD, threads, build, kernels, cores and the memory in use.
import { $, formatBytes } from './ui.js';
import { state } from './state.js';

const HEAP_REFRESH_MS = 2000;

export function renderFeatures() {
  const f = state.features ?? {};
  const dl = $('features');
  dl.replaceChildren();
  const yes = (v) => (v ? 'yes' : 'no');
  const rows = [
    ['SIMD (wasm128)', yes(f.simd)],
    ['Threads', threadsText(f)],
    ['Core build', [f.version, f.build].filter(Boolean).join(' · ') || '–'],
    ['Kernels', f.simdArch ?? '–'],
    ['CPU cores', String(navigator.hardwareConcurrency ?? '–')],
    ['Heap in use', '–'],
  ];
  if (f.modelFormatVersion != null) rows.push(['Model file format', `v${f.modelFormatVersion}`]);
  rows.push(['Offline', offlineText(state.offline)]);
  for (const [k, v] of rows) {
    const d = document.createElement('div');
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    if (v === 'yes') dd.className = 'ok';
    if (k === 'Heap in use') dd.id = 'heap';
    if (k === 'Offline') { dd.dataset.testid = 'offline'; if (state.offline?.files) dd.className = 'ok'; }
    d.append(dt, dd);
    dl.append(d);
  }
  renderHeap();
}

/** "2 of 2 (pthreads build)", or "1 (page not cross-origin isolated)" when the single-threaded build runs. */
function threadsText(f) {
  if (f.threads && f.threadCount) return `${f.threadCount} of ${f.maxThreads} (pthreads build)`;
  if (f.threads === undefined) return '–';
  return `1 (${crossOriginIsolated ? 'single-threaded build' : 'page not cross-origin isolated'})`;
}

/** Whether the service worker holds the whole site (app.js asks it once the page is up). */
function offlineText(o) {
  if (!o) return 'checking…';
  if (o.error) return `no (${o.error})`;
  return `yes: ${o.files} files cached`;
}

let lastHeapRender = 0;
/** The wasm heap (or the page's JS heap), at most every HEAP_REFRESH_MS. */
export function renderHeap() {
  const el = $('heap');
  if (!el || performance.now() - lastHeapRender < HEAP_REFRESH_MS) return;
  lastHeapRender = performance.now();
  const f = state.features ?? {};
  const wasmHeap = state.run?.heapBytes || f.heapBytes;
  const [bytes, what] = wasmHeap ? [wasmHeap, 'wasm heap'] : performance.memory ? [performance.memory.usedJSHeapSize, 'page JS heap'] : [];
  if (!bytes) return;
  el.textContent = `${formatBytes(bytes)} `;
  const small = document.createElement('small');
  small.textContent = what;
  el.append(small);
}
