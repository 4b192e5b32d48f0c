//go:build windows

package config

import (
	"os"

	"golang.org/x/sys/windows"
)

// programData is the machine-wide data folder. It is asked of the shell's
// known folders first: the %ProgramData% variable is the user's
// environment, which a service may not share (Wine gives services another
// one), and the MSI writes to the known folder (CommonAppDataFolder).
func programData() string {
	if d, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0); err == nil && d != "" {
		return d
	}
	if d := os.Getenv("ProgramData"); d != "" {
		return d
	}
	return `C:\ProgramData`
}
