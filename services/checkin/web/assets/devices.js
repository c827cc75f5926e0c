// The tablets' admin page (GET /admin/devices): sign in with the admin token (kept in sessionStorage for
// this tab only, sent as a Bearer header), register a booth's tablet and show its set-up QR once, list
// the tablets with their state, revoke one after a confirmation.
(function () {
  'use strict';
  const I = window.ExpoI18n;
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'expo.admin_token';
  const ONLINE_MS = 2 * 60 * 1000;   // online = a heartbeat within the last 2 minutes
  const REFRESH_MS = 15000;
  const UTC_OFFSET_MIN = Number(document.body.dataset.utcOffset) || 0;
  const booths = JSON.parse(($('booths') || {}).textContent || '{}');

  let token = null;
  let devices = [];
  let serverOffset = 0;     // the event clock minus this browser's clock, when the server says it
  let refreshTimer = null;
  let pendingRevoke = null;

  function loadToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function saveToken(value) {
    try {
      if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* kept in memory only */ }
  }

  function errorCode(data) {
    return data && data.error && typeof data.error.code === 'string' ? data.error.code : '';
  }

  // Never throws: {network: true} when no answer came.
  async function api(method, path, payload) {
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const sentAt = Date.now();
    try {
      const response = await fetch(path, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        cache: 'no-store',
        signal: AbortSignal.timeout(15000),
      });
      const text = await response.text();
      let data = null;
      if (text) {
        try { data = JSON.parse(text); } catch (e) { data = null; }
      }
      const stamp = data && data.server_time;
      if (typeof stamp === 'string' && !Number.isNaN(Date.parse(stamp))) {
        serverOffset = Date.parse(stamp) - (sentAt + Date.now()) / 2;
      }
      if (response.status === 401) signOut('login.rejected');
      return { status: response.status, data };
    } catch (error) {
      return { network: true };
    }
  }

  function problemText(reply) {
    if (reply.network) return I.t('error.network');
    if (reply.status === 429 || reply.status === 503) return I.t('error.busy');
    const code = errorCode(reply.data) || `http_${reply.status}`;
    return I.has(`error.code.${code}`) ? I.t(`error.code.${code}`) : I.t('error.generic', { code });
  }

  function status(text, isError) {
    const el = $('page-status');
    el.textContent = text || '';
    el.hidden = !text;
    el.classList.toggle('status-error', Boolean(isError));
    el.classList.toggle('status-ok', Boolean(text) && !isError);
  }

  function fieldError(id, key) {
    const el = $(`${id}-error`);
    const input = $(id);
    if (key) {
      el.textContent = I.t(key);
      el.setAttribute('data-i18n', key);
      el.hidden = false;
      if (input) input.setAttribute('aria-invalid', 'true');
    } else {
      el.textContent = '';
      el.removeAttribute('data-i18n');
      el.hidden = true;
      if (input) input.removeAttribute('aria-invalid');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sign-in

  function signOut(reasonKey) {
    token = null;
    saveToken(null);
    devices = [];
    closeProvision();
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = null;
    $('manage').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    fieldError('admin-token', reasonKey || null);
    status('');
    $('admin-token').focus();
  }

  async function signIn(value) {
    token = value;
    const reply = await api('GET', '/v1/admin/devices');
    if (reply.network || reply.status !== 200) {
      if (reply.status !== 401) {
        fieldError('admin-token', null);
        status(problemText(reply), true);
        token = null;
      }
      return;
    }
    saveToken(value);
    fieldError('admin-token', null);
    status('');
    $('login').hidden = true;
    $('manage').hidden = false;
    $('logout').hidden = false;
    showDevices(reply.data);
    if (!refreshTimer) refreshTimer = setInterval(refresh, REFRESH_MS);
  }

  // ---------------------------------------------------------------------------------------------
  // The list

  function boothName(id) {
    return booths[id] || id || '';
  }

  function localStamp(iso) {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return '';
    const local = new Date(ms + UTC_OFFSET_MIN * 60000);
    const now = new Date(Date.now() + serverOffset + UTC_OFFSET_MIN * 60000);
    const time = `${String(local.getUTCHours()).padStart(2, '0')}${I.t('time.separator')}${String(local.getUTCMinutes()).padStart(2, '0')}`;
    if (local.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)) return time;
    return `${local.toISOString().slice(0, 10)} ${time}`;
  }

  // The server's clock decides (a rehearsal runs on another day than this laptop's): its own verdict
  // when it gives one, else its last_seen_at against its server_time.
  function stateOf(device) {
    if (device.revoked) return 'revoked';
    if (typeof device.online === 'boolean' && device.last_seen_at) return device.online ? 'online' : 'offline';
    const seen = Date.parse(device.last_seen_at || '');
    if (Number.isNaN(seen)) return 'never';
    return Date.now() + serverOffset - seen <= ONLINE_MS ? 'online' : 'offline';
  }

  // Heartbeat fields may come as numbers or as numeric text; null when absent.
  function number(value) {
    if (value === null || value === undefined || value === '') return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  function showDevices(data) {
    devices = data && Array.isArray(data.devices) ? data.devices : [];
    renderDevices();
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function renderDevices() {
    const filter = $('fleet-filter').value.trim().toLowerCase();
    const sorted = devices.slice().sort((a, b) => (boothName(a.booth_id).localeCompare(boothName(b.booth_id))
      || String(a.label || '').localeCompare(String(b.label || ''))));
    const rows = $('fleet-rows');
    rows.textContent = '';
    let online = 0;
    let active = 0;
    sorted.forEach((device) => {
      const state = stateOf(device);
      if (state !== 'revoked') active += 1;
      if (state === 'online') online += 1;
      const haystack = `${boothName(device.booth_id)} ${device.booth_id} ${device.label || ''}`.toLowerCase();
      if (filter && !haystack.includes(filter)) return;
      const row = document.createElement('tr');
      row.dataset.deviceId = device.device_id;
      row.dataset.state = state;
      cell(row, boothName(device.booth_id));
      cell(row, device.label || device.device_id);
      const stateCell = cell(row, '', 'state');
      const badge = document.createElement('span');
      badge.className = `pill pill-${state}`;
      badge.textContent = I.t(`state.${state}`);
      stateCell.appendChild(badge);
      cell(row, device.last_seen_at ? localStamp(device.last_seen_at) : '—');
      cell(row, device.app_version || '—');
      const queue = number(device.queue_depth);
      const battery = number(device.battery);
      cell(row, queue === null ? '—' : String(queue), 'num');
      cell(row, battery === null ? '—' : `${Math.round(battery)}%`, 'num');
      const action = cell(row, '');
      if (!device.revoked) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'danger small';
        button.textContent = I.t('fleet.revoke');
        button.addEventListener('click', () => askRevoke(device));
        action.appendChild(button);
      }
      rows.appendChild(row);
    });
    $('fleet-summary').textContent = I.t('fleet.summary', { total: active, online });
    $('fleet-empty').hidden = devices.length > 0;
    $('fleet-table').hidden = devices.length === 0;
  }

  async function refresh() {
    if (!token) return;
    const reply = await api('GET', '/v1/admin/devices');
    if (reply.status === 200) {
      showDevices(reply.data);
    } else if (reply.status !== 401) {
      status(problemText(reply), true);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Register and show the set-up QR once

  function closeProvision() {
    delete $('provision-for').dataset.label;
    delete $('provision-for').dataset.booth;
    $('provision-qr').textContent = '';
    $('provision-key').textContent = '';
    $('provision-url').textContent = '';
    $('provision-for').textContent = '';
    $('provision').hidden = true;
  }

  function showProvision(created, label) {
    // The server may give the address relative to the suite's origin: the QR needs it whole.
    const url = new URL(created.provisioning_url || `/booth#key=${created.device_key}`, window.location.origin).href;
    const forLine = $('provision-for');
    forLine.dataset.booth = boothName(created.booth_id);
    forLine.dataset.label = label;
    forLine.textContent = I.t('provision.for', { booth: forLine.dataset.booth, label });
    $('provision-key').textContent = created.device_key || '';
    $('provision-url').textContent = url;
    const box = $('provision-qr');
    box.textContent = '';
    let drawn = false;
    try {
      if (window.ExpoQr) {
        box.innerHTML = window.ExpoQr.svg(url, I.t('provision.title'));
        drawn = true;
      }
    } catch (e) {
      drawn = false;
    }
    $('provision-qr-failed').hidden = drawn;
    $('provision').hidden = false;
    $('provision').focus();
  }

  async function register(event) {
    event.preventDefault();
    const boothId = $('booth').value;
    const label = $('label').value.trim();
    fieldError('booth', boothId ? null : 'register.error.booth');
    fieldError('label', label ? null : 'register.error.label');
    $('register-error').hidden = true;
    if (!boothId || !label) {
      $(boothId ? 'label' : 'booth').focus();
      return;
    }
    const button = $('register-submit');
    button.disabled = true;
    const reply = await api('POST', '/v1/admin/devices', { booth_id: boothId, label });
    button.disabled = false;
    if (reply.status === 201 && reply.data && reply.data.device_key) {
      $('label').value = '';
      showProvision(reply.data, label);
      refresh();
      return;
    }
    if (reply.status === 401) return;
    $('register-error').textContent = problemText(reply);
    $('register-error').hidden = false;
  }

  // ---------------------------------------------------------------------------------------------
  // Revoke, after a confirmation

  function askRevoke(device) {
    pendingRevoke = device;
    $('confirm-text').textContent = I.t('confirm.text', { label: device.label || device.device_id, booth: boothName(device.booth_id) });
    const dialog = $('confirm');
    if (typeof dialog.showModal === 'function') {
      dialog.returnValue = '';  // Escape keeps the previous value otherwise
      dialog.showModal();
      $('confirm-cancel').focus();
    } else if (window.confirm($('confirm-text').textContent)) {
      revoke(device);
    }
  }

  async function revoke(device) {
    const reply = await api('DELETE', `/v1/admin/devices/${encodeURIComponent(device.device_id)}`);
    if (reply.status === 200 || reply.status === 204) {
      status(I.t('fleet.revoked', { label: device.label || device.device_id, booth: boothName(device.booth_id) }), false);
      refresh();
    } else if (reply.status !== 401) {
      status(problemText(reply), true);
    }
  }

  // ---------------------------------------------------------------------------------------------

  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('admin-token').value.trim();
    if (!value) {
      fieldError('admin-token', 'login.empty');
      return;
    }
    $('admin-token').value = '';
    signIn(value);
  });
  $('logout').addEventListener('click', () => signOut(null));
  $('register-form').addEventListener('submit', register);
  $('provision-done').addEventListener('click', () => {
    closeProvision();
    $('label').focus();
  });
  $('fleet-refresh').addEventListener('click', refresh);
  $('fleet-filter').addEventListener('input', renderDevices);
  $('confirm').addEventListener('close', () => {
    const device = pendingRevoke;
    pendingRevoke = null;
    if (device && $('confirm').returnValue === 'revoke') revoke(device);
  });
  I.onChange(() => {
    renderDevices();
    const forLine = $('provision-for');
    if (!$('provision').hidden && forLine.dataset.label !== undefined) {
      forLine.textContent = I.t('provision.for', { booth: forLine.dataset.booth, label: forLine.dataset.label });
    }
  });

  const stored = loadToken();
  if (stored) signIn(stored);
  else $('login').hidden = false;
})();
