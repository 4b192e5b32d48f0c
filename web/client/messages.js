// Words for people: what a clerk should read for each error code, read
// phase, verification check and verdict, in Vietnamese and English.
//
// The agent's `message` strings are English sentences for developers; desk
// applications show these instead, keyed by the stable codes. The words of
// checks and verdicts are the agent's own table (words.js).

import { WORDS } from './words.js';

/** @typedef {'vi'|'en'} Lang */

const ERRORS = {
  AGENT_NOT_RUNNING: [
    'Chưa kết nối được phần mềm đầu đọc thẻ (idagent) trên máy này. Hãy khởi động idagent hoặc báo bộ phận IT.',
    'The card reader software (idagent) is not running on this computer. Start it or call IT.'],
  PERMISSION_DENIED: [
    'Trình duyệt đang chặn trang này kết nối tới đầu đọc thẻ. Bấm biểu tượng bên trái thanh địa chỉ, cho phép “Truy cập mạng cục bộ”, rồi tải lại trang.',
    'The browser blocks this page from reaching the card reader. Click the icon left of the address bar, allow “Local network access”, then reload.'],
  ORIGIN_NOT_ALLOWED: [
    'Phần mềm đầu đọc thẻ chưa cho phép trang này. Báo bộ phận IT thêm địa chỉ trang vào cấu hình idagent.',
    'The card reader software does not allow this page yet. Ask IT to add this page\'s address to the idagent configuration.'],
  HOST_NOT_ALLOWED: [
    'Địa chỉ kết nối tới đầu đọc thẻ không đúng. Báo bộ phận IT.',
    'The page uses a wrong address for the card reader software. Call IT.'],
  CONNECTION_FAILED: [
    'Không kết nối được với phần mềm đầu đọc thẻ, đang thử lại…',
    'Could not connect to the card reader software, retrying…'],
  CONNECTION_LOST: [
    'Mất kết nối với phần mềm đầu đọc thẻ, đang kết nối lại…',
    'Lost the connection to the card reader software, reconnecting…'],
  PROTOCOL_UNSUPPORTED: [
    'Phiên bản idagent không tương thích với trang này. Báo bộ phận IT.',
    'This idagent version does not match this page. Call IT.'],
  REQUEST_TIMEOUT: [
    'Phần mềm đầu đọc thẻ không trả lời. Hãy thử lại.',
    'The card reader software did not answer. Try again.'],
  CLOSED: ['Đã ngắt kết nối với đầu đọc thẻ.', 'Disconnected from the card reader.'],
  INVALID_KEY: [
    'Mã không hợp lệ. Thẻ căn cước: nhập 12 số định danh, 6 số CAN hoặc quét mã QR. Hộ chiếu: nhập số hộ chiếu, ngày sinh và ngày hết hạn, hoặc quét dòng MRZ.',
    'Invalid key. ID card: type the 12-digit ID number, the 6-digit CAN or scan the QR code. Passport: type the passport number, birth date and expiry date, or scan the MRZ.'],
  BAD_REQUEST: ['Yêu cầu không hợp lệ (lỗi phần mềm). Báo bộ phận IT.', 'Invalid request (software error). Call IT.'],
  UNKNOWN_REQUEST: ['Yêu cầu không được hỗ trợ (lỗi phần mềm). Báo bộ phận IT.', 'Unsupported request (software error). Call IT.'],
  BAD_STATE: ['Không thực hiện được lúc này.', 'Not possible right now.'],
  BUSY: [
    'Đầu đọc đang bận đọc một thẻ khác. Chờ một chút rồi thử lại.',
    'The reader is busy with another read. Wait a moment and try again.'],
  TIMEOUT: [
    'Hết thời gian chờ: chưa đặt thẻ lên đầu đọc, hoặc thẻ không phản hồi. Đặt thẻ lên rồi thử lại.',
    'Timed out: no card was placed on the reader, or it stopped answering. Place the card and try again.'],
  CANCELLED: ['Đã hủy đọc thẻ.', 'Reading cancelled.'],
  PCSC_UNAVAILABLE: [
    'Dịch vụ thẻ thông minh của máy tính không chạy. Đang thử lại; nếu kéo dài, báo bộ phận IT.',
    'The computer\'s smart card service is not running. Retrying; if it persists, call IT.'],
  NO_READER: ['Chưa cắm đầu đọc thẻ. Hãy cắm đầu đọc vào máy tính.', 'No card reader is plugged in. Plug the reader into the computer.'],
  READER_REMOVED: [
    'Đầu đọc bị rút ra khi đang đọc. Cắm lại rồi đọc lại.',
    'The reader was unplugged during the read. Plug it back in and read again.'],
  NO_CARD: ['Chưa có thẻ trên đầu đọc.', 'No card on the reader.'],
  CARD_REMOVED: [
    'Thẻ bị nhấc ra khi đang đọc. Đặt lại thẻ và giữ yên cho đến khi đọc xong.',
    'The card was lifted during the read. Put it back and hold it still until done.'],
  CARD_UNSUPPORTED: [
    'Thẻ này không phải căn cước gắn chip hay hộ chiếu điện tử.',
    'This card is not a chip ID card or an e-passport.'],
  ACCESS_DENIED: [
    'Mã không mở được giấy tờ này: kiểm tra lại số đã nhập (số định danh hoặc CAN; với hộ chiếu: số hộ chiếu, ngày sinh, ngày hết hạn), sửa rồi nhấn Enter.',
    'The key does not open this document: check what was typed (the ID number or CAN; for a passport: its number, birth date and expiry date), correct it and press Enter.'],
  CHIP_AUTH_TOKEN_INVALID: [
    'CẢNH BÁO: chip nhận mã nhưng không chứng minh được mình là chip thật (có thể là chip GIẢ hoặc bị can thiệp). Không dùng giấy tờ này; báo người có thẩm quyền.',
    'WARNING: the chip accepted the key but could not prove it is genuine (it may be a FAKE chip or tampered with). Do not use this document; report it.'],
  READ_INCOMPLETE: [
    'Đọc chưa trọn vẹn (tiếp xúc không ổn định). Giữ yên thẻ và đọc lại.',
    'The read was incomplete (unstable contact). Hold the card still and read again.'],
  INTERNAL: [
    'Lỗi phần mềm đầu đọc thẻ. Hãy thử lại; nếu lặp lại, báo bộ phận IT.',
    'Card reader software error. Try again; if it repeats, call IT.'],
};

const idx = (lang) => (lang === 'en' ? 1 : 0);

/**
 * A sentence for a clerk about an error (an IdAgentError, or a code).
 * @param {{code?: string, retryable?: boolean}|string} err
 * @param {Lang} [lang]
 */
export function describeError(err, lang = 'vi') {
  const code = typeof err === 'string' ? err : err?.code;
  const t = ERRORS[code];
  if (t) return t[idx(lang)];
  const retryable = typeof err === 'object' && err?.retryable;
  return retryable
    ? ['Có lỗi khi đọc thẻ. Hãy thử lại.', 'Something went wrong. Try again.'][idx(lang)]
    : ['Có lỗi khi đọc thẻ. Báo bộ phận IT.', 'Something went wrong. Call IT.'][idx(lang)];
}

const PHASES = {
  waiting: ['Đặt thẻ lên đầu đọc…', 'Place the card on the reader…'],
  connecting: ['Đang kết nối với thẻ…', 'Connecting to the card…'],
  access: ['Đang mở khóa chip…', 'Unlocking the chip…'],
  reading: ['Đang đọc dữ liệu…', 'Reading data…'],
  verifying: ['Đang kiểm tra tính xác thực…', 'Verifying authenticity…'],
  photo: ['Đang đọc ảnh…', 'Reading the photo…'],
  done: ['Đã đọc xong.', 'Done.'],
};

/** A short sentence for a read phase (`read.progress` phase). */
export function describePhase(phase, lang = 'vi') {
  return (PHASES[phase] ?? ['Đang đọc…', 'Reading…'])[idx(lang)];
}

// Checks and verdicts: the agent's own table of words (words.js, generated
// from emrtd/check/wording.go), looked up exactly as the agent does.

// The keys a check name is looked up under: itself, then its family.
function family(name) {
  return name.startsWith('dg.hash.') ? [name, 'dg.hash'] : [name];
}

const pick = (w, lang) => (w ? w[lang === 'en' ? 'en' : 'vi'] : '');

function toneOf(status) {
  if (status === 'PASS') return 'ok';
  if (status === 'FAIL') return 'bad';
  if (status === 'WARN' || status === 'UNKNOWN') return 'warn';
  return 'neutral';
}

function titleWords(name) {
  for (const key of family(name)) {
    const w = WORDS.titles[key];
    if (w) {
      const dg = name.replace(/^dg\.hash\./, '');
      return { vi: w.vi.replaceAll('{dg}', dg), en: w.en.replaceAll('{dg}', dg) };
    }
  }
  return { vi: name, en: name };
}

// "name REASON", then the check's own "name STATUS", then "REASON", then
// STATUS.
function sentenceWords(name, status, reason) {
  const names = family(name);
  if (reason) {
    for (const n of names) if (WORDS.reasons[`${n} ${reason}`]) return WORDS.reasons[`${n} ${reason}`];
  }
  for (const n of names) if (WORDS.checks[`${n} ${status}`]) return WORDS.checks[`${n} ${status}`];
  if (reason && WORDS.reasons[reason]) return WORDS.reasons[reason];
  return WORDS.fallbacks[status] ?? WORDS.fallbacks.UNKNOWN;
}

/**
 * Describes one verification check for a clerk. While the read runs
 * (`final: false`), a check that did not fail is shown as pending, never
 * as passed: the verdict can still turn (a clone is caught after the data
 * checks pass).
 * @param {{name: string, status: string, reason?: string, message?: string}} check
 * @param {Lang} [lang]
 * @param {{final?: boolean}} [opts]
 * @returns {{title: string, status: string, text: string, tone: 'ok'|'bad'|'warn'|'neutral'}}
 */
export function describeCheck(check, lang = 'vi', opts = {}) {
  const status = check?.status ?? 'UNKNOWN';
  const name = check?.name ?? '';
  const reason = check?.reason ?? '';
  if (opts.final === false && status !== 'FAIL') {
    return {
      title: pick(titleWords(name), lang), status: pick(WORDS.statuses.PENDING, lang),
      text: pick(WORDS.fallbacks.PENDING, lang), tone: 'neutral',
    };
  }
  return {
    title: pick(titleWords(name), lang),
    status: pick(WORDS.statuses[status], lang) || status,
    text: pick(sentenceWords(name, status, reason), lang),
    tone: toneOf(status),
  };
}

function kindOf(check) {
  if (!check.reason) return '';
  for (const n of family(check.name)) {
    const k = WORDS.kinds[`${n} ${check.reason}`];
    if (k) return k;
  }
  return WORDS.kinds[check.reason] ?? '';
}

// The first kind of KindOrder that a check of this status names.
function worstKind(checks, status) {
  let best = WORDS.kindOrder.length;
  for (const c of checks) {
    if (c.status !== status) continue;
    const i = WORDS.kindOrder.indexOf(kindOf(c));
    if (i >= 0 && i < best) best = i;
  }
  return best < WORDS.kindOrder.length ? WORDS.kindOrder[best] : '';
}

/**
 * The headline for a verdict (`verification.overall`, or 'PENDING' while
 * the read runs), with its tone. Give the checks so far, the document's
 * type and the test-anchor flag: a failure's headline names what failed
 * (a cloned chip, edited data, a revoked or expired signer, an untrusted
 * issuer), a passport or an ID card is named as such, and a test card
 * reads "Valid (test card)". While the read runs, a check that already
 * failed makes the headline FAIL at once; nothing else makes it anything
 * but pending.
 * @param {string} overall
 * @param {Lang} [lang]
 * @param {{checks?: {name: string, status: string, reason?: string}[], documentType?: string, testAnchor?: boolean}} [opts]
 * @returns {{text: string, tone: 'ok'|'bad'|'warn'|'neutral'}}
 */
export function describeVerdict(overall, lang = 'vi', opts = {}) {
  const checks = opts.checks ?? [];
  const doc = opts.documentType ?? '';
  let o = overall;
  if (o === 'PENDING' && checks.some((c) => c.status === 'FAIL')) o = 'FAIL';
  let keys;
  if (o === 'PASS' || o === 'WARN') {
    keys = opts.testAnchor ? [`${o} test ${doc}`, `${o} test`] : [];
    keys.push(`${o} ${doc}`, o);
  } else if (o === 'PENDING') {
    keys = ['PENDING'];
  } else {
    const k = worstKind(checks, o);
    keys = k ? [`${o} ${k} ${doc}`, `${o} ${k}`] : [];
    keys.push(`${o} ${doc}`, o);
  }
  const w = keys.map((k) => WORDS.headlines[k]).find(Boolean) ?? WORDS.headlines.UNKNOWN;
  const name = pick(WORDS.documents[doc] ?? WORDS.documents[''], lang);
  // WARN, UNKNOWN, and a verdict this table does not know: warn.
  const tone = o === 'PENDING' ? 'neutral' : o === 'PASS' || o === 'FAIL' ? toneOf(o) : 'warn';
  return { text: pick(w, lang).replaceAll('{doc}', name), tone };
}

/** The test-anchor notice (`verification.testAnchor`). */
export function testAnchorNotice(lang = 'vi') {
  return pick(WORDS.testAnchor, lang);
}

/** `M`/`F`/`X` as a form writes it. */
export function sexLabel(code, lang = 'vi') {
  const t = { M: ['Nam', 'Male'], F: ['Nữ', 'Female'], X: ['Khác', 'Unspecified'] }[code];
  return t ? t[idx(lang)] : (code ?? '');
}
