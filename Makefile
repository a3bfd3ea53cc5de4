# Urna: `make run` shows the whole system, `make test` runs every test.
# Both install what is missing first (packaging/deps.sh).
SHELL := /bin/bash
export LANG ?= pl_PL.UTF-8
GO ?= go
BIN := bin
VERSION := $(shell awk -F'"' '/^[ \t]*Version/ {print $$2}' FyneApp.toml)
LDFLAGS := -X main.version=$(VERSION)
# Kiosks often run on software GL: no animations there.
TAGS := no_animations
# Fuzz targets run briefly in `make test`: package:target.
FUZZ := ./sync/election:FuzzParsePESEL ./sync/election:FuzzDecodeEdition ./sync/election:FuzzImportProjects ./kiosk/printer:FuzzDecodeStatus ./kiosk/printer/virtual:FuzzParser ./sync/wire:FuzzDecodeBatch ./sync/central/store:FuzzAppendStored
FUZZ += ./sync/pabulib:FuzzRead
FUZZ += ./sync/election:FuzzDecodePlan
FUZZ += ./kiosk/input:FuzzScanner
FUZZ += ./sync/central:FuzzClientKey ./sync/central:FuzzReadBackup
FUZZ += ./kiosk/printer:FuzzSplitter
FUZZ += ./sync/central/public:FuzzParseCost
FUZZTIME ?= 10s

.PHONY: deps test-deps build run test fuzz bench lint package screenshots clean cross cross-test

deps:
	@packaging/deps.sh

test-deps:
	@packaging/deps.sh test

build: deps
	$(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

run: build
	LANG=pl_PL.UTF-8 LC_ALL=pl_PL.UTF-8 $(BIN)/urna-kiosk --demo --data demo-data $(if $(DEMO_PHASE),--demo-phase $(DEMO_PHASE))

test: test-deps lint
	$(GO) test -count=1 -timeout 40m ./...
	@$(MAKE) --no-print-directory fuzz

fuzz:
	@for f in $(FUZZ); do pkg=$${f%%:*}; target=$${f##*:}; \
	  echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg > /tmp/urna-fuzz.log 2>&1 || { cat /tmp/urna-fuzz.log; exit 1; }; \
	done

bench: deps
	@packaging/deps.sh bench
	@$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 60m ./... | tee bench-report.txt | grep -E '^(Benchmark|ok|FAIL|---)' 

# Every kiosk screen at 1024x600, 1280x800, 1920x1080 and 1080x1920 in pl/en/uk with
# normal and large text (Fyne's software renderer),
# the real binary under Xvfb, and sample receipts and posters, in screenshots/.
screenshots: test-deps
	@command -v import >/dev/null || $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq imagemagick >/dev/null
	rm -rf screenshots && mkdir -p screenshots
	URNA_SCREENSHOTS=$(CURDIR)/screenshots $(GO) test -count=1 -run 'TestScreenshots|TestKioskUnderXvfb' ./kiosk/ui ./cmd/urna-kiosk
	URNA_POSTER_SAMPLES=$(CURDIR)/screenshots/posters $(GO) test -count=1 -run TestWriteSamples ./kiosk/poster
	URNA_SCREENS=$(CURDIR)/screenshots/staff $(GO) test -count=1 -run TestStaffScreenshots ./kiosk/ui
	URNA_RECEIPTS=$(CURDIR)/screenshots/reports $(GO) test -count=1 -run TestBallotsRefusedBeforeOpening ./kiosk/station
	@echo "screenshots in screenshots/"

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }

# Debian packages in dist/: release builds (-trimpath), version from FyneApp.toml;
# arm64 ones for Raspberry Pi kiosks, and the Windows .exe files in dist/windows/.
package: cross
	$(GO) build -trimpath -buildmode=pie -tags '$(TAGS)' -ldflags '-s -w $(LDFLAGS)' -o dist/bin/ ./cmd/...
	packaging/build-deb.sh $(VERSION) $$(dpkg --print-architecture) dist/bin dist
	URNA_HOST_BIN=dist/bin packaging/build-deb.sh $(VERSION) arm64 dist/arm64/bin dist

# Cross-builds with Debian's cross-compilers (packaging/deps.sh package installs them);
# packaging/cross_test.go builds the same way and runs them under qemu and Wine.
ARM64_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
WINDOWS_ENV := GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc
cross:
	@packaging/deps.sh package
	$(ARM64_ENV) $(GO) build -trimpath -buildmode=pie -tags '$(TAGS)' -ldflags '-s -w $(LDFLAGS)' -o dist/arm64/bin/ ./cmd/urna-kiosk ./cmd/urnactl ./cmd/urna-central
	$(WINDOWS_ENV) $(GO) build -trimpath -tags '$(TAGS)' -ldflags '-s -w $(LDFLAGS)' -o dist/windows/ ./cmd/urnactl
	$(WINDOWS_ENV) $(GO) build -trimpath -tags '$(TAGS)' -ldflags '-s -w $(LDFLAGS) -H windowsgui' -o dist/windows/ ./cmd/urna-kiosk

# The arm64 and Windows builds checked under qemu-aarch64-static and Wine,
# part of make test; alone here.
cross-test: test-deps
	@packaging/deps.sh cross
	$(GO) test -count=1 -timeout 40m -run 'Arm64|Windows' ./packaging

# The fleet load test alone (make bench runs it too): two urna-central
# replicas on a throwaway PostgreSQL behind haproxy and one on bbolt, with
# 180, 1,000 and 5,000 simulated kiosks at human pace; a few minutes.
.PHONY: loadtest
loadtest: deps
	@packaging/deps.sh bench
	$(GO) test -count=1 -run '^$$' -bench BenchmarkFleetLoad -benchtime 1x -timeout 30m ./sync/central/loadtest | tee loadtest-report.txt

clean:
	rm -rf $(BIN) dist bench-report.txt

# Manual pages, generated from the commands' own trees (cobra) into dist/man:
# `man -l dist/man/urna-central.1`. The .debs generate theirs the same way.
.PHONY: man
man: deps
	$(GO) build -trimpath -buildmode=pie -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o dist/bin/ ./cmd/...
	@for c in urna-central urna-kiosk urnactl; do LC_ALL= LANG=en_US.UTF-8 dist/bin/$$c __man dist/man || exit 1; done
	@ls dist/man
