package vpcd

import (
	"net"
	"syscall"
)

// quickAck asks Linux to acknowledge the next segments at once instead of
// delaying the ACK. The vpcd driver writes the length and the payload of a
// message with two send calls on a socket with Nagle's algorithm on, so the
// payload waits for the ACK of the length: a delayed ACK would add about
// 40 ms to every exchange. Linux drops quick-ACK mode by itself, so it is
// set again before every read.
func quickAck(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
