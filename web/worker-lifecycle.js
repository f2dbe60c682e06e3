// The training worker's lifecycle: start it (loading the wasm module), and when it dies (wasm trap,
// out of memory, script error) restart it and offer the last autosaved run.
import { WorkerClient } from './protocol.js';
import { $, showError } from './ui.js';
import { setStatus, state, updateButtons, worker } from './state.js';
import { renderFeatures } from './capabilities.js';
import { corpusForgotten } from './corpus.js';
import { offerRestore } from './run.js';
import { renderGenModel } from './generate.js';
import { tasksWorkerRestarted } from './tasks.js';
import { offerTaskRestores } from './task-run.js';

const WORKER_START_MS = 60_000; // loading and compiling the wasm module; generous for slow devices

/**
 * Starts the worker and waits for its wasm module. Resolves to the core's defaults of the run
 * options (resolveOptions({})).
 * @returns {Promise<import('./protocol.js').ResolvedOptions>}
 */
export async function startWorker() {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const client = new WorkerClient(w, { onFatal: (msg) => workerCrashed(msg) });
  worker.client = client;
  w.addEventListener('error', (e) => { e.preventDefault(); workerCrashed(e.message || 'the worker script failed'); });
  // A worker that dies while starting (its 'error' may arrive while a crash is being handled)
  // would never answer: give up after a while so the page can say so.
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker did not start within ${WORKER_START_MS / 1000} s`)), WORKER_START_MS);
  });
  const { features, defaults } = await Promise.race([client.request('init'), timeout]).finally(() => clearTimeout(timer));
  state.features = features;
  renderFeatures();
  return defaults;
}

/** The worker died: restart it and offer the last autosave. */
async function workerCrashed(message) {
  if (worker.crashing) return;
  worker.crashing = true;
  const old = worker.client;
  worker.client = null;
  old.fail(`the training worker stopped (${message})`);
  old.worker.terminate();
  state.run = null;
  state.loadedModel = null;
  state.generating = false;
  worker.trainingSlot = null;
  setStatus('error');
  showError(`The training worker crashed: ${message}. Restarting it…`, 'train');
  try {
    await startWorker();
    corpusForgotten(); // the new worker has no corpus cache: the current corpus gets a fresh id
    tasksWorkerRestarted();
    await offerTaskRestores();
    if (await offerRestore('crash')) {
      showError(`The training worker crashed: ${message}. It was restarted; restore the last saved run to continue.`, 'train');
      $('restore-banner').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    } else {
      showError(`The training worker crashed: ${message}. It was restarted, but no run was saved yet: start training again.`, 'train');
    }
  } catch (e) {
    showError(`The training worker crashed and could not be restarted: ${e.message}`, 'train');
  } finally {
    worker.crashing = false;
    renderGenModel();
    updateButtons();
  }
}
