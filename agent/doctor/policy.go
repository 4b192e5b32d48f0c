package doctor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// policyDir is a directory of managed policy files (JSON) of one browser.
type policyDir struct {
	Browser string
	Dir     string
}

// maxPolicyFile bounds a policy file: real ones are a few kilobytes.
const maxPolicyFile = 1 << 20

// readPolicyDirs reads LNAPolicies from the *.json files of each directory,
// as Chrome and Edge do on Linux: every file is one JSON object of
// policies, and a file that is not valid JSON is ignored whole. Browsers
// without a directory or without the policy are left out.
func readPolicyDirs(dirs []policyDir) []BrowserPolicy {
	var out []BrowserPolicy
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d.Dir, "*.json"))
		sort.Strings(files)
		p := BrowserPolicy{Browser: d.Browser}
		var sources []string
		for _, f := range files {
			allowed, err := readPolicyFile(f)
			if err != nil {
				p.Problem = fmt.Sprintf("%s: %v", f, err)
				continue
			}
			if allowed != nil {
				p.Allowed = append(p.Allowed, allowed...)
				sources = append(sources, f)
			}
		}
		p.Source = strings.Join(sources, ", ")
		if p.Allowed != nil || p.Problem != "" {
			out = append(out, p)
		}
	}
	return out
}

// readPolicyFile returns the union of the file's LNAPolicies lists, nil
// when it sets neither.
func readPolicyFile(file string) ([]string, error) {
	info, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxPolicyFile {
		return nil, fmt.Errorf("%d bytes: too large for a policy file", info.Size())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var policies map[string]json.RawMessage
	if err := json.Unmarshal(b, &policies); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	var allowed []string
	for _, name := range LNAPolicies {
		raw, ok := policies[name]
		if !ok {
			continue
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%s is not a list of strings", name)
		}
		// Non-nil even when empty: the file sets the policy.
		allowed = append(append([]string{}, allowed...), list...)
	}
	return allowed, nil
}
