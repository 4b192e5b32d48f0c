// Helpers for the Vietnamese chip card (CCCD 2021, Căn cước 2024) and for
// the access keys a desk types or scans.
//
// Everything these functions handle is personal data: they never log, and
// their error messages name what is wrong, never the value.

import { IdAgentError, ErrorCode } from './errors.js';

const MAX_QR = 2048;

// invalid is an INVALID_KEY error; field names the part of the key that
// is wrong or missing (documentNumber, dateOfBirth, dateOfExpiry,
// oldIdNumber), so a page can put the cursor there.
function invalid(message, field) {
  const err = new IdAgentError(ErrorCode.INVALID_KEY, message);
  if (field) err.field = field;
  return err;
}

function isDigits(s, n) {
  return typeof s === 'string' && s.length === n && /^[0-9]+$/.test(s);
}

/**
 * Whether `s` is a 12-digit personal identification number (ID12). Spaces
 * are not accepted here; use {@link normalizeDigits} first for typed input.
 * The province prefix is not checked against a table (the circular that
 * defined the codes has expired).
 * @param {unknown} s
 * @returns {boolean}
 */
export function isValidID12(s) {
  if (!isDigits(s, 12)) return false;
  // Digit 4 is sex and century (0-9); digits 5-6 the birth year: any value
  // is possible. Nothing else to check without a table.
  return true;
}

/**
 * What an ID12 tells about its holder: province code, sex and birth year
 * (digit 4 encodes sex and century: 0/1 = male/female born 19xx, 2/3 =
 * 20xx, 4/5 = 21xx, ...). Returns null for an invalid ID12.
 * @param {string} id12
 * @returns {{province: string, sex: 'M'|'F', birthYear: number} | null}
 */
export function id12Info(id12) {
  if (!isValidID12(id12)) return null;
  const d = Number(id12[3]);
  return {
    province: id12.slice(0, 3),
    sex: d % 2 === 0 ? 'M' : 'F',
    birthYear: 1900 + Math.floor(d / 2) * 100 + Number(id12.slice(4, 6)),
  };
}

/** Removes the spaces, dots and dashes people type inside numbers. */
export function normalizeDigits(s) {
  return String(s ?? '').replace(/[\s.\-]/g, '');
}

function validDate(y, m, d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// ddMMyyyy → ISO (YYYY-MM-DD, or YYYY-MM / YYYY when partial is allowed and
// the day or month is 00). Returns null when it is not a date.
function ddmmyyyyToISO(s, partial) {
  if (!isDigits(s, 8)) return null;
  const d = Number(s.slice(0, 2));
  const m = Number(s.slice(2, 4));
  const y = Number(s.slice(4, 8));
  if (y < 1900 || y > 2200) return null;
  if (partial && (d === 0 || m === 0)) {
    if (m > 12 || (m === 0 && d !== 0)) return null;
    return m === 0 ? s.slice(4, 8) : `${s.slice(4, 8)}-${s.slice(2, 4)}`;
  }
  if (!validDate(y, m, d)) return null;
  return `${s.slice(4, 8)}-${s.slice(2, 4)}-${s.slice(0, 2)}`;
}

function isoToDDMMYYYY(iso) {
  const [y, m = '00', d = '00'] = iso.split('-');
  return d + m + y;
}

/**
 * Parses the payload of the QR code printed on a Vietnamese card:
 * `ID12|oldID9|Full Name|ddMMyyyy|Nam/Nữ|address|ddMMyyyy` (7 fields; a
 * 6-field variant lacks the old ID or the issue date).
 *
 * Only the digits and the dates are taken: USB QR scanners type like a
 * keyboard and mangle Vietnamese letters unless set to UTF-8, so the name,
 * sex and address of a scanned payload are never trusted (the chip holds
 * the real ones). `access` is the key to send to the agent, rebuilt from the
 * digits and dates alone.
 *
 * @param {string} payload
 * @returns {{id12: string, oldIdNumber: string|null, dateOfBirth: string, dateOfIssue: string|null, access: {qr: string}}}
 * @throws {IdAgentError} code INVALID_KEY, with a message naming what is wrong
 */
export function parseQR(payload) {
  let s = String(payload ?? '');
  if (s.length > MAX_QR) throw invalid('QR payload is too long to be a card QR code');
  s = s.replace(/^[\s\uFEFF]+|[\s\uFEFF]+$/g, '');
  const fields = s.split('|').map((f) => f.trim());
  if (fields.length < 5 || fields.length > 8) {
    throw invalid(`QR payload has ${fields.length} fields separated by "|", want 6 or 7`);
  }
  const id12 = normalizeDigits(fields[0]);
  if (!isValidID12(id12)) throw invalid('the first field of the QR payload is not a 12-digit ID number');
  let oldIdNumber = null;
  if (isDigits(fields[1], 9) || isDigits(fields[1], 12)) oldIdNumber = fields[1];
  // Dates are the fields of exactly 8 digits after the first one: birth
  // first, issue (when present) last. Names and addresses never are.
  const dates = [];
  for (let i = 1; i < fields.length; i++) if (isDigits(fields[i], 8)) dates.push(fields[i]);
  if (dates.length === 0) throw invalid('the QR payload carries no date of birth (ddMMyyyy)');
  if (dates.length > 2) throw invalid('the QR payload carries more than two dates');
  const dateOfBirth = ddmmyyyyToISO(dates[0], true);
  if (!dateOfBirth) throw invalid('the date of birth in the QR payload is not a date');
  let dateOfIssue = null;
  if (dates.length === 2) {
    dateOfIssue = ddmmyyyyToISO(dates[1], false);
    if (!dateOfIssue) throw invalid('the date of issue in the QR payload is not a date');
    if (dateOfBirth.length === 10 && dateOfIssue < dateOfBirth) {
      throw invalid('the date of issue in the QR payload is before the date of birth');
    }
  }
  const canonical = [
    id12, oldIdNumber ?? '', '', isoToDDMMYYYY(dateOfBirth), '', '',
    dateOfIssue ? isoToDDMMYYYY(dateOfIssue) : '',
  ].join('|');
  return { id12, oldIdNumber, dateOfBirth, dateOfIssue, access: { qr: canonical } };
}

/**
 * Whether a text looks like a card QR payload (rather than a typed number).
 * @param {string} s
 */
export function looksLikeQR(s) {
  return typeof s === 'string' && s.split('|').length >= 5 && /^\s*\uFEFF?\s*[0-9]{12}\s*\|/.test(s);
}

const MRZ_LINE = { 90: 30, 88: 44, 72: 36 };

const DOC_NUMBER = /^[A-Z0-9<]{1,22}$/;

/**
 * Whether a text looks like a passport (or other travel document) number
 * on its own: 6 to 9 letters and digits with at least one letter and one
 * digit, such as the Vietnamese `C1234567`. Such a number opens no chip
 * without the holder's birth date and the document's expiry date.
 * @param {string} s
 */
export function looksLikeDocumentNumber(s) {
  const v = String(s ?? '').trim().toUpperCase();
  return /^[A-Z0-9]{6,9}$/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v);
}

/**
 * Turns a date a clerk types from a passport's data page into the MRZ's
 * `YYMMDD`: `dd/mm/yyyy` (also with `-` or `.`, or as `ddmmyyyy`). With
 * `{mrz: true}` a `YYMMDD` as printed in the MRZ is accepted too. Returns
 * null when the text is not a complete, real date.
 * @param {string} text
 * @param {{mrz?: boolean}} [opts]
 * @returns {string|null}
 */
export function mrzDateFromInput(text, opts = {}) {
  const v = String(text ?? '').trim();
  if (opts.mrz && isDigits(v, 6)) {
    const m = Number(v.slice(2, 4));
    const d = Number(v.slice(4, 6));
    return m >= 1 && m <= 12 && d >= 1 && d <= 31 ? v : null;
  }
  const m = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$/.exec(v) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(v);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDate(y, mo, d)) return null;
  const two = (n) => String(n).padStart(2, '0');
  return two(y % 100) + two(mo) + two(d);
}

/**
 * The access key of a passport (BAC or PACE with the MRZ) from what is
 * printed on its data page: the document number, the holder's birth date
 * and the expiry date (`dd/mm/yyyy`, see {@link mrzDateFromInput}).
 * @param {string} number
 * @param {string} dateOfBirth
 * @param {string} dateOfExpiry
 * @returns {{documentNumber: string, dateOfBirth: string, dateOfExpiry: string}}
 * @throws {IdAgentError} code INVALID_KEY naming the part that is wrong
 */
export function passportKey(number, dateOfBirth, dateOfExpiry) {
  const doc = String(number ?? '').toUpperCase().replace(/[\s\-]/g, '').replace(/<+$/, '');
  if (!doc || !DOC_NUMBER.test(doc)) {
    throw invalid('the passport number must be the letters and digits printed on the data page', 'documentNumber');
  }
  const birth = mrzDateFromInput(dateOfBirth);
  if (!birth) throw invalid('the birth date must be a date written dd/mm/yyyy', 'dateOfBirth');
  const expiry = mrzDateFromInput(dateOfExpiry);
  if (!expiry) throw invalid('the expiry date must be a date written dd/mm/yyyy', 'dateOfExpiry');
  return { documentNumber: doc, dateOfBirth: birth, dateOfExpiry: expiry };
}

/**
 * Turns what a clerk typed or scanned into an access key for `read()`:
 * - a card QR payload → `{qr}` (digits and dates only, see {@link parseQR})
 * - 12 digits (spaces allowed) → `{id12}`
 * - 6 digits → `{can}`
 * - a TD1/TD2/TD3 MRZ (2 or 3 lines, from an MRZ scanner) → `{mrz}`
 * - a passport's `NUMBER BIRTH EXPIRY`, the dates as `dd/mm/yyyy` or as the
 *   MRZ's `YYMMDD` → `{documentNumber, dateOfBirth, dateOfExpiry}`
 * A passport number alone is refused with a message asking for the two
 * dates (`err.field` is `'dateOfBirth'`).
 * @param {string} text
 * @returns {import('./idagent.js').AccessKey}
 * @throws {IdAgentError} code INVALID_KEY with a message saying what to type
 */
export function accessKeyFromInput(text) {
  const s = String(text ?? '').replace(/^[\s\uFEFF]+|[\s\uFEFF]+$/g, '');
  if (s === '') throw invalid('no access key: type the 12-digit ID number, the 6-digit CAN, or scan the QR code; for a passport its number, birth date and expiry date');
  if (s.includes('|')) return parseQR(s).access;
  const digits = normalizeDigits(s);
  if (/^[0-9]+$/.test(digits)) {
    if (digits.length === 12) return { id12: digits };
    if (digits.length === 6) return { can: digits };
    if (digits.length === 9) throw invalid('9 digits is an old ID (CMND) number: type the 12-digit number of the chip card', 'oldIdNumber');
    throw invalid(`${digits.length} digits: type the 12-digit ID number or the 6-digit CAN`);
  }
  const compact = s.toUpperCase().replace(/\s+/g, '');
  if (MRZ_LINE[compact.length] && /^[A-Z0-9<]+$/.test(compact)) {
    const n = MRZ_LINE[compact.length];
    const lines = [];
    for (let i = 0; i < compact.length; i += n) lines.push(compact.slice(i, i + n));
    return { mrz: lines.join('\n') };
  }
  if (looksLikeDocumentNumber(s)) {
    throw invalid('a passport number alone does not open the chip: add the birth date and the expiry date (dd/mm/yyyy)', 'dateOfBirth');
  }
  const parts = s.toUpperCase().split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 3 && DOC_NUMBER.test(parts[0])) {
    const birth = mrzDateFromInput(parts[1], { mrz: true });
    const expiry = mrzDateFromInput(parts[2], { mrz: true });
    if (birth && expiry) return { documentNumber: parts[0].replace(/<+$/, ''), dateOfBirth: birth, dateOfExpiry: expiry };
  }
  throw invalid('not an access key: type the 12-digit ID number, the 6-digit CAN, the MRZ, or a passport\'s "number birth-date expiry-date" (dd/mm/yyyy)');
}

/**
 * Formats a date of the agent's fields (ISO `YYYY-MM-DD`, or `YYYY-MM` /
 * `YYYY` when the card holds a partial date) the way Vietnamese forms and
 * DG13 write it: `dd/mm/yyyy`, with `00` for an unknown day or month
 * (`00/00/1950`). A value already in `dd/mm/yyyy` is returned as is; null
 * or undefined gives ''.
 * @param {string|null|undefined} value
 * @returns {string}
 */
export function formatDG13Date(value) {
  if (value === null || value === undefined || value === '') return '';
  const v = String(value).trim();
  if (/^\d{2}\/\d{2}\/\d{4}$/.test(v)) return v;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
  if (!m) return v;
  return `${m[3] ?? '00'}/${m[2] ?? '00'}/${m[1]}`;
}

/**
 * Parses a DG13 date (`dd/mm/yyyy`, also `00/00/yyyy`, or `ddMMyyyy`) into
 * ISO (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`). Returns null when it is not a
 * date (for example the no-expiry text of field 12).
 * @param {string} value
 * @returns {string|null}
 */
export function parseDG13Date(value) {
  const v = String(value ?? '').trim().replace(/\//g, '');
  return ddmmyyyyToISO(v, true);
}

/**
 * Formats an MRZ date (`YYMMDD`; `<<` for an unknown day or month) as
 * `dd/mm/yyyy`. The century is chosen by kind: a birth date is never in the
 * future; an expiry date is 20YY unless that is more than 50 years ahead.
 * A Vietnamese card without expiry carries `991231`: with kind 'expiry'
 * that gives null. Returns '' for a value that is not an MRZ date.
 * @param {string} yymmdd
 * @param {{kind?: 'birth'|'expiry'|'issue', today?: Date}} [opts]
 * @returns {string|null}
 */
export function formatMRZDate(yymmdd, opts = {}) {
  const kind = opts.kind ?? 'birth';
  const v = String(yymmdd ?? '').replace(/</g, '0');
  if (!isDigits(v, 6)) return '';
  if (kind === 'expiry' && v === '991231') return null;
  const today = opts.today ?? new Date();
  const thisYear = today.getFullYear();
  const yy = Number(v.slice(0, 2));
  let year = 2000 + yy;
  if (kind === 'expiry') {
    if (year > thisYear + 50) year -= 100;
  } else if (year > thisYear) {
    year -= 100;
  }
  return `${v.slice(4, 6)}/${v.slice(2, 4)}/${year}`;
}

/**
 * Converts an ISO date (`YYYY-MM-DD`) or `dd/mm/yyyy` to MRZ `YYMMDD`.
 * Returns null when the value is not a complete date.
 * @param {string} value
 * @returns {string|null}
 */
export function toMRZDate(value) {
  const v = String(value ?? '').trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return m[1].slice(2) + m[2] + m[3];
  m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  if (m) return m[3].slice(2) + m[2] + m[1];
  return null;
}
