#!/usr/bin/env bash
# Runs govulncheck against a vulnerability database built from the
# golang.org/x/vulndb module (served by the Go module proxy), for machines
# that reach the proxy but not vuln.go.dev. `make vuln` calls it.
set -euo pipefail
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
GO=${GO:-go}
cache=${VULNDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/milter91-vulndb/$VULNDB_VERSION}
bin=$($GO env GOPATH)/bin
test -x "$bin/govulncheck" || $GO install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
if [[ ! -f $cache/index/db.json ]]; then
	src=$($GO mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	cp -r "$src" "$work/vulndb" && chmod -R u+w "$work/vulndb"
	mkdir -p "$cache"
	(cd "$work/vulndb" && $GO run ./cmd/indexdb -vulns data/osv -out "$cache")
fi
exec "$bin/govulncheck" -db "file://$cache" ./...
