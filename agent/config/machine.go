package config

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Machine settings come from outside the configuration file: on Windows the
// installer (msiexec ORIGINS=… PORT=…) writes them to InstallerKey and group
// policy to PolicyKey. Load overlays them onto the file (or the defaults),
// so every command sees the configuration the service runs with. Elsewhere
// there are none. See docs/CONFIG.md, "Windows: installer properties and
// group policy".
const (
	// InstallerKey holds AllowedOrigins (REG_SZ, origins separated by
	// spaces, commas or semicolons) and Port (REG_SZ or REG_DWORD).
	InstallerKey = `HKLM\SOFTWARE\idagent`
	// PolicyKey holds Port (REG_DWORD) and the subkey AllowedOrigins, one
	// origin per value named 1, 2, … like Chrome's list policies.
	PolicyKey = `HKLM\SOFTWARE\Policies\idagent`
)

// MachineValue is one registry value of the machine settings.
type MachineValue struct {
	// Name is the value's full name, key and value name, used in errors:
	// HKLM\SOFTWARE\Policies\idagent\AllowedOrigins\1.
	Name string
	// Data is the value as text: REG_SZ as it is, REG_DWORD in decimal,
	// REG_MULTI_SZ joined with spaces.
	Data string
}

// MachineSettings are the registry values that configure the agent besides
// the file. Nil or empty fields are absent.
type MachineSettings struct {
	InstallerOrigins *MachineValue  // InstallerKey\AllowedOrigins
	InstallerPort    *MachineValue  // InstallerKey\Port
	PolicyOrigins    []MachineValue // the values of PolicyKey\AllowedOrigins, in name order
	PolicyPort       *MachineValue  // PolicyKey\Port
}

// readMachine reads the machine settings (machine_windows.go,
// machine_other.go); tests replace it.
var readMachine = readMachineSettings

// ReadMachineSettings returns this machine's settings: the registry values
// on Windows, none elsewhere.
func ReadMachineSettings() (MachineSettings, error) { return readMachine() }

// applyMachine overlays this machine's settings onto cfg.
func applyMachine(cfg *Config) error {
	m, err := readMachine()
	if err != nil || m.empty() {
		return err
	}
	return m.Apply(cfg)
}

func (m MachineSettings) empty() bool {
	return m.InstallerOrigins == nil && m.InstallerPort == nil && len(m.PolicyOrigins) == 0 && m.PolicyPort == nil
}

// Apply overlays m onto cfg. Origins of every source are merged: one the
// configuration does not list yet is added with cfg.OriginDefaults, the
// file's defaultPolicy (an origin the file lists keeps its own policy). The port is the policy's,
// else the installer's, else the file's; it replaces the port of every
// listen address and keeps the host. cfg.MachineSources records each value
// used. A bad value gives a *Error whose Key names the registry value;
// cfg is then unchanged.
func (m MachineSettings) Apply(cfg *Config) error {
	var origins []MachineValue
	if m.InstallerOrigins != nil {
		origins = append(origins, *m.InstallerOrigins)
	}
	origins = append(origins, m.PolicyOrigins...)
	add := map[string]bool{}
	var order []string
	var sources []string
	for _, v := range origins {
		var got []string
		for _, s := range splitOrigins(v.Data) {
			o, err := NormalizeOrigin(s)
			if err != nil {
				return &Error{Key: v.Name, Msg: err.Error()}
			}
			got = append(got, o)
			if _, inFile := cfg.Origins[o]; inFile || add[o] {
				continue
			}
			add[o] = true
			order = append(order, o)
		}
		if len(got) > 0 {
			sources = append(sources, v.Name+": "+strings.Join(got, " "))
		}
	}
	port := 0
	for _, v := range []*MachineValue{m.PolicyPort, m.InstallerPort} {
		if v == nil || strings.TrimSpace(v.Data) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v.Data))
		if err != nil || n < 1 || n > 65535 {
			return &Error{Key: v.Name, Msg: fmt.Sprintf("%q: want a port between 1 and 65535", v.Data)}
		}
		if port != 0 {
			sources = append(sources, fmt.Sprintf("%s: %d (overridden by %s)", v.Name, n, m.PolicyPort.Name))
			continue
		}
		port = n
		sources = append(sources, fmt.Sprintf("%s: %d", v.Name, n))
	}
	listen := cfg.Listen
	if port != 0 {
		listen = make([]string, len(cfg.Listen))
		for i, a := range cfg.Listen {
			host, _, err := net.SplitHostPort(a)
			if err != nil {
				return &Error{Key: fmt.Sprintf("listen[%d]", i), Msg: fmt.Sprintf("%q is not host:port", a)}
			}
			listen[i] = net.JoinHostPort(host, strconv.Itoa(port))
		}
	}
	for _, o := range order {
		cfg.Origins[o] = cfg.OriginDefaults
	}
	cfg.Listen = listen
	cfg.MachineSources = append(cfg.MachineSources, sources...)
	return nil
}

// splitOrigins splits a list of origins separated by white space, commas
// or semicolons.
func splitOrigins(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	})
}

// SortListValueNames orders registry value names as a list policy (idagent's
// AllowedOrigins, Chrome's and Edge's URL lists) numbers them: numerically
// ("2" before "10"), then other names alphabetically.
func SortListValueNames(names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		a, aErr := strconv.ParseUint(names[i], 10, 64)
		b, bErr := strconv.ParseUint(names[j], 10, 64)
		switch {
		case aErr == nil && bErr == nil:
			return a < b
		case aErr == nil:
			return true
		case bErr == nil:
			return false
		}
		return names[i] < names[j]
	})
}
