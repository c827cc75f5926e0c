// The booth tablet app (GET /booth): set-up, scanning, the full-screen answer, the offline queue and
// its sync, the heartbeat. The page's text is in the HTML; this script only enhances it.
//
// The rule that keeps scans safe: a scan is written to the IndexedDB queue (queue.js) before anything
// is sent, and leaves the queue only when the server has given a final answer for it. Everything is
// sent by one pump, one request at a time: a single POST /v1/checkins when one scan waits, the batch
// endpoint when more do, oldest first. Each scan carries its own client_event_id for every resend,
// so a resend after a timeout, a reload or a crash is answered with the original answer.
(function () {
  'use strict';
  const I = window.ExpoI18n;
  const Q = window.ExpoQueue;
  const body = document.body;
  const $ = (id) => document.getElementById(id);

  const APP_VERSION = body.dataset.appVersion || 'unknown';
  const UTC_OFFSET_MIN = Number(body.dataset.utcOffset) || 0;  // the event's local time (WIB: +420)

  const STORE = {
    key: 'expo.booth.device_key',
    keyId: 'expo.booth.key_id',
    device: 'expo.booth.device',          // {device_id, booth_id, booth_name, label}: shown while offline
    count: 'expo.booth.today_count',
    clock: 'expo.booth.clock_offset_ms',  // server (event) clock minus this tablet's clock
    clockSynced: 'expo.booth.clock_synced',  // '1' once the server has told the time
    lastSync: 'expo.booth.last_sync_at',
  };
  const RESULT_MS = 1200;        // the answer stays this long: ready for the next visitor within 1.5 s
  const ANSWER_WAIT_MS = 2500;   // a fresh scan waits this long for its answer, then shows "saved"
  const SINGLE_TIMEOUT_MS = 8000;
  const BATCH_TIMEOUT_MS = 30000;
  const BATCH_MAX = 500;
  const HEARTBEAT_MS = 30000;
  const BACKOFF_BASE_MS = 1000;
  const BACKOFF_MAX_MS = 60000;
  const SAME_CODE_GAP_MS = 1500;  // a code held in view counts once; it must leave the view this long
  const FRESH_MS = 10000;         // a scan sent this soon needs no scanned_at: the server's time is as good
  const SHORT_CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;
  const DEVICE_KEY = /^dk_[A-Za-z0-9_-]{16,200}$/;

  const state = {
    key: null,
    keyId: null,
    blocked: null,          // 'unknown_device' | 'device_revoked': stop sending until set up again
    depth: 0,
    pumping: false,
    pumpAgain: false,
    failure: null,          // null | 'network' | 'busy': why the last attempt failed
    attempt: 0,             // consecutive failures, for the backoff
    nextAttemptAt: 0,
    retryTimer: null,
    waiters: new Map(),     // client_event_id -> resolve(answer | null) for scans on screen
    clockOffset: 0,
    clockSynced: false,     // the server told the event clock's time (GET /v1/devices/me, or a 201's "at")
    lastCode: null,         // {text, seenAt}: the last code the camera reported
    resultTimer: null,
    scanner: null,
    setupScanner: null,
    mode: 'starting',
  };

  // ---------------------------------------------------------------------------------------------
  // Small helpers

  function load(name) {
    try { return window.localStorage.getItem(name); } catch (e) { return null; }
  }
  function save(name, value) {
    try {
      if (value === null || value === undefined) window.localStorage.removeItem(name);
      else window.localStorage.setItem(name, value);
    } catch (e) { /* storage full or disabled: the app still works for this session */ }
  }
  function loadJson(name) {
    try { return JSON.parse(load(name) || 'null'); } catch (e) { return null; }
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // A short fingerprint of the key, to tag queued scans with (the key itself stays in one place).
  async function keyFingerprint(key) {
    if (window.crypto && window.crypto.subtle) {
      const digest = await window.crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
      return Array.from(new Uint8Array(digest).slice(0, 8), (x) => x.toString(16).padStart(2, '0')).join('');
    }
    let h = 0x811c9dc5;  // no SubtleCrypto (not a secure context): FNV-1a is enough to tell keys apart
    for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
    return `f${h.toString(16)}`;
  }

  // The event's clock, as the server last told it: during a rehearsal (or on a tablet whose clock is
  // wrong) it differs from the tablet's, and the server refuses scan times outside the event's days.
  function serverNow() {
    return Date.now() + state.clockOffset;
  }
  function nowIso() {
    return new Date(serverNow()).toISOString();
  }

  function setClock(serverMs, sentAt, receivedAt) {
    state.clockOffset = Math.round(serverMs - (sentAt + receivedAt) / 2);
    state.clockSynced = true;
    save(STORE.clock, String(state.clockOffset));
    save(STORE.clockSynced, '1');
  }

  // The scan time to send: the event clock's time of the scan. A scan made before the tablet ever
  // learnt the event clock is dated by its own clock plus the offset known now; sent at once, it
  // goes without a time and the server uses its own (and its answer's "at" teaches the offset).
  function scanTimeFor(item) {
    if (item.scanned_at) return item.scanned_at;
    if (state.clockSynced) return new Date(item.device_ms + state.clockOffset).toISOString();
    if (Date.now() - item.device_ms < FRESH_MS) return undefined;
    return new Date(item.device_ms).toISOString();
  }

  function wire(item) {
    const out = { badge: item.badge, client_event_id: item.client_event_id };
    const at = scanTimeFor(item);
    if (at) out.scanned_at = at;
    return out;
  }

  // "10.32" / "10:32": the event's local time of an RFC 3339 instant.
  function localTime(iso) {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return '';
    const local = new Date(ms + UTC_OFFSET_MIN * 60000);
    const hh = String(local.getUTCHours()).padStart(2, '0');
    const mm = String(local.getUTCMinutes()).padStart(2, '0');
    return `${hh}${I.t('time.separator')}${mm}`;
  }

  function retryAfterSeconds(response) {
    const value = response.headers.get('Retry-After');
    if (!value) return 0;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, Math.min(seconds, 600));
    const at = Date.parse(value);
    return Number.isNaN(at) ? 0 : Math.max(0, Math.min((at - Date.now()) / 1000, 600));
  }

  // One API call with the device key. Never throws: {network: true} when no answer came.
  async function api(method, path, payload, timeoutMs) {
    const headers = { Authorization: `Bearer ${state.key}`, Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const sentAt = Date.now();
    try {
      const response = await fetch(path, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let data = null;
      if (text) {
        try { data = JSON.parse(text); } catch (e) { data = null; }
      }
      const receivedAt = Date.now();
      learnClock(data, sentAt, receivedAt);
      return { status: response.status, data, retryAfter: retryAfterSeconds(response), sentAt, receivedAt };
    } catch (error) {
      return { network: true };
    }
  }

  function learnClock(data, sentAt, receivedAt) {
    const stamp = data && typeof data === 'object' ? data.server_time : null;
    if (typeof stamp !== 'string') return;
    const server = Date.parse(stamp);
    if (!Number.isNaN(server)) setClock(server, sentAt, receivedAt);
  }

  function errorCode(data) {
    return data && data.error && typeof data.error.code === 'string' ? data.error.code : '';
  }

  // ---------------------------------------------------------------------------------------------
  // What an answer means for a queued scan

  // {final, kind, ...}: final answers remove the scan from the queue; 'retry' keeps it for later;
  // 'device' keeps it and stops sending (this tablet's key no longer works).
  function classify(status, data) {
    const code = errorCode(data);
    if (status === 201) return { final: true, kind: 'ok', data: data || {} };
    if (status === 200) return { final: true, kind: 'warn', data: data || {} };
    if (status === 401) return { final: false, kind: 'device', code: code || 'unknown_device' };
    if (status === 403 && (code === 'device_revoked' || code === 'unknown_device' || code === '')) {
      return { final: false, kind: 'device', code: code || 'device_revoked' };
    }
    if (status === 408 || status === 429 || status >= 500) return { final: false, kind: 'retry', code };
    return { final: true, kind: 'error', code: code || `http_${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // The pump: sends what the queue holds, one request at a time

  async function refreshDepth() {
    try {
      state.depth = await Q.count();
    } catch (e) {
      // IndexedDB unavailable: the depth shown stays as it was
    }
    renderNet();
  }

  function backoff(retryAfter) {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** state.attempt);
    // "Equal jitter": at least half the step, so tablets that lost the network together spread out.
    let delay = base / 2 + Math.random() * (base / 2);
    if (retryAfter) delay = Math.max(delay, retryAfter * 1000);
    state.attempt = Math.min(state.attempt + 1, 16);
    state.nextAttemptAt = Date.now() + delay;
    scheduleRetry();
  }

  function scheduleRetry() {
    if (state.retryTimer) clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = null;
      pump();
    }, Math.max(0, state.nextAttemptAt - Date.now()));
  }

  function releaseWaiters() {
    state.waiters.forEach((resolve) => resolve(null));
    state.waiters.clear();
  }

  function answerWaiter(item, outcome) {
    const resolve = state.waiters.get(item.client_event_id);
    if (!resolve) return;
    state.waiters.delete(item.client_event_id);
    resolve(outcome.final || outcome.kind === 'device' ? outcome : null);
  }

  async function sendSingle(item) {
    const payload = wire(item);
    const reply = await api('POST', '/v1/checkins', payload, SINGLE_TIMEOUT_MS);
    if (reply.network) return { network: true };
    if (reply.status === 201 && !payload.scanned_at && reply.data && typeof reply.data.at === 'string') {
      const at = Date.parse(reply.data.at);  // the server's time of receipt, since we sent none
      if (!Number.isNaN(at)) setClock(at, reply.sentAt, reply.receivedAt);
    }
    return { answers: [classify(reply.status, reply.data)], retryAfter: reply.retryAfter };
  }

  async function sendBatch(items) {
    const reply = await api('POST', '/v1/checkins/batch', { items: items.map(wire) }, BATCH_TIMEOUT_MS);
    if (reply.network) return { network: true };
    const results = reply.data && Array.isArray(reply.data.results) ? reply.data.results : null;
    if (reply.status === 200 && results && results.length === items.length) {
      return { answers: results.map((r) => classify(Number(r && r.status), r && r.body)), retryAfter: reply.retryAfter };
    }
    const whole = classify(reply.status, reply.data);
    if (whole.kind === 'retry' || whole.kind === 'device') return { answers: items.map(() => whole), retryAfter: reply.retryAfter };
    // The batch as a whole was refused (a malformed item?): fall back to the oldest scan alone, which
    // then gets its own final answer, so one bad scan can never block the queue.
    return sendSingle(items[0]).then((single) => (single.network ? single
      : { answers: [single.answers[0]], retryAfter: single.retryAfter, partial: true }));
  }

  async function pump() {
    if (state.pumping) {
      state.pumpAgain = true;
      return;
    }
    state.pumping = true;
    try {
      do {
        state.pumpAgain = false;
        if (!state.key || state.blocked) break;
        if (!navigator.onLine) {
          state.failure = 'network';
          break;
        }
        const waitingFresh = state.waiters.size > 0;
        // A fresh scan is a good probe after a network failure; a server that asked us to wait is obeyed.
        if (Date.now() < state.nextAttemptAt && !(waitingFresh && state.failure === 'network')) {
          scheduleRetry();
          break;
        }
        let items;
        try {
          items = await Q.oldest(state.keyId, BATCH_MAX);
        } catch (e) {
          break;
        }
        if (!items.length) {
          state.failure = null;
          state.attempt = 0;
          break;
        }
        // Scans that waited need a time; a tablet that never learnt the event clock asks for it first.
        if (!state.clockSynced && items.some((item) => !item.scanned_at && Date.now() - item.device_ms >= FRESH_MS)) {
          await refreshDevice();
          if (state.blocked) break;
        }
        renderNet(true);
        const sent = items.length === 1 ? await sendSingle(items[0]) : await sendBatch(items);
        if (sent.network) {
          state.failure = 'network';
          items.forEach((item) => answerWaiter(item, { final: false, kind: 'retry' }));
          backoff(0);
          break;
        }
        const done = [];
        let retry = false;
        let device = null;
        let rejected = 0;
        let count = null;  // the highest: a batch's scans are counted in the order they commit
        sent.answers.forEach((outcome, i) => {
          const item = items[i];
          if (outcome.final) {
            done.push(item.seq);
            if (outcome.kind === 'error') rejected += 1;
            if (outcome.data && Number.isFinite(outcome.data.today_count)) count = Math.max(count ?? 0, outcome.data.today_count);
          } else if (outcome.kind === 'retry') {
            retry = true;
          } else if (outcome.kind === 'device') {
            device = outcome.code;
          }
        });
        if (count !== null) showCount(count);
        // Removed first, answered after: a reload in between resends, and the resend is answered alike.
        try {
          await Q.remove(done);
        } catch (e) {
          // could not remove: they are resent later and answered with their original answers
        }
        let shownRejected = 0;
        sent.answers.forEach((outcome, i) => {
          if (outcome.kind === 'error' && state.waiters.has(items[i].client_event_id)) shownRejected += 1;
          answerWaiter(items[i], outcome);
        });
        if (rejected > shownRejected) notice('notice.rejected', { n: rejected - shownRejected });
        if (done.length) {
          save(STORE.lastSync, nowIso());
        }
        if (device) {
          releaseWaiters();
          block(device);
          break;
        }
        if (retry) {
          state.failure = 'busy';
          items.forEach((item) => answerWaiter(item, { final: false, kind: 'retry' }));
          backoff(sent.retryAfter);
          break;
        }
        state.failure = null;
        state.attempt = 0;
        state.nextAttemptAt = 0;
        if (items.length === BATCH_MAX || sent.partial) state.pumpAgain = true;
        await refreshDepth();
      } while (state.pumpAgain);
    } finally {
      state.pumping = false;
      releaseWaiters();
      await refreshDepth();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Scans

  async function submitScan(badge) {
    if (!state.key) return;
    const item = {
      client_event_id: uuid(),
      badge,
      device_ms: Date.now(),
      key_id: state.keyId,
    };
    if (state.clockSynced) item.scanned_at = nowIso();
    try {
      item.seq = await Q.add(item);
    } catch (error) {
      showResult('error', I.t('result.failed'), '', I.t('reason.other', { code: 'storage' }));
      return;
    }
    state.depth += 1;
    renderNet();
    const answer = new Promise((resolve) => {
      state.waiters.set(item.client_event_id, resolve);
      setTimeout(() => {
        if (state.waiters.get(item.client_event_id) === resolve) {
          state.waiters.delete(item.client_event_id);
          resolve(null);
        }
      }, ANSWER_WAIT_MS);
    });
    pump();
    showAnswer(await answer);
  }

  function showAnswer(outcome) {
    if (!outcome) {
      showResult('queued', I.t('result.queued'), '', I.t('result.queued_detail'));
      return;
    }
    if (outcome.kind === 'ok') {
      const name = typeof outcome.data.first_name === 'string' ? outcome.data.first_name : '';
      showResult('ok', I.t('result.checked_in'), name ? I.t('result.welcome', { name }) : '', '');
    } else if (outcome.kind === 'warn') {
      const name = typeof outcome.data.first_name === 'string' ? outcome.data.first_name : '';
      const time = localTime(outcome.data.first_at || '');
      showResult('warn', I.t('result.already'), name, time ? I.t('result.already_at', { time }) : '');
    } else {
      showResult('error', I.t('result.failed'), '', reasonText(outcome.code));
    }
  }

  function reasonText(code) {
    return I.has(`reason.${code}`) ? I.t(`reason.${code}`) : I.t('reason.other', { code: code || '?' });
  }

  // What a camera frame read. The same code held in view counts once: it must leave the view for
  // SAME_CODE_GAP_MS before it counts again (then the server answers "already here").
  function onCameraText(text) {
    const now = Date.now();
    const last = state.lastCode;
    if (last && last.text === text && now - last.seenAt < SAME_CODE_GAP_MS) {
      last.seenAt = now;
      return;
    }
    if (!$('result').hidden) return;  // a new code waits until the answer on screen is gone
    state.lastCode = { text, seenAt: now };
    if (text.startsWith('b1.')) {
      submitScan(text);
    } else {
      showResult('error', I.t('result.failed'), '', I.t('reason.not_badge'));
    }
  }

  function onTypedCode(event) {
    event.preventDefault();
    const input = $('code');
    const raw = input.value.trim();
    if (!raw) return;
    let badge;
    if (raw.startsWith('b1.')) {
      badge = raw;  // a pasted badge token
    } else {
      const code = raw.replace(/[\s-]+/g, '').toUpperCase();
      if (!SHORT_CODE.test(code)) {
        showResult('error', I.t('result.failed'), '', I.t('reason.bad_code'));
        return;
      }
      badge = code;
    }
    input.value = '';
    submitScan(badge);
  }

  // ---------------------------------------------------------------------------------------------
  // The screen

  function showResult(kind, title, name, detail) {
    const box = $('result');
    box.dataset.kind = kind;
    $('result-title').textContent = title;
    $('result-name').textContent = name;
    $('result-name').hidden = !name;
    $('result-detail').textContent = detail;
    $('result-detail').hidden = !detail;
    box.hidden = false;
    body.dataset.result = kind;
    beep(kind);
    if (state.resultTimer) clearTimeout(state.resultTimer);
    state.resultTimer = setTimeout(hideResult, RESULT_MS);
  }

  function hideResult() {
    if (state.resultTimer) clearTimeout(state.resultTimer);
    state.resultTimer = null;
    $('result').hidden = true;
    delete body.dataset.result;
  }

  function showCount(n) {
    $('today-count').textContent = String(n);
    $('count-box').hidden = false;
    save(STORE.count, String(n));
  }

  function showDevice(device) {
    if (!device) return;
    $('booth-name').textContent = device.booth_name || device.booth_id || '';
    $('booth-name').removeAttribute('data-i18n');
    $('device-label').textContent = device.label || '';
  }

  // The status line: online, sending, offline or busy, with how many scans wait.
  function renderNet(sending) {
    const n = state.depth;
    let net;
    let key;
    if (state.blocked) {
      net = 'stopped';
      key = 'status.stopped';
    } else if (!navigator.onLine || state.failure === 'network') {
      net = 'offline';
      key = 'status.offline';
    } else if (state.failure === 'busy' && n > 0) {
      net = 'busy';
      key = 'status.retrying';
    } else if (n > 0 && (sending || state.pumping)) {
      net = 'sending';
      key = 'status.syncing';
    } else if (n > 0) {
      net = 'offline';
      key = 'status.offline';
    } else {
      net = 'online';
      key = 'status.online';
    }
    const el = $('net');
    el.dataset.net = net;
    el.dataset.waiting = String(n);
    $('net-text').textContent = I.t(key, { n });
  }

  let noticeTimer = null;
  function notice(key, vars) {
    const el = $('notice');
    el.textContent = I.t(key, vars);
    el.hidden = false;
    if (noticeTimer) clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { el.hidden = true; }, 10000);
  }

  // A short tone per answer, made by Web Audio (no sound file to load or cache).
  let audio = null;
  function audioContext() {
    if (!audio) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      audio = new Ctx();
    }
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    return audio;
  }
  const TONES = {
    ok: { type: 'sine', notes: [[880, 0, 0.12], [1320, 0.13, 0.2]] },
    warn: { type: 'triangle', notes: [[660, 0, 0.18], [660, 0.24, 0.18]] },
    error: { type: 'square', notes: [[196, 0, 0.45]] },
    queued: { type: 'sine', notes: [[587, 0, 0.15]] },
  };
  function beep(kind) {
    const tone = TONES[kind];
    const ctx = tone && audio ? audioContext() : null;  // only once a touch has unlocked audio
    if (!ctx) return;
    const t0 = ctx.currentTime + 0.01;
    tone.notes.forEach(([frequency, start, duration]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = tone.type;
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + duration);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + duration + 0.02);
    });
  }
  // Browsers start audio only after a touch or key press: the first one unlocks it for the session.
  ['pointerdown', 'keydown'].forEach((type) => document.addEventListener(type, () => { audioContext(); }, { once: true }));

  // ---------------------------------------------------------------------------------------------
  // Set-up and modes

  function showMode(mode) {
    state.mode = mode;
    body.dataset.state = mode;
    $('setup').hidden = mode !== 'setup';
    $('scan').hidden = mode !== 'scan';
    if (mode === 'scan') {
      stopSetupScanner();
      if (!state.scanner) {
        state.scanner = window.ExpoScanner.start($('camera'), {
          onText: onCameraText,
          onStatus: (status) => cameraStatus($('camera-status'), status),
        });
      }
    } else if (state.scanner) {
      state.scanner.stop();
      state.scanner = null;
    }
  }

  function cameraStatus(el, status) {
    const key = { starting: 'camera.starting', ready: 'camera.ready', unavailable: 'camera.unavailable',
      denied: 'camera.denied', no_decoder: 'camera.no_decoder' }[status] || 'camera.unavailable';
    el.setAttribute('data-i18n', key);
    el.dataset.status = status;
    el.textContent = I.t(key);
  }

  function setupProblem(key) {
    const el = $('setup-problem');
    if (key) {
      el.setAttribute('data-i18n', key);
      el.textContent = I.t(key);
    } else {
      el.removeAttribute('data-i18n');
      el.textContent = '';
    }
    el.hidden = !key;
  }

  // The key stopped working: back to set-up, sending nothing. The key is kept and checked again every
  // HEARTBEAT_MS, so a passing server fault cannot strand a kiosk; a new key replaces it. Scans made
  // under it stay queued.
  function block(code) {
    state.blocked = code;
    renderNet();
    setupProblem(code === 'device_revoked' ? 'setup.revoked' : 'setup.key_unknown');
    showMode('setup');
  }

  function unblock() {
    if (!state.blocked) return;
    state.blocked = null;
    setupProblem(null);
    showMode('scan');
    pump();
  }

  async function useKey(key) {
    const keyId = await keyFingerprint(key);
    const previous = load(STORE.keyId);
    state.key = key;
    state.keyId = keyId;
    state.blocked = null;
    save(STORE.key, key);
    save(STORE.keyId, keyId);
    if (previous && previous !== keyId) {
      // A new key may belong to another booth: scans made under the old key must not count for it.
      save(STORE.device, null);
      save(STORE.count, null);
      try {
        const removed = await Q.discardOthers(keyId);
        if (removed) notice('notice.discarded', { n: removed });
      } catch (e) {
        // they stay queued under the old fingerprint, which is never sent again
      }
    }
  }

  // GET /v1/devices/me: confirms the key, names the booth, gives today's count and the event clock.
  async function refreshDevice() {
    if (!state.key) return 'no_key';
    const reply = await api('GET', '/v1/devices/me', undefined, SINGLE_TIMEOUT_MS);
    if (reply.network) return 'network';
    if (reply.status === 200 && reply.data) {
      const device = {
        device_id: reply.data.device_id,
        booth_id: reply.data.booth_id,
        booth_name: reply.data.booth_name,
        label: reply.data.label,
      };
      save(STORE.device, JSON.stringify(device));
      showDevice(device);
      unblock();
      if (Number.isFinite(reply.data.today_count)) showCount(reply.data.today_count);
      return 'ok';
    }
    const outcome = classify(reply.status, reply.data);
    if (outcome.kind === 'device') {
      block(outcome.code);
      return 'blocked';
    }
    return 'error';
  }

  async function provision(key) {
    if (!DEVICE_KEY.test(key)) {
      setupProblem('setup.key_format');
      showMode('setup');
      return;
    }
    setupProblem(null);
    await useKey(key);
    const checked = await refreshDevice();
    if (checked === 'blocked') return;
    // Offline at set-up: scans queue under the key and are sent once the network is back.
    showMode('scan');
    heartbeat();
    pump();
  }

  function stopSetupScanner() {
    if (state.setupScanner) {
      state.setupScanner.stop();
      state.setupScanner = null;
    }
    $('setup-camera-box').hidden = true;
  }

  // The set-up QR holds <origin>/booth#key=<device key>.
  function keyFromText(text) {
    const match = /[#&]key=([A-Za-z0-9_-]+)/.exec(text);
    return match ? match[1] : null;
  }

  function startSetupScanner() {
    if (state.setupScanner) return;
    $('setup-camera-box').hidden = false;
    state.setupScanner = window.ExpoScanner.start($('setup-camera'), {
      onText: (text) => {
        const key = keyFromText(text);
        if (!key) {
          setupProblem('setup.not_provisioning');
          return;
        }
        stopSetupScanner();
        provision(key);
      },
      onStatus: (status) => cameraStatus($('setup-camera-status'), status),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Heartbeat

  async function battery() {
    try {
      if (!navigator.getBattery) return undefined;
      const b = await navigator.getBattery();
      return Math.round(b.level * 100);
    } catch (e) {
      return undefined;
    }
  }

  async function heartbeat() {
    if (!state.key || state.blocked || !navigator.onLine) return;
    const payload = { app_version: APP_VERSION, queue_depth: state.depth };
    const lastSync = load(STORE.lastSync);
    if (lastSync) payload.last_sync_at = lastSync;
    const level = await battery();
    if (level !== undefined) payload.battery = level;
    const reply = await api('POST', '/v1/devices/heartbeat', payload, SINGLE_TIMEOUT_MS);
    if (!reply.network) {
      const outcome = classify(reply.status, reply.data);
      if (outcome.kind === 'device') block(outcome.code);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  function takeKeyFromAddress() {
    const key = keyFromText(window.location.hash);
    if (window.location.hash) {
      // The key must not stay in the address bar, the history or a bookmark.
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    }
    return key;
  }

  let wakeLock = null;
  async function keepScreenOn() {
    try {
      if (navigator.wakeLock && !document.hidden && !wakeLock) {
        wakeLock = await navigator.wakeLock.request('screen');
        wakeLock.addEventListener('release', () => { wakeLock = null; });
      }
    } catch (e) {
      // not allowed (battery saver, no gesture yet): the kiosk's own setting applies
    }
  }

  async function start() {
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('/booth/sw.js', { scope: '/booth' }).catch(() => {
        // no offline start on this browser; everything else works
      });
    }
    state.clockOffset = Number(load(STORE.clock)) || 0;
    state.clockSynced = load(STORE.clockSynced) === '1';
    const count = load(STORE.count);
    if (count !== null) showCount(Number(count));
    showDevice(loadJson(STORE.device));

    $('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      provision($('device-key').value.trim());
      $('device-key').value = '';
    });
    $('setup-scan').addEventListener('click', startSetupScanner);
    $('code-form').addEventListener('submit', onTypedCode);
    $('result').addEventListener('click', hideResult);
    I.onChange(() => renderNet());

    window.addEventListener('online', () => {
      state.attempt = 0;
      state.nextAttemptAt = 0;
      pump();
      heartbeat();
    });
    window.addEventListener('offline', () => renderNet());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) {
        keepScreenOn();
        pump();
      }
    });
    setInterval(() => {
      if (!state.key) return;
      refreshDevice();
      if (!state.blocked) {
        heartbeat();
        pump();
      }
    }, HEARTBEAT_MS);

    const fromAddress = takeKeyFromAddress();
    const stored = load(STORE.key);
    await refreshDepth();
    if (fromAddress) {
      await provision(fromAddress);
    } else if (stored) {
      state.key = stored;
      state.keyId = load(STORE.keyId) || (await keyFingerprint(stored));
      save(STORE.keyId, state.keyId);
      showMode('scan');
      refreshDevice().then(() => heartbeat());
      pump();
    } else {
      showMode('setup');
    }
    keepScreenOn();
  }

  // For the browser tests and for support staff at the console: read-only state and a manual sync.
  window.ExpoBooth = {
    state: () => ({ mode: state.mode, depth: state.depth, blocked: state.blocked, failure: state.failure,
      clockOffset: state.clockOffset, clockSynced: state.clockSynced, attempt: state.attempt, appVersion: APP_VERSION }),
    sync: () => pump(),
  };

  start();
})();
