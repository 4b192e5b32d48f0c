//go:build windows

package svc

import (
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// setRecovery gives the service the restart-on-failure actions that the
// MSI (sc.exe failure, installer/windows/idagent.wxs) and `idagent service
// install` set: restart after 5 s, 5 s, then 30 s, the count reset after a
// day without failure, a stop with an error exit code counting as a
// failure. The service sets them itself at every start, so they come back
// if the installer's step failed or someone cleared them.
func setRecovery() error {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return fmt.Errorf("open the service manager: %w", err)
	}
	defer windows.CloseServiceHandle(scm)
	name, err := windows.UTF16PtrFromString(Name)
	if err != nil {
		return err
	}
	// SERVICE_START: SC_ACTION_RESTART needs it besides CHANGE_CONFIG.
	h, err := windows.OpenService(scm, name, windows.SERVICE_CHANGE_CONFIG|windows.SERVICE_START)
	if err != nil {
		return fmt.Errorf("open service %s: %w", Name, err)
	}
	s := &mgr.Service{Name: Name, Handle: h}
	defer s.Close()
	err = s.SetRecoveryActions([]mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
	}, 24*60*60)
	if err != nil {
		return fmt.Errorf("set the recovery actions: %w", err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return fmt.Errorf("set the recovery actions on non-crash failures: %w", err)
	}
	return nil
}
