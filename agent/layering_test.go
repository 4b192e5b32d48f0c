package agent_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/idagent/idagent/"

// The agent's layers import what their job needs and no more (issue 18):
// the wire format knows only itself, and the simulator reaches the agent
// only through agent/simulate. Test files may use the simulator (it is
// their chip); production code may not.
func TestLayering(t *testing.T) {
	rules := []struct {
		dir       string // package directory, relative to agent/
		forbidden []string
		except    string // a directory the rule does not apply to
	}{
		{"protocol", []string{"emrtd", "nfc"}, ""},
		{".", []string{"emrtd/sim"}, "simulate"},
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		for _, r := range rules {
			inside := r.dir == "." || dir == r.dir || strings.HasPrefix(dir, r.dir+"/")
			if !inside || r.except != "" && (dir == r.except || strings.HasPrefix(dir, r.except+"/")) {
				continue
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range r.forbidden {
					if p == module+bad || strings.HasPrefix(p, module+bad+"/") {
						t.Errorf("agent/%s imports %s", path, p)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
