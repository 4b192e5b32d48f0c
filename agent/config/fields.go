package config

import (
	"slices"

	"github.com/idagent/idagent/emrtd/identity"
)

// Policy is what one origin may receive.
type Policy struct {
	Fields   []string // allowed identity fields
	Photo    bool
	Evidence bool
}

// DefaultPolicy withholds the sensitive fields, sends the photo and no
// evidence.
func DefaultPolicy() Policy { return Policy{Fields: identity.DefaultFields(), Photo: true} }

// FullPolicy allows everything (simulate mode's own pages: test data only).
func FullPolicy() Policy {
	return Policy{Fields: slices.Clone(identity.AllFields), Photo: true, Evidence: true}
}

// Allows reports whether field (an emrtd/identity field name) may be sent.
func (p Policy) Allows(field string) bool { return slices.Contains(p.Fields, field) }
