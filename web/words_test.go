package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
)

var update = flag.Bool("update", false, "rewrite client/words.js and client/test/words-vectors.json from emrtd/check.Wording")

const (
	wordsFile   = "client/words.js"
	vectorsFile = "client/test/words-vectors.json"
)

// clientWords is client/words.js: the agent's table of words for people
// as a JavaScript module.
func clientWords(t *testing.T) []byte {
	t.Helper()
	table, err := json.MarshalIndent(check.Wording, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(`// Code generated from emrtd/check/wording.go by "go test ./web -run TestClientWords -update". DO NOT EDIT.
//
// The words for people about a verification, in Vietnamese and English:
// titles of the checks, sentences keyed by stable reason codes and check
// names, the verdict's headlines. It is the agent's own table
// (emrtd/check.Wording); messages.js looks words up in it exactly as the
// agent does (client/test/words.test.js checks that against vectors the
// agent wrote).

export const WORDS = `)
	b.Write(table)
	b.WriteString(";\n")
	return b.Bytes()
}

// vcheck is a check in a vector: no message (the words do not use it).
type vcheck struct {
	Name   string       `json:"name"`
	Status check.Status `json:"status"`
	Reason string       `json:"reason,omitempty"`
}

func (c vcheck) check() check.Check {
	return check.Check{Name: c.Name, Status: c.Status, Reason: c.Reason}
}

type checkVector struct {
	Check  vcheck      `json:"check"`
	Final  bool        `json:"final"`
	Title  check.Words `json:"title"`
	Status check.Words `json:"status"`
	Text   check.Words `json:"text"`
	Tone   string      `json:"tone"`
}

type verdictVector struct {
	Overall      string      `json:"overall"`
	Checks       []vcheck    `json:"checks"`
	DocumentType string      `json:"documentType"`
	TestAnchor   bool        `json:"testAnchor"`
	Text         check.Words `json:"text"`
	Tone         string      `json:"tone"`
}

type vectors struct {
	Checks   []checkVector   `json:"checks"`
	Verdicts []verdictVector `json:"verdicts"`
}

var statuses = []check.Status{check.Pass, check.Fail, check.Warn, check.Unknown, check.NotSupported, check.Skipped}

// splitKey turns a table key ("name REASON" or "REASON") into a check name
// and a reason; a bare reason gets the name generic, and the dg.hash
// family a data group.
func splitKey(key, generic string) (name, reason string) {
	name, reason, specific := strings.Cut(key, " ")
	if !specific {
		name, reason = generic, key
	}
	if name == "dg.hash" {
		name = "dg.hash.DG13"
	}
	return name, reason
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// wordVectors are what the agent's lookups give for every check name and
// status, every worded reason, and verdicts of every kind of failure, so
// that the JS lookups can be held to them.
func wordVectors() vectors {
	w := check.Wording
	var v vectors
	addCheck := func(c vcheck, final bool) {
		d := w.Describe(c.check(), final)
		v.Checks = append(v.Checks, checkVector{c, final, d.Title, d.Status, d.Text, d.Tone})
	}
	names := append(sortedKeys(w.Titles), "new.check")
	for i, name := range names {
		if name == "dg.hash" {
			names[i] = "dg.hash.DG7"
		}
	}
	for _, name := range names {
		for _, s := range statuses {
			addCheck(vcheck{name, s, ""}, true)
		}
		addCheck(vcheck{name, check.Pass, ""}, false)
		addCheck(vcheck{name, check.Fail, ""}, false)
	}
	for _, key := range sortedKeys(w.Reasons) {
		name, reason := splitKey(key, "new.check")
		addCheck(vcheck{name, check.Fail, reason}, true)
		if name == "new.check" {
			addCheck(vcheck{check.DSChain, check.Unknown, reason}, true)
		}
	}
	addVerdict := func(overall string, checks []vcheck, doc string, test bool) {
		var cs []check.Check
		for _, c := range checks {
			cs = append(cs, c.check())
		}
		text, tone := w.Headline(check.Verdict{Overall: overall, Checks: cs, DocumentType: doc, TestAnchor: test})
		v.Verdicts = append(v.Verdicts, verdictVector{overall, checks, doc, test, text, tone})
	}
	pass := vcheck{check.SODSignature, check.Pass, ""}
	for _, doc := range []string{"", "id-card", "passport", "other"} {
		for _, overall := range []string{"PASS", "WARN", "FAIL", "UNKNOWN", check.Pending} {
			for _, test := range []bool{false, true} {
				addVerdict(overall, []vcheck{pass}, doc, test)
			}
		}
	}
	firstOfKind := map[string]vcheck{}
	for _, key := range sortedKeys(w.Kinds) {
		name, reason := splitKey(key, "new.check")
		failed := vcheck{name, check.Fail, reason}
		addVerdict("FAIL", []vcheck{pass, failed}, "passport", false)
		addVerdict("UNKNOWN", []vcheck{pass, {name, check.Unknown, reason}}, "id-card", false)
		addVerdict(check.Pending, []vcheck{pass, failed}, "id-card", false)
		if _, ok := firstOfKind[w.Kinds[key]]; !ok {
			firstOfKind[w.Kinds[key]] = failed
		}
	}
	// Two kinds of failure: the headline names the first of KindOrder,
	// whatever the order of the checks.
	for i, a := range w.KindOrder {
		for _, b := range w.KindOrder[i+1:] {
			addVerdict("FAIL", []vcheck{firstOfKind[b], firstOfKind[a]}, "id-card", false)
		}
	}
	return v
}

func vectorsJSON(t *testing.T) []byte {
	t.Helper()
	v := wordVectors()
	// One vector a line: reviewable diffs, a small file.
	var b bytes.Buffer
	b.WriteString("{")
	jsonLines(t, &b, "checks", v.Checks)
	b.WriteString(", ")
	jsonLines(t, &b, "verdicts", v.Verdicts)
	b.WriteString("}\n")
	return b.Bytes()
}

// jsonLines writes "name": [ with one element a line.
func jsonLines[T any](t *testing.T, b *bytes.Buffer, name string, items []T) {
	t.Helper()
	b.WriteString(`"` + name + `": [` + "\n")
	for i, x := range items {
		j, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		if i < len(items)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]")
}

// TestClientWords: the client's table of words is the agent's, and the
// vectors the client's lookups are tested against are the agent's answers
// (web/client/test/words.test.js runs them), so the two cannot drift. Run
// with -update after changing emrtd/check/wording.go.
func TestClientWords(t *testing.T) {
	for file, want := range map[string][]byte{wordsFile: clientWords(t), vectorsFile: vectorsJSON(t)} {
		if *update {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("web/%s differs from emrtd/check.Wording: run go test ./web -run TestClientWords -update", file)
		}
	}
}
