package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
)

func init() {
	register(&command{name: "verify", summary: "verify offline: 'verify sod FILE' checks an EF.SOD, 'verify evidence FILE' a read's evidence", run: runVerify})
}

// exitForVerdict maps a verification verdict to the exit code: 0 when
// every check passed (WARN is a pass with a caveat, e.g. an expired signer
// of an old document), 1 when one failed, 2 when trust is unknown.
func exitForVerdict(s check.Status) int {
	switch s {
	case check.Pass, check.Warn:
		return exitOK
	case check.Fail:
		return exitFailed
	}
	return exitUnknown
}

const (
	verifySODSynopsis      = "FILE [--trust DIR|FILE]... [--issuing-state CODE] [--dg N=FILE]... [--allow-test-anchors] [--json]"
	verifyEvidenceSynopsis = "FILE [--trust DIR|FILE]... [--challenge BASE64] [--require-signed-challenge] [--allow-test-anchors] [--fields] [--json]"
)

func runVerify(ctx context.Context, e *env, args []string) int {
	switch {
	case len(args) > 0 && args[0] == "sod":
		return runVerifySOD(e, args[1:])
	case len(args) > 0 && args[0] == "evidence":
		return runVerifyEvidence(e, args[1:])
	}
	usage := "usage: idagent verify sod " + verifySODSynopsis + "\n       idagent verify evidence " + verifyEvidenceSynopsis
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(e.stdout, usage)
		return exitOK
	}
	fmt.Fprintln(e.stderr, usage)
	return exitUsage
}

type verifySODFlags struct {
	trust    []string
	dgs      map[int]string
	state    string
	allowTst bool
	json     bool
}

func runVerifySOD(e *env, args []string) int {
	fs := newFlags(e, "verify sod", verifySODSynopsis)
	f := verifySODFlags{dgs: map[int]string{}}
	fs.Func("trust", "trust store directory, master list, CSCA certificate or CRL; repeatable (default: the configured store)", func(v string) error {
		f.trust = append(f.trust, v)
		return nil
	})
	fs.Func("dg", "also check a data group's hash: N=FILE with the raw data group as read from the chip; repeatable", func(v string) error {
		n, file, ok := strings.Cut(v, "=")
		num, err := strconv.Atoi(n)
		if !ok || err != nil || num < 1 || num > 16 {
			return fmt.Errorf("want N=FILE with N from 1 to 16")
		}
		f.dgs[num] = file
		return nil
	})
	fs.StringVar(&f.state, "issuing-state", "", "the document's issuing state (ICAO code, e.g. VNM, D) to bind the signer's country to")
	fs.BoolVar(&f.allowTst, "allow-test-anchors", false, "accept chains that end at TEST anchors (test and demo documents)")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	file, code, ok := parseWithOneArg(fs, args)
	if !ok {
		return code
	}
	raw, err := readInput(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify sod: %v\n", err)
		return exitInput
	}
	sod, err := pa.ParseSOD(raw)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify sod: %s: %v\n", file, err)
		return exitInput
	}
	store, notes, err := loadTrust(f.trust)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify sod: %v\n", err)
		return exitInput
	}
	dgs, err := readDataGroups(f.dgs)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify sod: %v\n", err)
		return exitInput
	}
	start := time.Now()
	res := pa.Verify(sod, pa.Options{Trust: store, AllowTestAnchors: f.allowTst, IssuingState: f.state, DataGroups: dgs})
	elapsed := time.Since(start)
	out := describeSOD(file, res)
	out.Trust = notes
	if f.json {
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return exitSoft
		}
	} else {
		printSOD(e.stdout, out, elapsed)
	}
	return exitForVerdict(verify.Verdict(res.Report))
}

// maxInputFile bounds files read by verify.
const maxInputFile = 16 << 20

func readInput(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxInputFile {
		return nil, fmt.Errorf("%s: %d bytes is too large", path, info.Size())
	}
	return os.ReadFile(path)
}

func readDataGroups(files map[int]string) (map[int][]byte, error) {
	out := map[int][]byte{}
	for n, f := range files {
		b, err := readInput(f)
		if err != nil {
			return nil, fmt.Errorf("DG%d: %w", n, err)
		}
		out[n] = b
	}
	return out, nil
}

// loadTrust builds the trust store from --trust arguments (store
// directories, master lists, LDIF, certificates, CRLs); without arguments
// it loads the configured store. idagent read uses it too.
func loadTrust(args []string) (*trust.Store, []string, error) {
	if len(args) == 0 {
		args = []string{defaultTrustStore()}
	}
	return trust.Load(args...)
}

// sodJSON is the output of verify sod.
type sodJSON struct {
	File            string       `json:"file"`
	Verdict         check.Status `json:"verdict"`
	Signer          *certJSON    `json:"signer,omitempty"`
	CSCA            *certJSON    `json:"csca,omitempty"`
	SignatureAlg    string       `json:"signatureAlgorithm"`
	DigestAlg       string       `json:"digestAlgorithm"`
	SigningTime     *time.Time   `json:"signingTime,omitempty"`
	LDSVersion      string       `json:"ldsVersion,omitempty"`
	UnicodeVersion  string       `json:"unicodeVersion,omitempty"`
	HashAlgorithm   string       `json:"hashAlgorithm"`
	DataGroupHashes []dgHashJSON `json:"dataGroupHashes"`
	Checks          check.Report `json:"checks"`
	Trust           []string     `json:"trust,omitempty"`
}

type certJSON struct {
	Subject   string    `json:"subject"`
	Country   string    `json:"country"`
	Serial    string    `json:"serial"`
	Key       string    `json:"key"`
	Signature string    `json:"signature"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	Source    string    `json:"source,omitempty"` // "sod" or "trust store" for the signer; the import source for the CSCA
	Test      bool      `json:"test,omitempty"`
}

type dgHashJSON struct {
	DataGroup int    `json:"dataGroup"`
	Hash      string `json:"hash"`
}

func describeCert(c *cert.Certificate) *certJSON {
	return &certJSON{Subject: c.Subject.String(), Country: c.Subject.Country(), Serial: strings.ToUpper(hex.EncodeToString(c.Serial.Bytes())),
		Key: c.PublicKey.String(), Signature: c.SigAlg.String(), NotBefore: c.NotBefore, NotAfter: c.NotAfter}
}

func describeSOD(file string, r *pa.Result) sodJSON {
	lds := r.SOD.LDS
	out := sodJSON{File: file, Verdict: verify.Verdict(r.Report), SignatureAlg: r.Signer.SigAlg.String(), DigestAlg: hashName(r.Signer.Digest, r.Signer.DigestAlgorithm),
		LDSVersion: lds.LDSVersion, UnicodeVersion: lds.UnicodeVersion, HashAlgorithm: hashName(lds.Hash, lds.HashAlgorithm),
		DataGroupHashes: []dgHashJSON{}, Checks: r.Report}
	if !r.SigningTime.IsZero() {
		t := r.SigningTime
		out.SigningTime = &t
	}
	if r.DS != nil {
		out.Signer = describeCert(r.DS)
		out.Signer.Source = "sod"
		if r.DSFromStore {
			out.Signer.Source = "trust store"
		}
	}
	if r.CSCA != nil {
		out.CSCA = describeCert(r.CSCA.Cert)
		out.CSCA.Source, out.CSCA.Test = r.CSCA.Source, r.CSCA.Test
	}
	for _, n := range lds.DataGroups() {
		out.DataGroupHashes = append(out.DataGroupHashes, dgHashJSON{n, strings.ToUpper(hex.EncodeToString(lds.Hashes[n]))})
	}
	return out
}

func hashName(h interface{ String() string }, a cert.AlgorithmIdentifier) string {
	if s := h.String(); !strings.HasPrefix(s, "unknown") {
		return s
	}
	return "unsupported " + a.OID.String()
}

func printSOD(w io.Writer, o sodJSON, elapsed time.Duration) {
	fmt.Fprintf(w, "EF.SOD %s\n", o.File)
	if o.Signer != nil {
		fmt.Fprintf(w, "  signer     %s\n             serial %s, %s, valid %s to %s (from the %s)\n", o.Signer.Subject, o.Signer.Serial, o.Signer.Key, day(o.Signer.NotBefore), day(o.Signer.NotAfter), sourceName(o.Signer.Source))
	} else {
		fmt.Fprintln(w, "  signer     not found in the SOD or the trust store")
	}
	if o.CSCA != nil {
		test := ""
		if o.CSCA.Test {
			test = "  [TEST ANCHOR]"
		}
		fmt.Fprintf(w, "  CSCA       %s%s\n             %s, valid %s to %s\n", o.CSCA.Subject, test, o.CSCA.Key, day(o.CSCA.NotBefore), day(o.CSCA.NotAfter))
	} else {
		fmt.Fprintln(w, "  CSCA       none trusted")
	}
	signed := "signing time not recorded"
	if o.SigningTime != nil {
		signed = "signed " + o.SigningTime.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "  signature  %s, digest %s, %s\n", o.SignatureAlg, o.DigestAlg, signed)
	lds := ""
	if o.LDSVersion != "" {
		lds = fmt.Sprintf(", LDS %s, Unicode %s", o.LDSVersion, o.UnicodeVersion)
	}
	fmt.Fprintf(w, "  hashes     %s%s\n", o.HashAlgorithm, lds)
	for _, h := range o.DataGroupHashes {
		fmt.Fprintf(w, "    DG%-3d %s\n", h.DataGroup, h.Hash)
	}
	for _, t := range o.Trust {
		fmt.Fprintf(w, "  trust      %s\n", t)
	}
	fmt.Fprintln(w, "checks")
	for _, c := range o.Checks {
		fmt.Fprintf(w, "  %-13s %-15s %-24s %s\n", c.Status, c.Name, c.Reason, c.Message)
	}
	fmt.Fprintf(w, "verdict %s (%s)\n", o.Verdict, elapsed.Round(100*time.Microsecond))
}

func sourceName(s string) string {
	if s == "sod" {
		return "SOD"
	}
	return s
}
