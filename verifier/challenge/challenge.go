// Package challenge issues the verification service's challenges and
// spends each at most once: 8 random bytes a chip signs in active
// authentication, valid for a short time (2 minutes by default), for one
// caller, optionally bound to the caller's transaction id.
//
// A Store keeps them: Memory for one instance, Redis for replicas behind a
// load balancer, so a challenge spent on one replica is spent on all. A
// store that cannot answer fails closed: Issue and Spend return
// ErrUnavailable and nothing is verified until it answers again.
package challenge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Len is a challenge's length: active authentication's RND.IFD.
const Len = 8

// DefaultTTL is how long a challenge may be spent.
const DefaultTTL = 2 * time.Minute

// usedRetention is how long a spent or expired challenge is remembered
// after it expired, so that a replay reads CHALLENGE_USED or
// CHALLENGE_EXPIRED rather than CHALLENGE_UNKNOWN.
const usedRetention = 10 * time.Minute

// Errors of Spend: each is a verification refused with its own reason.
var (
	ErrUnknown  = errors.New("challenge unknown: not issued by this service to this caller, or forgotten")
	ErrExpired  = errors.New("challenge expired")
	ErrUsed     = errors.New("challenge already used (a replay)")
	ErrMismatch = errors.New("challenge bound to another transaction")
	// ErrUnavailable: the store does not answer; the service refuses to
	// verify until it does (fail closed).
	ErrUnavailable = errors.New("challenge store unavailable")
)

// Grant is an issued challenge.
type Grant struct {
	Challenge   []byte
	Transaction string
	Expires     time.Time
}

// Store keeps issued challenges.
type Store interface {
	// Put records a new challenge of caller, spendable until g.Expires
	// (now is the time it was issued).
	Put(ctx context.Context, caller string, g Grant, now time.Time) error
	// Take spends caller's challenge atomically: it returns what was
	// issued, or ErrUnknown, ErrUsed or ErrUnavailable. A challenge is
	// taken at most once, whichever replica asks.
	Take(ctx context.Context, caller string, challenge []byte, now time.Time) (Grant, error)
	// Ping reports whether the store answers (readiness).
	Ping(ctx context.Context) error
}

// Issuer issues and spends challenges.
type Issuer struct {
	Store Store
	TTL   time.Duration // DefaultTTL when zero
	Now   func() time.Time
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

// Issue draws a fresh challenge for caller, bound to transaction when it
// is not empty.
func (i *Issuer) Issue(ctx context.Context, caller, transaction string) (Grant, error) {
	ttl := i.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	now := i.now()
	g := Grant{Challenge: make([]byte, Len), Transaction: transaction, Expires: now.Add(ttl)}
	if _, err := rand.Read(g.Challenge); err != nil {
		return Grant{}, fmt.Errorf("challenge: random: %w", err)
	}
	if err := i.Store.Put(ctx, caller, g, now); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// Spend spends caller's challenge for a verification of transaction: it
// must have been issued to caller, not spent before, not expired, and
// bound to transaction when it was issued bound to one. Any attempt
// spends it, so a refused one cannot be tried again.
func (i *Issuer) Spend(ctx context.Context, caller string, challenge []byte, transaction string) error {
	if len(challenge) != Len {
		return ErrUnknown
	}
	now := i.now()
	g, err := i.Store.Take(ctx, caller, challenge, now)
	switch {
	case err != nil:
		return err
	case !now.Before(g.Expires):
		return ErrExpired
	case g.Transaction != "" && g.Transaction != transaction:
		return ErrMismatch
	}
	return nil
}

// record is a grant as the stores keep it.
type record struct {
	Expires     int64  `json:"exp"` // Unix milliseconds
	Transaction string `json:"tx,omitempty"`
}

func encode(g Grant) ([]byte, error) {
	return json.Marshal(record{Expires: g.Expires.UnixMilli(), Transaction: g.Transaction})
}

func decode(challenge []byte, b []byte) (Grant, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return Grant{}, fmt.Errorf("%w: malformed record", ErrUnavailable)
	}
	return Grant{Challenge: challenge, Transaction: r.Transaction, Expires: time.UnixMilli(r.Expires)}, nil
}

// key names caller's challenge: a challenge of another caller is another
// key, so it is unknown to this one and left unspent.
func key(caller string, challenge []byte) string {
	return hex.EncodeToString([]byte(caller)) + ":" + hex.EncodeToString(challenge)
}
