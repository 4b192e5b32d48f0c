//go:build windows

package doctor

import (
	"errors"

	"golang.org/x/sys/windows/registry"

	"github.com/idagent/idagent/agent/config"
)

// policyKey is where one browser keeps a list policy in the registry:
// one string value per entry, named "1", "2", ...
type policyKey struct {
	Browser  string
	Root     registry.Key
	RootName string
	Path     string
}

// windowsPolicyKeys are the machine and user policy keys of Chrome,
// Chromium and Edge; Group Policy writes them.
var windowsPolicyKeys = func() []policyKey {
	var keys []policyKey
	for _, b := range []struct{ name, path string }{
		{"Chrome", `SOFTWARE\Policies\Google\Chrome\`},
		{"Chromium", `SOFTWARE\Policies\Chromium\`},
		{"Edge", `SOFTWARE\Policies\Microsoft\Edge\`},
	} {
		for _, name := range LNAPolicies {
			keys = append(keys,
				policyKey{b.name, registry.LOCAL_MACHINE, "HKLM", b.path + name},
				policyKey{b.name, registry.CURRENT_USER, "HKCU", b.path + name})
		}
	}
	return keys
}()

// SystemPolicies reads the browsers' managed LNAPolicies from the registry.
func SystemPolicies() ([]BrowserPolicy, error) {
	byBrowser := map[string]*BrowserPolicy{}
	var order []string
	for _, k := range windowsPolicyKeys {
		allowed, err := readPolicyKey(k)
		if errors.Is(err, registry.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		p := byBrowser[k.Browser]
		if p == nil {
			p = &BrowserPolicy{Browser: k.Browser}
			byBrowser[k.Browser] = p
			order = append(order, k.Browser)
		}
		if p.Source != "" {
			p.Source += ", "
		}
		p.Source += k.RootName + `\` + k.Path
		p.Allowed = append(p.Allowed, allowed...)
	}
	out := make([]BrowserPolicy, 0, len(order))
	for _, b := range order {
		out = append(out, *byBrowser[b])
	}
	return out, nil
}

// readPolicyKey returns the key's string values in their numeric order.
func readPolicyKey(k policyKey) ([]string, error) {
	key, err := registry.OpenKey(k.Root, k.Path, registry.QUERY_VALUE)
	if err != nil {
		return nil, err
	}
	defer key.Close()
	names, err := key.ReadValueNames(0)
	if err != nil {
		return nil, err
	}
	config.SortListValueNames(names)
	var out []string
	for _, n := range names {
		if v, _, err := key.GetStringValue(n); err == nil {
			out = append(out, v)
		}
	}
	return out, nil
}
