package trust

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
)

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// ImportResult says what an import added and what the operator should know.
type ImportResult struct {
	Kind       string   `json:"kind"` // "master list", "CSCA certificate", "document signer certificate", "CRL"
	Source     string   `json:"source"`
	Test       bool     `json:"test"`
	Added      int      `json:"added"`
	Duplicates int      `json:"duplicates"`
	Skipped    []string `json:"skipped,omitempty"` // entries not imported, with the reason
	Warnings   []string `json:"warnings,omitempty"`
	// Master lists: who signed the list and whether that signer chains to
	// a CSCA that was already trusted.
	Signer        string `json:"signer,omitempty"`
	SignerTrusted bool   `json:"signerTrusted,omitempty"`
	SignerAnchor  string `json:"signerAnchor,omitempty"`
}

// Errors of Import.
var (
	ErrUnknownFormat = errors.New("trust: not a master list, certificate or CRL")
	ErrRejected      = errors.New("trust: file rejected")
)

// ImportOptions tune an import.
type ImportOptions struct {
	Test bool      // import anchors as test anchors
	Now  time.Time // for expiry warnings; time.Now() when zero
}

// Import adds a master list, certificate (DER or PEM), CRL or ICAO PKD
// LDIF file (every master list, certificate and CRL in it) to the store
// and, for a directory-backed store, writes it there.
func (s *Store) Import(path string, o ImportOptions) (*ImportResult, error) {
	if head, err := readHead(path); err == nil && isLDIF(head) {
		return s.ImportLDIF(path, o)
	}
	b, err := readBounded(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	return s.ImportBytes(b, filepath.Base(path), o)
}

// readHead returns the first bytes of a file.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 64)
	n, err := io.ReadFull(f, buf)
	if err != nil && n == 0 {
		return nil, err
	}
	return buf[:n], nil
}

// ImportBytes is Import for data already read (not LDIF); source names it.
func (s *Store) ImportBytes(b []byte, source string, o ImportOptions) (*ImportResult, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	b = derFromPEM(b)
	res := &ImportResult{Source: source, Test: o.Test}
	var err error
	switch {
	case looksLikeCMS(b):
		err = s.importMasterList(b, res, o)
	default:
		if c, cerr := cert.Parse(b); cerr == nil {
			err = s.importCertificate(c, res, o)
		} else if crl, lerr := cert.ParseCRL(b); lerr == nil {
			err = s.importCRL(crl, res, o)
		} else {
			return nil, fmt.Errorf("%w (as certificate: %v; as CRL: %v)", ErrUnknownFormat, cerr, lerr)
		}
	}
	if err != nil {
		return nil, err
	}
	return res, s.saveSources()
}

// derFromPEM returns the DER of the first PEM block, or b unchanged.
func derFromPEM(b []byte) []byte {
	if blk, _ := pem.Decode(b); blk != nil {
		return blk.Bytes
	}
	return b
}

// looksLikeCMS reports a ContentInfo: SEQUENCE { OID 1.2.840.113549.1.7.x ...
func looksLikeCMS(b []byte) bool {
	prefix := []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07}
	return len(b) > 16 && b[0] == 0x30 && bytes.Contains(b[:min(len(b), 16)], prefix)
}

func (s *Store) importMasterList(b []byte, res *ImportResult, o ImportOptions) error {
	res.Kind = "master list"
	ml, err := cms.ParseMasterList(b)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRejected, err)
	}
	signer, err := ml.VerifySignature()
	if err != nil {
		return fmt.Errorf("%w: the master list's signature does not verify: %w", ErrRejected, err)
	}
	res.Signer = signer.Subject.String()
	if anchor, _ := s.masterListSigner(signer, ml.SignedData.Certificates); anchor != nil {
		res.SignerTrusted, res.SignerAnchor = true, anchor.Cert.Subject.String()
		if anchor.Test && !o.Test {
			res.Warnings = append(res.Warnings, "the list's signer chains only to a TEST anchor")
		}
	} else {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"the list's signer (%s) does not chain to a CSCA already in the trust store: its certificates are trusted only because you imported this file; check that it came from the publisher (e.g. its SHA-256 against the publisher's site)",
			signer.Subject))
	}
	if !signer.ValidAt(o.Now) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the list's signer certificate is outside its validity (%s to %s)", day(signer.NotBefore), day(signer.NotAfter)))
	}
	for _, ce := range ml.Errors {
		res.Skipped = append(res.Skipped, ce.Error())
	}
	for i, c := range ml.Certificates {
		if c.PublicKey == nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("certificate %d (%s): unusable key: %v", i, c.Subject, c.KeyErr))
			continue
		}
		if err := s.store(&Entry{Cert: c, Kind: KindCSCA, Test: o.Test, Source: res.Source, ImportedAt: o.Now}, res); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) importCertificate(c *cert.Certificate, res *ImportResult, o ImportOptions) error {
	if c.PublicKey == nil {
		return fmt.Errorf("%w: the certificate's key is unusable: %v", ErrRejected, c.KeyErr)
	}
	isCA := c.IsCA || (c.HasKeyUsage && c.KeyUsage&cert.KeyUsageCertSign != 0)
	if !isCA {
		res.Kind = "document signer certificate"
		if !s.chains(c) {
			res.Warnings = append(res.Warnings, "no CSCA in the store issued this document signer certificate; documents it signed stay untrusted until its CSCA is imported")
		}
		return s.store(&Entry{Cert: c, Kind: KindDS, Source: res.Source, ImportedAt: o.Now}, res)
	}
	res.Kind = "CSCA certificate"
	if c.SelfIssued() && c.CheckSignatureFrom(c) != nil && !s.chains(c) {
		return fmt.Errorf("%w: the CSCA certificate's self-signature does not verify", ErrRejected)
	}
	if !c.SelfIssued() && !s.chains(c) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("link certificate issued by %s, which is not in the store", c.Issuer))
	}
	if !c.ValidAt(o.Now) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the certificate is outside its validity (%s to %s); it still verifies documents signed while it was valid", day(c.NotBefore), day(c.NotAfter)))
	}
	return s.store(&Entry{Cert: c, Kind: KindCSCA, Test: o.Test, Source: res.Source, ImportedAt: o.Now}, res)
}

// chains reports whether a stored CSCA verifies c.
func (s *Store) chains(c *cert.Certificate) bool {
	for _, e := range s.Issuers(c) {
		if c.CheckSignatureFrom(e.Cert) == nil {
			return true
		}
	}
	return false
}

func (s *Store) importCRL(crl *cert.CRL, res *ImportResult, o ImportOptions) error {
	res.Kind = "CRL"
	file := ""
	if s.dir != "" {
		file = filepath.Join(s.dir, "crl", fileName(crl.Raw, ".crl"))
	}
	s.mu.Lock()
	before := len(s.crls)
	err := s.addCRLLocked(crl, res.Source, o.Now, file)
	added := len(s.crls) > before
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRejected, err)
	}
	if !added {
		res.Duplicates++
		return nil
	}
	res.Added++
	if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(o.Now) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the CRL's next update (%s) has passed; get a current one", day(crl.NextUpdate)))
	}
	if file != "" {
		return s.writeFile(file, crl.Raw, res.Source, o.Now)
	}
	return nil
}

// store adds an entry and writes it to the directory when there is one.
func (s *Store) store(e *Entry, res *ImportResult) error {
	if name := markPublished(e); name != "" {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s holds the key of %s, whose private key is published: kept as a TEST anchor, which never verifies a real document", e.Cert.Subject, name))
	}
	s.mu.Lock()
	dup := s.add(e)
	s.mu.Unlock()
	if dup != nil {
		res.Duplicates++
		if dup.Test != e.Test || dup.Kind != e.Kind {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s is already in the store as %s; kept as it was", e.Cert.Subject, describe(dup)))
		}
		return nil
	}
	res.Added++
	if s.dir == "" {
		return nil
	}
	sub := map[Kind]string{KindCSCA: "csca", KindDS: "ds"}[e.Kind]
	if e.Test && e.Kind == KindCSCA {
		sub = "test-csca"
	}
	e.file = filepath.Join(s.dir, sub, fileName(e.Cert.Raw, ".der"))
	return s.writeFile(e.file, e.Cert.Raw, e.Source, e.ImportedAt)
}

// writeFile writes atomically (temporary file and rename).
func (s *Store) writeFile(path string, data []byte, source string, at time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("trust store: %w", err)
	}
	s.mu.Lock()
	s.sources[filepath.Base(path)] = sourceRecord{Source: source, ImportedAt: at.UTC()}
	s.mu.Unlock()
	return nil
}

type sourceRecord struct {
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"importedAt"`
}

func readSources(dir string) map[string]sourceRecord {
	out := map[string]sourceRecord{}
	b, err := os.ReadFile(filepath.Join(dir, "sources.json"))
	if err == nil {
		_ = json.Unmarshal(b, &out) // informational only: a damaged file loses sources, not trust
	}
	return out
}

func (s *Store) saveSources() error {
	if s.dir == "" {
		return nil
	}
	s.mu.RLock()
	b, err := json.MarshalIndent(s.sources, "", "  ")
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	path := filepath.Join(s.dir, "sources.json")
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	return os.Rename(tmp, path)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func describe(e *Entry) string {
	switch {
	case e.Kind == KindDS:
		return "a document signer certificate"
	case e.Test:
		return "a TEST anchor"
	}
	return "a production anchor"
}
