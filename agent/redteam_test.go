package agent_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
)

// Red team over the WebSocket: the red team's attacks on the Vietnamese
// card never read PASS, and read.identity already shows every failure
// decided before the photo; an edited portrait is never sent; the fields
// of read.identity are those of read.result (both from the bytes hashed).
func TestRedteamAttacksOverWebSocket(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	p, _ := sim.LookupProfile("cccd")
	for _, attack := range []string{"reread-differs", "overlong-answer", "ca-unconfirmed", "aa-replayed"} {
		t.Run(attack, func(t *testing.T) {
			card := insertSim(t, c, map[string]any{"profile": "cccd", "attack": attack, "seed": 34})
			id := startRead(t, c, map[string]any{"access": map[string]any{"id12": card.ID12}, "photo": true, "reader": card.Reader})
			final := must(t)(c.Final(id, 20*time.Second))
			var ident protocol.Identity
			var res protocol.Result
			if final.Name != "read.result" || final.Decode(&res) != nil {
				t.Fatalf("%s", final.Raw)
			}
			if err := must(t)(c.ReadEvent("read.identity", id, wait)).Decode(&ident); err != nil {
				t.Fatal(err)
			}
			if check.Status(res.Verification.Overall) == check.Pass {
				t.Errorf("verdict PASS")
			}
			a, _ := sim.LookupAttack(attack)
			for _, want := range a.Caught(p) {
				if got := checkStatus(res.Verification.Checks, want.Check); got != want.Status {
					t.Errorf("read.result: %s %s, want %s", want.Check, got, want.Status)
				}
				if want.Check == check.DGHash(2) {
					continue // the photo is read after the identity
				}
				if got := checkStatus(ident.Checks, want.Check); got != want.Status {
					t.Errorf("read.identity: %s %s, want %s", want.Check, got, want.Status)
				}
			}
			a1, _ := json.Marshal(ident.Fields)
			a2, _ := json.Marshal(res.Fields)
			if string(a1) != string(a2) {
				t.Error("read.identity's fields differ from read.result's")
			}
			if attack == "overlong-answer" {
				for _, f := range c.Frames() {
					if f.Name == "read.photo" && readIDOf(f.Data) == id {
						t.Error("the portrait whose hash failed was sent")
					}
				}
			}
		})
	}
}

func readIDOf(data []byte) string {
	var d struct {
		ReadID string `json:"readId"`
	}
	json.Unmarshal(data, &d)
	return d.ReadID
}
