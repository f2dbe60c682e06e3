// Registers the service worker (sw.js): cross-origin isolation where the host sends no COOP/COEP
// headers, and the site cached for offline use. See sw.js.
//
// A page that is not cross-origin isolated and not yet controlled by the worker registers it, waits
// until it is active and reloads once: the reloaded page's responses pass through the worker, which
// adds the headers, so it gets SharedArrayBuffer and the pthreads build. A flag in sessionStorage makes
// that one reload at most per tab: if the browser still does not isolate the page, it runs
// single-threaded instead of reloading again.

const RELOADED = 'rnn-wasm:isolation-reload';
const REGISTER_TIMEOUT_MS = 10_000;

const container = () => (globalThis.isSecureContext ? navigator.serviceWorker : undefined);

let registration = null;
function register() {
  registration ??= container().register('sw.js').catch((e) => {
    registration = null;
    throw e;
  });
  return registration;
}

/**
 * Call first thing. Resolves to true when the page is about to reload (start nothing then), false
 * when it should go on: isolated already, or isolation is not to be had here.
 */
export async function isolateOrReload() {
  const sw = container();
  if (!sw) return false; // no service workers (an insecure origin, a private window in some browsers)
  if (globalThis.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    register().catch(() => {});
    return false;
  }
  if (sw.controller || sessionStorage.getItem(RELOADED)) {
    // Controlled, or reloaded once already, and still not isolated: this browser will not isolate it.
    register().catch(() => {});
    return false;
  }
  let timer;
  try {
    await Promise.race([
      register().then(() => sw.ready),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), REGISTER_TIMEOUT_MS); }),
    ]);
  } catch {
    return false; // registration failed or hangs: run without threads
  } finally {
    clearTimeout(timer);
  }
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return true;
}

/**
 * Asks the service worker to cache every file of the site, so the page works offline from now on.
 * Resolves to { version, files, fetched } (or rejects with the reason it cannot).
 */
export async function cacheForOffline() {
  const sw = container();
  if (!sw) throw new Error('this browser gives the page no service worker');
  const reg = await register();
  const worker = sw.controller ?? reg.active ?? (await sw.ready).active;
  return new Promise((resolve, reject) => {
    const onMessage = (e) => {
      if (e.data?.type !== 'precache') return;
      sw.removeEventListener('message', onMessage);
      if (e.data.error) reject(new Error(e.data.error));
      else resolve(e.data);
    };
    sw.addEventListener('message', onMessage);
    sw.startMessages();
    worker.postMessage({ type: 'precache' });
  });
}
