// The desk pages in a real browser (Debian's chromium driven by
// playwright-core) against a real `idagent run --simulate`: simulated cards
// are inserted through the page's own simulator panel, the key is typed as
// a clerk would, and the forms, photo and verification panel are checked.
// Screenshots of each state go to artifacts/screenshots/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { chromium } from 'playwright-core';

import { IdAgent } from '../client/idagent.js';
import { formatDG13Date } from '../client/cccd.js';
import { startAgent, freePort, repoRoot, genuineVerdict, DESK_ORIGIN, HOTEL_FIELDS } from '../testing/agent.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.join(repoRoot, 'artifacts', 'screenshots');
const VIEWPORT = { width: 1366, height: 768 };
const STEP = 20000;

let agent;
let browser;
let page;
let json; // a client reading the same cards as JSON, to compare with the page
const pageErrors = [];

async function shot(name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

function asDesk() {
  class DeskWS extends WebSocket {
    constructor(url) {
      super(url, { origin: DESK_ORIGIN });
    }
  }
  return { WebSocket: DeskWS, fetch: (u, i = {}) => fetch(u, { ...i, headers: { ...(i.headers ?? {}), Origin: DESK_ORIGIN } }) };
}

// Every check of the read is shown, in words, with its status (passed:
// green; not supported or skipped: grey); a PASS verdict is green and the
// test anchor noted.
async function checkAllPassed(expected) {
  const checks = await page.$$eval('[data-testid="checks"] li', (lis) => lis.map((li) => ({ name: li.dataset.name, status: li.dataset.status, cls: li.className, text: li.textContent })));
  assert.equal(checks.length, expected.verification.checks.length);
  if (checks.length === 0) return;
  assert.ok(checks.length >= 3, `checks shown: ${checks.length}`);
  for (const c of checks) {
    const wire = expected.verification.checks.find((w) => w.name === c.name);
    assert.ok(wire, `check ${c.name} comes from the read`);
    assert.equal(c.status, wire.status, c.name);
    assert.equal(c.cls, c.status === 'PASS' ? 'ok' : 'neutral', `${c.name} (${c.status}) is ${c.cls}`);
    assert.ok(c.text.length > 10, `${c.name} is described`);
  }
  if (expected.verification.overall === 'PASS') assert.match(await byTestId('verdict').getAttribute('class'), /\bok\b/);
  const ran = expected.verification.checks.filter((c) => c.status !== 'NOT_SUPPORTED' && c.status !== 'SKIPPED').length;
  assert.equal(await byTestId('checks-summary').textContent(), `${ran}/${ran} mục kiểm tra đạt`);
  assert.equal(await byTestId('test-anchor').isVisible(), expected.verification.testAnchor, 'the test anchor is announced');
}

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const value = (sel) => page.locator(sel).inputValue();

async function insertThroughPanel({ profile = 'cccd', tamper = '', seed }) {
  await page.locator('#tab-hospital').click();
  await byTestId('sim-profile').selectOption(profile);
  await byTestId('sim-tamper').selectOption(tamper);
  await byTestId('sim-seed').fill(String(seed));
  const before = await byTestId('sim-id12').textContent();
  await byTestId('sim-insert').click();
  await page.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid="sim-id12"]');
    return el && !el.closest('[hidden]') && el.textContent && el.textContent !== prev;
  }, before, { timeout: STEP });
  assert.equal(await byTestId('sim-error').textContent(), '');
  return {
    id12: (await byTestId('sim-id12').textContent()).trim(),
    mrz: (await byTestId('sim-mrz').textContent()).trim(),
  };
}

// Removes the card and waits until the page has seen it leave.
async function removeThroughPanel() {
  await byTestId('sim-remove').click();
  await page.waitForSelector('[data-testid="reader"][data-cards="0"]', { timeout: STEP });
}

const readsStarted = async () => Number(await page.locator('body').getAttribute('data-reads') ?? '0');

// Waits until a read started after `since` reads ends: the final verdict,
// or an error under the key.
async function readEnd(since) {
  await page.waitForFunction((n) => {
    if (Number(document.body.dataset.reads ?? '0') <= n) return false;
    const v = document.querySelector('[data-testid="verdict"]').dataset.verdict;
    const e = document.querySelector('[data-testid="read-error"]').dataset.code;
    return (v && v !== 'PENDING') || e;
  }, since, { timeout: STEP });
  return {
    verdict: await byTestId('verdict').getAttribute('data-verdict'),
    error: await byTestId('read-error').getAttribute('data-code'),
  };
}

// Types the card's key as a clerk does, the 12-digit number, and waits for
// the read to end.
async function enterKey(card) {
  const since = await readsStarted();
  await byTestId('key').fill(card.id12);
  await byTestId('key').press('Enter');
  return readEnd(since);
}

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-web.sh does it)`);
  mkdirSync(SHOTS, { recursive: true });
  agent = await startAgent();
  json = new IdAgent({ url: agent.url, ...asDesk(), minDelayMs: 100, maxDelayMs: 500 });
  await json.connect();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Nothing but the agent: no fonts, no CDNs.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.protocol === 'data:') return route.continue();
    pageErrors.push(`external request to ${u.origin}`);
    return route.abort();
  });
});

after(async () => {
  await browser?.close();
  json?.close();
  await agent?.stop();
});

test('the desk page loads from the agent, connects, and shows the simulator panel', async () => {
  await page.goto(`${agent.url}/demo/`);
  await page.waitForSelector('body[data-connection="open"]', { timeout: STEP });
  await page.waitForSelector('[data-testid="sim"]:not([hidden])', { timeout: STEP });
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'key');
  // The panel offers exactly the profiles and forgeries the agent's hello lists.
  const options = (id) => page.locator(`[data-testid="${id}"] option`).evaluateAll((os) => os.map((o) => o.value));
  const profiles = await options('sim-profile');
  const tampers = await options('sim-tamper');
  assert.deepEqual([...profiles].sort(), ['cccd', 'cccd2024', 'passport', 'passport-3des', 'passport-bac-only', 'passport-cam', 'passport-dh', 'passport-im']);
  assert.equal(profiles[0], 'cccd');
  assert.equal(tampers[0], '');
  assert.equal(tampers.length, 12);
  assert.ok(tampers.includes('mrz-dg13-mismatch') && tampers.includes('ca-clone'));
  await shot('01-connected');
});

test('a cccd card inserted through the panel fills the hospital form, the photo and a fully passed verification', async () => {
  const card = await insertThroughPanel({ seed: 7 });
  const expected = await json.read({ access: { mrz: card.mrz }, photo: true });
  const end = await enterKey(card);
  assert.equal(end.error, '', `read failed: ${end.error}`);
  assert.equal(end.verdict, genuineVerdict(expected));
  const f = expected.fields;
  assert.equal(await value('#form-hospital [name=idNumber]'), card.id12);
  assert.equal(await value('#form-hospital [name=idNumber]'), f.idNumber);
  assert.equal(await value('#form-hospital [name=fullName]'), f.fullName);
  assert.equal(await value('#form-hospital [name=dateOfBirth]'), formatDG13Date(f.dateOfBirth));
  assert.equal(await value('#form-hospital [name=sex]'), f.sex);
  assert.equal(await value('#form-hospital [name=placeOfResidence]'), f.placeOfResidence);
  // The photo is shown and is the chip's.
  await page.waitForSelector('[data-testid="photo"]:not([hidden])', { timeout: STEP });
  const photo = await page.evaluate(() => {
    const img = document.querySelector('[data-testid="photo"]');
    return { w: img.naturalWidth, src: img.src.slice(0, 40), alt: img.alt };
  });
  assert.ok(photo.w > 0, 'the photo decodes');
  assert.ok(photo.src.startsWith('data:image/jpeg;base64,/9j/'));
  assert.ok(photo.alt.length > 0, 'the photo has an alt text');
  // Every check passed, in words, and the verdict is green.
  await checkAllPassed(expected);
  assert.equal(await byTestId('key').inputValue(), card.id12, 'the key stays while the card is on the reader');
  await shot('02-hospital-verified');

  // The same read fills the hotel and one-stop forms.
  await page.locator('#tab-hotel').click();
  assert.equal(await value('#form-hotel [name=documentType]'), 'id-card');
  assert.equal(await value('#form-hotel [name=documentNumber]'), card.id12);
  assert.equal(await value('#form-hotel [name=fullName]'), f.fullName);
  assert.equal(await value('#form-hotel [name=nationality]'), f.nationalityCode && f.nationalityCode !== f.nationality ? `${f.nationality} (${f.nationalityCode})` : f.nationality);
  await shot('03-hotel');
  await page.locator('#tab-onestop').click();
  for (const name of ['idNumber', 'fullName', 'nationality', 'ethnicity', 'religion', 'placeOfOrigin', 'placeOfResidence', 'identifyingMarks', 'fatherName', 'motherName']) {
    assert.equal(await value(`#form-onestop [name=${name}]`), f[name] ?? '', name);
  }
  for (const name of ['dateOfBirth', 'dateOfIssue']) {
    assert.equal(await value(`#form-onestop [name=${name}]`), formatDG13Date(f[name]), name);
  }
  assert.equal(await value('#form-onestop [name=dateOfExpiry]'), f.dateOfExpiry === null ? 'Không thời hạn' : formatDG13Date(f.dateOfExpiry));
  await shot('04-onestop');
  await page.locator('#tab-hospital').click();

  // The key is forgotten when the card leaves the reader.
  await removeThroughPanel();
  await page.waitForFunction(() => document.querySelector('[data-testid="key"]').value === '', null, { timeout: STEP });
});

test('a dg13-edited card shows a failed verification, in red, never green', async () => {
  const card = await insertThroughPanel({ tamper: 'dg13-edited', seed: 21 });
  const end = await enterKey(card);
  assert.equal(end.error, '', `read failed: ${end.error}`);
  assert.equal(end.verdict, 'FAIL');
  assert.match(await byTestId('verdict').getAttribute('class'), /\bbad\b/);
  assert.doesNotMatch(await byTestId('verdict').getAttribute('class'), /\bok\b/);
  const dg13 = page.locator('[data-testid="checks"] li[data-name="dg.hash.DG13"]');
  assert.equal(await dg13.getAttribute('data-status'), 'FAIL');
  assert.equal(await dg13.getAttribute('class'), 'bad');
  // The failure is listed first.
  assert.equal(await page.locator('[data-testid="checks"] li').first().getAttribute('data-status'), 'FAIL');
  assert.equal(await page.evaluate(() => document.body.classList.contains('verdict-bad')), true);
  const color = await byTestId('verdict').evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g] = color.match(/\d+/g).map(Number);
  assert.ok(r > g, `verdict background ${color} is not green`);
  await shot('05-tampered-dg13');
  await removeThroughPanel();
});

test('the key can come first: the read waits for the card, then reads it', async () => {
  const readers = await json.readers();
  for (const r of readers) if (r.cardPresent) await json.simRemove(r.name);
  const card = await json.simInsert({ profile: 'cccd', seed: 31 });
  const expected = await json.read({ access: { mrz: card.mrz } });
  await json.simRemove(card.reader);
  await page.waitForSelector('[data-testid="reader"][data-cards="0"]', { timeout: STEP });
  const since = await readsStarted();
  await byTestId('key').fill(card.id12);
  await byTestId('key').press('Enter');
  await page.waitForSelector('[data-testid="phase"]:visible', { timeout: STEP });
  await page.waitForFunction(() => /thẻ lên đầu đọc/.test(document.querySelector('[data-testid="phase"]').textContent), null, { timeout: STEP });
  await shot('06-waiting-for-card');
  await byTestId('sim-seed').fill('31');
  await byTestId('sim-tamper').selectOption('');
  await byTestId('sim-insert').click();
  const end = await readEnd(since);
  assert.equal(end.error, '');
  assert.equal(end.verdict, genuineVerdict(expected));
  assert.equal(await value('#form-hospital [name=fullName]'), expected.fields.fullName);
  await removeThroughPanel();
});

test('a QR payload from a keyboard-wedge scanner, typed into another field, becomes the key', async (t) => {
  const card = await insertThroughPanel({ seed: 41 });
  const expected = await json.read({ access: { mrz: card.mrz } });
  await page.waitForSelector('[data-testid="reader"][data-cards="1"]', { timeout: STEP });
  const [y, m, d] = expected.fields.dateOfBirth.split('-');
  const payload = `${card.id12}||Nguyen Van Quet|${d}${m}${y}|Nam|Ha Noi|`;
  // The clerk had started typing the name when the card's QR was scanned.
  await page.locator('#form-hospital [name=fullName]').fill('');
  await page.locator('#form-hospital [name=fullName]').focus();
  await page.keyboard.type('Ng', { delay: 0 });
  const since = await readsStarted();
  await page.keyboard.type(payload, { delay: 0 });
  await page.keyboard.press('Enter');
  t.diagnostic(`scanner burst as the page saw it: ${await page.locator('body').getAttribute('data-last-burst')}`);
  const end = await readEnd(since);
  assert.equal(end.error, '');
  assert.equal(end.verdict, genuineVerdict(expected));
  assert.equal(await byTestId('key').inputValue(), card.id12, 'only the number of the QR payload is shown');
  assert.equal(await value('#form-hospital [name=fullName]'), expected.fields.fullName, 'the scanned text left the name field, the read filled it');
  await removeThroughPanel();
});

test('the panel fills the key from the inserted card: QR for a cccd, MRZ for a passport that fills the hotel form', async () => {
  const card = await insertThroughPanel({ seed: 71 });
  assert.equal(await byTestId('sim-keyform').inputValue(), 'qr');
  await byTestId('sim-fill').click();
  assert.match(await byTestId('key').inputValue(), new RegExp(`^${card.id12}\\|`));
  let since = await readsStarted();
  await byTestId('key').press('Enter');
  let end = await readEnd(since);
  assert.equal(end.error, '');
  assert.equal(await byTestId('key').inputValue(), card.id12, 'a QR key shows as its number only');
  await removeThroughPanel();

  const pass = await insertThroughPanel({ profile: 'passport', seed: 72 });
  const expected = await json.read({ access: { mrz: pass.mrz } });
  await page.locator('#tab-hotel').click();
  assert.equal(await byTestId('sim-keyform').inputValue(), 'mrz');
  await byTestId('sim-fill').click();
  since = await readsStarted();
  await byTestId('key').press('Enter');
  end = await readEnd(since);
  assert.equal(end.error, '');
  assert.equal(end.verdict, genuineVerdict(expected));
  const f = expected.fields;
  assert.equal(f.documentType, 'passport');
  assert.equal(await value('#form-hotel [name=documentType]'), 'passport');
  assert.equal(await value('#form-hotel [name=documentNumber]'), f.documentNumber);
  assert.equal(await value('#form-hotel [name=fullName]'), f.fullName);
  assert.equal(await value('#form-hotel [name=dateOfBirth]'), formatDG13Date(f.dateOfBirth));
  assert.equal(await value('#form-hotel [name=dateOfExpiry]'), formatDG13Date(f.dateOfExpiry));
  assert.equal(await value('#form-hotel [name=nationality]'), f.nationality);
  assert.match(await byTestId('key').inputValue(), /^MRZ /, 'an MRZ key shows as its document number');
  await shot('12-hotel-passport');
  await page.locator('#tab-hospital').click();
  await removeThroughPanel();
  await byTestId('sim-profile').selectOption('cccd');
});

test('a wrong key is refused in words, and the key field is ready for a new one', async () => {
  const card = await insertThroughPanel({ seed: 51 });
  const wrongID12 = `${card.id12.slice(0, 6)}${card.id12.slice(6) === '000000' ? '111111' : '000000'}`;
  await byTestId('key').fill(wrongID12);
  await byTestId('key').press('Enter');
  await page.waitForSelector('[data-testid="read-error"][data-code="ACCESS_DENIED"]', { timeout: STEP });
  assert.match(await byTestId('read-error').textContent(), /Mã không mở được thẻ/);
  assert.equal(await byTestId('key').inputValue(), '');
  await byTestId('key').fill('123');
  await byTestId('key').press('Enter');
  assert.match(await byTestId('key-error').textContent(), /12 số/);
  await shot('07-wrong-key');
  await byTestId('key').fill('');
  await removeThroughPanel();
});

test('the page says when the agent stops, and reconnects by itself when it returns', async () => {
  await agent.stop();
  await page.waitForSelector('[data-testid="banner"]:not([hidden])', { timeout: STEP });
  await page.waitForSelector('body[data-connection="reconnecting"]', { timeout: STEP });
  const code = await byTestId('banner').getAttribute('data-code');
  assert.ok(['CONNECTION_LOST', 'AGENT_NOT_RUNNING'].includes(code), code);
  assert.match(await byTestId('banner').textContent(), /kết nối/);
  assert.match(await byTestId('connection').getAttribute('class'), /\bbad\b/);
  await page.waitForSelector('[data-testid="banner"][data-code="AGENT_NOT_RUNNING"]', { timeout: STEP });
  await shot('08-agent-stopped');
  await agent.start();
  await page.waitForSelector('body[data-connection="open"]', { timeout: 30000 });
  assert.match(await byTestId('banner').getAttribute('class'), /info/);
  await shot('09-reconnected');
  // It works again without a reload.
  const card = await insertThroughPanel({ seed: 61 });
  const end = await enterKey(card);
  assert.equal(end.error, '');
  assert.equal(end.verdict, 'PASS');
  await removeThroughPanel();
});

test('English on demand, everything within 1366×768, no page errors, no external requests', async () => {
  await byTestId('lang').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#tab-hospital').textContent(), 'Hospital');
  assert.match(await byTestId('verdict').textContent(), /Genuine card/);
  assert.equal(await byTestId('test-anchor').isVisible(), true, 'the test anchor notice is shown');
  const layout = await page.evaluate(() => {
    const r = (sel) => document.querySelector(sel).getBoundingClientRect();
    return {
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
      key: r('#key'), verdict: r('#verdict'), form: r('.desk-form:not([hidden])'), sim: r('#sim'),
    };
  });
  assert.ok(layout.scrollWidth <= VIEWPORT.width, `no horizontal scrolling (${layout.scrollWidth})`);
  assert.ok(layout.scrollHeight <= VIEWPORT.height, `no page scrolling (${layout.scrollHeight})`);
  for (const k of ['key', 'verdict', 'form']) {
    const b = layout[k];
    assert.ok(b.right <= VIEWPORT.width && b.bottom <= VIEWPORT.height && b.width > 0, `${k} is within the viewport`);
  }
  await shot('10-english');
  await page.locator('#tab-onestop').click();
  await shot('11-english-onestop');
  // Keyboard: tabs move with the arrow keys.
  await page.locator('#tab-onestop').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#tab-hotel').getAttribute('aria-selected'), 'true');
  await byTestId('lang').click();
  assert.deepEqual(pageErrors, []);
});

test('the agent\'s own pages get the policy configured for their origin: withheld fields say so', async () => {
  const port = await freePort();
  const restricted = await startAgent({ port, config: { origins: [{ origin: `http://127.0.0.1:${port}`, fields: HOTEL_FIELDS, photo: false }] } });
  const own = await browser.newPage({ viewport: VIEWPORT });
  own.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await own.goto(`${restricted.url}/demo/#onestop`);
    await own.waitForSelector('body[data-connection="open"]', { timeout: STEP });
    await own.locator('[data-testid="sim-insert"]').click();
    await own.waitForFunction(() => document.querySelector('[data-testid="sim-mrz"]').textContent.length > 20, null, { timeout: STEP });
    const mrz = (await own.locator('[data-testid="sim-mrz"]').textContent()).trim();
    await own.locator('[data-testid="key"]').fill(mrz);
    await own.locator('[data-testid="key"]').press('Enter');
    await own.waitForFunction(() => !['', 'PENDING'].includes(document.querySelector('[data-testid="verdict"]').dataset.verdict), null, { timeout: STEP });
    assert.notEqual(await own.locator('#form-onestop [name=fullName]').inputValue(), '');
    for (const name of ['ethnicity', 'religion', 'fatherName', 'placeOfOrigin']) {
      const input = own.locator(`#form-onestop [name=${name}]`);
      assert.equal(await input.inputValue(), '', `${name} is not sent`);
      assert.equal(await input.getAttribute('placeholder'), '(không được phép)', `${name} says it is withheld`);
    }
    assert.equal(await own.locator('[data-testid="photo"]').isHidden(), true, 'no photo for a policy without photo');
    await own.screenshot({ path: path.join(SHOTS, '13-policy-withheld.png') });
  } finally {
    await own.close();
    await restricted.stop();
  }
});

test('at contactless speed the fields fill before the photo and the verdict, with progress shown', async () => {
  // iso14443-106: the slowest link, so each stage of the read is visible.
  const slow = await startAgent({ args: ['--link', 'iso14443-106'] });
  const own = await browser.newPage({ viewport: VIEWPORT });
  own.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await own.goto(`${slow.url}/demo/`);
    await own.waitForSelector('body[data-connection="open"]', { timeout: STEP });
    await own.locator('[data-testid="sim-insert"]').click();
    await own.waitForFunction(() => document.querySelector('[data-testid="sim-mrz"]').textContent.length > 20, null, { timeout: STEP });
    await own.locator('[data-testid="key"]').fill((await own.locator('[data-testid="sim-mrz"]').textContent()).trim());
    await own.locator('[data-testid="key"]').press('Enter');
    // Progress first.
    await own.waitForSelector('[data-testid="phase"]:visible', { timeout: STEP });
    // Then the fields, while the photo is still being read and nothing is
    // proven yet: the verdict is neutral, not green.
    await own.waitForFunction(() => document.querySelector('#form-hospital [name=fullName]').value !== '', null, { timeout: 60000 });
    const during = await own.evaluate(() => ({
      verdict: document.querySelector('[data-testid="verdict"]').dataset.verdict,
      verdictClass: document.querySelector('[data-testid="verdict"]').className,
      photoShown: !document.querySelector('[data-testid="photo"]').hidden,
      progress: !document.querySelector('#progress-box').hidden,
    }));
    await own.screenshot({ path: path.join(SHOTS, '14-identity-before-photo.png') });
    assert.equal(during.verdict, 'PENDING', JSON.stringify(during));
    assert.doesNotMatch(during.verdictClass, /\bok\b/);
    assert.equal(during.photoShown, false, 'the photo comes after the fields');
    assert.equal(during.progress, true, 'progress stays until the read ends');
    await own.waitForFunction(() => !['', 'PENDING'].includes(document.querySelector('[data-testid="verdict"]').dataset.verdict), null, { timeout: 60000 });
    assert.equal(await own.locator('[data-testid="photo"]').isVisible(), true);
    assert.equal(await own.locator('#progress-box').isHidden(), true);
  } finally {
    await own.close();
    await slow.stop();
  }
});
