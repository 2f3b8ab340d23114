#!/bin/sh
# Build swt and run every test suite; the README's test command.
#   scripts/test.sh [BUILDDIR] [extra meson setup options...]
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-debian.sh
# the HTML test's browser: a test that cannot have it says it skipped
sh scripts/setup-debian.sh --browser ||
	echo "test.sh: chromium not installed: the HTML browser test will skip" >&2
# the receivers of the remote-write test (tests/fleet/): it skips without
sh scripts/setup-debian.sh --fleet ||
	echo "test.sh: prometheus, victoria-metrics not installed: the" \
		"remote-write test will skip" >&2
dir=${1:-build}
[ $# -gt 0 ] && shift
if [ -f "$dir/build.ninja" ]; then
	meson setup --reconfigure "$dir" "$@"
else
	meson setup "$dir" "$@"
fi
meson compile -C "$dir"
status=0
meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
python3 scripts/test-summary.py "$dir/meson-logs/testlog.json" || status=1
exit $status
