// Module worker of the benchmark page: loads the site's rnn-wasm API (which picks its threaded
// build when the page is cross-origin isolated) and runs the shared reference workload.
import { runWorkload } from './run-workload.js';

self.onmessage = async (e) => {
  const { quick } = e.data;
  try {
    self.postMessage({ log: `crossOriginIsolated: ${self.crossOriginIsolated === true}; ${navigator.hardwareConcurrency} logical cores` });
    const api = await import('../rnn-wasm/index.js');
    const workload = await (await fetch('./workload.json')).json();
    const text = await (await fetch(`./${workload.data}`)).text();
    const r = await runWorkload(api, { text, workload, quick, log: (s) => self.postMessage({ log: s }) });
    r.userAgent = navigator.userAgent;
    r.hardwareConcurrency = navigator.hardwareConcurrency;
    r.crossOriginIsolated = self.crossOriginIsolated === true;
    self.postMessage({ result: r });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
