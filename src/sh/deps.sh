#!/bin/sh
# Installs the Debian packages boxoffice needs, when it is allowed to:
# as root directly, otherwise through passwordless sudo. Otherwise it prints
# the one apt-get line to run and fails, so nothing half-builds.
set -eu

PACKAGES="gcc make pkg-config libncurses-dev libpq-dev libqrencode-dev \
libzbar-dev libnotify-dev libcmocka-dev libsodium-dev libjansson-dev \
libmicrohttpd-dev libpng-dev libgd-dev fonts-dejavu-core postgresql postgresql-contrib tmux zbar-tools \
qrencode imagemagick libcairo2-dev libfontconfig-dev poppler-utils libcurl4-openssl-dev \
ffmpeg openssl chromium chromium-driver man-db groff-base libssl-dev python3 \
dbus-daemon libglib2.0-bin python3-dbusmock"
# ffmpeg: the camera test runs the README's worked `cmd:ffmpeg …` source
# openssl: src/sh/tls-ca.sh makes the test CA for the TLS test and README
# chromium chromium-driver: browser tests drive headless Chromium through
# chromedriver (tests/webdriver.h), as root with no display in CI
# man-db, groff-base: tests/unit_manpage.c renders boxoffice(1) with `man -l`
# and checks it with `groff -ww`
# libssl-dev: libcrypto's HMAC-SHA1/SHA-256 for platform webhook signatures
# python3: tests/fake_platform.py plays Shopify, Square, … on loopback
# dbus-daemon, libglib2.0-bin (gdbus), python3-dbusmock: tests/db_alerts.c runs a private session bus with a
# mock notification daemon (libnotify's desktop notifications)

# `deps.sh fuzz` (make fuzz) also needs clang and its libFuzzer runtime
# (-fsanitize=fuzzer): libclang-rt-N-dev for the clang installed
# (Debian bookworm: clang 14, libclang-rt-14-dev).
# `deps.sh bench` (make bench) also needs wrk, the HTTP load generator of
# bench/serve; `make test` does not.
MODE=${1:-}

missing_of() {
	missing=""
	for p in "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case "$status" in
		ii*) ;;
		*) missing="$missing $p" ;;
		esac
	done
}

install_missing() {
	[ -z "$missing" ] && return 0
	echo "boxoffice: installing missing Debian packages:$missing" >&2
	if [ "$(id -u)" -eq 0 ]; then
		SUDO=""
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo"
	else
		echo "boxoffice: missing packages; run: sudo apt-get install -y$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq </dev/null
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
}

# shellcheck disable=SC2086
missing_of $PACKAGES
[ "$MODE" = fuzz ] && missing_of $PACKAGES clang
[ "$MODE" = bench ] && missing_of $PACKAGES wrk
install_missing
if [ "$MODE" = fuzz ]; then
	major=$(clang -dumpversion | cut -d. -f1)
	missing_of "libclang-rt-$major-dev"
	install_missing
fi
exit 0
