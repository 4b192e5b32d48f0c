//go:build unix

package agent_test

import "syscall"

// smallReceiveBuffer shrinks a socket's receive buffer before it connects,
// so that a peer that never reads makes the agent's writes block early.
func smallReceiveBuffer(_, _ string, rc syscall.RawConn) error {
	return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
}
