package token

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/config"
)

func TestCreateCheckRevoke(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "tokens.json")
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	c := NewChecker(path)
	if _, ok := c.Check(Prefix + "x"); ok || c.Err() != nil {
		t.Fatalf("an absent store accepted a token (%v)", c.Err())
	}
	his, err := Create(path, "his-bridge", config.Policy{Fields: []string{"idNumber", "fullName"}, Photo: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	kiosk, err := Create(path, "kiosk", config.FullPolicy(), now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(his, Prefix) || len(his) != len(Prefix)+43 || his == kiosk {
		t.Fatalf("tokens %q %q", his, kiosk)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), his[len(Prefix):]) || strings.Contains(string(raw), kiosk[len(Prefix):]) {
		t.Fatal("the store holds a token, not only its hash")
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", info.Mode())
	}
	e, ok := c.Check(his)
	if !ok || e.Name != "his-bridge" || !e.Photo || e.Policy().Allows("dateOfBirth") || !e.Policy().Allows("fullName") {
		t.Fatalf("his-bridge: %+v %v", e, ok)
	}
	if e, ok := c.Check(kiosk); !ok || !e.Policy().AllowsPart(config.PartEvidence) {
		t.Fatalf("kiosk: %+v %v", e, ok)
	}
	for _, bad := range []string{"", "idt_", his + "x", his[:len(his)-1], strings.ToUpper(his), "Bearer " + his} {
		if _, ok := c.Check(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := Create(path, "kiosk", config.DefaultPolicy(), now); err == nil {
		t.Fatal("a second token with the same name")
	}
	for _, name := range []string{"", "a b", "../x", strings.Repeat("n", 65)} {
		if _, err := Create(path, name, config.DefaultPolicy(), now); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if _, err := Create(path, "partial", config.Policy{Fields: []string{"idNumber"}, Evidence: true}, now); err == nil {
		t.Fatal("evidence without every field")
	}
	// Revoked while the agent runs: the next check reloads the file.
	if err := Revoke(path, "his-bridge"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Check(his); ok {
		t.Fatal("a revoked token still accepted")
	}
	if _, ok := c.Check(kiosk); !ok {
		t.Fatal("revoking one token dropped another")
	}
	if err := Revoke(path, "his-bridge"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	entries, err := Load(path)
	if err != nil || len(entries) != 1 || entries[0].Name != "kiosk" || !entries[0].Created.Equal(now) {
		t.Fatalf("list: %+v %v", entries, err)
	}
}

func TestFromHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Bearer idt_abc": "idt_abc", "bearer  idt_abc ": "idt_abc", "Basic idt_abc": "", "idt_abc": "", "": "",
	} {
		if got := FromHeader(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestBrokenStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, []byte(`{"tokens":[{"name":"x","sha256":"zz"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewChecker(path)
	if _, ok := c.Check(Prefix + "a"); ok || c.Err() == nil || !strings.Contains(c.Err().Error(), "tokens[0]") {
		t.Fatalf("a broken store: %v", c.Err())
	}
}
