package session

import (
	"context"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/nfc"
)

// Request is what a reader implementation needs to read one card.
type Request struct {
	Access    protocol.AccessKey
	Photo     bool   // read and deliver the face image
	Challenge []byte // Active Authentication challenge, nil for none
	Evidence  bool   // keep the raw files for the result
}

// PersonalData marks Request (it holds the access key).
func (Request) PersonalData() {}

// Observer receives what a read finds, as soon as it finds it. Calls come
// from the reading goroutine, in order.
type Observer interface {
	Progress(phase string, percent int)
	// Identity is called once the text data groups are read and their
	// hashes checked, before the photo is read.
	Identity(fields protocol.Fields, checks check.Report)
	Photo(mime string, data []byte)
}

// Result is the outcome of a successful read.
type Result struct {
	Document protocol.Document
	Fields   protocol.Fields
	Checks   check.Report
	// Verdict folds Checks (emrtd/verify.Verdict); empty means
	// Checks.Overall().
	Verdict    check.Status
	TestAnchor bool
	Evidence   *protocol.Evidence
}

// PersonalData marks Result.
func (Result) PersonalData() {}

// Reader reads one card. Implementations give their errors a protocol code
// (protocol.WithCode: agent/cardread codes the pipeline's errors) or leave
// the card stack's typed errors (nfc.ErrCardRemoved, ...) for the hub to
// code, and return promptly when ctx is done.
type Reader interface {
	Read(ctx context.Context, card nfc.Conn, req Request, obs Observer) (*Result, error)
}

// ReaderFunc adapts a function to Reader.
type ReaderFunc func(ctx context.Context, card nfc.Conn, req Request, obs Observer) (*Result, error)

// Read calls f.
func (f ReaderFunc) Read(ctx context.Context, card nfc.Conn, req Request, obs Observer) (*Result, error) {
	return f(ctx, card, req, obs)
}
