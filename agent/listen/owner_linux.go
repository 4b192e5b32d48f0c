package listen

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// IsAddrInUse reports a listen error meaning another socket holds the
// address.
func IsAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

// IsAddrNotAvailable reports a listen error meaning the address does not
// exist on this machine (IPv6 turned off, a foreign IP).
func IsAddrNotAvailable(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)
}

// Owner names the process listening on a TCP port, as `"nginx" (pid
// 42)`: it finds the socket's inode in /proc/net/tcp{,6} and the process
// holding that inode among /proc/*/fd. "" when it cannot tell (another
// user's process without root). Listen's error and idagent doctor use it.
func Owner(port string) string {
	p, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		listeningInodes(f, p, inodes)
	}
	if len(inodes) == 0 {
		return ""
	}
	pid := findSocketOwner(inodes)
	if pid == "" {
		return ""
	}
	comm, _ := os.ReadFile(filepath.Join("/proc", pid, "comm"))
	return fmt.Sprintf("%q (pid %s)", strings.TrimSpace(string(comm)), pid)
}

// listeningInodes adds the inodes of sockets in LISTEN state (0A) on port.
func listeningInodes(file string, port int, out map[string]bool) {
	f, err := os.Open(file)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" {
			continue
		}
		i := strings.LastIndexByte(fields[1], ':')
		if i < 0 {
			continue
		}
		if lp, err := strconv.ParseInt(fields[1][i+1:], 16, 32); err == nil && int(lp) == port {
			out[fields[9]] = true
		}
	}
}

func findSocketOwner(inodes map[string]bool) string {
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		if _, err := strconv.Atoi(p.Name()); err != nil {
			continue
		}
		fdDir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") && inodes[strings.TrimSuffix(link[8:], "]")] {
				return p.Name()
			}
		}
	}
	return ""
}
