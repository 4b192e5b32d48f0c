// Package cardread adapts idagent's read pipeline (emrtd/read) to the agent:
// it turns read.start's access key into pipeline keys, the pipeline's
// results into the protocol's identity fields, the portrait into an image a
// browser shows, and the pipeline's errors into protocol error codes.
package cardread

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc"
)

// Reader reads cards with emrtd/read. The zero value works.
type Reader struct {
	// Configure, when set, adjusts the pipeline's options before each read
	// (trust store, link settings).
	Configure func(*read.Options)
	// Trust is the trust store for passive authentication (nil: empty);
	// AllowTestAnchors lets a chain end at a test anchor (simulate mode).
	Trust            *trust.Store
	AllowTestAnchors bool
	Now              func() time.Time
}

var _ session.Reader = (*Reader)(nil)

// dataGroups read besides DG1: the personal details and the data groups
// chip and active authentication need.
var dataGroups = []int{11, 12, 13, 14, 15}

// Read implements session.Reader.
func (r *Reader) Read(ctx context.Context, card nfc.Conn, req session.Request, obs session.Observer) (*session.Result, error) {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	keys, err := Keys(req.Access, now)
	if err != nil {
		return nil, protocol.Errorf(protocol.BadRequest, "access: %v", err)
	}
	opts := read.Options{
		Keys: keys, DataGroups: dataGroups, Photo: req.Photo, AAChallenge: req.Challenge,
		Verify: true, Trust: r.Trust, AllowTestAnchors: r.AllowTestAnchors,
		OnProgress: func(p read.Progress) { obs.Progress(phaseOf(p), p.Percent) },
		OnIdentity: func(res *read.Result) { obs.Identity(Fields(res, now), res.Checks) },
		OnPhoto: func(p read.Photo) {
			if mime, img, err := Portrait(p.DG2); err == nil {
				obs.Progress(protocol.PhasePhoto, 90)
				obs.Photo(mime, img)
			}
		},
	}
	if r.Configure != nil {
		r.Configure(&opts)
	}
	res, err := read.Read(ctx, card, opts)
	if err != nil {
		return nil, classify(err, keys)
	}
	checks := res.Checks
	out := &session.Result{
		Document:   document(res),
		Fields:     Fields(res, now),
		Checks:     checks,
		TestAnchor: TestAnchorUsed(checks),
	}
	if req.Evidence {
		out.Evidence = evidence(res, req.Challenge)
	}
	return out, nil
}

// phaseOf maps the pipeline's phases to the protocol's.
func phaseOf(p read.Progress) string {
	switch p.Phase {
	case read.PhaseSelect:
		return protocol.PhaseConnecting
	case read.PhaseAccess:
		return protocol.PhaseAccess
	case read.PhaseDone:
		return protocol.PhaseVerifying
	}
	if p.File == "DG2" {
		return protocol.PhasePhoto
	}
	return protocol.PhaseReading
}

// errUnsupported marks a card without the eMRTD application.
type errUnsupported struct{ err error }

func (e errUnsupported) Error() string     { return e.err.Error() }
func (e errUnsupported) Unwrap() error     { return e.err }
func (e errUnsupported) ErrorCode() string { return string(protocol.CardUnsupported) }

// errNeedsPACE: the key opens a chip only through PACE (a CAN), and the
// pipeline could not use it.
var errNeedsPACE = protocol.Errorf(protocol.BadRequest,
	"a card access number alone needs PACE, which this agent cannot run on this card: give the MRZ, the QR code, or documentNumber+dateOfBirth+dateOfExpiry")

func classify(err error, keys []access.Key) error {
	switch {
	case errors.Is(err, files.ErrNotFound) && !errors.Is(err, nfc.ErrCardRemoved):
		return errUnsupported{err}
	case !hasBACKey(keys) && !errors.Is(err, access.ErrDenied) && !cardTrouble(err):
		return fmt.Errorf("%w (%w)", errNeedsPACE, err)
	}
	return err
}

func hasBACKey(keys []access.Key) bool {
	for _, k := range keys {
		if _, ok := k.(access.BACKey); ok {
			return true
		}
	}
	return false
}

// cardTrouble: errors of the card or the read's context, which say more
// than the key's form.
func cardTrouble(err error) bool {
	for _, e := range []error{nfc.ErrCardRemoved, nfc.ErrReaderRemoved, nfc.ErrNoService, nfc.ErrNoCard,
		nfc.ErrCardUnresponsive, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func document(res *read.Result) protocol.Document {
	d := protocol.Document{Type: string(res.DocumentType), Access: res.AccessControl, DataGroups: []string{}}
	if res.DG1 != nil {
		d.Code = strings.TrimRight(res.DG1.DocumentCode, "<")
		d.IssuingState = res.DG1.IssuingState
	}
	for _, f := range res.Files {
		if f.Status == read.FileRead && f.DG > 0 {
			d.DataGroups = append(d.DataGroups, f.Name)
		}
	}
	return d
}

func evidence(res *read.Result, challenge []byte) *protocol.Evidence {
	e := &protocol.Evidence{DataGroups: map[string]string{}}
	for _, f := range res.Files {
		if f.Status != read.FileRead {
			continue
		}
		switch {
		case f.Name == "EF.SOD":
			e.SOD = base64.StdEncoding.EncodeToString(f.Data)
		case f.DG > 0:
			e.DataGroups[f.Name] = base64.StdEncoding.EncodeToString(f.Data)
		}
	}
	if challenge != nil {
		e.Challenge = base64.StdEncoding.EncodeToString(challenge)
	}
	return e
}

// Portrait returns the face image of DG2 as a browser shows it: a JPEG is
// passed on; JPEG 2000 (some passports) is transcoded to JPEG by emrtd/lds.
// A DG2 whose biometric wrapper does not parse still gives its JPEG when one
// is found inside.
func Portrait(dg2 []byte) (mime string, img []byte, err error) {
	p, err := lds.PortraitFromDG2(dg2, false)
	if err == nil {
		return p.MIMEType, p.Data, nil
	}
	if i := bytes.Index(dg2, []byte{0xFF, 0xD8, 0xFF}); i >= 0 {
		return "image/jpeg", dg2[i:], nil
	}
	return "", nil, fmt.Errorf("portrait: %w", err)
}
