# milter91 build and test entry points. `make test` is the project's test
# command (CI runs it through .ci/run): it installs Debian's postfix when
# missing (root), then vet, the gofmt check, every test with the race
# detector (the end-to-end tests against a real Postfix included), and a
# short run of every fuzz target.

GO ?= go
BIN ?= bin/milter91
# The approved toolchain (go1.26.8 has reachable standard-library
# vulnerabilities fixed in later releases). Machines here start on their own
# Go and ignore go.mod's toolchain line unless GOTOOLCHAIN says so; the go
# command fetches this version from the module proxy once.
export GOTOOLCHAIN := go1.27.3
# staticcheck, installed into GOPATH/bin by `make deps` when missing.
STATICCHECK_VERSION = v0.8.2
STATICCHECK = $(shell $(GO) env GOPATH)/bin/staticcheck
# What `milter91 version` prints: builds here run with -buildvcs=false, so
# the version (git describe; the commit hash while there is no tag) and the
# revision come from git through -ldflags -X.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS = -X main.version=$(VERSION) -X main.revision=$(REVISION)
# Go files that gofmt must accept; testdata may hold deliberate oddities.
GOFILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*')

.PHONY: test test-unit test-third-party fuzz-short bench build ceiling deps vet fmt-check staticcheck vuln

test: deps vet fmt-check staticcheck
	$(GO) test -race -count=1 -timeout 10m ./...
	@$(MAKE) --no-print-directory test-third-party
	@$(MAKE) --no-print-directory fuzz-short

# The patched in-tree copies of libraries are modules of their own, which
# ./... leaves out: their tests (the regression tests of our patches) run here.
# The race detector runs on the packages our patches change (RACE_PKGS); the
# rest of upstream's tests run without it (go-milter's TestFormatResponse with
# 64 MiB inputs alone takes 2-3 minutes under -race on a 2-core machine).
# go-message's own code does not pass go vet (unkeyed fields, a WriteTo
# signature): only the package our patch changes is vetted.
# internal/loadgen/ceiling, the load test's yardstick on upstream go-milter,
# is a module of its own too.
THIRD_PARTY = third_party/github.com/goccy/go-yaml third_party/github.com/d--j/go-milter third_party/github.com/emersion/go-msgauth \
	internal/loadgen/ceiling
RACE_PKGS = third_party/github.com/d--j/go-milter:. third_party/github.com/d--j/go-milter:./internal/wire \
	third_party/github.com/emersion/go-msgauth:./dkim third_party/github.com/emersion/go-message:./textproto
test-third-party:
	@set -e; for d in $(THIRD_PARTY); do (cd $$d && $(GO) vet ./... && $(GO) test -count=1 ./...); done; \
	(cd third_party/github.com/emersion/go-message && $(GO) vet ./textproto && $(GO) test -count=1 ./...); \
	for p in $(RACE_PKGS); do (cd $${p%%:*} && $(GO) test -race -count=1 $${p#*:}); done

# Each fuzz target for FUZZTIME (go test fuzzes one target per run; a
# count of inputs, not a duration: a duration can end with a spurious
# "context deadline exceeded", golang/go#75804); new
# crashers land in the package's testdata/fuzz and fail the run. 5000
# inputs keep the 33 targets within a few minutes of CI (30000 took
# about 10 min at load average 12); run longer by hand.
FUZZTIME ?= 5000x
FUZZ = internal/auth:FuzzClaimsAuthservID internal/txn:FuzzReadMessage internal/mailmsg:FuzzReadHeader dnsbl:FuzzParseList dnsbl:FuzzQueryName \
	dnsbl:FuzzPlanMessage rules:FuzzCompile decree:FuzzAnalyze decree:FuzzLinks decree:FuzzLinkTokens decree:FuzzRenderHTML \
	milter:FuzzSession internal/resolver:FuzzAnswer config:FuzzParse rules:FuzzLoad internal/archive:FuzzSpoolFrame internal/dsn:FuzzRedact \
	internal/registry:FuzzImportConsents internal/admin:FuzzDecodeCursor internal/dkimsign:FuzzParseSpecs internal/dkimsign:FuzzParseKey \
	internal/dmarc:FuzzParse internal/arc:FuzzSets internal/auth:FuzzAARDMARC internal/arf:FuzzParse \
	internal/arc:FuzzSeal internal/bayes:FuzzExtract internal/content:FuzzFind internal/mailbox:FuzzReadMbox internal/mailmsg:FuzzDecodeHeader \
	internal/mailmsg:FuzzParseDomain internal/mailmsg:FuzzParseFrom internal/mailmsg:FuzzReceivedFrom
fuzz-short:
	@set -e; log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t#*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$pkg > "$$log" 2>&1 || { cat "$$log"; exit 1; }; \
	done

# Unit tests only: -short skips the end-to-end tests (no Postfix needed).
test-unit: vet fmt-check staticcheck
	$(GO) test -race -count=1 -short ./...
	@$(MAKE) --no-print-directory test-third-party

# Benchmarks only (-run '^$$'), -short so that the e2e set-up does not run.
bench:
	$(GO) test -short -run '^$$' -bench . -benchmem ./...

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/milter91

# The load test's accept-everything yardstick (BENCHMARKS.md, "Load test").
ceiling:
	cd internal/loadgen/ceiling && $(GO) build -o $(abspath bin/ceiling) .

deps:
	@bash scripts/install-test-deps.sh
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck:
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); \
	if [ -n "$$out" ]; then echo "gofmt would reformat (run gofmt -w):"; echo "$$out"; exit 1; fi

# govulncheck over the code, with the vulnerability database built from the
# golang.org/x/vulndb module of the module proxy (vuln.go.dev is not needed).
vuln:
	@bash scripts/govulncheck.sh
