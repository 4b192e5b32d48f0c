package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/internal/jsonkeys"
)

// The evidence's JSON is the `evidence` object of the agent's read.result
// (docs/PROTOCOL.md): the files in base64 (standard alphabet, padded),
// data groups keyed "DG1" … "DG16", active authentication's challenge and
// signature, and the desk's observations under "desk". The access key is
// never in it.

// wireEvidence is the evidence's JSON.
type wireEvidence struct {
	SOD                 []byte            `json:"sod"`
	DataGroups          map[string][]byte `json:"dataGroups"`
	CardAccess          []byte            `json:"cardAccess,omitempty"`
	CardSecurity        []byte            `json:"cardSecurity,omitempty"`
	COM                 []byte            `json:"com,omitempty"`
	Challenge           []byte            `json:"challenge,omitempty"`
	ActiveAuthSignature []byte            `json:"activeAuthSignature,omitempty"`
	ActiveAuthPublicKey []byte            `json:"activeAuthPublicKey,omitempty"`
	ActiveAuthAlgorithm string            `json:"activeAuthAlgorithm,omitempty"`
	ActiveAuthHash      string            `json:"activeAuthHash,omitempty"`
	Desk                *Desk             `json:"desk,omitempty"`
}

// Desk is the JSON of the evidence's desk observations (its "desk"
// object): what only the desk saw, which a server counts only as far as
// Verify without Options.AtDesk does.
type Desk struct {
	Access     *Access       `json:"access,omitempty"`
	ChipAuth   *DeskChipAuth `json:"chipAuthentication,omitempty"`
	ActiveAuth *DeskOutcome  `json:"activeAuthentication,omitempty"`
	Refused    []Refused     `json:"refused,omitempty"`
}

// DeskChipAuth is chip authentication as the desk saw it.
type DeskChipAuth struct {
	Mechanism   string       `json:"mechanism"`
	Protocol    string       `json:"protocol,omitempty"`
	KeySource   string       `json:"keySource"`
	Status      check.Status `json:"status"`
	Error       string       `json:"error,omitempty"`
	Repeated    int          `json:"repeated,omitempty"`
	Unconfirmed bool         `json:"unconfirmed,omitempty"`
	// PublicKey is the public value of the key the chip proved.
	PublicKey []byte `json:"publicKey,omitempty"`
}

// DeskOutcome is a protocol's outcome at the desk.
type DeskOutcome struct {
	Status check.Status `json:"status"`
	Error  string       `json:"error,omitempty"`
}

// DeskOf returns the evidence's desk observations as they go into JSON.
func DeskOf(ev *Evidence) *Desk {
	d := &Desk{Access: ev.Access, Refused: ev.Refused}
	if ca := ev.ChipAuth; ca != nil {
		d.ChipAuth = &DeskChipAuth{Mechanism: ca.Mechanism, Protocol: ca.Protocol, KeySource: ca.KeySource,
			Status: ca.Status, Error: ca.Error, Repeated: ca.Repeated, Unconfirmed: ca.Unconfirmed, PublicKey: ca.PublicKey}
	}
	if aa := ev.ActiveAuth; aa != nil {
		d.ActiveAuth = &DeskOutcome{Status: aa.Status, Error: aa.Error}
	}
	return d
}

// MarshalJSON encodes the evidence as read.result's evidence object,
// without the access key.
func (e Evidence) MarshalJSON() ([]byte, error) {
	w := wireEvidence{SOD: e.SOD, DataGroups: map[string][]byte{}, CardAccess: e.CardAccess, CardSecurity: e.CardSecurity, COM: e.COM, Desk: DeskOf(&e)}
	for n, b := range e.DataGroups {
		w.DataGroups[dgKey(n)] = b
	}
	if aa := e.ActiveAuth; aa != nil && len(aa.Signature) > 0 {
		w.Challenge, w.ActiveAuthSignature, w.ActiveAuthPublicKey = aa.Challenge, aa.Signature, aa.PublicKey
		w.ActiveAuthAlgorithm, w.ActiveAuthHash = aa.Algorithm, aa.Hash
	}
	return json.Marshal(w)
}

func dgKey(n int) string { return "DG" + strconv.Itoa(n) }

// ErrNoEvidence is wrapped when a JSON document holds no evidence object.
var ErrNoEvidence = errors.New("no evidence")

// ParseEvidence decodes evidence from JSON: read.result's evidence object,
// read.result's data holding one (`{"evidence": …}`), or the whole
// read.result message (`{"data": {"evidence": …}}`). JSON whose objects
// repeat a key (even in another case) is refused (internal/jsonkeys).
// Errors name fields, never their content.
func ParseEvidence(data []byte) (*Evidence, error) {
	if err := jsonkeys.Unique(data); err != nil {
		// Two values for one key: a backend may read the other one.
		return nil, fmt.Errorf("evidence: %w", err)
	}
	obj, err := evidenceObject(data, 0)
	if err != nil {
		return nil, err
	}
	var w wireEvidence
	if err := json.Unmarshal(obj, &w); err != nil {
		return nil, fmt.Errorf("evidence: %w", jsonError(err))
	}
	return w.evidence()
}

// evidenceObject finds the evidence object in data, at most two levels
// down.
func evidenceObject(data []byte, depth int) (json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("evidence: %w", jsonError(err))
	}
	if _, ok := top["sod"]; ok {
		return data, nil
	}
	if _, ok := top["dataGroups"]; ok {
		return data, nil
	}
	for _, key := range []string{"evidence", "data"} {
		if inner, ok := top[key]; ok && depth < 2 && string(inner) != "null" {
			return evidenceObject(inner, depth+1)
		}
	}
	return nil, fmt.Errorf("%w: the JSON holds no evidence object (read.result needs read.start's \"evidence\": true and a policy that allows it)", ErrNoEvidence)
}

// jsonError keeps a JSON error's position and type, never a value.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("%s: want %s", te.Field, te.Type)
	}
	return errors.New("invalid JSON or base64")
}

func (w *wireEvidence) evidence() (*Evidence, error) {
	ev := &Evidence{SOD: nonEmpty(w.SOD), CardAccess: nonEmpty(w.CardAccess), CardSecurity: nonEmpty(w.CardSecurity),
		COM: nonEmpty(w.COM), DataGroups: map[int][]byte{}}
	for k, b := range w.DataGroups {
		n, err := strconv.Atoi(strings.TrimPrefix(k, "DG"))
		if !strings.HasPrefix(k, "DG") || err != nil || n < 1 || n > 16 || dgKey(n) != k {
			return nil, fmt.Errorf("evidence: dataGroups: %q is not DG1 … DG16", k)
		}
		ev.DataGroups[n] = b
	}
	if d := w.Desk; d != nil {
		ev.Access, ev.Refused = d.Access, d.Refused
		if ca := d.ChipAuth; ca != nil {
			ev.ChipAuth = &ChipAuth{Mechanism: ca.Mechanism, Protocol: ca.Protocol, KeySource: ca.KeySource,
				Status: ca.Status, Error: ca.Error, Repeated: ca.Repeated, Unconfirmed: ca.Unconfirmed, PublicKey: ca.PublicKey}
		}
		if aa := d.ActiveAuth; aa != nil {
			ev.ActiveAuth = &ActiveAuth{Status: aa.Status, Error: aa.Error}
		}
	}
	if len(w.ActiveAuthSignature) > 0 || len(w.Challenge) > 0 {
		if ev.ActiveAuth == nil {
			ev.ActiveAuth = &ActiveAuth{}
		}
		aa := ev.ActiveAuth
		aa.Challenge, aa.Signature, aa.PublicKey = w.Challenge, w.ActiveAuthSignature, w.ActiveAuthPublicKey
		aa.Algorithm, aa.Hash = w.ActiveAuthAlgorithm, w.ActiveAuthHash
	}
	return ev, nil
}

func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
