package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/pa"
)

func runTrustCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, args)
	return code, out.String(), errb.String()
}

// verifyFixture writes a CSCA, its CRL, a DS-signed SOD and data groups.
type verifyFixture struct {
	dir, csca, crl, sod, dg1 string
	otherSOD                 string
}

func newVerifyFixture(t *testing.T) verifyFixture {
	dir := t.TempDir()
	now := time.Now()
	cscaKey, _ := ec.GenerateKey(ec.BrainpoolP384r1(), rand.Reader)
	ct := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "CSCA VN test"}},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0), IsCA: true, KeyUsage: cert.KeyUsageCertSign | cert.KeyUsageCRLSign, ExplicitParams: true}
	der, err := cert.Create(&ct, &cscaKey.PublicKey, nil, cscaKey)
	if err != nil {
		t.Fatal(err)
	}
	csca, _ := cert.Parse(der)
	dsKey, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	dt := cert.Template{Serial: big.NewInt(2), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "DS VN test"}},
		NotBefore: now.AddDate(0, -1, 0), NotAfter: now.AddDate(10, 0, 0), KeyUsage: cert.KeyUsageDigitalSignature}
	der, _ = cert.Create(&dt, &dsKey.PublicKey, csca, cscaKey)
	ds, _ := cert.Parse(der)
	crl, _ := cert.CreateCRL(csca, cscaKey, nil, now.AddDate(0, 0, -1), now.AddDate(0, 1, 0), big.NewInt(1), crypto.SHA384)
	dg1 := []byte("\x61\x03abc")
	lds, _ := pa.EncodeLDSSecurityObject(crypto.SHA256, pa.HashDataGroups(crypto.SHA256, map[int][]byte{1: dg1}), "0108", "040000")
	sod, err := pa.SignSOD(lds, ds, dsKey, cms.SignOptions{SigningTime: now})
	if err != nil {
		t.Fatal(err)
	}
	// A second SOD under a CSCA the store does not know.
	otherKey, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	ot := ct
	ot.Subject = []cert.Attribute{{Type: cert.OIDCountry, Value: "LA"}, {Type: cert.OIDCommonName, Value: "CSCA LA"}}
	der, _ = cert.Create(&ot, &otherKey.PublicKey, nil, otherKey)
	other, _ := cert.Parse(der)
	dt.Subject = []cert.Attribute{{Type: cert.OIDCountry, Value: "LA"}, {Type: cert.OIDCommonName, Value: "DS LA"}}
	der, _ = cert.Create(&dt, &dsKey.PublicKey, other, otherKey)
	otherDS, _ := cert.Parse(der)
	otherSOD, _ := pa.SignSOD(lds, otherDS, dsKey, cms.SignOptions{})

	f := verifyFixture{dir: dir}
	for name, b := range map[string][]byte{"csca.der": csca.Raw, "csca.crl": crl, "EF.SOD": sod, "dg1.bin": dg1, "other.sod": otherSOD} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		switch name {
		case "csca.der":
			f.csca = p
		case "csca.crl":
			f.crl = p
		case "EF.SOD":
			f.sod = p
		case "dg1.bin":
			f.dg1 = p
		case "other.sod":
			f.otherSOD = p
		}
	}
	return f
}

func TestVerifySOD(t *testing.T) {
	f := newVerifyFixture(t)
	code, out, errs := runTrustCmd(t, "verify", "sod", f.sod, "--trust", f.csca, "--trust", f.crl, "--issuing-state", "VNM", "--dg", "1="+f.dg1)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"PASS", "CHAIN_VALID", "NOT_REVOKED", "COUNTRY_MATCH", "dg.hash.DG1", "verdict PASS", "DS VN test"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Without the CRL, revocation is unchecked: a WARN, which counts as passed.
	if code, out, _ := runTrustCmd(t, "verify", "sod", f.sod, "--trust", f.csca); code != exitOK || !strings.Contains(out, "NO_CRL") {
		t.Errorf("no CRL: exit %d\n%s", code, out)
	}
	// An edited data group fails: exit 1.
	edited := filepath.Join(f.dir, "dg1-edited.bin")
	os.WriteFile(edited, []byte("\x61\x03abd"), 0o644)
	if code, out, _ := runTrustCmd(t, "verify", "sod", f.sod, "--trust", f.csca, "--trust", f.crl, "--dg", "1="+edited); code != exitFailed || !strings.Contains(out, "HASH_MISMATCH") {
		t.Errorf("edited DG: exit %d\n%s", code, out)
	}
	// Unknown CSCA: exit 2, JSON says why.
	code, out, _ = runTrustCmd(t, "verify", "sod", "--json", f.otherSOD, "--trust", f.dir)
	if code != exitUnknown {
		t.Errorf("untrusted: exit %d\n%s", code, out)
	}
	var res struct {
		Verdict string `json:"verdict"`
		Signer  struct{ Country string }
		Checks  []struct{ Name, Status, Reason string }
		Hashes  []struct{ DataGroup int } `json:"dataGroupHashes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if res.Verdict != "UNKNOWN" || res.Signer.Country != "LA" || len(res.Hashes) != 1 || res.Checks[1].Reason != "CSCA_NOT_TRUSTED" {
		t.Errorf("JSON result: %+v", res)
	}
	// Test anchors fail unless accepted.
	store := filepath.Join(f.dir, "store")
	if code, _, errs := runTrustCmd(t, "trust", "import", f.csca, "--store", store, "--test"); code != exitOK {
		t.Fatalf("import: %d %s", code, errs)
	}
	if code, out, _ := runTrustCmd(t, "verify", "sod", f.sod, "--trust", store); code != exitFailed || !strings.Contains(out, "TEST_ANCHOR") || !strings.Contains(out, "[TEST ANCHOR]") {
		t.Errorf("test anchor: exit %d\n%s", code, out)
	}
	if code, out, _ := runTrustCmd(t, "verify", "sod", f.sod, "--trust", store, "--allow-test-anchors"); code != exitOK || !strings.Contains(out, "PASS          ds.chain        TEST_ANCHOR") {
		t.Errorf("test anchor allowed: exit %d\n%s", code, out)
	}
}

func TestVerifySODBadInput(t *testing.T) {
	f := newVerifyFixture(t)
	if code, _, _ := runTrustCmd(t, "verify"); code != exitUsage {
		t.Errorf("no subcommand: %d", code)
	}
	if code, _, _ := runTrustCmd(t, "verify", "sod"); code != exitUsage {
		t.Errorf("no file: %d", code)
	}
	if code, _, _ := runTrustCmd(t, "verify", "sod", filepath.Join(f.dir, "missing")); code != exitInput {
		t.Errorf("missing file: %d", code)
	}
	if code, _, errs := runTrustCmd(t, "verify", "sod", f.dg1); code != exitInput || !strings.Contains(errs, "EF.SOD") {
		t.Errorf("not a SOD: %d %s", code, errs)
	}
	if code, _, _ := runTrustCmd(t, "verify", "sod", f.sod, "--trust", f.dg1); code != exitInput {
		t.Errorf("bad trust file: %d", code)
	}
	if code, _, _ := runTrustCmd(t, "verify", "sod", f.sod, "--dg", "x=y"); code != exitUsage {
		t.Errorf("bad --dg: %d", code)
	}
}

func TestVerifyRealSODs(t *testing.T) {
	ml := "../../../shared/pki/DE_masterlist_2026-05-28.ml"
	if _, err := os.Stat(ml); err != nil {
		t.Skipf("shared reference data not available (%v); skipping", err)
	}
	for _, name := range []string{"AT", "DE", "FI", "FR", "UK", "US"} {
		code, out, errs := runTrustCmd(t, "verify", "sod", "../../../shared/realworld/"+name+".sod", "--trust", ml)
		// Master lists carry no CRLs: revocation is unchecked (WARN), so exit 0.
		if code != exitOK || !strings.Contains(out, "NO_CRL") || !strings.Contains(out, "SIGNATURE_VALID") || !strings.Contains(out, "CHAIN_VALID") {
			t.Errorf("%s: exit %d\n%s%s", name, code, out, errs)
		}
	}
}
