# Makefile: release builds of idagent. `make dist` builds both packages
# into dist/ with the version, commit and build date stamped into the
# binary (`idagent version` prints them):
#
#   dist/idagent_$(VERSION)_amd64.deb    Debian/Ubuntu (installer/linux, nfpm)
#   dist/idagent-$(VERSION)-x64.msi      Windows (installer/windows, wixl,
#                                        signed with osslsigncode)
#
# VERSION comes from the VERSION file (override: make dist VERSION=1.2.3).
# The build date is the commit's date, so the same commit builds the same
# stamp. Signing uses IDAGENT_SIGN_PFX / IDAGENT_SIGN_PASSWORD when set and
# a generated TEST certificate otherwise (see installer/windows/README.md).
# Tests and development use scripts/test and scripts/run, not this file.

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

.PHONY: all dist deb msi binaries clean FORCE
all: dist
dist: deb msi
deb: $(DEB)
msi: $(MSI)
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

clean:
	rm -rf build dist

FORCE:
