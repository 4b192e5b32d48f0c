# apt.sh is sourced by the scripts that install Debian packages (deps.sh,
# test-web.sh): apt_install installs only what is missing, as root or
# through sudo, and updates the package lists only when an install fails.
# Messages start with $apt_who (the calling script's name).

# apt_install installs the named Debian packages that are not installed yet.
# With DEPS_DRY_RUN=1 it prints them ("would install: ...") instead; with
# DEPS_ASSUME_FRESH=1 every package counts as missing.
apt_install() {
	local missing=() p
	for p in "$@"; do
		if [ "${DEPS_ASSUME_FRESH:-}" = 1 ] || ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
			missing+=("$p")
		fi
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	if [ "${DEPS_DRY_RUN:-}" = 1 ]; then
		echo "${apt_who:-apt}: would install ${missing[*]}"
		return 0
	fi
	echo "${apt_who:-apt}: installing ${missing[*]}"
	if ! as_root apt-get install -y -q "${missing[@]}"; then
		echo "${apt_who:-apt}: install failed; updating the package lists and retrying"
		as_root apt-get update -q
		as_root apt-get install -y -q "${missing[@]}"
	fi
}

# as_root runs a command as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive "$@"
	elif command -v sudo >/dev/null; then
		sudo DEBIAN_FRONTEND=noninteractive "$@"
	else
		echo "${apt_who:-apt}: need root to run: $*" >&2
		return 1
	fi
}
