// Package trust is idagent's trust store: the CSCA certificates (trust
// anchors, from ICAO master lists or single files), document signer
// certificates and CRLs that passive authentication checks documents
// against. The store is a directory:
//
//	csca/<sha256>.der       production CSCA and link certificates
//	test-csca/<sha256>.der  test anchors: never satisfy a production check
//	ds/<sha256>.der         document signer certificates (for SODs without one)
//	crl/<sha256>.crl        CRLs, verified against a CSCA on import
//	sources.json            where each file came from (informational)
//
// The files are the truth; sources.json only adds the import source and
// time. Loading indexes certificates by subject and key identifier for
// chain building.
package trust

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
)

// Kind is what a stored certificate is for.
type Kind string

const (
	KindCSCA Kind = "csca" // a trust anchor (CSCA or CSCA link certificate)
	KindDS   Kind = "ds"   // a document signer certificate; never an anchor
)

// Entry is one stored certificate.
type Entry struct {
	Cert       *cert.Certificate
	Kind       Kind
	Test       bool   // a test anchor: shown as such, never satisfies a production check
	Source     string // the file it was imported from
	ImportedAt time.Time
	file       string
}

// CRLEntry is one stored CRL with the CSCA that signed it.
type CRLEntry struct {
	CRL        *cert.CRL
	Issuer     *Entry
	Source     string
	ImportedAt time.Time
	file       string
}

// Store is a set of trust anchors, document signer certificates and CRLs,
// optionally backed by a directory. It is safe for concurrent use.
type Store struct {
	mu        sync.RWMutex
	dir       string // "" for an in-memory store
	entries   []*Entry
	byFP      map[[32]byte]*Entry
	bySubject map[string][]*Entry
	bySKI     map[string][]*Entry
	crls      []*CRLEntry
	crlFP     map[[32]byte]bool
	sources   map[string]sourceRecord
	problems  []string
	issued    issuedCache
}

// New returns an empty in-memory store.
func New() *Store {
	return &Store{
		byFP:      map[[32]byte]*Entry{},
		bySubject: map[string][]*Entry{},
		bySKI:     map[string][]*Entry{},
		crlFP:     map[[32]byte]bool{},
		sources:   map[string]sourceRecord{},
	}
}

// Dir is the directory backing the store, or "".
func (s *Store) Dir() string { return s.dir }

// Problems lists files of the store directory that could not be loaded.
func (s *Store) Problems() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.problems...)
}

// add indexes a certificate; it returns the existing entry for a
// duplicate (same encoding), which keeps its kind and test flag. An
// anchor whose private key is published is a test anchor (publishedKeys).
func (s *Store) add(e *Entry) (dup *Entry) {
	markPublished(e)
	fp := e.Cert.Fingerprint()
	if old, ok := s.byFP[fp]; ok {
		return old
	}
	s.byFP[fp] = e
	s.entries = append(s.entries, e)
	subj := e.Cert.Subject.Canonical()
	s.bySubject[subj] = append(s.bySubject[subj], e)
	if len(e.Cert.SubjectKeyID) > 0 {
		k := string(e.Cert.SubjectKeyID)
		s.bySKI[k] = append(s.bySKI[k], e)
	}
	return nil
}

// Issuers returns the anchors that may have issued c: those whose subject
// key identifier equals c's authority key identifier, then those whose
// subject equals c's issuer. The caller verifies the signature.
func (s *Store) Issuers(c *cert.Certificate) []*Entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*Entry
	seen := map[*Entry]bool{}
	addAll := func(list []*Entry) {
		for _, e := range list {
			if e.Kind == KindCSCA && !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	if len(c.AuthorityKeyID) > 0 {
		addAll(s.bySKI[string(c.AuthorityKeyID)])
	}
	addAll(s.bySubject[c.Issuer.Canonical()])
	return out
}

// DocumentSigners finds the stored document signer certificates a
// SignerInfo names (an SOD that does not carry its DS): by subject key
// identifier, or by serial number and issuer under name matching (string
// types, case, spacing and RDN order folded). The caller verifies the
// signature with each until one verifies.
func (s *Store) DocumentSigners(issuer *cert.Name, serial *big.Int, ski []byte) []*cert.Certificate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*cert.Certificate
	if len(ski) > 0 {
		for _, e := range s.bySKI[string(ski)] {
			if e.Kind == KindDS {
				out = append(out, e.Cert)
			}
		}
		return out
	}
	if issuer == nil || serial == nil {
		return nil
	}
	for _, e := range s.entries {
		if e.Kind == KindDS && e.Cert.Serial.Cmp(serial) == 0 && e.Cert.Issuer.Equal(*issuer) {
			out = append(out, e.Cert)
		}
	}
	return out
}

// CRLs returns the stored CRLs issued by the anchor.
func (s *Store) CRLs(issuer *Entry) []*CRLEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*CRLEntry
	for _, c := range s.crls {
		if c.Issuer == issuer || (c.Issuer != nil && issuer != nil && c.Issuer.Cert.Subject.Equal(issuer.Cert.Subject) && c.Issuer.Cert.PublicKey.Equal(issuer.Cert.PublicKey)) {
			out = append(out, c)
		}
	}
	return out
}

// Entries returns every stored certificate.
func (s *Store) Entries() []*Entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*Entry(nil), s.entries...)
}

// AllCRLs returns every stored CRL.
func (s *Store) AllCRLs() []*CRLEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*CRLEntry(nil), s.crls...)
}

// Len returns the number of anchors and of all certificates.
func (s *Store) Len() (anchors, total int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, e := range s.entries {
		if e.Kind == KindCSCA {
			anchors++
		}
	}
	return anchors, len(s.entries)
}

// Open loads a store directory. A directory that does not exist yet is an
// empty store (it is created on the first import). Files that fail to load
// are listed by Problems, not fatal.
func Open(dir string) (*Store, error) {
	s := New()
	if err := s.LoadDir(dir); err != nil {
		return nil, err
	}
	s.dir = dir
	return s, nil
}

// LoadDir adds the contents of a store directory to s.
func (s *Store) LoadDir(dir string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("trust store %s is not a directory", dir)
	}
	// A store that exists but cannot be listed (permissions) must not
	// pass for an empty one: every read would verify as UNKNOWN without
	// saying why.
	if _, err := os.ReadDir(dir); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	sources := readSources(dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range sources {
		s.sources[k] = v
	}
	for _, sub := range []struct {
		name string
		kind Kind
		test bool
	}{{"csca", KindCSCA, false}, {"test-csca", KindCSCA, true}, {"ds", KindDS, false}} {
		s.loadCertDir(filepath.Join(dir, sub.name), sub.kind, sub.test)
	}
	s.loadCRLDir(filepath.Join(dir, "crl"))
	return nil
}

// listFiles lists the regular files of dir; a directory that exists but
// cannot be read is a problem of the store.
func (s *Store) listFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			s.problems = append(s.problems, fmt.Sprintf("%s: %v", dir, err))
		}
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

const maxStoreFile = 16 << 20

func readBounded(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxStoreFile {
		return nil, fmt.Errorf("%d bytes exceeds %d", info.Size(), maxStoreFile)
	}
	return os.ReadFile(path)
}

func (s *Store) loadCertDir(dir string, kind Kind, test bool) {
	for _, f := range s.listFiles(dir) {
		b, err := readBounded(f)
		if err == nil {
			var c *cert.Certificate
			if c, err = cert.Parse(b); err == nil {
				src := s.sources[filepath.Base(f)]
				s.add(&Entry{Cert: c, Kind: kind, Test: test, Source: src.Source, ImportedAt: src.ImportedAt, file: f})
				continue
			}
		}
		s.problems = append(s.problems, fmt.Sprintf("%s: %v", f, err))
	}
}

func (s *Store) loadCRLDir(dir string) {
	for _, f := range s.listFiles(dir) {
		b, err := readBounded(f)
		if err == nil {
			var crl *cert.CRL
			if crl, err = cert.ParseCRL(b); err == nil {
				src := s.sources[filepath.Base(f)]
				if err = s.addCRLLocked(crl, src.Source, src.ImportedAt, f); err == nil {
					continue
				}
			}
		}
		s.problems = append(s.problems, fmt.Sprintf("%s: %v", f, err))
	}
}

// ErrCRLIssuer reports a CRL whose issuer is not in the store or whose
// signature does not verify.
var ErrCRLIssuer = errors.New("trust: no CSCA in the store verifies this CRL")

// addCRLLocked verifies the CRL against the stored CSCAs and adds it.
func (s *Store) addCRLLocked(crl *cert.CRL, source string, at time.Time, file string) error {
	fp := sha256Sum(crl.Raw)
	if s.crlFP[fp] {
		return nil
	}
	var cands []*Entry
	if len(crl.AuthorityKeyID) > 0 {
		cands = append(cands, s.bySKI[string(crl.AuthorityKeyID)]...)
	}
	cands = append(cands, s.bySubject[crl.Issuer.Canonical()]...)
	for _, e := range cands {
		if e.Kind == KindCSCA && crl.CheckSignatureFrom(e.Cert) == nil {
			s.crlFP[fp] = true
			s.crls = append(s.crls, &CRLEntry{CRL: crl, Issuer: e, Source: source, ImportedAt: at, file: file})
			return nil
		}
	}
	return fmt.Errorf("%w (issuer %s)", ErrCRLIssuer, crl.Issuer)
}

// fileName is the stored name of a certificate or CRL.
func fileName(raw []byte, ext string) string {
	fp := sha256Sum(raw)
	return hex.EncodeToString(fp[:]) + ext
}

// masterListSigner chains a master list signer to a stored CSCA.
func (s *Store) masterListSigner(signer *cert.Certificate, carried []*cert.Certificate) (anchor *Entry, via *cert.Certificate) {
	for _, e := range s.Issuers(signer) {
		if signer.CheckSignatureFrom(e.Cert) == nil {
			return e, nil
		}
	}
	// The list may carry an intermediate (a new CSCA link certificate)
	// that a stored CSCA issued.
	for _, c := range carried {
		if c == signer || signer.CheckSignatureFrom(c) != nil {
			continue
		}
		for _, e := range s.Issuers(c) {
			if c.CheckSignatureFrom(e.Cert) == nil {
				return e, c
			}
		}
	}
	return nil, nil
}

// Load builds one in-memory store from several sources: store directories
// are loaded, files (master list, LDIF, certificate, CRL) imported. It
// returns notes for people: what was loaded, and what could not be.
func Load(paths ...string) (*Store, []string, error) {
	s := New()
	var notes []string
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist) && len(paths) == 1:
			notes = append(notes, fmt.Sprintf("trust store %s does not exist: no CSCA is trusted", p))
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("trust source %s: %w", p, err)
		case info.IsDir():
			if err := s.LoadDir(p); err != nil {
				return nil, nil, err
			}
			notes = append(notes, "store "+p)
		default:
			res, err := s.Import(p, ImportOptions{})
			if err != nil {
				return nil, nil, fmt.Errorf("trust source %s: %w", p, err)
			}
			note := fmt.Sprintf("%s %s (%d certificates)", res.Kind, p, res.Added+res.Duplicates)
			if res.Signer != "" && !res.SignerTrusted {
				note += "; its signer is not chained to another trusted CSCA"
			}
			notes = append(notes, note)
		}
	}
	for _, p := range s.Problems() {
		notes = append(notes, "not loaded: "+p)
	}
	return s, notes, nil
}
