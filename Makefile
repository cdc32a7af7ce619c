# milter91 build and test entry points. `make test` is the project's test
# command (CI runs it through .ci/run): it installs Debian's postfix when
# missing (root), then vet, the gofmt check, and every test with the race
# detector, the end-to-end tests against a real Postfix included.

GO ?= go
BIN ?= bin/milter91
# Go files that gofmt must accept; testdata may hold deliberate oddities.
GOFILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*')

.PHONY: test test-unit bench build deps vet fmt-check

test: deps vet fmt-check
	$(GO) test -race -count=1 -timeout 10m ./...

# Unit tests only: -short skips the end-to-end tests (no Postfix needed).
test-unit: vet fmt-check
	$(GO) test -race -count=1 -short ./...

# Benchmarks only (-run '^$$'), -short so that the e2e set-up does not run.
bench:
	$(GO) test -short -run '^$$' -bench . -benchmem ./...

build:
	$(GO) build -o $(BIN) ./cmd/milter91

deps:
	@bash scripts/install-test-deps.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); \
	if [ -n "$$out" ]; then echo "gofmt would reformat (run gofmt -w):"; echo "$$out"; exit 1; fi
