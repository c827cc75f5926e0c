// The voting page: a tap on "Vote" opens a confirm dialog; "Yes" sends POST /v1/votes and the answer
// updates the page in place (the item, the votes left, a message at the bottom). The server rendered
// everything there is to read; this only adds voting. Strings come from the page (#vote-strings, in
// the page's language: the language link reloads the page).
(function () {
  'use strict';
  const token = document.body.dataset.token;
  const source = document.getElementById('vote-strings');
  const strings = source ? JSON.parse(source.textContent) : {};
  const message = document.getElementById('message');
  const remaining = document.getElementById('remaining');
  const dialog = document.getElementById('confirm');
  // innovation_id -> client_event_id of a vote without a final answer yet: a retry after a busy
  // server or a lost connection resends the same id, so the service counts that vote once.
  const pending = new Map();
  let chosen = null;  // the item the dialog asks about
  let busy = false;   // one vote in flight at a time

  const has = (key) => Object.prototype.hasOwnProperty.call(strings, key);
  // t('msg.accepted', {name}) fills {name}; an unknown key shows the key (a bug, visible in tests).
  const t = (key, vars) =>
    (has(key) ? strings[key] : key).replace(/\{(\w+)\}/g, (m, n) => (vars && n in vars ? String(vars[n]) : m));

  function uuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;  // version 4
    b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function show(kind, text, code) {
    message.dataset.kind = kind;
    if (code) message.dataset.code = code;
    else delete message.dataset.code;
    message.textContent = text;
  }

  const nameOf = (item) => item.querySelector('.name').textContent.trim();
  const disableAll = () => document.querySelectorAll('.item .vote').forEach((b) => { b.disabled = true; });

  function markVoted(item) {
    item.dataset.voted = 'true';
    const button = item.querySelector('.vote');
    button.disabled = true;
    button.textContent = t('button.voted');
  }

  function setRemaining(n) {
    if (typeof n !== 'number') return;
    if (remaining) remaining.textContent = String(n);
    if (n <= 0) disableAll();
  }

  // After a refusal the page may be behind (the visitor voted in another tab or on another phone):
  // the ballot says how things stand now.
  async function refresh() {
    try {
      const response = await fetch(`/v1/votes/me?token=${encodeURIComponent(token)}`, { cache: 'no-store' });
      if (!response.ok) return;
      const ballot = await response.json();
      (ballot.innovations_voted || []).forEach((id) => {
        const item = document.querySelector(`.item[data-innovation-id="${CSS.escape(id)}"]`);
        if (item && item.dataset.voted !== 'true') markVoted(item);
      });
      if (ballot.open === false) disableAll();
      setRemaining(ballot.remaining_today);
    } catch (e) {
      // the numbers on the page stay as they were
    }
  }

  // A refusal or failure: what the page does, then the message for its code.
  function refused(item, status, code, retryAfter) {
    const button = item.querySelector('.vote');
    const name = nameOf(item);
    const retry = status === 408 || status === 429 || status >= 500;
    if (!retry) pending.delete(item.dataset.innovationId);
    button.disabled = code === 'unknown_innovation';  // the others below disable what they must
    if (code === 'already_voted') markVoted(item);
    if (code === 'daily_quota_exhausted') setRemaining(0);
    if (code === 'voting_closed' || code === 'invalid_badge') disableAll();
    let key = `msg.error.${code}`;
    if (!has(key)) key = status === 429 ? 'msg.error.rate_limited' : retry ? 'msg.error.unavailable' : 'msg.error.generic';
    const seconds = Math.max(1, Math.min(600, parseInt(retryAfter, 10) || 5));
    show('error', t(key, { name, seconds }), code);
    if (!retry) refresh();
  }

  async function send(item) {
    const id = item.dataset.innovationId;
    if (!pending.has(id)) pending.set(id, uuid());
    const button = item.querySelector('.vote');
    busy = true;
    button.disabled = true;
    show('pending', t('msg.sending'));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20000);
    let response = null;
    let answer = {};
    try {
      response = await fetch('/v1/votes', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ badge: token, innovation_id: id, client_event_id: pending.get(id) }),
        signal: abort.signal,
      });
      answer = await response.json().catch(() => ({}));
    } catch (e) {
      response = null;  // no answer: the vote may or may not have arrived; a retry reuses its id
    } finally {
      clearTimeout(timer);
      busy = false;
    }
    if (!response) {
      button.disabled = false;
      show('error', t('msg.error.network'), 'network');
      return;
    }
    if (response.status === 201) {
      pending.delete(id);
      markVoted(item);
      setRemaining(answer.remaining_today);
      show('ok', t('msg.accepted', { name: nameOf(item) }));
      return;
    }
    const fallback = { 401: 'invalid_badge', 409: 'already_voted', 429: 'rate_limited', 503: 'unavailable' };
    const code = (answer && answer.error && answer.error.code) || fallback[response.status] || `http_${response.status}`;
    refused(item, response.status, code, response.headers.get('Retry-After'));
  }

  function ask(item) {
    if (typeof dialog.showModal !== 'function') {  // old browsers: the built-in confirm
      if (window.confirm(`${document.getElementById('confirm-title').textContent}\n${nameOf(item)}`)) send(item);
      return;
    }
    chosen = item;
    document.getElementById('confirm-name').textContent = nameOf(item);
    dialog.returnValue = '';
    dialog.showModal();
  }

  dialog.addEventListener('close', () => {
    const item = chosen;
    chosen = null;
    if (item && dialog.returnValue === 'yes') send(item);
  });

  document.addEventListener('click', (event) => {
    const button = event.target.closest('.item .vote');
    if (!button || button.disabled || busy) return;
    const item = button.closest('.item');
    if (item.dataset.voted !== 'true') ask(item);
  });
})();
