//go:build !windows

package svc

import "os"

// ProtectDataDir creates dir if needed. Outside Windows the data
// directories (/var/lib/idagent, /etc/idagent) already belong to root and
// are not writable by other users.
func ProtectDataDir(dir string) error { return os.MkdirAll(dir, 0o755) }
