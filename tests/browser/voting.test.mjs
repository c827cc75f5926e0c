// The visitor's voting page in a real browser: Debian's Chromium, headless, on a phone-sized touch
// screen, against the registration, check-in and voting services running as processes on the test
// stack's Kafka and Redis, with the event clock on day 1 of the 2023 event during opening hours.
//
// A visitor registers, is checked in by two booth tablets (Kota Batu, 3 innovations; Kabupaten
// Pacitan, 2), and follows the badge page's link to the ballot:
// 1. it lists exactly those booths' innovations, under their regions, with 3 of 3 votes left;
// 2. a tap on Vote and "Yes" in the confirmation counts the vote ("Cancel" sends nothing): the item
//    shows voted, 2 left, and the service's GET /v1/votes/me agrees;
// 3. the same innovation voted from a second tab opened before the vote (as a second phone would):
//    the service refuses it (409 already_voted) and the page says so in Indonesian;
// 4. the language link reloads the ballot in English, and a vote there answers in English;
// 5. no script error on any page. Screenshots go to $EXPO_TEST_OUTPUT_DIR/voting.
//
// Run by ctest (label integration) as `node --test`; CMake passes the binaries and folders. A missing
// variable, binary or package fails the test: it never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { launchTrustingChromium, startFront } from './front.mjs';
import {
  checkIn, fillPlaceholders, freePort, importPlaywright, registerTablet, registerVisitor, required, requireFile,
  sharedSecrets, startService, until, watchPageErrors,
} from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
// Day 1 of the 2023 event, 10:00 WIB (open 08:00-21:00): the services' clock starts here.
const CLOCK_START = '2023-11-23T10:00:00+07:00';
// The two booths the visitor visits: Kota Batu (its real innovation and two demo ones) and Pacitan.
const BOOTHS = ['3579', '3501'];
const FIRST_VOTE = '3579-among-abdi-praja';
const ENGLISH_VOTE = '3501-demo-1';

const env = {};
let outputDir;
let secrets;
const services = {};  // { registration, checkin, voting }: helpers.mjs startService()
let front;            // the TLS front: { base, ca, forward, stop }
let strings;          // the voting page's strings.json, as shipped
let event;            // GET /v1/event of the voting service
let phone;            // { context, close() }: the visitor's phone
let visitor;          // registerVisitor(): { name, visitor_id, badge_token, ... }
let ballotUrl;        // the page the badge links to (through the front)
let staleTab;         // a second tab on the ballot, opened before the first vote
const pageErrors = [];

const shot = (name) => path.join(outputDir, name);
const item = (id) => `li.item[data-innovation-id="${id}"]`;
const innovationName = (id) => event.innovations.find((i) => i.innovation_id === id).name;

async function newPage() {
  return watchPageErrors(await phone.context.newPage(), pageErrors);
}

// The visitor's ballot as the voting service reports it.
async function myBallot() {
  const response = await fetch(`${services.voting.base}/v1/votes/me?token=${encodeURIComponent(visitor.badge_token)}`);
  if (response.status !== 200) assert.fail(`GET /v1/votes/me answered ${response.status}: ${await response.text()}`);
  return response.json();
}

// The ballot on screen: regions (headings) with their innovations, each with its button's state.
function ballotOnScreen(page) {
  return page.$$eval('section.region', (sections) => sections.map((section) => ({
    region: section.querySelector('h2').textContent.trim(),
    items: [...section.querySelectorAll('li.item')].map((li) => ({
      id: li.dataset.innovationId,
      name: li.querySelector('.name').textContent.trim(),
      voted: li.dataset.voted,
      button: li.querySelector('.vote').textContent.trim(),
      disabled: li.querySelector('.vote').disabled,
    })),
  })));
}

// What the page must list: the innovations of the booths visited, under their regions, both in the
// event's order (from the event the service publishes, not from the page's own markup).
function expectedBallot() {
  const shown = event.innovations.filter((i) => BOOTHS.includes(i.booth_id));
  const regionOf = (i) => i.region_id || event.booths.find((b) => b.booth_id === i.booth_id).region_id;
  return event.regions
    .filter((r) => shown.some((i) => regionOf(i) === r.region_id))
    .map((r) => ({ region: r.name, ids: shown.filter((i) => regionOf(i) === r.region_id).map((i) => i.innovation_id) }));
}

// Taps Vote on an innovation and answers the confirmation; with `yes`, returns the POST /v1/votes
// response the page received.
async function tapVote(page, id, { yes, screenshot }) {
  await page.tap(`${item(id)} .vote`);
  await page.waitForSelector('#confirm[open]');
  assert.equal((await page.textContent('#confirm-name')).trim(), innovationName(id));
  if (screenshot) await page.screenshot({ path: shot(screenshot) });
  if (!yes) {
    await page.tap('#confirm-no');
    await page.waitForSelector('#confirm:not([open])', { state: 'attached' });
    return null;
  }
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/votes' && r.request().method() === 'POST'),
    page.tap('#confirm-yes'),
  ]);
  // The answer is on the page once the message is no longer "sending".
  await page.waitForSelector('#message[data-kind="ok"], #message[data-kind="error"]');
  return response;
}

async function message(page) {
  return {
    kind: await page.getAttribute('#message', 'data-kind'),
    code: await page.getAttribute('#message', 'data-code'),
    text: (await page.textContent('#message')).trim(),
  };
}

before(async () => {
  env.kafka = required('EXPO_TEST_KAFKA_BROKERS');
  env.redisPort = required('EXPO_TEST_REDIS_PORT');
  env.runDir = required('EXPO_TEST_RUN_DIR');
  for (const name of ['registration', 'checkin', 'voting']) {
    env[name] = {
      binary: required(`EXPO_${name.toUpperCase()}_BINARY`),
      webDir: required(`EXPO_${name.toUpperCase()}_WEB_DIR`),
    };
    requireFile(env[name].binary, `the ${name} binary`);
  }
  outputDir = path.join(process.env.EXPO_TEST_OUTPUT_DIR || required('EXPO_BROWSER_DEFAULT_OUTPUT_DIR'), 'voting');
  fs.mkdirSync(outputDir, { recursive: true });
  fs.mkdirSync(env.runDir, { recursive: true });
  strings = JSON.parse(fs.readFileSync(path.join(env.voting.webDir, 'strings.json'), 'utf8'));
  const playwright = await importPlaywright();

  // The front first, as in the hall: the badge's voting link points at it, so registration must be
  // told its address, and the front must know the services' ports.
  const ports = { registration: await freePort(), checkin: await freePort(), voting: await freePort() };
  front = await startFront({ runDir: env.runDir, ports });

  secrets = sharedSecrets();
  const common = {
    ...secrets,
    EXPO_KAFKA_BROKERS: env.kafka,
    EXPO_REDIS_PORT: env.redisPort,
    EVENT_CLOCK_START: CLOCK_START,
    EVENT_CLOCK_ANCHOR_MS: String(Date.now()),
  };
  const run = `browser-test-${process.pid}-${Date.now()}`;
  const started = await Promise.allSettled([
    startService({
      name: 'registration', binary: env.registration.binary, runDir: env.runDir, port: ports.registration,
      // The limiter counts per address in Redis, across runs: reruns within a minute must not trip it.
      env: { ...common, EXPO_WEB_DIR: env.registration.webDir, EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE: '1000',
        EXPO_LINKS_VOTE_BASE_URL: front.base },
    }),
    startService({
      name: 'checkin', binary: env.checkin.binary, runDir: env.runDir, port: ports.checkin,
      env: { ...common, EXPO_WEB_DIR: env.checkin.webDir, EXPO_CHECKIN_VISITORS_GROUP: `${run}-visitors` },
    }),
    startService({
      name: 'voting', binary: env.voting.binary, runDir: env.runDir, port: ports.voting,
      // Groups of its own: the check-in view and the ledger read their topics from the start at once
      // instead of waiting for an earlier run's members to time out.
      env: { ...common, EXPO_WEB_DIR: env.voting.webDir, EXPO_VOTING_CHECKINS_GROUP: `${run}-checkins`,
        EXPO_VOTING_LEDGER_GROUP: `${run}-ledger` },
    }),
  ]);
  // Whatever started is stopped by after(), even when another did not.
  ['registration', 'checkin', 'voting'].forEach((name, i) => {
    if (started[i].status === 'fulfilled') services[name] = started[i].value;
  });
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  event = await (await fetch(`${services.voting.base}/v1/event`)).json();

  // The visitor, checked in at two booths by their tablets (with the badge's token, as the camera
  // reads it from the QR).
  visitor = await registerVisitor(services.registration.base, env.runDir, 'Wulan');
  for (const booth of BOOTHS) {
    const tablet = await registerTablet(services.checkin.base, secrets.ADMIN_TOKEN, booth, `Tablet Uji ${booth}`);
    const scan = await checkIn(services.checkin.base, tablet.device_key, visitor.badge_token);
    assert.equal(scan.status, 201, JSON.stringify(scan.body));
    assert.equal(scan.body.booth_id, booth);
  }
  // The voting service learns check-ins from checkins.v1 (its own group reads it from the start).
  await until('the voting service knowing both check-ins', async () => {
    const ballot = await myBallot();
    return BOOTHS.every((b) => ballot.booths_visited.includes(b));
  }, { timeoutMs: 60_000, everyMs: 300 });
  // Voting is open at 10:00 on day 1 unless operations closed it. The switch lives in admin.v1 for
  // the whole stack: an interrupted voting test may have left it closed, and this test is not about it.
  if (!(await myBallot()).open) {
    const opened = await fetch(`${services.voting.base}/v1/admin/voting/open`, {
      method: 'POST', headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
    });
    assert.equal(opened.status, 200);
    await until('voting open', async () => (await myBallot()).open);
  }

  phone = await launchTrustingChromium(playwright, front, {
    viewport: PHONE, screen: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
});

after(async () => {
  if (phone) await phone.close();
  try {
    if (front) await front.stop();
  } finally {
    await Promise.all(Object.values(services).map((s) => s.stop()));
  }
});

test('the badge links to the ballot: the innovations of the two booths visited, by region, 3 of 3 votes left',
  { timeout: 60_000 }, async () => {
    const page = await newPage();
    await page.goto(`/v1/visitors/${encodeURIComponent(visitor.visitor_id)}/badge?token=${encodeURIComponent(visitor.badge_token)}`);
    await Promise.all([page.waitForURL(/\/vote\?/), page.tap('#vote-link')]);
    ballotUrl = `${front.base}/vote?token=${visitor.badge_token}`;
    assert.equal(page.url(), ballotUrl);
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    assert.equal((await page.textContent('h1')).trim(), strings.id['ballot.title']);
    assert.equal(await page.getAttribute('body', 'data-open'), 'true');

    const expected = expectedBallot();
    assert.deepEqual(expected.map((g) => g.ids.length), [2, 3], 'Pacitan (2) before Kota Batu (3), in event order');
    const shown = await ballotOnScreen(page);
    assert.deepEqual(shown.map((g) => ({ region: g.region, ids: g.items.map((i) => i.id) })), expected);
    for (const shownItem of shown.flatMap((g) => g.items)) {
      assert.deepEqual(shownItem, {
        id: shownItem.id, name: innovationName(shownItem.id), voted: 'false', button: strings.id['button.vote'], disabled: false,
      });
    }
    assert.equal((await page.textContent('#remaining')).trim(), '3');
    assert.equal((await page.textContent('.remaining')).trim(), fillPlaceholders(strings.id['ballot.remaining'], { n: 3, total: 3 }));
    assert.equal(await page.$('#notice'), null, 'no notice while voting is open and votes are left');
    assert.equal(await page.$('#empty'), null);
    await page.screenshot({ path: shot('voting-01-ballot.png'), fullPage: true });

    // A second tab on the same ballot, left open: it will still offer this vote after it is cast.
    staleTab = await newPage();
    await staleTab.goto(ballotUrl);
    await staleTab.waitForSelector(item(FIRST_VOTE));
    await page.close();
  });

test('a tap on Vote and "Yes" counts the vote: the item shows voted, 2 left, and the service agrees',
  { timeout: 60_000 }, async () => {
    const page = await newPage();
    await page.goto(ballotUrl);
    const votesSent = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/v1/votes') votesSent.push(r); });

    // "Cancel" sends nothing and changes nothing.
    assert.equal(await tapVote(page, FIRST_VOTE, { yes: false }), null);
    assert.equal(votesSent.length, 0);
    assert.equal((await page.textContent('#message')).trim(), '');
    assert.equal(await page.getAttribute(item(FIRST_VOTE), 'data-voted'), 'false');

    // The dialog in Indonesian, naming the innovation.
    await page.tap(`${item(FIRST_VOTE)} .vote`);
    await page.waitForSelector('#confirm[open]');
    assert.equal((await page.textContent('#confirm-title')).trim(), strings.id['confirm.title']);
    assert.equal((await page.textContent('#confirm-yes')).trim(), strings.id['confirm.yes']);
    assert.equal((await page.textContent('#confirm-no')).trim(), strings.id['confirm.no']);
    await page.tap('#confirm-no');
    await page.waitForSelector('#confirm:not([open])', { state: 'attached' });

    const response = await tapVote(page, FIRST_VOTE, { yes: true, screenshot: 'voting-02-confirm.png' });
    assert.equal(votesSent.length, 1);
    assert.equal(response.status(), 201);
    const answer = await response.json();
    assert.equal(answer.result, 'accepted');
    assert.equal(answer.remaining_today, 2);
    const sent = votesSent[0].postDataJSON();
    assert.equal(sent.badge, visitor.badge_token);
    assert.equal(sent.innovation_id, FIRST_VOTE);
    assert.match(sent.client_event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    assert.deepEqual(await message(page), {
      kind: 'ok', code: null, text: fillPlaceholders(strings.id['msg.accepted'], { name: innovationName(FIRST_VOTE) }),
    });
    assert.equal(await page.getAttribute(item(FIRST_VOTE), 'data-voted'), 'true');
    assert.equal(await page.isDisabled(`${item(FIRST_VOTE)} .vote`), true);
    assert.equal((await page.textContent(`${item(FIRST_VOTE)} .vote`)).trim(), strings.id['button.voted']);
    assert.equal((await page.textContent('#remaining')).trim(), '2');
    await page.screenshot({ path: shot('voting-03-voted.png') });

    const ballot = await myBallot();
    assert.equal(ballot.remaining_today, 2);
    assert.equal(ballot.votes_per_day, 3);
    assert.deepEqual(ballot.innovations_voted, [FIRST_VOTE]);
    assert.deepEqual([...ballot.booths_visited].sort(), [...BOOTHS].sort());

    // A page opened now shows the vote as the server knows it.
    await page.reload();
    assert.equal(await page.getAttribute(item(FIRST_VOTE), 'data-voted'), 'true');
    assert.equal(await page.isDisabled(`${item(FIRST_VOTE)} .vote`), true);
    assert.equal((await page.textContent('#remaining')).trim(), '2');
    await page.close();
  });

test('the same innovation again, from a tab opened before the vote: the service refuses and the page says why',
  { timeout: 60_000 }, async () => {
    // Nothing on this tab changed: it offers the vote as any page rendered before it would.
    assert.equal(await staleTab.getAttribute(item(FIRST_VOTE), 'data-voted'), 'false');
    assert.equal(await staleTab.isDisabled(`${item(FIRST_VOTE)} .vote`), false);
    const response = await tapVote(staleTab, FIRST_VOTE, { yes: true });
    assert.equal(response.status(), 409);
    assert.equal((await response.json()).error.code, 'already_voted');
    assert.deepEqual(await message(staleTab), {
      kind: 'error',
      code: 'already_voted',
      text: fillPlaceholders(strings.id['msg.error.already_voted'], { name: innovationName(FIRST_VOTE) }),
    });
    // The page now knows: the item shows voted, and the votes left are the ballot's, not the stale 3.
    assert.equal(await staleTab.getAttribute(item(FIRST_VOTE), 'data-voted'), 'true');
    assert.equal(await staleTab.isDisabled(`${item(FIRST_VOTE)} .vote`), true);
    await staleTab.waitForFunction(() => document.getElementById('remaining').textContent.trim() === '2');
    await staleTab.screenshot({ path: shot('voting-04-refused.png') });
    // Nothing counted.
    const ballot = await myBallot();
    assert.equal(ballot.remaining_today, 2);
    assert.deepEqual(ballot.innovations_voted, [FIRST_VOTE]);
    await staleTab.close();
  });

test('the language link reloads the ballot in English, and a vote there answers in English', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await page.goto(ballotUrl);
  assert.equal((await page.textContent('.lang-toggle')).trim(), strings.id['lang.toggle']);
  await Promise.all([page.waitForURL(/[?&]lang=en\b/), page.tap('.lang-toggle')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.textContent('h1')).trim(), strings.en['ballot.title']);
  assert.equal((await page.textContent('.lead')).trim(), strings.en['ballot.intro']);
  assert.equal((await page.textContent('.remaining')).trim(), fillPlaceholders(strings.en['ballot.remaining'], { n: 2, total: 3 }));
  assert.equal((await page.textContent('.lang-toggle')).trim(), strings.en['lang.toggle']);
  assert.equal((await page.textContent('.more a')).trim(), strings.en['ballot.refresh']);
  // The same ballot, in English buttons.
  const shown = await ballotOnScreen(page);
  assert.deepEqual(shown.map((g) => ({ region: g.region, ids: g.items.map((i) => i.id) })), expectedBallot());
  for (const shownItem of shown.flatMap((g) => g.items)) {
    const voted = shownItem.id === FIRST_VOTE;
    assert.equal(shownItem.button, strings.en[voted ? 'button.voted' : 'button.vote'], shownItem.id);
    assert.equal(shownItem.disabled, voted, shownItem.id);
  }
  await page.screenshot({ path: shot('voting-05-ballot-en.png'), fullPage: true });

  await page.tap(`${item(ENGLISH_VOTE)} .vote`);
  await page.waitForSelector('#confirm[open]');
  assert.equal((await page.textContent('#confirm-title')).trim(), strings.en['confirm.title']);
  assert.equal((await page.textContent('#confirm-yes')).trim(), strings.en['confirm.yes']);
  assert.equal((await page.textContent('#confirm-no')).trim(), strings.en['confirm.no']);
  await page.tap('#confirm-no');
  await page.waitForSelector('#confirm:not([open])', { state: 'attached' });
  const response = await tapVote(page, ENGLISH_VOTE, { yes: true });
  assert.equal(response.status(), 201);
  assert.deepEqual(await message(page), {
    kind: 'ok', code: null, text: fillPlaceholders(strings.en['msg.accepted'], { name: innovationName(ENGLISH_VOTE) }),
  });
  assert.equal((await page.textContent(`${item(ENGLISH_VOTE)} .vote`)).trim(), strings.en['button.voted']);
  assert.equal((await page.textContent('#remaining')).trim(), '1');
  await page.screenshot({ path: shot('voting-06-voted-en.png') });
  const ballot = await myBallot();
  assert.equal(ballot.remaining_today, 1);
  assert.deepEqual([...ballot.innovations_voted].sort(), [FIRST_VOTE, ENGLISH_VOTE].sort());
  await page.close();
});

test('no script error on any page', () => {
  assert.deepEqual(pageErrors, []);
});
