//go:build cgo || windows

package pcsc

import "time"

// PollingManager returns a Manager whose watchers poll the reader list, as
// on a service without PnP notifications (macOS).
func PollingManager() *Manager { return &Manager{noPnP: true, PollInterval: 200 * time.Millisecond} }
