//go:build !windows

package svc

// setRecovery: systemd (Restart=always) and launchd (KeepAlive) restart the
// agent by their unit and property list; nothing to do at start.
func setRecovery() error { return nil }
