// The desk page: the key (an ID card's number, CAN or QR code, or a
// passport's number and dates), the card panel (progress, photo), three
// forms that fill themselves, the verification panel and, in --simulate,
// the simulated-card panel. Everything personal stays in this page's memory
// and leaves it with the next card, the card's removal, a new key, "Clear",
// or a reload: one person at a time.
//
// Until read.result, nothing on the page says "verified": checks that did
// not fail are shown as pending, there is no count of passes and no green,
// and the headline is neutral (a failure turns it red at once).

import {
  IdAgent, DEFAULT_URL, accessKeyFromInput, looksLikeQR, looksLikeDocumentNumber, passportKey,
  formatDG13Date, formatMRZDate, photoDataURL, id12Info,
} from './client/idagent.js';
import { describeError, describeCheck, describeVerdict, describePhase, testAnchorNotice } from './client/messages.js';
import { t, applyLanguage, SIM_PROFILES, SIM_TAMPERS } from './i18n.js';

const $ = (id) => document.getElementById(id);
const FORMS = ['hospital', 'hotel', 'onestop'];

function storedLang() {
  try {
    return localStorage.getItem('idagent.lang') === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

const ui = {
  lang: storedLang(),
  form: FORMS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'hospital',
  conn: { state: 'connecting', error: null, retryInMs: 0 },
  notice: null, // a short information banner ("reconnected")
  kind: 'card', // the key form: 'card' (ID card) or 'passport'
  key: null, // {access, display}: forgotten when the card leaves the reader
  keyError: null, // shown in place of readError: one error at a time
  op: null,
  phase: null,
  percent: 0,
  readError: null,
  fields: null,
  withheld: [],
  checks: [],
  verdict: null, // null (nothing read), 'PENDING', or verification.overall
  documentType: '', // id-card, passport: names the document in the headline
  testAnchor: false,
  simCard: null,
  simError: null,
};

function agentURL() {
  const q = new URLSearchParams(location.search).get('agent');
  if (q) return q;
  return /^https?:$/.test(location.protocol) ? location.origin : DEFAULT_URL;
}

const agent = new IdAgent({ url: agentURL(), client: 'idagent-demo/0.1' });

// ---- connection ----------------------------------------------------------

let everOpen = false;
let noticeTimer = null;

agent.on('state', (s) => {
  ui.conn = { state: s.state, error: s.error ?? null, retryInMs: s.retryInMs ?? 0 };
  renderConn();
  renderReaders();
});

agent.on('open', (hello) => {
  if (everOpen) {
    ui.notice = 'reconnected';
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      ui.notice = null;
      renderConn();
    }, 4000);
  }
  everOpen = true;
  const sim = hello.simulate || (hello.capabilities ?? []).includes('sim');
  $('sim').hidden = !sim;
  // The agent says which profiles and forgeries its simulator has; the
  // page's own lists only give them labels and order. A card inserted
  // before the page connected (idagent run --sim-card) shows in the panel.
  ui.simInfo = hello.sim ?? null;
  if (!ui.simCard && hello.sim?.cards?.length) ui.simCard = hello.sim.cards[0];
  fillSimSelects();
  renderSim();
  renderConn();
  renderReaders();
});

for (const name of ['reader.added', 'reader.removed']) agent.on(name, renderReaders);

// A card laid on the reader, or lifted off it, is another person: the
// previous holder's data, photo and verdict go at once. A read that is
// running keeps its own (it started after the last person was cleared),
// and a read still waiting for its card keeps its key.
let cardEvents = 0; // card events this page has seen (tests wait on it)
function countCardEvent() {
  document.body.dataset.cardEvents = String(++cardEvents);
}
agent.on('card.inserted', () => {
  if (!readRunning()) forgetPerson({ key: true });
  countCardEvent();
  renderReaders();
});
agent.on('card.removed', () => {
  if (!(readRunning() && ui.phase === 'waiting')) forgetPerson({ key: true });
  countCardEvent();
  renderReaders();
});
agent.on('close', renderReaders);

function renderConn() {
  const pill = $('conn');
  const { state, error } = ui.conn;
  const tone = state === 'open' ? 'ok' : state === 'reconnecting' || state === 'closed' ? 'bad' : 'warn';
  pill.className = `pill ${tone}`;
  $('conn-text').textContent = t({ open: 'connOpen', reconnecting: 'connReconnecting', closed: 'connClosed' }[state] ?? 'connConnecting', ui.lang);
  document.body.dataset.connection = state;
  for (const id of ['sim-insert', 'sim-remove']) $(id).disabled = state !== 'open';
  const banner = $('banner');
  if (state !== 'open' && error) {
    let text = describeError(error, ui.lang);
    if (ui.conn.retryInMs > 0 && state !== 'closed') text += ` ${t('retryIn', ui.lang, { s: Math.max(1, Math.round(ui.conn.retryInMs / 1000)) })}`;
    banner.textContent = text;
    banner.className = 'banner';
    banner.dataset.code = error.code;
    banner.hidden = false;
  } else if (state === 'open' && ui.notice) {
    banner.textContent = t(ui.notice, ui.lang);
    banner.className = 'banner info';
    banner.dataset.code = '';
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.dataset.code = '';
  }
}

function renderReaders() {
  const readers = agent.readerState;
  const el = $('reader');
  el.dataset.cards = String(readers.filter((r) => r.cardPresent).length);
  if (agent.state !== 'open') {
    el.textContent = '';
    return;
  }
  el.textContent = readers.length === 0
    ? t('readerNone', ui.lang)
    : readers.map((r) => t(r.cardPresent ? 'readerCard' : 'readerNoCard', ui.lang, { r: r.name })).join(' · ');
}

// ---- key entry -----------------------------------------------------------

const keyInput = $('key');
const passportInputs = { documentNumber: $('p-number'), dateOfBirth: $('p-birth'), dateOfExpiry: $('p-expiry') };

for (const el of [keyInput, ...Object.values(passportInputs)]) {
  el.addEventListener('input', () => {
    if (!ui.keyError) return;
    ui.keyError = null;
    renderKey();
  });
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (ui.kind === 'passport') submitPassport();
  else submitKey(keyInput.value);
});

for (const btn of document.querySelectorAll('[data-kind]')) {
  btn.addEventListener('click', () => selectKind(btn.dataset.kind, true));
  btn.addEventListener('keydown', (e) => {
    if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) {
      e.preventDefault();
      selectKind(ui.kind === 'card' ? 'passport' : 'card', true);
      $(`kind-${ui.kind}`).focus();
    }
  });
}

// selectKind shows the key form of an ID card (one field: number, CAN or
// QR) or of a passport (number, birth date, expiry date).
function selectKind(kind, focus) {
  ui.kind = kind;
  ui.keyError = null;
  for (const k of ['card', 'passport']) {
    const on = k === kind;
    $(`kind-${k}`).setAttribute('aria-checked', on ? 'true' : 'false');
    $(`kind-${k}`).tabIndex = on ? 0 : -1;
  }
  $('card-key').hidden = kind !== 'card';
  $('passport-key').hidden = kind !== 'passport';
  renderKey();
  if (focus) (kind === 'card' ? keyInput : firstEmptyPassportInput()).focus();
}

function firstEmptyPassportInput() {
  return Object.values(passportInputs).find((el) => el.value.trim() === '') ?? passportInputs.documentNumber;
}

function submitKey(text) {
  ui.keyError = null;
  let access;
  if (ui.key && text === ui.key.display) {
    access = ui.key.access;
  } else {
    try {
      access = accessKeyFromInput(text);
    } catch (err) {
      // A passport number typed in the card's field: take it to the
      // passport form and ask for the dates there.
      if (err.field === 'dateOfBirth' && looksLikeDocumentNumber(text)) {
        passportInputs.documentNumber.value = text.trim().toUpperCase();
        keyInput.value = '';
        selectKind('passport', false);
        ui.keyError = err;
        renderKey();
        firstEmptyPassportInput().focus();
        return;
      }
      keyRefused(err, keyInput);
      return;
    }
  }
  // A scanned QR payload carries the name (often mangled): show only the
  // number, keep the key itself in memory.
  const display = access.qr ? access.qr.split('|')[0]
    : access.mrz ? `MRZ ${mrzDocumentNumber(access.mrz)}` : text.trim();
  ui.key = { access, display };
  keyInput.value = display;
  renderKey();
  startRead(access);
}

function submitPassport() {
  ui.keyError = null;
  const number = passportInputs.documentNumber.value;
  let access;
  try {
    // An MRZ scanner types the whole zone into the number box.
    access = number.replace(/\s+/g, '').length >= 60 ? accessKeyFromInput(number)
      : passportKey(number, passportInputs.dateOfBirth.value, passportInputs.dateOfExpiry.value);
  } catch (err) {
    keyRefused(err, passportInputs[err.field] ?? passportInputs.documentNumber);
    return;
  }
  if (access.mrz) passportInputs.documentNumber.value = mrzDocumentNumber(access.mrz);
  ui.key = { access, display: null };
  renderKey();
  startRead(access);
}

// keyRefused shows why the typed key is not one, and selects the text to
// correct. It replaces any earlier error: one error at a time.
function keyRefused(err, input) {
  ui.keyError = err;
  ui.readError = null;
  renderKey();
  renderProgress();
  input.focus();
  input.select();
}

// The document number of an MRZ (TD1: line 1, TD3/TD2: line 2), to show
// instead of the whole zone.
function mrzDocumentNumber(mrz) {
  const lines = mrz.split('\n');
  const field = lines.length === 3 ? lines[0].slice(5, 14) : (lines[1] ?? '').slice(0, 9);
  return field.replace(/<+$/, '');
}

function forgetKey() {
  ui.key = null;
  keyInput.value = '';
  for (const el of Object.values(passportInputs)) el.value = '';
  renderKey();
}

function keyErrorText(err) {
  if (!err) return '';
  if (err.field === 'oldIdNumber') return t('keyOldId', ui.lang);
  if (err.field === 'dateOfBirth' && ui.kind === 'passport' && /alone/.test(err.message)) return t('keyPassportDates', ui.lang);
  const byField = { documentNumber: 'keyPassportNumber', dateOfBirth: 'keyPassportBirth', dateOfExpiry: 'keyPassportExpiry' }[err.field];
  return byField ? t(byField, ui.lang) : describeError(err, ui.lang);
}

function renderKey() {
  for (const el of [keyInput, ...Object.values(passportInputs)]) el.classList.toggle('remembered', !!ui.key);
  keyInput.title = ui.key ? t('keyRemembered', ui.lang) : '';
  const err = ui.keyError;
  keyInput.setAttribute('aria-invalid', err && ui.kind === 'card' ? 'true' : 'false');
  for (const [name, el] of Object.entries(passportInputs)) {
    el.setAttribute('aria-invalid', err && ui.kind === 'passport' && (err.field ?? 'documentNumber') === name ? 'true' : 'false');
  }
  $('key-error').textContent = keyErrorText(err);
}

// A keyboard-wedge QR scanner types the whole payload and Enter wherever
// the focus is. Catch a payload typed into another field, undo it there,
// and use it as the key. Its shape tells a scan from typing (12 digits, a
// "|", fields separated by "|"); no person types that into a name field,
// and timing is no help: a busy PC delivers keys late.
let burst = null;
document.addEventListener('keydown', (e) => {
  if (e.isComposing) return;
  const now = performance.now();
  if (e.key === 'Enter') {
    const b = burst;
    burst = null;
    if (!b || b.target === keyInput) return;
    document.body.dataset.lastBurst = `${b.count} keys, ${Math.round((now - b.start) / b.count)} ms/key`;
    const m = /[0-9]{12}\s*\|.*$/.exec(b.text);
    if (m && looksLikeQR(m[0])) {
      e.preventDefault();
      e.stopPropagation();
      // Keep what the clerk typed before the scan, drop the scan.
      if (b.before !== null) b.target.value = b.before + b.text.slice(0, m.index);
      selectKind('card', false);
      keyInput.value = m[0];
      keyInput.focus();
      submitKey(m[0]);
    }
    return;
  }
  if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) {
    if (e.key !== 'Shift') burst = null;
    return;
  }
  if (!burst || burst.target !== e.target) {
    const tgt = e.target;
    burst = { start: now, text: '', count: 0, target: tgt, before: tgt && 'value' in tgt ? tgt.value : null };
  }
  burst.text += e.key;
  burst.count++;
}, true);
document.addEventListener('focusin', () => {
  burst = null;
});

// ---- reading -------------------------------------------------------------

let reads = 0; // reads started by this page (tests wait on it)

const readRunning = () => !!(ui.op && !ui.op.done);

async function startRead(access) {
  // The previous person goes at once, before the old read has even
  // acknowledged its cancel.
  const prev = ui.op;
  ui.op = null;
  forgetPerson({ key: false });
  ui.phase = 'connecting';
  ui.percent = 0;
  renderProgress();
  if (prev && !prev.done) {
    prev.cancel();
    // The agent ends a cancelled read at once; the bound only guards
    // against an agent that has gone quiet.
    await Promise.race([prev.then(() => {}, () => {}), new Promise((r) => setTimeout(r, 3000))]);
  }
  const op = agent.read({
    access,
    photo: true,
    onProgress: (p) => {
      if (ui.op !== op) return;
      ui.phase = p.phase;
      ui.percent = p.percent;
      renderProgress();
    },
    onIdentity: (id) => {
      if (ui.op !== op) return;
      ui.fields = id.fields ?? {};
      ui.withheld = id.withheld ?? [];
      ui.checks = id.checks ?? [];
      ui.documentType = ui.fields.documentType ?? '';
      ui.verdict = 'PENDING';
      renderFields();
      renderVerify();
    },
    onPhoto: (ph) => {
      if (ui.op !== op) return;
      showPhoto(ph);
    },
  });
  ui.op = op;
  reads++;
  document.body.dataset.reads = String(reads);
  ui.verdict = 'PENDING';
  renderProgress();
  renderVerify();
  try {
    const res = await op;
    if (ui.op !== op) return;
    ui.fields = res.fields ?? {};
    ui.withheld = res.withheld ?? [];
    ui.checks = res.verification?.checks ?? [];
    ui.verdict = res.verification?.overall ?? 'UNKNOWN';
    ui.documentType = res.document?.type ?? ui.fields.documentType ?? '';
    ui.testAnchor = !!res.verification?.testAnchor;
    if (res.photo) showPhoto(res.photo);
    ui.phase = null;
    renderFields();
  } catch (err) {
    if (ui.op !== op) return;
    ui.phase = null;
    // A read that did not end has no verdict: what it showed so far
    // (fields of a card lifted mid-read) is not this person's record.
    forgetPerson({ key: false });
    ui.readError = err;
    ui.keyError = null;
    // A chip that failed its own proof is an attack, not a typo: the page
    // turns red, as for any failed check.
    if (err.code === 'CHIP_AUTH_TOKEN_INVALID') ui.verdict = 'FAIL';
    if (err.code === 'ACCESS_DENIED') {
      // The key stays, selected, so one wrong digit is one keystroke.
      const input = ui.kind === 'passport' ? passportInputs.documentNumber : keyInput;
      input.focus();
      input.select();
    }
  }
  renderKey();
  renderProgress();
  renderVerify();
}

$('cancel').addEventListener('click', () => {
  if (readRunning()) ui.op.cancel();
});

function renderProgress() {
  const box = $('progress-box');
  const running = readRunning() && ui.phase;
  box.hidden = !running;
  if (running) {
    $('progress').value = ui.percent;
    $('phase').textContent = describePhase(ui.phase, ui.lang);
  }
  const err = ui.keyError ? null : ui.readError;
  $('read-error').textContent = err ? describeError(err, ui.lang) : '';
  $('read-error').dataset.code = err ? err.code : '';
}

function showPhoto(ph) {
  const img = $('photo');
  img.src = photoDataURL(ph);
  img.alt = t('photoAlt', ui.lang);
  img.hidden = false;
  $('photo-empty').hidden = true;
  renderVerify();
}

// The value of a form input for the fields read, or undefined.
function valueFor(name, f, lang) {
  switch (name) {
    case 'hotelDocumentNumber':
      return f.documentType === 'passport' ? f.documentNumber : (f.idNumber ?? f.documentNumber);
    case 'hotelNationality':
      if (f.nationality && f.nationalityCode && f.nationality !== f.nationalityCode) return `${f.nationality} (${f.nationalityCode})`;
      return f.nationality ?? f.nationalityCode;
    case 'dateOfExpiry':
      if (f.dateOfExpiry === null) return t('noExpiry', lang);
      return f.dateOfExpiry === undefined ? undefined : formatDG13Date(f.dateOfExpiry);
    default: {
      const v = f[name];
      if (v === undefined || v === null) return undefined;
      return /^date/.test(name) ? formatDG13Date(v) : v;
    }
  }
}

function sourceField(name) {
  return { hotelDocumentNumber: 'idNumber', hotelNationality: 'nationality' }[name] ?? name;
}

function renderFields() {
  for (const el of document.querySelectorAll('[data-field]')) {
    const name = el.dataset.field;
    el.classList.remove('from-card', 'withheld');
    if (!el.dataset.placeholder) el.dataset.placeholder = el.getAttribute('placeholder') ?? '';
    el.placeholder = el.dataset.placeholder;
    if (!ui.fields) continue;
    const v = valueFor(name, ui.fields, ui.lang);
    if (v !== undefined) {
      el.value = v;
      el.classList.add('from-card');
    } else if (ui.withheld.includes(sourceField(name))) {
      el.value = '';
      el.classList.add('withheld');
      if ('placeholder' in el) el.placeholder = t('withheld', ui.lang);
    }
  }
}

// forgetPerson clears everything of the person on screen at once: every
// form's fields, the photo, the checks and the verdict, any error, and
// with key the key too (the card it opened has left).
function forgetPerson({ key }) {
  ui.fields = null;
  ui.withheld = [];
  ui.checks = [];
  ui.verdict = null;
  ui.documentType = '';
  ui.testAnchor = false;
  ui.readError = null;
  ui.keyError = null;
  for (const el of document.querySelectorAll('.desk-form input, .desk-form select, .desk-form textarea')) el.value = '';
  renderFields();
  const img = $('photo');
  img.hidden = true;
  img.removeAttribute('src');
  $('photo-empty').hidden = false;
  if (key) forgetKey();
  renderKey();
  renderProgress();
  renderVerify();
}

const ICON = { ok: '✓', bad: '✗', warn: '!', neutral: '•' };
const ORDER = { FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 3 };

function renderVerify() {
  const final = ui.verdict !== null && ui.verdict !== 'PENDING';
  const { text, tone } = ui.verdict === null
    ? { text: t('verdictIdle', ui.lang), tone: 'neutral' }
    : describeVerdict(ui.verdict, ui.lang, { checks: ui.checks, documentType: ui.documentType, testAnchor: ui.testAnchor });
  const box = $('verdict');
  box.className = `verdict ${tone}`;
  // A check that failed while the read runs already decides the verdict.
  box.dataset.verdict = ui.verdict === 'PENDING' && tone === 'bad' ? 'FAIL' : (ui.verdict ?? '');
  box.dataset.final = final ? 'true' : 'false';
  box.querySelector('.icon').textContent = ui.verdict === 'PENDING' && tone !== 'bad' ? '…' : ICON[tone];
  $('verdict-text').textContent = text;
  document.body.classList.toggle('verdict-bad', tone === 'bad');
  document.body.classList.toggle('verdict-warn', final && tone === 'warn');
  document.body.classList.toggle('verdict-ok', final && tone === 'ok');
  document.body.classList.toggle('verdict-pending', ui.verdict === 'PENDING' && tone !== 'bad');
  $('photo-pending').hidden = !(ui.verdict === 'PENDING' && tone !== 'bad' && !$('photo').hidden);
  // A read that ended without a portrait says why, not just "Photo".
  $('photo-empty').textContent = t(final && $('photo').hidden ? 'noPhotoUnproven' : 'noPhoto', ui.lang);
  const ta = $('test-anchor');
  ta.hidden = !(final && ui.testAnchor);
  ta.textContent = final && ui.testAnchor ? testAnchorNotice(ui.lang) : '';
  // A count of passes only for a final verdict: while the read runs, "12
  // of 12 passed" reads as "verified".
  const ran = ui.checks.filter((c) => c.status !== 'NOT_SUPPORTED' && c.status !== 'SKIPPED');
  let summary = '';
  if (ui.verdict === 'PENDING') summary = t('checksPending', ui.lang);
  else if (final && ran.length > 0) summary = t('checksSummary', ui.lang, { p: ran.filter((c) => c.status === 'PASS').length, n: ran.length });
  $('checks-summary').textContent = summary;
  const list = $('checks');
  list.replaceChildren();
  const checks = [...ui.checks].sort((a, b) => (ORDER[a.status] ?? 4) - (ORDER[b.status] ?? 4));
  for (const c of checks) {
    const d = describeCheck(c, ui.lang, { final });
    const li = document.createElement('li');
    li.className = d.tone;
    li.title = d.text;
    li.dataset.name = c.name;
    li.dataset.status = final || c.status === 'FAIL' ? c.status : 'PENDING';
    const icon = document.createElement('span');
    icon.className = 'icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = final || c.status === 'FAIL' ? ICON[d.tone] : '…';
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = d.title;
    const status = document.createElement('span');
    status.className = 'status';
    status.textContent = d.status;
    const body = document.createElement('span');
    // Passed and pending checks need no sentence on screen; screen
    // readers still get it.
    body.className = c.status === 'FAIL' || (final && c.status !== 'PASS') ? 'text' : 'text sr-only';
    body.textContent = d.text;
    li.append(icon, title, status, body);
    list.append(li);
  }
}

// ---- forms, tabs, language ----------------------------------------------
function selectForm(name, focus) {
  ui.form = name;
  for (const f of FORMS) {
    const tab = $(`tab-${f}`);
    const on = f === name;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    $(`form-${f}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (location.hash.slice(1) !== name) history.replaceState(null, '', `#${name}`);
}

for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener('click', () => selectForm(tab.dataset.form, false));
  tab.addEventListener('keydown', (e) => {
    const i = FORMS.indexOf(ui.form);
    let next = null;
    if (e.key === 'ArrowRight') next = FORMS[(i + 1) % FORMS.length];
    else if (e.key === 'ArrowLeft') next = FORMS[(i + FORMS.length - 1) % FORMS.length];
    else if (e.key === 'Home') next = FORMS[0];
    else if (e.key === 'End') next = FORMS[FORMS.length - 1];
    if (next) {
      e.preventDefault();
      selectForm(next, true);
    }
  });
}
window.addEventListener('hashchange', () => {
  const h = location.hash.slice(1);
  if (FORMS.includes(h)) selectForm(h, false);
});

// "Clear" ends the person at the desk: a running read is cancelled, and
// every form, the photo, the verdict and the key are emptied at once.
for (const btn of document.querySelectorAll('button.clear')) {
  btn.addEventListener('click', () => {
    const op = ui.op;
    ui.op = null;
    if (op && !op.done) op.cancel();
    ui.phase = null;
    forgetPerson({ key: true });
    (ui.kind === 'passport' ? passportInputs.documentNumber : keyInput).focus();
  });
}

$('lang').addEventListener('click', () => {
  ui.lang = ui.lang === 'vi' ? 'en' : 'vi';
  try {
    localStorage.setItem('idagent.lang', ui.lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  renderAll();
});

function renderAll() {
  applyLanguage(document, ui.lang);
  $('lang').textContent = t('langButton', ui.lang);
  $('lang').setAttribute('aria-label', t('langSwitch', ui.lang));
  fillSimSelects();
  renderConn();
  renderReaders();
  renderKey();
  renderProgress();
  renderFields();
  renderVerify();
  renderSim();
}

// ---- simulator -----------------------------------------------------------

function fillSimSelects() {
  const prof = $('sim-profile');
  const tamp = $('sim-tamper');
  const pv = prof.value || 'cccd';
  const tv = tamp.value;
  const profiles = offered(SIM_PROFILES, ui.simInfo?.profiles);
  const tampers = ['', ...offered(SIM_TAMPERS.filter(Boolean), ui.simInfo?.tampers)];
  prof.replaceChildren(...profiles.map((p) => new Option(label(`p_${p}`, p), p)));
  tamp.replaceChildren(...tampers.map((k) => new Option(k ? `${label(`t_${k}`, k)} (${k})` : t('simNoTamper', ui.lang), k)));
  prof.value = profiles.includes(pv) ? pv : profiles[0];
  tamp.value = tampers.includes(tv) ? tv : '';
  // The attacks (hostile chips) as the agent names them: docs/SIMULATOR.md.
  const att = $('sim-attack');
  const av = att.value;
  const attacks = ['', ...(ui.simInfo?.attacks ?? [])];
  att.replaceChildren(...attacks.map((a) => new Option(a || t('simNoAttack', ui.lang), a)));
  att.value = attacks.includes(av) ? av : '';
}

// offered orders the names an agent offers as the page knows them, with
// names the page does not know (a newer agent) at the end.
function offered(known, fromAgent) {
  if (!fromAgent) return known;
  return [...known.filter((n) => fromAgent.includes(n)), ...fromAgent.filter((n) => !known.includes(n))];
}

// label is the text for key in the page's language, or the raw name when
// the page has none.
function label(key, name) {
  const s = t(key, ui.lang);
  return s === key ? name : s;
}

// The key a desk has for each kind of document: the QR code of a
// Vietnamese card (its number and birth date open the chip by PACE or BAC),
// the number and dates on a passport's data page.
function defaultKeyForm(profile) {
  return profile.startsWith('passport') ? 'passport' : 'qr';
}

$('sim-profile').addEventListener('change', () => {
  $('sim-keyform').value = defaultKeyForm($('sim-profile').value);
});

$('sim-insert').addEventListener('click', async () => {
  ui.simError = null;
  const seedText = $('sim-seed').value.trim();
  const req = { profile: $('sim-profile').value };
  if ($('sim-tamper').value) req.tamper = $('sim-tamper').value;
  if ($('sim-attack').value) req.attack = $('sim-attack').value;
  if (seedText !== '') req.seed = Number(seedText);
  try {
    ui.simCard = await agent.simInsert(req);
  } catch (err) {
    ui.simError = err;
  }
  renderSim();
  if (ui.simCard && !ui.simError) $('sim-fill').focus();
});

$('sim-remove').addEventListener('click', async () => {
  ui.simError = null;
  try {
    await agent.simRemove(ui.simCard?.reader);
  } catch (err) {
    ui.simError = err;
  }
  renderSim();
});

$('sim-fill').addEventListener('click', () => {
  const c = ui.simCard;
  if (!c) return;
  ui.keyError = null;
  if ($('sim-keyform').value === 'passport') {
    // As printed on the data page: the number and two dates, dd/mm/yyyy.
    selectKind('passport', false);
    passportInputs.documentNumber.value = c.documentNumber;
    passportInputs.dateOfBirth.value = formatMRZDate(c.dateOfBirth, { kind: 'birth' });
    passportInputs.dateOfExpiry.value = formatMRZDate(c.dateOfExpiry, { kind: 'expiry' }) ?? '';
    renderKey();
    passportInputs.dateOfExpiry.focus();
    return;
  }
  selectKind('card', false);
  keyInput.value = simKeyText(c, $('sim-keyform').value);
  renderKey();
  keyInput.focus();
});

// The key text a clerk would type or scan for a simulated card.
function simKeyText(c, form) {
  switch (form) {
    case 'can':
      return c.can;
    case 'mrz':
      return c.mrz;
    case 'qr': {
      const info = id12Info(c.id12);
      const yy = c.dateOfBirth.slice(0, 2);
      const century = info ? String(info.birthYear).slice(0, 2) : '19';
      const dob = `${c.dateOfBirth.slice(4, 6)}${c.dateOfBirth.slice(2, 4)}${century}${yy}`;
      return `${c.id12}||Mô Phỏng|${dob}|${info?.sex === 'F' ? 'Nữ' : 'Nam'}|Hà Nội|`;
    }
    default:
      return c.id12 || c.can || c.mrz;
  }
}

function renderSim() {
  const c = ui.simCard;
  $('sim-card').hidden = !c;
  $('sim-fill').disabled = !c;
  if (c) {
    $('sim-id12').textContent = c.id12 || '—';
    $('sim-can').textContent = c.can || '—';
    $('sim-mrz').textContent = c.mrz || '—';
    $('sim-doc').textContent = c.documentNumber || '—';
  }
  const e = ui.simError;
  $('sim-error').textContent = e ? `${e.code}: ${e.message}` : '';
}

// ---- start ---------------------------------------------------------------

selectForm(ui.form, false);
renderAll();
$('sim-keyform').value = defaultKeyForm($('sim-profile').value);
agent.connect().catch(() => {
  // The state listener shows the reason; the client keeps retrying.
});
keyInput.focus();
