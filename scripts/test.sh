#!/bin/sh
# Build swt and run every test suite; the README's test command.
#   scripts/test.sh [BUILDDIR] [extra meson setup options...]
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-debian.sh
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
