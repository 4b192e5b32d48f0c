// Words for people: what a clerk should read for each error code, read
// phase, verification check and verdict, in Vietnamese and English.
//
// The agent's `message` strings are English sentences for developers; desk
// applications show these instead, keyed by the stable codes.

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
    'Mã không hợp lệ: nhập 12 số định danh, 6 số CAN, hoặc quét mã QR trên thẻ.',
    'Invalid key: type the 12-digit ID number, the 6-digit CAN, or scan the card\'s QR code.'],
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
    'Mã không mở được thẻ này: kiểm tra lại số định danh hoặc CAN (hoặc quét lại mã QR) rồi nhập lại.',
    'The key does not open this card: check the ID number or CAN (or scan the QR code again) and enter it again.'],
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

const DG_TITLES = {
  DG1: ['Dòng MRZ (số giấy tờ, họ tên, ngày tháng)', 'MRZ data (document number, name, dates)'],
  DG2: ['Ảnh chân dung', 'Photo'],
  DG3: ['Vân tay', 'Fingerprints'],
  DG11: ['Thông tin cá nhân bổ sung', 'Additional personal details'],
  DG12: ['Thông tin giấy tờ bổ sung', 'Additional document details'],
  DG13: ['Thông tin cá nhân (họ tên, ngày sinh, địa chỉ…)', 'Personal data (name, birth date, address…)'],
  DG14: ['Khóa bảo mật của chip', 'Chip security keys'],
  DG15: ['Khóa chống sao chép', 'Anti-cloning key'],
};

// [title, {STATUS: sentence}] per check name, vi then en.
const CHECKS = {
  'sod.signature': [
    ['Chữ ký số của dữ liệu thẻ', 'Digital signature of the card data'],
    {
      PASS: ['Dữ liệu trên chip có chữ ký số hợp lệ.', 'The card data carries a valid digital signature.'],
      FAIL: ['Chữ ký số không hợp lệ: dữ liệu thẻ có thể đã bị làm giả.', 'The digital signature is invalid: the card data may be forged.'],
    }],
  'ds.chain': [
    ['Cơ quan cấp thẻ', 'Issuing authority'],
    {
      PASS: ['Thẻ được ký bởi cơ quan cấp đáng tin cậy.', 'The card was signed by a trusted issuing authority.'],
      FAIL: ['Thẻ không được ký bởi cơ quan cấp đáng tin cậy.', 'The card was not signed by a trusted issuing authority.'],
      UNKNOWN: ['Không xác nhận được cơ quan cấp: chứng chỉ gốc không có trong danh sách tin cậy của máy này.', 'The issuing authority could not be confirmed: its root certificate is not in this computer\'s trust list.'],
    }],
  'ds.validity': [
    ['Thời hạn chứng chỉ ký', 'Signer certificate validity'],
    {
      PASS: ['Chứng chỉ ký còn hiệu lực khi thẻ được cấp.', 'The signer\'s certificate was valid when the card was issued.'],
      FAIL: ['Chứng chỉ ký đã hết hạn hoặc chưa có hiệu lực khi thẻ được cấp.', 'The signer\'s certificate was expired or not yet valid when the card was issued.'],
      WARN: ['Chứng chỉ ký nay đã hết hạn (bình thường với thẻ cấp đã lâu).', 'The signer\'s certificate has expired since (normal for older cards).'],
    }],
  'ds.revocation': [
    ['Thu hồi chứng chỉ ký', 'Signer certificate revocation'],
    {
      PASS: ['Chứng chỉ ký không bị thu hồi.', 'The signer\'s certificate is not revoked.'],
      FAIL: ['Chứng chỉ ký đã bị thu hồi: không chấp nhận thẻ này.', 'The signer\'s certificate has been revoked: do not accept this card.'],
      UNKNOWN: ['Không có danh sách thu hồi để kiểm tra.', 'No revocation list was available to check.'],
    }],
  'ds.country': [
    ['Quốc gia cấp', 'Issuing country'],
    {
      PASS: ['Quốc gia của người ký khớp với quốc gia cấp thẻ.', 'The signer\'s country matches the card\'s issuing country.'],
      FAIL: ['Quốc gia của người ký không khớp với quốc gia cấp thẻ.', 'The signer\'s country does not match the card\'s issuing country.'],
    }],
  'chip.authentication': [
    ['Chip gốc (xác thực chip)', 'Original chip (chip authentication)'],
    {
      PASS: ['Chip chứng minh được là chip gốc, không phải bản sao.', 'The chip proved it is the original, not a copy.'],
      FAIL: ['Chip không chứng minh được là chip gốc: có thể là thẻ sao chép.', 'The chip failed to prove it is the original: it may be a cloned card.'],
    }],
  'active.authentication': [
    ['Chống sao chép (xác thực chủ động)', 'Anti-cloning (active authentication)'],
    {
      PASS: ['Chip chứng minh được nó giữ khóa bí mật của thẻ: không phải bản sao.', 'The chip proved it holds the card\'s secret key: not a copy.'],
      FAIL: ['Chip không giữ khóa bí mật của thẻ: có thể là thẻ sao chép.', 'The chip does not hold the card\'s secret key: it may be a cloned card.'],
    }],
  'mrz.dg13.consistency': [
    ['Khớp số định danh', 'ID number consistency'],
    {
      PASS: ['Số định danh trong MRZ và trong thông tin cá nhân trùng nhau.', 'The ID number in the MRZ matches the personal data.'],
      FAIL: ['Số định danh trong MRZ và trong thông tin cá nhân khác nhau: thẻ không nhất quán.', 'The ID number in the MRZ differs from the personal data: the card is inconsistent.'],
    }],
  'mrz.check_digits': [
    ['Số kiểm tra của MRZ', 'MRZ check digits'],
    {
      PASS: ['Các số kiểm tra trong MRZ đều đúng.', 'The MRZ check digits are all correct.'],
      FAIL: ['Số kiểm tra trong MRZ sai: dữ liệu MRZ có thể đã bị sửa.', 'An MRZ check digit is wrong: the MRZ data may have been altered.'],
    }],
  'access.key.consistency': [
    ['Khớp mã đã nhập', 'Entered key consistency'],
    {
      PASS: ['Dữ liệu thẻ khớp với mã đã nhập.', 'The card data matches the key that was entered.'],
      FAIL: ['Dữ liệu thẻ không khớp với mã đã nhập.', 'The card data does not match the key that was entered.'],
    }],
};

const STATUS_WORDS = {
  PASS: ['Đạt', 'Passed'],
  FAIL: ['Không đạt', 'Failed'],
  WARN: ['Đạt, có lưu ý', 'Passed with a caveat'],
  UNKNOWN: ['Không xác định', 'Undecided'],
  NOT_SUPPORTED: ['Thẻ không hỗ trợ', 'Not supported by the card'],
  SKIPPED: ['Bỏ qua', 'Skipped'],
};

const STATUS_FALLBACK = {
  PASS: ['Kiểm tra đạt.', 'The check passed.'],
  FAIL: ['Kiểm tra không đạt: không tin dữ liệu của thẻ này.', 'The check failed: do not trust this card\'s data.'],
  WARN: ['Kiểm tra đạt nhưng có lưu ý.', 'The check passed with a caveat.'],
  UNKNOWN: ['Không quyết định được kết quả kiểm tra này.', 'This check could not be decided.'],
  NOT_SUPPORTED: ['Thẻ không hỗ trợ kiểm tra này.', 'The card does not support this check.'],
  SKIPPED: ['Kiểm tra này được bỏ qua.', 'This check was skipped.'],
};

// Reasons (emrtd/pa, emrtd/read) that say more than the check's status.
// Used only for checks that did not pass.
const REASONS = {
  SIGNATURE_INVALID: ['Chữ ký số của dữ liệu thẻ không hợp lệ: dữ liệu có thể đã bị làm giả.', 'The signature over the card data is invalid: the data may be forged.'],
  SOD_MISSING: ['Chip không có dữ liệu bảo mật (EF.SOD): không chứng minh được thẻ thật.', 'The chip has no security data (EF.SOD): the card cannot be proven genuine.'],
  SOD_MALFORMED: ['Dữ liệu bảo mật của chip bị hỏng: không chứng minh được thẻ thật.', 'The chip\'s security data is malformed: the card cannot be proven genuine.'],
  CONTENT_TYPE_MISMATCH: ['Dữ liệu bảo mật của chip không đúng định dạng.', 'The chip\'s security data has the wrong format.'],
  DIGEST_MISMATCH: ['Dữ liệu bảo mật đã bị sửa sau khi ký.', 'The security data was changed after it was signed.'],
  ALGORITHM_UNSUPPORTED: ['Thẻ dùng thuật toán mà máy này chưa kiểm tra được.', 'The card uses an algorithm this computer cannot check.'],
  NO_DS: ['Không tìm thấy chứng chỉ của người ký thẻ.', 'The card signer\'s certificate is missing.'],
  DS_NOT_FOUND: ['Không tìm thấy chứng chỉ của người ký thẻ.', 'The card signer\'s certificate was not found.'],
  NO_CSCA: ['Máy này chưa có chứng chỉ gốc của nước cấp: thẻ có thể thật nhưng không chứng minh được.', 'This computer has no root certificate of the issuing country: the card may be genuine but cannot be proven.'],
  CSCA_NOT_TRUSTED: ['Chứng chỉ gốc của cơ quan cấp không có trong danh sách tin cậy của máy này: thẻ có thể thật nhưng không chứng minh được.', 'The issuer\'s root certificate is not in this computer\'s trust list: the card may be genuine but cannot be proven.'],
  CHAIN_BROKEN: ['Chứng chỉ người ký không do cơ quan cấp đáng tin cậy phát hành.', 'The signer\'s certificate was not issued by a trusted authority.'],
  CSCA_NOT_VALID_AT_SIGNING: ['Chứng chỉ gốc không còn hiệu lực khi thẻ được ký.', 'The root certificate was not valid when the card was signed.'],
  DS_EXPIRED: ['Chứng chỉ người ký đã hết hạn.', 'The signer\'s certificate has expired.'],
  DS_NOT_YET_VALID: ['Chứng chỉ người ký chưa có hiệu lực.', 'The signer\'s certificate is not valid yet.'],
  SIGNED_OUTSIDE_VALIDITY: ['Thẻ được ký ngoài thời hạn của chứng chỉ người ký.', 'The card was signed outside the signer certificate\'s validity.'],
  SIGNED_OUTSIDE_KEY_USAGE_PERIOD: ['Thẻ được ký ngoài thời gian được phép dùng khóa ký.', 'The card was signed outside the signing key\'s usage period.'],
  DS_REVOKED: ['Chứng chỉ người ký đã bị thu hồi: không chấp nhận thẻ này.', 'The signer\'s certificate has been revoked: do not accept this card.'],
  NO_CRL: ['Máy này chưa có danh sách thu hồi của nước cấp: chưa kiểm tra được việc thu hồi.', 'This computer has no revocation list of the issuing country: revocation was not checked.'],
  CRL_OUTDATED: ['Danh sách thu hồi trên máy này đã cũ: cần cập nhật.', 'The revocation list on this computer is outdated: it needs an update.'],
  COUNTRY_MISMATCH: ['Người ký thuộc quốc gia khác với quốc gia cấp thẻ.', 'The signer belongs to another country than the card\'s issuer.'],
  UNKNOWN_COUNTRY_CODE: ['Mã quốc gia trên thẻ không hợp lệ.', 'The card\'s country code is not valid.'],
  NO_ISSUING_STATE: ['Thẻ không ghi quốc gia cấp.', 'The card does not name its issuing country.'],
  HASH_MISSING: ['Dữ liệu bảo mật không có dấu kiểm tra cho phần này: không chứng minh được.', 'The security data holds no hash for this part: it cannot be proven.'],
  KEY_MISMATCH: ['Chip không giữ khóa của thẻ gốc: có thể là thẻ sao chép.', 'The chip does not hold the original card\'s key: it may be a cloned card.'],
  KEY_NOT_VERIFIED: ['Khóa của chip chưa được chứng minh là của thẻ gốc.', 'The chip\'s key is not proven to be the original card\'s.'],
  PROTOCOL_ERROR: ['Chip trả lời sai khi kiểm tra: đọc lại thẻ.', 'The chip answered the check wrongly: read the card again.'],
  NOT_READ: ['Phần dữ liệu này chưa được đọc.', 'This part was not read.'],
  NOT_SUPPORTED: ['Thẻ không hỗ trợ kiểm tra này.', 'The card does not support this check.'],
  NOT_REQUESTED: ['Kiểm tra này không được yêu cầu.', 'This check was not asked for.'],
  UNCONFIRMED: ['Chưa xác nhận được.', 'Not confirmed.'],
  TEST_ANCHOR: ['Thẻ được ký bằng chứng chỉ THỬ NGHIỆM: không phải giấy tờ thật.', 'Signed with a TEST certificate: not a real document.'],
};

function dgOf(name) {
  const m = /^dg\.hash\.(DG\d+)$/.exec(name);
  return m ? m[1] : null;
}

/**
 * Describes one verification check for a clerk.
 * @param {{name: string, status: string, reason?: string, message?: string}} check
 * @param {Lang} [lang]
 * @returns {{title: string, status: string, text: string, tone: 'ok'|'bad'|'warn'|'neutral'}}
 */
export function describeCheck(check, lang = 'vi') {
  const i = idx(lang);
  const status = check?.status ?? 'UNKNOWN';
  const name = check?.name ?? '';
  const tone = status === 'PASS' ? 'ok'
    : status === 'FAIL' ? 'bad'
      : status === 'WARN' || status === 'UNKNOWN' ? 'warn' : 'neutral';
  let title;
  let text;
  const dg = dgOf(name);
  if (dg) {
    const t = DG_TITLES[dg] ?? [`Nhóm dữ liệu ${dg}`, `Data group ${dg}`];
    title = t[i];
    if (status === 'PASS') text = lang === 'en' ? 'Unchanged since the card was issued.' : 'Không bị thay đổi kể từ khi cấp thẻ.';
    else if (status === 'FAIL') text = lang === 'en' ? 'CHANGED after the card was issued: the card has been tampered with.' : 'ĐÃ BỊ SỬA sau khi cấp thẻ: thẻ đã bị can thiệp.';
  } else if (CHECKS[name]) {
    title = CHECKS[name][0][i];
    const s = CHECKS[name][1][status];
    if (s) text = s[i];
  } else {
    title = name;
  }
  const r = check?.reason && REASONS[check.reason];
  if (r && status !== 'PASS') text = r[i];
  if (!text) text = (STATUS_FALLBACK[status] ?? STATUS_FALLBACK.UNKNOWN)[i];
  return { title, status: (STATUS_WORDS[status] ?? [status, status])[i], text, tone };
}

const VERDICTS = {
  PASS: ['Thẻ thật: dữ liệu đã được xác minh', 'Genuine card: data verified'],
  WARN: ['Thẻ đã xác minh, có lưu ý: xem chi tiết', 'Card verified with a caveat: see the details'],
  FAIL: ['CẢNH BÁO: thẻ bị sửa đổi hoặc giả mạo. Không dùng dữ liệu này.', 'WARNING: altered or forged card. Do not use this data.'],
  UNKNOWN: ['Chưa xác minh được thẻ: hãy kiểm tra giấy tờ bằng mắt.', 'The card could not be verified: check the document by eye.'],
  PENDING: ['Đang kiểm tra tính xác thực…', 'Checking authenticity…'],
};

/**
 * The headline for a verdict (`verification.overall`, or 'PENDING' while
 * the read runs), with its tone.
 * @param {string} overall
 * @param {Lang} [lang]
 * @returns {{text: string, tone: 'ok'|'bad'|'warn'|'neutral'}}
 */
export function describeVerdict(overall, lang = 'vi') {
  const t = VERDICTS[overall] ?? VERDICTS.UNKNOWN;
  const tone = overall === 'PASS' ? 'ok' : overall === 'FAIL' ? 'bad' : overall === 'PENDING' ? 'neutral' : 'warn';
  return { text: t[idx(lang)], tone };
}

/** The test-anchor notice (`verification.testAnchor`). */
export function testAnchorNotice(lang = 'vi') {
  return ['Thẻ MÔ PHỎNG, ký bằng chứng chỉ thử nghiệm: không phải giấy tờ thật.', 'SIMULATED card signed with a test certificate: not a real document.'][idx(lang)];
}

/** `M`/`F`/`X` as a form writes it. */
export function sexLabel(code, lang = 'vi') {
  const t = { M: ['Nam', 'Male'], F: ['Nữ', 'Female'], X: ['Khác', 'Unspecified'] }[code];
  return t ? t[idx(lang)] : (code ?? '');
}
