package sim

import (
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc/apdu"
)

// Protocol is a security protocol the chip runs: an access control
// protocol (BAC, PACE) that opens a secure messaging session from plain
// commands, or an anti-clone protocol (chip authentication, active
// authentication) that answers protected commands and may re-key the
// session. Profiles list the protocols their chip offers, so a new
// protocol is a new implementation of this interface, not a change of the
// chip.
type Protocol interface {
	// Name names the protocol ("BAC", "PACE", "CA", "AA").
	Name() string
	// Accepts reports whether the protocol answers cmd. secured says
	// whether cmd arrived under secure messaging (and was unwrapped).
	Accepts(cmd apdu.Command, secured bool) bool
	// Respond answers cmd. A Result with a Session opens (or, under secure
	// messaging, replaces after this response) the chip's session.
	Respond(cmd apdu.Command) Result
	// Reset forgets any exchange in progress (power cycle, or another
	// protocol took over).
	Reset()
}

// Result is a protocol's answer.
type Result struct {
	Response apdu.Response
	// Session, when set, is the secure messaging session the chip uses from
	// the next command on.
	Session *sm.Session
}

// ProtocolFactory builds a protocol for one issued document (it reads the
// keys and access data it needs from it).
type ProtocolFactory func(doc *issue.Document) (Protocol, error)

// answer is a Result with just a status word.
func answer(sw apdu.SW) Result { return Result{Response: apdu.Response{SW: sw}} }
