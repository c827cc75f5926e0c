// The booth tablet's service worker (GET /booth/sw.js, scope /booth), rendered by the check-in service:
// VERSION is a hash of the web files and SHELL lists the page and every asset, so a new deployment is a
// new worker that fetches the new shell and drops the old one.
//
// The page (/booth, any ?lang=) is fetched from the network first and kept; without a network (or when
// the server does not answer in time) the kept copy is served, so the tablet starts with no network.
// Assets are versioned (?v=VERSION) and served from the cache first. API calls (/v1/...) are outside
// the scope and never pass through here: the app's own queue makes them safe offline.
'use strict';
const VERSION = '{{version}}';
const CACHE = `expo-booth-${VERSION}`;
const PAGE = '/booth';
const SHELL = {{{precache_json}}};
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith('expo-booth-') && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    // A navigation request cannot be re-made with an AbortSignal: race it against a timer instead.
    const response = await Promise.race([
      fetch(request),
      new Promise((resolve, reject) => setTimeout(() => reject(new Error('page timeout')), PAGE_TIMEOUT_MS)),
    ]);
    if (response.ok) {
      await cache.put(PAGE, response.clone());
      return response;
    }
    const kept = await cache.match(PAGE);
    return kept || response;
  } catch (error) {
    const kept = await cache.match(PAGE);
    if (kept) return kept;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/booth/assets/')) {
    event.respondWith(asset(request));
  }
});
