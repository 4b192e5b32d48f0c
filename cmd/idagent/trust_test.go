package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrustImportAndList(t *testing.T) {
	f := newVerifyFixture(t)
	store := filepath.Join(t.TempDir(), "store")
	code, out, errs := runTrustCmd(t, "trust", "import", f.csca, "--store", store)
	if code != exitOK || !strings.Contains(out, "1 added") {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	if code, out, _ := runTrustCmd(t, "trust", "import", "--store", store, f.crl, "--json"); code != exitOK || !strings.Contains(out, `"kind":"CRL"`) {
		t.Fatalf("import CRL: %d %s", code, out)
	}
	if code, _, errs := runTrustCmd(t, "trust", "import", f.dg1, "--store", store); code != exitInput || !strings.Contains(errs, "not a master list") {
		t.Errorf("junk: %d %s", code, errs)
	}
	code, out, _ = runTrustCmd(t, "trust", "list", "--store", store)
	if code != exitOK || !strings.Contains(out, "VN\n") || !strings.Contains(out, "CSCA VN test") || !strings.Contains(out, "1 CRLs") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = runTrustCmd(t, "trust", "list", "--store", store, "--json")
	var list struct {
		Countries []struct {
			Country string
			Anchors []struct{ Subject, Status string }
		}
	}
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list.Countries) != 1 || list.Countries[0].Anchors[0].Status != "valid" {
		t.Errorf("list JSON: %d %s", code, out)
	}
	if code, out, _ := runTrustCmd(t, "trust", "list", "--store", filepath.Join(t.TempDir(), "empty")); code != exitOK || !strings.Contains(out, "store is empty") {
		t.Errorf("empty store: %d %s", code, out)
	}
	if code, _, _ := runTrustCmd(t, "trust", "frobnicate"); code != exitUsage {
		t.Errorf("unknown subcommand: %d", code)
	}
	if code, _, _ := runTrustCmd(t, "trust"); code != exitUsage {
		t.Errorf("no subcommand: %d", code)
	}
}
