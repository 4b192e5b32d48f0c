package nfc

import "context"

// ReaderState is a snapshot of one reader.
type ReaderState struct {
	Name        string
	CardPresent bool
	ATR         []byte // nil when no card is present
}

// EventKind says what changed.
type EventKind int

const (
	ReaderAdded EventKind = iota + 1
	ReaderRemoved
	CardInserted
	CardRemoved
	// ServiceLost: the smart-card service went away (pcscd killed, SCardSvr
	// stopped); the watcher keeps trying to re-establish its context.
	ServiceLost
	// ServiceRestored: the watcher has a working context again; the reader
	// and card events that follow re-announce what is attached.
	ServiceRestored
)

func (k EventKind) String() string {
	switch k {
	case ReaderAdded:
		return "reader.added"
	case ReaderRemoved:
		return "reader.removed"
	case CardInserted:
		return "card.inserted"
	case CardRemoved:
		return "card.removed"
	case ServiceLost:
		return "service.lost"
	case ServiceRestored:
		return "service.restored"
	}
	return "unknown"
}

// Event is one change seen by a Manager's watcher. It never carries card
// content, only the reader's name and the card's ATR.
type Event struct {
	Kind   EventKind
	Reader string
	ATR    []byte
	Err    error // for ServiceLost: why
}

// Manager is a smart-card resource manager: the PC/SC service (pcsc) or an
// in-process set of virtual readers (virtual).
type Manager interface {
	// Readers lists the attached readers with their card state. With no
	// reader attached it returns an empty list, not an error; with the
	// service down it returns an error wrapping ErrNoService.
	Readers(ctx context.Context) ([]ReaderState, error)
	// Watch reports changes until ctx is done, then closes the channel. It
	// first reports the current state (ReaderAdded, and CardInserted for
	// readers with a card) so that consumers need no separate snapshot. It
	// survives the service going away and coming back (ServiceLost,
	// ServiceRestored).
	Watch(ctx context.Context) <-chan Event
	// Connect connects to the card in the named reader.
	Connect(ctx context.Context, reader string) (Conn, error)
}
