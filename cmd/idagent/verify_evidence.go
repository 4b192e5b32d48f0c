package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/verify"
)

// evidenceJSON is the output of verify evidence. Fields (personal data)
// are printed only with --fields.
type evidenceJSON struct {
	File      string          `json:"file"`
	Verdict   check.Status    `json:"verdict"`
	Checks    check.Report    `json:"checks"`
	Verified  []int           `json:"verifiedDataGroups"`
	Fields    identity.Fields `json:"fields,omitempty"`
	Trust     []string        `json:"trust,omitempty"`
	Challenge bool            `json:"challengeGiven"`
}

type verifyEvidenceFlags struct {
	trust     []string
	challenge string
	require   bool
	allowTst  bool
	fields    bool
	json      bool
}

// runVerifyEvidence verifies a read's evidence (read.result's evidence
// object, or the whole read.result) with emrtd/verify as a server does:
// the desk's observations count only where they lower the verdict.
func runVerifyEvidence(e *env, args []string) int {
	fs := newFlags(e, "verify evidence", verifyEvidenceSynopsis)
	var f verifyEvidenceFlags
	fs.Func("trust", "trust store directory, master list, CSCA certificate or CRL; repeatable (default: the configured store)", func(v string) error {
		f.trust = append(f.trust, v)
		return nil
	})
	fs.StringVar(&f.challenge, "challenge", "", "the 8-byte challenge (base64) given to read.start: require a valid active authentication signature over exactly it")
	fs.BoolVar(&f.require, "require-signed-challenge", false, "with --challenge, a chip that cannot sign it (no active authentication) leaves the verdict UNKNOWN, not WARN")
	fs.BoolVar(&f.allowTst, "allow-test-anchors", false, "accept chains that end at TEST anchors, and trust the simulator's TEST CSCA (idagent sim cards)")
	fs.BoolVar(&f.fields, "fields", false, "print the identity fields of the verified data groups (personal data)")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	file, code, ok := parseWithOneArg(fs, args)
	if !ok {
		return code
	}
	opts := verify.Options{AllowTestAnchors: f.allowTst, RequireSignedChallenge: f.require}
	if f.challenge != "" {
		c, err := base64.StdEncoding.DecodeString(f.challenge)
		if err != nil || len(c) != activeauth.ChallengeLen {
			fmt.Fprintf(e.stderr, "idagent verify evidence: --challenge: want base64 of %d bytes\n", activeauth.ChallengeLen)
			return exitUsage
		}
		opts.Challenge = c
	}
	raw, err := readInput(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify evidence: %v\n", err)
		return exitInput
	}
	ev, err := verify.ParseEvidence(raw)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify evidence: %s: %v\n", file, err)
		return exitInput
	}
	store, notes, err := loadTrustWithTest(f.trust, f.allowTst)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verify evidence: %v\n", err)
		return exitInput
	}
	opts.Trust = store
	start := time.Now()
	res := verify.Verify(ev, opts)
	elapsed := time.Since(start)
	doc := res.Document(ev)
	out := evidenceJSON{File: file, Verdict: res.Verdict, Checks: res.Checks, Verified: doc.Verified, Trust: notes, Challenge: opts.Challenge != nil}
	if out.Verified == nil {
		out.Verified = []int{}
	}
	if f.fields {
		out.Fields = doc.Fields(time.Now())
	}
	if f.json {
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return exitSoft
		}
	} else {
		printEvidence(e.stdout, out, elapsed)
	}
	return exitForVerdict(res.Verdict)
}

func printEvidence(w io.Writer, o evidenceJSON, elapsed time.Duration) {
	fmt.Fprintf(w, "evidence %s\n", o.File)
	fmt.Fprintf(w, "  verified   data groups %v\n", o.Verified)
	if !o.Challenge {
		fmt.Fprintln(w, "  challenge  none given: the evidence is not checked to be fresh (--challenge)")
	}
	for _, t := range o.Trust {
		fmt.Fprintf(w, "  trust      %s\n", t)
	}
	if len(o.Fields) > 0 {
		fmt.Fprintln(w, "fields")
		for _, name := range identity.AllFields {
			if v, ok := o.Fields[name]; ok {
				if v == nil {
					v = "none (does not expire)"
				}
				fmt.Fprintf(w, "  %-17s %v\n", name, v)
			}
		}
	}
	fmt.Fprintln(w, "checks")
	for _, c := range o.Checks {
		fmt.Fprintf(w, "  %-13s %-22s %-24s %s\n", c.Status, c.Name, c.Reason, c.Message)
	}
	fmt.Fprintf(w, "verdict %s (%s)\n", o.Verdict, elapsed.Round(100*time.Microsecond))
}
