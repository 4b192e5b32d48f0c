package trace_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trace"
)

type chipCard struct{ chip *sim.Chip }

func (c chipCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	return c.chip.Respond(cmd), nil
}
func (c chipCard) Reset(context.Context) error { c.chip.Reset(); return nil }

// fakeClock moves one millisecond at each look.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { c.t = c.t.Add(time.Millisecond); return c.t }

// traced reads a chip through a trace and returns the read and the trace.
func traced(t *testing.T, profile string, quirks ...string) (*sim.Chip, *read.Result, []byte) {
	t.Helper()
	chip, err := sim.New(profile, sim.Options{Seed: 12, Quirks: quirks})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	card, err := trace.New(chipCard{chip}, &buf, trace.Header{Agent: "test", Reader: "reader", ATR: hex.EncodeToString(chip.ATR())}, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	key, err := access.ParseMRZ(chip.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	res, err := read.Read(context.Background(), card, read.Options{Keys: []access.Key{key},
		DataGroups: []int{11, 12, 13, 14, 15}, Photo: true, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := card.Finish(map[string]any{"exchanges": res.Stats.Exchanges, "link": res.Stats.Link}); err != nil {
		t.Fatal(err)
	}
	return chip, res, buf.Bytes()
}

// A trace has a header, one line per exchange with its header, lengths,
// status words, timing and secure messaging objects, and the outcome.
func TestTraceFormat(t *testing.T) {
	_, res, out := traced(t, "passport")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != res.Stats.Exchanges+2 {
		t.Fatalf("%d lines for %d exchanges", len(lines), res.Stats.Exchanges)
	}
	var h trace.Header
	if err := json.Unmarshal([]byte(lines[0]), &h); err != nil || h.Trace != "idagent-field-trace" || h.Version != trace.Version {
		t.Fatalf("header %s: %v", lines[0], err)
	}
	protected := 0
	for i, l := range lines[1 : len(lines)-1] {
		var e trace.Exchange
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d: %v", i+2, err)
		}
		if e.N != i+1 || e.Cmd == nil || e.Resp == nil || e.Resp.SW == "" || e.TookMs != 1 {
			t.Fatalf("line %d: %s", i+2, l)
		}
		if len(e.Cmd.SM) > 0 {
			protected++
			if e.Resp.InnerSW == "" || !strings.HasPrefix(e.Resp.SM[len(e.Resp.SM)-1], "8E:") {
				t.Errorf("protected exchange without its answer's objects: %s", l)
			}
		}
	}
	if protected < 5 {
		t.Errorf("%d protected exchanges", protected)
	}
	if !strings.Contains(lines[len(lines)-1], `"outcome"`) {
		t.Errorf("last line %s", lines[len(lines)-1])
	}
}

// Nothing of the person reaches a trace: no identity field, no MRZ, no
// byte run of any file, no value but headers and status words. Checked on
// the card, on a passport, and on a BAC chip whose EXTERNAL AUTHENTICATE
// cryptogram would open the MRZ to a search.
func TestTraceHoldsNoPersonalData(t *testing.T) {
	hexRun := regexp.MustCompile(`[0-9a-fA-F]{9,}`)
	for _, profile := range []string{"cccd", "passport", "passport-bac-only"} {
		t.Run(profile, func(t *testing.T) {
			chip, _, out := traced(t, profile, "no-sfi")
			text := string(out)
			id := chip.Document().Identity
			ad := chip.AccessData()
			secrets := []string{id.ID12, id.CAN(), id.DocumentNumber(), id.Surname, id.MiddleAndGiven, id.Father, id.Mother,
				id.PlaceOfResidence, id.PlaceOfOrigin, id.PassportNumber, ad.DateOfBirth, ad.DateOfExpiry, strings.ReplaceAll(ad.MRZ, "\n", "")}
			for _, line := range strings.Split(ad.MRZ, "\n") {
				secrets = append(secrets, line)
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(text, s) {
					t.Errorf("the trace holds personal data (%d characters)", len(s))
				}
			}
			// No hex run longer than a command header (8 digits) except
			// the ATR in the header line.
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for n := 0; sc.Scan(); n++ {
				if n == 0 {
					continue
				}
				if m := hexRun.FindString(sc.Text()); m != "" {
					t.Errorf("line %d carries a hex run of %d digits", n+1, len(m))
				}
			}
			for fid, data := range chip.Document().Files {
				if fid == issue.FIDCardAccess || len(data) < 8 {
					continue
				}
				if bytes.Contains(out, []byte(hex.EncodeToString(data[len(data)-8:]))) {
					t.Errorf("file %04X's bytes in the trace", fid)
				}
			}
		})
	}
}
