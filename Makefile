# Makefile: release builds of idagent. `make dist` builds both packages
# into dist/ with the version, commit and build date stamped into the
# binary (`idagent version` prints them):
#
#   dist/idagent_$(VERSION)_amd64.deb    Debian/Ubuntu (installer/linux, nfpm)
#   dist/idagent-$(VERSION)-x64.msi      Windows (installer/windows, wixl,
#                                        signed with osslsigncode)
#   dist/idagent-client-$(VERSION).tgz   the JS client for npm (web/client,
#                                        npm pack): npm install ./that.tgz
#
# VERSION comes from the VERSION file (override: make dist VERSION=1.2.3).
# The build date is the commit's date, so the same commit builds the same
# stamp. Signing uses IDAGENT_SIGN_PFX / IDAGENT_SIGN_PASSWORD when set and
# a generated TEST certificate otherwise (see installer/windows/README.md).
# The tools come from scripts/deps.sh build packaging (apt-get, as root or
# with sudo, only for what is missing). Tests and development use
# scripts/test and scripts/run, not this file.

VERSION ?= $(shell cat VERSION)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null | grep . || date -u +%Y-%m-%dT%H:%M:%SZ)

# SOURCE_DATE_EPOCH (the commit's time) makes the .deb reproducible: nfpm
# dates its files with it.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)

LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
GOBUILD := go build -trimpath -ldflags "$(LDFLAGS)"

LINUX_BIN   := build/linux-amd64/idagent
WINDOWS_BIN := build/windows-amd64/idagent.exe
DEB := dist/idagent_$(VERSION)_amd64.deb
MSI := dist/idagent-$(VERSION)-x64.msi
NPM := dist/idagent-client-$(VERSION).tgz

.PHONY: all dist deb msi npm deps binaries clean FORCE
all: dist
dist: deps deb msi npm
deb: $(DEB)
msi: $(MSI)
npm: $(NPM)
deps:
	scripts/deps.sh build packaging
binaries: $(LINUX_BIN) $(WINDOWS_BIN)

# The binaries are always rebuilt (FORCE): go build is cached and knows the
# dependencies; make does not.
$(LINUX_BIN): FORCE
	TZ=UTC CGO_ENABLED=1 GOOS=linux GOARCH=amd64 $(GOBUILD) -buildmode=pie -o $@ ./cmd/idagent

# Windows builds need no cgo: ebfe/scard calls winscard.dll directly.
$(WINDOWS_BIN): FORCE
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GOBUILD) -o $@ ./cmd/idagent

$(DEB): $(LINUX_BIN)
	go run ./installer/linux --version $(VERSION) --binary $(LINUX_BIN) --out $@

$(MSI): $(WINDOWS_BIN)
	installer/windows/build.sh --version $(VERSION) --binary $(WINDOWS_BIN) --out $@

# The npm package is packed from a copy in build/npm with the release's
# version (package.json and the client's VERSION) and the LICENSE, so
# that make dist VERSION=x.y.z packs x.y.z.
$(NPM): FORCE
	rm -rf build/npm && mkdir -p build/npm dist
	cp -R web/client/. build/npm/
	cp LICENSE build/npm/LICENSE
	cd build/npm && npm pkg set version=$(VERSION) >/dev/null
	sed -i "s/^export const VERSION = '.*';/export const VERSION = '$(VERSION)';/" build/npm/idagent.js
	grep -q "^export const VERSION = '$(VERSION)';" build/npm/idagent.js
	cd build/npm && npm pack --silent --pack-destination ../../dist >/dev/null
	test -s $@

clean:
	rm -rf build dist

FORCE:
