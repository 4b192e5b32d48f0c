// The desk pages' own words, Vietnamese first. Errors, phases and checks
// come from the client's messages.js.

export const TEXT = {
  title: ['idagent – Quầy tiếp nhận', 'idagent – Front desk'],
  formsNav: ['Biểu mẫu', 'Forms'],
  tabHospital: ['Bệnh viện', 'Hospital'],
  tabHotel: ['Khách sạn', 'Hotel'],
  tabOnestop: ['Một cửa', 'One-stop'],
  langSwitch: ['Switch to English', 'Chuyển sang tiếng Việt'],
  langButton: ['EN', 'VI'],
  cardTitle: ['Giấy tờ', 'Document'],
  docKind: ['Loại giấy tờ', 'Kind of document'],
  kindCard: ['Thẻ căn cước', 'ID card'],
  kindPassport: ['Hộ chiếu', 'Passport'],
  keyLabel: ['Số định danh, CAN hoặc quét mã QR', 'ID number, CAN or scan the QR code'],
  keyHint: [
    'Nhập 12 số định danh trên mặt trước thẻ (hoặc 6 số CAN), hoặc quét mã QR, rồi nhấn Enter. Hộ chiếu: chọn “Hộ chiếu” (số, ngày sinh, ngày hết hạn).',
    'Type the 12-digit ID number on the front of the card (or the 6-digit CAN), or scan the QR code, then press Enter. Passport: choose “Passport” (number, birth date, expiry date).'],
  pNumber: ['Số hộ chiếu', 'Passport number'],
  pBirth: ['Ngày sinh', 'Date of birth'],
  pExpiry: ['Ngày hết hạn', 'Date of expiry'],
  passportHint: [
    'Nhập số hộ chiếu, ngày sinh và ngày hết hạn như in trên trang thông tin (dd/mm/yyyy), hoặc quét dòng MRZ vào ô số, rồi nhấn Enter.',
    'Type the passport number, birth date and expiry date as printed on the data page (dd/mm/yyyy), or scan the MRZ into the number box, then press Enter.'],
  forgetHint: ['Dữ liệu và mã được xóa khi giấy tờ rời đầu đọc.', 'The data and the key are forgotten when the document leaves the reader.'],
  keyOldId: ['9 số là số CMND cũ: hãy nhập 12 số định danh trên thẻ căn cước.', '9 digits is an old ID (CMND) number: type the 12-digit number of the chip card.'],
  keyPassportDates: [
    'Đây là số hộ chiếu: nhập thêm ngày sinh và ngày hết hạn (dd/mm/yyyy) in trên trang thông tin.',
    'This is a passport number: add the birth date and the expiry date (dd/mm/yyyy) printed on the data page.'],
  keyPassportNumber: ['Số hộ chiếu không hợp lệ: nhập chữ và số in trên trang thông tin.', 'Invalid passport number: type the letters and digits printed on the data page.'],
  keyPassportBirth: ['Ngày sinh không hợp lệ: viết dd/mm/yyyy, ví dụ 01/01/1990.', 'Invalid birth date: write dd/mm/yyyy, for example 01/01/1990.'],
  keyPassportExpiry: ['Ngày hết hạn không hợp lệ: viết dd/mm/yyyy, ví dụ 01/01/2030.', 'Invalid expiry date: write dd/mm/yyyy, for example 01/01/2030.'],
  keyRemembered: ['Mã đã nhập (xóa khi nhấc giấy tờ)', 'Key entered (forgotten when the document is lifted)'],
  photoPending: ['Chưa kết luận', 'Not verified yet'],
  checksPending: ['Chưa kết luận: các mục dưới đây chưa phải kết quả cuối cùng.', 'Not decided yet: the checks below are not final.'],
  read: ['Đọc thẻ', 'Read card'],
  cancel: ['Hủy', 'Cancel'],
  noPhoto: ['Ảnh chân dung', 'Photo'],
  // A read that ended without a photo: the agent passes a portrait on only
  // when the issuing authority is proven to have signed it.
  noPhotoUnproven: ['Không hiện ảnh: chỉ hiện ảnh khi chứng minh được cơ quan cấp đã ký ảnh', 'No photo: a photo is shown only when the issuing authority is proven to have signed it'],
  photoCaption: ['Ảnh chân dung trong chip', 'Photo from the chip'],
  photoAlt: ['Ảnh chân dung đọc từ chip của thẻ', 'Photo read from the card\'s chip'],
  hospitalTitle: ['Tiếp nhận bệnh nhân', 'Patient check-in'],
  hotelTitle: ['Khai báo lưu trú', 'Guest registration'],
  onestopTitle: ['Tờ khai (bộ phận một cửa)', 'Application form (one-stop counter)'],
  f_idNumberInsurance: ['Số định danh cá nhân (tra cứu BHYT)', 'Personal ID number (health insurance lookup)'],
  f_idNumber: ['Số định danh cá nhân', 'Personal ID number'],
  f_oldIdNumber: ['Số CMND cũ', 'Old ID number (CMND)'],
  f_fullName: ['Họ và tên', 'Full name'],
  f_dateOfBirth: ['Ngày sinh', 'Date of birth'],
  f_sex: ['Giới tính', 'Sex'],
  f_nationality: ['Quốc tịch', 'Nationality'],
  f_ethnicity: ['Dân tộc', 'Ethnicity'],
  f_religion: ['Tôn giáo', 'Religion'],
  f_placeOfOrigin: ['Quê quán', 'Place of origin'],
  f_placeOfResidence: ['Nơi thường trú', 'Place of residence'],
  f_address: ['Địa chỉ thường trú', 'Permanent address'],
  f_identifyingMarks: ['Đặc điểm nhận dạng', 'Identifying marks'],
  f_dateOfIssue: ['Ngày cấp', 'Date of issue'],
  f_dateOfExpiry: ['Có giá trị đến', 'Valid until'],
  f_spouseName: ['Họ tên vợ/chồng', 'Spouse\'s name'],
  f_fatherName: ['Họ tên cha', 'Father\'s name'],
  f_motherName: ['Họ tên mẹ', 'Mother\'s name'],
  f_documentType: ['Loại giấy tờ', 'Document type'],
  f_documentNumberHotel: ['Số giấy tờ', 'Document number'],
  sexM: ['Nam', 'Male'],
  sexF: ['Nữ', 'Female'],
  sexX: ['Khác', 'Unspecified'],
  docIdCard: ['Căn cước / CCCD', 'Vietnamese ID card'],
  docPassport: ['Hộ chiếu', 'Passport'],
  docOther: ['Khác', 'Other'],
  clear: ['Xóa biểu mẫu', 'Clear form'],
  withheld: ['(không được phép)', '(not allowed)'],
  noExpiry: ['Không thời hạn', 'No expiry'],
  verifyTitle: ['Kiểm tra thẻ', 'Card checks'],
  verdictIdle: ['Chưa đọc thẻ', 'No card read yet'],
  checksSummary: ['{p}/{n} mục kiểm tra đạt', '{p} of {n} checks passed'],
  connOpen: ['Đã kết nối', 'Connected'],
  connConnecting: ['Đang kết nối…', 'Connecting…'],
  connReconnecting: ['Mất kết nối', 'Disconnected'],
  connClosed: ['Đã ngắt', 'Closed'],
  reconnected: ['Đã kết nối lại với phần mềm đầu đọc thẻ.', 'Reconnected to the card reader software.'],
  retryIn: ['Thử lại sau {s} giây.', 'Retrying in {s} s.'],
  readerNone: ['Chưa có đầu đọc thẻ nào.', 'No card reader attached.'],
  readerCard: ['{r}: có thẻ', '{r}: card present'],
  readerNoCard: ['{r}: chưa có thẻ', '{r}: no card'],
  simTitle: ['Thẻ mô phỏng', 'Simulated cards'],
  simProfile: ['Loại thẻ', 'Card type'],
  simTamper: ['Làm giả', 'Forgery'],
  simSeed: ['Mã người (seed)', 'Person (seed)'],
  simKeyForm: ['Điền mã bằng', 'Fill key with'],
  simKeyId12: ['Số định danh', 'ID number'],
  simKeyQR: ['Mã QR', 'QR code'],
  simKeyPassport: ['Số hộ chiếu + ngày', 'Passport number + dates'],
  simDocument: ['Số giấy tờ', 'Document number'],
  simInsert: ['Đặt thẻ', 'Insert card'],
  simRemove: ['Nhấc thẻ', 'Remove card'],
  simFill: ['Điền mã', 'Fill key'],
  simId12: ['Số định danh', 'ID number'],
  simNoTamper: ['Không (nguyên bản)', 'None (as issued)'],
  simAttack: ['Chip tấn công', 'Hostile chip'],
  simNoAttack: ['Không (chip thật)', 'None (genuine chip)'],
  p_cccd: ['CCCD 2021', 'CCCD 2021'],
  p_cccd2024: ['Căn cước 2024', 'Căn cước 2024'],
  p_passport: ['Hộ chiếu', 'Passport'],
  'p_passport-im': ['Hộ chiếu (PACE IM)', 'Passport (PACE IM)'],
  'p_passport-dh': ['Hộ chiếu (PACE DH)', 'Passport (PACE DH)'],
  'p_passport-cam': ['Hộ chiếu (PACE CAM)', 'Passport (PACE CAM)'],
  'p_passport-3des': ['Hộ chiếu (3DES)', 'Passport (3DES)'],
  'p_passport-bac-only': ['Hộ chiếu (chỉ BAC)', 'Passport (BAC only)'],
  // Document profiles: a chip profile with the quirks of a real document.
  'p_cccd-p256': ['CCCD (PACE P-256, tham số 12)', 'CCCD (PACE P-256, parameter 12)'],
  'p_id-pace-only': ['Thẻ chỉ PACE, nhiều PACEInfo', 'PACE-only card, several PACEInfos'],
  'p_passport-old-bac': ['Hộ chiếu cũ (BAC, không SFI)', 'Old passport (BAC, no SFI)'],
  'p_passport-short-apdu': ['Hộ chiếu không APDU mở rộng', 'Passport without extended APDUs'],
  'p_passport-aa-rsa2048': ['Hộ chiếu AA RSA-2048 (chữ ký bị cắt)', 'Passport AA RSA-2048 (cut signature)'],
  't_dg13-edited': ['Sửa địa chỉ (DG13)', 'Edited address (DG13)'],
  't_dg2-swapped': ['Thay ảnh (DG2)', 'Swapped photo (DG2)'],
  't_dg1-edited': ['Sửa tên trong MRZ (DG1)', 'Edited MRZ name (DG1)'],
  't_sod-bad-signature': ['Chữ ký số hỏng', 'Broken signature'],
  't_dsc-untrusted': ['Người ký không được tin cậy', 'Untrusted signer'],
  't_dsc-expired': ['Chứng chỉ ký hết hạn', 'Expired signer'],
  't_dsc-revoked': ['Chứng chỉ ký bị thu hồi', 'Revoked signer'],
  't_dsc-wrong-country': ['Người ký sai quốc gia', 'Signer of another country'],
  't_aa-clone': ['Chip sao chép (AA)', 'Cloned chip (AA)'],
  't_ca-clone': ['Chip sao chép (CA)', 'Cloned chip (CA)'],
  't_mrz-dg13-mismatch': ['Số định danh không khớp', 'ID number mismatch'],
};

/** Profiles and tamper kinds of the software chip (docs/SIMULATOR.md). */
export const SIM_PROFILES = ['cccd', 'cccd2024', 'passport', 'passport-im', 'passport-dh', 'passport-cam', 'passport-3des', 'passport-bac-only',
  'cccd-p256', 'id-pace-only', 'passport-old-bac', 'passport-short-apdu', 'passport-aa-rsa2048'];
export const SIM_TAMPERS = ['', 'dg13-edited', 'dg2-swapped', 'dg1-edited', 'sod-bad-signature', 'dsc-untrusted',
  'dsc-expired', 'dsc-revoked', 'dsc-wrong-country', 'aa-clone', 'ca-clone', 'mrz-dg13-mismatch'];

/**
 * The text of a key in a language, with {name} placeholders filled.
 * @param {string} key
 * @param {'vi'|'en'} lang
 * @param {Record<string,string|number>} [vars]
 */
export function t(key, lang, vars) {
  const entry = TEXT[key];
  let s = entry ? entry[lang === 'en' ? 1 : 0] : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

/** Applies the language to every element marked with data-i18n*. */
export function applyLanguage(root, lang) {
  root.documentElement.lang = lang;
  root.title = t('title', lang);
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n, lang);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria, lang));
}
