// The registration pages in a real browser: Debian's Chromium, headless, on a phone-sized screen,
// against the registration service running as a process on the test stack's Kafka and Redis.
//
// Run by ctest (label integration) as `node --test`; CMake passes the binary and folders in
// EXPO_REGISTRATION_BINARY, EXPO_REGISTRATION_WEB_DIR and EXPO_BROWSER_DEFAULT_OUTPUT_DIR. The stack's
// addresses come from tests/integration-env.sh. A missing variable, binary or package fails the test:
// it never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { launchTrustingChromium, startFront } from './front.mjs';
import {
  importPlaywright, required, requireFile, sharedSecrets, startService, watchPageErrors,
} from './helpers.mjs';

const execFileP = promisify(execFile);
const ZBARIMG = '/usr/bin/zbarimg';
const PHONE = { width: 390, height: 844 };

const env = {};
let outputDir;
let service;      // helpers.mjs startService(): { child, port, base, log, stop() }
let front;        // the TLS front before it: { base, ca, forward, stop }
let browser;      // front.mjs launchTrustingChromium(): { context, close() }
let rawStrings;   // strings.json as shipped
let eventName;
const pageErrors = [];

// Test data: unique per run, so reruns never meet an already registered phone; recorded so the
// run's personal-data check can prove none of it reaches a log.
function uniqueVisitor(label) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const tag = Array.from({ length: 8 }, () => letters[randomInt(letters.length)]).join('');
  const digits = String(randomInt(10_000_000, 99_999_999));
  const visitor = {
    name: `Uji ${label} ${tag[0].toUpperCase()}${tag.slice(1)}`,
    phone: `0812-${digits.slice(0, 4)}-${digits.slice(4)}`,
    phoneDigits: `62812${digits}`,
    email: `uji.${tag}@contoh.co.id`,
  };
  fs.appendFileSync(path.join(env.runDir, 'personal-data-used.txt'),
    `${visitor.name}\n${visitor.phone}\n${visitor.phoneDigits}\n+${visitor.phoneDigits}\n${visitor.email}\n`);
  return visitor;
}

async function startRegistration() {
  return startService({
    name: 'registration',
    binary: env.binary,
    runDir: env.runDir,
    env: {
      EXPO_KAFKA_BROKERS: env.kafka,
      EXPO_REDIS_PORT: env.redisPort,
      ...sharedSecrets(),
      EXPO_WEB_DIR: env.webDir,
      // The limiter counts per address in Redis, across runs: reruns within a minute must not trip it.
      EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE: '1000',
    },
  });
}

async function newPage() {
  return watchPageErrors(await browser.context.newPage(), pageErrors);
}

function shot(name) {
  return path.join(outputDir, name);
}

async function decodeQr(file) {
  try {
    const { stdout } = await execFileP(ZBARIMG, ['--raw', '-q', file]);
    return stdout.trim();
  } catch (error) {
    throw new Error(`zbarimg found no QR code in ${file} (exit ${error.code})`);
  }
}

// The text every translatable control shows: labels, legends, buttons and hints, in page order.
function controlTexts(page) {
  return page.$$eval('label, legend, button, .hint', (els) =>
    els.filter((el) => !el.closest('[hidden]')).map((el) => `${el.tagName.toLowerCase()}#${el.id || el.htmlFor || ''}: ${el.textContent.replace(/\s+/g, ' ').trim()}`));
}

// Every element marked data-i18n must show the shipped string of the page's language.
async function expectLanguage(page, lang) {
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  const marked = await page.$$eval('[data-i18n]', (els) =>
    els.filter((el) => el.getAttribute('data-i18n')).map((el) => [el.getAttribute('data-i18n'), el.textContent]));
  let checked = 0;
  for (const [key, text] of marked) {
    const raw = rawStrings[lang][key];
    if (raw === undefined) continue;  // computed at load (event.dates)
    const expected = raw.replaceAll('{{event_name}}', eventName);
    assert.equal(text.trim(), expected, `${lang} text of [data-i18n="${key}"]`);
    checked += 1;
  }
  assert.ok(checked >= 10, `only ${checked} translatable elements`);
}

// Every POST /v1/visitors the page makes: status, body and Idempotency-Key, in order.
async function recordSignUps(page) {
  const seen = [];
  await page.route('**/v1/visitors', async (route) => {
    const response = await front.forward(route.request());
    seen.push({
      status: response.status,
      body: JSON.parse(response.body.toString('utf8')),
      key: route.request().headers()['idempotency-key'],
    });
    await route.fulfill(response);
  });
  return seen;
}

async function fillForm(page, visitor, { regionLabel = 'Kota Batu', type = 'public' } = {}) {
  await page.fill('#name', visitor.name);
  await page.fill('#phone', visitor.phone);
  await page.fill('#email', visitor.email);
  await page.check(`#visitor_type-${type}`);
  await page.selectOption('#origin_region', { label: regionLabel });
  await page.check('#consent');
}

before(async () => {
  env.kafka = required('EXPO_TEST_KAFKA_BROKERS');
  env.redisPort = required('EXPO_TEST_REDIS_PORT');
  env.runDir = required('EXPO_TEST_RUN_DIR');
  env.binary = required('EXPO_REGISTRATION_BINARY');
  env.webDir = required('EXPO_REGISTRATION_WEB_DIR');
  outputDir = process.env.EXPO_TEST_OUTPUT_DIR || required('EXPO_BROWSER_DEFAULT_OUTPUT_DIR');
  requireFile(env.binary, 'the registration binary');
  requireFile(ZBARIMG, 'zbarimg (apt-get install zbar-tools)');
  fs.mkdirSync(outputDir, { recursive: true });
  fs.mkdirSync(env.runDir, { recursive: true });
  rawStrings = JSON.parse(fs.readFileSync(path.join(env.webDir, 'strings.json'), 'utf8'));

  const playwright = await importPlaywright();

  service = await startRegistration();
  eventName = (await (await fetch(`${service.base}/v1/event`)).json()).name;
  // The browser reaches the pages as a phone in the hall does: https through the front.
  front = await startFront({ runDir: env.runDir, ports: { registration: service.port } });

  browser = await launchTrustingChromium(playwright, front, {
    viewport: PHONE,
    screen: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    acceptDownloads: true,
  });
});

after(async () => {
  if (browser) await browser.close();
  try {
    if (front) await front.stop();
  } finally {
    if (service) await service.stop();
  }
});

test('the form is Indonesian by default; ?lang=en works without JavaScript', { timeout: 60_000 }, async () => {
  const page = await newPage();
  const response = await page.goto('/');
  assert.equal(response.status(), 200);
  // Through the front, with a certificate the browser trusts: a secure context, as in the hall.
  assert.ok(page.url().startsWith(`${front.base}/`), page.url());
  assert.equal(await page.evaluate(() => window.isSecureContext), true);
  assert.equal((await response.securityDetails())?.subjectName, 'localhost');
  await expectLanguage(page, 'id');
  assert.equal(await page.textContent('h1'), rawStrings.id['form.title']);
  // Every region of the event, plus "other".
  const regions = (await (await fetch(`${service.base}/v1/event`)).json()).regions;
  const options = await page.$$eval('#origin_region option', (els) => els.map((el) => el.value).filter(Boolean));
  assert.deepEqual(options.sort(), [...regions.map((r) => r.region_id), 'other'].sort());

  // The server alone renders English (no script involved).
  const english = await (await fetch(`${service.base}/?lang=en`)).text();
  assert.match(english, /<html lang="en">/);
  assert.ok(english.includes(`>${rawStrings.en['field.name.label']}<`));
  for (const asset of ['register.css', 'register.js', 'i18n.js', 'badge.css', 'badge.js', 'logo.svg']) {
    assert.equal((await fetch(`${service.base}/assets/${asset}`)).status, 200, asset);
  }
  await page.close();
});

test('a visitor registers on a phone and gets a badge whose QR the service accepts', { timeout: 120_000 }, async () => {
  const page = await newPage();
  await page.goto('/');
  const visitor = uniqueVisitor('Peramban');
  await fillForm(page, visitor);
  await page.screenshot({ path: shot('01-form-id.png'), fullPage: true });

  // The page navigates to the badge as soon as the answer arrives, so the answer is read on its way.
  const created = await recordSignUps(page);
  await page.click('#submit');
  await page.waitForURL(/\/v1\/visitors\/[^/]+\/badge\?token=/);
  await page.waitForSelector('#qr svg');
  assert.equal(created.length, 1);
  assert.equal(created[0].status, 201);
  assert.match(created[0].key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const body = created[0].body;
  await expectLanguage(page, 'id');
  assert.equal((await page.textContent('#visitor-name')).trim(), visitor.name);
  assert.equal(await page.textContent('.visitor-type'), rawStrings.id['visitor_type.public']);
  assert.equal((await page.textContent('.code')).replace(/\s/g, ''), body.code);
  assert.equal(await page.$$eval('.code span', (s) => s.map((x) => x.textContent).join('-')),
    `${body.code.slice(0, 4)}-${body.code.slice(4)}`);
  assert.ok((await page.textContent('.badge-event')).includes(eventName));
  const vote = await page.getAttribute('#vote-link', 'href');
  assert.ok(vote.endsWith(`/vote?token=${body.badge_token}`), vote);
  await page.screenshot({ path: shot('02-badge-id.png'), fullPage: true });

  // The QR as the screen shows it decodes to the badge token.
  await page.locator('#qr').screenshot({ path: shot('03-badge-qr.png') });
  const token = await decodeQr(shot('03-badge-qr.png'));
  assert.equal(token, body.badge_token);

  // ... which the service accepts, and a tampered copy it does not.
  const badgeUrl = (t) => `${service.base}/v1/visitors/${encodeURIComponent(body.visitor_id)}/badge?token=${encodeURIComponent(t)}`;
  assert.equal((await fetch(badgeUrl(token))).status, 200);
  const at = Math.floor(token.length / 2);
  const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
  assert.equal((await fetch(badgeUrl(tampered))).status, 404);

  // "Save image" makes a PNG in the page that decodes to the same token.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-image')]);
  assert.equal(download.suggestedFilename(), `badge-${body.code}.png`);
  await download.saveAs(shot('04-badge-saved.png'));
  assert.equal(await decodeQr(shot('04-badge-saved.png')), body.badge_token);
  await page.waitForSelector('#badge-status:not([hidden])');

  // The badge page switches language in place too.
  const before = await controlTexts(page);
  await page.click('[data-lang-toggle]');
  await expectLanguage(page, 'en');
  const afterSwitch = await controlTexts(page);
  assert.equal(afterSwitch.length, before.length);
  before.forEach((text, i) => assert.notEqual(afterSwitch[i], text));
  assert.equal(await page.textContent('.visitor-type'), rawStrings.en['visitor_type.public']);
  assert.match(page.url(), /[?&]lang=en\b/);
  await page.screenshot({ path: shot('05-badge-en.png'), fullPage: true });

  // Printing: the buttons disappear and the badge fills exactly one A6 page (105 x 148 mm).
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#save-image'), false);
  assert.equal(await page.isVisible('#qr svg'), true);
  const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
  await page.emulateMedia({ media: null });
  fs.writeFileSync(shot('10-badge-print.pdf'), pdf, 'latin1');
  const pages = pdf.match(/\/Type\s*\/Page\b(?!s)/g) || [];
  assert.equal(pages.length, 1, 'the printed badge is one page');
  const box = pdf.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
  assert.ok(box, 'no MediaBox in the PDF');
  assert.deepEqual([Math.round(box[1] / 72 * 25.4), Math.round(box[2] / 72 * 25.4)], [105, 148]);
  await page.close();
});

test('switching to English changes every label, legend, button, hint and error in place', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await page.goto('/');
  // Errors first, so their text is part of what must change.
  await page.click('#submit');
  await page.waitForSelector('#name-error:not([hidden])');
  assert.equal(await page.textContent('#name-error'), rawStrings.id['error.field.name']);
  assert.equal(await page.getAttribute('#name', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
  assert.equal(await page.textContent('#form-status'), rawStrings.id['error.summary']);
  const errorsId = await page.$$eval('.error:not([hidden])', (els) => els.map((e) => e.textContent));
  assert.equal(errorsId.length, 4);  // name, visitor type, origin, consent (phone and e-mail are optional)
  await page.screenshot({ path: shot('06-form-errors-id.png'), fullPage: true });

  const id = await controlTexts(page);
  const url = page.url();
  await page.click('[data-lang-toggle]');
  assert.equal(page.url(), url.includes('?') ? url.replace(/lang=id/, 'lang=en') : `${url}?lang=en`);
  await expectLanguage(page, 'en');
  const en = await controlTexts(page);
  assert.equal(en.length, id.length);
  assert.ok(id.length >= 15, `only ${id.length} controls`);
  id.forEach((text, i) => assert.notEqual(en[i], text, `unchanged after switching: ${text}`));
  const errorsEn = await page.$$eval('.error:not([hidden])', (els) => els.map((e) => e.textContent));
  assert.equal(errorsEn.length, errorsId.length);
  errorsEn.forEach((text, i) => assert.notEqual(text, errorsId[i]));
  assert.equal(await page.textContent('#form-status'), rawStrings.en['error.summary']);
  await page.screenshot({ path: shot('07-form-errors-en.png'), fullPage: true });

  // The page switched in place reads the same as the one the server renders in English.
  const served = await newPage();
  await served.goto('/?lang=en');
  const servedTexts = await controlTexts(served);
  assert.deepEqual(servedTexts, en);
  await served.screenshot({ path: shot('08-form-en.png'), fullPage: true });
  // And back.
  await page.click('[data-lang-toggle]');
  await expectLanguage(page, 'id');
  assert.deepEqual(await controlTexts(page), id);
  await served.close();
  await page.close();
});

test('desk mode prints the badge and clears the form for the next visitor', { timeout: 120_000 }, async () => {
  const page = await newPage();
  await page.goto('/?mode=desk');
  assert.equal(await page.textContent('h1'), rawStrings.id['desk.title']);
  const visitor = uniqueVisitor('Meja');
  await fillForm(page, visitor, { regionLabel: 'Kabupaten Sidoarjo', type: 'student' });
  const [reply] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/visitors') && r.request().method() === 'POST'),
    page.click('#submit'),
  ]);
  assert.equal(reply.status(), 201);
  const body = await reply.json();
  await page.waitForSelector('#desk-result:not([hidden])');
  assert.ok(page.url().includes('mode=desk'), 'desk mode stays on the form');
  assert.ok((await page.textContent('#desk-done')).includes(`${body.code.slice(0, 4)} ${body.code.slice(4)}`));
  assert.equal(await page.inputValue('#name'), '');
  assert.equal(await page.inputValue('#phone'), '');
  assert.equal(await page.isChecked('#consent'), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
  // The badge is loaded in the print frame.
  const frame = page.frameLocator('#print-frame');
  await frame.locator('#qr svg').waitFor({ state: 'attached' });
  assert.equal((await frame.locator('.code').textContent()).replace(/\s/g, ''), body.code);
  await page.screenshot({ path: shot('09-desk-done.png') });

  // The next visitor gets a new Idempotency-Key.
  const next = uniqueVisitor('Meja');
  await fillForm(page, next, { regionLabel: 'Kota Malang', type: 'guest' });
  const [second] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/visitors') && r.request().method() === 'POST'),
    page.click('#submit'),
  ]);
  assert.equal(second.status(), 201);
  assert.notEqual(second.request().headers()['idempotency-key'], reply.request().headers()['idempotency-key']);
  assert.notEqual((await second.json()).visitor_id, body.visitor_id);
  await page.close();
});

test('a phone registered twice shows the localized error next to the phone field', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await page.goto('/');
  const visitor = uniqueVisitor('Ganda');
  const first = await fetch(`${service.base}/v1/visitors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: visitor.name, phone: visitor.phone, visitor_type: 'media', origin_region: 'other', consent: true }),
  });
  assert.equal(first.status, 201);
  await fillForm(page, { ...visitor, email: '' }, { regionLabel: 'Kota Batu', type: 'media' });
  const [reply] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/visitors')),
    page.click('#submit'),
  ]);
  assert.equal(reply.status(), 409);
  await page.waitForSelector('#phone-error:not([hidden])');
  assert.equal(await page.textContent('#phone-error'), rawStrings.id['error.code.already_registered']);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'phone');
  assert.ok(page.url().endsWith('/'), 'stays on the form');
  await page.close();
});

test('no script error on any page', () => {
  assert.deepEqual(pageErrors, []);
});
