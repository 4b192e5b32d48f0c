package verifier

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
	"github.com/idagent/idagent/verifier/challenge"
)

const (
	hisKey = "his-key-0123456789abcdef"
	labKey = "lab-key-0123456789abcdef"
)

// testConfig has two callers: "his" receives every field and the photo,
// "lab" the default fields and no photo.
func testConfig() *Config {
	return &Config{AllowTestAnchors: true, Callers: []CallerConfig{
		{Name: "his", APIKeys: []string{hisKey}, Fields: []string{"all"}, Photo: true},
		{Name: "lab", APIKeys: []string{labKey}, Fields: []string{"idNumber", "fullName"}, RatePerSecond: 1, Burst: 3},
	}}
}

// service is one instance under test.
type service struct {
	t    *testing.T
	srv  *Server
	http *httptest.Server
	logs *observer.ObservedLogs
}

func newService(t *testing.T, cfg *Config, store challenge.Store) *service {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	srv, err := New(cfg, Options{Store: store, Log: zap.New(core),
		LoadTrust: func() (*trust.Store, []string, error) { return verifytest.Trust(t), nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	return &service{t: t, srv: srv, http: h, logs: logs}
}

// post sends body with key and decodes the answer into out.
func (s *service) post(path, key string, body any, out any) int {
	s.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.http.URL+path, bytes.NewReader(b))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s: %d %s: %v", path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// challenge asks for a challenge for key's caller.
func (s *service) challenge(key, transaction string) []byte {
	s.t.Helper()
	var resp ChallengeResponse
	if code := s.post("/v1/challenges", key, ChallengeRequest{Transaction: transaction}, &resp); code != http.StatusCreated {
		s.t.Fatalf("challenge: %d", code)
	}
	b, err := base64.StdEncoding.DecodeString(resp.Challenge)
	if err != nil || len(b) != challenge.Len || resp.TTLSeconds != 120 {
		s.t.Fatalf("challenge %+v", resp)
	}
	return b
}

// verify posts evidence with its challenge.
func (s *service) verify(key string, evidence []byte, chal []byte, transaction string) (int, VerifyResponse) {
	s.t.Helper()
	req := VerifyRequest{Evidence: evidence, Transaction: transaction}
	if chal != nil {
		req.Challenge = base64.StdEncoding.EncodeToString(chal)
	}
	var resp VerifyResponse
	code := s.post("/v1/verify", key, req, &resp)
	return code, resp
}

func reasonOf(r check.Report, name string) (check.Status, string) {
	c, _ := r.Get(name)
	return c.Status, c.Reason
}

// Evidence of every simulator profile (chip and document profiles), read
// with the service's challenge,
// verifies with the checks emrtd/verify makes away from the desk (the
// same as the CLI's); fields come by policy, PASS for chips that sign the
// challenge, WARN for the one that cannot.
func TestEveryProfile(t *testing.T) {
	s := newService(t, testConfig(), nil)
	for _, profile := range append(sim.Profiles(), sim.Documents()...) {
		t.Run(profile, func(t *testing.T) {
			chal := s.challenge(hisKey, "")
			d := verifytest.Desk(t, profile, sim.Options{Seed: 70}, chal)
			code, resp := s.verify(hisKey, d.JSON, chal, "")
			ev, _ := verify.ParseEvidence(d.JSON)
			want := verify.Verify(ev, verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true, Challenge: chal})
			if code != http.StatusOK || resp.Verdict != want.Verdict || len(resp.Checks) != len(want.Checks) {
				t.Fatalf("%d verdict %s, want %s: %+v", code, resp.Verdict, want.Verdict, resp.Checks)
			}
			for i, c := range resp.Checks {
				if w := want.Checks[i]; c.Name != w.Name || c.Status != w.Status || c.Reason != w.Reason {
					t.Errorf("%+v, want %+v", c, w)
				}
			}
			if d.Result.DG15 != nil && resp.Verdict != d.Result.Verdict || d.Result.DG15 == nil && resp.Verdict != check.Warn {
				t.Errorf("verdict %s, desk %s", resp.Verdict, d.Result.Verdict)
			}
			if resp.Fields["documentNumber"] != d.Result.DG1.DocumentNumber || resp.Photo == nil || !resp.TestAnchor {
				t.Errorf("fields %d, photo %v, test anchor %v", len(resp.Fields), resp.Photo != nil, resp.TestAnchor)
			}
		})
	}
}

// Forged evidence fails with its own check and reason and releases no
// fields; a replayed challenge is refused as used on its second use.
func TestForgeries(t *testing.T) {
	s := newService(t, testConfig(), nil)
	genuine, err := sim.New("cccd", sim.Options{Seed: 71})
	if err != nil {
		t.Fatal(err)
	}
	another, err := sim.New("cccd", sim.Options{Seed: 72})
	if err != nil {
		t.Fatal(err)
	}
	// edit changes the evidence of a genuine read made for chal.
	edit := func(chal []byte, f func(*verify.Evidence)) []byte {
		ev, err := verify.ParseEvidence(verifytest.DeskChip(t, genuine, chal).JSON)
		if err != nil {
			t.Fatal(err)
		}
		f(ev)
		b, _ := json.Marshal(ev)
		return b
	}
	for _, tc := range []struct {
		name     string
		evidence func(chal []byte) []byte
		check    string
		reason   string
	}{
		{"edited DG13 byte", func(chal []byte) []byte {
			return edit(chal, func(ev *verify.Evidence) {
				dg := bytes.Clone(ev.DataGroups[13])
				dg[len(dg)/2] ^= 0x20
				ev.DataGroups[13] = dg
			})
		}, check.DGHash(13), "HASH_MISMATCH"},
		{"swapped DG2", func(chal []byte) []byte {
			dg2 := verifytest.DeskChip(t, another, nil).Result.Evidence().DataGroups[2]
			return edit(chal, func(ev *verify.Evidence) { ev.DataGroups[2] = dg2 })
		}, check.DGHash(2), "HASH_MISMATCH"},
		{"EF.CardAccess disagreeing with DG14", func(chal []byte) []byte {
			cardAccess := verifytest.Desk(t, "passport", sim.Options{Seed: 71}, nil).Result.Evidence().CardAccess
			return edit(chal, func(ev *verify.Evidence) { ev.CardAccess = cardAccess })
		}, check.CardAccessConsistency, verify.ReasonCardAccessMismatch},
		{"challenge from another read", func(chal []byte) []byte {
			return verifytest.DeskChip(t, genuine, s.challenge(hisKey, "")).JSON
		}, check.Challenge, verify.ReasonChallengeMismatch},
		{"AA signature from another chip", func(chal []byte) []byte {
			sig := verifytest.DeskChip(t, another, chal).Result.ActiveAuth.Signature
			return edit(chal, func(ev *verify.Evidence) { ev.ActiveAuth.Signature = sig })
		}, check.ActiveAuth, verify.ReasonSignatureInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chal := s.challenge(hisKey, "")
			code, resp := s.verify(hisKey, tc.evidence(chal), chal, "")
			st, reason := reasonOf(resp.Checks, tc.check)
			if code != http.StatusOK || st != check.Fail || reason != tc.reason || resp.Verdict != check.Fail || resp.Fields != nil {
				t.Errorf("%d: %s %s %s, verdict %s, %d fields", code, tc.check, st, reason, resp.Verdict, len(resp.Fields))
			}
			for _, c := range resp.Checks {
				if c.Status == check.Fail && c.Name != tc.check {
					t.Errorf("also failed: %s %s", c.Name, c.Reason)
				}
			}
		})
	}

	t.Run("replayed challenge", func(t *testing.T) {
		chal := s.challenge(hisKey, "")
		d := verifytest.DeskChip(t, genuine, chal)
		if _, resp := s.verify(hisKey, d.JSON, chal, ""); resp.Verdict != check.Pass {
			t.Fatalf("first use: %s %+v", resp.Verdict, resp.Checks)
		}
		code, resp := s.verify(hisKey, d.JSON, chal, "")
		if st, reason := reasonOf(resp.Checks, check.Challenge); code != http.StatusOK || st != check.Fail || reason != ReasonChallengeUsed || resp.Verdict != check.Fail || resp.Fields != nil {
			t.Errorf("replay: %d %s %s, verdict %s", code, st, reason, resp.Verdict)
		}
		// Without the challenge in the request, the one the chip signed
		// is spent: used too.
		if _, resp := s.verify(hisKey, d.JSON, nil, ""); len(resp.Checks) != 1 || resp.Checks[0].Reason != ReasonChallengeUsed {
			t.Errorf("replay without the challenge: %+v", resp.Checks)
		}
	})
}
