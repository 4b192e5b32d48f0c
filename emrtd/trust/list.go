package trust

import (
	"encoding/hex"
	"github.com/idagent/idagent/emrtd/cert"
	"sort"
	"time"
)

// ExpiryWarning is how close to its end a certificate or CRL is flagged.
const ExpiryWarning = 90 * 24 * time.Hour

// AnchorInfo describes one stored certificate for listings.
type AnchorInfo struct {
	Subject     string    `json:"subject"`
	Serial      string    `json:"serial"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	Status      string    `json:"status"` // valid, expires-soon, expired, not-yet-valid
	Key         string    `json:"key"`
	Signature   string    `json:"signature"`
	Link        bool      `json:"link"` // a link certificate (issued by another CSCA key)
	Test        bool      `json:"test"`
	Source      string    `json:"source,omitempty"`
	Fingerprint string    `json:"sha256"`
}

// CRLInfo describes one stored CRL.
type CRLInfo struct {
	Issuer     string    `json:"issuer"`
	ThisUpdate time.Time `json:"thisUpdate"`
	NextUpdate time.Time `json:"nextUpdate,omitempty"`
	Status     string    `json:"status"` // current, outdated
	Revoked    int       `json:"revoked"`
	Source     string    `json:"source,omitempty"`
}

// CountryInfo is what the store trusts for one country.
type CountryInfo struct {
	Country         string       `json:"country"`
	Anchors         []AnchorInfo `json:"anchors"`
	DocumentSigners []AnchorInfo `json:"documentSigners,omitempty"`
	CRLs            []CRLInfo    `json:"crls,omitempty"`
}

// List summarises the store per country (sorted), with the status of each
// certificate and CRL at now.
func (s *Store) List(now time.Time) []CountryInfo {
	byCountry := map[string]*CountryInfo{}
	get := func(c string) *CountryInfo {
		if c == "" {
			c = "??"
		}
		if byCountry[c] == nil {
			byCountry[c] = &CountryInfo{Country: c}
		}
		return byCountry[c]
	}
	for _, e := range s.Entries() {
		info := anchorInfo(e, now)
		ci := get(e.Cert.Subject.Country())
		if e.Kind == KindDS {
			ci.DocumentSigners = append(ci.DocumentSigners, info)
		} else {
			ci.Anchors = append(ci.Anchors, info)
		}
	}
	for _, c := range s.AllCRLs() {
		info := CRLInfo{Issuer: c.CRL.Issuer.String(), ThisUpdate: c.CRL.ThisUpdate, NextUpdate: c.CRL.NextUpdate, Status: "current", Revoked: len(c.CRL.Revoked), Source: c.Source}
		if !c.CRL.NextUpdate.IsZero() && c.CRL.NextUpdate.Before(now) {
			info.Status = "outdated"
		}
		ci := get(c.CRL.Issuer.Country())
		ci.CRLs = append(ci.CRLs, info)
	}
	out := make([]CountryInfo, 0, len(byCountry))
	for _, ci := range byCountry {
		sort.Slice(ci.Anchors, func(i, j int) bool { return ci.Anchors[i].NotAfter.After(ci.Anchors[j].NotAfter) })
		out = append(out, *ci)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Country < out[j].Country })
	return out
}

func anchorInfo(e *Entry, now time.Time) AnchorInfo {
	c := e.Cert
	fp := c.Fingerprint()
	info := AnchorInfo{
		Subject: c.Subject.String(), Serial: hex.EncodeToString(c.Serial.Bytes()),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, Key: c.PublicKey.String(), Signature: c.SigAlg.String(),
		Link: isLink(c), Test: e.Test, Source: e.Source,
		Fingerprint: hex.EncodeToString(fp[:]),
	}
	switch {
	case now.Before(c.NotBefore):
		info.Status = "not-yet-valid"
	case now.After(c.NotAfter):
		info.Status = "expired"
	case c.NotAfter.Sub(now) < ExpiryWarning:
		info.Status = "expires-soon"
	default:
		info.Status = "valid"
	}
	return info
}

// isLink tells a link certificate (a CSCA key certified by another) from a
// self-signed one by name and key identifiers, without verifying.
func isLink(c *cert.Certificate) bool {
	if !c.SelfIssued() {
		return true
	}
	return len(c.AuthorityKeyID) > 0 && len(c.SubjectKeyID) > 0 && string(c.AuthorityKeyID) != string(c.SubjectKeyID)
}
