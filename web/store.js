// Persistence in IndexedDB: the last training run (checkpoint, settings, chart history, corpus) for
// restore after a reload or a worker crash, and the list of models the user chose to keep.
const DB_NAME = 'rnn-wasm';
const VERSION = 1;
let dbPromise = null;

function open() {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('runs');                                   // 'last' -> RunRecord
      db.createObjectStore('corpora');                                // 'last' -> {name, bytes}
      db.createObjectStore('models', { keyPath: 'id', autoIncrement: true }); // metadata only
      db.createObjectStore('modelBytes');                             // id -> Uint8Array
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbPromise;
}

async function tx(stores, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(stores, mode);
    let result;
    Promise.resolve(fn(...[stores].flat().map((s) => t.objectStore(s)))).then((r) => { result = r; });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
  });
}
const req2p = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

/**
 * @typedef {{ settings: object, checkpoint: Uint8Array, step: number, history: object, stats: object,
 *   corpus: {kind: 'default'|'custom', name: string, bytes: number}, elapsed: number, savedAt: number }} RunRecord
 */
// Keys: 'last' for the language model's run, 'task:<task>' for the other tabs' (classify, tag, bycat).
export const saveRun = (run, key = 'last') => tx('runs', 'readwrite', (s) => { s.put(run, key); });
/** @returns {Promise<RunRecord|undefined>} */
export const loadRun = (key = 'last') => tx('runs', 'readonly', (s) => req2p(s.get(key)));
export const deleteRun = (key = 'last') => tx('runs', 'readwrite', (s) => { s.delete(key); });

// The corpus (or file of examples) is stored once per run, apart from the frequent checkpoint saves.
export const saveCorpus = (corpus, key = 'last') => tx('corpora', 'readwrite', (s) => { s.put(corpus, key); });
export const loadCorpus = (key = 'last') => tx('corpora', 'readonly', (s) => req2p(s.get(key)));

export const listModels = () => tx('models', 'readonly', (s) => req2p(s.getAll()));
export const addModel = (meta, bytes) =>
  tx(['models', 'modelBytes'], 'readwrite', async (m, b) => {
    const id = await req2p(m.add(meta));
    b.put(bytes, id);
    return id;
  });
export const modelBytes = (id) => tx('modelBytes', 'readonly', (s) => req2p(s.get(id)));
export const deleteModel = (id) => tx(['models', 'modelBytes'], 'readwrite', (m, b) => { m.delete(id); b.delete(id); });
