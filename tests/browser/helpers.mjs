// Helpers shared by the browser tests: the services as processes on the test stack (free ports,
// secrets, readiness, stop), page script errors, a fake camera video of a badge QR, visitors, tablets
// and their check-ins, and the check-ins that reached Kafka.
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (source tests/integration-env.sh; ctest sets the rest)`);
  return value;
}

export function requireFile(file, what) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${what} not found or not executable: ${file}`);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const b64url = (bytes) => bytes.toString('base64url');

// Secrets both services must share: registration signs badges and wraps names that check-in verifies
// and reads back (the first name on the green screen).
export function sharedSecrets() {
  return {
    ADMIN_TOKEN: b64url(randomBytes(24)),
    BADGE_SIGNING_KEYS: `b1:${b64url(randomBytes(32))}`,
    EXPO_PRIVACY_LOOKUP_PEPPER: b64url(randomBytes(32)),
    EXPO_PRIVACY_WRAPPING_KEY: `w1:${b64url(randomBytes(32))}`,
  };
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Starts a service binary and waits for /readyz. Its log goes to runDir. `port` defaults to a free
// one; a test passes its own when something must know the port first (the TLS front, which starts
// before the services so a service can be told the front's address).
export async function startService({ name, binary, env, runDir, port: wanted }) {
  const port = wanted ?? await freePort();
  const log = path.join(runDir, `${name}-browser-${process.pid}-${port}.log`);
  const out = fs.openSync(log, 'a');
  const child = spawn(binary, [], {
    env: { ...process.env, EXPO_HTTP_PORT: String(port), EXPO_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited (${JSON.stringify(exited)}) before ready; log: ${log}`);
    try {
      const r = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      // Never leave a process behind: it would also keep the test runner from exiting.
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
      throw new Error(`${name}: /readyz not 200 within 60 s; log: ${log}`);
    }
    await delay(200);
  }
  return {
    name, child, port, base, log,
    exited: () => exited,
    async stop() {
      if (exited) return exited;
      const done = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await done;
      clearTimeout(timer);
      return result;
    },
  };
}

// playwright-core from tests/browser/node_modules, or an error that says how to install it.
export async function importPlaywright() {
  try {
    return await import('playwright-core');
  } catch (error) {
    throw new Error(`playwright-core is not installed: run "npm ci" in tests/browser (${error.message})`);
  }
}

// Collects every script error of a page into `errors` (strings naming the page), for a final
// "no script error" test: uncaught exceptions and console errors. Chromium logs every 4xx/5xx fetch
// (and every fetch refused while offline) as "Failed to load resource"; tests cause both on purpose.
export function watchPageErrors(page, errors) {
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`${page.url()}: console: ${message.text()}`);
    }
  });
  return page;
}

// A shipped string with its {name} placeholders filled, as the pages' scripts fill them.
export function fillPlaceholders(text, vars) {
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// Polls fn() until it returns a truthy value or the deadline passes (then throws naming what).
export async function until(what, fn, { timeoutMs = 15_000, everyMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}

// The luminance (one byte a pixel, row by row) of an SVG drawn centred at `size` pixels on a white
// width x height picture, as Chromium renders it: the fake camera then shows what a badge shows.
export async function rasterizeSvg(page, svg, { width, height, size }) {
  // An <svg> with a viewBox but no width/height has no intrinsic size: as an image it is laid out at
  // the default 300x150 with the drawing fitted inside, and drawImage to a square then stretches it.
  // A square intrinsic size keeps the modules square.
  const sized = /<svg[^>]*\swidth=/.test(svg) ? svg : svg.replace('<svg', `<svg width="${size}" height="${size}"`);
  const bytes = await page.evaluate(async ({ markup, w, h, s }) => {
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, w, h);
    context.imageSmoothingEnabled = false;
    context.drawImage(image, Math.round((w - s) / 2), Math.round((h - s) / 2), s, s);
    const rgba = context.getImageData(0, 0, w, h).data;
    const luma = new Uint8Array(w * h);
    for (let i = 0; i < luma.length; i += 1) {
      luma[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
    }
    let binary = '';
    for (let i = 0; i < luma.length; i += 0x8000) binary += String.fromCharCode(...luma.subarray(i, i + 0x8000));
    return btoa(binary);
  }, { markup: sized, w: width, h: height, s: size });
  return Buffer.from(bytes, 'base64');
}

// A YUV4MPEG2 (4:2:0) file Chromium's fake capture device plays in a loop: each entry of `frames` is
// {luma, repeat}, grey (no colour). Chromium reads the frame rate from the header.
export function writeY4m(file, { width, height, fps, frames }) {
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const { luma, repeat } of frames) {
    if (luma.length !== width * height) throw new Error('frame size does not match the header');
    for (let i = 0; i < repeat; i += 1) parts.push(Buffer.from('FRAME\n'), luma, chroma, chroma);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

// The checkins.v1 events whose key (the visitor id) is one of visitorIds, produced since sinceMs
// (broker timestamps), read with kcat to the end of every partition.
export async function checkinEvents({ brokers, visitorIds, sinceMs }) {
  const wanted = new Set(visitorIds);
  const { stdout } = await execFileP('kcat', [
    '-C', '-b', brokers, '-t', 'checkins.v1', '-o', `s@${Math.max(0, sinceMs)}`, '-e', '-q',
    '-f', '%k\t%s\n',
  ], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  const events = [];
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const key = line.slice(0, tab);
    if (!wanted.has(key)) continue;
    events.push({ key, ...JSON.parse(line.slice(tab + 1)) });
  }
  return events;
}

// Registers a visitor through the registration service; records the name for the personal-data
// check of the run (tests/check-personal-data.sh).
export async function registerVisitor(registrationBase, runDir, firstName) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const tag = Array.from(randomBytes(6), (b) => letters[b % letters.length]).join('');
  const name = `${firstName} Uji${tag}`;
  fs.appendFileSync(path.join(runDir, 'personal-data-used.txt'), `${name}\n`);
  const response = await fetch(`${registrationBase}/v1/visitors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, visitor_type: 'public', origin_region: '3579', consent: true }),
  });
  if (response.status !== 201) throw new Error(`registration answered ${response.status}: ${await response.text()}`);
  return { name, firstName, ...(await response.json()) };
}

// Registers a booth tablet on the check-in service with the admin token: { device_id, device_key, ... }.
export async function registerTablet(checkinBase, adminToken, boothId, label) {
  const response = await fetch(`${checkinBase}/v1/admin/devices`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ booth_id: boothId, label }),
  });
  if (response.status !== 201) throw new Error(`registering a tablet answered ${response.status}: ${await response.text()}`);
  return response.json();
}

// A tablet's scan of a badge (its token or its 8-character code): the check-in service's answer
// { status, body }, for the test to judge.
export async function checkIn(checkinBase, deviceKey, badge) {
  const response = await fetch(`${checkinBase}/v1/checkins`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${deviceKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ badge, client_event_id: randomUUID() }),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}
