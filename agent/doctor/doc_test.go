package doctor

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The JSON example of docs/DOCTOR.md decodes strictly into Report, lists
// the checks in order with valid statuses, and its verdict and problem
// count are what the checks make them.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/DOCTOR.md")
	if err != nil {
		t.Fatal(err)
	}
	var example []byte
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1) {
		if bytes.Contains(m[1], []byte(`"schema"`)) {
			example = m[1]
		}
	}
	if example == nil {
		t.Fatal("docs/DOCTOR.md has no JSON report example")
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(example))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
		if !slices.Contains([]Status{OK, Warn, Fail, Skip}, c.Status) || c.Summary == "" || c.Detail == nil || c.Advice == nil {
			t.Errorf("check %+v", c)
		}
	}
	if !slices.Equal(ids, CheckIDs) {
		t.Errorf("checks %v, want %v", ids, CheckIDs)
	}
	want := newReport(r.Version, r.Platform, r.Checks)
	if r.Schema != SchemaVersion || r.Verdict != want.Verdict || r.Problems != want.Problems {
		t.Errorf("schema %d, verdict %s, %d problems; the checks make verdict %s, %d problems", r.Schema, r.Verdict, r.Problems, want.Verdict, want.Problems)
	}
	// Every check ID and status is documented.
	for _, id := range CheckIDs {
		if !strings.Contains(string(doc), "`"+id+"`") {
			t.Errorf("check %s is not documented", id)
		}
	}
}
