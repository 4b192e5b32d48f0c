package cert

import (
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/idagent/idagent/emrtd/cert/ber"
)

// Attribute is one attribute of a distinguished name.
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Value string
}

// Name is a distinguished name with its attributes in encoding order.
type Name struct {
	Raw        []byte
	Attributes []Attribute
}

// Attribute type OIDs with their short names.
var (
	OIDCountry          = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDOrganization     = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrganizationUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	OIDCommonName       = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDSerialNumber     = asn1.ObjectIdentifier{2, 5, 4, 5}
	OIDLocality         = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDState            = asn1.ObjectIdentifier{2, 5, 4, 8}
)

var attrNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{OIDCountry, "C"}, {OIDOrganization, "O"}, {OIDOrganizationUnit, "OU"}, {OIDCommonName, "CN"},
	{OIDSerialNumber, "SERIALNUMBER"}, {OIDLocality, "L"}, {OIDState, "ST"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "E"},
	{asn1.ObjectIdentifier{2, 5, 4, 9}, "STREET"},
}

func attrName(oid asn1.ObjectIdentifier) string {
	for _, a := range attrNames {
		if a.oid.Equal(oid) {
			return a.name
		}
	}
	return oid.String()
}

// maxNameAttributes bounds the attributes of one name.
const maxNameAttributes = 64

// parseName decodes Name ::= SEQUENCE OF RelativeDistinguishedName.
func parseName(v ber.Value) (Name, error) {
	if v.Tag != ber.TagSequence {
		return Name{}, fmt.Errorf("%w: name tag %X", ber.ErrMalformed, v.Tag)
	}
	n := Name{Raw: v.Raw}
	rdns := v.Children()
	for !rdns.Empty() {
		set, err := rdns.Expect(ber.TagSet, "relative distinguished name")
		if err != nil {
			return Name{}, err
		}
		atvs := set.Children()
		for !atvs.Empty() {
			if len(n.Attributes) >= maxNameAttributes {
				return Name{}, fmt.Errorf("%w: name has more than %d attributes", ber.ErrMalformed, maxNameAttributes)
			}
			a, err := parseAttribute(atvs)
			if err != nil {
				return Name{}, err
			}
			n.Attributes = append(n.Attributes, a)
		}
	}
	return n, nil
}

func parseAttribute(r *ber.Reader) (Attribute, error) {
	oid, f, err := readOIDSequence(r, "name attribute", "attribute type")
	if err != nil {
		return Attribute{}, err
	}
	val, err := f.Next()
	if err != nil {
		return Attribute{}, fmt.Errorf("attribute value: %w", err)
	}
	s, err := val.String()
	if err != nil {
		// Not a string type: keep its hex so names still compare.
		s = fmt.Sprintf("#%X", val.Raw)
	}
	return Attribute{Type: oid, Value: s}, nil
}

// Get returns the first value of an attribute type.
func (n Name) Get(oid asn1.ObjectIdentifier) string {
	for _, a := range n.Attributes {
		if a.Type.Equal(oid) {
			return a.Value
		}
	}
	return ""
}

// Country returns the country attribute in upper case ("VN"), or "".
func (n Name) Country() string {
	return strings.ToUpper(strings.TrimSpace(n.Get(OIDCountry)))
}

// CommonName returns the common name.
func (n Name) CommonName() string { return n.Get(OIDCommonName) }

// String writes the name for people, most significant attribute first as
// it is encoded ("C=VN, O=..., CN=...").
func (n Name) String() string {
	parts := make([]string, len(n.Attributes))
	for i, a := range n.Attributes {
		parts[i] = attrName(a.Type) + "=" + a.Value
	}
	return strings.Join(parts, ", ")
}

// Canonical returns a form in which two names compare equal when RFC 5280
// §7.1 name matching says they are the same (string types ignored, case
// folded, leading, trailing and repeated inner white space removed) or
// when they list the same attributes in another order. RFC 5280 holds
// RDN order significant, but issuers write one name in different orders
// (a SignerInfo naming its certificate's issuer with the RDNs reversed,
// real-chips.md P-03); a name only ever finds candidates here, whose
// signatures are then verified, so folding the order costs nothing.
func (n Name) Canonical() string {
	parts := make([]string, len(n.Attributes))
	for i, a := range n.Attributes {
		parts[i] = a.Type.String() + "=" + foldCase(strings.Join(strings.FieldsFunc(a.Value, unicode.IsSpace), " "))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x00")
}

// Equal reports whether two names match.
func (n Name) Equal(o Name) bool {
	return string(n.Raw) == string(o.Raw) || n.Canonical() == o.Canonical()
}

// foldCase is a simple case folding: upper then lower case, which maps
// the letters names use (Latin, Greek, Cyrillic) to one form.
func foldCase(s string) string { return strings.ToLower(strings.ToUpper(s)) }

// ParseName decodes a Name already split out of a larger structure.
func ParseName(v ber.Value) (Name, error) { return parseName(v) }

// readOIDSequence reads SEQUENCE { OID, ... }, the form of a name attribute
// and of an extension: the OID and a reader over the fields after it. what
// and oidName name the two in errors.
func readOIDSequence(r *ber.Reader, what, oidName string) (asn1.ObjectIdentifier, *ber.Reader, error) {
	seq, err := r.Expect(ber.TagSequence, what)
	if err != nil {
		return nil, nil, err
	}
	fields := seq.Children()
	o, err := fields.Expect(ber.TagOID, oidName)
	if err != nil {
		return nil, nil, err
	}
	oid, err := o.OID()
	if err != nil {
		return nil, nil, err
	}
	return oid, fields, nil
}
