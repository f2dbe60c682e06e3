// The page: wires the panels together. Each panel is a module — corpus.js (the text and the core's
// analysis of it), settings.js, auto-size.js and estimate.js (model and training options), run.js (train, pause,
// autosave, restore), charts.js, generate.js, models.js (download, load, keep), capabilities.js —
// over the shared state in state.js. The other task tabs (Classify, Tag, Generate by category, Translate)
// share one view: tasks.js (tabs, examples, settings), task-run.js (training, validation, autosave),
// task-try.js (predictions, model files) and task-translate.js (Translate's pairs, n best and heat map). All heavy work happens in worker.js (worker-lifecycle.js starts
// and restarts it); this thread only moves messages and paints, at most 4 times a second.
import { showError, toast } from './ui.js';
import { setStatus, worker } from './state.js';
import { applySettings, bindSettings, onSettingsChange, pageDefaults } from './settings.js';
import { bindCorpusInputs, corpusSettingsChanged, loadDefaultCorpus, onCorpusChange } from './corpus.js';
import { renderEstimate } from './estimate.js';
import { setupCharts } from './charts.js';
import { bindRun, offerRestore, render, runSettingsChanged } from './run.js';
import { bindGenerate, renderGenModel } from './generate.js';
import { bindModels, renderModelList } from './models.js';
import { startWorker } from './worker-lifecycle.js';
import { bindTasks, loadExampleData, loadManifest, onShowTask, showInitialTask, tasks } from './tasks.js';
import { bindTaskRun, findSavedTaskRuns } from './task-run.js';
import { bindTaskTry } from './task-try.js';
import { cacheForOffline, isolateOrReload } from './sw-register.js';
import { renderFeatures } from './capabilities.js';
import { state } from './state.js';
import { bindInspect, setupInspectCharts } from './inspect.js';
import { bindAutoSize } from './auto-size.js';

function bind() {
  bindCorpusInputs();
  bindSettings((label) => toast(`Preset “${label}” applied.`));
  onSettingsChange(corpusSettingsChanged);
  onSettingsChange(runSettingsChanged);
  onSettingsChange(renderEstimate);
  onCorpusChange(renderEstimate);
  bindAutoSize();
  bindRun();
  bindGenerate();
  bindModels();
  bindTasks();
  bindTaskRun();
  bindTaskTry();
  bindInspect();
  // A task tab opened for the first time starts with its example dataset, as this tab does with Brown.
  onShowTask((task) => {
    const t = tasks[task];
    if (!t.data && !t.autoLoaded && worker.client) {
      t.autoLoaded = true;
      loadExampleData(task).catch(() => {}); // no example built: the panel says why
    }
  });
}

// Start-up work is split over several tasks so that no single one blocks the page for long.
const nextTask = () => new Promise((r) => setTimeout(r, 0));

async function main() {
  // Where the host sends no COOP/COEP headers, the service worker adds them: the first visit
  // registers it and reloads once (start nothing before).
  if (await isolateOrReload()) return;
  bind();
  await setupCharts();
  await nextTask();
  await setupInspectCharts();
  await nextTask();
  render();
  let coreDefaults;
  try {
    coreDefaults = await startWorker();
  } catch (e) {
    setStatus('error');
    showError(`The WebAssembly module could not be loaded: ${e.message}`, 'train');
    return;
  }
  applySettings(pageDefaults(coreDefaults));
  try {
    await loadDefaultCorpus();
  } catch (e) {
    showError(`The default corpus could not be loaded (${e.message}). Choose or paste a text instead.`, 'corpus');
  }
  setStatus('ready');
  renderGenModel();
  await loadManifest();
  showInitialTask();
  await Promise.all([offerRestore('reload'), renderModelList(), findSavedTaskRuns()]);
  // The rest of the site into the service worker's cache: from now on the page works offline.
  try {
    state.offline = await cacheForOffline();
  } catch (e) {
    state.offline = { error: e.message };
  }
  renderFeatures();
}

main();
