#!/usr/bin/env bash
# deps.sh installs what building and testing idagent needs, and only what is
# missing, so running it again is cheap. It uses apt-get (Debian, Ubuntu) and
# needs root or sudo when something must be installed; apt-get update runs
# only when an install fails (stale package lists).
#
# Each dependency group is a function named in STEPS; to add one (a browser,
# node packages), write a function and append its name.
set -euo pipefail

STEPS=(cgo_toolchain pcsc packaging)

# cgo_toolchain: ebfe/scard links libpcsclite through cgo on Linux.
cgo_toolchain() {
	local pkgs=()
	command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
	command -v pkg-config >/dev/null || pkgs+=(pkg-config)
	apt_install "${pkgs[@]}"
}

# pcsc: the smart-card service, its headers and the virtual reader driver
# that the integration tests and `idagent sim` plug software chips into.
pcsc() {
	apt_install pcscd libpcsclite-dev vsmartcard-vpcd
}

# packaging: `make dist` and its tests build the .deb (nfpm, from Go) and
# the .msi (wixl), sign it (osslsigncode, openssl for the test certificate),
# inspect both (msitools, dpkg-deb, systemd-analyze) and install the .deb,
# once booting the package's unit under a real systemd (systemd-nspawn),
# and the .msi under Wine (wine, wine64: 64-bit only, about 80 packages).
# The unit booted under systemd is asked for /v1/health with curl, and the
# package's polkit rule is evaluated with node.
packaging() {
	local pkgs=(make wixl msitools osslsigncode openssl systemd-container wine wine64)
	command -v systemd-analyze >/dev/null || pkgs+=(systemd)
	command -v curl >/dev/null || pkgs+=(curl)
	command -v node >/dev/null || pkgs+=(nodejs)
	apt_install "${pkgs[@]}"
}

apt_who=deps
# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

if ! command -v apt-get >/dev/null; then
	echo "deps: apt-get not found; install by hand: gcc pkg-config pcscd libpcsclite-dev vsmartcard-vpcd make wixl msitools osslsigncode openssl systemd-container wine wine64 curl nodejs" >&2
	exit 1
fi
for step in "${STEPS[@]}"; do
	"$step"
done
