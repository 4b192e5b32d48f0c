package session_test

import (
	"context"
	"errors"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/session"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// chipCard passes commands to a software chip in-process.
type chipCard struct{ chip *sim.Chip }

func (c chipCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	return c.chip.Respond(cmd), nil
}

// open issues a BAC passport with quirks and starts a Session on it. The
// opener counts its runs.
func open(t *testing.T, opts session.Options, quirks ...string) (*session.Session, *int) {
	t.Helper()
	chip, err := sim.New("passport-bac-only", sim.Options{Seed: 1, Quirks: quirks})
	if err != nil {
		t.Fatal(err)
	}
	plain := nfc.NewTransport(chipCard{chip})
	key, err := access.ParseMRZ(chip.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	opener := func(ctx context.Context) (*sm.Channel, error) {
		runs++
		s, err := bac.Authenticate(ctx, plain, key, nil)
		if err != nil {
			return nil, err
		}
		ch := sm.NewChannel(plain, s)
		_, err = ch.Exchange(ctx, selectApp)
		return ch, err
	}
	s := session.New(plain, opts)
	if _, err := s.Exchange(context.Background(), selectApp); err != nil || s.State() != session.Plain {
		t.Fatalf("plain SELECT: %v, state %v", err, s.State())
	}
	ch, err := opener(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	runs = 0
	s.Start(ch, opener)
	return s, &runs
}

var (
	selectApp    = apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: sim.AID}
	selectDG1    = apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{0x01, 0x01}}
	selectAbsent = apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{0x01, 0x10}} // DG16
)

// refuse sends a command the chip refuses (SELECT of an absent file),
// then one it takes, and returns what the second one got.
func refuse(t *testing.T, s *session.Session) error {
	t.Helper()
	ctx := context.Background()
	_, err := s.Exchange(ctx, selectAbsent)
	var plain *sm.PlainStatusError
	if err != nil && !errors.As(err, &plain) {
		t.Fatalf("refused SELECT: %v", err)
	}
	_, err = s.Exchange(ctx, selectDG1)
	return err
}

// After an unprotected refusal the Session guesses the chip's state; a
// wrong guess loses the session once (a free re-open) and the Session
// tries the other state, then "ended"; a right guess is confirmed and
// kept. What it learned is in its Hints.
func TestLearnsAfterPlainError(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		quirk  string
		losses int    // sessions lost while learning
		learnt string // AfterOtherError
	}{
		{"sm-error-protected", 0, ""},
		{"sm-error-plain-counted", 0, "counted"},     // the first guess for 6A82
		{"sm-error-plain-uncounted", 1, "uncounted"}, // the second
		{"sm-error-plain-abort", 2, "ended"},
	} {
		t.Run(tc.quirk, func(t *testing.T) {
			s, runs := open(t, session.Options{}, tc.quirk)
			for i := 0; i < 4; i++ {
				err := refuse(t, s)
				switch {
				case err == nil:
				case errors.Is(err, session.ErrLost), s.State() == session.Lost:
					if err := s.Recover(ctx, err); err != nil {
						t.Fatalf("round %d: %v", i, err)
					}
				default:
					t.Fatalf("round %d: %v (state %v)", i, err, s.State())
				}
			}
			if got := s.Hints().AfterOtherError; got != tc.learnt {
				t.Errorf("learnt %q, want %q", got, tc.learnt)
			}
			wantRuns := tc.losses
			if tc.learnt == "ended" {
				wantRuns = 4 // once learnt, every refusal re-opens at once
			}
			if *runs != wantRuns || s.Reopens() != wantRuns {
				t.Errorf("%d re-opens, want %d", *runs, wantRuns)
			}
			if _, err := s.Exchange(ctx, selectDG1); err != nil && tc.learnt != "ended" {
				t.Errorf("after learning: %v", err)
			}
		})
	}
}

// A read that starts from what another read learned does not guess again:
// the refusal that cost a re-open above costs none.
func TestHintsSaveTheGuess(t *testing.T) {
	s, runs := open(t, session.Options{Hints: session.Hints{AfterOtherError: "uncounted"}}, "sm-error-plain-uncounted")
	if err := refuse(t, s); err != nil || *runs != 0 {
		t.Fatalf("%v, %d re-opens", err, *runs)
	}
	if s.Hints().AfterOtherError != "uncounted" {
		t.Errorf("hints %+v", s.Hints())
	}
}

// Re-opens that taught nothing are bounded: a chip that drops every
// session ends the read after MaxReopen, with ErrFailed.
func TestRecoverBudget(t *testing.T) {
	s, runs := open(t, session.Options{})
	ctx := context.Background()
	cause := errors.New("lost")
	for i := 0; i < session.DefaultMaxReopen; i++ {
		if err := s.Recover(ctx, cause); err != nil {
			t.Fatalf("re-open %d: %v", i+1, err)
		}
	}
	err := s.Recover(ctx, cause)
	if !errors.Is(err, session.ErrFailed) || *runs != session.DefaultMaxReopen {
		t.Fatalf("%v after %d re-opens", err, *runs)
	}
	if _, err := s.Exchange(ctx, selectDG1); !errors.Is(err, session.ErrFailed) {
		t.Errorf("exchange after failure: %v", err)
	}
}
