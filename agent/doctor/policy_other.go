//go:build !windows

package doctor

import "runtime"

// linuxPolicyDirs are where Chrome, Chromium and Edge read their mandatory
// (managed) policies on Linux.
var linuxPolicyDirs = []policyDir{
	{"Chrome", "/etc/opt/chrome/policies/managed"},
	{"Chromium", "/etc/chromium/policies/managed"},
	{"Edge", "/etc/opt/edge/policies/managed"},
}

// SystemPolicies reads the browsers' managed LNAPolicy on this PC.
func SystemPolicies() ([]BrowserPolicy, error) {
	if runtime.GOOS != "linux" {
		return nil, ErrPoliciesNotChecked
	}
	return readPolicyDirs(linuxPolicyDirs), nil
}
