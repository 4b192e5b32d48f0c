// Unit tests of the Vietnamese card helpers and the clerk messages (no agent).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  parseQR, looksLikeQR, accessKeyFromInput, looksLikeDocumentNumber, mrzDateFromInput, passportKey, isValidID12, id12Info,
  formatDG13Date, parseDG13Date, formatMRZDate, toMRZDate, IdAgentError, ErrorCode,
} from '../idagent.js';
import { describeCheck, describeError, describeVerdict, describePhase, sexLabel } from '../messages.js';

const invalidKey = (err) => err instanceof IdAgentError && err.code === ErrorCode.INVALID_KEY;

test('isValidID12 accepts 12 digits only', () => {
  assert.equal(isValidID12('001099012345'), true);
  assert.equal(isValidID12('00109901234'), false);
  assert.equal(isValidID12('0010990123456'), false);
  assert.equal(isValidID12('00109901234a'), false);
  assert.equal(isValidID12(' 01099012345'), false);
  assert.equal(isValidID12(1099012345), false);
  assert.equal(isValidID12(null), false);
});

test('id12Info decodes sex and century', () => {
  assert.deepEqual(id12Info('001099012345'), { province: '001', sex: 'M', birthYear: 1999 });
  assert.deepEqual(id12Info('079189012345'), { province: '079', sex: 'F', birthYear: 1989 });
  assert.deepEqual(id12Info('001205012345'), { province: '001', sex: 'M', birthYear: 2005 });
  assert.deepEqual(id12Info('001303012345'), { province: '001', sex: 'F', birthYear: 2003 });
  assert.equal(id12Info('123'), null);
});

test('parseQR reads the 7-field payload and keeps only digits and dates', () => {
  const q = parseQR('001099012345|123456789|Nguyễn Văn An|01011999|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|01072021');
  assert.equal(q.id12, '001099012345');
  assert.equal(q.oldIdNumber, '123456789');
  assert.equal(q.dateOfBirth, '1999-01-01');
  assert.equal(q.dateOfIssue, '2021-07-01');
  assert.deepEqual(q.access, { qr: '001099012345|123456789||01011999|||01072021' });
  assert.ok(!JSON.stringify(q).includes('Nguy'), 'the name never leaves the parser');
  assert.ok(!JSON.stringify(q).includes('Bến'), 'the address never leaves the parser');
});

test('parseQR tolerates scanner-mangled diacritics, spaces, BOM and line ends', () => {
  const mangled = '\uFEFF 001099012345|123456789|NguyÃ¡Â»â€¦n VÃ„Æ’n An|01011999|NÃ¡Â»Â¯|PhÃ†Â°Ã¡Â»Âng|01072021\r\n';
  const q = parseQR(mangled);
  assert.equal(q.id12, '001099012345');
  assert.equal(q.dateOfBirth, '1999-01-01');
  assert.equal(q.dateOfIssue, '2021-07-01');
});

test('parseQR reads both 6-field variants', () => {
  const noIssue = parseQR('001099012345|123456789|Nguyen Van An|01011999|Nam|Ha Noi');
  assert.equal(noIssue.oldIdNumber, '123456789');
  assert.equal(noIssue.dateOfIssue, null);
  assert.equal(noIssue.access.qr, '001099012345|123456789||01011999|||');
  const noOld = parseQR('001099012345|Nguyen Van An|01011999|Nam|Ha Noi|01072021');
  assert.equal(noOld.oldIdNumber, null);
  assert.equal(noOld.dateOfBirth, '1999-01-01');
  assert.equal(noOld.dateOfIssue, '2021-07-01');
  const emptyOld = parseQR('001099012345||Nguyen Van An|01011999|Nam|Ha Noi|01072021');
  assert.equal(emptyOld.oldIdNumber, null);
});

test('parseQR accepts partial birth dates of older cards', () => {
  assert.equal(parseQR('001050012345||Le Thi B|00001950|Nữ|Hue|01072021').dateOfBirth, '1950');
  assert.equal(parseQR('001050012345||Le Thi B|00031950|Nữ|Hue|01072021').dateOfBirth, '1950-03');
  assert.equal(parseQR('001050012345||Le Thi B|00001950|Nữ|Hue|01072021').access.qr, '001050012345|||00001950|||01072021');
});

test('parseQR refuses what is not a card QR payload, naming the problem', () => {
  assert.throws(() => parseQR('hello'), invalidKey);
  assert.throws(() => parseQR('00109901234|123456789|A|01011999|Nam|X|01072021'), /12-digit/);
  assert.throws(() => parseQR('001099012345|123456789|A|31021999|Nam|X|01072021'), /birth/);
  assert.throws(() => parseQR('001099012345|123456789|A|01011999|Nam|X|01011990'), /before the date of birth/);
  assert.throws(() => parseQR('001099012345|123456789|A|Nam|X|Y|Z'), /no date of birth/);
  assert.throws(() => parseQR('x'.repeat(5000)), /too long/);
  // Errors never quote the payload.
  try {
    parseQR('001099012345|123456789|Secret Name|99999999|Nam|X|01072021');
  } catch (err) {
    assert.ok(!err.message.includes('Secret') && !err.message.includes('001099012345'));
  }
});

test('looksLikeQR', () => {
  assert.equal(looksLikeQR('001099012345|123456789|A|01011999|Nam|X|01072021'), true);
  assert.equal(looksLikeQR('001099012345'), false);
  assert.equal(looksLikeQR('abc|def|ghi|jkl|mno'), false);
});

test('accessKeyFromInput: ID12, CAN, QR, MRZ and MRZ parts', () => {
  assert.deepEqual(accessKeyFromInput('001099012345'), { id12: '001099012345' });
  assert.deepEqual(accessKeyFromInput(' 001 099 012 345 '), { id12: '001099012345' });
  assert.deepEqual(accessKeyFromInput('012345'), { can: '012345' });
  assert.deepEqual(accessKeyFromInput('001099012345|123456789|Nguyễn Văn An|01011999|Nam|Hà Nội|01072021'),
    { qr: '001099012345|123456789||01011999|||01072021' });
  const td1 = 'IDVNM0990123454001099012345<<0\n9901013M3901012VNM<<<<<<<<<<<8\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<';
  assert.deepEqual(accessKeyFromInput(td1), { mrz: td1 });
  assert.deepEqual(accessKeyFromInput(td1.replace(/\n/g, ' ').toLowerCase()), { mrz: td1 });
  const td3 = 'P<VNMNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<<<<<<<<<<\nC1234567<0VNM9901013M3901012001099012345<<08';
  assert.deepEqual(accessKeyFromInput(td3), { mrz: td3 });
  assert.deepEqual(accessKeyFromInput('C1234567 990101 390101'),
    { documentNumber: 'C1234567', dateOfBirth: '990101', dateOfExpiry: '390101' });
  assert.deepEqual(accessKeyFromInput('c1234567, 990101, 390101'),
    { documentNumber: 'C1234567', dateOfBirth: '990101', dateOfExpiry: '390101' });
});

test('accessKeyFromInput explains what to type', () => {
  assert.throws(() => accessKeyFromInput(''), invalidKey);
  assert.throws(() => accessKeyFromInput('123456789'), /old ID/);
  assert.throws(() => accessKeyFromInput('1234567'), /7 digits/);
  assert.throws(() => accessKeyFromInput('hello world'), invalidKey);
  // A passport number alone: the error asks for the dates, and says where.
  assert.throws(() => accessKeyFromInput('C1234567'), (err) => err.code === 'INVALID_KEY' && err.field === 'dateOfBirth' && /birth date/.test(err.message));
});

test('passports: the number, birth date and expiry date as printed on the data page', () => {
  assert.deepEqual(accessKeyFromInput('C1234567 01/01/1999 01/01/2039'),
    { documentNumber: 'C1234567', dateOfBirth: '990101', dateOfExpiry: '390101' });
  assert.deepEqual(passportKey(' c1234567 ', '1/1/1999', '01.01.2039'),
    { documentNumber: 'C1234567', dateOfBirth: '990101', dateOfExpiry: '390101' });
  assert.deepEqual(passportKey('C1234567', '01011999', '31-12-2039'),
    { documentNumber: 'C1234567', dateOfBirth: '990101', dateOfExpiry: '391231' });
  assert.throws(() => passportKey('', '01/01/1999', '01/01/2039'), (err) => err.field === 'documentNumber');
  assert.throws(() => passportKey('C1234567', '31/02/1999', '01/01/2039'), (err) => err.field === 'dateOfBirth');
  assert.throws(() => passportKey('C1234567', '01/01/1999', '990101'), (err) => err.field === 'dateOfExpiry');
  assert.equal(mrzDateFromInput('990101'), null, 'six digits are not a date a clerk types');
  assert.equal(mrzDateFromInput('990101', { mrz: true }), '990101');
  assert.equal(looksLikeDocumentNumber('C1234567'), true);
  assert.equal(looksLikeDocumentNumber('001099012345'), false);
  assert.equal(looksLikeDocumentNumber('012345'), false);
});

test('formatDG13Date writes dd/mm/yyyy with 00 for missing parts', () => {
  assert.equal(formatDG13Date('1999-01-31'), '31/01/1999');
  assert.equal(formatDG13Date('1950-03'), '00/03/1950');
  assert.equal(formatDG13Date('1950'), '00/00/1950');
  assert.equal(formatDG13Date('00/00/1950'), '00/00/1950');
  assert.equal(formatDG13Date(null), '');
  assert.equal(formatDG13Date(undefined), '');
  assert.equal(formatDG13Date('Không thời hạn'), 'Không thời hạn');
});

test('parseDG13Date reads dd/mm/yyyy, partial dates, and refuses text', () => {
  assert.equal(parseDG13Date('31/01/1999'), '1999-01-31');
  assert.equal(parseDG13Date('00/00/1950'), '1950');
  assert.equal(parseDG13Date('00/03/1950'), '1950-03');
  assert.equal(parseDG13Date('31/02/1999'), null);
  assert.equal(parseDG13Date('Không thời hạn'), null);
});

test('formatMRZDate picks the century by kind', () => {
  const today = new Date(2026, 0, 1);
  assert.equal(formatMRZDate('990101', { today }), '01/01/1999');
  assert.equal(formatMRZDate('050607', { today }), '07/06/2005');
  assert.equal(formatMRZDate('270101', { today }), '01/01/1927');
  assert.equal(formatMRZDate('390101', { kind: 'expiry', today }), '01/01/2039');
  assert.equal(formatMRZDate('991231', { kind: 'expiry', today }), null);
  assert.equal(formatMRZDate('99<<<<', { today }), '00/00/1999');
  assert.equal(formatMRZDate('abc', { today }), '');
  assert.equal(toMRZDate('1999-01-31'), '990131');
  assert.equal(toMRZDate('31/01/1999'), '990131');
  assert.equal(toMRZDate('1999'), null);
});

test('messages: every agent error code has Vietnamese and English words', () => {
  for (const code of Object.keys(ErrorCode)) {
    const vi = describeError(code, 'vi');
    const en = describeError(code, 'en');
    assert.ok(vi && en && vi !== en, code);
  }
  assert.match(describeError({ code: 'SOMETHING_NEW', retryable: true }, 'en'), /Try again/);
});

test('messages: checks in words, failures never look good', () => {
  const pass = describeCheck({ name: 'dg.hash.DG13', status: 'PASS', reason: '' }, 'en');
  assert.equal(pass.tone, 'ok');
  assert.match(pass.text, /Unchanged/);
  const fail = describeCheck({ name: 'dg.hash.DG13', status: 'FAIL', reason: 'HASH_MISMATCH' }, 'vi');
  assert.equal(fail.tone, 'bad');
  assert.match(fail.text, /ĐÃ BỊ SỬA/);
  assert.equal(describeCheck({ name: 'ds.chain', status: 'UNKNOWN', reason: 'CSCA_NOT_TRUSTED' }, 'en').tone, 'warn');
  assert.equal(describeCheck({ name: 'future.check', status: 'FAIL' }, 'en').tone, 'bad');
  for (const name of ['sod.signature', 'ds.chain', 'ds.validity', 'ds.revocation', 'ds.country',
    'chip.authentication', 'active.authentication', 'mrz.dg13.consistency', 'mrz.check_digits', 'access.key.consistency',
    'dg.hash.DG1', 'dg.hash.DG2']) {
    for (const status of ['PASS', 'FAIL', 'UNKNOWN', 'WARN', 'NOT_SUPPORTED', 'SKIPPED']) {
      for (const lang of ['vi', 'en']) {
        const d = describeCheck({ name, status, reason: '' }, lang);
        assert.ok(d.title && d.text && d.status, `${name} ${status} ${lang}`);
      }
    }
  }
  assert.match(describeCheck({ name: 'ds.revocation', status: 'FAIL', reason: 'DS_REVOKED' }, 'en').text, /revoked/i);
  assert.match(describeCheck({ name: 'ds.chain', status: 'UNKNOWN', reason: 'NO_CSCA' }, 'vi').text, /chứng chỉ gốc/);
  assert.match(describeCheck({ name: 'active.authentication', status: 'FAIL', reason: 'KEY_MISMATCH' }, 'en').text, /cloned/i);
  // A reason never softens a pass into something else, nor a failure into a pass.
  assert.equal(describeCheck({ name: 'ds.chain', status: 'PASS', reason: 'TEST_ANCHOR' }, 'en').tone, 'ok');
  assert.equal(describeCheck({ name: 'ds.chain', status: 'FAIL', reason: 'CHAIN_VALID' }, 'en').tone, 'bad');
  assert.equal(describeVerdict('PASS').tone, 'ok');
  assert.equal(describeVerdict('FAIL').tone, 'bad');
  assert.equal(describeVerdict('UNKNOWN').tone, 'warn');
  assert.equal(describeVerdict('WARN').tone, 'warn');
  assert.equal(describeVerdict('SOMETHING').tone, 'warn');
  assert.match(describePhase('waiting', 'en'), /Place the card/);
  assert.equal(sexLabel('F', 'vi'), 'Nữ');
  assert.equal(sexLabel('M', 'en'), 'Male');
});
