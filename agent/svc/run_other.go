//go:build !windows

package svc

import (
	"context"
	"errors"
)

// runWindowsService exists only on Windows.
func runWindowsService(context.Context, Program) error {
	return errors.New("not Windows")
}
