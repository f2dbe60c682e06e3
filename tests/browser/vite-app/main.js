// A user's app, bundled by Vite in tests/browser/package.test.mjs: the page starts a module worker that
// trains with rnn-wasm, and shows what it reports. window.__app collects the messages for the test;
// times are milliseconds since navigation start.
const out = document.getElementById('out');
window.__app = { messages: [] };
const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.at !== undefined) data.ms = data.at - performance.timeOrigin;
  window.__app.messages.push(data);
  window.__app[data.type] = data;
  out.textContent = JSON.stringify(window.__app, null, 2);
};
worker.onerror = (e) => {
  window.__app.error = { type: 'error', message: e.message || 'the worker failed to load' };
};
