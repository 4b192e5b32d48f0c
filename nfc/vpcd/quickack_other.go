//go:build !linux

package vpcd

import "net"

// quickAck is a Linux option; elsewhere delayed ACKs stay as they are.
func quickAck(net.Conn) {}
