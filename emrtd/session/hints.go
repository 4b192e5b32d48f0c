package session

import "github.com/idagent/idagent/nfc/apdu"

// After is what a chip does after refusing a protected command with an
// unprotected status word (real-chips SM-02).
type After int

const (
	Unknown   After = iota
	Uncounted       // session kept, SSC as before the command (refused before secure messaging)
	Counted         // session kept, the command counted in the SSC but not the answer
	Ended           // the chip ended secure messaging
)

func (a After) String() string {
	return [...]string{"", "uncounted", "counted", "ended"}[a]
}

// class groups unprotected status words by what chips do after them.
type class int

const (
	// lengthClass: 67xx, 6Cxx, refused for their length, often before
	// secure messaging looked at the command (gmrtd #457).
	lengthClass class = iota
	// otherClass: everything else (6A82 for a short file identifier, 6B00,
	// 6982 ...), refused after unwrapping on the chips seen (SM-02c).
	otherClass
	classes
)

// firstGuess is the state tried first for each class.
var firstGuess = [classes]After{lengthClass: Uncounted, otherClass: Counted}

func classOf(sw apdu.SW) class {
	if sw1 := sw.SW1(); sw1 == 0x67 || sw1 == 0x6C {
		return lengthClass
	}
	return otherClass
}

// Hints are what a Session learned about a chip's secure messaging. The
// zero value knows nothing.
type Hints struct {
	// AfterLengthError and AfterOtherError are what the chip does after an
	// unprotected 67xx/6Cxx and after any other unprotected status word:
	// "uncounted", "counted", "ended", or "" when not learned.
	AfterLengthError string `json:"afterLengthError,omitempty"`
	AfterOtherError  string `json:"afterOtherError,omitempty"`
}

func (h Hints) after(c class) After {
	v := h.AfterOtherError
	if c == lengthClass {
		v = h.AfterLengthError
	}
	for _, a := range []After{Uncounted, Counted, Ended} {
		if v == a.String() {
			return a
		}
	}
	return Unknown
}

func (h *Hints) set(c class, a After) {
	if c == lengthClass {
		h.AfterLengthError = a.String()
	} else {
		h.AfterOtherError = a.String()
	}
}
