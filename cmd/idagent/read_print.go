package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/read"
)

// readJSON is the output of idagent read: --json prints it as it is, the
// text form prints the same facts. It holds the document's personal data,
// printed because the user asked for it.
type readJSON struct {
	Reader       string             `json:"reader"`
	Verdict      check.Status       `json:"verdict"`
	DocumentType read.DocumentType  `json:"documentType"`
	Access       *read.AccessResult `json:"access"`
	MRZ          mrzFields          `json:"mrz"`
	DG11         *lds.DG11          `json:"dg11,omitempty"`
	DG12         *lds.DG12          `json:"dg12,omitempty"`
	DG13         *lds.DG13          `json:"dg13,omitempty"`
	// Photo describes the portrait, never its bytes (--photo FILE writes
	// them).
	Photo                *photoJSON           `json:"photo,omitempty"`
	ChipAuthentication   *read.ChipAuthResult `json:"chipAuthentication,omitempty"`
	ActiveAuthentication *activeAuthJSON      `json:"activeAuthentication,omitempty"`
	Checks               check.Report         `json:"checks"`
	COM                  *lds.COM             `json:"com,omitempty"`
	Files                []read.FileResult    `json:"files"`
	Link                 files.Link           `json:"link"`
	Trust                []string             `json:"trust,omitempty"`
	Warnings             []string             `json:"warnings,omitempty"`
	Stats                *statsJSON           `json:"stats,omitempty"`
}

// mrzFields is the printed and JSON view of DG1.
type mrzFields struct {
	DocumentType   read.DocumentType `json:"documentType"`
	DocumentCode   string            `json:"documentCode"`
	IssuingState   string            `json:"issuingState"`
	DocumentNumber string            `json:"documentNumber"`
	ID12           string            `json:"id12,omitempty"`
	Surname        string            `json:"surname"`
	GivenNames     string            `json:"givenNames"`
	Nationality    string            `json:"nationality"`
	DateOfBirth    string            `json:"dateOfBirth"`
	Sex            string            `json:"sex"`
	DateOfExpiry   string            `json:"dateOfExpiry"`
	OptionalData1  string            `json:"optionalData1,omitempty"`
	OptionalData2  string            `json:"optionalData2,omitempty"`
	Format         string            `json:"format"`
	Lines          []string          `json:"lines"`
	CheckDigits    bool              `json:"checkDigitsValid"`
}

// photoJSON is the portrait as the chip stores it, and where it was
// exported.
type photoJSON struct {
	Format    lds.ImageFormat `json:"format"`
	Container string          `json:"container,omitempty"`
	MIMEType  string          `json:"mimeType"`
	Width     int             `json:"width,omitempty"`
	Height    int             `json:"height,omitempty"`
	Size      int             `json:"size"`
	File      string          `json:"file,omitempty"`
}

// activeAuthJSON is active authentication with its evidence in hex, so a
// server can check the chip's signature itself.
type activeAuthJSON struct {
	Status    check.Status `json:"status"`
	Algorithm string       `json:"algorithm,omitempty"`
	Hash      string       `json:"hash,omitempty"`
	Challenge string       `json:"challenge"`
	Signature string       `json:"signature"`
	PublicKey string       `json:"publicKey"` // DG15's SubjectPublicKeyInfo, DER in hex
	Error     string       `json:"error,omitempty"`
}

// statsJSON is the --stats object: exactly exchanges, bytes each way, and
// the phases with their time in milliseconds.
type statsJSON struct {
	Exchanges int         `json:"exchanges"`
	BytesIn   int64       `json:"bytesIn"`
	BytesOut  int64       `json:"bytesOut"`
	Phases    []phaseJSON `json:"phases"`
}

type phaseJSON struct {
	Name       string  `json:"name"`
	Exchanges  int     `json:"exchanges"`
	BytesIn    int64   `json:"bytesIn"`
	BytesOut   int64   `json:"bytesOut"`
	DurationMS float64 `json:"durationMs"`
}

func describeRead(reader string, res *read.Result, notes []string, stats bool) readJSON {
	out := readJSON{Reader: reader, Verdict: res.Verdict, DocumentType: res.DocumentType, Access: res.Access,
		MRZ: fieldsOf(res), DG11: res.DG11, DG12: res.DG12, DG13: res.DG13, ChipAuthentication: res.ChipAuth,
		Checks: res.Checks, COM: res.COM, Files: res.Files, Link: res.Stats.Link, Trust: notes, Warnings: res.Warnings}
	if im := res.Portrait; im != nil {
		out.Photo = &photoJSON{Format: im.Type, Container: im.Container, MIMEType: im.MIMEType, Width: im.Width, Height: im.Height, Size: im.Size}
	}
	if aa := res.ActiveAuth; aa != nil {
		out.ActiveAuthentication = &activeAuthJSON{Status: aa.Status, Algorithm: aa.Algorithm, Hash: aa.Hash,
			Challenge: hex.EncodeToString(aa.Challenge), Signature: hex.EncodeToString(aa.Signature),
			PublicKey: hex.EncodeToString(aa.PublicKey), Error: aa.Error}
	}
	if stats {
		out.Stats = statsOf(res.Stats)
	}
	return out
}

func fieldsOf(res *read.Result) mrzFields {
	d := res.DG1
	out := mrzFields{
		DocumentType: res.DocumentType, DocumentCode: d.DocumentCode, IssuingState: d.IssuingState,
		DocumentNumber: d.DocumentNumber, Surname: d.Surname, GivenNames: d.GivenNames,
		Nationality: d.Nationality, DateOfBirth: d.DateOfBirth, Sex: d.Sex, DateOfExpiry: d.DateOfExpiry,
		OptionalData1: d.OptionalData1, OptionalData2: d.OptionalData2, Format: d.MRZFormat,
		Lines: d.Lines, CheckDigits: d.CheckDigitsValid,
	}
	if d.VN != nil {
		out.ID12 = d.VN.ID12
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func statsOf(s read.Stats) *statsJSON {
	out := &statsJSON{Exchanges: s.Exchanges, BytesIn: s.BytesIn, BytesOut: s.BytesOut, Phases: []phaseJSON{}}
	for _, p := range s.Phases {
		out.Phases = append(out.Phases, phaseJSON{Name: p.Name, Exchanges: p.Exchanges, BytesIn: p.BytesIn, BytesOut: p.BytesOut, DurationMS: ms(p.Duration)})
	}
	return out
}

// rows prints aligned "key value" lines, skipping empty values.
type rows struct{ w io.Writer }

func (r rows) add(k, v string) {
	if v != "" {
		fmt.Fprintf(r.w, "%-18s %s\n", k, v)
	}
}

func printRead(w io.Writer, out readJSON, res *read.Result) {
	r := rows{w}
	r.add("Reader", out.Reader)
	r.add("Access control", accessLine(out.Access))
	printMRZ(r, out.MRZ, res)
	printDG13(r, out.DG13)
	printDG11(r, out.DG11, out.DG12)
	if p := out.Photo; p != nil {
		line := fmt.Sprintf("%s %dx%d, %d bytes", p.Format, p.Width, p.Height, p.Size)
		if p.File != "" {
			line += ", written to " + p.File
		}
		r.add("Photo", line)
	}
	if ca := out.ChipAuthentication; ca != nil {
		r.add("Chip auth", fmt.Sprintf("%s (%s %s, key from %s)", ca.Status, ca.Mechanism, ca.Protocol, ca.KeySource))
	}
	if aa := out.ActiveAuthentication; aa != nil {
		r.add("Active auth", fmt.Sprintf("%s (%s %s, challenge %s)", aa.Status, aa.Algorithm, aa.Hash, aa.Challenge))
	}
	for _, t := range out.Trust {
		r.add("Trust", t)
	}
	for _, warn := range out.Warnings {
		r.add("Warning", warn)
	}
	fmt.Fprintln(w, "checks")
	for _, c := range out.Checks {
		fmt.Fprintf(w, "  %-13s %-23s %-24s %s\n", c.Status, c.Name, c.Reason, c.Message)
	}
	fmt.Fprintf(w, "verdict %s\n", out.Verdict)
	if out.Stats != nil {
		printStats(w, res.Stats)
	}
}

func accessLine(a *read.AccessResult) string {
	if a == nil {
		return ""
	}
	parts := []string{a.Password}
	for _, p := range []string{a.Protocol, a.Domain, a.Cipher} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	line := fmt.Sprintf("%s (%s)", a.Mechanism, strings.Join(parts, ", "))
	if a.Fallback {
		line += "; fallback: " + a.FallbackReason
	}
	return line
}

func printMRZ(r rows, m mrzFields, res *read.Result) {
	r.add("Document", fmt.Sprintf("%s (%s, %s)", m.DocumentType, m.DocumentCode, m.Format))
	r.add("Issuing state", m.IssuingState)
	r.add("Document number", m.DocumentNumber)
	r.add("ID number", m.ID12)
	r.add("Surname", m.Surname)
	r.add("Given names", m.GivenNames)
	r.add("Nationality", m.Nationality)
	r.add("Date of birth", m.DateOfBirth)
	r.add("Sex", m.Sex)
	r.add("Date of expiry", m.DateOfExpiry)
	if m.ID12 == "" { // a Vietnamese card's optional data is its ID number
		r.add("Optional data", strings.TrimSpace(m.OptionalData1+" "+m.OptionalData2))
	}
	if !m.CheckDigits {
		r.add("Check digits", "MISMATCH in "+strings.Join(res.DG1.CheckErrors, ", "))
	}
	for i, l := range m.Lines {
		k := ""
		if i == 0 {
			k = "MRZ"
		}
		fmt.Fprintf(r.w, "%-18s %s\n", k, l)
	}
}

func dateText(d *lds.Date) string {
	if d == nil {
		return ""
	}
	return d.Text
}

// printDG13 prints the Vietnamese card's personal data by field name.
func printDG13(r rows, d *lds.DG13) {
	if d == nil {
		return
	}
	for _, kv := range [][2]string{
		{"Full name", d.FullName}, {"Date of birth", dateText(d.DateOfBirth)}, {"Sex", d.Sex},
		{"Nationality", d.Nationality}, {"Ethnicity", d.Ethnicity}, {"Religion", d.Religion},
		{"Place of origin", d.PlaceOfOrigin}, {"Place of residence", d.PlaceOfResidence},
		{"Identifying marks", d.IdentifyingMarks}, {"Date of issue", dateText(d.DateOfIssue)},
		{"Date of expiry", dateText(d.DateOfExpiry)}, {"Father", d.FatherName}, {"Mother", d.MotherName},
		{"Spouse", d.SpouseName}, {"Old ID number", d.OldIDNumber}, {"Card serial", d.CardSerial},
	} {
		r.add("DG13 "+strings.ToLower(kv[0][:1])+kv[0][1:], kv[1])
	}
}

// printDG11 prints a passport's additional personal and document details.
func printDG11(r rows, d11 *lds.DG11, d12 *lds.DG12) {
	if d11 != nil {
		r.add("Full name", d11.FullName)
		r.add("Personal number", d11.PersonalNumber)
		r.add("Place of birth", d11.PlaceOfBirth)
		r.add("Address", d11.Address)
	}
	if d12 != nil {
		r.add("Issuing authority", d12.IssuingAuthority)
		r.add("Date of issue", dateText(d12.DateOfIssue))
	}
}

func printStats(w io.Writer, s read.Stats) {
	fmt.Fprintf(w, "%-18s %d exchanges, %d bytes out, %d bytes in, %.1f ms (identity at %.1f ms; chunk %d, extended length %s)\n",
		"Stats", s.Exchanges, s.BytesOut, s.BytesIn, ms(s.Duration), ms(s.Identity), s.Link.Chunk, s.Link.Extended)
	for _, p := range s.Phases {
		fmt.Fprintf(w, "%-18s %-22s %3d exchanges %6d out %6d in %8.1f ms\n", "", p.Name, p.Exchanges, p.BytesOut, p.BytesIn, ms(p.Duration))
	}
}
