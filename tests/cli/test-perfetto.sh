# swreplay --export perfetto: the Perfetto protobuf trace of the fixtures,
# of mksession's sessions (spans that break the rules, every record kind),
# of a window, of a cut file and of a real recording, decoded by protoc
# with proto/perfetto_trace.proto and checked by perfetto_check.py
# (docs/exports.md states the rules); its slices, counter values and
# instants are those of the chrome-json export of the same file; the same
# file gives the same bytes; no binary on a terminal.
#
#   sh test-perfetto.sh SWREPLAY MKSESSION TMPDIR SRCDIR FIXTURES SWREC
#                       EXAMPLE PROTODIR
. "$(dirname "$0")/../tap-core.sh"

tap_args 8 "$0 SWREPLAY MKSESSION TMPDIR SRCDIR FIXTURES SWREC EXAMPLE PROTODIR" "$@"
SWREPLAY=$1
MKSESSION=$2
T=$3
SRCDIR=$4
FIXTURES=$5
SWREC=$6
EXAMPLE=$7
PROTODIR=$8
tap_sandbox

case $SWREC in /*) ;; *) SWREC=$(pwd)/$SWREC ;; esac
case $EXAMPLE in /*) ;; *) EXAMPLE=$(pwd)/$EXAMPLE ;; esac

# the system's python (a `python3` on PATH may be a shim needing a home)
PY=/usr/bin/python3
CHECK=$SRCDIR/perfetto_check.py
JCHECK=$SRCDIR/export_check.py

if [ ! -x "$PY" ]; then
	echo "1..0 # SKIP no /usr/bin/python3"
	exit 0
fi
if ! command -v protoc >/dev/null 2>&1; then
	echo "1..0 # SKIP protoc not found (Debian package protobuf-compiler)"
	exit 0
fi

mk() {
	if ! "$MKSESSION" "$1" "$2" >"$T/mk.out" 2>"$T/mk.err"; then
		echo "Bail out! mksession $1 failed: $(cat "$T/mk.err")"
		exit 1
	fi
}

# value KEY FILE: the value of a "key value" line of a checker's summary.
value() {
	sed -n "s/^$1 //p" "$2"
}

# decode TRACE TXT: protoc's text format of a .pftrace.
decode() {
	protoc --decode=perfetto.protos.Trace -I "$PROTODIR" \
		"$PROTODIR/perfetto_trace.proto" <"$1" >"$2" 2>"$T/decode.err"
}

# pf_ok TRACE SUMMARY: the trace decodes and keeps the rules; the
# checker's summary in SUMMARY (a failure's reason into $T/err).
pf_ok() {
	decode "$1" "$1.txt" || {
		cat "$T/decode.err" >"$T/err"
		return 1
	}
	"$PY" "$CHECK" "$1.txt" >"$2" 2>"$T/check.err" || {
		cat "$T/check.err" >"$T/err"
		return 1
	}
}

# same_as_json PF_SUMMARY JSON_SUMMARY: the same slices, counter values
# and instants as the chrome-json export.
same_as_json() {
	[ "$(value slices "$1")" = "$(value spans "$2")" ] &&
	[ "$(value counters "$1")" = "$(value counters "$2")" ] &&
	[ "$(value instants "$1")" = "$(value instants "$2")" ] &&
	[ "$(value alerts "$1")" = "$(value alerts "$2")" ]
}

# json_summary SESSION OUT [OPTIONS...]: export_check.py's summary of the
# chrome-json export of SESSION.
json_summary() {
	js_f=$1
	js_out=$2
	shift 2
	"$SWREPLAY" --export chrome-json "$@" "$js_f" -o "$T/j.json" \
		2>/dev/null
	"$PY" "$JCHECK" trace "$T/j.json" >"$js_out"
}

begins() {
	"$SWREPLAY" --dump "$1" 2>/dev/null | grep -o '"kind":"begin"' |
		wc -l | tr -d ' '
}

# ---- every fixture ----------------------------------------------------------
for dir in "$FIXTURES"/*/; do
	f=$dir/session.swt
	[ -f "$f" ] || continue
	name=$(basename "$dir")
	want=0
	[ "$name" = synthetic-damaged ] && want=3
	run "$SWREPLAY" --export perfetto "$f" -o "$T/$name.pftrace"
	check "$name: perfetto exits $want" [ "$rc" -eq "$want" ]
	check "$name: the trace decodes and keeps the rules" \
		pf_ok "$T/$name.pftrace" "$T/$name.sum"
	json_summary "$f" "$T/$name.jsum"
	check "$name: the slices, counters and instants of chrome-json" \
		same_as_json "$T/$name.sum" "$T/$name.jsum"
done

ex=$FIXTURES/recorded-example/session.swt
exp=$T/recorded-example.pftrace
check "recorded-example: slices exported" \
	[ "$(value slices "$T/recorded-example.sum")" -gt 100 ]
check "recorded-example: every span is a slice" \
	[ "$(value slices "$T/recorded-example.sum")" = "$(begins "$ex")" ]
check "recorded-example: the process is named, with its command line" \
	eval 'grep -q "process_name: \"swt-example\"" "$exp.txt" &&
	      grep -q "cmdline: \"swt-example --duration 120s" "$exp.txt"'
check "recorded-example: the module threads are named" \
	grep -q 'thread_name: "ocr_processor"' "$exp.txt"
check "recorded-example: module slices are named after the modules" \
	grep -q 'name: "vision_system"' "$exp.txt"
check "recorded-example: CPU % and RSS MB counter tracks (session, process)" \
	[ "$(grep -c 'name: "CPU %"' "$exp.txt")" -eq 2 ]
check "recorded-example: counts are integer counters, cumulative (40 OCR calls)" \
	eval 'grep -q "unit: UNIT_COUNT" "$exp.txt" &&
	      grep -q "counter_value: 40\$" "$exp.txt"'

# ---- determinism and the output --------------------------------------------
run "$SWREPLAY" --export perfetto "$ex" -o "$T/again.pftrace"
check "the same file gives byte-identical traces" \
	cmp -s "$T/again.pftrace" "$exp"
"$SWREPLAY" --export perfetto "$ex" -o - 2>"$T/err" | cat >"$T/pipe.pftrace"
check "-o - into a pipe is the -o file" cmp -s "$T/pipe.pftrace" "$exp"
"$SWREPLAY" --export perfetto "$ex" 2>"$T/err" | cat >"$T/pipe2.pftrace"
check "no -o into a pipe is the -o file" cmp -s "$T/pipe2.pftrace" "$exp"
check "a clean export prints nothing on stderr" [ ! -s "$T/err" ]

# a terminal: python's pty gives the command one as standard output
# (where no pseudo-terminal can be opened, a chroot without /dev/pts,
# the check is skipped, said so)
if "$PY" -c 'import os, pty; m, s = pty.openpty(); os.close(m); os.close(s)' \
	2>/dev/null; then
	"$PY" -c 'import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdout=s, stderr=subprocess.PIPE)
os.close(s)
os.close(m)
sys.stderr.buffer.write(p.stderr)
sys.exit(p.returncode)' "$SWREPLAY" --export perfetto "$ex" 2>"$T/err"
	rc=$?
	check "a terminal gets no binary trace: usage error (2), said why" \
		eval '[ "$rc" -eq 2 ] && grep -q "^swreplay: --export perfetto writes a binary trace: not to a terminal" "$T/err"'
else
	skip "a terminal gets no binary trace" "no pseudo-terminal here (/dev/pts)"
fi

# ---- the checker can fail ------------------------------------------------------
# drop the last SLICE_END, then describe no track: both must be refused
"$PY" -c 'import sys
text = open(sys.argv[1]).read()
cut = text.rfind("type: TYPE_SLICE_END")
start = text.rfind("packet {", 0, cut)
end = text.find("\npacket {", cut)
open(sys.argv[2], "w").write(text[:start] + text[end + 1:])' \
	"$exp.txt" "$T/broken.txt"
check "checker: a slice never ended is refused" \
	eval '! "$PY" "$CHECK" "$T/broken.txt" >/dev/null 2>&1'
grep -v "^  track_descriptor\|^    uuid" "$exp.txt" >"$T/broken2.txt"
check "checker: a track used before it is described is refused" \
	eval '! "$PY" "$CHECK" "$T/broken2.txt" >/dev/null 2>&1'

# ---- spans that break the rules, every record kind ----------------------------
f=$T/spans.swt
mk spans "$f"
run "$SWREPLAY" --export perfetto "$f" -o "$T/spans.pftrace"
check "repaired spans: exit 0" [ "$rc" -eq 0 ]
check "repaired spans: the stderr line of chrome-json" \
	[ "$(cat "$T/err")" = "swreplay: $f: export: 1 span still open at the end, closed at the last time read; 1 end without a begin dropped; 1 span event out of time order on its thread, moved forward" ]
check "repaired spans: the trace keeps the rules" \
	pf_ok "$T/spans.pftrace" "$T/spans.sum"
check "repaired spans: 7 slices" [ "$(value slices "$T/spans.sum")" = 7 ]
check "an END without a BEGIN is dropped" \
	eval '! grep -q "\"ghost\"" "$T/spans.pftrace.txt"'
check "a reused pid is named after its last process" \
	grep -q 'process_name: "reused"' "$T/spans.pftrace.txt"
check "names with commas and quotes keep them" \
	grep -q 'process_name: "a,\\"b\\""' "$T/spans.pftrace.txt"

f=$T/clean.swt
mk clean "$f"
run "$SWREPLAY" --export perfetto "$f" -o "$T/clean.pftrace"
check "all kinds: the trace keeps the rules" \
	pf_ok "$T/clean.pftrace" "$T/clean.sum"
json_summary "$f" "$T/clean.jsum"
check "all kinds: the slices, counters and instants of chrome-json" \
	same_as_json "$T/clean.sum" "$T/clean.jsum"
check "an alert is an instant on the session track, with its values" \
	eval '[ "$(value alerts "$T/clean.sum")" -ge 1 ] &&
	      grep -q "name: \"alert: cpu of parse\"" "$T/clean.pftrace.txt" &&
	      grep -q "double_value: 1.5\$" "$T/clean.pftrace.txt"'
check "a mark is an instant" [ "$(value marks "$T/clean.sum")" -ge 1 ]
check "a process exit is an instant with its status" \
	eval 'grep -q "name: \"process exit\"" "$T/clean.pftrace.txt" &&
	      grep -q "name: \"core_dumped\"" "$T/clean.pftrace.txt"'

# ---- a window and a cut file ---------------------------------------------------
run "$SWREPLAY" --export perfetto --from 30 --to 60 "$ex" -o "$T/win.pftrace"
check "window: exit 0" [ "$rc" -eq 0 ]
check "window: the trace keeps the rules" pf_ok "$T/win.pftrace" "$T/win.sum"
json_summary "$ex" "$T/win.jsum" --from 30 --to 60
check "window: the slices, counters and instants of chrome-json" \
	same_as_json "$T/win.sum" "$T/win.jsum"
check "window: every timestamp inside it, from the session start" \
	"$PY" -c 'import re, sys
ts = [int(x) for x in re.findall(r"^  timestamp: (\d+)$", open(sys.argv[1]).read(), re.M)]
sys.exit(not ts or not all(30e9 <= t <= 60e9 for t in ts))' "$T/win.pftrace.txt"

size=$(wc -c <"$ex" | tr -d ' ')
dd if="$ex" of="$T/cut.swt" bs=$((size * 2 / 3)) count=1 2>/dev/null
run "$SWREPLAY" --export perfetto "$T/cut.swt" -o "$T/cut.pftrace"
check "cut file: exit 3, the readable part said" \
	eval '[ "$rc" -eq 3 ] && grep -qx "swreplay: $T/cut.swt: exported the readable part only" "$T/err"'
check "cut file: the trace keeps the rules" pf_ok "$T/cut.pftrace" "$T/cut.sum"
json_summary "$T/cut.swt" "$T/cut.jsum"
check "cut file: the slices, counters and instants of chrome-json" \
	same_as_json "$T/cut.sum" "$T/cut.jsum"

# ---- a real recording ----------------------------------------------------------
if (cd "$T" && "$SWREC" -q -i 0.1 --alerts=/dev/null -t cpu_percent=5 \
	-o real.swt -- "$EXAMPLE" -d 1s -r 600 -e 600 -b 90 \
	>"$T/rec.out" 2>"$T/rec.err"); then
	run "$SWREPLAY" --export perfetto "$T/real.swt" -o "$T/real.pftrace"
	check "recorded: perfetto exits 0" [ "$rc" -eq 0 ]
	check "recorded: the trace keeps the rules" \
		pf_ok "$T/real.pftrace" "$T/real.sum"
	check "recorded: every span is a slice" \
		eval '[ "$(value slices "$T/real.sum")" = "$(begins "$T/real.swt")" ] &&
		      [ "$(value slices "$T/real.sum")" -gt 0 ]'
	json_summary "$T/real.swt" "$T/real.jsum"
	check "recorded: the slices, counters and instants of chrome-json" \
		same_as_json "$T/real.sum" "$T/real.jsum"
	check "recorded: the live alerts are instants" \
		[ "$(value alerts "$T/real.sum")" -ge 1 ]
	check "recorded: the module threads are named" \
		grep -q 'thread_name: "vision_system"' "$T/real.pftrace.txt"
	run "$SWREPLAY" --export perfetto "$T/real.swt" -o "$T/real2.pftrace"
	check "recorded: byte-identical again" \
		cmp -s "$T/real.pftrace" "$T/real2.pftrace"
else
	not_ok "recorded: swrec records the example"
	diag <"$T/rec.err"
fi

done_testing
