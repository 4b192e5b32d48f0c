//go:build !windows

package config

// readMachineSettings: outside Windows there are no machine settings; the
// configuration file is all.
func readMachineSettings() (MachineSettings, error) { return MachineSettings{}, nil }
