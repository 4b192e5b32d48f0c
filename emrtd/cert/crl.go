package cert

import (
	"fmt"
	"math/big"
	"time"

	"github.com/idagent/idagent/emrtd/cert/ber"
)

// RevokedCertificate is one entry of a CRL.
type RevokedCertificate struct {
	Serial         *big.Int
	RevocationTime time.Time
	Reason         int // CRLReason, −1 when absent
}

// CRL is a parsed certificate revocation list.
type CRL struct {
	Raw            []byte
	RawTBS         []byte
	Issuer         Name
	ThisUpdate     time.Time
	NextUpdate     time.Time // zero when absent
	Revoked        []RevokedCertificate
	AuthorityKeyID []byte
	Number         *big.Int
	Extensions     []Extension
	SigAlg         SignatureAlgorithm  // outer signatureAlgorithm
	TBSSigAlg      AlgorithmIdentifier // the one the signed part names
	Signature      []byte
}

// maxCRLSize bounds one CRL.
const maxCRLSize = 16 << 20

// ParseCRL decodes a DER (or BER) CRL, or a PEM one ("X509 CRL").
func ParseCRL(b []byte) (*CRL, error) {
	v, err := crlForm.decode(b)
	if err != nil {
		return nil, err
	}
	p, err := crlForm.split(v)
	if err != nil {
		return nil, err
	}
	crl := &CRL{Raw: v.Raw, RawTBS: p.tbs.Raw, SigAlg: p.sigAlg, Signature: p.signature}
	if err := crl.parseTBS(p.tbs); err != nil {
		return nil, fmt.Errorf("CRL: %w", err)
	}
	return crl, nil
}

func (crl *CRL) parseTBS(tbs ber.Value) error {
	r := tbs.Children()
	if _, _, err := r.Optional(ber.TagInteger); err != nil {
		return fmt.Errorf("version: %w", err)
	}
	algV, err := r.Expect(ber.TagSequence, "signature")
	if err != nil {
		return err
	}
	if crl.TBSSigAlg, err = ParseAlgorithmIdentifier(algV); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if crl.Issuer, err = readName(r, "issuer"); err != nil {
		return err
	}
	this, err := r.Next()
	if err != nil {
		return fmt.Errorf("thisUpdate: %w", err)
	}
	if crl.ThisUpdate, err = this.Time(); err != nil {
		return fmt.Errorf("thisUpdate: %w", err)
	}
	if t := r.PeekTag(); t == ber.TagUTCTime || t == ber.TagGeneralizedTime {
		next, _ := r.Next()
		if crl.NextUpdate, err = next.Time(); err != nil {
			return fmt.Errorf("nextUpdate: %w", err)
		}
	}
	if list, ok, err := r.Optional(ber.TagSequence); err != nil {
		return fmt.Errorf("revokedCertificates: %w", err)
	} else if ok {
		if err := crl.parseRevoked(list); err != nil {
			return err
		}
	}
	if ext, ok, err := r.Optional(ber.ContextConstructed(0)); err != nil {
		return fmt.Errorf("crlExtensions: %w", err)
	} else if ok {
		if crl.Extensions, err = parseExtensionList(ext); err != nil {
			return err
		}
		crl.applyExtensions()
	}
	return nil
}

func (crl *CRL) parseRevoked(list ber.Value) error {
	r := list.Children()
	for !r.Empty() {
		entry, err := r.Expect(ber.TagSequence, "revoked certificate")
		if err != nil {
			return err
		}
		f := entry.Children()
		sv, err := f.Expect(ber.TagInteger, "userCertificate")
		if err != nil {
			return err
		}
		rc := RevokedCertificate{Reason: -1}
		if rc.Serial, err = sv.Int(); err != nil {
			return err
		}
		tv, err := f.Next()
		if err != nil {
			return fmt.Errorf("revocationDate: %w", err)
		}
		if rc.RevocationTime, err = tv.Time(); err != nil {
			return fmt.Errorf("revocationDate: %w", err)
		}
		if ext, ok, _ := f.Optional(ber.TagSequence); ok {
			rc.Reason = entryReason(ext)
		}
		crl.Revoked = append(crl.Revoked, rc)
	}
	return nil
}

// entryReason finds the CRLReason among an entry's extensions.
func entryReason(seq ber.Value) int {
	r := seq.Children()
	for !r.Empty() {
		e, err := parseExtension(r)
		if err != nil {
			return -1
		}
		if e.OID.Equal(OIDCRLReason) {
			if v, err := ber.Decode(e.Value); err == nil {
				if n, err := v.Int64(); err == nil && n >= 0 && n < 16 {
					return int(n)
				}
			}
		}
	}
	return -1
}

func (crl *CRL) applyExtensions() {
	for _, e := range crl.Extensions {
		switch {
		case e.OID.Equal(OIDAuthorityKeyID):
			crl.AuthorityKeyID, _ = decodeAuthorityKeyID(e.Value)
		case e.OID.Equal(OIDCRLNumber):
			if v, err := ber.Decode(e.Value); err == nil {
				crl.Number, _ = v.Int()
			}
		}
	}
}

// CheckSignatureFrom verifies that issuer's key signed the CRL, like
// Certificate.CheckSignatureFrom.
func (crl *CRL) CheckSignatureFrom(issuer *Certificate) error {
	return checkSigned(issuer, crl.TBSSigAlg, crl.SigAlg, crl.RawTBS, crl.Signature)
}

// Lookup returns the entry revoking the serial number, if any.
func (crl *CRL) Lookup(serial *big.Int) (RevokedCertificate, bool) {
	for _, rc := range crl.Revoked {
		if rc.Serial.Cmp(serial) == 0 {
			return rc, true
		}
	}
	return RevokedCertificate{}, false
}
