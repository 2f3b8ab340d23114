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
#   scripts/setup-debian.sh --fleet  also prometheus and victoria-metrics,
#                                    the receivers the remote-write test
#                                    sends to (tests/fleet/; skipped
#                                    without them); scripts/test.sh asks
set -eu

pkgs="build-essential meson ninja-build pkg-config python3 \
protobuf-c-compiler libprotobuf-c-dev libzstd-dev zstd libproc2-dev \
libcmocka-dev procps python3-markdown libxml2-utils python3-dev \
protobuf-compiler libcurl4-openssl-dev libsnappy-dev"
case "${1:-}" in
--bench) pkgs="$pkgs atop sysstat" ;;
--fuzz) pkgs="$pkgs clang" ;;
--browser) pkgs="$pkgs chromium" ;;
--fleet) pkgs="$pkgs prometheus victoria-metrics" ;;
"") ;;
*) echo "usage: $0 [--bench|--browser|--fleet|--fuzz]" >&2; exit 2 ;;
esac

# Wanted, not needed: swrec's BPF process events are built with them and
# left out without them (meson says so). bpftool comes from the security
# archive on some bookworm installations and may be missing elsewhere.
optional="clang libbpf-dev bpftool"

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
		grep -q '^install ok installed$'
}

missing=""
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
# (with the required ones present, an optional one the package lists do
# not offer is not asked for again at every run)
opt_missing=""
for p in $optional; do
	installed "$p" && continue
	if [ -z "$missing" ] &&
		! apt-cache policy "$p" 2>/dev/null |
		grep -q 'Candidate: [0-9]'; then
		continue
	fi
	opt_missing="$opt_missing $p"
done
[ -z "$missing" ] && [ -z "$opt_missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if [ -n "$missing" ]; then
		echo "setup-debian.sh: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	echo "setup-debian.sh: not installed:$opt_missing (optional:" \
		"swrec's BPF process events are left out)" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
if [ -n "$missing" ]; then
	echo "setup-debian.sh: installing$missing" >&2
	# The servers of --fleet are for the tests, which start their own on
	# free ports: their packages must not start system services (a
	# prometheus on :9090 for ever). policy-rc.d says so to invoke-rc.d,
	# for this install only, unless the machine has one of its own.
	policy=""
	if [ "${1:-}" = --fleet ] && [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ [ -z "$policy" ] || rm -f "$policy"; exit 1; }
	[ -z "$policy" ] || rm -f "$policy"
fi
for p in $opt_missing; do
	echo "setup-debian.sh: installing $p (optional)" >&2
	apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
		echo "setup-debian.sh: $p cannot be installed here:" \
			"swrec's BPF process events are left out" >&2
done
