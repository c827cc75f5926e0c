// The suite's real TLS front (nginx from deploy/local/stack.sh, its local CA from deploy/local/tls.sh)
// before the services a browser test started, and Chromium profiles that trust that CA: the pages get
// the secure context the hall gives them (service worker, camera) through the same routing by path.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, required, requireFile } from './helpers.mjs';

const execFileP = promisify(execFile);
const CERTUTIL = '/usr/bin/certutil';
const CHROMIUM = '/usr/bin/chromium';

// Starts nginx alone, in a run dir of its own under runDir (its own CA, config, pid file and logs),
// on free loopback ports, routing to the services' ports: { registration, checkin, voting,
// leaderboard }, each optional (a missing one answers 503). Returns { base, ca, runDir, stop() }.
export async function startFront({ runDir, ports }) {
  const stack = required('EXPO_TEST_STACK');
  requireFile(stack, 'deploy/local/stack.sh');
  requireFile(CERTUTIL, 'certutil (apt-get install libnss3-tools)');
  const frontDir = path.join(runDir, `front-browser-${process.pid}`);
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    EXPO_RUN_DIR: frontDir,
    EXPO_WITH_NGINX: '1',
    EXPO_FRONT_BIND: '127.0.0.1',
    EXPO_HTTPS_PORT: String(httpsPort),
    EXPO_HTTP_FRONT_PORT: String(httpPort),
    EXPO_PUBLIC_HOST: 'localhost',
  };
  // The local CA, never an organiser's certificate from the developer's shell.
  delete env.EXPO_TLS_CERT;
  delete env.EXPO_TLS_KEY;
  for (const name of ['registration', 'checkin', 'voting', 'leaderboard']) {
    const variable = `EXPO_${name.toUpperCase()}_PORT`;
    // A service the test did not start: port 1, where nothing listens (the front answers 503), never
    // the contract's default port, where a developer's own service may be running.
    env[variable] = String(ports[name] ?? 1);
  }
  const run = (...args) => execFileP(stack, args, { env, timeout: 60_000 });
  try {
    await run('start', 'nginx');
  } catch (error) {
    await run('stop', 'nginx').catch(() => {});
    throw new Error(`the TLS front did not start (${error.message.trim()}); logs under ${frontDir}/nginx`);
  }
  const stop = () => run('stop', 'nginx');
  try {
    const { stdout } = await run('env');
    const value = (name) => {
      const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
      if (!line) throw new Error(`stack.sh env printed no ${name}`);
      return line.slice(name.length + 1);
    };
    const front = { base: value('EXPO_FRONT_URL'), ca: value('EXPO_FRONT_CA'), runDir: frontDir, stop };
    return { ...front, forward: (request) => forward(front, request) };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

// The environment for a Chromium whose HOME is `home`: an NSS database there (where Chromium on
// Linux keeps the user's trusted roots) that trusts the front's CA for web sites, and nothing else.
export async function trustingBrowserEnv(home, front) {
  const db = `sql:${path.join(home, '.pki', 'nssdb')}`;
  fs.mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
  await execFileP(CERTUTIL, ['-N', '-d', db, '--empty-password']);
  await execFileP(CERTUTIL, ['-A', '-d', db, '-n', 'expo-test-local-ca', '-t', 'C,,', '-i', front.ca]);
  return { ...process.env, HOME: home };
}

// Debian's Chromium, headless, in a fresh persistent profile (service worker, IndexedDB and
// localStorage survive reloads in it) that trusts the front's CA, with relative URLs resolved against
// the front. `options` are Playwright's context options (viewport, isMobile, ...); `args` are added to
// the usual switches. Returns { context, close() }; close() also removes the profile.
export async function launchTrustingChromium(playwright, front, { args = [], ...options } = {}) {
  requireFile(CHROMIUM, 'Chromium (apt-get install chromium)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'expo-chromium-'));
  try {
    const context = await playwright.chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      env: await trustingBrowserEnv(dir, front),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
      baseURL: front.base,
      ...options,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// Sends a request a page made (a Playwright Request) through the front, trusting its CA and nothing
// else: what route.fetch() does, which cannot, because Playwright's own client knows only the public
// roots. Returns { status, headers, body } for route.fulfill().
function forward(front, request) {
  const ca = fs.readFileSync(front.ca);
  return request.allHeaders().then((all) => new Promise((resolve, reject) => {
    const headers = Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith(':')));
    const outgoing = https.request(request.url(), { method: request.method(), headers, ca, timeout: 30_000 }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const kept = Object.entries(response.headers)
          .filter(([name]) => !['connection', 'keep-alive', 'transfer-encoding'].includes(name))
          .map(([name, value]) => [name, Array.isArray(value) ? value.join('\n') : value]);
        resolve({ status: response.statusCode, headers: Object.fromEntries(kept), body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from ${request.url()} within 30 s`)));
    outgoing.on('error', reject);
    outgoing.end(request.postDataBuffer() ?? undefined);
  }));
}
