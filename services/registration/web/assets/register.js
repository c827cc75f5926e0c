// The registration form: checks the fields, posts JSON to /v1/visitors with an Idempotency-Key,
// shows each error next to its field in the page's language, and then shows the badge. Desk mode
// (/?mode=desk) prints the badge from a hidden frame and clears the form for the next walk-in.
(function () {
  'use strict';
  const I = window.ExpoI18n;
  const form = document.getElementById('register-form');
  if (!form || !I) return;

  const desk = document.body.dataset.mode === 'desk';
  const statusBox = document.getElementById('form-status');
  const submit = document.getElementById('submit');
  const deskResult = document.getElementById('desk-result');
  const FIELDS = ['name', 'phone', 'email', 'visitor_type', 'origin_region', 'consent'];

  const fieldErrors = {};  // field -> { key, vars }
  let status = null;       // { key, vars, kind }
  let attempt = null;      // { key, json }: one submission, whose retries reuse its Idempotency-Key
  let busy = false;
  let lastCode = null;     // desk mode: the code of the visitor just registered

  // A v4 UUID. crypto.randomUUID() exists only in secure contexts, and the hall may serve plain http
  // on a local address; getRandomValues() works everywhere.
  function uuid() {
    const b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function controls(field) {
    return field === 'visitor_type'
      ? Array.from(form.querySelectorAll('input[name="visitor_type"]'))
      : [document.getElementById(field)];
  }

  function renderFieldError(field) {
    const box = document.getElementById(`${field}-error`);
    const wrapper = form.querySelector(`[data-field="${field}"]`);
    const error = fieldErrors[field];
    box.textContent = error ? I.t(error.key, error.vars) : '';
    box.hidden = !error;
    wrapper.classList.toggle('invalid', Boolean(error));
    controls(field).forEach((c) => {
      if (error) c.setAttribute('aria-invalid', 'true');
      else c.removeAttribute('aria-invalid');
    });
  }

  function setFieldError(field, key, vars) {
    if (key) fieldErrors[field] = { key, vars };
    else delete fieldErrors[field];
    renderFieldError(field);
  }

  function renderStatus() {
    statusBox.hidden = !status;
    statusBox.textContent = status ? I.t(status.key, status.vars) : '';
    statusBox.className = status ? `status status-${status.kind}` : 'status';
  }

  function setStatus(key, vars, kind) {
    status = key ? { key, vars, kind: kind || 'error' } : null;
    renderStatus();
  }

  function renderDeskResult() {
    if (!deskResult) return;
    deskResult.hidden = !lastCode;
    // Grouped 4-4 as on the badge, so staff can read it out.
    const code = lastCode && lastCode.length === 8 ? `${lastCode.slice(0, 4)} ${lastCode.slice(4)}` : lastCode;
    if (lastCode) document.getElementById('desk-done').textContent = I.t('desk.done', { code });
  }

  function setBusy(on) {
    busy = on;
    submit.disabled = on;
    submit.setAttribute('aria-busy', on ? 'true' : 'false');
    submit.textContent = I.t(on ? 'form.sending' : 'form.submit');
  }

  function focusField(field) {
    const c = controls(field);
    const target = field === 'visitor_type' ? c.find((r) => r.checked) || c[0] : c[0];
    if (target) target.focus();
  }

  function collect() {
    const data = new FormData(form);
    const text = (name) => String(data.get(name) || '').trim();
    const body = {
      name: text('name'),
      visitor_type: text('visitor_type'),
      origin_region: text('origin_region'),
      consent: document.getElementById('consent').checked,
    };
    if (text('phone')) body.phone = text('phone');
    if (text('email')) body.email = text('email');
    return body;
  }

  // The same rules as the server, loosely: the server has the last word (and normalises phones).
  function validate(body) {
    const errors = {};
    const length = Array.from(body.name).length;
    // eslint-disable-next-line no-control-regex
    if (length < 1 || length > 100 || /[\u0000-\u001f\u007f]/.test(body.name)) errors.name = 'error.field.name';
    if (body.phone && !/^\+?[0-9][0-9 ().\-/]{5,30}$/.test(body.phone)) errors.phone = 'error.field.phone';
    if (body.email && (body.email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.email))) {
      errors.email = 'error.field.email';
    }
    if (!body.visitor_type) errors.visitor_type = 'error.field.visitor_type';
    if (!body.origin_region) errors.origin_region = 'error.field.origin_region';
    if (!body.consent) errors.consent = 'error.field.consent';
    return errors;
  }

  function showErrors(errors) {
    FIELDS.forEach((f) => setFieldError(f, errors[f]));
    const first = FIELDS.find((f) => errors[f]);
    if (first) {
      setStatus('error.summary', null, 'error');
      focusField(first);
    }
  }

  // A server error in the page's language: the code's own text when there is one, else the field's.
  function errorKey(error) {
    if (error.code && I.has(`error.code.${error.code}`)) return `error.code.${error.code}`;
    if (error.field && I.has(`error.field.${error.field}`)) return `error.field.${error.field}`;
    return 'error.generic';
  }

  function badgeUrl(reply) {
    return `/v1/visitors/${encodeURIComponent(reply.visitor_id)}/badge` +
      `?token=${encodeURIComponent(reply.badge_token)}&lang=${I.lang()}`;
  }

  // Desk mode prints from a hidden same-origin frame: no pop-up to block, and the form stays put.
  function printBadge(url) {
    const old = document.getElementById('print-frame');
    if (old) old.remove();
    const frame = document.createElement('iframe');
    frame.id = 'print-frame';
    frame.className = 'print-frame';
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    frame.addEventListener('load', () => {
      try {
        frame.contentWindow.print();
      } catch (e) {
        // Printing is best effort; the "open badge" link is there.
      }
      // Ready for the next visitor once the print dialog closes.
      document.getElementById('name').focus();
    }, { once: true });
    frame.src = url;
    document.body.appendChild(frame);
  }

  function registered(reply) {
    const url = badgeUrl(reply);
    form.reset();
    if (!desk) {
      window.location.assign(url);
      return;
    }
    FIELDS.forEach((f) => setFieldError(f, null));
    setStatus(null);
    lastCode = reply.code || '';
    document.getElementById('desk-open').setAttribute('href', url);
    renderDeskResult();
    printBadge(url);
    document.getElementById('name').focus();
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    const body = collect();
    const errors = validate(body);
    if (Object.keys(errors).length > 0) {
      showErrors(errors);
      return;
    }
    FIELDS.forEach((f) => setFieldError(f, null));
    const json = JSON.stringify(body);
    // A resend of the same submission (after a timeout, 429 or 503) keeps its key, so the server
    // answers it once; any change to the form makes it a new submission.
    if (!attempt || attempt.json !== json) attempt = { key: uuid(), json };
    setStatus(null);
    setBusy(true);
    let response;
    let reply = null;
    try {
      response = await fetch('/v1/visitors', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': attempt.key },
        body: json,
        cache: 'no-store',
        credentials: 'same-origin',
      });
      try {
        reply = await response.json();
      } catch (e) {
        reply = null;
      }
    } catch (e) {
      setBusy(false);
      setStatus('error.network', null, 'warn');
      return;
    }
    setBusy(false);
    const error = (reply && reply.error) || {};
    if (response.status === 201 && reply && reply.visitor_id && reply.badge_token) {
      attempt = null;
      registered(reply);
    } else if (response.status === 422 && FIELDS.includes(error.field)) {
      attempt = null;
      showErrors({ [error.field]: errorKey(error) });
    } else if (response.status === 409 && error.code === 'already_registered') {
      attempt = null;
      setFieldError('phone', 'error.code.already_registered');
      setStatus('error.code.already_registered', null, 'error');
      focusField('phone');
    } else if (response.status === 429) {
      const seconds = Math.max(1, parseInt(response.headers.get('Retry-After'), 10) || 10);
      setStatus('error.code.rate_limited', { seconds }, 'warn');
    } else if (response.status === 503 || response.status === 409 || response.status >= 500) {
      setStatus('error.unavailable', null, 'warn');
    } else {
      attempt = null;
      setStatus(errorKey(error), null, 'error');
    }
  }

  form.addEventListener('submit', onSubmit);
  // An edited field loses its error at once; the rest stay until the next submit.
  FIELDS.forEach((field) => {
    controls(field).forEach((c) => {
      const clear = () => {
        if (fieldErrors[field]) setFieldError(field, null);
      };
      c.addEventListener('input', clear);
      c.addEventListener('change', clear);
    });
  });
  I.onChange(() => {
    FIELDS.forEach(renderFieldError);
    renderStatus();
    renderDeskResult();
    if (busy) submit.textContent = I.t('form.sending');
  });
})();
