// The tablet's scan queue in IndexedDB: every scan is written here (and the write committed to disk)
// before it is sent, and removed only once the server has given a final answer for it. A reload,
// a crash of the browser or a lost connection therefore never loses a scan, and never doubles one:
// a scan keeps its client_event_id for every resend, and the server answers a resend with the
// original answer.
//
// An item: {seq (auto), client_event_id, badge, device_ms, scanned_at?, key_id}: device_ms is the
// tablet's clock at the scan, scanned_at the event clock's time when the tablet knew it. key_id names the
// device key the scan was made under, so scans of a tablet later set up for another booth are never
// sent with the new key. Nothing personal: a badge is a signed visitor id or a short code.
(function () {
  'use strict';
  const DB_NAME = 'expo-booth';
  const STORE = 'scans';
  let opening = null;

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = window.indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => {
          const store = req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
          store.createIndex('client_event_id', 'client_event_id', { unique: true });
        };
        req.onsuccess = () => {
          const db = req.result;
          // Another tab upgrading the schema: let it, and reopen next time.
          db.onversionchange = () => { db.close(); opening = null; };
          resolve(db);
        };
        req.onerror = () => { opening = null; reject(req.error); };
        req.onblocked = () => { /* another tab holds an old version; onsuccess follows when it closes */ };
      });
    }
    return opening;
  }

  // Resolves once the transaction is committed. 'strict' durability: the write is flushed to disk
  // before "complete", which is what "survives a browser crash" needs.
  async function run(mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode, { durability: mode === 'readwrite' ? 'strict' : 'default' });
      let result;
      Promise.resolve(work(tx.objectStore(STORE))).then((value) => { result = value; }, (error) => {
        try { tx.abort(); } catch (e) { /* already finished */ }
        reject(error);
      });
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
    });
  }

  // Adds one scan; resolves with its seq once it is on disk.
  function add(item) {
    return run('readwrite', (store) => request(store.add(item)));
  }

  // The oldest `limit` scans made under key_id, oldest first.
  function oldest(keyId, limit) {
    return run('readonly', (store) => new Promise((resolve, reject) => {
      const out = [];
      const req = store.openCursor();
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor || out.length >= limit) { resolve(out); return; }
        if (cursor.value.key_id === keyId) out.push(cursor.value);
        cursor.continue();
      };
      req.onerror = () => reject(req.error);
    }));
  }

  function remove(seqs) {
    if (!seqs.length) return Promise.resolve();
    return run('readwrite', (store) => Promise.all(seqs.map((seq) => request(store.delete(seq)))));
  }

  // Removes every scan not made under keyId; resolves with how many.
  function discardOthers(keyId) {
    return run('readwrite', (store) => new Promise((resolve, reject) => {
      let removed = 0;
      const req = store.openCursor();
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor) { resolve(removed); return; }
        if (cursor.value.key_id !== keyId) { cursor.delete(); removed += 1; }
        cursor.continue();
      };
      req.onerror = () => reject(req.error);
    }));
  }

  function count() {
    return run('readonly', (store) => request(store.count()));
  }

  function all() {
    return run('readonly', (store) => request(store.getAll()));
  }

  window.ExpoQueue = { add, oldest, remove, discardOthers, count, all };
})();
