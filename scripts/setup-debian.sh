#!/bin/sh
# Install every Debian 12 package that swt's build, tests and benchmarks need.
# Fast and silent when everything is already present; run as root.
#   scripts/setup-debian.sh          build + test dependencies
#   scripts/setup-debian.sh --bench  also the peers the benchmarks compare with
#   scripts/setup-debian.sh --browser  also chromium (about 100 MB), which
#                                    the HTML test opens the pages in
#                                    (tests/analyze/test-html.sh; skipped
#                                    without it); scripts/test.sh asks
#   scripts/setup-debian.sh --fuzz   also clang, for the fuzz targets
set -eu

pkgs="build-essential meson ninja-build pkg-config python3 \
protobuf-c-compiler libprotobuf-c-dev libzstd-dev zstd libproc2-dev \
libcmocka-dev procps python3-markdown libxml2-utils python3-dev \
protobuf-compiler"
case "${1:-}" in
--bench) pkgs="$pkgs atop sysstat" ;;
--fuzz) pkgs="$pkgs clang" ;;
--browser) pkgs="$pkgs chromium" ;;
"") ;;
*) echo "usage: $0 [--bench|--browser|--fuzz]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-debian.sh: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "setup-debian.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
