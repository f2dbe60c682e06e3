// The page's Content-Security-Policy, in one place: web/serve.mjs sends it as a header on every
// response (documents and worker scripts alike: a dedicated or service worker loaded from a URL gets
// the policy of its own response, not the page's), web/build.mjs writes it into index.html as a
// <meta http-equiv> tag (for hosts that send no headers) and into sw.js, which adds it to the
// responses it serves. Every fetch directive starts from nothing ('none'); each source is here because
// the page needs it:
//   script-src 'self'        the page's modules, its workers' modules and the wasm API's JS; no inline
//                            script, no eval: the browser builds are linked with DYNAMIC_EXECUTION=0
//                            (CMakeLists.txt), so Embind makes its invokers without new Function()
//   'wasm-unsafe-eval'       compiling the WebAssembly module (and nothing else that eval would allow)
//   worker-src 'self'        the training worker (worker.js), the service worker (sw.js) and the pthread
//                            workers of the threaded build, which Emscripten 3.1.6's ES6 output starts
//                            from new URL('rnn_core.worker.js', import.meta.url): no blob: workers
//   connect-src 'self'       fetch(): the wasm binary, the default corpus, the example datasets, and the
//                            service worker's network-first fetches
//   img-src 'self'           the icons and the logo (favicon.svg); no data: images are used
//   style-src 'self'         style.css, inspect.css, uPlot's CSS; the scripts set styles through the
//                            CSSOM (element.style), which CSP does not restrict, never as attributes
//   manifest-src 'self'      manifest.webmanifest (installable page)
//   base-uri, form-action    'none': no <base>, and the settings forms are never submitted
//   frame-ancestors 'none'   not to be framed (header only: a <meta> policy cannot say it)
// Downloads (saved models) are <a download> links to blob: URLs: a navigation, which no CSP directive
// governs, so blob: appears nowhere.
const DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "style-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** The policy as a header value. */
export const CSP_HEADER = [...DIRECTIVES, "frame-ancestors 'none'"].join('; ');

/** The policy for a <meta http-equiv="Content-Security-Policy"> tag (frame-ancestors is ignored there, with a console error). */
export const CSP_META = DIRECTIVES.join('; ');
