// Package cardread adapts idagent's read pipeline (emrtd/read) to the agent:
// it turns read.start's access key into pipeline keys, the pipeline's
// results into the protocol's identity fields, the portrait into an image a
// browser shows, and the pipeline's errors into protocol error codes.
package cardread

import (
	"bytes"
	"context"
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
	"github.com/idagent/idagent/emrtd/verify"
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

// Read implements session.Reader: it runs emrtd/read's verified
// pipeline and passes on its checks and verdict as they are.
func (r *Reader) Read(ctx context.Context, card nfc.Conn, req session.Request, obs session.Observer) (*session.Result, error) {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	keys, err := Keys(req.Access, now)
	if err != nil {
		return nil, protocol.Errorf(protocol.BadRequest, "access: %v", err)
	}
	opts := r.options(keys, req, obs, now)
	res, err := read.Read(ctx, card, opts)
	if err != nil {
		return nil, classify(err, res)
	}
	out := &session.Result{
		Document:   document(res),
		Fields:     Fields(res, now),
		Checks:     res.Checks,
		Verdict:    res.Verdict,
		TestAnchor: verify.TestAnchorUsed(res.Checks),
	}
	if req.Evidence {
		if out.Evidence, err = evidence(res); err != nil {
			return nil, protocol.Errorf(protocol.Internal, "%v", err)
		}
	}
	return out, nil
}

// options are the pipeline's options for one read: every data group a
// desk shows plus DG14 and DG15 (chip and active authentication), the
// photo on request, the client's challenge, full verification.
func (r *Reader) options(keys []access.Key, req session.Request, obs session.Observer, now time.Time) read.Options {
	opts := read.Options{
		Keys: keys, DataGroups: dataGroups, Photo: req.Photo, AAChallenge: req.Challenge,
		Verify: true, Trust: r.Trust, AllowTestAnchors: r.AllowTestAnchors,
		OnProgress: func(p read.Progress) { obs.Progress(phaseOf(p), p.Percent) },
		// The identity comes after the chip proved itself: its checks
		// are final but the photo's hash (PENDING).
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
	return opts
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

// A card access number (can, id12) opens a chip only through PACE. A chip
// that offers no PACE, or whose PACE failed for another reason than a
// wrong key, needs the MRZ (BAC). The key was never tried, so this is not
// ACCESS_DENIED (which tells the clerk the key is wrong), nor
// CARD_UNSUPPORTED (the card reads with its MRZ): the request's key form
// does not suit this card, BAD_REQUEST, not retryable with the same key.
var (
	errNoPACE = protocol.Errorf(protocol.BadRequest,
		"this chip does not offer PACE, so a card access number (can, id12) cannot open it: give the MRZ (mrz, or documentNumber+dateOfBirth+dateOfExpiry)")
	errPACEFailed = protocol.Errorf(protocol.BadRequest,
		"PACE with this chip failed (not because of the key), and a card access number (can, id12) cannot open it with BAC: give the MRZ (mrz, or documentNumber+dateOfBirth+dateOfExpiry)")
)

// classify gives a pipeline error its protocol code (the wire format knows
// nothing of the layers below); the error itself stays wrapped for the
// log. The card stack's own errors (card removed, reader gone) are left
// to the session, which meets them outside reads too.
func classify(err error, res *read.Result) error {
	switch {
	case protocol.HasCode(err):
		return err
	case errors.Is(err, access.ErrTokenInvalid):
		return protocol.WithCode(protocol.ChipAuthTokenInvalid, err)
	case errors.Is(err, access.ErrDenied):
		return protocol.WithCode(protocol.AccessDenied, err)
	case errors.Is(err, access.ErrInvalid):
		return protocol.WithCode(protocol.BadRequest, err)
	case errors.Is(err, files.ErrNotFound) && !errors.Is(err, nfc.ErrCardRemoved):
		return protocol.WithCode(protocol.CardUnsupported, err)
	case errors.Is(err, read.ErrNeedMRZKey):
		if res != nil && res.OffersPACE() {
			return fmt.Errorf("%w (%w)", errPACEFailed, err)
		}
		return fmt.Errorf("%w (%w)", errNoPACE, err)
	}
	return err
}

// document describes the document and how it was opened (no personal
// data).
func document(res *read.Result) protocol.Document {
	d := protocol.Document{Type: string(res.DocumentType), Access: res.AccessControl,
		AccessControl: accessControl(res.Access), DataGroups: []string{}}
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

func accessControl(a *read.AccessResult) *protocol.AccessControl {
	if a == nil {
		return nil
	}
	return &protocol.AccessControl{
		Mechanism: a.Mechanism, Password: a.Password, Protocol: a.Protocol, Cipher: a.Cipher,
		Domain: a.Domain, ParameterID: a.ParameterID, Fallback: a.Fallback, FallbackReason: a.FallbackReason,
	}
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
