package main

import (
	"fmt"
	"os"

	"github.com/idagent/idagent/agent/config"
)

// LogFile is the service log file named in the installed configuration:
// config.LogDir() on a Windows machine whose ProgramData is the default.
const LogFile = `C:\ProgramData\idagent\logs\idagent.log`

// InitialConfig is the config.json the MSI installs.
func InitialConfig() []byte { return config.InitialFile(LogFile) }

func main() {
	if len(os.Args) != 2 || os.Args[1] != "initial-config" {
		fmt.Fprintln(os.Stderr, "usage: go run ./installer/windows initial-config > config.json")
		os.Exit(64)
	}
	if _, err := os.Stdout.Write(InitialConfig()); err != nil {
		fmt.Fprintln(os.Stderr, "installer/windows:", err)
		os.Exit(1)
	}
}
