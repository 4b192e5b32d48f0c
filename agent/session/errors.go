package session

import (
	"context"
	"errors"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/nfc"
)

// errorOf maps the error of a read, or the cause that ended it, to its
// protocol error: a code the reader gave (agent/cardread codes the
// pipeline's errors) wins; then the card stack's typed errors, which the
// hub meets itself (a reader unplugged, the service lost); then the
// context's.
func errorOf(err error) *protocol.Error {
	if code, ok := cardStackCode(err); ok && !protocol.HasCode(err) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		err = protocol.WithCode(code, err)
	}
	return protocol.ErrorFrom(err)
}

// cardStackCode is the code of an nfc typed error.
func cardStackCode(err error) (protocol.Code, bool) {
	for _, m := range []struct {
		err  error
		code protocol.Code
	}{
		{nfc.ErrCardRemoved, protocol.CardRemoved},
		{nfc.ErrReaderRemoved, protocol.ReaderRemoved},
		{nfc.ErrNoService, protocol.PCSCUnavailable},
		{nfc.ErrNoReaders, protocol.NoReader},
		{nfc.ErrNoCard, protocol.NoCard},
		{nfc.ErrCardUnresponsive, protocol.ReadIncomplete},
		{nfc.ErrSharingViolation, protocol.Busy},
	} {
		if errors.Is(err, m.err) {
			return m.code, true
		}
	}
	return "", false
}

// wireChecks is a check report as the protocol carries it.
func wireChecks(r check.Report) []protocol.Check {
	out := make([]protocol.Check, 0, len(r))
	for _, c := range r {
		out = append(out, protocol.Check{Name: c.Name, Status: protocol.Status(c.Status), Reason: c.Reason, Message: c.Message})
	}
	return out
}
