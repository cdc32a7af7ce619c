#!/usr/bin/env bash
# Installs what the tests need beyond Go: Debian's postfix (end-to-end
# tests), postgresql (the PostgreSQL stores' contract tests) and
# redis-server (the Valkey/Redis counter store's contract tests).
# Idempotent and silent when everything is already there. Needs root (CI is
# root). The packages' own system instances are stopped and disabled: the
# tests run private instances on loopback (e2e/postfix_test.go,
# internal/pgtest, internal/redistest).
set -euo pipefail

need=()
[[ -x /usr/sbin/postfix && -x /usr/sbin/postconf ]] || need+=(postfix)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
[[ -x /usr/bin/redis-server ]] || need+=(redis-server)
if [[ ${#need[@]} -eq 0 ]]; then
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-test-deps: ${need[*]} missing and this is not root; run: sudo $0" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${need[*]}" >&2
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost.test" | debconf-set-selections
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

# The packages may have started their system instances (port 25, 5432, 6379);
# the tests need none of them, so stop them and keep them from starting at boot.
if [[ -f /etc/postfix/main.cf ]] && /usr/sbin/postfix status >/dev/null 2>&1; then
	/usr/sbin/postfix stop >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	systemctl disable --now postfix postgresql redis-server >/dev/null 2>&1 || true
fi
if [[ -x /etc/init.d/redis-server ]]; then
	/etc/init.d/redis-server stop >/dev/null 2>&1 || true
	update-rc.d redis-server disable >/dev/null 2>&1 || true
fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
	for c in /etc/postgresql/*/*; do
		[[ -d $c ]] || continue
		pg_ctlcluster "$(basename "$(dirname "$c")")" "$(basename "$c")" stop >/dev/null 2>&1 || true
	done
fi
/usr/sbin/postconf -d mail_version >&2
