// The desk pages in a real browser (Debian's chromium driven by
// playwright-core) against a real `idagent run --simulate`: simulated cards
// are inserted through the page's own simulator panel, the key is typed as
// a clerk would, and the forms, photo and verification panel are checked.
// Screenshots of each state go to artifacts/screenshots/ (gitignored).
//
// Nothing here waits on time: every step waits for a state of the page's
// DOM. What a clerk could see while a read runs is recorded by a
// MutationObserver in the page (every change of the page, with the values
// on screen after it), and the assertions run over that record.
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
const SLOW = 90000; // a whole read over the iso14443-106 link model
const LAUNCH = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let agent;
let browser;
let page;
let json; // a client reading the same cards as JSON, to compare with the page
const pageErrors = [];

async function shot(name, p = page) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

function asDesk() {
  class DeskWS extends WebSocket {
    constructor(url) {
      super(url, { origin: DESK_ORIGIN });
    }
  }
  return { WebSocket: DeskWS, fetch: (u, i = {}) => fetch(u, { ...i, headers: { ...(i.headers ?? {}), Origin: DESK_ORIGIN } }) };
}

const by = (p, id) => p.locator(`[data-testid="${id}"]`);
const byTestId = (id) => by(page, id);
const value = (sel, p = page) => p.locator(sel).inputValue();

// Every check of the read is shown, in words, with its status (passed:
// green; not supported or skipped: grey); a PASS verdict is green, named
// as a test card, and the test anchor noted.
async function checkAllPassed(expected) {
  const checks = await page.$$eval('[data-testid="checks"] li', (lis) => lis.map((li) => ({ name: li.dataset.name, status: li.dataset.status, cls: li.className, text: li.textContent })));
  assert.equal(checks.length, expected.verification.checks.length);
  assert.ok(checks.length >= 3, `checks shown: ${checks.length}`);
  for (const c of checks) {
    const wire = expected.verification.checks.find((w) => w.name === c.name);
    assert.ok(wire, `check ${c.name} comes from the read`);
    assert.equal(c.status, wire.status, c.name);
    assert.equal(c.cls, c.status === 'PASS' ? 'ok' : 'neutral', `${c.name} (${c.status}) is ${c.cls}`);
    assert.ok(c.text.length > 10, `${c.name} is described`);
  }
  assert.match(await byTestId('verdict').getAttribute('class'), /\bok\b/);
  assert.equal(await byTestId('verdict-text').textContent(), 'Hợp lệ (thẻ thử nghiệm)');
  const ran = expected.verification.checks.filter((c) => c.status !== 'NOT_SUPPORTED' && c.status !== 'SKIPPED').length;
  assert.equal(await byTestId('checks-summary').textContent(), `${ran}/${ran} mục kiểm tra đạt`);
  assert.equal(await byTestId('test-anchor').isVisible(), expected.verification.testAnchor, 'the test anchor is announced');
}

async function insertThroughPanel({ profile = 'cccd', tamper = '', attack = '', seed }, p = page) {
  await by(p, 'sim-profile').selectOption(profile);
  await by(p, 'sim-tamper').selectOption(tamper);
  await by(p, 'sim-attack').selectOption(attack);
  await by(p, 'sim-seed').fill(String(seed));
  const before = await by(p, 'sim-mrz').textContent();
  await by(p, 'sim-insert').click();
  await p.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid="sim-mrz"]');
    return el && !el.closest('[hidden]') && el.textContent && el.textContent !== prev;
  }, before, { timeout: STEP });
  assert.equal(await by(p, 'sim-error').textContent(), '');
  return {
    id12: (await by(p, 'sim-id12').textContent()).trim(),
    mrz: (await by(p, 'sim-mrz').textContent()).trim(),
    documentNumber: (await by(p, 'sim-doc').textContent()).trim(),
  };
}

// Removes the card and waits until the page has seen it leave.
async function removeThroughPanel(p = page) {
  await by(p, 'sim-remove').click();
  await p.waitForSelector('[data-testid="reader"][data-cards="0"]', { timeout: STEP });
}

const readsStarted = async (p = page) => Number(await p.locator('body').getAttribute('data-reads') ?? '0');

// Waits until a read started after `since` reads ends: the final verdict,
// or an error under the key.
async function readEnd(since, p = page, timeout = STEP) {
  await p.waitForFunction((n) => {
    if (Number(document.body.dataset.reads ?? '0') <= n) return false;
    const v = document.querySelector('[data-testid="verdict"]');
    const e = document.querySelector('[data-testid="read-error"]').dataset.code;
    return v.dataset.final === 'true' || e;
  }, since, { timeout });
  return {
    verdict: await by(p, 'verdict').getAttribute('data-verdict'),
    error: await by(p, 'read-error').getAttribute('data-code'),
  };
}

// Types a key into the card's field as a clerk does and waits for the read
// to end.
async function enterKey(key, p = page, timeout = STEP) {
  const since = await readsStarted(p);
  await by(p, 'kind-card').click();
  await by(p, 'key').fill(key);
  await by(p, 'key').press('Enter');
  return readEnd(since, p, timeout);
}

// record starts recording, in the page, every state a clerk could see: a
// snapshot after each change of the DOM (a browser paints only between
// tasks, and the page changes the fields and the verdict in one task).
async function record(p) {
  await p.evaluate(() => {
    const snap = () => {
      const v = document.querySelector('[data-testid="verdict"]');
      const lis = [...document.querySelectorAll('[data-testid="checks"] li')];
      return {
        verdict: v.dataset.verdict,
        final: v.dataset.final,
        verdictClass: v.className,
        headline: document.querySelector('[data-testid="verdict-text"]').textContent,
        okItems: lis.filter((li) => li.classList.contains('ok')).length,
        ticks: lis.filter((li) => li.querySelector('.icon').textContent === '✓').length,
        items: lis.length,
        summary: document.querySelector('[data-testid="checks-summary"]').textContent,
        bodyOk: document.body.classList.contains('verdict-ok'),
        name: document.querySelector('#form-hospital [name=fullName]').value,
        photo: !document.querySelector('[data-testid="photo"]').hidden,
        cardEvents: Number(document.body.dataset.cardEvents ?? '0'),
        reads: Number(document.body.dataset.reads ?? '0'),
      };
    };
    window.timeline = [snap()];
    window.recorder?.disconnect();
    window.recorder = new MutationObserver(() => window.timeline.push(snap()));
    window.recorder.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

const timeline = (p) => p.evaluate(() => window.timeline);

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-web.sh does it)`);
  mkdirSync(SHOTS, { recursive: true });
  agent = await startAgent();
  json = new IdAgent({ url: agent.url, ...asDesk(), minDelayMs: 100, maxDelayMs: 500 });
  await json.connect();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH });
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

// A fresh page of an agent (for agents started with their own flags).
async function ownPage(url) {
  const p = await browser.newPage({ viewport: VIEWPORT });
  p.on('pageerror', (e) => pageErrors.push(e.message));
  await p.goto(url);
  await p.waitForSelector('body[data-connection="open"]', { timeout: STEP });
  return p;
}

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
  assert.deepEqual([...profiles].sort(), [...json.info.sim.profiles].sort());
  assert.ok(profiles.includes('passport') && profiles.includes('cccd2024'));
  assert.equal(profiles[0], 'cccd');
  // Every profile the agent offers has words in the panel, not its raw name.
  const labels = await page.locator('[data-testid="sim-profile"] option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  for (const [v, text] of labels) assert.notEqual(text, v, `profile ${v} has no words in the panel`);
  assert.equal(tampers[0], '');
  assert.deepEqual(tampers.slice(1).sort(), [...json.info.sim.tampers].sort());
  assert.ok(tampers.includes('mrz-dg13-mismatch') && tampers.includes('ca-clone') && tampers.includes('aa-clone'));
  const attacks = await options('sim-attack');
  assert.equal(attacks[0], '');
  assert.deepEqual(attacks.slice(1).sort(), [...json.info.sim.attacks].sort());
  assert.doesNotMatch(await page.locator('body').textContent(), /[Tt]hẻ thật/);
  await shot('01-connected');
});

test('a cccd card inserted through the panel fills the hospital form, the photo and a fully passed verification', async () => {
  const card = await insertThroughPanel({ seed: 7 });
  const expected = await json.read({ access: { mrz: card.mrz }, photo: true });
  const end = await enterKey(card.id12);
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
  // Every check passed, in words, the verdict is green and says test card.
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

  // The person leaves with the card: key, fields, photo and verdict.
  await removeThroughPanel();
  await page.waitForFunction(() => document.querySelector('[data-testid="key"]').value === '', null, { timeout: STEP });
  assert.equal(await value('#form-hospital [name=fullName]'), '');
  assert.equal(await value('#form-onestop [name=fullName]'), '');
  assert.equal(await byTestId('photo').isHidden(), true);
  assert.equal(await byTestId('verdict').getAttribute('data-verdict'), '');
  assert.equal(await page.locator('[data-testid="checks"] li').count(), 0);
});

test('a dg13-edited card shows a failed verification, in red, in its own words', async () => {
  const card = await insertThroughPanel({ tamper: 'dg13-edited', seed: 21 });
  const end = await enterKey(card.id12);
  assert.equal(end.error, '', `read failed: ${end.error}`);
  assert.equal(end.verdict, 'FAIL');
  assert.match(await byTestId('verdict').getAttribute('class'), /\bbad\b/);
  assert.doesNotMatch(await byTestId('verdict').getAttribute('class'), /\bok\b/);
  assert.match(await byTestId('verdict-text').textContent(), /đã bị SỬA sau khi cấp/);
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

test('revoked and expired signers, an untrusted issuer and a swapped photo each read as what they are', async () => {
  for (const [tamper, headline, seed, file] of [
    ['dsc-revoked', /THU HỒI/, 22, '05b-revoked-signer'],
    ['dsc-expired', /HẾT HẠN/, 23, '05c-expired-signer'],
    ['dsc-untrusted', /chưa có chứng chỉ gốc/, 24, '05d-untrusted-issuer'],
    ['dg2-swapped', /ảnh trong chip đã bị THAY/, 25, '05e-photo-swapped'],
  ]) {
    const card = await insertThroughPanel({ tamper, seed });
    const end = await enterKey(card.id12);
    assert.equal(end.error, '', `${tamper}: read failed: ${end.error}`);
    const text = await byTestId('verdict-text').textContent();
    assert.match(text, headline, `${tamper}: ${text}`);
    assert.doesNotMatch(text, /sửa đổi hoặc giả mạo/);
    if (tamper === 'dsc-untrusted') {
      // No portrait without a trusted issuer, and the empty frame says why.
      assert.equal(await page.locator('#photo').isVisible(), false);
      assert.match(await page.locator('#photo-empty').textContent(), /chỉ hiện ảnh khi chứng minh được cơ quan cấp đã ký/);
    }
    const shown = await page.$$eval('[data-testid="checks"] li', (lis) => lis.map((li) => li.dataset.status));
    assert.equal(shown[0], end.verdict, `${tamper}: the deciding check comes first`);
    assert.ok(await page.locator('[data-testid="checks"] li .text:not(.sr-only)').count() >= 1, `${tamper}: the deciding check says why`);
    await shot(file);
    await removeThroughPanel();
  }
});

test('a chip that fails its own PACE proof turns the page red in its own words, never a wrong-key message', async () => {
  const card = await insertThroughPanel({ attack: 'pace-token-bad', seed: 26 });
  const since = await readsStarted();
  await byTestId('key').fill(card.id12);
  await byTestId('key').press('Enter');
  await page.waitForSelector('[data-testid="read-error"][data-code="CHIP_AUTH_TOKEN_INVALID"]', { timeout: STEP });
  await readEnd(since);
  assert.match(await byTestId('read-error').textContent(), /không chứng minh được mình là chip thật/);
  assert.doesNotMatch(await byTestId('read-error').textContent(), /Mã không mở được/);
  assert.equal(await byTestId('verdict').getAttribute('data-verdict'), 'FAIL');
  assert.equal(await page.evaluate(() => document.body.classList.contains('verdict-bad')), true);
  assert.equal(await value('#form-hospital [name=fullName]'), '', 'nothing of the chip fills the form');
  await shot('05f-pace-token-bad');
  await removeThroughPanel();
  await byTestId('sim-attack').selectOption('');
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
  await page.waitForFunction(() => /lên đầu đọc/.test(document.querySelector('[data-testid="phase"]').textContent), null, { timeout: STEP });
  await shot('06-waiting-for-card');
  await byTestId('sim-seed').fill('31');
  await byTestId('sim-tamper').selectOption('');
  await byTestId('sim-attack').selectOption('');
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

test('the panel fills the key from the inserted card: the QR code of a cccd', async () => {
  const card = await insertThroughPanel({ seed: 71 });
  assert.equal(await byTestId('sim-keyform').inputValue(), 'qr');
  await byTestId('sim-fill').click();
  assert.match(await byTestId('key').inputValue(), new RegExp(`^${card.id12}\\|`));
  const since = await readsStarted();
  await byTestId('key').press('Enter');
  const end = await readEnd(since);
  assert.equal(end.error, '');
  assert.equal(await byTestId('key').inputValue(), card.id12, 'a QR key shows as its number only');
  await removeThroughPanel();
});

test('a passport is read at the hotel desk by typing its number, birth date and expiry date', async () => {
  await page.locator('#tab-hotel').click();
  const pass = await insertThroughPanel({ profile: 'passport', seed: 72 });
  const expected = await json.read({ access: { mrz: pass.mrz } });
  const f = expected.fields;
  const birth = formatDG13Date(f.dateOfBirth);
  const expiry = formatDG13Date(f.dateOfExpiry);
  // The hint says how a passport opens.
  assert.match(await byTestId('key-hint').textContent(), /Hộ chiếu/);
  // A clerk types the passport number where an ID card's goes: the page
  // takes it to the passport form and asks for the dates, in words.
  await byTestId('key').fill(pass.documentNumber);
  await byTestId('key').press('Enter');
  await page.waitForSelector('[data-testid="p-number"]:visible', { timeout: STEP });
  assert.equal(await byTestId('p-number').inputValue(), pass.documentNumber);
  assert.match(await byTestId('key-error').textContent(), /ngày sinh và ngày hết hạn/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'p-birth');
  assert.equal(await byTestId('read-error').textContent(), '');
  await shot('12a-passport-asks-dates');
  const since = await readsStarted();
  await byTestId('p-birth').fill(birth);
  await byTestId('p-expiry').fill(expiry);
  await byTestId('p-expiry').press('Enter');
  const end = await readEnd(since);
  assert.equal(end.error, '', `read failed: ${end.error}`);
  assert.equal(end.verdict, genuineVerdict(expected));
  assert.equal(await byTestId('key-error').textContent(), '');
  assert.equal(f.documentType, 'passport');
  assert.equal(await value('#form-hotel [name=documentType]'), 'passport');
  assert.equal(await value('#form-hotel [name=documentNumber]'), f.documentNumber);
  assert.equal(await value('#form-hotel [name=fullName]'), f.fullName);
  assert.equal(await value('#form-hotel [name=dateOfBirth]'), birth);
  assert.equal(await value('#form-hotel [name=dateOfExpiry]'), expiry);
  assert.equal(await value('#form-hotel [name=nationality]'), f.nationality);
  assert.equal(await byTestId('verdict-text').textContent(), 'Hợp lệ (hộ chiếu thử nghiệm)');
  await shot('12-hotel-passport');
  // A Vietnamese passport carries its holder's ID number: the hospital's
  // "Số định danh" has it (docs/PROTOCOL.md §4).
  await page.locator('#tab-hospital').click();
  assert.match(f.idNumber ?? '', /^\d{12}$/);
  assert.equal(await value('#form-hospital [name=idNumber]'), f.idNumber);
  await removeThroughPanel();
  assert.equal(await byTestId('p-number').inputValue(), '', 'the passport key leaves with the passport');
  await byTestId('kind-card').click();
  await byTestId('sim-profile').selectOption('cccd');
});

test('a wrong key stays, selected, for correction, with one error at a time', async () => {
  const card = await insertThroughPanel({ seed: 51 });
  const wrongID12 = `${card.id12.slice(0, 6)}${card.id12.slice(6) === '000000' ? '111111' : '000000'}`;
  const since = await readsStarted();
  await byTestId('key').fill(wrongID12);
  await byTestId('key').press('Enter');
  await page.waitForSelector('[data-testid="read-error"][data-code="ACCESS_DENIED"]', { timeout: STEP });
  await readEnd(since);
  assert.match(await byTestId('read-error').textContent(), /Mã không mở được giấy tờ này/);
  assert.equal(await byTestId('key').inputValue(), wrongID12, 'the key stays');
  const sel = await page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id, start: el?.selectionStart, end: el?.selectionEnd, len: el?.value.length };
  });
  assert.deepEqual(sel, { id: 'key', start: 0, end: wrongID12.length, len: wrongID12.length }, 'the key is focused and selected');
  await shot('07-wrong-key');
  // A malformed key: its error replaces the read's, never under it.
  await byTestId('key').fill('123');
  await byTestId('key').press('Enter');
  assert.match(await byTestId('key-error').textContent(), /12 số/);
  assert.equal(await byTestId('read-error').textContent(), '');
  assert.equal(await byTestId('read-error').isVisible(), false);
  // The corrected key reads, and no error stays.
  const end = await enterKey(card.id12);
  assert.equal(end.error, '');
  assert.equal(await byTestId('key-error').textContent(), '');
  assert.equal(end.verdict, 'PASS');
  await removeThroughPanel();
});

test('one person at a time: a second card after a genuine read never shows the first person next to a green verdict', async () => {
  const first = await insertThroughPanel({ seed: 81 });
  let end = await enterKey(first.id12);
  assert.equal(end.verdict, 'PASS');
  const firstName = await value('#form-hospital [name=fullName]');
  assert.ok(firstName);
  await record(page);
  const events = await page.evaluate(() => Number(document.body.dataset.cardEvents ?? '0'));
  // The next guest's card replaces the first on the reader.
  const second = await insertThroughPanel({ seed: 82 });
  await page.waitForFunction((n) => Number(document.body.dataset.cardEvents) > n, events, { timeout: STEP });
  end = await enterKey(second.id12);
  assert.equal(end.verdict, 'PASS');
  const secondName = await value('#form-hospital [name=fullName]');
  assert.notEqual(secondName, firstName);
  await shot('15-second-card');
  const tl = await timeline(page);
  const after = tl.filter((s) => s.cardEvents > events);
  assert.ok(after.length > 3, `recorded ${after.length} states after the card changed`);
  for (const s of after) {
    assert.notEqual(s.name, firstName, `the first person is on screen after the card changed: ${JSON.stringify(s)}`);
  }
  // A new key typed with a card still on the reader: the person on screen
  // goes at once.
  await record(page);
  const reads = await readsStarted();
  end = await enterKey(second.id12);
  assert.equal(end.verdict, 'PASS');
  const started = (await timeline(page)).filter((s) => s.reads > reads);
  assert.equal(started[0].name, '', 'the fields are empty when the new read starts');
  assert.equal(started[0].verdict, 'PENDING');
  await removeThroughPanel();
});

test('"Xóa biểu mẫu" clears everything: every form, the photo, the verdict and the key', async () => {
  const card = await insertThroughPanel({ seed: 91 });
  const end = await enterKey(card.id12);
  assert.equal(end.verdict, 'PASS');
  await page.waitForSelector('[data-testid="photo"]:not([hidden])', { timeout: STEP });
  await page.locator('#form-hospital button.clear').click();
  const state = await page.evaluate(() => ({
    values: [...document.querySelectorAll('.desk-form input, .desk-form select, .desk-form textarea')].map((el) => el.value).filter(Boolean),
    photo: !document.querySelector('[data-testid="photo"]').hidden,
    verdict: document.querySelector('[data-testid="verdict"]').dataset.verdict,
    headline: document.querySelector('[data-testid="verdict-text"]').textContent,
    checks: document.querySelectorAll('[data-testid="checks"] li').length,
    summary: document.querySelector('[data-testid="checks-summary"]').textContent,
    key: document.querySelector('[data-testid="key"]').value,
    okBody: document.body.classList.contains('verdict-ok'),
  }));
  assert.deepEqual(state, { values: [], photo: false, verdict: '', headline: 'Chưa đọc thẻ', checks: 0, summary: '', key: '', okBody: false });
  await shot('16-cleared');
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
  const end = await enterKey(card.id12);
  assert.equal(end.error, '');
  assert.equal(end.verdict, 'PASS');
});

// The layout at a desk's 1366×768: the page never scrolls, the fifteen
// checks of a CCCD fit the panel whole in both languages, and a passport's
// MRZ fits the simulator panel.
async function checkLayout(lang) {
  const layout = await page.evaluate(() => {
    const r = (sel) => document.querySelector(sel).getBoundingClientRect();
    const verify = document.querySelector('[data-testid="verify"]');
    const cut = [...document.querySelectorAll('[data-testid="checks"] li')].filter((li) => {
      const t = li.querySelector('.title');
      const b = li.getBoundingClientRect();
      const v = verify.getBoundingClientRect();
      return t.scrollWidth > t.clientWidth + 1 || b.bottom > v.bottom + 0.5 || b.top < v.top;
    }).map((li) => li.dataset.name);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
      verifyScroll: verify.scrollHeight - verify.clientHeight,
      items: document.querySelectorAll('[data-testid="checks"] li').length,
      cut,
      key: r('#key'), verdict: r('#verdict'), form: r('.desk-form:not([hidden])'), sim: r('#sim'),
    };
  });
  assert.ok(layout.scrollWidth <= VIEWPORT.width, `${lang}: no horizontal scrolling (${layout.scrollWidth})`);
  assert.ok(layout.scrollHeight <= VIEWPORT.height, `${lang}: no page scrolling (${layout.scrollHeight})`);
  assert.ok(layout.items >= 15, `${lang}: ${layout.items} checks shown`);
  assert.ok(layout.verifyScroll <= 0, `${lang}: the check list needs scrolling (${layout.verifyScroll} px)`);
  assert.deepEqual(layout.cut, [], `${lang}: checks cut`);
  for (const k of ['key', 'verdict', 'form', 'sim']) {
    const b = layout[k];
    assert.ok(b.right <= VIEWPORT.width && b.bottom <= VIEWPORT.height && b.width > 0, `${lang}: ${k} is within the viewport`);
  }
}

test('English on demand, everything within 1366×768 in both languages, no page errors, no external requests', async () => {
  const card = await insertThroughPanel({ seed: 101 });
  const end = await enterKey(card.id12);
  assert.equal(end.verdict, 'PASS');
  await shot('10-vietnamese-layout');
  await checkLayout('vi');
  await byTestId('lang').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#tab-hospital').textContent(), 'Hospital');
  assert.equal(await byTestId('verdict-text').textContent(), 'Valid (test card)');
  assert.equal(await byTestId('test-anchor').isVisible(), true, 'the test anchor notice is shown');
  await shot('10-english');
  await checkLayout('en');
  await page.locator('#tab-onestop').click();
  await shot('11-english-onestop');
  // Keyboard: tabs move with the arrow keys.
  await page.locator('#tab-onestop').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#tab-hotel').getAttribute('aria-selected'), 'true');
  await byTestId('lang').click();
  await page.locator('#tab-hospital').click();
  // The passport's MRZ, 44 characters a line, fits the panel unclipped.
  await removeThroughPanel();
  const pass = await insertThroughPanel({ profile: 'passport', seed: 6 });
  assert.equal(pass.mrz.split('\n')[0].length, 44);
  const mrz = await byTestId('sim-mrz').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  assert.ok(mrz.scroll <= mrz.client, `the MRZ is clipped: ${mrz.scroll} > ${mrz.client}`);
  await shot('10b-passport-mrz');
  await removeThroughPanel();
  await byTestId('sim-profile').selectOption('cccd');
  assert.deepEqual(pageErrors, []);
});

test('the agent\'s own pages get the policy configured for their origin: withheld fields say so', async () => {
  const port = await freePort();
  const restricted = await startAgent({ port, config: { origins: [{ origin: `http://127.0.0.1:${port}`, fields: HOTEL_FIELDS, photo: false }] } });
  const own = await ownPage(`${restricted.url}/demo/#onestop`);
  try {
    await by(own, 'sim-insert').click();
    await own.waitForFunction(() => document.querySelector('[data-testid="sim-mrz"]').textContent.length > 20, null, { timeout: STEP });
    const mrz = (await by(own, 'sim-mrz').textContent()).trim();
    await enterKey(mrz, own);
    assert.notEqual(await value('#form-onestop [name=fullName]', own), '');
    for (const name of ['ethnicity', 'religion', 'fatherName', 'placeOfOrigin']) {
      const input = own.locator(`#form-onestop [name=${name}]`);
      assert.equal(await input.inputValue(), '', `${name} is not sent`);
      assert.equal(await input.getAttribute('placeholder'), '(không được phép)', `${name} says it is withheld`);
    }
    assert.equal(await by(own, 'photo').isHidden(), true, 'no photo for a policy without photo');
    await shot('13-policy-withheld', own);
  } finally {
    await own.close();
    await restricted.stop();
  }
});

test('the panel shows the card inserted when the agent started (--sim-card)', async () => {
  const withCard = await startAgent({ args: ['--sim-card', 'cccd', '--sim-seed', '9'] });
  const own = await ownPage(`${withCard.url}/demo/`);
  try {
    await own.waitForSelector('[data-testid="sim-card"]:not([hidden])', { timeout: STEP });
    const id12 = (await by(own, 'sim-id12').textContent()).trim();
    assert.match(id12, /^\d{12}$/);
    assert.match(withCard.output, new RegExp(`ID12 ${id12}`), 'the panel shows the card the agent printed');
    await shot('17-startup-card', own);
    const end = await enterKey(id12, own);
    assert.equal(end.verdict, 'PASS');
  } finally {
    await own.close();
    await withCard.stop();
  }
});

// What the page shows while a read runs at the slowest contactless speed.
// Whatever the agent's order of checks (anti-clone decided before or after
// the identity and the photo), pending is never passed: no green verdict,
// no green tick, no count of passes, until read.result.
async function slowRead(own, tamper, seed, shotName) {
  const card = await insertThroughPanel({ tamper, seed }, own);
  await record(own);
  const since = await readsStarted(own);
  await by(own, 'key').fill(card.id12);
  await by(own, 'key').press('Enter');
  // The fields (or, for a chip caught early, the red verdict) come before
  // the end of the read.
  await own.waitForFunction(() => document.querySelector('#form-hospital [name=fullName]').value !== ''
    || /\bbad\b/.test(document.querySelector('[data-testid="verdict"]').className), null, { timeout: SLOW });
  if (shotName) await shot(shotName, own);
  const midway = await own.evaluate(() => ({
    final: document.querySelector('[data-testid="verdict"]').dataset.final,
    progress: !document.querySelector('#progress-box').hidden,
  }));
  const end = await readEnd(since, own, SLOW);
  return { card, end, midway, tl: await timeline(own) };
}

function assertNeverPassed(states, what) {
  for (const s of states) {
    const seen = JSON.stringify(s);
    assert.doesNotMatch(s.verdictClass, /\bok\b/, `${what}: green headline before the end: ${seen}`);
    assert.equal(s.okItems, 0, `${what}: a green check before the end: ${seen}`);
    assert.equal(s.ticks, 0, `${what}: a tick before the end: ${seen}`);
    assert.equal(s.bodyOk, false, `${what}: a verified desk before the end: ${seen}`);
    assert.doesNotMatch(s.summary, /\d/, `${what}: a count before the end: ${seen}`);
    assert.doesNotMatch(s.headline, /Hợp lệ|Valid/, `${what}: a valid headline before the end: ${seen}`);
  }
}

// Before read.result, with the person's fields on screen, nothing said
// verified.
function assertNeverPassedBeforeFinal(tl, what, { fieldsBeforeEnd = true } = {}) {
  const before = tl.filter((s) => s.final !== 'true');
  if (fieldsBeforeEnd) assert.ok(before.some((s) => s.name !== ''), `${what}: the fields were on screen before the end`);
  assertNeverPassed(before, what);
}

test('at iso14443-106 speed a genuine card fills the fields before the verdict, and nothing says verified until the end', async () => {
  const slow = await startAgent({ args: ['--link', 'iso14443-106'] });
  const own = await ownPage(`${slow.url}/demo/`);
  try {
    await own.waitForFunction(() => true);
    const { end, midway, tl } = await slowRead(own, '', 111, '18-genuine-identity-pending');
    assert.equal(midway.progress, true, 'progress stays until the read ends');
    assert.equal(end.verdict, 'PASS');
    assertNeverPassedBeforeFinal(tl, 'genuine');
    const pendingWithFields = tl.find((s) => s.final !== 'true' && s.name !== '' && s.verdict === 'PENDING');
    assert.ok(pendingWithFields, 'the fields were on screen while the verdict was pending');
    assert.match(pendingWithFields.headline, /chưa kết luận/);
    assert.equal(await by(own, 'photo').isVisible(), true);
    assert.equal(await own.locator('#progress-box').isHidden(), true);
  } finally {
    await own.close();
    await slow.stop();
  }
});

test('at iso14443-106 speed an aa-clone and a ca-clone never show a green tick or a pass count before they turn red', async () => {
  const slow = await startAgent({ args: ['--link', 'iso14443-106'] });
  const own = await ownPage(`${slow.url}/demo/`);
  try {
    for (const [tamper, seed] of [['aa-clone', 121], ['ca-clone', 122]]) {
      const { end, tl } = await slowRead(own, tamper, seed, `14a-${tamper}-identity`);
      assert.equal(end.error, '', `${tamper}: ${end.error}`);
      assert.equal(end.verdict, 'FAIL', tamper);
      // Until red: nothing green, no count.
      const red = tl.findIndex((s) => /\bbad\b/.test(s.verdictClass));
      assert.ok(red >= 0, `${tamper} never turned red`);
      assertNeverPassed(tl.slice(0, red), tamper);
      // Whether the agent sends the fields of a clone before its verdict
      // depends on when it decides anti-clone; nothing green either way.
      assertNeverPassedBeforeFinal(tl, tamper, { fieldsBeforeEnd: false });
      // Red, it names a clone, in the check's own words.
      assert.match(await by(own, 'verdict-text').textContent(), /chip SAO CHÉP/);
      const failed = own.locator('[data-testid="checks"] li[data-status="FAIL"] .text');
      assert.match(await failed.first().textContent(), /SAO CHÉP/);
      assert.doesNotMatch(await failed.first().textContent(), /Chữ ký số của dữ liệu/);
      await shot(`14b-${tamper}-final`, own);
      await removeThroughPanel(own);
    }
  } finally {
    await own.close();
    await slow.stop();
  }
});
