//go:build !windows

package config

import "os"

// programData is used only by GOOS=windows paths; elsewhere it follows the
// environment so that tests can ask what a Windows path would be.
func programData() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return d
	}
	return `C:\ProgramData`
}
