#!/usr/bin/env bash
# test-web.sh runs the browser side's tests: the JavaScript client against a
# real `idagent run --simulate`, and the desk pages in Debian's chromium
# driven by playwright-core. It installs what is missing (chromium through
# apt-get, web/node_modules through `npm ci`), builds the agent once, and
# leaves screenshots in artifacts/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_who=test-web
# shellcheck source=scripts/apt.sh
. scripts/apt.sh

command -v node >/dev/null || apt_install nodejs npm
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || apt_install chromium
# npm writes node_modules/.package-lock.json: install when it is missing or
# older than the lock file (a dependency was added or changed).
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
	# Never let a package download a browser of its own: Debian's is used.
	(cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# Screenshots are of this run only: a state no test shows any more leaves.
rm -rf artifacts/screenshots

bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/idagent" ./cmd/idagent

cd web
IDAGENT_BIN="$bin_dir/idagent" node testing/run.js "$@"
