//go:build cgo || windows

package pcsc

import (
	"context"
	"errors"
	"fmt"

	"github.com/ebfe/scard"

	"github.com/idagent/idagent/nfc"
)

// typed maps a PC/SC error to the typed error of package nfc it means, or
// nil when it has none. During a transmit, "no smart card" means the card
// left, not that there never was one.
func typed(err error, transmitting bool) error {
	var code scard.Error
	if !errors.As(err, &code) {
		return nil
	}
	switch code {
	case scard.ErrNoService, scard.ErrServiceStopped, scard.ErrInvalidHandle,
		scard.ErrUnknownResMng, scard.ErrShutdown:
		// After a pcscd restart every old handle is invalid: the remedy is
		// the same as for a dead service (a new context).
		return nfc.ErrNoService
	case scard.ErrNoReadersAvailable:
		return nfc.ErrNoReaders
	case scard.ErrUnknownReader, scard.ErrReaderUnavailable:
		return nfc.ErrReaderRemoved
	case scard.ErrNoSmartcard:
		if transmitting {
			return nfc.ErrCardRemoved
		}
		return nfc.ErrNoCard
	case scard.ErrRemovedCard, scard.ErrResetCard:
		return nfc.ErrCardRemoved
	case scard.ErrSharingViolation:
		return nfc.ErrSharingViolation
	case scard.ErrUnresponsiveCard, scard.ErrUnpoweredCard, scard.ErrUnsupportedCard,
		scard.ErrTimeout, scard.ErrNotTransacted, scard.ErrCommError, scard.ErrCommDataLost,
		scard.ErrProtoMismatch, scard.ErrInvalidAtr:
		return nfc.ErrCardUnresponsive
	case scard.ErrInsufficientBuffer:
		return nfc.ErrAPDUTooLong
	case scard.ErrCancelled:
		return context.Canceled
	}
	return nil
}

// wrap adds the operation and reader to a PC/SC error, and the typed error
// it means, so that callers test with errors.Is against either.
func wrap(op, reader string, err error, transmitting bool) error {
	if err == nil {
		return nil
	}
	where := "pcsc: " + op
	if reader != "" {
		where += fmt.Sprintf(" %q", reader)
	}
	if t := typed(err, transmitting); t != nil && !errors.Is(err, t) {
		return fmt.Errorf("%s: %w (%w)", where, t, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// serviceLost reports whether err means the context must be re-established.
func serviceLost(err error) bool {
	return errors.Is(err, nfc.ErrNoService)
}
