#!/usr/bin/env bash
# Installs what the end-to-end tests need beyond Go: Debian's postfix.
# Idempotent and silent when everything is already there. Needs root (CI is
# root). The package's own system instance is stopped and disabled: the tests
# run a private instance on high loopback ports (see e2e/postfix_test.go).
set -euo pipefail

if [[ -x /usr/sbin/postfix && -x /usr/sbin/postconf ]]; then
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-test-deps: postfix is missing and this is not root; run: sudo $0" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing postfix" >&2
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost.test" | debconf-set-selections
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends postfix >/dev/null

# The package may have started the system instance (port 25, syslog); the
# tests need neither, so stop it and keep it from starting at boot.
if [[ -f /etc/postfix/main.cf ]] && /usr/sbin/postfix status >/dev/null 2>&1; then
	/usr/sbin/postfix stop >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	systemctl disable --now postfix >/dev/null 2>&1 || true
fi
/usr/sbin/postconf -d mail_version >&2
