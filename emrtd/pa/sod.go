// Package pa is passive authentication (ICAO 9303-11 §5.1): it parses
// EF.SOD (the LDS security object in a CMS SignedData), verifies every
// signer's signature strictly (signed attributes required, one hash),
// chains the document signer to a CSCA of the trust store, checks the
// certificates' markings by a documented policy (ds.profile), validity,
// revocation and the issuing country, and compares the hash of every data
// group the caller read. The result is an emrtd/check.Report with one
// entry per check; docs/TRUST.md lists them with their reasons.
//
// It also builds and signs SODs for the software chip and test PKIs.
package pa

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"slices"
	"sort"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/tlv"
)

// OIDLDSSecurityObject is id-icao-mrtd-security-ldsSecurityObject.
var OIDLDSSecurityObject = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}

// SODContentTypes are the eContentTypes an EF.SOD is accepted with:
// ICAO's, and those real passports carry instead (real-chips.md L-03:
// Belgium and France, the Netherlands, id-data on a Chinese passport).
// The content must still be an LDSSecurityObject, and the signed
// content-type attribute must name the same type.
var SODContentTypes = []asn1.ObjectIdentifier{
	OIDLDSSecurityObject,
	{1, 3, 27, 1, 1, 1},
	{1, 2, 528, 1, 1006, 1, 20, 1},
	cms.OIDData,
}

// TagSOD is the tag of EF.SOD.
const TagSOD = 0x77

// SOD is a parsed EF.SOD.
type SOD struct {
	Raw        []byte // the file as read
	SignedData *cms.SignedData
	LDS        *LDSSecurityObject
}

// LDSSecurityObject is the signed list of data-group hashes.
type LDSSecurityObject struct {
	Version        int // 0, or 1 with LDS version info
	HashAlgorithm  cert.AlgorithmIdentifier
	Hash           crypto.Hash // 0 when the algorithm is not supported
	Hashes         map[int][]byte
	LDSVersion     string // "0108" (v1 only)
	UnicodeVersion string // "040000" (v1 only)
}

// DataGroups returns the data-group numbers the SOD lists, ascending.
func (l *LDSSecurityObject) DataGroups() []int {
	out := make([]int, 0, len(l.Hashes))
	for n := range l.Hashes {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// maxSOD bounds EF.SOD (real ones are 1.5–4 KB; a few carry more certificates).
const maxSOD = 64 << 10

// ParseSOD decodes EF.SOD: tag 0x77 around a ContentInfo (a bare
// ContentInfo is accepted too).
func ParseSOD(b []byte) (*SOD, error) {
	if len(b) > maxSOD {
		return nil, fmt.Errorf("EF.SOD of %d bytes exceeds %d", len(b), maxSOD)
	}
	inner := b
	if len(b) > 0 && b[0] == TagSOD {
		t, _, err := tlv.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("EF.SOD: %w", err)
		}
		inner = t.Value
	}
	sd, err := cms.Parse(inner)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	if !slices.ContainsFunc(SODContentTypes, sd.ContentType.Equal) {
		return nil, fmt.Errorf("EF.SOD: content type %s is not the LDS security object", sd.ContentType)
	}
	lds, err := ParseLDSSecurityObject(sd.Content)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	return &SOD{Raw: b, SignedData: sd, LDS: lds}, nil
}

// ParseLDSSecurityObject decodes LDSSecurityObject ::= SEQUENCE { version,
// hashAlgorithm, dataGroupHashValues SEQUENCE OF DataGroupHash,
// ldsVersionInfo OPTIONAL }.
func ParseLDSSecurityObject(b []byte) (*LDSSecurityObject, error) {
	v, err := ber.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("LDS security object: %w", err)
	}
	if v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("LDS security object: %w: tag %X", ber.ErrMalformed, v.Tag)
	}
	r := v.Children()
	ver, err := r.Expect(ber.TagInteger, "version")
	if err != nil {
		return nil, err
	}
	n, err := ver.Int64()
	if err != nil || n < 0 || n > 1 {
		return nil, fmt.Errorf("LDS security object version: %w", ber.ErrMalformed)
	}
	l := &LDSSecurityObject{Version: int(n), Hashes: map[int][]byte{}}
	av, err := r.Expect(ber.TagSequence, "hashAlgorithm")
	if err != nil {
		return nil, err
	}
	if l.HashAlgorithm, err = cert.ParseAlgorithmIdentifier(av); err != nil {
		return nil, err
	}
	l.Hash = cert.HashByOID(l.HashAlgorithm.OID)
	list, err := r.Expect(ber.TagSequence, "dataGroupHashValues")
	if err != nil {
		return nil, err
	}
	if err := l.parseHashes(list); err != nil {
		return nil, err
	}
	if info, ok, err := r.Optional(ber.TagSequence); err != nil {
		return nil, err
	} else if ok {
		l.parseVersionInfo(info)
	}
	return l, nil
}

func (l *LDSSecurityObject) parseHashes(list ber.Value) error {
	r := list.Children()
	for !r.Empty() {
		e, err := r.Expect(ber.TagSequence, "dataGroupHash")
		if err != nil {
			return err
		}
		f := e.Children()
		nv, err := f.Expect(ber.TagInteger, "dataGroupNumber")
		if err != nil {
			return err
		}
		dg, err := nv.Int64()
		if err != nil || dg < 1 || dg > 16 {
			return fmt.Errorf("data group number: %w", ber.ErrMalformed)
		}
		hv, err := f.Next()
		if err != nil {
			return fmt.Errorf("DG%d hash: %w", dg, err)
		}
		h, err := hv.OctetString()
		if err != nil || len(h) == 0 || len(h) > 64 {
			return fmt.Errorf("DG%d hash: %w", dg, ber.ErrMalformed)
		}
		if _, dup := l.Hashes[int(dg)]; dup {
			return fmt.Errorf("DG%d listed twice: %w", dg, ber.ErrMalformed)
		}
		l.Hashes[int(dg)] = h
	}
	return nil
}

func (l *LDSSecurityObject) parseVersionInfo(v ber.Value) {
	r := v.Children()
	if s, err := r.Next(); err == nil {
		l.LDSVersion, _ = s.String()
	}
	if s, err := r.Next(); err == nil {
		l.UnicodeVersion, _ = s.String()
	}
}

// EncodeLDSSecurityObject encodes an LDS security object: version 0, or 1
// when ldsVersion is set.
func EncodeLDSSecurityObject(h crypto.Hash, hashes map[int][]byte, ldsVersion, unicodeVersion string) ([]byte, error) {
	oid := cert.HashOID(h)
	if oid == nil {
		return nil, fmt.Errorf("%w: hash %s", cert.ErrUnsupported, h)
	}
	dgs := make([]int, 0, len(hashes))
	for n := range hashes {
		dgs = append(dgs, n)
	}
	sort.Ints(dgs)
	var list [][]byte
	for _, n := range dgs {
		list = append(list, tlv.Encode(ber.TagSequence, []byte{ber.TagInteger, 1, byte(n)}, tlv.Encode(ber.TagOctetString, hashes[n])))
	}
	version := byte(0)
	var info []byte
	if ldsVersion != "" {
		version = 1
		info = tlv.Encode(ber.TagSequence, tlv.Encode(ber.TagPrintableString, []byte(ldsVersion)), tlv.Encode(ber.TagPrintableString, []byte(unicodeVersion)))
	}
	alg := cert.MarshalAlgorithmIdentifier(cert.AlgorithmIdentifier{OID: oid})
	return tlv.Encode(ber.TagSequence, []byte{ber.TagInteger, 1, version}, alg, tlv.Encode(ber.TagSequence, list...), info), nil
}

// HashDataGroups hashes raw data groups (as read from the chip, tag
// included) for an LDS security object.
func HashDataGroups(h crypto.Hash, dgs map[int][]byte) map[int][]byte {
	out := make(map[int][]byte, len(dgs))
	for n, raw := range dgs {
		d := h.New()
		d.Write(raw)
		out[n] = d.Sum(nil)
	}
	return out
}

// SignSOD makes EF.SOD (tag 0x77) over an encoded LDS security object,
// signed by the document signer key (*ec.PrivateKey or *rsa.PrivateKey).
func SignSOD(lds []byte, ds *cert.Certificate, key crypto.PrivateKey, o cms.SignOptions) ([]byte, error) {
	ci, err := cms.Sign(OIDLDSSecurityObject, lds, ds, key, o)
	if err != nil {
		return nil, fmt.Errorf("sign EF.SOD: %w", err)
	}
	return tlv.Encode(TagSOD, ci), nil
}
