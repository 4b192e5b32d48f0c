package verifier

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

// Red team: a request or evidence that says one thing twice (two
// challenges, two DG13s, "sod" and "SOD") is refused, before any
// challenge is spent: the backend that forwarded it may have read the
// other value.
func TestDuplicateKeysRefused(t *testing.T) {
	s := newService(t, testConfig(), nil)
	chal := s.challenge(hisKey, "")
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 77}, chal)
	other := base64.StdEncoding.EncodeToString([]byte("other!!!"))
	c64 := base64.StdEncoding.EncodeToString(chal)
	ev := string(d.JSON)
	dg13 := `"DG13":"` + base64.StdEncoding.EncodeToString(d.Result.Evidence().DataGroups[13]) + `"`
	for name, body := range map[string]string{
		"two challenges": `{"challenge":"` + other + `","evidence":` + ev + `,"challenge":"` + c64 + `"}`,
		"two evidences":  `{"evidence":{"sod":""},"challenge":"` + c64 + `","Evidence":` + ev + `}`,
		"DG13 twice":     `{"challenge":"` + c64 + `","evidence":` + strings.Replace(ev, dg13, `"DG13":"AAAA",`+dg13, 1) + `}`,
		"sod and SOD":    `{"challenge":"` + c64 + `","evidence":` + strings.Replace(ev, `"sod":`, `"SOD":"AAAA","sod":`, 1) + `}`,
	} {
		var e apiError
		if code := s.post("/v1/verify", hisKey, json.RawMessage(body), &e); code != http.StatusBadRequest || e.Error.Code != "BAD_REQUEST" || !strings.Contains(e.Error.Message, "duplicate key") {
			t.Errorf("%s: %d %+v", name, code, e)
		}
	}
	// Nothing was spent: the genuine request verifies.
	if _, resp := s.verify(hisKey, d.JSON, chal, ""); resp.Verdict != check.Pass {
		t.Errorf("genuine after the refusals: %s %+v", resp.Verdict, resp.Checks)
	}
}

// Red team: a document whose signer does not chain to a trusted CSCA has
// no verified data groups and releases no field, even to a caller that
// takes fields on WARN.
func TestUntrustedDocumentHasNoVerifiedGroups(t *testing.T) {
	cfg := testConfig()
	cfg.AllowTestAnchors = false
	s := newService(t, cfg, nil)
	s.srv.trust.Store(trust.New())
	chal := s.challenge(hisKey, "")
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 78}, chal)
	_, resp := s.verify(hisKey, d.JSON, chal, "")
	if resp.Verdict == check.Pass || resp.Verdict == check.Warn || len(resp.VerifiedDataGroups) != 0 || len(resp.Fields) != 0 || resp.Photo != nil {
		t.Errorf("verdict %s, verified %v, %d fields", resp.Verdict, resp.VerifiedDataGroups, len(resp.Fields))
	}
}
