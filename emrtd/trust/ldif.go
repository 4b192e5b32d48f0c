package trust

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ICAO PKD downloads are LDIF files (RFC 2849) whose entries carry master
// lists (pkdMasterListContent), certificates (userCertificate;binary,
// cACertificate;binary) and CRLs (certificateRevocationList;binary) as
// base64 values. ImportLDIF imports every one of them.

// maxLDIFValue bounds one decoded value.
const maxLDIFValue = 16 << 20

// maxLDIFLine bounds one physical line of the file.
const maxLDIFLine = 1 << 20

// isLDIF reports whether data starts like an LDIF file.
func isLDIF(b []byte) bool {
	b = bytes.TrimLeft(b, "\ufeff \t\r\n")
	return bytes.HasPrefix(b, []byte("dn:")) || bytes.HasPrefix(b, []byte("version:")) || bytes.HasPrefix(b, []byte("#"))
}

// ImportLDIF imports the objects of an ICAO PKD LDIF file, streaming it
// (the eMRTD certificate collection is tens of megabytes).
func (s *Store) ImportLDIF(path string, o ImportOptions) (*ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	return s.importLDIF(f, filepath.Base(path), o)
}

func (s *Store) importLDIF(r io.Reader, source string, o ImportOptions) (*ImportResult, error) {
	total := &ImportResult{Kind: "LDIF", Source: source, Test: o.Test}
	counts := map[string]int{}
	warnings := map[string]int{}
	err := readLDIF(r, func(attr string, value []byte) error {
		kind := ldifKind(attr)
		if kind == "" {
			return nil
		}
		res, err := s.ImportBytes(value, source, o)
		if err != nil {
			if errors.Is(err, ErrRejected) || errors.Is(err, ErrUnknownFormat) {
				total.Skipped = append(total.Skipped, fmt.Sprintf("%s: %v", kind, err))
				return nil
			}
			return err
		}
		counts[res.Kind]++
		total.Added += res.Added
		total.Duplicates += res.Duplicates
		total.Skipped = append(total.Skipped, res.Skipped...)
		for _, w := range res.Warnings {
			warnings[w]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	if len(parts) > 0 {
		total.Kind = "LDIF (" + strings.Join(parts, ", ") + ")"
	}
	for w, n := range warnings {
		if n > 1 {
			w = fmt.Sprintf("%s (%d times)", w, n)
		}
		total.Warnings = append(total.Warnings, w)
	}
	if len(total.Skipped) > 50 {
		n := len(total.Skipped)
		total.Skipped = append(total.Skipped[:50], fmt.Sprintf("… and %d more", n-50))
	}
	return total, s.saveSources()
}

func ldifKind(attr string) string {
	a := strings.ToLower(attr)
	switch {
	case strings.HasPrefix(a, "pkdmasterlistcontent"):
		return "master list"
	case strings.HasPrefix(a, "usercertificate"), strings.HasPrefix(a, "cacertificate"):
		return "certificate"
	case strings.HasPrefix(a, "certificaterevocationlist"):
		return "CRL"
	}
	return ""
}

// readLDIF calls fn for every base64 attribute value of the file.
func readLDIF(r io.Reader, fn func(attr string, value []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var attr string
	var val strings.Builder
	flush := func() error {
		if attr == "" {
			return nil
		}
		a := attr
		attr = ""
		b, err := base64.StdEncoding.DecodeString(val.String())
		val.Reset()
		if err != nil {
			return fmt.Errorf("LDIF attribute %s: %w", a, err)
		}
		return fn(a, b)
	}
	for {
		line, err := readLine(br)
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(line, " "):
			if attr != "" {
				if val.Len()+len(line) > maxLDIFValue*4/3+4 {
					return fmt.Errorf("LDIF attribute %s longer than %d bytes", attr, maxLDIFValue)
				}
				val.WriteString(line[1:])
			}
		case strings.HasPrefix(line, "#"):
		default:
			if err := flush(); err != nil {
				return err
			}
			if name, v, ok := strings.Cut(line, "::"); ok && ldifKind(name) != "" {
				attr = name
				val.WriteString(strings.TrimSpace(v))
			}
		}
	}
}

// readLine returns one line without its line ending, bounded in length.
func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if err == io.EOF && sb.Len() > 0 {
				return sb.String(), nil
			}
			return "", err
		}
		if sb.Len()+len(chunk) > maxLDIFLine {
			return "", fmt.Errorf("LDIF line longer than %d bytes", maxLDIFLine)
		}
		sb.Write(chunk)
		if !isPrefix {
			return sb.String(), nil
		}
	}
}
