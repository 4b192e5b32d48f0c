#!/usr/bin/env bash
# pcscd.sh starts pcscd when it is not running and waits until it answers on
# its socket and the vsmartcard vpcd driver listens for software cards
# (127.0.0.1:35963 for "Virtual PCD 00 00", 35964 for "Virtual PCD 00 01").
# Without systemd (containers, CI) nothing else starts pcscd.
set -euo pipefail

SOCKET=/run/pcscd/pcscd.comm
PIDFILE=/run/pcscd/pcscd.pid
TIMEOUT=${PCSCD_TIMEOUT:-15}

# running: the pid file names a live process (not a zombie) and the socket
# exists.
running() {
	[ -S "$SOCKET" ] && [ -r "$PIDFILE" ] || return 1
	local pid state
	pid=$(tr -d '\0 \n' <"$PIDFILE")
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
	[ "$state" != Z ]
}

# listening PORT: something listens on the TCP port (read from /proc so that
# no client connects: a connection to vpcd counts as a card).
listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

if ! running; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "pcscd.sh: pcscd is not running and starting it needs root (try: sudo $0)" >&2
		exit 1
	fi
	# A killed pcscd leaves its files behind, and pcscd refuses to start
	# while they name a process that still exists (even as a zombie).
	rm -f "$SOCKET" "$PIDFILE"
	echo "pcscd.sh: starting pcscd"
	pcscd
fi

for _ in $(seq $((TIMEOUT * 10))); do
	if running && listening 35963 && listening 35964; then
		exit 0
	fi
	sleep 0.1
done
if running; then
	echo "pcscd.sh: pcscd runs but the vpcd readers do not listen on 35963/35964; is vsmartcard-vpcd installed (scripts/deps.sh)?" >&2
else
	echo "pcscd.sh: pcscd did not start within ${TIMEOUT}s" >&2
fi
exit 1
