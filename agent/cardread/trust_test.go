package cardread

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/idagent/idagent/emrtd/sim"
)

// trustStore (config) names a store directory or one file; a missing path
// is an empty store; anything else is an error.
func TestOpenTrust(t *testing.T) {
	dir := t.TempDir()
	der := filepath.Join(dir, "csca.der")
	if err := os.WriteFile(der, sim.TrustAnchor(), 0o600); err != nil {
		t.Fatal(err)
	}
	storeDir := filepath.Join(dir, "store")
	if err := os.MkdirAll(filepath.Join(storeDir, "csca"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(storeDir, "csca", "vn.der"), sim.TrustAnchor(), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(garbage, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, state string
		anchors           int
		fails             bool
	}{
		{"file", der, "loaded", 1, false},
		{"directory", storeDir, "loaded", 1, false},
		{"missing", filepath.Join(dir, "none"), "empty", 0, false},
		{"not trust data", garbage, "error", 0, true},
		{"device", os.DevNull, "error", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, st, err := OpenTrust(tc.path)
			if (err != nil) != tc.fails || s == nil || st.State != tc.state || st.Anchors != tc.anchors {
				t.Fatalf("state %+v, err %v", st, err)
			}
		})
	}
}
