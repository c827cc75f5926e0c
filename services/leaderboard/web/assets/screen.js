// The public screen (GET /screen): rotates the three boards and keeps them live from the stream.
// The server rendered the boards of the moment into the page; this script follows GET /v1/stream
// (a snapshot on connect, then every change) and draws each message's whole-event boards the way the
// server does (same rows, "=2" for a shared rank, no count at all when the display is ranks_only).
// It reconnects by itself with exponential backoff (0.5 s doubling to 5 s), the status showing
// "reconnecting" meanwhile, and never reloads the page: a screen may run for days unattended.
//   ?rotate=SECONDS  how long each board stays (3-600; default from the page, 12)
//   ?board=innovations|regions|booths  pins one board (the server marks it in data-pinned)
(function () {
  'use strict';
  const body = document.body;
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse(($('screen-config') || {}).textContent || '{}');
  const BOARDS = ['innovations', 'regions', 'booths'];
  const COUNTS = { innovations: ['votes'], regions: ['votes'], booths: ['checkins', 'unique_visitors'] };
  const ID_OF = { innovations: 'innovation_id', regions: 'region_id', booths: 'booth_id' };
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 5000;

  // ---------------------------------------------------------------------------------------------
  // Rotation

  function rotateSeconds() {
    const asked = Number(new URL(window.location.href).searchParams.get('rotate'));
    if (Number.isFinite(asked) && asked > 0) return Math.min(600, Math.max(3, asked));
    return Number(config.rotate_seconds) || 12;
  }

  function restartProgress(seconds) {
    const bar = $('progress');
    if (!bar) return;
    bar.style.setProperty('--rotate', `${seconds}s`);
    bar.classList.remove('running');
    void bar.offsetWidth;  // restarts the CSS animation
    bar.classList.add('running');
  }

  function startRotation() {
    if (body.dataset.pinned) return;
    const seconds = rotateSeconds();
    restartProgress(seconds);
    setInterval(() => {
      const at = BOARDS.indexOf(body.dataset.board);
      body.dataset.board = BOARDS[(at + 1) % BOARDS.length];
      restartProgress(seconds);
    }, seconds * 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // Drawing a message

  // 12345 -> "12 345" with a narrow no-break space, as the server writes it.
  function countText(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202F');
  }

  function fill(template, vars) {
    return String(template || '').replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }

  // Indonesian, then English in a lighter span: both languages are on the screen at once.
  function bilingual(el, key, vars) {
    el.textContent = '';
    const text = config.text || {};
    el.appendChild(document.createTextNode(fill((text.id || {})[key], vars)));
    const en = document.createElement('span');
    en.className = 'en';
    en.lang = 'en';
    en.textContent = fill((text.en || {})[key], vars);
    el.appendChild(document.createTextNode(' '));
    el.appendChild(en);
  }

  function span(className, text) {
    const el = document.createElement('span');
    el.className = className;
    el.textContent = text;
    return el;
  }

  function cell(row, className, child) {
    const td = document.createElement('td');
    td.className = className;
    if (typeof child === 'string') td.textContent = child;
    else if (child) td.appendChild(child);
    row.appendChild(td);
    return td;
  }

  const previous = { innovations: null, regions: null, booths: null };  // id -> "rank|counts"

  function renderBoard(board, rows, display) {
    const section = $(`board-${board}`);
    const tbody = $(`rows-${board}`);
    if (!section || !tbody || !Array.isArray(rows)) return;
    const cap = (config.rows || {})[board] || 10;
    const countKeys = COUNTS[board];
    const withCounts = display === 'full' && rows.every((r) => typeof r[countKeys[0]] === 'number');
    const shown = rows.slice(0, cap);
    const lastRank = shown.length ? shown[shown.length - 1].rank : 0;
    let more = 0;
    for (let i = cap; i < rows.length && rows[i].rank === lastRank; i += 1) more += 1;
    const allZero = withCounts && rows.every((r) => r[countKeys[0]] === 0);
    section.dataset.empty = String(rows.length === 0 || allZero);
    section.dataset.tied = String(shown.some((r) => r.tied === true));

    const leader = withCounts && shown.length ? shown[0][countKeys[0]] : 0;
    const seen = {};
    const fragment = document.createDocumentFragment();
    shown.forEach((r) => {
      const id = String(r[ID_OF[board]] || '');
      const tr = document.createElement('tr');
      tr.className = 'row';
      if (r.rank >= 1 && r.rank <= 3) tr.classList.add(`top${r.rank}`);
      tr.dataset.id = id;
      cell(tr, 'rank', `${r.tied ? '=' : ''}${r.rank}`);
      // The stream's rows carry ids only; the names came with the page.
      const names = config.names || {};
      const name = cell(tr, 'name', span('primary', r.name || (names[board] || {})[id] || id));
      if (board === 'innovations') {
        name.appendChild(span('secondary', (names.regions || {})[r.region_id] || r.region_id || ''));
      }
      if (withCounts) {
        const value = r[countKeys[0]];
        if (leader > 0 && value > 0) {
          const bar = span('bar', '');
          bar.style.width = `${Math.min(100, Math.max(1, Math.floor((value * 100) / leader)))}%`;
          name.appendChild(bar);
        }
        countKeys.forEach((key, i) => cell(tr, i === 0 ? 'count' : 'count count2', countText(r[key])));
      }
      const signature = `${r.rank}|${withCounts ? countKeys.map((k) => r[k]).join('|') : ''}`;
      seen[id] = signature;
      const before = previous[board];
      if (before && before[id] !== undefined && before[id] !== signature) tr.classList.add('changed');
      fragment.appendChild(tr);
    });
    previous[board] = seen;
    tbody.textContent = '';
    tbody.appendChild(fragment);

    const moreLine = $(`more-${board}`);
    if (moreLine) {
      if (more > 0) bilingual(moreLine, 'more', { n: more, rank: lastRank });
      else moreLine.textContent = '';
    }
  }

  // "HH:MM:SS" of the event clock's RFC 3339 time (its own offset is the hall's local time).
  function clockOf(stamp) {
    const m = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2})/.exec(String(stamp || ''));
    return m ? m[1] : '—';
  }

  function renderDay(day) {
    const el = $('day');
    if (!el) return;
    const n = (config.days || []).indexOf(day) + 1;
    if (day && n > 0) bilingual(el, 'day', { n });
    else el.textContent = '';
  }

  function apply(message) {
    if (!message || message.type !== 'boards' || !message.boards) return;
    const display = message.display === 'ranks_only' ? 'ranks_only' : 'full';
    body.dataset.display = display;
    body.dataset.frozen = String(message.frozen === true);
    if (message.version !== undefined) body.dataset.version = String(message.version);
    const updated = $('updated');
    if (updated) {
      updated.textContent = clockOf(message.updated_at);
      updated.setAttribute('datetime', String(message.updated_at || ''));
    }
    renderDay(message.day);
    const all = message.boards.all || {};
    BOARDS.forEach((board) => renderBoard(board, all[board], display));
  }

  // ---------------------------------------------------------------------------------------------
  // The stream

  let delay = BACKOFF_MIN_MS;
  let retryTimer = null;
  let socket = null;

  function streamUrl() {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${window.location.host}/v1/stream`;
  }

  function scheduleReconnect() {
    body.dataset.conn = 'reconnecting';
    if (retryTimer) return;
    // Up to a fifth less, so screens that lost the same server do not all come back at once.
    const wait = delay * (0.8 + Math.random() * 0.2);
    delay = Math.min(BACKOFF_MAX_MS, delay * 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, wait);
  }

  function connect() {
    let ws;
    try {
      ws = new WebSocket(streamUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      apply(message);
      body.dataset.conn = 'live';
      delay = BACKOFF_MIN_MS;
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      scheduleReconnect();
    };
    ws.onerror = () => { /* onclose follows and reconnects */ };
  }

  // Back on the network: try at once rather than at the end of the current wait.
  window.addEventListener('online', () => {
    if (!retryTimer) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    connect();
  });

  startRotation();
  connect();
})();
