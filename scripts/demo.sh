#!/bin/sh
# The README's main job: build swt, record a real session of the bundled
# example application with swrec, and print what can be said about it.
#   scripts/demo.sh [BUILDDIR]
# The session is kept as $TMPDIR/swt-demo.swt for further exploration.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-debian.sh
dir=${1:-build}
if [ -f "$dir/build.ninja" ]; then
	meson setup --reconfigure "$dir" >/dev/null
else
	meson setup "$dir" >/dev/null
fi
meson compile -C "$dir" >/dev/null

session=${TMPDIR:-/tmp}/swt-demo.swt
echo "== recording swt-example for 10 s (sampled every 250 ms) into $session"
"$dir/record/swrec" --force -o "$session" -i 250ms -- \
	"$dir/record/example/swt-example" --duration 10s --busy 60 \
	--ocr-rate 30 --leak 60
echo
if [ -x "$dir/analyze/swanalyze" ]; then
	echo "== swanalyze $session --report weight-analysis"
	"$dir/analyze/swanalyze" "$session" --report weight-analysis
else
	echo "== swreplay --check $session"
	"$dir/replay/swreplay" --check "$session"
fi
