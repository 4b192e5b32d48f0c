package verify_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

// fuzzNow and fuzzChallenge make a verification the same in every run.
var (
	fuzzNow       = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	fuzzChallenge = []byte("fuzzchal")
)

// FuzzEvidence feeds JSON to ParseEvidence and what parses to Verify away
// from the desk, the verified document and its fields: evidence is what a
// backend receives from anyone, so nothing in it may panic, and what
// parses encodes back to the same evidence. The seeds are a read's
// evidence, its read.result wrapper and broken variants; the body uses no
// clock and no randomness, so a crasher reproduces.
func FuzzEvidence(f *testing.F) {
	d := verifytest.Desk(f, "cccd", sim.Options{Seed: 95}, fuzzChallenge)
	f.Add(d.JSON)
	f.Add([]byte(`{"data":{"evidence":` + string(d.JSON) + `}}`))
	f.Add(bytes.Replace(d.JSON, []byte(`"DG1"`), []byte(`"DG99"`), 1))
	f.Add([]byte(`{"sod":null,"dataGroups":{"DG1":"YQA="},"desk":{"refused":[{"name":"DG15","dg":15,"status":"absent"}]}}`))
	f.Add([]byte(`{"evidence":{"evidence":{"evidence":{}}}}`))
	opts := verify.Options{Trust: verifytest.Trust(f), AllowTestAnchors: true, Now: fuzzNow, Challenge: fuzzChallenge}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := verify.ParseEvidence(b)
		if err != nil {
			return
		}
		res := verify.Verify(ev, opts)
		if len(res.Checks) == 0 || res.Verdict == "" {
			t.Fatal("no checks or no verdict")
		}
		_ = res.Document(ev).Fields(fuzzNow)
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		ev2, err := verify.ParseEvidence(again)
		if err != nil {
			t.Fatalf("evidence encoded by MarshalJSON does not parse: %v", err)
		}
		if third, _ := json.Marshal(ev2); !bytes.Equal(third, again) {
			t.Fatal("evidence changes when encoded and parsed again")
		}
	})
}
