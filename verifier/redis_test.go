package verifier

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
	"github.com/idagent/idagent/verifier/internal/redistest"
)

// Two replicas sharing a real redis-server: a challenge issued by one is
// spent on the other and refused as used on both. With Redis stopped the
// service is unready and refuses to issue or verify (fail closed, 503 with
// a clear error); when Redis is back it serves again.
func TestReplicasShareRedis(t *testing.T) {
	redis := redistest.Start(t)
	LogRedisTo(zaptest.NewLogger(t))
	replica := func() *service {
		store, err := NewRedisStore(&RedisConfig{Addr: redis.Addr, Prefix: "test:"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Client.Close() })
		return newService(t, testConfig(), store)
	}
	a, b := replica(), replica()
	chip, err := sim.New("cccd", sim.Options{Seed: 78})
	if err != nil {
		t.Fatal(err)
	}

	chal := a.challenge(hisKey, "tx-9")
	d := verifytest.DeskChip(t, chip, chal)
	if code, resp := b.verify(hisKey, d.JSON, chal, "tx-9"); code != http.StatusOK || resp.Verdict != check.Pass {
		t.Fatalf("on the other replica: %d %s %+v", code, resp.Verdict, resp.Checks)
	}
	for name, s := range map[string]*service{"first": a, "second": b} {
		if _, resp := s.verify(hisKey, d.JSON, chal, "tx-9"); resp.Verdict != check.Fail || resp.Checks[0].Reason != ReasonChallengeUsed {
			t.Errorf("replay on the %s replica: %s %+v", name, resp.Verdict, resp.Checks)
		}
	}

	pending := a.challenge(hisKey, "")
	redis.Stop()
	var e apiError
	if code := a.post("/v1/challenges", hisKey, nil, &e); code != http.StatusServiceUnavailable || e.Error.Code != "CHALLENGE_STORE_UNAVAILABLE" {
		t.Errorf("issue without Redis: %d %+v", code, e)
	}
	pendingRead := verifytest.DeskChip(t, chip, pending)
	req := VerifyRequest{Evidence: pendingRead.JSON}
	if code := b.post("/v1/verify", hisKey, req, &e); code != http.StatusServiceUnavailable || e.Error.Code != "CHALLENGE_STORE_UNAVAILABLE" || !strings.Contains(e.Error.Message, "Redis") {
		t.Errorf("verify without Redis: %d %+v", code, e)
	}
	if code, body := a.get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "unavailable") {
		t.Errorf("readyz without Redis: %d %s", code, body)
	}
	if code, _ := a.get("/healthz"); code != http.StatusOK {
		t.Errorf("healthz without Redis: %d (the process is alive)", code)
	}

	redis.Restart()
	a.waitReady()
	chal = b.challenge(hisKey, "")
	d = verifytest.DeskChip(t, chip, chal)
	if _, resp := a.verify(hisKey, d.JSON, chal, ""); resp.Verdict != check.Pass {
		t.Errorf("after Redis returned: %s %+v", resp.Verdict, resp.Checks)
	}
	// Redis came back empty: a challenge issued before is unknown.
	if _, resp := a.verify(hisKey, pendingRead.JSON, pending, ""); resp.Checks[0].Reason != ReasonChallengeUnknown {
		t.Errorf("challenge from before Redis stopped: %+v", resp.Checks)
	}
}

// waitReady polls /readyz until the service is ready again: go-redis
// reconnects in the background (its dial probe runs every second), so
// readiness returns soon after Redis does. The bound only ends a hung test.
func (s *service) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := s.get("/readyz")
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("not ready 30 s after Redis returned: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
