// Package simulate is the agent's simulate mode: in-process readers
// (nfc/virtual) into which sim.insert puts software chips (emrtd/sim), so
// integrators develop against the real API without a reader or a card.
package simulate

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/idagent/idagent/agent/cardread"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc/virtual"
)

// Readers are the simulated readers' names.
var Readers = []string{"Simulated reader 0", "Simulated reader 1"}

// DefaultProfile is inserted when sim.insert names none.
const DefaultProfile = "cccd"

// Simulator inserts software chips into virtual readers.
type Simulator struct {
	Manager *virtual.Manager

	mu    sync.Mutex
	cards map[string]protocol.SimCard // by reader: the access data of the chip in it
}

// New returns a simulator with the readers of Readers; linkName ("" for
// none) slows every exchange to the time of a contactless link
// (emrtd/sim/link: iso14443-106 … iso14443-848).
func New(linkName string) (*Simulator, error) {
	m := virtual.New()
	cfg := virtual.ReaderConfig{}
	if linkName != "" {
		model, err := link.New(linkName)
		if err != nil {
			return nil, fmt.Errorf("link model: %w (want one of %s)", err, strings.Join(link.Names, ", "))
		}
		cfg.Delay = model.Delay
	}
	for _, name := range Readers {
		if err := m.AddReader(name, cfg); err != nil {
			return nil, err
		}
	}
	return &Simulator{Manager: m}, nil
}

// Trust is the trust store of simulate mode: the simulator's test CSCA,
// flagged as a test anchor, its CRL (so that revocation is decided and
// dsc-revoked fails) and its document signers (so that an EF.SOD without
// its certificate, quirk sod-without-ds, verifies as at a desk holding
// the PKD's).
func Trust() (*trust.Store, protocol.TrustState, error) {
	s := trust.New()
	if err := sim.AddTestAnchors(s); err != nil {
		return s, protocol.TrustState{State: "error", Test: true}, err
	}
	if err := sim.AddTestSigners(s); err != nil {
		return s, protocol.TrustState{State: "error", Test: true}, err
	}
	st := cardread.TrustState(s)
	st.State, st.Test = "test", true
	return s, st, nil
}

// Insert issues a chip and inserts it, replacing any card in the reader.
func (s *Simulator) Insert(_ context.Context, req protocol.SimInsert) (protocol.SimCard, error) {
	profile := req.Profile
	if profile == "" {
		profile = DefaultProfile
	}
	if _, err := sim.LookupProfile(profile); err != nil {
		return protocol.SimCard{}, protocol.Errorf(protocol.BadRequest, "unknown profile %q: want one of %s", trunc(profile),
			strings.Join(slices.Concat(sim.Profiles(), sim.Documents()), ", "))
	}
	tamper := issue.Tamper(req.Tamper)
	if tamper != issue.NoTamper && !slices.Contains(issue.Tampers, tamper) {
		return protocol.SimCard{}, protocol.Errorf(protocol.BadRequest, "unknown tamper %q: want one of %s", trunc(req.Tamper), tamperNames())
	}
	for _, q := range req.Quirks {
		if _, err := sim.LookupQuirk(q); err != nil {
			return protocol.SimCard{}, protocol.Errorf(protocol.BadRequest, "unknown quirk %q: hello's sim.quirks lists them", trunc(q))
		}
	}
	if req.Attack != "" && !slices.Contains(sim.Attacks(), req.Attack) {
		return protocol.SimCard{}, protocol.Errorf(protocol.BadRequest, "unknown attack %q: hello's sim.attacks lists them", trunc(req.Attack))
	}
	reader, err := s.reader(req.Reader)
	if err != nil {
		return protocol.SimCard{}, err
	}
	seed := randomSeed()
	if req.Seed != nil {
		seed = uint64(*req.Seed)
	}
	chip, err := sim.New(profile, sim.Options{Seed: seed, Tamper: tamper, Quirks: req.Quirks, Attack: req.Attack})
	switch {
	case errors.Is(err, sim.ErrQuirkNotApplicable), errors.Is(err, sim.ErrAttackNotApplicable):
		return protocol.SimCard{}, protocol.Errorf(protocol.BadRequest, "%v", err)
	case errors.Is(err, issue.ErrTamperNotApplicable):
		return protocol.SimCard{}, protocol.Errorf(protocol.BadRequest,
			"tamper %q cannot be applied to profile %q: %s", tamper, profile, notApplicableWhy(tamper))
	case err != nil:
		return protocol.SimCard{}, fmt.Errorf("issue the simulated card: %w", err)
	}
	if err := s.Manager.Insert(reader, chip); err != nil {
		return protocol.SimCard{}, fmt.Errorf("insert the simulated card: %w", err)
	}
	a := chip.AccessData()
	card := protocol.SimCard{Reader: reader, ID12: a.ID12, CAN: a.CAN, DocumentNumber: a.DocumentNumber,
		DateOfBirth: a.DateOfBirth, DateOfExpiry: a.DateOfExpiry, MRZ: a.MRZ}
	s.mu.Lock()
	if s.cards == nil {
		s.cards = map[string]protocol.SimCard{}
	}
	s.cards[reader] = card
	s.mu.Unlock()
	return card, nil
}

// Cards are the chips in the simulated readers, in reader order, with
// their access data: what a desk page's simulator panel shows for a card
// inserted before it connected (idagent run --sim-card).
func (s *Simulator) Cards() []protocol.SimCard {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []protocol.SimCard{}
	for _, r := range Readers {
		if c, ok := s.cards[r]; ok {
			out = append(out, c)
		}
	}
	return out
}

// notApplicableWhy says what a tamper kind needs that a profile may lack
// (docs/SIMULATOR.md, Tampering).
func notApplicableWhy(t issue.Tamper) string {
	switch t {
	case issue.DG13Edited, issue.MRZDG13Mismatch:
		return "it forges DG13, which only the Vietnamese cards (cccd, cccd2024) hold"
	case issue.AAClone:
		return "it needs active authentication (DG15), which this profile lacks"
	case issue.CAClone:
		return "it needs chip authentication (DG14 or PACE-CAM), which this profile lacks"
	case issue.DG2Swapped:
		return "it needs a photo (DG2), which this profile lacks"
	}
	return "the profile lacks what it forges"
}

// Info lists the profiles (the default first, then the chip profiles, then
// the document profiles) and the tamper kinds, for hello.
func (s *Simulator) Info() protocol.SimInfo {
	profiles := []string{DefaultProfile}
	for _, p := range slices.Concat(sim.Profiles(), sim.Documents()) {
		if p != DefaultProfile {
			profiles = append(profiles, p)
		}
	}
	tampers := make([]string, 0, len(issue.Tampers))
	for _, t := range issue.Tampers {
		tampers = append(tampers, string(t))
	}
	return protocol.SimInfo{Profiles: profiles, Tampers: tampers, Cards: s.Cards(), Quirks: sim.QuirkNames(), Attacks: sim.Attacks()}
}

// Remove takes the card out of a reader.
func (s *Simulator) Remove(ctx context.Context, name string) error {
	reader, err := s.reader(name)
	if err != nil {
		return err
	}
	states, err := s.Manager.Readers(ctx)
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.Name == reader && !st.CardPresent {
			return protocol.Errorf(protocol.BadState, "no card in this reader")
		}
	}
	if err := s.Manager.Remove(reader); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.cards, reader)
	s.mu.Unlock()
	return nil
}

// DefaultReader is the reader of requests that name none.
func (s *Simulator) DefaultReader() string { return Readers[0] }

func (s *Simulator) reader(name string) (string, error) {
	if name == "" {
		return Readers[0], nil
	}
	if !slices.Contains(Readers, name) {
		return "", protocol.Errorf(protocol.NoReader, "no simulated reader with this name: want one of %s", strings.Join(Readers, ", "))
	}
	return name, nil
}

func tamperNames() string {
	var names []string
	for _, t := range issue.Tampers {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 1
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
