// The desk page: one key field, the card panel (progress, photo), three
// forms that fill themselves, the verification panel and, in --simulate,
// the simulated-card panel. Everything personal stays in this page's memory
// and leaves it with the next read, "Clear", or a reload.

import {
  IdAgent, DEFAULT_URL, accessKeyFromInput, looksLikeQR, formatDG13Date, photoDataURL, id12Info,
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
  key: null, // {access, display}: forgotten when the card leaves the reader
  keyError: null,
  op: null,
  phase: null,
  percent: 0,
  readError: null,
  fields: null,
  withheld: [],
  checks: [],
  verdict: null, // null (nothing read), 'PENDING', or verification.overall
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
  // page's own lists only give them labels and order.
  ui.simInfo = hello.sim ?? null;
  fillSimSelects();
  renderConn();
  renderReaders();
});

for (const name of ['reader.added', 'reader.removed', 'card.inserted']) agent.on(name, renderReaders);
agent.on('card.removed', () => {
  // A read still waiting for its card keeps its key; otherwise the key
  // (and what went wrong with it) belonged to the card that just left.
  if (!(ui.op && !ui.op.done && ui.phase === 'waiting')) {
    forgetKey();
    ui.readError = null;
    renderProgress();
  }
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

keyInput.addEventListener('input', () => {
  if (!ui.keyError) return;
  ui.keyError = null;
  renderKey();
});

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  submitKey(keyInput.value);
});

function submitKey(text) {
  ui.keyError = null;
  let access;
  if (ui.key && text === ui.key.display) {
    access = ui.key.access;
  } else {
    try {
      access = accessKeyFromInput(text);
    } catch (err) {
      ui.keyError = err;
      renderKey();
      keyInput.focus();
      keyInput.select();
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
  renderKey();
}

function renderKey() {
  keyInput.classList.toggle('remembered', !!ui.key);
  keyInput.title = ui.key ? t('keyRemembered', ui.lang) : '';
  const err = ui.keyError;
  keyInput.setAttribute('aria-invalid', err ? 'true' : 'false');
  $('key-error').textContent = !err ? '' : /old ID/.test(err.message) ? t('keyOldId', ui.lang) : describeError(err, ui.lang);
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

async function startRead(access) {
  const prev = ui.op;
  if (prev && !prev.done) {
    prev.cancel();
    await Promise.race([prev.then(() => {}, () => {}), new Promise((r) => setTimeout(r, 3000))]);
  }
  clearCard();
  ui.readError = null;
  ui.phase = 'connecting';
  ui.percent = 0;
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
  renderProgress();
  renderVerify();
  try {
    const res = await op;
    if (ui.op !== op) return;
    ui.fields = res.fields ?? {};
    ui.withheld = res.withheld ?? [];
    ui.checks = res.verification?.checks ?? [];
    ui.verdict = res.verification?.overall ?? 'UNKNOWN';
    ui.testAnchor = !!res.verification?.testAnchor;
    if (res.photo) showPhoto(res.photo);
    ui.phase = null;
    renderFields();
  } catch (err) {
    if (ui.op !== op) return;
    ui.phase = null;
    ui.readError = err;
    if (ui.verdict === 'PENDING') ui.verdict = null;
    if (err.code === 'ACCESS_DENIED') {
      forgetKey();
      keyInput.focus();
    }
  }
  renderProgress();
  renderVerify();
}

$('cancel').addEventListener('click', () => {
  if (ui.op && !ui.op.done) ui.op.cancel();
});

function renderProgress() {
  const box = $('progress-box');
  const running = ui.op && !ui.op.done && ui.phase;
  box.hidden = !running;
  if (running) {
    $('progress').value = ui.percent;
    $('phase').textContent = describePhase(ui.phase, ui.lang);
  }
  $('read-error').textContent = ui.readError ? describeError(ui.readError, ui.lang) : '';
  $('read-error').dataset.code = ui.readError ? ui.readError.code : '';
}

function showPhoto(ph) {
  const img = $('photo');
  img.src = photoDataURL(ph);
  img.alt = t('photoAlt', ui.lang);
  img.hidden = false;
  $('photo-empty').hidden = true;
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

function clearCard() {
  ui.fields = null;
  ui.withheld = [];
  ui.checks = [];
  ui.verdict = null;
  ui.testAnchor = false;
  for (const el of document.querySelectorAll('[data-field]')) {
    if (el.classList.contains('from-card') || el.classList.contains('withheld')) el.value = '';
  }
  renderFields();
  const img = $('photo');
  img.hidden = true;
  img.removeAttribute('src');
  $('photo-empty').hidden = false;
  renderVerify();
}

const ICON = { ok: '✓', bad: '✗', warn: '!', neutral: '•' };
const ORDER = { FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 3 };

function renderVerify() {
  let overall = ui.verdict;
  // A check that already failed is shown at once, before the final verdict.
  if (overall === 'PENDING' && ui.checks.some((c) => c.status === 'FAIL')) overall = 'FAIL';
  const box = $('verdict');
  let tone = 'neutral';
  let text = t('verdictIdle', ui.lang);
  if (overall !== null) ({ text, tone } = describeVerdict(overall, ui.lang));
  box.className = `verdict ${tone}`;
  box.dataset.verdict = overall ?? '';
  box.querySelector('.icon').textContent = ICON[tone];
  $('verdict-text').textContent = text;
  const final = overall !== null && overall !== 'PENDING';
  document.body.classList.toggle('verdict-bad', tone === 'bad');
  document.body.classList.toggle('verdict-warn', final && tone === 'warn');
  document.body.classList.toggle('verdict-ok', final && tone === 'ok');
  const ta = $('test-anchor');
  ta.hidden = !ui.testAnchor;
  ta.textContent = ui.testAnchor ? testAnchorNotice(ui.lang) : '';
  const ran = ui.checks.filter((c) => c.status !== 'NOT_SUPPORTED' && c.status !== 'SKIPPED');
  $('checks-summary').textContent = ran.length === 0 ? ''
    : t('checksSummary', ui.lang, { p: ran.filter((c) => c.status === 'PASS').length, n: ran.length });
  const list = $('checks');
  list.replaceChildren();
  const checks = [...ui.checks].sort((a, b) => (ORDER[a.status] ?? 4) - (ORDER[b.status] ?? 4));
  for (const c of checks) {
    const d = describeCheck(c, ui.lang);
    const li = document.createElement('li');
    li.className = d.tone;
    li.title = d.text;
    li.dataset.name = c.name;
    li.dataset.status = c.status;
    const icon = document.createElement('span');
    icon.className = 'icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = ICON[d.tone];
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = `${d.title} — ${d.status}`;
    const body = document.createElement('span');
    // Passed checks need no sentence on screen; screen readers still get it.
    body.className = c.status === 'PASS' ? 'text sr-only' : 'text';
    body.textContent = d.text;
    li.append(icon, title, body);
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

for (const btn of document.querySelectorAll('button.clear')) {
  btn.addEventListener('click', () => {
    for (const el of btn.form.querySelectorAll('input, select, textarea')) el.value = '';
    btn.form.querySelectorAll('.from-card, .withheld').forEach((el) => el.classList.remove('from-card', 'withheld'));
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
// the MRZ of a passport.
function defaultKeyForm(profile) {
  return profile.startsWith('passport') ? 'mrz' : 'qr';
}

$('sim-profile').addEventListener('change', () => {
  $('sim-keyform').value = defaultKeyForm($('sim-profile').value);
});

$('sim-insert').addEventListener('click', async () => {
  ui.simError = null;
  const seedText = $('sim-seed').value.trim();
  const req = { profile: $('sim-profile').value };
  if ($('sim-tamper').value) req.tamper = $('sim-tamper').value;
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
  keyInput.value = simKeyText(c, $('sim-keyform').value);
  ui.keyError = null;
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
