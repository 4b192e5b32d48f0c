//go:build windows

package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// readMachineSettings reads InstallerKey and PolicyKey from the 64-bit
// registry view (where the x64 installer and group policy write). Absent
// keys and values are no settings; a value of an unusable type or a key
// that cannot be read is an error naming it.
func readMachineSettings() (MachineSettings, error) {
	var m MachineSettings
	err := withKey(`SOFTWARE\idagent`, func(k registry.Key) error {
		var err error
		if m.InstallerOrigins, err = readValue(k, InstallerKey, "AllowedOrigins", false); err != nil {
			return err
		}
		m.InstallerPort, err = readValue(k, InstallerKey, "Port", true)
		return err
	})
	if err != nil {
		return MachineSettings{}, err
	}
	err = withKey(`SOFTWARE\Policies\idagent`, func(k registry.Key) error {
		var err error
		m.PolicyPort, err = readValue(k, PolicyKey, "Port", true)
		return err
	})
	if err != nil {
		return MachineSettings{}, err
	}
	err = withKey(`SOFTWARE\Policies\idagent\AllowedOrigins`, func(k registry.Key) error {
		names, err := k.ReadValueNames(0)
		if err != nil {
			return &Error{Key: PolicyKey + `\AllowedOrigins`, Msg: "cannot read: " + err.Error()}
		}
		SortListValueNames(names)
		for _, name := range names {
			v, err := readValue(k, PolicyKey+`\AllowedOrigins`, name, false)
			if err != nil {
				return err
			}
			if v != nil {
				m.PolicyOrigins = append(m.PolicyOrigins, *v)
			}
		}
		return nil
	})
	if err != nil {
		return MachineSettings{}, err
	}
	return m, nil
}

// withKey calls f with the HKLM key at path, if it exists.
func withKey(path string, f func(registry.Key) error) error {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Error{Key: `HKLM\` + path, Msg: "cannot open: " + err.Error()}
	}
	defer k.Close()
	return f(k)
}

// readValue reads one value as text, nil when it does not exist. Strings
// (REG_SZ, REG_EXPAND_SZ unexpanded, REG_MULTI_SZ joined with spaces) are
// always accepted; numbers (REG_DWORD, REG_QWORD) only when number is set.
func readValue(k registry.Key, keyName, name string, number bool) (*MachineValue, error) {
	full := keyName + `\` + name
	s, typ, err := k.GetStringValue(name)
	switch {
	case err == nil:
		return &MachineValue{Name: full, Data: s}, nil
	case errors.Is(err, registry.ErrNotExist):
		return nil, nil
	case !errors.Is(err, registry.ErrUnexpectedType):
		return nil, &Error{Key: full, Msg: "cannot read: " + err.Error()}
	}
	switch {
	case typ == registry.MULTI_SZ:
		ss, _, err := k.GetStringsValue(name)
		if err != nil {
			return nil, &Error{Key: full, Msg: "cannot read: " + err.Error()}
		}
		return &MachineValue{Name: full, Data: strings.Join(ss, " ")}, nil
	case number && (typ == registry.DWORD || typ == registry.QWORD):
		n, _, err := k.GetIntegerValue(name)
		if err != nil {
			return nil, &Error{Key: full, Msg: "cannot read: " + err.Error()}
		}
		return &MachineValue{Name: full, Data: strconv.FormatUint(n, 10)}, nil
	}
	want := "REG_SZ"
	if number {
		want = "REG_DWORD or REG_SZ"
	}
	return nil, &Error{Key: full, Msg: fmt.Sprintf("unusable registry type %d: want %s", typ, want)}
}
