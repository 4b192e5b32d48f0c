// Package session keeps the reader's secure messaging session with one
// chip for the length of a read: it is the one owner of session recovery.
//
// A Session is the transport of every command of a read. Before access
// control it passes commands unprotected; once the read hands it the
// channel access control opened (Start) it protects them, and it alone
// decides what happens when the chip's answers say the session may be
// gone:
//
//	          Start                 plain status word
//	Plain ──────────▶ Open ─────────────────────────────▶ Suspect
//	                  ▲  ▲   (SSC set to the chip's       │  │
//	                  │  │    likely state, remembered)   │  │
//	                  │  └────── protected answer ────────┘  │
//	                  │          (the guess was right)       │ 6987/6988, MAC
//	   Reopen ok      │                                      ▼ (wrong: learn)
//	┌─────────────────┴──── Lost ◀───────────────────────────┘
//	│                        ▲  6987/6988, MAC failure, Recover
//	│                        │  from Open
//	└─▶ Failed  (budget spent, or the opener failed: the read ends)
//
// After an unprotected status word (a chip that refuses a protected
// command without secure messaging, real-chips SM-02) the chip is in one of
// three states: it did not count the command (the SSC is as before it), it
// counted the command but not the answer (one step on), or it ended the
// session. The Session sets the SSC to the likely state for the status
// word's class (a length error: not counted; anything else: counted) and
// sends the next command; a protected answer confirms the guess, which is
// remembered for the class; 6987/6988 proves it wrong, the Session is Lost,
// and the next guess for the class is the other state, then "ended" (from
// then on an unprotected refusal re-opens at once, without a wasted
// command). What the Session learns survives re-opens and can be carried
// into the next read of the same chip (Hints).
//
// Re-opening is the caller's Opener (access control with the mechanism and
// key that worked, SELECT of the application, chip authentication again
// when it had passed): the Session calls it, never the other way round, so
// recovery is not re-entrant. The file reader asks for it with Recover
// when it sees the session lost; the budget (Options.MaxReopen) bounds the
// re-opens that taught nothing, so a chip that keeps dropping its session
// cannot start a retry storm.
package session

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// State is where the Session is.
type State int

const (
	Plain   State = iota // no secure messaging yet: commands go unprotected
	Open                 // protected, in step with the chip
	Suspect              // the last answer was an unprotected status word; the SSC is a guess
	Lost                 // the chip ended the session: Recover before the next command
	Failed               // recovery failed or its budget is spent
)

func (s State) String() string {
	return [...]string{"plain", "open", "suspect", "lost", "failed"}[s]
}

// Errors of the Session.
var (
	// ErrLost: the chip ended the secure messaging session; the command
	// was not sent. Recover, then send it again. It wraps sm.ErrClosed.
	ErrLost = fmt.Errorf("secure messaging session lost: %w", sm.ErrClosed)
	// ErrFailed: the session could not be opened again.
	ErrFailed = errors.New("secure messaging session could not be re-established")
)

// Opener opens the chip again after it dropped its session and returns the
// new channel, ready for the command that failed (the application selected,
// chip authentication repeated when it had passed).
type Opener func(ctx context.Context) (*sm.Channel, error)

// DefaultMaxReopen bounds the re-opens that taught the Session nothing.
const DefaultMaxReopen = 3

// Options configure a Session.
type Options struct {
	// MaxReopen bounds the re-opens after a lost session that was not a
	// guess proven wrong; 0 means DefaultMaxReopen.
	MaxReopen int
	// Hints are what an earlier read of the same chip learned.
	Hints Hints
}

// Session is the transport of one read. It is safe for concurrent use
// (exchanges are serialised), but a read uses it from one goroutine.
type Session struct {
	plain nfc.Transport
	opts  Options

	mu      sync.Mutex
	state   State
	channel *sm.Channel
	opener  Opener
	gen     int // sessions opened so far
	reopens int // re-opens so far
	charged int // re-opens charged to the budget
	// after is what the chip does after an unprotected status word, by
	// class (learned or guessed).
	after [classes]After
	// confirmed marks the classes whose After a protected answer proved.
	confirmed [classes]bool
	// tried marks, by class, the states guessed so far.
	tried [classes]map[After]bool
	// pending is the class guessed for the last unprotected status word
	// while Suspect.
	pending class
	// wrong: the last loss proved a guess wrong (its re-open is free).
	wrong bool
	// free counts the re-opens the budget did not charge (guesses proven
	// wrong, refusals of a chip known to end its session on them).
	free int
}

// maxFree bounds the re-opens the budget does not charge: learning takes
// at most two per class, and a chip that ends its session on every
// refusal is refused a handful of times in a read at most.
const maxFree = 8

// New returns a Session that sends commands over plain, unprotected until
// Start.
func New(plain nfc.Transport, opts Options) *Session {
	s := &Session{plain: plain, opts: opts}
	for c := range classes {
		s.after[c] = firstGuess[c]
		s.tried[c] = map[After]bool{firstGuess[c]: true}
		if a := opts.Hints.after(c); a != Unknown {
			s.after[c], s.confirmed[c] = a, true
		}
	}
	return s
}

// Start hands the Session the channel access control opened and the way to
// open the chip again. The Session is Open.
func (s *Session) Start(ch *sm.Channel, reopen Opener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channel, s.opener, s.state = ch, reopen, Open
	s.gen++
}

// Rekey replaces the channel after a protocol changed the session keys
// (chip authentication). The Session is Open; the generation does not
// change (the chip kept its selection).
func (s *Session) Rekey(ch *sm.Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channel, s.state = ch, Open
}

// Channel returns the secure messaging channel in use, nil before Start.
func (s *Session) Channel() *sm.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channel
}

// State returns the Session's state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Secure reports whether commands go under secure messaging.
func (s *Session) Secure() bool { return s.State() != Plain }

// Generation counts the sessions opened (Start and each re-open): a new
// generation means the chip may have forgotten its EF selection.
func (s *Session) Generation() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// Reopens counts the re-opens so far.
func (s *Session) Reopens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reopens
}

// Exchange sends cmd: unprotected before Start, protected after. Errors:
// ErrLost when the session is lost (nothing sent), *sm.PlainStatusError
// for an unprotected status word (the SSC set to the chip's likely state),
// the channel's errors (sm.ErrMAC and friends: the Session is then Lost)
// and the transport's.
func (s *Session) Exchange(ctx context.Context, cmd apdu.Command) (apdu.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case Plain:
		return s.plain.Exchange(ctx, cmd)
	case Lost:
		return apdu.Response{}, fmt.Errorf("%v: %w", cmd, ErrLost)
	case Failed:
		return apdu.Response{}, fmt.Errorf("%v: %w", cmd, ErrFailed)
	}
	resp, err := s.channel.Exchange(ctx, cmd)
	s.observe(resp, err)
	return resp, err
}

// observe moves the state machine on the answer to a protected command.
func (s *Session) observe(resp apdu.Response, err error) {
	var plain *sm.PlainStatusError
	switch {
	case err == nil:
		if s.state == Suspect {
			s.confirmed[s.pending] = true
		}
		s.state = Open
	case errors.As(err, &plain) && !ended(plain.SW):
		s.suspect(classOf(plain.SW))
	case errors.As(err, &plain) || isSMFailure(err):
		if s.state == Suspect && !s.confirmed[s.pending] {
			s.learnWrong(s.pending)
		}
		s.state = Lost
	}
}

// learnWrong records that the guess for class c was wrong: the next guess
// is the state not tried yet, then "ended".
func (s *Session) learnWrong(c class) {
	s.wrong = true
	for _, a := range []After{Uncounted, Counted} {
		if !s.tried[c][a] {
			s.after[c], s.tried[c][a] = a, true
			return
		}
	}
	s.after[c] = Ended
}

// suspect sets the SSC to the state the chip is likely in after an
// unprotected status word of class c (the channel left it as before the
// command).
func (s *Session) suspect(c class) {
	switch s.after[c] {
	case Counted:
		s.channel.Session().CountCommand()
	case Ended:
		// Known: this chip ends its session on such a refusal. Re-open at
		// once instead of wasting a command.
		s.state, s.wrong = Lost, true
		return
	}
	s.state, s.pending = Suspect, c
}

// ended reports the status words of a chip that ended secure messaging.
func ended(sw apdu.SW) bool {
	return sw == apdu.SWSMDataObjectsMissing || sw == apdu.SWSMDataObjectsIncorrect
}

// isSMFailure reports an answer that failed secure messaging's checks (the
// channel is closed).
func isSMFailure(err error) bool {
	return errors.Is(err, sm.ErrMAC) || errors.Is(err, sm.ErrMalformed) ||
		errors.Is(err, sm.ErrMissingObjects) || errors.Is(err, sm.ErrClosed)
}

// Recover opens the chip again (the chip dropped its session, or the
// caller knows it did: an unprotected 6982 on a file that was readable).
// Re-opens that follow a guess proven wrong are free; others count
// against Options.MaxReopen. cause says why, for the error.
func (s *Session) Recover(ctx context.Context, cause error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == Failed {
		return fmt.Errorf("%w: %w", ErrFailed, cause)
	}
	if s.opener == nil {
		s.state = Failed
		return fmt.Errorf("%w: no way to open the chip again: %w", ErrFailed, cause)
	}
	if s.wrong && s.free < maxFree {
		s.free++
	} else {
		limit := s.opts.MaxReopen
		if limit <= 0 {
			limit = DefaultMaxReopen
		}
		if s.charged >= limit {
			s.state = Failed
			return fmt.Errorf("%w: lost %d times, giving up: %w", ErrFailed, s.charged+1, cause)
		}
		s.charged++
	}
	s.wrong = false
	s.reopens++
	s.state = Lost
	ch, err := s.opener(ctx)
	if err != nil {
		s.state = Failed
		return fmt.Errorf("%w: %w", ErrFailed, err)
	}
	s.channel, s.state = ch, Open
	s.gen++
	return nil
}

// Hints returns what the Session learned about the chip, for the next read
// of the same chip.
func (s *Session) Hints() Hints {
	s.mu.Lock()
	defer s.mu.Unlock()
	var h Hints
	for c := range classes {
		if s.confirmed[c] || s.after[c] == Ended {
			h.set(c, s.after[c])
		}
	}
	return h
}
