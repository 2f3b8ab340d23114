#!/bin/sh
# The README's main job: build swt, record a real session of the bundled
# example application with swrec, and print what can be said about it.
#   scripts/demo.sh [BUILDDIR]
# The session is kept as $TMPDIR/swt-demo.swt for further exploration.
#
# swt-example is instrumented with libswtrace: under swrec its module spans
# (vision_system, ocr_processor, event_listener, database_manager) and its
# counters (ocr_call, event_listener) go into the session with the
# samples, and the analysis shows them as modules of kind "module" next to
# the process and its threads. The OCR rate asked for below (--ocr-rate 30
# per minute) is the calls/min of the ocr_processor module and the rate of
# the ocr_call counter.
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
ocr_rate=30
echo "== recording swt-example for 10 s (sampled every 250 ms, OCR rate" \
	"$ocr_rate/min) into $session"
"$dir/record/swrec" --force -o "$session" -i 250ms -- \
	"$dir/record/example/swt-example" --duration 10s --busy 60 \
	--ocr-rate "$ocr_rate" --leak 60
echo
if [ -x "$dir/analyze/swanalyze" ]; then
	echo "== swanalyze $session --report weight-analysis"
	"$dir/analyze/swanalyze" "$session" --report weight-analysis
	echo
	# The counters are in the full report; show just that table.
	echo "== its counters (swanalyze --report full): ocr_call should be" \
		"about $ocr_rate per minute"
	"$dir/analyze/swanalyze" "$session" --report full |
		sed -n '/^Counters$/,/^$/p'
else
	echo "== swreplay --check $session"
	"$dir/replay/swreplay" --check "$session"
fi
