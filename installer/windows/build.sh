#!/usr/bin/env bash
# installer/windows/build.sh: the signed Windows installer of idagent, built
# on Linux (Debian: wixl, msitools, osslsigncode, openssl, Go).
#
#   installer/windows/build.sh --version 0.1.0 \
#       --binary build/windows-amd64/idagent.exe --out dist/idagent-0.1.0-x64.msi
#
# Steps, in build/msi/ (kept for inspection):
#   1. config.json: config.InitialFile with the Windows service log file
#      (go run ./installer/windows initial-config);
#   2. idagent.exe: the binary, Authenticode-signed; LICENSE.txt, the
#      repository's LICENSE (Apache-2.0);
#   3. idagent.wxs → MSI with wixl -a x64;
#   4. fix-ups with msibuild for what wixl 0.101 cannot express (the list is
#      in idagent.wxs and below);
#   5. the MSI, Authenticode-signed, to --out; both signatures verified.
#
# Signing: IDAGENT_SIGN_PFX (a PKCS#12 file with the code-signing key and
# certificate chain) and IDAGENT_SIGN_PASSWORD; IDAGENT_SIGN_TIMESTAMP_URL
# (an RFC 3161 timestamp server) adds a timestamp, so the signature outlives
# the certificate; leave it unset in CI (no network). IDAGENT_SIGN_CAFILE
# (PEM) is the root the signatures are verified against when it is not in
# the system store. Without IDAGENT_SIGN_PFX the MSI is signed with a TEST
# certificate generated in build/testsign/ (root-ca.pem is its root): fine
# for tests, never for release; Windows does not trust it.
set -euo pipefail

me=installer/windows/build.sh
die() {
	echo "$me: $*" >&2
	exit 1
}
usage() {
	cat <<EOF
usage: $me --version A.B.C --binary idagent.exe --out idagent-A.B.C-x64.msi

  --version  the product version: three numbers, major and minor 0-255,
             build 0-65535 (the MSI ProductVersion)
  --binary   the Windows amd64 idagent.exe (CGO_ENABLED=0 GOOS=windows GOARCH=amd64)
  --out      the MSI to write; its directory is created

Signing: IDAGENT_SIGN_PFX, IDAGENT_SIGN_PASSWORD, IDAGENT_SIGN_TIMESTAMP_URL,
IDAGENT_SIGN_CAFILE; without IDAGENT_SIGN_PFX a TEST certificate signs.
EOF
}

version='' binary='' out=''
while [ $# -gt 0 ]; do
	case $1 in
	--version | --binary | --out)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--version) version=$2 ;;
		--binary) binary=$2 ;;
		--out) out=$2 ;;
		esac
		shift 2
		;;
	--version=*) version=${1#*=} && shift ;;
	--binary=*) binary=${1#*=} && shift ;;
	--out=*) out=${1#*=} && shift ;;
	-h | --help) usage && exit 0 ;;
	*) usage >&2 && die "unknown argument '$1'" ;;
	esac
done
[ -n "$version" ] && [ -n "$binary" ] && [ -n "$out" ] || {
	usage >&2
	die "--version, --binary and --out are required"
}

# An MSI ProductVersion is major.minor.build: 0-255, 0-255, 0-65535.
# Windows Installer compares only these three fields, so a suffix such as
# -rc1 or a fourth field would make different builds look the same.
num='(0|[1-9][0-9]{0,4})'
if ! [[ $version =~ ^$num\.$num\.$num$ ]] ||
	((BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 65535)); then
	die "version '$version' is not usable as an MSI ProductVersion: want three numbers a.b.c (major and minor 0-255, build 0-65535, no leading zeros, no suffix), e.g. 0.1.0"
fi
case $out in *.msi) ;; *) die "--out '$out' must end in .msi" ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac }
binary=$(abspath "$binary")
out=$(abspath "$out")

for tool in wixl msibuild msiinfo osslsigncode openssl go od; do
	command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install wixl msitools osslsigncode openssl; and Go)"
done

# The binary must be a Windows x64 executable: MZ, then PE\0\0 with machine
# 0x8664 at the offset stored at 0x3c.
[ -f "$binary" ] || die "--binary '$binary' does not exist (build it: CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -o $binary ./cmd/idagent)"
bytes() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
pe=$(bytes "$binary" 60 4)
pe=$((16#${pe:6:2}${pe:4:2}${pe:2:2}${pe:0:2}))
if [ "$(bytes "$binary" 0 2)" != 4d5a ] || [ "$(bytes "$binary" "$pe" 6)" != 504500006486 ]; then
	die "--binary '$binary' is not a Windows x64 executable"
fi

stage=$root/build/msi
rm -rf "$stage"
mkdir -p "$stage" "$(dirname "$out")"
log=$stage/build.log
: >"$log"
run() { # run CMD...: quiet unless it fails
	if ! "$@" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "failed: $*"
	fi
}

# --- signing identity ---------------------------------------------------
test_password=idagent-test-only
test_chain() { # build/testsign/: a TEST root CA and a code-signing leaf
	local d=$root/build/testsign
	if [ -s "$d/signer.pfx" ] && [ -s "$d/root-ca.pem" ] &&
		openssl x509 -in "$d/signer.pem" -noout -checkend 604800 >/dev/null 2>&1; then
		return
	fi
	rm -rf "$d"
	mkdir -p "$d"
	chmod 700 "$d"
	run openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 \
		-keyout "$d/root-ca.key" -out "$d/root-ca.pem" \
		-subj "/O=idagent TEST/CN=idagent TEST code signing root - NOT TRUSTED" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash"
	run openssl req -new -newkey rsa:3072 -sha256 -nodes -keyout "$d/signer.key" -out "$d/signer.csr" \
		-subj "/O=idagent TEST/CN=idagent TEST code signing - NOT FOR RELEASE"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=critical,codeSigning" "subjectKeyIdentifier=hash" \
		"authorityKeyIdentifier=keyid,issuer" >"$d/signer.ext"
	run openssl x509 -req -sha256 -days 825 -in "$d/signer.csr" -CA "$d/root-ca.pem" -CAkey "$d/root-ca.key" \
		-set_serial "0x$(openssl rand -hex 12)" -extfile "$d/signer.ext" -out "$d/signer.pem"
	run openssl pkcs12 -export -inkey "$d/signer.key" -in "$d/signer.pem" -certfile "$d/root-ca.pem" \
		-name "idagent TEST code signing" -passout "pass:$test_password" -out "$d/signer.pfx"
}
test_banner() {
	cat >&2 <<EOF
**************************************************************************
$me: IDAGENT_SIGN_PFX is not set: signing with a TEST certificate
  "idagent TEST code signing - NOT FOR RELEASE" (build/testsign/).
  Windows does not trust it (SmartScreen, "unknown publisher").
  Fine for tests; DO NOT SHIP this MSI. Releases set IDAGENT_SIGN_PFX and
  IDAGENT_SIGN_PASSWORD (installer/windows/README.md, "Signing").
**************************************************************************
EOF
}

timestamp=${IDAGENT_SIGN_TIMESTAMP_URL:-}
if [ -n "${IDAGENT_SIGN_PFX:-}" ]; then
	pfx=$(abspath "$IDAGENT_SIGN_PFX")
	[ -r "$pfx" ] || die "IDAGENT_SIGN_PFX '$pfx' is not a readable file"
	password=${IDAGENT_SIGN_PASSWORD:-}
	cafile=${IDAGENT_SIGN_CAFILE:-}
	signer=release
else
	test_banner
	test_chain
	pfx=$root/build/testsign/signer.pfx
	password=$test_password
	cafile=$root/build/testsign/root-ca.pem
	signer=TEST
	if [ -n "$timestamp" ]; then
		echo "$me: IDAGENT_SIGN_TIMESTAMP_URL ignored: no timestamp for a TEST signature" >&2
		timestamp=''
	fi
fi

sign() { # sign IN OUT [osslsigncode options...]
	local in=$1 dst=$2
	shift 2
	local args=(sign -pkcs12 "$pfx" -readpass - -h sha256 -n idagent -i https://github.com/idagent/idagent "$@")
	if [ -n "$timestamp" ]; then
		args+=(-ts "$timestamp")
	fi
	rm -f "$dst"
	# The password goes through a pipe, not the command line (ps).
	if ! printf '%s' "$password" | osslsigncode "${args[@]}" -in "$in" -out "$dst" >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "signing $(basename "$in") failed"
	fi
}
verify() { # verify FILE: the signature is intact and chains to the root
	local args=(verify -in "$1")
	if [ -n "$cafile" ]; then
		args+=(-CAfile "$cafile")
	fi
	if ! osslsigncode "${args[@]}" >"$stage/verify-$(basename "$1").txt" 2>&1; then
		cat "$stage/verify-$(basename "$1").txt" >&2
		if [ "$signer" = release ] && [ -z "$cafile" ]; then
			die "signature of $1 does not verify against the system CA store; set IDAGENT_SIGN_CAFILE to the PEM root of your code-signing certificate"
		fi
		die "signature of $1 does not verify"
	fi
}

# --- 1, 2: the payload --------------------------------------------------
(cd "$root" && go run ./installer/windows initial-config) >"$stage/config.json" ||
	die "go run ./installer/windows initial-config failed"
sign "$binary" "$stage/idagent.exe"
verify "$stage/idagent.exe"
# The licence, with Windows line ends so Notepad shows it whole.
sed 's/$/\r/' "$root/LICENSE" >"$stage/LICENSE.txt"

# --- 3: wixl --------------------------------------------------------------
# wixl reports attributes it does not know as GLib warnings and goes on;
# any output means idagent.wxs asks for something the MSI would lack.
unsigned=$stage/idagent-unsigned.msi
if ! (cd "$stage" && wixl -a x64 -D "Version=$version" -o "$unsigned" "$here/idagent.wxs") >"$stage/wixl.txt" 2>&1 ||
	[ -s "$stage/wixl.txt" ]; then
	cat "$stage/wixl.txt" >&2
	die "wixl failed or warned (see above)"
fi

# --- 4: fix-ups wixl 0.101 cannot express (see idagent.wxs) ----------------
q() { run msibuild "$unsigned" -q "$1"; }
# Component attributes: 256 64-bit, 16 Permanent, 128 NeverOverwrite.
q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'Config'"
q "UPDATE \`Component\` SET \`Attributes\` = 272 WHERE \`Component\` = 'LogDir'"
q "UPDATE \`Component\` SET \`Attributes\` = 272 WHERE \`Component\` = 'TrustDir'"
# Registry values only when the property is given (or remembered).
q "UPDATE \`Component\` SET \`Condition\` = 'ORIGINS' WHERE \`Component\` = 'RegOrigins'"
q "UPDATE \`Component\` SET \`Condition\` = 'PORT' WHERE \`Component\` = 'RegPort'"
# Type 34 (exe + working directory) + 1024 deferred + 2048 no impersonation
# + 64 ignore the exit code; wixl wrote type 50 (exe named by a property).
q "UPDATE \`CustomAction\` SET \`Type\` = 3170 WHERE \`Action\` = 'ServiceRecovery'"
q "UPDATE \`CustomAction\` SET \`Type\` = 3170 WHERE \`Action\` = 'ServiceRecoveryFlag'"
# ErrorControl normal (1) + vital (0x8000): a failed service install fails
# the installation.
q "UPDATE \`ServiceInstall\` SET \`ErrorControl\` = 32769 WHERE \`ServiceInstall\` = 'idagent'"
# Upgrade: 1 migrate features + 512 VersionMax inclusive. Attributes is
# part of the Upgrade table's key, which libmsi cannot UPDATE: replace the
# row.
property() { msiinfo export "$unsigned" Property | tr -d '\r' | awk -F'\t' -v p="$1" '$1 == p { print $2 }'; }
upgrade_code=$(property UpgradeCode)
[ -n "$upgrade_code" ] || die "no UpgradeCode in the MSI"
q "DELETE FROM \`Upgrade\` WHERE \`ActionProperty\` = 'WIX_UPGRADE_DETECTED'"
q "INSERT INTO \`Upgrade\` (\`UpgradeCode\`, \`VersionMax\`, \`Attributes\`, \`ActionProperty\`) VALUES ('$upgrade_code', '$version', 513, 'WIX_UPGRADE_DETECTED')"
secure=$(property SecureCustomProperties)
q "UPDATE \`Property\` SET \`Value\` = '${secure:+$secure;}ORIGINS;PORT' WHERE \`Property\` = 'SecureCustomProperties'"
msiinfo export "$unsigned" Property | grep -q $'^SecureCustomProperties\t.*ORIGINS;PORT' ||
	die "fix-up of SecureCustomProperties did not apply"
# %ProgramData%\idagent and its logs and trust folders: a protected ACL
# (no inheritance from ProgramData, which lets Users create files in every
# subfolder), SYSTEM and Administrators full control, Users read and
# execute. Applied by CreateFolders (Windows Installer 5).
q "CREATE TABLE \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\` CHAR(72) NOT NULL, \`LockObject\` CHAR(72) NOT NULL, \`Table\` CHAR(32) NOT NULL, \`SDDL\` LONGCHAR NOT NULL, \`Condition\` CHAR(255) PRIMARY KEY \`MsiLockPermissionsEx\`)"
sddl='D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)'
for dir in DATADIR LOGDIR TRUSTDIR; do
	q "INSERT INTO \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\`, \`LockObject\`, \`Table\`, \`SDDL\`) VALUES ('Lock$dir', '$dir', 'CreateFolder', '$sddl')"
done

# --- 5: sign the MSI ------------------------------------------------------
sign "$unsigned" "$stage/signed.msi" -add-msi-dse
verify "$stage/signed.msi"
mv -f "$stage/signed.msi" "$out"

size=$(stat -c %s "$out")
echo "$me: $out ($((size / 1024)) KiB, version $version, signed: $signer)"
if [ "$signer" = TEST ]; then
	echo "$me: TEST signature - not for release (verify: osslsigncode verify -CAfile build/testsign/root-ca.pem -in $out)" >&2
fi
