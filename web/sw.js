// The page's service worker (sw-register.js registers it), for what a static host does not give:
// 1. Cross-origin isolation. It adds Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy to
//    every response of the site, so the page is crossOriginIsolated and runs the pthreads build even
//    where no headers can be set (GitHub Pages and most static hosts). The page reloads once after the
//    first registration, because only responses that pass through here carry the headers.
// 2. Offline. Every response is kept in a cache; once the page is up it asks for the rest of the site
//    (BUILD.files, message 'precache'); without a network, responses come from the cache.
// Network first: online, the page always gets the files as deployed now; the cache is the fallback.
// BUILD is filled in by web/build.mjs: the site's files and a hash of their contents (a new deploy
// changes this file, so browsers install the new worker).
const BUILD = { version: 'dev', files: [] };
// The page's Content-Security-Policy (web/csp.mjs), filled in by web/build.mjs: added to responses
// that lack one, so that on a static host the workers are held to it too (the <meta> tag in
// index.html covers only the page).
const CSP = '';
const PREFIX = 'rnn-wasm-site-';
const CACHE = PREFIX + BUILD.version;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  // Take over the page that registered us (it reloads once to get the headers) and its workers.
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(respond(event, request));
});

async function respond(event, request) {
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    // Any version's copy will do: an old one beats none, and the next deploy replaces it.
    response = await caches.match(request, { ignoreSearch: true });
    if (!response) throw offline;
    return isolated(response);
  }
  if (response.status === 200 && response.type === 'basic') {
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {}));
  }
  return isolated(response);
}

/** The response with the two isolation headers (and CORP, which require-corp asks of subresources) and the CSP. */
function isolated(response) {
  if (response.status === 0) return response; // opaque (a redirect): nothing to add
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  if (CSP && !headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', CSP);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'precache') return;
  const reply = (m) => event.source?.postMessage({ type: 'precache', ...m });
  event.waitUntil(precache().then(reply, (e) => reply({ error: String(e?.message ?? e) })));
});

let precaching = null;
/** Fetches every file of the site not cached yet, then drops the caches of older deploys. */
function precache() {
  precaching ??= (async () => {
    const cache = await caches.open(CACHE);
    const urls = BUILD.files.map((f) => new URL(f, self.registration.scope).href);
    const missing = [];
    for (const url of urls) if (!(await cache.match(url))) missing.push(url);
    await cache.addAll(missing);
    for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    return { version: BUILD.version, files: urls.length, fetched: missing.length };
  })().finally(() => { precaching = null; });
  return precaching;
}
