package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
	"github.com/idagent/idagent/verifier/challenge"
)

func (s *service) get(path string) (int, string) {
	s.t.Helper()
	resp, err := s.http.Client().Get(s.http.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Callers authenticate; requests are bounded in size and rate; errors
// say what is wrong with a code.
func TestAuthenticationAndLimits(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 64 << 10
	s := newService(t, cfg, nil)
	var e apiError
	if code := s.post("/v1/challenges", "", nil, &e); code != http.StatusUnauthorized || e.Error.Code != "UNAUTHENTICATED" {
		t.Errorf("no key: %d %+v", code, e)
	}
	if code := s.post("/v1/challenges", "not-a-key-of-anyone-here", nil, &e); code != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", code)
	}
	big := VerifyRequest{Evidence: json.RawMessage(`{"sod":"` + strings.Repeat("A", 70<<10) + `"}`)}
	if code := s.post("/v1/verify", hisKey, big, &e); code != http.StatusRequestEntityTooLarge || e.Error.Code != "TOO_LARGE" {
		t.Errorf("too large: %d %+v", code, e)
	}
	for body, want := range map[string]string{`{"evidence":`: "BAD_REQUEST", `{"evidence":{"x":1}}`: "BAD_EVIDENCE", `{"surprise":1}`: "BAD_REQUEST"} {
		req, _ := http.NewRequest(http.MethodPost, s.http.URL+"/v1/verify", strings.NewReader(body))
		req.Header.Set("X-API-Key", hisKey)
		resp, err := s.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || e.Error.Code != want {
			t.Errorf("%s: %d %+v", body, resp.StatusCode, e)
		}
	}
	// lab may send 3 requests at once, then 1 a second.
	codes := []int{}
	for range 5 {
		codes = append(codes, s.post("/v1/challenges", labKey, nil, nil))
	}
	if codes[0] != http.StatusCreated || codes[4] != http.StatusTooManyRequests {
		t.Errorf("rate limit: %v", codes)
	}
	if code, body := s.get("/healthz"); code != http.StatusOK || !strings.Contains(body, "ok") {
		t.Errorf("healthz %d %s", code, body)
	}
	if code, _ := s.get("/readyz"); code != http.StatusOK {
		t.Errorf("readyz %d", code)
	}
}

// A challenge must be this service's, for this caller, not expired, for
// its transaction; each refusal has its reason and releases nothing.
func TestChallengeRefusals(t *testing.T) {
	now := time.Now()
	cfg := testConfig()
	s := newService(t, cfg, nil)
	s.srv.now = func() time.Time { return now }
	chip, _ := sim.New("cccd", sim.Options{Seed: 74})
	read := func(chal []byte) []byte { return verifytest.DeskChip(t, chip, chal).JSON }

	never := []byte("never!!!")
	if _, resp := s.verify(hisKey, read(never), never, ""); resp.Checks[0].Reason != ReasonChallengeUnknown {
		t.Errorf("unknown: %+v", resp.Checks)
	}
	labs := s.challenge(labKey, "")
	if _, resp := s.verify(hisKey, read(labs), labs, ""); resp.Checks[0].Reason != ReasonChallengeUnknown {
		t.Errorf("another caller's: %+v", resp.Checks)
	}
	old := s.challenge(hisKey, "")
	now = now.Add(challenge.DefaultTTL + time.Second)
	if _, resp := s.verify(hisKey, read(old), old, ""); resp.Checks[0].Reason != ReasonChallengeExpired {
		t.Errorf("expired: %+v", resp.Checks)
	}
	bound := s.challenge(hisKey, "tx-1")
	if _, resp := s.verify(hisKey, read(bound), bound, "tx-2"); resp.Checks[0].Reason != ReasonChallengeTransaction || resp.Verdict != check.Fail {
		t.Errorf("other transaction: %+v", resp.Checks)
	}
	bound = s.challenge(hisKey, "tx-3")
	if _, resp := s.verify(hisKey, read(bound), bound, "tx-3"); resp.Verdict != check.Pass {
		t.Errorf("own transaction: %s %+v", resp.Verdict, resp.Checks)
	}
	// A chip without active authentication signs no challenge: the
	// request must name it, or the verification is refused.
	noAA := verifytest.Desk(t, "passport-cam", sim.Options{Seed: 75}, nil)
	if _, resp := s.verify(hisKey, noAA.JSON, nil, ""); resp.Checks[0].Reason != ReasonChallengeMissing {
		t.Errorf("no challenge: %+v", resp.Checks)
	}
	chal := s.challenge(hisKey, "")
	_, resp := s.verify(hisKey, noAA.JSON, chal, "")
	if st, reason := reasonOf(resp.Checks, check.Challenge); st != check.Warn || reason != "CHALLENGE_NOT_SIGNED" || resp.Verdict != check.Warn {
		t.Errorf("chip without AA: %s %s, verdict %s", st, reason, resp.Verdict)
	}
	if st, reason := reasonOf(resp.Checks, check.ChipAuth); st != check.Warn || reason != "VERIFIED_AT_DESK_ONLY" {
		t.Errorf("chip without AA: chip authentication %s %s", st, reason)
	}
}

// The field policy: lab receives only its two fields and no photo, and
// is told which it did not receive.
func TestFieldPolicy(t *testing.T) {
	s := newService(t, testConfig(), nil)
	chal := s.challenge(labKey, "")
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 76}, chal)
	_, resp := s.verify(labKey, d.JSON, chal, "")
	if resp.Verdict != check.Pass || len(resp.Fields) != 2 || resp.Fields["idNumber"] != d.Chip.AccessData().ID12 || resp.Photo != nil {
		t.Errorf("verdict %s, fields %v, photo %v", resp.Verdict, keys(resp.Fields), resp.Photo != nil)
	}
	if !contains(resp.Withheld, "religion") || contains(resp.Withheld, "idNumber") {
		t.Errorf("withheld %v", resp.Withheld)
	}
}

// Metrics count verdicts and reasons; neither they nor the logs hold
// personal data, a challenge or a transaction id.
func TestMetricsAndLogsHoldNoPersonalData(t *testing.T) {
	s := newService(t, testConfig(), nil)
	chal := s.challenge(hisKey, "tx-secret-42")
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 77}, chal)
	if _, resp := s.verify(hisKey, d.JSON, chal, "tx-secret-42"); resp.Verdict != check.Pass {
		t.Fatal(resp.Verdict)
	}
	s.verify(hisKey, d.JSON, chal, "tx-secret-42") // a replay
	code, metrics := s.get("/metrics")
	if code != http.StatusOK {
		t.Fatal(code)
	}
	for _, want := range []string{`idagent_verifier_verifications_total{caller="his",verdict="PASS"} 1`,
		`idagent_verifier_challenge_refusals_total{reason="CHALLENGE_USED"} 1`, `idagent_verifier_verification_duration_seconds_count 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	var logs strings.Builder
	for _, e := range s.logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		logs.WriteString(e.Message + " " + string(b) + "\n")
	}
	if !strings.Contains(logs.String(), "verified") || !strings.Contains(logs.String(), "CHALLENGE_USED") {
		t.Errorf("logs lack the verification and the refusal:\n%s", logs.String())
	}
	a := d.Chip.AccessData()
	for _, secret := range []string{a.ID12, a.DocumentNumber, d.Result.DG13.FullName, "tx-secret-42", base64.StdEncoding.EncodeToString(chal)} {
		for what, text := range map[string]string{"metrics": metrics, "logs": logs.String()} {
			if secret != "" && strings.Contains(text, secret) {
				t.Errorf("%s hold personal data or a secret (%d characters)", what, len(secret))
			}
		}
	}
}

// A caller authenticates with a client certificate (mutual TLS); a
// certificate of an unknown name or none at all does not authenticate.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.Raw)
	cfg := testConfig()
	cfg.TLS = &TLSConfig{Cert: "unused", Key: "unused", ClientCAs: filepath.Join(dir, "ca.pem")}
	cfg.Callers = append(cfg.Callers, CallerConfig{Name: "bank", ClientNames: []string{"bank.example"}, Fields: []string{"fullName"}})
	srv, err := New(cfg, Options{LoadTrust: trustLoader(t)})
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewUnstartedServer(srv.Handler())
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	h.TLS = &tls.Config{ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven}
	h.StartTLS()
	defer h.Close()
	for name, want := range map[string]int{"bank.example": http.StatusCreated, "stranger.example": http.StatusUnauthorized, "": http.StatusUnauthorized} {
		client := h.Client()
		tr := client.Transport.(*http.Transport).Clone()
		if name != "" {
			tr.TLSClientConfig.Certificates = []tls.Certificate{clientCert(t, ca, caKey, name)}
		}
		client = &http.Client{Transport: tr}
		resp, err := client.Post(h.URL+"/v1/challenges", "application/json", bytes.NewReader(nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%q: %d, want %d", name, resp.StatusCode, want)
		}
	}
}

func trustLoader(t *testing.T) TrustLoader {
	return func() (*trust.Store, []string, error) { return verifytest.Trust(t), nil, nil }
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func clientCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
