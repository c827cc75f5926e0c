// The operations page (GET /ops): sign in with the admin token once (kept in sessionStorage for this
// tab, sent as a Bearer header), then every 5 s read
//   GET /v1/admin/ops       (this service)   check-ins per booth per hour, votes per minute, and what
//                                             Prometheus says ("monitoring": targets, consumer lag, errors)
//   GET /v1/admin/devices   (check-in)       the tablets: online, last seen, queue depth, app version
//   GET /v1/admin/voting    (voting)         voting open or closed, the flagged devices
// The last two live in other services: they answer on the same origin only through the TLS front
// (deploy/local/nginx). Opened directly on the leaderboard's port, those panels say so and the rest
// of the page goes on. Charts: vendor/charts.js (Chart.js and its matrix chart, self.ExpoCharts);
// without it the heatmap shows as a table.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const S = JSON.parse(($('ops-strings') || {}).textContent || '{}');
  const booths = JSON.parse(($('booths') || {}).textContent || '{}');
  // The check-in service's /admin/devices page keeps the token under the same key, so on the same
  // origin (the front) one sign-in serves both pages in a tab.
  const TOKEN_KEY = 'expo.admin_token';
  const REFRESH_MS = 5000;
  const TIMEOUT_MS = 8000;
  const LAG_ATTENTION = 1000;  // messages behind: worth a look (a busy minute at the peak is ~500)
  const UTC_OFFSET_MIN = Number(document.body.dataset.utcOffset) || 0;
  const Charts = window.ExpoCharts || null;

  let token = null;
  let timer = null;
  let busy = false;
  let serverNow = null;  // the event clock's "now" (ms), from the check-in service's server_time
  let heatmap = null;
  let votesChart = null;

  // t('msg.updated', {time: '09.14'}) fills {time}; an unknown key shows the key (a bug, visible).
  function t(key, vars) {
    const text = typeof S[key] === 'string' ? S[key] : key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
  }

  function loadToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function saveToken(value) {
    try {
      if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* kept in memory only */ }
  }

  // Never throws: {network: true} when no answer came.
  async function get(path) {
    try {
      const response = await fetch(path, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        cache: 'no-store',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await response.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      return { status: response.status, data };
    } catch (error) {
      return { network: true };
    }
  }

  // What a panel says when its source did not answer 200, or null when it did.
  function problem(reply, serviceKey) {
    const service = t(`msg.service.${serviceKey}`);
    if (reply.network) return t('msg.network', { service });
    if (reply.status === 200 && reply.data && typeof reply.data === 'object') return null;
    // No such route here: the page was opened on a service's own port, not through the front.
    if (reply.status === 404 || reply.status === 405 || (reply.status === 200 && !reply.data)) {
      return t('msg.not_here', { service });
    }
    if (reply.status === 401 || reply.status === 403) return t('msg.refused', { service });
    if (reply.status === 429 || reply.status === 503) return t('msg.busy', { service });
    const code = reply.data && reply.data.error && typeof reply.data.error.code === 'string'
      ? reply.data.error.code : `http_${reply.status}`;
    return t('msg.failed', { service, code });
  }

  function panelStatus(id, text, isError) {
    const el = $(id);
    el.textContent = text || '';
    el.hidden = !text;
    el.classList.toggle('is-error', Boolean(isError));
  }

  // ---------------------------------------------------------------------------------------------
  // Time, in the event's time zone whatever this laptop's is

  function pad(n) { return String(n).padStart(2, '0'); }

  function localParts(ms) {
    const d = new Date(ms + UTC_OFFSET_MIN * 60000);
    return { date: d.toISOString().slice(0, 10), h: d.getUTCHours(), m: d.getUTCMinutes(), s: d.getUTCSeconds() };
  }

  function clock(h, m, s) {
    const sep = t('msg.time_separator');
    return [h, m, s].filter((v) => v !== undefined).map(pad).join(sep);
  }

  // Time of day, with the date in front when it is not the event clock's today.
  function stamp(ms) {
    if (!Number.isFinite(ms)) return '—';
    const p = localParts(ms);
    const time = clock(p.h, p.m, p.s);
    const today = serverNow !== null ? localParts(serverNow).date : p.date;
    return p.date === today ? time : `${p.date} ${time}`;
  }

  function hourLabel(hour) { return clock(Number(hour), 0); }

  function cellRow(values, numeric) {
    const tr = document.createElement('tr');
    values.forEach((value, i) => {
      const td = document.createElement('td');
      td.textContent = value;
      if (numeric && numeric[i]) td.className = 'num';
      tr.appendChild(td);
    });
    return tr;
  }

  function emptyRow(tbody, columns) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = columns;
    td.className = 'empty-row';
    td.textContent = t('msg.none');
    tr.appendChild(td);
    tbody.appendChild(tr);
  }

  // 17164 -> "17.164" (id) or "17,164" (en): the page's language.
  function fmt(n) {
    return Number(n).toLocaleString(document.documentElement.lang || 'id');
  }

  function number(value) {
    if (value === null || value === undefined || value === '') return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Check-ins per booth per hour

  // From the palest teal (few) to the brand's (the busiest cell); a zero stays almost white so
  // "nobody came" stands apart from "a few came".
  function heatColour(value, max) {
    if (!value || !max) return '#f1f4f3';
    const f = Math.sqrt(value / max);  // square root: the quiet booths still show differences
    const mix = (a, b) => Math.round(a + (b - a) * f);
    return `rgb(${mix(214, 11)}, ${mix(238, 93)}, ${mix(234, 87)})`;
  }

  function showHeatmap(data) {
    const hours = Array.isArray(data.hours) ? data.hours.map(String) : [];
    const rows = Array.isArray(data.checkins_by_hour) ? data.checkins_by_hour : [];
    const names = rows.map((r) => r.name || booths[r.booth_id] || r.booth_id);
    let max = 0;
    let total = 0;
    const points = [];
    rows.forEach((r, i) => {
      hours.forEach((hour, j) => {
        const v = number((r.counts || [])[j]) || 0;
        max = Math.max(max, v);
        total += v;
        points.push({ x: hourLabel(hour), y: names[i], v });
      });
    });
    $('heatmap-summary').textContent = t('msg.heatmap.summary', { total: fmt(total), day: data.day || '', max: fmt(max) });
    drawHeatmapTable(hours, rows, names);

    if (!Charts) {
      $('heatmap-box').hidden = true;
      document.querySelector('#heatmap-panel details').open = true;
      return;
    }
    const xLabels = hours.map(hourLabel);
    const box = $('heatmap-box');
    box.style.height = `${Math.max(160, names.length * 19 + 48)}px`;
    if (heatmap && heatmap.data.labels.join('|') === names.join('|')
        && heatmap.options.scales.x.labels.join('|') === xLabels.join('|')) {
      heatmap.data.datasets[0].data = points;
      heatmap.$max = max;
      heatmap.update('none');
      return;
    }
    if (heatmap) heatmap.destroy();
    heatmap = new Charts.Chart($('heatmap'), {
      type: 'matrix',
      data: {
        labels: names,
        datasets: [{
          data: points,
          backgroundColor: (ctx) => heatColour(ctx.raw && ctx.raw.v, ctx.chart.$max),
          borderColor: '#ffffff',
          borderWidth: 1,
          width: ({ chart }) => ((chart.chartArea || {}).width || 0) / Math.max(1, xLabels.length),
          height: ({ chart }) => ((chart.chartArea || {}).height || 0) / Math.max(1, names.length),
        }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: () => '',
              label: (ctx) => t('msg.heatmap.tooltip', { booth: ctx.raw.y, hour: ctx.raw.x, n: fmt(ctx.raw.v) }),
            },
          },
        },
        scales: {
          x: { type: 'category', labels: xLabels, offset: true, position: 'top', grid: { display: false } },
          // Booths in the event's order from the top, as the table lists them (the matrix chart
          // reverses y by default, for numeric axes).
          y: {
            type: 'category', labels: names, offset: true, reverse: false, grid: { display: false },
            ticks: { autoSkip: false, font: { size: 11 } },
          },
        },
      },
    });
    heatmap.$max = max;
    heatmap.update('none');
  }

  // The same numbers as a table (for a screen reader, for exact values, and without the charts).
  function drawHeatmapTable(hours, rows, names) {
    const table = $('heatmap-table');
    table.textContent = '';
    const head = document.createElement('tr');
    [t('msg.heatmap.booth'), ...hours.map(hourLabel), 'Σ'].forEach((text, i) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = text;
      if (i > 0) th.className = 'num';
      head.appendChild(th);
    });
    const thead = document.createElement('thead');
    thead.appendChild(head);
    const tbody = document.createElement('tbody');
    rows.forEach((r, i) => {
      const counts = hours.map((h, j) => number((r.counts || [])[j]) || 0);
      const sum = counts.reduce((a, b) => a + b, 0);
      tbody.appendChild(cellRow([names[i], ...counts.map(String), String(sum)], [false, ...counts.map(() => true), true]));
    });
    table.appendChild(thead);
    table.appendChild(tbody);
  }

  // ---------------------------------------------------------------------------------------------
  // Votes per minute

  function showVotes(data) {
    const minutes = Array.isArray(data.votes_per_minute) ? data.votes_per_minute : [];
    const labels = minutes.map((m) => {
      const hm = /T(\d{2}):(\d{2})/.exec(String(m.minute || ''));
      return hm ? clock(Number(hm[1]), Number(hm[2])) : String(m.minute || '');
    });
    const values = minutes.map((m) => number(m.votes) || 0);
    const total = values.reduce((a, b) => a + b, 0);
    $('votes-summary').textContent = t('msg.votes.summary', { total: fmt(total), last: fmt(values.length ? values[values.length - 1] : 0) });
    if (!Charts) return;
    if (votesChart) {
      votesChart.data.labels = labels;
      votesChart.data.datasets[0].data = values;
      votesChart.update('none');
      return;
    }
    votesChart = new Charts.Chart($('votes'), {
      type: 'bar',
      data: { labels, datasets: [{ data: values, backgroundColor: '#0b5d57', borderRadius: 2, barPercentage: 0.9, categoryPercentage: 1 }] },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => t('msg.votes.tooltip', { n: ctx.parsed.y }) } },
        },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Consumer lag and error rates

  function lagRow(service, topic, group, lag) {
    const tr = cellRow([service, topic, group, lag === null ? '—' : fmt(lag)], [false, false, false, true]);
    if (lag !== null && lag >= LAG_ATTENTION) tr.className = 'attention';
    return tr;
  }

  function showMonitoring(data) {
    const lagRows = $('lag-rows');
    const errorRows = $('error-rows');
    lagRows.textContent = '';
    errorRows.textContent = '';
    const monitoring = data.monitoring || {};
    if (monitoring.available === true) {
      panelStatus('monitoring-status', '');
      (Array.isArray(monitoring.consumer_lag) ? monitoring.consumer_lag : []).forEach((c) => {
        lagRows.appendChild(lagRow(c.service || '—', c.topic || '—', c.group || '—', number(c.lag)));
      });
      const rates = Array.isArray(monitoring.error_rates) ? monitoring.error_rates : [];
      rates.forEach((r) => {
        const rate = number(r.per_second);
        const tr = cellRow([r.service || '—', rate === null ? '—' : rate.toFixed(2)], [false, true]);
        if (rate) tr.className = 'alarm';
        errorRows.appendChild(tr);
      });
      if (!rates.length) emptyRow(errorRows, 2);
    } else {
      const why = typeof monitoring.error === 'string' && monitoring.error ? monitoring.error : '';
      panelStatus('monitoring-status', why ? t('msg.monitoring_unavailable', { error: why }) : t('msg.monitoring_unavailable_plain'), false);
      emptyRow(errorRows, 2);
    }
    if (!lagRows.childElementCount) emptyRow(lagRows, 4);
  }

  // ---------------------------------------------------------------------------------------------
  // Tablets

  function stateOf(device) {
    if (typeof device.online === 'boolean' && device.last_seen_at) return device.online ? 'online' : 'offline';
    return device.last_seen_at ? 'offline' : 'never';
  }

  function showDevices(data) {
    const stamp0 = Date.parse((data && data.server_time) || '');
    if (!Number.isNaN(stamp0)) serverNow = stamp0;
    const all = Array.isArray(data.devices) ? data.devices : [];
    const active = all.filter((d) => !d.revoked);
    const order = { offline: 0, never: 1, online: 2 };
    const boothName = (d) => booths[d.booth_id] || d.booth_id || '';
    // What needs a look first: offline tablets, then never seen, then the rest; by booth within.
    active.sort((a, b) => (order[stateOf(a)] - order[stateOf(b)]) || boothName(a).localeCompare(boothName(b))
      || String(a.label || '').localeCompare(String(b.label || '')));
    const tbody = $('devices-rows');
    tbody.textContent = '';
    let online = 0;
    let queued = 0;
    active.forEach((d) => {
      const state = stateOf(d);
      if (state === 'online') online += 1;
      const queue = number(d.queue_depth);
      if (queue) queued += 1;
      const tr = cellRow([boothName(d), d.label || d.device_id, '', d.last_seen_at ? stamp(Date.parse(d.last_seen_at)) : '—',
        queue === null ? '—' : String(queue), d.app_version || '—'], [false, false, false, false, true, false]);
      const pill = document.createElement('span');
      pill.className = `pill pill-${state}`;
      pill.textContent = t(`msg.state.${state}`);
      tr.children[2].appendChild(pill);
      if (state === 'offline') tr.className = 'alarm';
      else if (queue) tr.className = 'attention';
      tbody.appendChild(tr);
    });
    if (!active.length) emptyRow(tbody, 6);
    let summary = t('msg.devices.summary', { online, total: active.length, queued });
    const revoked = all.length - active.length;
    if (revoked) summary += ` · ${t('msg.devices.revoked', { n: revoked })}`;
    $('devices-summary').textContent = summary;
  }

  // ---------------------------------------------------------------------------------------------
  // Voting: open or closed, flagged devices

  function showVoting(data) {
    const state = data.open_now ? 'msg.voting.open'
      : data.closed_by_operations ? 'msg.voting.closed_by_operations' : 'msg.voting.closed';
    $('voting-state').textContent = t(state);
    const tbody = $('flagged-rows');
    tbody.textContent = '';
    const flagged = Array.isArray(data.flagged_devices) ? data.flagged_devices : [];
    flagged.slice().sort((a, b) => (number(b.flagged_at_ms) || 0) - (number(a.flagged_at_ms) || 0)).forEach((f) => {
      const tr = cellRow([f.label || f.device_id || '—', booths[f.booth_id] || f.booth_id || '—',
        String(number(f.distinct_badges) ?? '—'), stamp(number(f.flagged_at_ms))], [false, false, true, false]);
      tr.className = 'attention';
      tbody.appendChild(tr);
    });
    if (!flagged.length) emptyRow(tbody, 4);
  }

  // ---------------------------------------------------------------------------------------------
  // Refresh

  function clearOps() {
    ['heatmap-summary', 'votes-summary'].forEach((id) => { $(id).textContent = ''; });
  }

  async function refresh() {
    if (busy || !token || document.hidden) return;
    busy = true;
    try {
      const day = $('day').value;
      const [ops, devices, voting] = await Promise.all([
        get(`/v1/admin/ops${day ? `?day=${encodeURIComponent(day)}` : ''}`),
        get('/v1/admin/devices'),
        get('/v1/admin/voting'),
      ]);
      if (!token) return;
      if (ops.status === 401) {
        signOut('msg.login.rejected');
        return;
      }
      const opsProblem = problem(ops, 'leaderboard');
      ['heatmap-status', 'votes-status'].forEach((id) => panelStatus(id, opsProblem, true));
      if (opsProblem) {
        panelStatus('monitoring-status', opsProblem, true);
        clearOps();
      } else {
        showHeatmap(ops.data);
        showVotes(ops.data);
        showMonitoring(ops.data);
      }
      const devicesProblem = problem(devices, 'checkin');
      panelStatus('devices-status', devicesProblem, true);
      if (!devicesProblem) showDevices(devices.data);
      const votingProblem = problem(voting, 'voting');
      panelStatus('flagged-status', votingProblem, true);
      if (!votingProblem) showVoting(voting.data);
      $('refreshed').textContent = t('msg.updated', { time: stamp(serverNow !== null ? serverNow : Date.now()) });
    } finally {
      busy = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sign-in

  function fieldError(key) {
    const el = $('admin-token-error');
    el.textContent = key ? t(key) : '';
    el.hidden = !key;
    if (key) $('admin-token').setAttribute('aria-invalid', 'true');
    else $('admin-token').removeAttribute('aria-invalid');
  }

  function signOut(reasonKey) {
    token = null;
    saveToken(null);
    if (timer) clearInterval(timer);
    timer = null;
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('refreshed').textContent = '';
    $('login').hidden = false;
    fieldError(reasonKey || null);
    $('admin-token').focus();
  }

  // The leaderboard judges the token; the other services' panels say for themselves if they refuse it.
  async function signIn(value) {
    token = value;
    const reply = await get('/v1/admin/ops');
    if (reply.status === 401) {
      signOut('msg.login.rejected');
      return;
    }
    saveToken(value);
    fieldError(null);
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    await refresh();
    if (!timer) timer = setInterval(refresh, REFRESH_MS);
  }

  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('admin-token').value.trim();
    if (!value) {
      fieldError('msg.login.empty');
      return;
    }
    $('admin-token').value = '';
    signIn(value);
  });
  $('logout').addEventListener('click', () => signOut(null));
  $('day').addEventListener('change', () => {
    if (heatmap) heatmap.destroy();
    heatmap = null;
    refresh();
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });

  const stored = loadToken();
  if (stored) signIn(stored);
  else $('login').hidden = false;
})();
