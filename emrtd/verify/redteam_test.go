package verify_test

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/tlv"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

// Red team: what the simulator's TEST PKI signs (anyone can: its private
// keys are in the source tree) is never PASS without test anchors, at the
// desk or away from it, whatever trust store the verifier has: none, the
// TEST CSCA as a test anchor, or the TEST CSCA imported by mistake as a
// production anchor.
func TestTestPKINeverPasses(t *testing.T) {
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 70}, challengeA)
	mistaken := trust.New()
	if _, err := mistaken.ImportBytes(sim.TrustAnchor(), "csca.cer", trust.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		store  *trust.Store
		status check.Status
		reason string
	}{
		"no anchor":                    {trust.New(), check.Unknown, pa.ReasonCSCANotTrusted},
		"test anchor":                  {verifytest.Trust(t), check.Fail, pa.ReasonTestAnchor},
		"TEST CSCA imported as a CSCA": {mistaken, check.Fail, pa.ReasonTestAnchor},
	} {
		for _, atDesk := range []bool{true, false} {
			ev := mustParse(t, d.JSON)
			res := verify.Verify(ev, verify.Options{Trust: tc.store, AtDesk: atDesk, Challenge: challengeA})
			c, _ := res.Checks.Get(check.DSChain)
			if c.Status != tc.status || c.Reason != tc.reason || res.Verdict == check.Pass || res.Verdict == check.Warn {
				t.Errorf("%s (at desk %v): ds.chain %s %s, verdict %s", name, atDesk, c.Status, c.Reason, res.Verdict)
			}
		}
	}
}

// Red team: the verified document holds only data groups passive
// authentication proved. Before, it took any data group whose hash
// matched a correctly signed EF.SOD, whoever signed it: a clone signed
// with an attacker's own PKI, or a test document, was listed as
// "verifiedDataGroups" by the service and printed by `idagent verify
// evidence --fields`.
func TestDocumentNeedsTheChain(t *testing.T) {
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 71}, challengeA)
	revoked := verifytest.Desk(t, "cccd", sim.Options{Seed: 71, Tamper: issue.DSCRevoked}, challengeA)
	untrusted := verifytest.Desk(t, "cccd", sim.Options{Seed: 71, Tamper: issue.DSCUntrusted}, challengeA)
	for name, tc := range map[string]struct {
		d    *verifytest.Read
		opts verify.Options
		want int
	}{
		"trusted":                   {d, verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true}, 5},
		"no anchor":                 {d, verify.Options{Trust: trust.New()}, 0},
		"test anchor not allowed":   {d, verify.Options{Trust: verifytest.Trust(t)}, 0},
		"signer of an unknown CSCA": {untrusted, verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true}, 0},
		"revoked signer":            {revoked, verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true}, 0},
	} {
		ev := mustParse(t, tc.d.JSON)
		doc := verify.Verify(ev, tc.opts).Document(ev)
		if len(doc.Verified) != tc.want || (tc.want == 0 && (doc.DG1 != nil || doc.DG13 != nil || doc.DG2 != nil)) {
			t.Errorf("%s: verified %v", name, doc.Verified)
		}
	}
}

// Red team: evidence a desk edits fails with the check that names the
// edit, and what it adds is never in the verified document.
func TestEditedEvidence(t *testing.T) {
	genuine := verifytest.Desk(t, "cccd", sim.Options{Seed: 72}, challengeA)
	other := verifytest.Desk(t, "cccd", sim.Options{Seed: 73}, challengeA)
	passport := verifytest.Desk(t, "passport", sim.Options{Seed: 72}, challengeA)
	for _, tc := range []struct {
		name   string
		edit   func(ev *verify.Evidence)
		check  string
		status check.Status
		reason string
		absent []int // data groups the verified document must not hold
	}{
		{"a data group EF.SOD does not list", func(ev *verify.Evidence) { ev.DataGroups[11] = passport.Result.Evidence().DataGroups[11] },
			check.DGHash(11), check.Fail, pa.ReasonHashMissing, []int{11}},
		{"data group numbers swapped", func(ev *verify.Evidence) {
			ev.DataGroups[1], ev.DataGroups[13] = ev.DataGroups[13], ev.DataGroups[1]
		}, check.DGHash(13), check.Fail, pa.ReasonHashMismatch, []int{1, 13}},
		{"DG15 of another chip with that chip's signature over this challenge", func(ev *verify.Evidence) {
			oev := other.Result.Evidence()
			ev.DataGroups[15] = oev.DataGroups[15]
			ev.ActiveAuth = oev.ActiveAuth
		}, check.ActiveAuth, check.Unknown, verify.ReasonKeyNotVerified, []int{15}},
		{"EF.SOD of another document", func(ev *verify.Evidence) { ev.SOD = other.Result.Evidence().SOD },
			check.DGHash(13), check.Fail, pa.ReasonHashMismatch, []int{1, 2, 13, 14, 15}},
		{"DG14 and the chip authentication key of another chip", func(ev *verify.Evidence) {
			oev := other.Result.Evidence()
			ev.DataGroups[14], ev.ChipAuth = oev.DataGroups[14], oev.ChipAuth
		}, check.DGHash(14), check.Fail, pa.ReasonHashMismatch, []int{14}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := editEvidence(t, genuine.JSON, tc.edit)
			res := server(t, raw, challengeA)
			want(t, res, tc.check, tc.status, tc.reason)
			doc := res.Document(mustParse(t, raw))
			for _, n := range tc.absent {
				if slices.Contains(doc.Verified, n) {
					t.Errorf("DG%d is in the verified document", n)
				}
			}
		})
	}
}

// Red team: evidence JSON that holds a key twice (in any case: Go's
// decoder folds it, other parsers do not) is refused, so a backend and
// this verifier cannot read two different documents from it.
func TestEvidenceWithDuplicateKeys(t *testing.T) {
	raw := string(verifytest.Desk(t, "cccd", sim.Options{Seed: 74}, challengeA).JSON)
	for name, edit := range map[string][2]string{
		"sod twice":      {`"sod":`, `"sod":"AAAA","sod":`},
		"sod and SOD":    {`"sod":`, `"SOD":"AAAA","sod":`},
		"DG1 twice":      {`"DG1":`, `"DG1":"AAAA","DG1":`},
		"desk twice":     {`"desk":`, `"desk":{},"desk":`},
		"long s for sod": {`"sod":`, `"ſod":"AAAA","sod":`},
	} {
		doc := strings.Replace(raw, edit[0], edit[1], 1)
		if doc == raw {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := verify.ParseEvidence([]byte(doc)); err == nil || !strings.Contains(err.Error(), "duplicate key") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := verify.ParseEvidence([]byte(raw)); err != nil {
		t.Fatal(err)
	}
}

// dgHash is one entry of an LDS security object.
type dgHash struct {
	dg   int
	hash []byte
}

// resigned is ev with an EF.SOD whose LDS security object names hashAlg
// and lists entries, signed by the simulator's valid TEST document signer:
// what only an issuer (or whoever holds a trusted signer's key) can make.
func resigned(t *testing.T, ev *verify.Evidence, hashAlg asn1.ObjectIdentifier, entries []dgHash) *verify.Evidence {
	t.Helper()
	var list [][]byte
	for _, e := range entries {
		list = append(list, tlv.Encode(ber.TagSequence, []byte{ber.TagInteger, 1, byte(e.dg)}, tlv.Encode(ber.TagOctetString, e.hash)))
	}
	lds := tlv.Encode(ber.TagSequence, []byte{ber.TagInteger, 1, 0}, cert.MarshalAlgorithmIdentifier(cert.AlgorithmIdentifier{OID: hashAlg}),
		tlv.Encode(ber.TagSequence, list...))
	signer, err := testpki.DocumentSigner(testpki.Valid)
	if err != nil {
		t.Fatal(err)
	}
	sod, err := pa.SignSOD(lds, signer.Cert, signer.PrivateKey(), cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := *ev
	out.SOD = sod
	return &out
}

// hashesOf hashes ev's data groups with h (md5 for MD5), in ascending order.
func hashesOf(ev *verify.Evidence, h func([]byte) []byte) []dgHash {
	var out []dgHash
	for _, n := range slices.Sorted(maps.Keys(ev.DataGroups)) {
		out = append(out, dgHash{n, h(ev.DataGroups[n])})
	}
	return out
}

func sha256Of(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
func sha1Of(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func md5Of(b []byte) []byte    { s := md5.Sum(b); return s[:] }

// Red team: LDS security objects a signer got wrong, or that an attacker
// with a signer's key would make to confuse a reader: every one reads FAIL
// or UNKNOWN, and its data groups are not in the verified document.
func TestLDSSecurityObjectEdges(t *testing.T) {
	ev := verifytest.Desk(t, "cccd", sim.Options{Seed: 75}, nil).Result.Evidence()
	oidMD5 := asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	good := hashesOf(ev, sha256Of)
	dup := append(slices.Clone(good), dgHash{13, sha256Of(ev.DataGroups[13])})
	conflicting := append(slices.Clone(good), dgHash{13, sha256Of([]byte("another DG13"))})
	for _, tc := range []struct {
		name     string
		alg      asn1.ObjectIdentifier
		entries  []dgHash
		check    string
		status   check.Status
		reason   string
		verified bool
	}{
		{"as issued", cert.OIDSHA256, good, check.DGHash(13), check.Pass, pa.ReasonHashMatch, true},
		{"a data group listed twice", cert.OIDSHA256, dup, check.SODSignature, check.Fail, pa.ReasonSODMalformed, false},
		{"a data group listed twice with two hashes", cert.OIDSHA256, conflicting, check.SODSignature, check.Fail, pa.ReasonSODMalformed, false},
		{"SHA-256 named, SHA-1 hashes", cert.OIDSHA256, hashesOf(ev, sha1Of), check.DGHash(13), check.Fail, pa.ReasonHashMismatch, false},
		{"SHA-512 named, SHA-256 hashes", cert.OIDSHA512, good, check.DGHash(13), check.Fail, pa.ReasonHashMismatch, false},
		{"MD5", oidMD5, hashesOf(ev, md5Of), check.DGHash(13), check.NotSupported, pa.ReasonUnsupported, false},
		{"data group 0", cert.OIDSHA256, append(slices.Clone(good), dgHash{0, sha256Of(nil)}), check.SODSignature, check.Fail, pa.ReasonSODMalformed, false},
		{"data group 17", cert.OIDSHA256, append(slices.Clone(good), dgHash{17, sha256Of(nil)}), check.SODSignature, check.Fail, pa.ReasonSODMalformed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forged := resigned(t, ev, tc.alg, tc.entries)
			res := verify.Verify(forged, deskOptions(t))
			c, _ := res.Checks.Get(tc.check)
			if c.Status != tc.status || c.Reason != tc.reason {
				t.Errorf("%s: %s %s, want %s %s", tc.check, c.Status, c.Reason, tc.status, tc.reason)
			}
			if pass := res.Verdict == check.Pass || res.Verdict == check.Warn; pass != tc.verified {
				t.Errorf("verdict %s: %+v", res.Verdict, res.Checks)
			}
			if got := slices.Contains(res.Document(forged).Verified, 13); got != tc.verified {
				t.Errorf("DG13 verified: %v", got)
			}
		})
	}
}

// Red team: away from the desk, how the chip was opened is the desk's
// word: it lowers the verdict (BAC where signed data lists PACE is WARN)
// but never reads PASS, whatever the desk claims.
func TestAccessProtocolAwayFromDesk(t *testing.T) {
	d := verifytest.Desk(t, "passport", sim.Options{Seed: 76}, challengeA)
	for name, tc := range map[string]struct {
		edit   func(a *verify.Access)
		status check.Status
		reason string
	}{
		"PACE claimed": {func(a *verify.Access) {}, check.Skipped, verify.ReasonVerifiedAtDeskOnly},
		"BAC reported": {func(a *verify.Access) { a.Mechanism, a.Protocol, a.ParameterID = verify.MechanismBAC, "", nil }, check.Warn, verify.ReasonPACENotUsed},
	} {
		raw := editEvidence(t, d.JSON, func(ev *verify.Evidence) { tc.edit(ev.Access) })
		c, _ := server(t, raw, challengeA).Checks.Get(check.AccessProtocol)
		if c.Status != tc.status || c.Reason != tc.reason {
			t.Errorf("%s: %s %s, want %s %s", name, c.Status, c.Reason, tc.status, tc.reason)
		}
	}
	if c, _ := d.Result.Checks.Get(check.AccessProtocol); c.Status != check.Pass {
		t.Errorf("at the desk: %+v", c)
	}
}
