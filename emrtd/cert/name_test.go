package cert

import (
	"testing"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/tlv"
)

// nameAttr is an attribute and the string type it is written with.
type nameAttr struct {
	typ   Attribute
	tagOf uint32
}

// encodeName writes a name of attributes, one per RDN, and parses it.
func encodeName(attrs ...nameAttr) Name {
	var rdns [][]byte
	for _, a := range attrs {
		rdns = append(rdns, tlv.Encode(ber.TagSet, tlv.Encode(ber.TagSequence,
			tlv.Encode(ber.TagOID, ber.MustOIDContents(a.typ.Type)), tlv.Encode(a.tagOf, []byte(a.typ.Value)))))
	}
	v, err := ber.Decode(tlv.Encode(ber.TagSequence, rdns...))
	if err != nil {
		panic(err)
	}
	n, err := ParseName(v)
	if err != nil {
		panic(err)
	}
	return n
}

// Names match with string types, letter case, spacing and RDN order
// folded (real-chips.md P-03), and differ when a value differs.
func TestNameMatching(t *testing.T) {
	c := func(v string, tag uint32) nameAttr { return nameAttr{Attribute{OIDCountry, v}, tag} }
	o := func(v string, tag uint32) nameAttr { return nameAttr{Attribute{OIDOrganization, v}, tag} }
	cn := func(v string, tag uint32) nameAttr { return nameAttr{Attribute{OIDCommonName, v}, tag} }
	base := encodeName(c("MY", ber.TagPrintableString), o("Jabatan Imigresen", ber.TagUTF8String), cn("CSCA Malaysia", ber.TagUTF8String))
	for name, n := range map[string]Name{
		"reordered":     encodeName(cn("CSCA Malaysia", ber.TagUTF8String), o("Jabatan Imigresen", ber.TagUTF8String), c("MY", ber.TagPrintableString)),
		"retyped":       encodeName(c("MY", ber.TagUTF8String), o("Jabatan Imigresen", ber.TagPrintableString), cn("CSCA Malaysia", ber.TagT61String)),
		"case, spacing": encodeName(c("my", ber.TagPrintableString), o(" JABATAN  imigresen ", ber.TagUTF8String), cn("csca malaysia", ber.TagUTF8String)),
		"all of them":   encodeName(o("JABATAN IMIGRESEN", ber.TagPrintableString), cn("Csca  Malaysia", ber.TagIA5String), c("my", ber.TagUTF8String)),
	} {
		if !base.Equal(n) || !n.Equal(base) {
			t.Errorf("%s: %q does not match %q", name, n, base)
		}
	}
	for name, n := range map[string]Name{
		"other value":     encodeName(c("MY", ber.TagPrintableString), o("Jabatan Imigresen", ber.TagUTF8String), cn("CSCA Malaysia 2", ber.TagUTF8String)),
		"missing RDN":     encodeName(c("MY", ber.TagPrintableString), cn("CSCA Malaysia", ber.TagUTF8String)),
		"other attribute": encodeName(c("MY", ber.TagPrintableString), nameAttr{Attribute{OIDOrganizationUnit, "Jabatan Imigresen"}, ber.TagUTF8String}, cn("CSCA Malaysia", ber.TagUTF8String)),
	} {
		if base.Equal(n) {
			t.Errorf("%s: %q matches %q", name, n, base)
		}
	}
}
