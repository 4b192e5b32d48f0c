package verifier

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/verifier/challenge"
)

// maxTransaction bounds a transaction id.
const maxTransaction = 128

// ChallengeRequest is the body of POST /v1/challenges (may be empty).
type ChallengeRequest struct {
	// Transaction binds the challenge to the caller's transaction id: it
	// may then be spent only for that transaction.
	Transaction string `json:"transaction,omitempty"`
}

// ChallengeResponse answers POST /v1/challenges.
type ChallengeResponse struct {
	Challenge   string    `json:"challenge"` // 8 bytes, base64
	ExpiresAt   time.Time `json:"expiresAt"`
	TTLSeconds  int       `json:"ttlSeconds"`
	Transaction string    `json:"transaction,omitempty"`
}

func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request, c *caller) int {
	var req ChallengeRequest
	if r.ContentLength != 0 {
		if code, ok := decode(w, r, &req); !ok {
			return code
		}
	}
	if len(req.Transaction) > maxTransaction {
		return writeError(w, http.StatusBadRequest, "BAD_REQUEST", "transaction: longer than 128 characters")
	}
	g, err := s.issuer.Issue(r.Context(), c.cfg.Name, req.Transaction)
	if err != nil {
		return s.storeDown(w, err)
	}
	s.metrics.challengesIssued.WithLabelValues(c.cfg.Name).Inc()
	return writeJSON(w, http.StatusCreated, ChallengeResponse{Challenge: base64.StdEncoding.EncodeToString(g.Challenge),
		ExpiresAt: g.Expires.UTC(), TTLSeconds: int(g.Expires.Sub(s.now()).Round(time.Second).Seconds()), Transaction: g.Transaction})
}

// storeDown answers a request the challenge store could not serve: 503,
// nothing verified (fail closed).
func (s *Server) storeDown(w http.ResponseWriter, err error) int {
	s.metrics.storeErrors.Inc()
	s.log.Error("challenge store unavailable: refusing (fail closed)", zap.Error(err))
	w.Header().Set("Retry-After", "5")
	return writeError(w, http.StatusServiceUnavailable, "CHALLENGE_STORE_UNAVAILABLE",
		"the challenge store (Redis) does not answer: nothing can be verified until it does")
}

// VerifyRequest is the body of POST /v1/verify.
type VerifyRequest struct {
	// Evidence is read.result's evidence object, read.result's data, or
	// the whole read.result message.
	Evidence json.RawMessage `json:"evidence"`
	// Challenge is the challenge this service issued for the read
	// (base64); without it, the one the evidence says the chip signed.
	// A chip without active authentication signs none: send it.
	Challenge   string `json:"challenge,omitempty"`
	Transaction string `json:"transaction,omitempty"`
}

// VerifyResponse answers POST /v1/verify.
type VerifyResponse struct {
	Verdict check.Status `json:"verdict"`
	Checks  check.Report `json:"checks"`
	// TestAnchor is true when the document chained to a TEST anchor.
	TestAnchor bool `json:"testAnchor"`
	// VerifiedDataGroups are the data groups whose hash matched the
	// signed EF.SOD.
	VerifiedDataGroups []int `json:"verifiedDataGroups"`
	// Fields are the caller's policy's fields from the verified data
	// groups, only on PASS (and WARN unless the policy says otherwise);
	// Withheld names the fields the policy kept back.
	Fields   identity.Fields `json:"fields,omitempty"`
	Withheld []string        `json:"withheld,omitempty"`
	Photo    *Photo          `json:"photo,omitempty"`
}

// Photo is the verified portrait, as JPEG or PNG.
type Photo struct {
	MIME   string `json:"mime"`
	Base64 string `json:"base64"`
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request, c *caller) int {
	var req VerifyRequest
	if code, ok := decode(w, r, &req); !ok {
		return code
	}
	if len(req.Transaction) > maxTransaction {
		return writeError(w, http.StatusBadRequest, "BAD_REQUEST", "transaction: longer than 128 characters")
	}
	if len(req.Evidence) == 0 {
		return writeError(w, http.StatusBadRequest, "BAD_REQUEST", "evidence: missing (read.start needs \"evidence\": true and an origin policy that allows it)")
	}
	ev, err := verify.ParseEvidence(req.Evidence)
	if err != nil {
		return writeError(w, http.StatusBadRequest, "BAD_EVIDENCE", err.Error())
	}
	want, err := s.challengeOf(req, ev)
	if err != nil {
		return writeError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
	}
	if refused, code := s.spend(w, r, c, want, req.Transaction); refused {
		return code
	}
	return s.verify(w, c, ev, want)
}

// challengeOf is the challenge a verification spends: the request's, else
// the one the evidence says the chip signed.
func (s *Server) challengeOf(req VerifyRequest, ev *verify.Evidence) ([]byte, error) {
	if req.Challenge != "" {
		b, err := base64.StdEncoding.DecodeString(req.Challenge)
		if err != nil || len(b) != challenge.Len {
			return nil, errors.New("challenge: want base64 of 8 bytes")
		}
		return b, nil
	}
	if ev.ActiveAuth != nil && len(ev.ActiveAuth.Challenge) == challenge.Len {
		return ev.ActiveAuth.Challenge, nil
	}
	return nil, nil
}

// Reasons of the challenge check when the service refuses a verification
// for its challenge (docs/VERIFIER.md).
const (
	ReasonChallengeMissing     = "CHALLENGE_MISSING"
	ReasonChallengeUnknown     = "CHALLENGE_UNKNOWN"
	ReasonChallengeExpired     = "CHALLENGE_EXPIRED"
	ReasonChallengeUsed        = "CHALLENGE_USED"
	ReasonChallengeTransaction = "CHALLENGE_TRANSACTION_MISMATCH"
)

// refusals are the challenge refusals with their reasons and sentences.
var refusals = []struct {
	err     error
	reason  string
	message string
}{
	{challenge.ErrUsed, ReasonChallengeUsed, "This challenge was already used: the evidence is a replay, or a second attempt with the same read. Ask for a new challenge and read the card again."},
	{challenge.ErrExpired, ReasonChallengeExpired, "This challenge expired before the evidence came back. Ask for a new challenge and read the card again."},
	{challenge.ErrMismatch, ReasonChallengeTransaction, "This challenge was issued for another transaction."},
	{challenge.ErrUnknown, ReasonChallengeUnknown, "This service did not issue this challenge to this caller (or has forgotten it): the evidence was not read for a verification here."},
}

// spend spends the challenge; a refusal answers the request with a FAIL
// verdict and the challenge check's reason, and nothing is verified. A
// store that does not answer refuses too (503).
func (s *Server) spend(w http.ResponseWriter, r *http.Request, c *caller, want []byte, transaction string) (refused bool, code int) {
	if want == nil {
		if c.cfg.RequireChallenge != nil && !*c.cfg.RequireChallenge {
			return false, 0
		}
		return true, s.refuse(w, c, ReasonChallengeMissing,
			"No challenge: send the challenge this service issued for the read (POST /v1/challenges), so the evidence is known to be fresh.")
	}
	err := s.issuer.Spend(r.Context(), c.cfg.Name, want, transaction)
	if err == nil {
		return false, 0
	}
	for _, rf := range refusals {
		if errors.Is(err, rf.err) {
			return true, s.refuse(w, c, rf.reason, rf.message)
		}
	}
	return true, s.storeDown(w, err)
}

func (s *Server) refuse(w http.ResponseWriter, c *caller, reason, message string) int {
	s.metrics.challengeRefusals.WithLabelValues(reason).Inc()
	s.metrics.verifications.WithLabelValues(c.cfg.Name, string(check.Fail)).Inc()
	s.log.Info("verification refused", zap.String("caller", c.cfg.Name), zap.String("reason", reason))
	resp := VerifyResponse{Verdict: check.Fail, VerifiedDataGroups: []int{}}
	resp.Checks.Add(check.Challenge, check.Fail, reason, message)
	return writeJSON(w, http.StatusOK, resp)
}

// verify verifies the evidence and answers with the caller's fields.
func (s *Server) verify(w http.ResponseWriter, c *caller, ev *verify.Evidence, want []byte) int {
	start := time.Now()
	res := verify.Verify(ev, verify.Options{Trust: s.trust.Load(), AllowTestAnchors: s.cfg.AllowTestAnchors,
		Now: s.now(), Challenge: want, RequireSignedChallenge: c.cfg.RequireSignedChallenge})
	doc := res.Document(ev)
	s.metrics.verifySeconds.Observe(time.Since(start).Seconds())
	s.count(c, res)
	resp := VerifyResponse{Verdict: res.Verdict, Checks: res.Checks, TestAnchor: verify.TestAnchorUsed(res.Checks), VerifiedDataGroups: doc.Verified}
	if resp.VerifiedDataGroups == nil {
		resp.VerifiedDataGroups = []int{}
	}
	if release(c, res.Verdict) {
		resp.Fields, resp.Withheld = policyFields(c, doc.Fields(s.now()))
		if c.cfg.Photo && doc.DG2 != nil {
			if p, err := lds.PortraitFromDG2(doc.DG2, false); err == nil {
				resp.Photo = &Photo{MIME: p.MIMEType, Base64: base64.StdEncoding.EncodeToString(p.Data)}
			}
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// count records the verdict and every check that did not pass, and logs
// them: reasons and names, never content.
func (s *Server) count(c *caller, res *verify.Result) {
	s.metrics.verifications.WithLabelValues(c.cfg.Name, string(res.Verdict)).Inc()
	var reasons []string
	for _, ch := range res.Checks {
		if ch.Status == check.Pass {
			continue
		}
		s.metrics.checks.WithLabelValues(ch.Name, string(ch.Status), ch.Reason).Inc()
		reasons = append(reasons, ch.Name+"="+string(ch.Status)+"/"+ch.Reason)
	}
	s.log.Info("verified", zap.String("caller", c.cfg.Name), zap.String("verdict", string(res.Verdict)), zap.Strings("notPassed", reasons))
}

// release reports whether the caller receives fields for verdict: on
// PASS, and on WARN unless its policy says otherwise.
func release(c *caller, verdict check.Status) bool {
	switch verdict {
	case check.Pass:
		return true
	case check.Warn:
		return c.cfg.FieldsOnWarn == nil || *c.cfg.FieldsOnWarn
	}
	return false
}

// policyFields keeps the fields the caller may receive and names the
// others.
func policyFields(c *caller, all identity.Fields) (identity.Fields, []string) {
	out := identity.Fields{}
	var withheld []string
	for _, name := range identity.AllFields {
		v, ok := all[name]
		switch {
		case !ok:
		case slices.Contains(c.cfg.Fields, name):
			out[name] = v
		default:
			withheld = append(withheld, name)
		}
	}
	return out, withheld
}
