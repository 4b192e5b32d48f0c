// The client's words for checks and verdicts are the agent's: words.js is
// generated from emrtd/check/wording.go, and words-vectors.json holds what
// the agent's own lookups answer (both written by
// `go test ./web -run TestClientWords -update`). Here the client's lookups
// must give the same answers, so the desk and the agent cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { describeCheck, describeVerdict, testAnchorNotice } from '../messages.js';
import { WORDS } from '../words.js';

const vectors = JSON.parse(readFileSync(new URL('./words-vectors.json', import.meta.url), 'utf8'));

test('every check vector: the client describes a check as the agent does', () => {
  assert.ok(vectors.checks.length > 200, `${vectors.checks.length} vectors`);
  for (const v of vectors.checks) {
    for (const lang of ['vi', 'en']) {
      const d = describeCheck(v.check, lang, { final: v.final });
      const want = { title: v.title[lang], status: v.status[lang], text: v.text[lang], tone: v.tone };
      assert.deepEqual(d, want, `${JSON.stringify(v.check)} final=${v.final} ${lang}`);
    }
  }
});

test('every verdict vector: the client words a verdict as the agent does', () => {
  assert.ok(vectors.verdicts.length > 100, `${vectors.verdicts.length} vectors`);
  for (const v of vectors.verdicts) {
    for (const lang of ['vi', 'en']) {
      const d = describeVerdict(v.overall, lang, { checks: v.checks, documentType: v.documentType, testAnchor: v.testAnchor });
      assert.deepEqual(d, { text: v.text[lang], tone: v.tone }, `${v.overall} ${JSON.stringify(v.checks)} ${v.documentType} test=${v.testAnchor} ${lang}`);
    }
  }
});

test('the words issue 15 asks for', () => {
  // A cloned chip reads as a clone, not as a bad data signature.
  const aa = { name: 'active.authentication', status: 'FAIL', reason: 'SIGNATURE_INVALID' };
  assert.match(describeCheck(aa, 'vi').text, /SAO CHÉP/);
  assert.doesNotMatch(describeCheck(aa, 'vi').text, /Chữ ký số của dữ liệu/);
  assert.match(describeVerdict('FAIL', 'vi', { checks: [aa], documentType: 'id-card' }).text, /chip SAO CHÉP/);
  // Test cards are test cards; nothing says "Thẻ thật".
  assert.equal(describeVerdict('PASS', 'vi', { documentType: 'id-card', testAnchor: true }).text, 'Hợp lệ (thẻ thử nghiệm)');
  assert.equal(describeVerdict('PASS', 'en', { documentType: 'id-card', testAnchor: true }).text, 'Valid (test card)');
  assert.doesNotMatch(JSON.stringify(WORDS), /[Tt]hẻ thật/);
  assert.match(testAnchorNotice('vi'), /MÔ PHỎNG/);
  // Passports are passports.
  assert.match(describeVerdict('PASS', 'vi', { documentType: 'passport' }).text, /hộ chiếu/);
  // A revoked or expired signer is neither "edited" nor "forged".
  const revoked = describeVerdict('FAIL', 'vi', { checks: [{ name: 'ds.revocation', status: 'FAIL', reason: 'DS_REVOKED' }], documentType: 'id-card' }).text;
  assert.match(revoked, /THU HỒI/);
  assert.doesNotMatch(revoked, /sửa đổi|giả mạo/);
  const expired = describeVerdict('FAIL', 'en', { checks: [{ name: 'ds.validity', status: 'FAIL', reason: 'SIGNED_OUTSIDE_VALIDITY' }] }).text;
  assert.match(expired, /EXPIRED/);
  // Pending is not passed.
  const pending = describeCheck({ name: 'sod.signature', status: 'PASS' }, 'vi', { final: false });
  assert.equal(pending.tone, 'neutral');
  assert.equal(describeVerdict('PENDING', 'vi', { checks: [{ name: 'sod.signature', status: 'PASS' }] }).tone, 'neutral');
});
