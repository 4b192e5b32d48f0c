package lds

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/tlv"
)

// SecurityInfos is the content of EF.CardAccess, DG14 (inside tag 6E) and
// EF.CardSecurity (the eContent of its SignedData): a SET OF SecurityInfo
// (ICAO 9303-11 §9.2). Infos keeps every entry in file order; the typed
// lists hold the ones this package understands; Unknown keeps the rest,
// including known protocols whose data did not parse (with the reason).
type SecurityInfos struct {
	Infos []Info `json:"-"`

	PACE                         []PACEInfo                              `json:"pace,omitempty"`
	PACEDomainParameters         []PACEDomainParameterInfo               `json:"paceDomainParameters,omitempty"`
	ChipAuthentication           []ChipAuthenticationInfo                `json:"chipAuthentication,omitempty"`
	ChipAuthenticationPublicKeys []ChipAuthenticationPublicKeyInfo       `json:"chipAuthenticationPublicKeys,omitempty"`
	ChipAuthenticationDomain     []ChipAuthenticationDomainParameterInfo `json:"chipAuthenticationDomainParameters,omitempty"`
	ActiveAuthentication         []ActiveAuthenticationInfo              `json:"activeAuthentication,omitempty"`
	TerminalAuthentication       []TerminalAuthenticationInfo            `json:"terminalAuthentication,omitempty"`
	Unknown                      []UnknownInfo                           `json:"unknown,omitempty"`
}

// Info is what every SecurityInfo has: its protocol identifier, the
// protocol's name when known, and the entry's DER.
type Info struct {
	Protocol asn1.ObjectIdentifier `json:"-"`
	OID      string                `json:"oid"`
	Name     string                `json:"protocol,omitempty"`
	Raw      []byte                `json:"-"`
}

// Mapping is the PACE mapping.
type Mapping string

const (
	MappingGM  Mapping = "GM"  // generic mapping
	MappingIM  Mapping = "IM"  // integrated mapping
	MappingCAM Mapping = "CAM" // chip authentication mapping
)

// KeyAgreement is DH or ECDH.
type KeyAgreement string

const (
	KeyAgreementDH   KeyAgreement = "DH"
	KeyAgreementECDH KeyAgreement = "ECDH"
)

// Cipher is the secure messaging cipher a protocol sets up.
type Cipher string

const (
	Cipher3DES   Cipher = "3DES"
	CipherAES128 Cipher = "AES-128"
	CipherAES192 Cipher = "AES-192"
	CipherAES256 Cipher = "AES-256"
)

// KeyLength is the cipher's key length in bytes (16 for 3DES).
func (c Cipher) KeyLength() int {
	switch c {
	case Cipher3DES, CipherAES128:
		return 16
	case CipherAES192:
		return 24
	case CipherAES256:
		return 32
	}
	return 0
}

// PACEInfo: { protocol id-PACE-*, version INTEGER, parameterId INTEGER OPTIONAL }.
type PACEInfo struct {
	Info
	Mapping      Mapping      `json:"mapping"`
	KeyAgreement KeyAgreement `json:"keyAgreement"`
	Cipher       Cipher       `json:"cipher"`
	Version      int          `json:"version"`
	// ParameterID is the standardized domain parameters' id, or the id
	// that links to a PACEDomainParameterInfo; nil when absent.
	ParameterID *int `json:"parameterId,omitempty"`
}

// StandardizedParameters describes ParameterID when it names
// standardized domain parameters.
func (p PACEInfo) StandardizedParameters() (StandardizedDomainParameter, bool) {
	if p.ParameterID == nil {
		return StandardizedDomainParameter{}, false
	}
	return StandardizedDomainParameterByID(*p.ParameterID)
}

// AlgorithmIdentifier is an algorithm OID with its parameters' DER.
type AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier `json:"-"`
	OID        string                `json:"oid"`
	Parameters []byte                `json:"-"`
}

// PACEDomainParameterInfo: { protocol id-PACE-{DH,ECDH}-{GM,IM,CAM},
// domainParameter AlgorithmIdentifier, parameterId INTEGER OPTIONAL }.
type PACEDomainParameterInfo struct {
	Info
	Mapping         Mapping             `json:"mapping"`
	KeyAgreement    KeyAgreement        `json:"keyAgreement"`
	DomainParameter AlgorithmIdentifier `json:"domainParameter"`
	ParameterID     *int                `json:"parameterId,omitempty"`
}

// ChipAuthenticationInfo: { protocol id-CA-*, version INTEGER, keyId INTEGER OPTIONAL }.
type ChipAuthenticationInfo struct {
	Info
	KeyAgreement KeyAgreement `json:"keyAgreement"`
	Cipher       Cipher       `json:"cipher"`
	Version      int          `json:"version"`
	KeyID        *int         `json:"keyId,omitempty"`
}

// ChipAuthenticationDomainParameterInfo: { protocol id-CA-DH or
// id-CA-ECDH, domainParameter AlgorithmIdentifier, keyId INTEGER OPTIONAL }.
type ChipAuthenticationDomainParameterInfo struct {
	Info
	KeyAgreement    KeyAgreement        `json:"keyAgreement"`
	DomainParameter AlgorithmIdentifier `json:"domainParameter"`
	KeyID           *int                `json:"keyId,omitempty"`
}

// ChipAuthenticationPublicKeyInfo: { protocol id-PK-DH or id-PK-ECDH,
// chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }.
type ChipAuthenticationPublicKeyInfo struct {
	Info
	KeyAgreement KeyAgreement `json:"keyAgreement"`
	PublicKey    *PublicKey   `json:"publicKey"`
	KeyID        *int         `json:"keyId,omitempty"`
}

// ActiveAuthenticationInfo: { protocol id-AA, version INTEGER,
// signatureAlgorithm OBJECT IDENTIFIER } — present when AA uses ECDSA.
type ActiveAuthenticationInfo struct {
	Info
	Version            int                   `json:"version"`
	SignatureAlgorithm asn1.ObjectIdentifier `json:"-"`
	SignatureOID       string                `json:"signatureAlgorithm"`
	// Hash is the digest the ECDSA signature uses (0 when unknown);
	// Plain is true for the BSI plain (r‖s) signature format.
	Hash  crypto.Hash `json:"-"`
	Plain bool        `json:"plainSignature,omitempty"`
}

// TerminalAuthenticationInfo: { protocol id-TA, version INTEGER, efCVCA
// FileID OPTIONAL }.
type TerminalAuthenticationInfo struct {
	Info
	Version int    `json:"version"`
	EFCVCA  []byte `json:"-"` // FileID DER, nil when absent
}

// UnknownInfo is a SecurityInfo kept as it is: an unknown protocol, or a
// known one whose data did not parse (Error says why).
type UnknownInfo struct {
	Info
	Error string `json:"error,omitempty"`
}

// ParseSecurityInfos parses a DER SET OF SecurityInfo (EF.CardAccess, or
// the eContent of EF.CardSecurity). A SEQUENCE is accepted too.
func ParseSecurityInfos(b []byte) (*SecurityInfos, error) {
	if err := checkSize("SecurityInfos", b); err != nil {
		return nil, err
	}
	t, rest, err := tlv.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: SecurityInfos: %v", ErrMalformed, err)
	}
	if t.Tag != tagSet && t.Tag != tagSequence {
		return nil, fmt.Errorf("%w: SecurityInfos is tag %X, not a SET", ErrMalformed, t.Tag)
	}
	if len(rest) != 0 && !allZero(rest) {
		// EF.CardAccess read to its allocated size may carry zero padding.
		return nil, fmt.Errorf("%w: %d bytes after SecurityInfos", ErrMalformed, len(rest))
	}
	kids, err := children("SecurityInfos", t.Value)
	if err != nil {
		return nil, err
	}
	if len(kids) > maxItems {
		return nil, fmt.Errorf("%w: more than %d SecurityInfos", ErrTooLarge, maxItems)
	}
	s := &SecurityInfos{}
	for i, k := range kids {
		if err := s.add(k); err != nil {
			return nil, fmt.Errorf("SecurityInfo %d: %w", i+1, err)
		}
	}
	return s, nil
}

// ParseDG14 parses DG14 (tag 6E wrapping SecurityInfos).
func ParseDG14(b []byte) (*SecurityInfos, error) {
	v, err := unwrap("DG14", b, 0x6E)
	if err != nil {
		return nil, err
	}
	s, err := ParseSecurityInfos(v)
	if err != nil {
		return nil, fmt.Errorf("DG14: %w", err)
	}
	return s, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Len is the number of SecurityInfos.
func (s *SecurityInfos) Len() int { return len(s.Infos) }

// add parses one SecurityInfo: SEQUENCE { protocol OID, requiredData,
// optionalData OPTIONAL }.
func (s *SecurityInfos) add(t tlv.TLV) error {
	if t.Tag != tagSequence {
		return fmt.Errorf("%w: tag %X, not a SEQUENCE", ErrMalformed, t.Tag)
	}
	kids, err := children("SecurityInfo", t.Value)
	if err != nil {
		return err
	}
	if len(kids) < 1 || kids[0].Tag != tagOID {
		return fmt.Errorf("%w: no protocol identifier", ErrMalformed)
	}
	oid, err := parseOID(kids[0].Value)
	if err != nil {
		return err
	}
	info := Info{Protocol: oid, OID: oid.String(), Name: ProtocolName(oid), Raw: clone(t.Raw)}
	s.Infos = append(s.Infos, info)
	if perr := s.addKnown(info, kids[1:]); perr != nil {
		s.Unknown = append(s.Unknown, UnknownInfo{Info: info, Error: perr.Error()})
	}
	return nil
}

// errUnknownVariant marks a SecurityInfo under a known protocol arc whose
// variant (mapping, key agreement, cipher) this package does not know: it
// is kept as unknown, not as malformed.
var errUnknownVariant = errors.New("unknown protocol variant")

// addKnown files one SecurityInfo in its typed list, or in Unknown when
// its protocol is not one this package reads. An error is a known
// protocol whose data does not parse.
func (s *SecurityInfos) addKnown(info Info, data []tlv.TLV) error {
	err := s.addTyped(info, data)
	if errors.Is(err, errUnknownVariant) {
		s.Unknown = append(s.Unknown, UnknownInfo{Info: info})
		return nil
	}
	return err
}

// addTyped dispatches on the protocol identifier: id-PACE and id-CA with
// two more arcs (key agreement or mapping, cipher) are PACEInfo and
// ChipAuthenticationInfo, with one more arc their domain parameter infos.
func (s *SecurityInfos) addTyped(info Info, data []tlv.TLV) error {
	oid := info.Protocol
	switch {
	case isProtocol(oid, OIDPACE, 2):
		return s.addPACE(info, data)
	case isProtocol(oid, OIDPACE, 1):
		return s.addPACEDomainParameters(info, data)
	case isProtocol(oid, OIDCA, 2):
		return s.addChipAuthentication(info, data)
	case isProtocol(oid, OIDCA, 1):
		return s.addChipAuthenticationDomain(info, data)
	case oid.Equal(OIDPKDH), oid.Equal(OIDPKECDH):
		return s.addChipAuthenticationPublicKey(info, data)
	case oid.Equal(OIDAA):
		return s.addActiveAuthentication(info, data)
	case oid.Equal(OIDTA):
		return s.addTerminalAuthentication(info, data)
	}
	return errUnknownVariant
}

// isProtocol reports whether oid is prefix followed by exactly extra arcs.
func isProtocol(oid, prefix asn1.ObjectIdentifier, extra int) bool {
	return isUnder(oid, prefix) && len(oid) == len(prefix)+extra
}

// PACEInfo: { protocol, version INTEGER, parameterId INTEGER OPTIONAL }.
func (s *SecurityInfos) addPACE(info Info, data []tlv.TLV) error {
	p := PACEInfo{Info: info}
	arcs := info.Protocol[len(OIDPACE):]
	var ok bool
	if p.Mapping, p.KeyAgreement, ok = paceKind(arcs[0]); !ok {
		return errUnknownVariant
	}
	if p.Cipher, ok = cipherOf(arcs[1], p.Mapping != MappingCAM); !ok {
		return errUnknownVariant
	}
	var err error
	if p.Version, p.ParameterID, err = versionAndID(data, "PACEInfo needs version and optional parameterId"); err != nil {
		return err
	}
	s.PACE = append(s.PACE, p)
	return nil
}

// PACEDomainParameterInfo: { protocol, domainParameter, parameterId OPTIONAL }.
func (s *SecurityInfos) addPACEDomainParameters(info Info, data []tlv.TLV) error {
	p := PACEDomainParameterInfo{Info: info}
	var ok bool
	if p.Mapping, p.KeyAgreement, ok = paceKind(info.Protocol[len(OIDPACE)]); !ok {
		return errUnknownVariant
	}
	var err error
	if p.DomainParameter, p.ParameterID, err = domainParameters(data); err != nil {
		return err
	}
	s.PACEDomainParameters = append(s.PACEDomainParameters, p)
	return nil
}

// ChipAuthenticationInfo: { protocol, version INTEGER, keyId INTEGER OPTIONAL }.
func (s *SecurityInfos) addChipAuthentication(info Info, data []tlv.TLV) error {
	c := ChipAuthenticationInfo{Info: info}
	arcs := info.Protocol[len(OIDCA):]
	var ok bool
	if c.KeyAgreement, ok = keyAgreementOf(arcs[0]); !ok {
		return errUnknownVariant
	}
	if c.Cipher, ok = cipherOf(arcs[1], true); !ok {
		return errUnknownVariant
	}
	var err error
	if c.Version, c.KeyID, err = versionAndID(data, "ChipAuthenticationInfo needs version and optional keyId"); err != nil {
		return err
	}
	s.ChipAuthentication = append(s.ChipAuthentication, c)
	return nil
}

// ChipAuthenticationDomainParameterInfo: { protocol, domainParameter, keyId OPTIONAL }.
func (s *SecurityInfos) addChipAuthenticationDomain(info Info, data []tlv.TLV) error {
	c := ChipAuthenticationDomainParameterInfo{Info: info}
	var ok bool
	if c.KeyAgreement, ok = keyAgreementOf(info.Protocol[len(OIDCA)]); !ok {
		return errUnknownVariant
	}
	var err error
	if c.DomainParameter, c.KeyID, err = domainParameters(data); err != nil {
		return err
	}
	s.ChipAuthenticationDomain = append(s.ChipAuthenticationDomain, c)
	return nil
}

// ChipAuthenticationPublicKeyInfo: { protocol, SubjectPublicKeyInfo, keyId OPTIONAL }.
func (s *SecurityInfos) addChipAuthenticationPublicKey(info Info, data []tlv.TLV) error {
	c := ChipAuthenticationPublicKeyInfo{Info: info, KeyAgreement: KeyAgreementDH}
	if info.Protocol.Equal(OIDPKECDH) {
		c.KeyAgreement = KeyAgreementECDH
	}
	if len(data) < 1 || len(data) > 2 || data[0].Tag != tagSequence {
		return fmt.Errorf("%w: ChipAuthenticationPublicKeyInfo needs a SubjectPublicKeyInfo", ErrMalformed)
	}
	var err error
	if c.PublicKey, err = ParseSubjectPublicKeyInfo(data[0].Raw); err != nil {
		return err
	}
	if len(data) == 2 {
		if c.KeyID, err = optionalInt(data[1]); err != nil {
			return err
		}
	}
	s.ChipAuthenticationPublicKeys = append(s.ChipAuthenticationPublicKeys, c)
	return nil
}

// ActiveAuthenticationInfo: { protocol, version INTEGER, signatureAlgorithm OID }
// (the algorithm is read when present; later fields are ignored).
func (s *SecurityInfos) addActiveAuthentication(info Info, data []tlv.TLV) error {
	a := ActiveAuthenticationInfo{Info: info}
	var err error
	if a.Version, err = leadingVersion(data, "ActiveAuthenticationInfo"); err != nil {
		return err
	}
	if len(data) >= 2 {
		if data[1].Tag != tagOID {
			return fmt.Errorf("%w: ActiveAuthenticationInfo signatureAlgorithm is not an OID", ErrMalformed)
		}
		if a.SignatureAlgorithm, err = parseOID(data[1].Value); err != nil {
			return err
		}
		a.SignatureOID = a.SignatureAlgorithm.String()
		a.Hash, a.Plain = signatureHash(a.SignatureAlgorithm)
	}
	s.ActiveAuthentication = append(s.ActiveAuthentication, a)
	return nil
}

// TerminalAuthenticationInfo: { protocol, version INTEGER, efCVCA FileID OPTIONAL }.
func (s *SecurityInfos) addTerminalAuthentication(info Info, data []tlv.TLV) error {
	ta := TerminalAuthenticationInfo{Info: info}
	var err error
	if ta.Version, err = leadingVersion(data, "TerminalAuthenticationInfo"); err != nil {
		return err
	}
	if len(data) >= 2 {
		ta.EFCVCA = clone(data[1].Raw)
	}
	s.TerminalAuthentication = append(s.TerminalAuthentication, ta)
	return nil
}

// versionAndID reads { version INTEGER, id INTEGER OPTIONAL }, the data of
// PACEInfo and ChipAuthenticationInfo; what is the error's text.
func versionAndID(data []tlv.TLV, what string) (int, *int, error) {
	if len(data) < 1 || len(data) > 2 || data[0].Tag != tagInteger {
		return 0, nil, fmt.Errorf("%w: %s", ErrMalformed, what)
	}
	v, err := intOf(data[0])
	if err != nil {
		return 0, nil, err
	}
	var id *int
	if len(data) == 2 {
		if id, err = optionalInt(data[1]); err != nil {
			return 0, nil, err
		}
	}
	return v, id, nil
}

// leadingVersion reads the version INTEGER that starts the data of
// ActiveAuthenticationInfo and TerminalAuthenticationInfo.
func leadingVersion(data []tlv.TLV, what string) (int, error) {
	if len(data) < 1 || data[0].Tag != tagInteger {
		return 0, fmt.Errorf("%w: %s needs a version", ErrMalformed, what)
	}
	return intOf(data[0])
}

func optionalInt(t tlv.TLV) (*int, error) {
	if t.Tag != tagInteger {
		return nil, fmt.Errorf("%w: expected INTEGER, found tag %X", ErrMalformed, t.Tag)
	}
	n, err := intOf(t)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// domainParameters reads { domainParameter AlgorithmIdentifier, id INTEGER OPTIONAL }.
func domainParameters(data []tlv.TLV) (AlgorithmIdentifier, *int, error) {
	if len(data) < 1 || len(data) > 2 || data[0].Tag != tagSequence {
		return AlgorithmIdentifier{}, nil, fmt.Errorf("%w: domain parameter info needs an AlgorithmIdentifier", ErrMalformed)
	}
	oid, params, err := parseAlgorithmIdentifier(data[0])
	if err != nil {
		return AlgorithmIdentifier{}, nil, err
	}
	a := AlgorithmIdentifier{Algorithm: oid, OID: oid.String()}
	if params != nil {
		a.Parameters = clone(params.Raw)
	}
	var id *int
	if len(data) == 2 {
		if id, err = optionalInt(data[1]); err != nil {
			return AlgorithmIdentifier{}, nil, err
		}
	}
	return a, id, nil
}

func isUnder(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) > len(prefix) && oid[:len(prefix)].Equal(prefix)
}

func paceKind(arc int) (Mapping, KeyAgreement, bool) {
	switch arc {
	case 1:
		return MappingGM, KeyAgreementDH, true
	case 2:
		return MappingGM, KeyAgreementECDH, true
	case 3:
		return MappingIM, KeyAgreementDH, true
	case 4:
		return MappingIM, KeyAgreementECDH, true
	case 6:
		return MappingCAM, KeyAgreementECDH, true
	}
	return "", "", false
}

func keyAgreementOf(arc int) (KeyAgreement, bool) {
	switch arc {
	case 1:
		return KeyAgreementDH, true
	case 2:
		return KeyAgreementECDH, true
	}
	return "", false
}

func cipherOf(arc int, allow3DES bool) (Cipher, bool) {
	switch arc {
	case 1:
		return Cipher3DES, allow3DES
	case 2:
		return CipherAES128, true
	case 3:
		return CipherAES192, true
	case 4:
		return CipherAES256, true
	}
	return "", false
}

// signatureHash gives the digest of an ECDSA signature algorithm.
func signatureHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, a := range []struct {
		oid   asn1.ObjectIdentifier
		h     crypto.Hash
		plain bool
	}{
		{OIDECDSAWithSHA1, crypto.SHA1, false}, {OIDECDSAWithSHA224, crypto.SHA224, false},
		{OIDECDSAWithSHA256, crypto.SHA256, false}, {OIDECDSAWithSHA384, crypto.SHA384, false},
		{OIDECDSAWithSHA512, crypto.SHA512, false},
		{OIDECDSAPlainSHA1, crypto.SHA1, true}, {OIDECDSAPlainSHA224, crypto.SHA224, true},
		{OIDECDSAPlainSHA256, crypto.SHA256, true}, {OIDECDSAPlainSHA384, crypto.SHA384, true},
		{OIDECDSAPlainSHA512, crypto.SHA512, true},
	} {
		if a.oid.Equal(oid) {
			return a.h, a.plain
		}
	}
	return 0, false
}

// ProtocolName names a SecurityInfo protocol the way BSI TR-03110 and ICAO
// 9303-11 write it ("id-PACE-ECDH-GM-AES-CBC-CMAC-128"), "" when unknown.
func ProtocolName(oid asn1.ObjectIdentifier) string {
	cipherName := func(arc int) string {
		switch arc {
		case 1:
			return "3DES-CBC-CBC"
		case 2:
			return "AES-CBC-CMAC-128"
		case 3:
			return "AES-CBC-CMAC-192"
		case 4:
			return "AES-CBC-CMAC-256"
		}
		return ""
	}
	switch {
	case oid.Equal(OIDTA):
		return "id-TA"
	case oid.Equal(OIDAA):
		return "id-AA"
	case oid.Equal(OIDPKDH):
		return "id-PK-DH"
	case oid.Equal(OIDPKECDH):
		return "id-PK-ECDH"
	case oid.Equal(OIDRI):
		return "id-RI"
	case oid.Equal(OIDCardInfo):
		return "id-CI"
	case oid.Equal(OIDEIDSecurity):
		return "id-eIDSecurity"
	case oid.Equal(OIDPrivilegedTer):
		return "id-PT"
	case isUnder(oid, OIDPACE) && len(oid) <= len(OIDPACE)+2:
		m, ka, ok := paceKind(oid[len(OIDPACE)])
		if !ok {
			return ""
		}
		name := "id-PACE-" + string(ka) + "-" + string(m)
		if len(oid) == len(OIDPACE)+2 {
			c := cipherName(oid[len(OIDPACE)+1])
			if c == "" {
				return ""
			}
			name += "-" + c
		}
		return name
	case isUnder(oid, OIDCA) && len(oid) <= len(OIDCA)+2:
		ka, ok := keyAgreementOf(oid[len(OIDCA)])
		if !ok {
			return ""
		}
		name := "id-CA-" + string(ka)
		if len(oid) == len(OIDCA)+2 {
			c := cipherName(oid[len(OIDCA)+1])
			if c == "" {
				return ""
			}
			name += "-" + c
		}
		return name
	}
	return ""
}
