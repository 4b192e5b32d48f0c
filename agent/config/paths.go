package config

import (
	"os"
	"path/filepath"
	"runtime"
)

// DataDir is where the agent keeps its state (trust store) when installed:
// %ProgramData%\idagent on Windows, /Library/Application Support/idagent on
// macOS, /var/lib/idagent elsewhere. Never the working directory: a service
// starts in C:\Windows\System32 or /.
func DataDir() string {
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(programData(), "idagent")
	case "darwin":
		return "/Library/Application Support/idagent"
	}
	return "/var/lib/idagent"
}

// ConfigDir holds the configuration file: the data directory on Windows and
// macOS, /etc/idagent elsewhere.
func ConfigDir() string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return DataDir()
	}
	return "/etc/idagent"
}

// LogFileName is the service's log file in LogDir when the configuration
// names none (and in the configuration the installers write).
const LogFileName = "idagent.log"

// LogDir is where the service writes its log file.
func LogDir() string {
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(DataDir(), "logs")
	case "darwin":
		return "/Library/Logs/idagent"
	}
	return "/var/log/idagent"
}

// DefaultFile is the configuration file read when --config is not given.
// IDAGENT_CONFIG overrides it (tests, portable installs).
func DefaultFile() string {
	if f := os.Getenv("IDAGENT_CONFIG"); f != "" {
		return f
	}
	return filepath.Join(ConfigDir(), "config.json")
}
