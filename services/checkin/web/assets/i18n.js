// Switches a page between Bahasa Indonesia and English in place. The server renders the page in one
// language (so it reads without JavaScript) and embeds both string tables; this swaps every element
// marked data-i18n (text) or data-i18n-attr ("attr:key;attr:key"), keeps ?lang= in the address, and
// remembers the choice in localStorage: a kiosk tablet reloads (or starts offline from the service
// worker's copy of the page) in the language staff picked.
(function () {
  'use strict';
  const STORE_KEY = 'expo.lang';
  const source = document.getElementById('i18n-strings');
  const tables = source ? JSON.parse(source.textContent) : { id: {}, en: {} };
  let current = document.documentElement.lang === 'en' ? 'en' : 'id';
  const listeners = [];

  function has(key) {
    return Object.prototype.hasOwnProperty.call(tables[current] || {}, key);
  }

  // t('status.offline', {n: 3}) fills {n}; an unknown key shows the key (a bug, visible in tests).
  function t(key, vars) {
    let text = has(key) ? tables[current][key] : key;
    if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    return text;
  }

  function remember(lang) {
    try { window.localStorage.setItem(STORE_KEY, lang); } catch (e) { /* private mode: not kept */ }
  }

  function withLang(href, lang) {
    const url = new URL(href, window.location.href);
    url.searchParams.set('lang', lang);
    return url.pathname + url.search + url.hash;
  }

  function apply(lang) {
    current = lang === 'en' ? 'en' : 'id';
    const other = current === 'en' ? 'id' : 'en';
    document.documentElement.lang = current;
    document.querySelectorAll('[data-i18n]').forEach((el) => {
      const key = el.getAttribute('data-i18n');
      if (key && has(key)) el.textContent = t(key);
    });
    document.querySelectorAll('[data-i18n-attr]').forEach((el) => {
      el.getAttribute('data-i18n-attr').split(';').forEach((pair) => {
        const at = pair.indexOf(':');
        if (at > 0 && has(pair.slice(at + 1))) el.setAttribute(pair.slice(0, at), t(pair.slice(at + 1)));
      });
    });
    document.querySelectorAll('[data-lang-toggle]').forEach((el) => {
      el.setAttribute('lang', other);
      el.setAttribute('hreflang', other);
      el.setAttribute('href', withLang(el.getAttribute('href'), other));
    });
    window.history.replaceState(window.history.state, '', withLang(window.location.href, current));
    remember(current);
    listeners.forEach((fn) => fn(current));
  }

  document.querySelectorAll('[data-lang-toggle]').forEach((el) => {
    el.addEventListener('click', (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;  // new tab: let it load
      event.preventDefault();
      apply(current === 'en' ? 'id' : 'en');
    });
  });

  // An explicit ?lang= wins and is remembered; otherwise the remembered choice is applied.
  const asked = new URL(window.location.href).searchParams.get('lang');
  let stored = null;
  try { stored = window.localStorage.getItem(STORE_KEY); } catch (e) { /* none */ }
  if (asked) {
    remember(current);
  } else if ((stored === 'en' || stored === 'id') && stored !== current) {
    apply(stored);
  }

  window.ExpoI18n = {
    t,
    has,
    lang: () => current,
    apply,
    onChange: (fn) => listeners.push(fn),
  };
})();
