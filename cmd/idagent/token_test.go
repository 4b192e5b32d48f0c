package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/idagent/idagent/agent/token"
)

// idagent token create prints the token once; the file keeps its hash,
// which the agent's checker accepts with the token's policy; list shows
// names, never tokens; revoke removes it.
func TestTokenCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	run := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := dispatch(context.Background(), &env{stdout: &out, stderr: &errb}, append([]string{"token"}, args...))
		return code, out.String(), errb.String()
	}
	code, out, _ := run("create", "his-bridge", "--fields", "idNumber,fullName", "--photo", "--file", path)
	secret := regexp.MustCompile(`idt_[A-Za-z0-9_-]{43}`).FindString(out)
	if code != exitOK || secret == "" {
		t.Fatalf("create: %d %s", code, out)
	}
	e, ok := token.NewChecker(path).Check(secret)
	if !ok || e.Name != "his-bridge" || len(e.Fields) != 2 || !e.Photo || e.Evidence {
		t.Fatalf("the created token: %+v %v", e, ok)
	}
	if code, _, errs := run("create", "his-bridge", "--file", path); code == exitOK || !strings.Contains(errs, "exists") {
		t.Fatalf("a second token of one name: %d %s", code, errs)
	}
	if code, _, errs := run("create", "x", "--fields", "religon", "--file", path); code != exitUsage || !strings.Contains(errs, "religon") {
		t.Fatalf("unknown field: %d %s", code, errs)
	}
	if code, _, _ := run("create", "x", "--fields", "idNumber", "--evidence", "--file", path); code == exitOK {
		t.Fatal("evidence without every field")
	}
	code, out, _ = run("list", "--file", path, "--json")
	var list []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0]["name"] != "his-bridge" || strings.Contains(out, secret[4:]) {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, _ := run("list", "--file", path); code != exitOK || !strings.Contains(out, "his-bridge") || strings.Contains(out, "idt_") {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, _, _ := run("revoke", "his-bridge", "--file", path); code != exitOK {
		t.Fatal("revoke")
	}
	if _, ok := token.NewChecker(path).Check(secret); ok {
		t.Fatal("a revoked token still checks")
	}
	if code, _, _ := run("revoke", "his-bridge", "--file", path); code != exitInput {
		t.Fatal("revoking an unknown token")
	}
}
