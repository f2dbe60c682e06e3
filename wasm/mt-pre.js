// Linked into the browser pthreads build (dist/mt) with --pre-js. Emscripten 3.1.6 tells each pthread
// worker which script to import through Module.mainScriptUrlOrBlob, and when it is unset the worker
// imports "./rnn_core.mjs" next to itself. After a bundler (Vite, webpack) renames and moves the files
// that guess is wrong, so hand the workers this module's own URL, which bundlers keep correct.
// (_scriptDir is import.meta.url, set by the ES6 wrapper; 3.1.6's optimizer cannot parse import.meta here.)
if (!Module['mainScriptUrlOrBlob']) Module['mainScriptUrlOrBlob'] = _scriptDir;
