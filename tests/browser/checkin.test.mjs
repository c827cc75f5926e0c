// The booth tablet app and the tablets' admin page in a real browser: Debian's Chromium, headless,
// against the registration and check-in services running as processes on the test stack's Kafka and
// Redis, with the event clock on day 1 of the 2023 event (a rehearsal, as `make up` runs it).
//
// 1. The admin page registers a tablet and shows its set-up QR (decoded with zbarimg); the tablet
//    opens that address, and its camera (Chromium's fake camera playing a video this test makes of a
//    real badge's QR) checks the visitor in: green with the first name; the badge again: amber with
//    the first check-in's time. A typed unknown code: red. The fleet list shows the tablet online;
//    revoking it (after a confirmation) sends the tablet back to set-up at its next scan.
// 2. Offline: three typed codes wait in the queue, the page reloads from the service worker alone,
//    the network returns; exactly three check-ins reach checkins.v1, once each, with their offline
//    scan times.
// 3. Screenshots of the green, amber, red and offline states go to $EXPO_TEST_OUTPUT_DIR/checkin.
//
// Run by ctest (label integration) as `node --test`; CMake passes the binaries and folders. A missing
// variable, binary or package fails the test: it never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import {
  checkinEvents, delay, fillPlaceholders, importPlaywright, rasterizeSvg, registerVisitor, required, requireFile,
  sharedSecrets, startService, until, watchPageErrors, writeY4m,
} from './helpers.mjs';
import { launchTrustingChromium, startFront } from './front.mjs';

const execFileP = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const ZBARIMG = '/usr/bin/zbarimg';
const KCAT = '/usr/bin/kcat';
const TABLET = { width: 1024, height: 768 };
const LAPTOP = { width: 1280, height: 900 };
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
// Day 1 of the 2023 event, 10:00 WIB: the services' clock starts here (at the same real moment).
const CLOCK_START = '2023-11-23T10:00:00+07:00';

const env = {};
let outputDir;
let secrets;
let registration;
let checkin;
let front;            // the TLS front the browsers reach the pages through: { base, ca, forward, stop }
let strings;          // strings.json of the check-in pages, as shipped
let playwright;
// What after() closes: launch()'s browsers ({ context, close() }) and the fake camera's folder.
const browsers = [];
const pageErrors = [];
let visitors;         // {camera, offline: [3], warmup}

function shot(name) {
  return path.join(outputDir, name);
}

// A persistent Chromium profile (service worker, IndexedDB and localStorage survive reloads in it)
// that trusts the front, on a touch screen of `viewport`'s size; closed by after().
async function launch(viewport, extraArgs = []) {
  const browser = await launchTrustingChromium(playwright, front, {
    args: ['--autoplay-policy=no-user-gesture-required', ...extraArgs],
    viewport,
    screen: viewport,
    hasTouch: true,
    reducedMotion: 'reduce',  // screenshots of the answer without its entrance animation
  });
  browsers.push(browser);
  return browser.context;
}

// The API calls a page made (method, path, status, time taken), for the messages of failed checks.
const apiCalls = new WeakMap();

async function newPage(context) {
  const page = await context.newPage();
  const calls = [];
  apiCalls.set(page, calls);
  page.on('requestfinished', async (request) => {
    if (!new URL(request.url()).pathname.startsWith('/v1/')) return;
    const response = await request.response();
    calls.push(`${request.method()} ${new URL(request.url()).pathname} ${response ? response.status() : '-'} ${Math.round(request.timing().responseEnd)}ms`);
  });
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).pathname.startsWith('/v1/')) calls.push(`${request.method()} ${new URL(request.url()).pathname} failed: ${request.failure()?.errorText}`);
  });
  return watchPageErrors(page, pageErrors);
}

async function adminCall(method, route, body) {
  const response = await fetch(`${checkin.base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

// GET /booth requests the check-in service has answered, from its own metrics.
async function boothPageRequests() {
  const text = await (await fetch(`${checkin.base}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('expo_http_requests_total{') && line.includes('route="/booth"') && line.includes('method="GET"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

// The answer on screen: waits for it, then for it to go (the tablet is ready for the next visitor).
async function answer(page, kind, screenshot) {
  try {
    await page.waitForSelector('#result:not([hidden])', { timeout: 20_000 });
  } catch (e) {
    // Say what the tablet was doing: a camera that never read the badge and a server that never
    // answered look the same from here.
    const state = await page.evaluate(() => window.ExpoBooth.state()).catch(() => 'unknown');
    const camera = await page.getAttribute('#camera-status', 'data-status').catch(() => 'unknown');
    const frames = await page.evaluate(() => window.ExpoScanner.stats()).catch(() => 'unknown');
    assert.fail(`no "${kind}" answer within 20 s; camera ${camera} ${JSON.stringify(frames)}; state ${JSON.stringify(state)}; ` +
      `last API calls: ${(apiCalls.get(page) || []).slice(-6).join(' | ')}`);
  }
  const shownAt = Date.now();
  const shown = {
    kind: await page.getAttribute('#result', 'data-kind'),
    title: (await page.textContent('#result-title')).trim(),
    name: (await page.textContent('#result-name')).trim(),
    detail: (await page.textContent('#result-detail')).trim(),
  };
  if (shown.kind !== kind) {
    const state = await page.evaluate(() => window.ExpoBooth.state());
    assert.fail(`expected a "${kind}" answer, the tablet showed ${JSON.stringify(shown)}; state ${JSON.stringify(state)}; ` +
      `last API calls: ${(apiCalls.get(page) || []).slice(-6).join(' | ')}`);
  }
  if (screenshot) await page.screenshot({ path: shot(screenshot) });
  await page.waitForSelector('#result', { state: 'hidden', timeout: 5_000 });
  shown.visibleMs = Date.now() - shownAt;
  return shown;
}

async function typeCode(page, code) {
  await page.fill('#code', code);
  await page.press('#code', 'Enter');
}

function unknownCode() {
  return Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

// "10.32": the event's local time (WIB) of an RFC 3339 instant, as the Indonesian page shows it.
function wibTime(iso) {
  const local = new Date(Date.parse(iso) + 7 * 3600_000);
  return `${String(local.getUTCHours()).padStart(2, '0')}.${String(local.getUTCMinutes()).padStart(2, '0')}`;
}

before(async () => {
  env.kafka = required('EXPO_TEST_KAFKA_BROKERS');
  env.redisPort = required('EXPO_TEST_REDIS_PORT');
  env.runDir = required('EXPO_TEST_RUN_DIR');
  env.registrationBinary = required('EXPO_REGISTRATION_BINARY');
  env.registrationWebDir = required('EXPO_REGISTRATION_WEB_DIR');
  env.checkinBinary = required('EXPO_CHECKIN_BINARY');
  env.checkinWebDir = required('EXPO_CHECKIN_WEB_DIR');
  outputDir = path.join(process.env.EXPO_TEST_OUTPUT_DIR || required('EXPO_BROWSER_DEFAULT_OUTPUT_DIR'), 'checkin');
  requireFile(env.registrationBinary, 'the registration binary');
  requireFile(env.checkinBinary, 'the check-in binary');
  requireFile(CHROMIUM, 'Chromium (apt-get install chromium)');
  requireFile(ZBARIMG, 'zbarimg (apt-get install zbar-tools)');
  requireFile(KCAT, 'kcat (apt-get install kcat)');
  fs.mkdirSync(outputDir, { recursive: true });
  fs.mkdirSync(env.runDir, { recursive: true });
  strings = JSON.parse(fs.readFileSync(path.join(env.checkinWebDir, 'strings.json'), 'utf8'));
  playwright = await importPlaywright();

  secrets = sharedSecrets();
  const common = {
    ...secrets,
    EXPO_KAFKA_BROKERS: env.kafka,
    EXPO_REDIS_PORT: env.redisPort,
    EVENT_CLOCK_START: CLOCK_START,
    EVENT_CLOCK_ANCHOR_MS: String(Date.now()),
  };
  const started = await Promise.allSettled([
    startService({
      name: 'registration', binary: env.registrationBinary, runDir: env.runDir,
      // The limiter counts per address in Redis, across runs: reruns within a minute must not trip it.
      env: { ...common, EXPO_WEB_DIR: env.registrationWebDir, EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE: '1000' },
    }),
    startService({
      name: 'checkin', binary: env.checkinBinary, runDir: env.runDir,
      // A consumer group of its own: the projection of visitors.v1 starts at once instead of waiting
      // for the group's previous member (an earlier run) to time out.
      env: { ...common, EXPO_WEB_DIR: env.checkinWebDir, EXPO_CHECKIN_VISITORS_GROUP: `browser-test-${process.pid}-${Date.now()}` },
    }),
  ]);
  // Whatever started is stopped by after(), even when the other did not.
  [registration, checkin] = started.map((s) => (s.status === 'fulfilled' ? s.value : null));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  // The pages need a secure context (service worker, camera): https through the real front, as in the
  // hall. The tests' own API calls stay on the services' ports.
  front = await startFront({ runDir: env.runDir, ports: { registration: registration.port, checkin: checkin.port } });
  visitors = {
    camera: await registerVisitor(registration.base, env.runDir, 'Sekar'),
    warmup: await registerVisitor(registration.base, env.runDir, 'Bayu'),
    offline: [
      await registerVisitor(registration.base, env.runDir, 'Ayu'),
      await registerVisitor(registration.base, env.runDir, 'Dewi'),
      await registerVisitor(registration.base, env.runDir, 'Rudi'),
    ],
  };
  await waitForProjection();
});

// Check-in learns codes and first names from visitors.v1 asynchronously. A visitor registered after
// the test's visitors is scanned by a probe tablet at another booth until check-in knows it: a 404
// leaves nothing behind, and the probe's one check-in concerns nobody the tests look at.
async function waitForProjection() {
  const probe = await registerVisitor(registration.base, env.runDir, 'Probe');
  const device = await adminCall('POST', '/v1/admin/devices', { booth_id: '3578', label: 'probe' });
  assert.equal(device.status, 201, JSON.stringify(device.body));
  await until('check-in knowing the registered visitors', async () => {
    const r = await fetch(`${checkin.base}/v1/checkins`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${device.body.device_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ badge: probe.code, client_event_id: `probe-${Date.now()}` }),
    });
    // The code (visitors.v1) and the name's key (visitor-keys.v1) arrive by two topics in either order:
    // the first 201 may come before the name can be read; later probes are "already here" (200) and
    // carry the name once check-in has both.
    return (r.status === 201 || r.status === 200) && Boolean((await r.json()).first_name);
  }, { timeoutMs: 60_000, everyMs: 500 });
}

after(async () => {
  for (const browser of browsers) await browser.close();
  try {
    if (front) await front.stop();
  } finally {
    await Promise.all([registration, checkin].filter(Boolean).map((s) => s.stop()));
  }
});

test('the admin page sets up a tablet whose camera checks a badge in: green, then amber; an unknown code is red',
  { timeout: 180_000 }, async () => {
    // The fake camera: the badge page's own QR, 4 s in view, 2.5 s away, in a loop.
    const badgePage = await fetch(`${registration.base}/v1/visitors/${encodeURIComponent(visitors.camera.visitor_id)}/badge?token=${encodeURIComponent(visitors.camera.badge_token)}`);
    assert.equal(badgePage.status, 200);
    const svg = /<svg[\s\S]*?<\/svg>/.exec(await badgePage.text());
    assert.ok(svg, 'no QR in the badge page');
    const helper = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox'] });
    const videoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'expo-fake-camera-'));
    // Removed with the profiles (23 MB of frames).
    browsers.push({ close: async () => fs.rmSync(videoDir, { recursive: true, force: true }) });
    const video = path.join(videoDir, 'badge.y4m');
    try {
      const page = await helper.newPage();
      const W = 640;
      const H = 480;
      const qr = await rasterizeSvg(page, svg[0], { width: W, height: H, size: 320 });
      // The frame itself must hold a readable QR (zbar reads it), so a failure below is the tablet's.
      const frame = path.join(videoDir, 'frame.pgm');
      fs.writeFileSync(frame, Buffer.concat([Buffer.from(`P5\n${W} ${H}\n255\n`), qr]));
      const { stdout: inFrame } = await execFileP(ZBARIMG, ['--raw', '-q', frame]);
      assert.equal(inFrame.trim(), visitors.camera.badge_token, 'the fake camera shows the badge QR');
      writeY4m(video, { width: W, height: H, fps: 10, frames: [{ luma: qr, repeat: 40 }, { luma: Buffer.alloc(W * H, 230), repeat: 25 }] });
    } finally {
      await helper.close();
    }

    // The operations laptop: sign in, register a tablet for Kota Batu's booth.
    const laptop = await launch(LAPTOP);
    const admin = await newPage(laptop);
    await admin.goto('/admin/devices');
    assert.equal(await admin.getAttribute('html', 'lang'), 'id');
    await admin.fill('#admin-token', 'not-the-token-at-all');
    await admin.click('#login-form button[type=submit]');
    await admin.waitForSelector('#admin-token-error:not([hidden])');
    assert.equal(await admin.textContent('#admin-token-error'), strings.id['login.rejected']);
    await admin.fill('#admin-token', secrets.ADMIN_TOKEN);
    await admin.click('#login-form button[type=submit]');
    await admin.waitForSelector('#manage:not([hidden])');
    await admin.click('#register-submit');
    assert.equal(await admin.textContent('#booth-error'), strings.id['register.error.booth']);
    await admin.selectOption('#booth', '3579');
    await admin.fill('#label', 'Tablet Uji 1');
    const [created] = await Promise.all([
      admin.waitForResponse((r) => r.url().endsWith('/v1/admin/devices') && r.request().method() === 'POST'),
      admin.click('#register-submit'),
    ]);
    assert.equal(created.status(), 201);
    const device = await created.json();
    await admin.waitForSelector('#provision:not([hidden]) #provision-qr svg');
    const provisioningUrl = (await admin.textContent('#provision-url')).trim();
    assert.equal(provisioningUrl, `${front.base}/booth#key=${device.device_key}`);
    assert.equal((await admin.textContent('#provision-key')).trim(), device.device_key);
    await admin.locator('#provision-qr').screenshot({ path: shot('admin-provisioning-qr.png') });
    const { stdout } = await execFileP(ZBARIMG, ['--raw', '-q', shot('admin-provisioning-qr.png')]);
    assert.equal(stdout.trim(), provisioningUrl, 'the set-up QR holds the set-up address');
    await admin.screenshot({ path: shot('admin-registered.png'), fullPage: true });
    await admin.click('#provision-done');
    assert.equal(await admin.isVisible('#provision'), false);
    assert.equal(await admin.textContent('#provision-key'), '', 'the key is gone from the page once closed');

    // The tablet opens the set-up address; the key leaves the address bar.
    const tablet = await launch(TABLET, ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`]);
    const page = await newPage(tablet);
    const scans = [];
    page.on('response', async (r) => {
      if (r.url().endsWith('/v1/checkins') && r.request().method() === 'POST') {
        scans.push({ status: r.status(), body: await r.json().catch(() => null), request: r.request().postDataJSON() });
      }
    });
    await page.goto(provisioningUrl);
    await page.waitForSelector('#scan:not([hidden])');
    assert.equal(page.url(), `${front.base}/booth`);
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    assert.equal(await page.evaluate(() => localStorage.getItem('expo.booth.device_key')), device.device_key);
    await until('the booth name', async () => (await page.textContent('#booth-name')).trim() === 'Booth Kota Batu');

    const green = await answer(page, 'ok', 'checkin-green.png');
    assert.equal(green.title, strings.id['result.checked_in']);
    assert.equal(green.name, fillPlaceholders(strings.id['result.welcome'], { name: visitors.camera.firstName }));
    assert.ok(green.visibleMs <= 1500, `the green answer stayed ${green.visibleMs} ms`);
    assert.equal(scans.length, 1);
    assert.equal(scans[0].status, 201);
    assert.equal(scans[0].request.badge, visitors.camera.badge_token, 'the camera read the badge QR');
    assert.match(scans[0].request.client_event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const firstAt = scans[0].body.at;
    assert.equal((await page.textContent('#today-count')).trim(), String(scans[0].body.today_count));

    // The badge leaves the camera and comes back: already here, at the first check-in's time.
    const amber = await answer(page, 'warn', 'checkin-amber.png');
    assert.equal(amber.title, strings.id['result.already']);
    assert.equal(amber.name, visitors.camera.firstName);
    assert.equal(amber.detail, fillPlaceholders(strings.id['result.already_at'], { time: wibTime(firstAt) }));
    assert.ok(amber.visibleMs <= 1500, `the amber answer stayed ${amber.visibleMs} ms`);
    assert.equal(scans.length, 2);
    assert.equal(scans[1].status, 200);
    assert.notEqual(scans[1].request.client_event_id, scans[0].request.client_event_id);

    // A code nobody has: red, with the plain reason.
    await typeCode(page, unknownCode());
    const red = await answer(page, 'error', 'checkin-red.png');
    assert.equal(red.title, strings.id['result.failed']);
    assert.equal(red.detail, strings.id['reason.unknown_visitor']);
    // A typo is caught on the tablet, before anything is sent.
    const sent = scans.length;
    await typeCode(page, 'ABC1');
    assert.equal((await answer(page, 'error')).detail, strings.id['reason.bad_code']);
    assert.equal(scans.length, sent);
    assert.equal(await page.evaluate(() => window.ExpoQueue.count()), 0, 'every answered scan left the queue');

    // English, in place, with the same state.
    await page.click('[data-lang-toggle]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('#scan-prompt')).trim(), strings.en['scan.prompt']);
    assert.equal((await page.textContent('#net-text')).trim(), strings.en['status.online']);
    await page.screenshot({ path: shot('checkin-ready-en.png') });
    await page.click('[data-lang-toggle]');

    // The fleet list: the tablet is online (its heartbeat came with the app version the page carries).
    const appVersion = await page.getAttribute('body', 'data-app-version');
    await until('the tablet online in the fleet list', async () => {
      await admin.click('#fleet-refresh');
      await delay(300);
      return (await admin.getAttribute(`tr[data-device-id="${device.device_id}"]`, 'data-state')) === 'online';
    }, { timeoutMs: 40_000, everyMs: 1000 });
    const row = admin.locator(`tr[data-device-id="${device.device_id}"]`);
    assert.ok((await row.textContent()).includes(appVersion), 'the fleet list shows the app version');
    assert.ok((await row.textContent()).includes('Tablet Uji 1'));
    await admin.screenshot({ path: shot('admin-fleet.png'), fullPage: true });

    // Revoking (after a confirmation) stops the tablet at its next scan.
    await admin.click(`tr[data-device-id="${device.device_id}"] button`);
    await admin.waitForSelector('#confirm[open]');
    assert.ok((await admin.textContent('#confirm-text')).includes('Tablet Uji 1'));
    await admin.click('#confirm-cancel');
    assert.equal((await adminCall('GET', '/v1/admin/devices')).body.devices.find((d) => d.device_id === device.device_id).revoked, false);
    await admin.click(`tr[data-device-id="${device.device_id}"] button`);
    await admin.click('#confirm-revoke');
    await admin.waitForSelector(`tr[data-device-id="${device.device_id}"][data-state="revoked"]`);
    const beforeRevocation = scans.length;
    // The camera still sees the badge every few seconds, so its scan may meet the revocation before the
    // typed one does: whichever comes first sends the tablet back to set-up, and typing stops there.
    await until('the revocation reaching the tablet', async () => {
      if (await page.isVisible('#setup')) return true;
      await typeCode(page, visitors.warmup.code);
      await page.waitForSelector('#result:not([hidden])');
      await page.waitForSelector('#result', { state: 'hidden' });
      return page.isVisible('#setup');
    }, { timeoutMs: 10_000, everyMs: 500 });
    assert.equal((await page.textContent('#setup-problem')).trim(), strings.id['setup.revoked']);
    await page.screenshot({ path: shot('checkin-revoked.png') });
    const refused = scans.slice(beforeRevocation);
    assert.ok(refused.length >= 1, 'a scan met the revocation');
    assert.deepEqual(refused.map((s) => s.status), refused.map(() => 403), 'nothing counts once the key is revoked');
    // A scan made while the first refusal was on its way is queued unsent: also kept, also uncounted.
    const queued = await page.evaluate(() => window.ExpoQueue.count());
    assert.ok(queued >= refused.length, `every refused scan stays queued, never counted (${queued} queued, ${refused.length} refused)`);
  });

test('offline: three scans wait, the page reloads from the service worker, and each reaches Kafka once with its scan time',
  { timeout: 180_000 }, async () => {
    const since = Date.now() - 60_000;
    const created = await adminCall('POST', '/v1/admin/devices', { booth_id: '3507', label: 'Tablet Uji offline' });
    assert.equal(created.status, 201);
    const tablet = await launch(TABLET, ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
    const page = await newPage(tablet);
    await page.goto(`/booth#key=${created.body.device_key}`);
    await page.waitForSelector('#scan:not([hidden])');
    // The service worker has the app shell before the network goes.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await until('the shell in the cache', () => page.evaluate(async () => {
      const names = await caches.keys();
      const cache = names.length ? await caches.open(names[0]) : null;
      return Boolean(cache && (await cache.match('/booth')));
    }));

    // One visitor while the hall network works.
    await typeCode(page, visitors.warmup.code);
    assert.equal((await answer(page, 'ok')).name, fillPlaceholders(strings.id['result.welcome'], { name: visitors.warmup.firstName }));
    const countOnline = Number((await page.textContent('#today-count')).trim());

    await tablet.setOffline(true);
    for (const visitor of visitors.offline) {
      await typeCode(page, `${visitor.code.slice(0, 4)}-${visitor.code.slice(4)}`.toLowerCase());
      const saved = await answer(page, 'queued', visitor === visitors.offline[0] ? 'checkin-offline-saved.png' : undefined);
      assert.equal(saved.title, strings.id['result.queued']);
      await delay(700);  // distinct scan times
    }
    assert.equal((await page.textContent('#net-text')).trim(), fillPlaceholders(strings.id['status.offline'], { n: 3 }));
    // The code field keeps the focus and the page scrolled to it: show the status bar in the picture.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot('checkin-offline.png') });
    const queued = await page.evaluate(() => window.ExpoQueue.all());
    assert.equal(queued.length, 3);
    assert.deepEqual(queued.map((q) => q.badge), visitors.offline.map((v) => v.code));

    // A reload with no network: the service worker alone serves the page, and the queue is intact.
    const before = await boothPageRequests();
    const reloaded = await page.reload();
    assert.equal(reloaded.status(), 200);
    assert.equal(reloaded.fromServiceWorker(), true);
    await page.waitForSelector('#scan:not([hidden])');
    assert.equal((await page.textContent('#net-text')).trim(), fillPlaceholders(strings.id['status.offline'], { n: 3 }));
    assert.deepEqual((await page.evaluate(() => window.ExpoQueue.all())).map((q) => q.client_event_id),
      queued.map((q) => q.client_event_id));
    assert.equal(await boothPageRequests(), before, 'the offline reload never reached the service');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot('checkin-offline-reloaded.png') });

    const offlineUntil = Date.now();
    await tablet.setOffline(false);
    await page.waitForFunction(() => document.getElementById('net').dataset.net === 'online', null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.ExpoQueue.count()), 0);

    // Exactly three check-ins in checkins.v1 for the three visitors, once each, at their scan times.
    const ids = visitors.offline.map((v) => v.visitor_id);
    const events = await until('three check-ins in checkins.v1', async () => {
      const found = await checkinEvents({ brokers: env.kafka, visitorIds: ids, sinceMs: since });
      return found.length >= 3 ? found : null;
    }, { timeoutMs: 20_000, everyMs: 1000 });
    await delay(1000);
    const all = await checkinEvents({ brokers: env.kafka, visitorIds: ids, sinceMs: since });
    assert.equal(all.length, 3, JSON.stringify(all));
    assert.deepEqual(all.map((e) => e.key).sort(), [...ids].sort());
    for (const item of queued) {
      const visitor = visitors.offline.find((v) => v.code === item.badge);
      const event = events.find((e) => e.payload.client_event_id === item.client_event_id);
      assert.ok(event, `no event for the scan of ${item.badge}`);
      assert.equal(event.key, visitor.visitor_id);
      assert.equal(event.payload.booth_id, '3507');
      assert.equal(event.payload.device_id, created.body.device_id);
      assert.equal(event.type, 'checked_in');
      // The scan time is the one the tablet queued (event clock, millisecond precision), not the
      // moment it reached the service.
      const scannedAt = Date.parse(event.payload.scanned_at);
      assert.equal(scannedAt, Date.parse(item.scanned_at), `${event.payload.scanned_at} vs ${item.scanned_at}`);
      const waited = Date.parse(event.payload.received_at) - scannedAt;
      assert.ok(waited >= offlineUntil - item.device_ms - 1000, `received ${waited} ms after the scan`);
    }
    // Today's count came back with the answers: three more than after the first visitor.
    assert.equal(Number((await page.textContent('#today-count')).trim()), countOnline + 3);
  });

test('no script error on any page', () => {
  assert.deepEqual(pageErrors, []);
});
