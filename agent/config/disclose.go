package config

import (
	"slices"

	"github.com/idagent/idagent/emrtd/identity"
)

// Parts of a read's events, outside the "fields" object, that carry an
// identity field's value or betray it (docs/PROTOCOL.md §5). The agent
// sends a part only when the policy allows every field it carries.
const (
	PartDocumentType = "document.type"
	PartDocumentCode = "document.code"
	PartIssuingState = "document.issuingState"
	PartAccess       = "document.access" // document.access and document.accessControl
	PartDataGroups   = "document.dataGroups"
	PartChecks       = "checks" // read.identity's and verification's
	PartEvidence     = "evidence"
	PartATR          = "atr" // card.inserted, hello and readers.list
	// PartProgress is read.progress's percent within a phase: it follows
	// the files a document holds (a passport's DG11 and DG12, a Vietnamese
	// card's DG13), so without it the percent is the phase's own.
	PartProgress = "read.progress.percent"
)

// PartFields maps each part to the fields it carries. The mechanism that
// opened a chip, its data groups and its ATR tell the kind of document and
// its issuer (DG13 exists only on Vietnamese cards); so do the checks,
// which name the data groups they hashed and the document signer with its
// country (the verdict, overall and testAnchor, is always sent); the
// evidence holds the raw data groups, every field.
var PartFields = map[string][]string{
	PartDocumentType: {identity.FieldDocumentType},
	PartDocumentCode: {identity.FieldDocumentCode},
	PartIssuingState: {identity.FieldIssuingState},
	PartAccess:       {identity.FieldDocumentType, identity.FieldIssuingState},
	PartDataGroups:   {identity.FieldDocumentType, identity.FieldIssuingState},
	PartChecks:       {identity.FieldDocumentType, identity.FieldIssuingState},
	PartEvidence:     identity.AllFields,
	PartATR:          {identity.FieldDocumentType, identity.FieldIssuingState},
	PartProgress:     {identity.FieldDocumentType, identity.FieldIssuingState},
}

// AllowsPart reports whether the policy allows every field a part
// carries. Evidence needs the policy's evidence flag too.
func (p Policy) AllowsPart(part string) bool {
	if part == PartEvidence && !p.Evidence {
		return false
	}
	for _, f := range PartFields[part] {
		if !p.Allows(f) {
			return false
		}
	}
	return true
}

// Withheld lists the fields the policy withholds, in protocol order. It
// depends on the policy only, never on the card, so that it tells nothing
// about the document.
func (p Policy) Withheld() []string {
	out := []string{}
	for _, f := range identity.AllFields {
		if !slices.Contains(p.Fields, f) {
			out = append(out, f)
		}
	}
	return out
}
