#!/usr/bin/env bash
# deps.sh installs what idagent needs for a purpose, and only what is
# missing, so running it again is cheap. It uses apt-get (Debian, Ubuntu)
# and needs root or sudo only when something must be installed; apt-get
# update runs only when an install fails (stale package lists).
#
#   scripts/deps.sh build        what building and running the agent needs
#                                (scripts/run): the cgo toolchain and the
#                                libpcsclite headers
#   scripts/deps.sh pcsc         the smart-card service and the vsmartcard
#                                virtual reader (tests, idagent sim)
#   scripts/deps.sh packaging    what `make dist` and its tests need (wixl,
#                                msitools, osslsigncode, Wine, npm, ...)
#   scripts/deps.sh redis        redis-server, which the verification
#                                service's replica tests run
#   scripts/deps.sh              all of them (scripts/test, CI)
#
# DEPS_DRY_RUN=1 prints what would be installed instead of installing it;
# with DEPS_ASSUME_FRESH=1 too, as on a machine where nothing is installed
# (scripts/deps_test.go checks the run path with them).
set -euo pipefail

GROUPS_ALL=(build pcsc packaging redis)

# have CMD: the command exists (never, on an assumed fresh machine).
have() {
	[ "${DEPS_ASSUME_FRESH:-}" != 1 ] && command -v "$1" >/dev/null
}

# build: ebfe/scard links libpcsclite through cgo on Linux, so building
# needs a C compiler, pkg-config and the library's headers; nothing else,
# since `idagent run --simulate` needs no pcscd.
build() {
	local pkgs=(libpcsclite-dev)
	have gcc || pkgs+=(gcc libc6-dev)
	have pkg-config || pkgs+=(pkg-config)
	apt_install "${pkgs[@]}"
}

# pcsc: the smart-card service and the virtual reader driver that the
# integration tests and `idagent sim` plug software chips into.
pcsc() {
	apt_install pcscd libpcsclite-dev vsmartcard-vpcd
}

# packaging: `make dist` and its tests build the .deb (nfpm, from Go), the
# .msi (wixl) and the npm tarball of the JS client (npm pack), sign the
# .msi (osslsigncode, openssl for the test certificate), inspect both
# packages (msitools, dpkg-deb, systemd-analyze) and install the .deb, once
# booting the package's unit under a real systemd (systemd-nspawn), and the
# .msi under Wine (wine, wine64: 64-bit only, about 80 packages). The unit
# booted under systemd is asked for /v1/health with curl, and the package's
# polkit rule is evaluated with node.
packaging() {
	local pkgs=(make wixl msitools osslsigncode openssl systemd-container wine wine64)
	have systemd-analyze || pkgs+=(systemd)
	have curl || pkgs+=(curl)
	have node || pkgs+=(nodejs)
	have npm || pkgs+=(npm)
	apt_install "${pkgs[@]}"
}

# redis: replicas of the verification service (idagent verifier) share
# their challenges through Redis; its tests run a real redis-server
# (IDAGENT_REQUIRE_REDIS=1 in CI).
redis() {
	apt_install redis-server
}

apt_who=deps
# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

groups=("$@")
[ "${#groups[@]}" -eq 0 ] && groups=("${GROUPS_ALL[@]}")
for g in "${groups[@]}"; do
	case "$g" in
	build | pcsc | packaging | redis) ;;
	*)
		echo "deps: unknown group \"$g\": want build, pcsc, packaging or redis" >&2
		exit 64
		;;
	esac
done

if [ "${DEPS_DRY_RUN:-}" != 1 ] && ! command -v apt-get >/dev/null; then
	echo "deps: apt-get not found; install by hand what the groups ${groups[*]} name (see the comments in $0)" >&2
	exit 1
fi
for g in "${groups[@]}"; do
	"$g"
done
