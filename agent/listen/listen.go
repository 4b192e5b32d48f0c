// Package listen opens the agent's listening sockets and explains why one
// cannot be opened: a port another program holds (naming it when the OS
// can tell), an address this machine does not have. The agent uses it at
// start and idagent doctor to tell the two apart.
package listen

import (
	"errors"
	"fmt"
	"net"

	"go.uber.org/zap"
)

// Open opens the listeners. An address the machine does not have (no IPv6
// loopback) is skipped with a warning as long as another one works; a port
// in use is an error naming the process that holds it when the OS can tell.
func Open(addrs []string, log *zap.Logger) ([]net.Listener, error) {
	var ls []net.Listener
	var skipped []error
	for _, addr := range addrs {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			ls = append(ls, l)
			continue
		}
		if IsAddrInUse(err) {
			closeAll(ls)
			return nil, fmt.Errorf("listen on %s: %w", addr, portInUse(addr))
		}
		if IsAddrNotAvailable(err) {
			skipped = append(skipped, fmt.Errorf("listen on %s: %w", addr, err))
			if log != nil {
				log.Warn("address not available on this machine: skipped", zap.String("addr", addr))
			}
			continue
		}
		closeAll(ls)
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if len(ls) == 0 {
		return nil, errors.Join(append([]error{errors.New("no address to listen on")}, skipped...)...)
	}
	return ls, nil
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

// ErrPortInUse is wrapped by Open's error when another process holds the
// port.
var ErrPortInUse = errors.New("the port is in use")

func portInUse(addr string) error {
	_, port, _ := net.SplitHostPort(addr)
	if owner := Owner(port); owner != "" {
		return fmt.Errorf("%w by %s (stop it, or choose another port with --listen or \"listen\" in the configuration)", ErrPortInUse, owner)
	}
	return fmt.Errorf("%w by another program (is idagent already running?)", ErrPortInUse)
}
