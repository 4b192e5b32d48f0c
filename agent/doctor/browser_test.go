package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPatternAllows(t *testing.T) {
	for _, tc := range []struct {
		pattern, origin string
		want            bool
	}{
		{"https://his.example.vn", "https://his.example.vn", true},
		{"https://his.example.vn:443", "https://his.example.vn", true},
		{"https://his.example.vn/", "https://his.example.vn", true},
		{"https://his.example.vn", "https://his.example.vn:8443", false},
		{"https://his.example.vn:8443", "https://his.example.vn:8443", true},
		{"http://his.example.vn", "https://his.example.vn", false},
		{"his.example.vn", "https://his.example.vn:8443", true},
		{"[*.]example.vn", "https://his.example.vn", true},
		{"[*.]example.vn", "https://example.vn", true},
		{"https://[*.]example.vn", "http://his.example.vn", false},
		{".example.vn", "https://his.example.vn", false},
		{"example.vn", "https://his.example.vn", false},
		{"*", "https://anything.example", true},
		{"*://his.example.vn:*", "http://his.example.vn:3000", true},
		{"HTTPS://HIS.Example.VN", "https://his.example.vn", true},
		{"http://[::1]:3000", "http://[::1]:3000", true},
		{"http://localhost:3000", "http://localhost:3001", false},
	} {
		if got := patternAllows(tc.pattern, tc.origin); got != tc.want {
			t.Errorf("patternAllows(%q, %q) = %v", tc.pattern, tc.origin, got)
		}
	}
}

// browserDoctor allows two origins and reads the policies from dirs.
func browserDoctor(t *testing.T, origins string, dirs []policyDir) *Doctor {
	t.Helper()
	d := healthyDoctor(t)
	d.ConfigFile = writeConfig(t, `{"listen": ["`+servedAddr(t)+`"], "origins": `+origins+`}`)
	d.Policies = func() ([]BrowserPolicy, error) { return readPolicyDirs(dirs), nil }
	return d
}

func writePolicy(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	two := `[{"origin": "https://his.example.vn"}, {"origin": "https://hotel.example.vn"}]`
	root := t.TempDir()
	chrome, edge, chromium := filepath.Join(root, "chrome"), filepath.Join(root, "edge"), filepath.Join(root, "chromium")
	dirs := []policyDir{{"Chrome", chrome}, {"Chromium", chromium}, {"Edge", edge}}
	writePolicy(t, chrome, "desk.json", `{"LocalNetworkAccessAllowedForUrls": ["[*.]example.vn"], "HomepageLocation": "x"}`)
	writePolicy(t, chrome, "other.json", `{"HomepageLocation": "y"}`)
	writePolicy(t, edge, "desk.json", `{"LoopbackNetworkAllowedForUrls": ["https://his.example.vn"], "LocalNetworkAccessAllowedForUrls": []}`)

	r := browserDoctor(t, two, dirs).Run(context.Background())
	expect(t, r, IDBrowser, Warn, "2 web origins allowed",
		"Chrome: "+lnaPolicyNames+" allows every origin ("+filepath.Join(chrome, "desk.json")+")",
		"Edge: "+lnaPolicyNames+" ("+filepath.Join(edge, "desk.json")+") misses https://hotel.example.vn",
		"add https://hotel.example.vn to "+LoopbackPolicy+" and "+LNAPolicy+" of Edge")

	// Either policy lets an origin through: their union covers both.
	writePolicy(t, edge, "desk.json", `{"LoopbackNetworkAllowedForUrls": ["https://his.example.vn"], "LocalNetworkAccessAllowedForUrls": ["https://hotel.example.vn"]}`)
	expect(t, browserDoctor(t, two, dirs).Run(context.Background()), IDBrowser, OK,
		"Edge: "+lnaPolicyNames+" allows every origin")

	writePolicy(t, chromium, "broken.json", `{"LocalNetworkAccessAllowedForUrls": [`)
	expect(t, browserDoctor(t, `[{"origin": "https://his.example.vn"}]`, dirs).Run(context.Background()), IDBrowser, Warn,
		"Chromium: "+filepath.Join(chromium, "broken.json")+": not valid JSON", "fix or remove the broken Chromium policy file")

	expect(t, browserDoctor(t, `[]`, nil).Run(context.Background()), IDBrowser, Warn,
		"no web origin is allowed", `to "origins" in`)

	r = browserDoctor(t, `[{"origin": "http://hotel.example.vn"}, {"origin": "http://localhost:3000"}]`, nil).Run(context.Background())
	expect(t, r, IDBrowser, Warn, "not HTTPS: http://hotel.example.vn", "serve the desk app over HTTPS")
	if s := check(t, r, IDBrowser).Summary; !strings.HasSuffix(s, "; not HTTPS: http://hotel.example.vn") {
		t.Errorf("a loopback origin is a secure context: %s", s)
	}

	d := browserDoctor(t, two, nil)
	d.Policies = func() ([]BrowserPolicy, error) { return nil, ErrPoliciesNotChecked }
	expect(t, d.Run(context.Background()), IDBrowser, OK, "not checked on this OS")
}
