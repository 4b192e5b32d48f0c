package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/identity"
)

func TestDefaults(t *testing.T) {
	c := Default()
	if !slices.Equal(c.Listen, []string{"127.0.0.1:20606", "[::1]:20606"}) {
		t.Fatalf("listen %v", c.Listen)
	}
	if c.AllowNativeClients || len(c.Origins) != 0 || c.ReadTimeout != time.Minute {
		t.Fatalf("unsafe or wrong default: %+v", c)
	}
	p := DefaultPolicy()
	for _, f := range identity.SensitiveFields {
		if p.Allows(f) {
			t.Errorf("default policy allows %s", f)
		}
	}
	if !p.Allows(identity.FieldIDNumber) || !p.Photo || p.Evidence {
		t.Errorf("default policy %+v", p)
	}
}

func TestCompleteExample(t *testing.T) {
	// The example of docs/CONFIG.md must parse.
	b, err := os.ReadFile("../../docs/CONFIG.md")
	if err != nil {
		t.Fatal("docs/CONFIG.md is part of the repository:", err)
	}
	doc := string(b)
	start := strings.Index(doc, "```json\n")
	end := strings.Index(doc[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no json example in docs/CONFIG.md")
	}
	c, err := Parse([]byte(doc[start+8:start+8+end]), "/etc/idagent")
	if err != nil {
		t.Fatal(err)
	}
	hotel, ok := c.PolicyFor("https://hotel.example.vn")
	if !ok || hotel.Allows(identity.FieldReligion) || !hotel.Allows(identity.FieldNationality) {
		t.Fatalf("hotel policy %+v", hotel)
	}
	onestop, ok := c.PolicyFor("https://motcua.example.gov.vn")
	if !ok || !onestop.Allows(identity.FieldReligion) || !onestop.Allows(identity.FieldSpouseName) {
		t.Fatalf("one-stop policy %+v", onestop)
	}
	if c.TrustStore != "/etc/idagent/trust" && c.TrustStore != filepath.Join("/etc/idagent", "trust") {
		t.Fatalf("trust store not resolved against the file: %s", c.TrustStore)
	}
	if !c.Ignored("Generic SAM Reader 00 00") || c.Ignored("Virtual PCD 00 00") {
		t.Fatal("ignoreReaders")
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ json, key string }{
		{`{"listn":["127.0.0.1:1"]}`, "listn"},
		{`{"listen":"127.0.0.1:1"}`, "listen"},
		{`{"listen":["0.0.0.0:20606"]}`, "listen[0]"},
		{`{"listen":["127.0.0.1"]}`, "listen[0]"},
		{`{"origins":[{"origin":"https://a.example/path"}]}`, "origins[0].origin"},
		{`{"origins":[{"origin":"https://*.example"}]}`, "origins[0].origin"},
		{`{"origins":[{"origin":"https://a.example","fields":["idNumber","religon"]}]}`, "origins[0].fields[1]"},
		{`{"origins":[{"origin":"https://a.example"},{"origin":"https://A.example:443"}]}`, "origins[1].origin"},
		{`{"readTimeout":"forever"}`, "readTimeout"},
		{`{"readTimeout":"1h"}`, "readTimeout"},
		{`{"log":{"level":"chatty"}}`, "log.level"},
		{`{"maxConnections":0}`, "maxConnections"},
		{`{"maxReadsPerOrigin":0}`, "maxReadsPerOrigin"},
		{`{"maxReadsPerOrigin":17}`, "maxReadsPerOrigin"},
		{`{"origins":[{"origin":"https://a.example","fields":["idNumber"],"evidence":true}]}`, "origins[0].evidence"},
		{`{"ignoreReaders":["["]}`, "ignoreReaders[0]"},
		{`{"hosts":["desk:80"]}`, "hosts[0]"},
	} {
		_, err := Parse([]byte(tc.json), "")
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: error %v does not name %s", tc.json, err, tc.key)
		}
	}
	if _, err := Parse([]byte("{\n  \"listen\": [\n}"), ""); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("syntax error without position: %v", err)
	}
}

func TestExposeToNetwork(t *testing.T) {
	c, err := Parse([]byte(`{"listen":["0.0.0.0:20606"],"exposeToNetwork":true}`), "")
	if err != nil || c.Listen[0] != "0.0.0.0:20606" {
		t.Fatal(err)
	}
	if err := Default().SetListen([]string{"192.168.1.5:1"}); err == nil || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("flag accepted a LAN address: %v", err)
	}
}

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Desk.Example.org":     "https://desk.example.org",
		"https://desk.example.org:443": "https://desk.example.org",
		"http://localhost:8080/":       "http://localhost:8080",
		"http://[::1]:3000":            "http://[::1]:3000",
	} {
		got, err := NormalizeOrigin(in)
		if err != nil || got != want {
			t.Errorf("%s → %q, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"null", "file:///x", "https://u:p@x", "desk.example.org", "https://x?q"} {
		if _, err := NormalizeOrigin(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.json")
	os.WriteFile(f, []byte(`{"log":{"file":"logs/a.log"},"allowNativeClients":true,"nativeClients":{"fields":["all"]}}`), 0o600)
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if c.Log.File != filepath.Join(dir, "logs/a.log") || !c.NativePolicy.Allows(identity.FieldReligion) {
		t.Fatalf("%+v", c)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
	t.Setenv("IDAGENT_CONFIG", filepath.Join(dir, "absent.json"))
	if c, err := Load(""); err != nil || c.File != "" {
		t.Fatalf("absent default file should give defaults: %v", err)
	}
}
