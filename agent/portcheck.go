package agent

// Exported for idagent doctor, which tells a free port from one held by
// another program and names that program, as Listen's error does.

// PortOwner names the process listening on a TCP port, as `"nginx" (pid
// 42)`, or returns "" when it cannot tell (outside Linux, or another user's
// process without root).
func PortOwner(port string) string { return portOwner(port) }

// IsAddrInUse reports a listen error meaning another socket holds the
// address.
func IsAddrInUse(err error) bool { return isAddrInUse(err) }

// IsAddrNotAvailable reports a listen error meaning the address does not
// exist on this machine (IPv6 turned off, a foreign IP).
func IsAddrNotAvailable(err error) bool { return isAddrNotAvail(err) }
