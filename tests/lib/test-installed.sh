# test-installed.sh — libswt as a program outside swt gets it: installed
# (meson install --destdir), found by pkg-config, and used through the
# installed <swt.h> alone by tests/lib/consumer.c, built by the C compiler
# here with nothing but pkg-config's flags.
#
#   sh test-installed.sh MESON BUILD_ROOT "CC" SANITIZE FIXTURES TMPDIR
#                        SRCDIR SWANALYZE PYTHON3
#
# SANITIZE is the build's b_sanitize: an instrumented libswt.so needs its
# users built with the same -fsanitize (the sanitizer runtime must come
# first), so the consumer is compiled with it.
#
# For every fixture with golden reports: the consumer's exit status, its
# full JSON report (byte for byte the golden one, which swanalyze is held
# to), its warnings (swanalyze's expected.stderr) and every struct field
# that the JSON also shows (check-fields.py); for the corrupt fixtures the
# same status, message and report as swanalyze; settings given as a
# config and KEY=VALUE give swanalyze's --config/--threshold report and
# structs (the thresholds' sources; a heavy_pattern bottleneck and a
# module's command lines, which no fixture has with the defaults).

. "$7/../tap-core.sh"
abspath() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}
tap_args 9 "$0 MESON BUILD_ROOT CC SANITIZE FIXTURES TMPDIR SRCDIR SWANALYZE PYTHON3" "$@"
MESON=$1
BUILD=$(abspath "$2")
CC_CMD=$3
SANITIZE=$4
FIXTURES=$(abspath "$5")
T=$(abspath "$6")
SRC=$(abspath "$7")
SWANALYZE=$(abspath "$8")
PYTHON=$9
tap_sandbox

DEST=$T/dest
if "$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$DEST" \
	>"$T/out" 2>"$T/err"; then
	ok "meson install --destdir"
else
	not_ok "meson install --destdir"
	done_testing
	exit 0
fi

pc=$(find "$DEST" -name swt.pc)
if [ -n "$pc" ] && [ "$(echo "$pc" | wc -l)" -eq 1 ]; then
	ok "one swt.pc installed"
else
	not_ok "one swt.pc installed: '$pc'"
	done_testing
	exit 0
fi
pcdir=$(dirname "$pc")
prefix=$(sed -n 's/^prefix=//p' "$pc")
header=$(find "$DEST" -name swt.h)
check "the header is \$prefix/include/swt.h" \
	test "$header" = "$DEST$prefix/include/swt.h"
libdir=$(dirname "$(find "$DEST" -name 'libswt.so.0' | head -n 1)")
check "libswt.so, libswt.so.0 in the same directory" \
	test -e "$libdir/libswt.so" -a -e "$libdir/libswt.so.0"

# Only swt_ names exported, each at version SWT_0 (check-symbols.sh
# checks the exact list on the built library).
nm -D --defined-only --with-symbol-versions "$libdir/libswt.so.0" |
	awk '$2 != "A" { print $3 }' >"$T/syms"
if [ -s "$T/syms" ] && ! grep -v '^swt_[a-z0-9_]*@@SWT_0$' "$T/syms" \
	>"$T/out"; then
	ok "installed libswt.so.0 exports only swt_* at SWT_0"
else
	not_ok "installed libswt.so.0 exports only swt_* at SWT_0"
fi
soname=$(readelf -d "$libdir/libswt.so.0" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
check "soname libswt.so.0 ($soname)" test "$soname" = "libswt.so.0"

# The installed tree is relocated with pkg-config's sysroot: -I and -L
# point into $DEST (the .pc file itself says $prefix).
if flags=$(PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$DEST \
	pkg-config --cflags --libs swt 2>"$T/err"); then
	ok "pkg-config --cflags --libs swt: $flags"
else
	not_ok "pkg-config --cflags --libs swt"
fi
has_flag() {
	case " $flags " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}
if has_flag "-I$DEST$prefix/include" && has_flag "-L$libdir" &&
	has_flag -lswt; then
	ok "the flags name the installed tree"
else
	not_ok "the flags name the installed tree: $flags"
fi

sanflags=
case $SANITIZE in
none | "") ;;
*) sanflags="-fsanitize=$SANITIZE -fno-omit-frame-pointer" ;;
esac
# The consumer is copied out of the source tree: nothing next to it can be
# included by accident.
mkdir -p "$T/src"
cp "$SRC/consumer.c" "$T/src/consumer.c"
# shellcheck disable=SC2086
if $CC_CMD -std=c99 -pedantic -Wall -Wextra -Wshadow -Werror $sanflags \
	-o "$T/consumer" "$T/src/consumer.c" $flags \
	-Wl,-rpath,"$libdir" >"$T/out" 2>"$T/err"; then
	ok "consumer.c built with pkg-config's flags alone${sanflags:+ ($sanflags)}"
else
	not_ok "consumer.c built with pkg-config's flags alone"
	done_testing
	exit 0
fi
if ldd "$T/consumer" | grep -q "libswt.so.0 => $libdir/libswt.so.0"; then
	ok "the consumer runs with the installed libswt.so.0"
else
	ldd "$T/consumer" >"$T/out"
	not_ok "the consumer runs with the installed libswt.so.0"
fi

# consumer DIR EXPECTED_STATUS ARGS...: run in DIR on session.swt (the name
# swanalyze's golden warnings were made with); stdout, stderr and status
# in $T.
consume() {
	(cd "$1" && shift && "$T/consumer" "$@" session.swt "$T/report" \
		"$T/fields") >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}

n=0
for d in "$FIXTURES"/*/; do
	d=${d%/}
	name=$(basename "$d")
	[ -f "$d/expected.status" ] && [ -f "$d/expected.full.json" ] ||
		continue
	n=$((n + 1))
	for how in file mem; do
		if [ $how = mem ]; then consume "$d" -m; else consume "$d"; fi
		rc=$(cat "$T/rc")
		want=$(cat "$d/expected.status")
		if [ "$rc" != "$want" ]; then
			not_ok "$name ($how): exit status $rc, swanalyze's $want"
			continue
		fi
		sed 's/^swanalyze: /consumer: /' "$d/expected.stderr" \
			>"$T/want.err"
		if ! cmp -s "$T/want.err" "$T/err"; then
			diff -u "$T/want.err" "$T/err" | diag
			not_ok "$name ($how): the message is swanalyze's warnings"
		elif ! cmp -s "$d/expected.full.json" "$T/report"; then
			diff -u "$d/expected.full.json" "$T/report" |
				head -n 20 | diag
			not_ok "$name ($how): the JSON is the golden report"
		elif ! "$PYTHON" "$SRC/check-fields.py" "$d/expected.full.json" \
			"$T/fields" >"$T/out" 2>&1; then
			not_ok "$name ($how): the structs say what the JSON says"
		else
			ok "$name ($how): exit $rc, message, golden JSON, struct fields"
		fi
	done
done
check "fixtures found ($n)" test "$n" -ge 10

# Every report and format of one session.
d=$FIXTURES/recorded-example
for report in lightweight full weight-analysis; do
	for format in text json csv markdown; do
		case $format in
		text) ext=txt ;; markdown) ext=md ;; *) ext=$format ;;
		esac
		consume "$d" -r $report -f $format
		if cmp -s "$d/expected.$report.$ext" "$T/report"; then
			ok "recorded-example: $report $format is the golden one"
		else
			not_ok "recorded-example: $report $format is the golden one"
		fi
	done
done

# Settings: a config file and options, as swanalyze's.
cat >"$T/th.conf" <<EOF
# thresholds of the test
memory_mb = 1
rate.ocr_call = 5
EOF
for how in file mem; do
	m=
	[ $how = mem ] && m=-m
	consume "$d" $m -c "$T/th.conf" -t cpu_percent=5 -t group_by=comm
	(cd "$d" && "$SWANALYZE" session.swt --report full --format json \
		--config "$T/th.conf" --threshold cpu_percent=5 \
		--group-by comm) >"$T/want.json" 2>/dev/null
	if [ "$(cat "$T/rc")" = 0 ] && cmp -s "$T/want.json" "$T/report"; then
		ok "settings ($how): swanalyze --config --threshold --group-by's JSON"
	else
		not_ok "settings ($how): swanalyze --config --threshold --group-by's JSON"
	fi
	# the thresholds' values and sources (config, option) in the structs
	check "settings ($how): the structs say what the JSON says" \
		"$PYTHON" "$SRC/check-fields.py" "$T/want.json" "$T/fields"
done

# Settings that make what no fixture has by default: a heavy_pattern
# bottleneck (its pattern) and a module of processes that ran several
# command lines (command_lines). Fields against swanalyze's JSON with the
# same settings (split on purpose: word splitting, no globbing).
# shellcheck disable=SC2086,SC2046
for args in "synthetic-counters -t heavy_patterns=*a* -t saturation_percent=10" \
	"synthetic-busy -t group_patterns=all:*"; do
	set -f
	set -- $args
	set +f
	name=$1
	shift
	consume "$FIXTURES/$name" "$@"
	rc=$(cat "$T/rc")
	set -f
	# -t K=V as --threshold K=V
	(cd "$FIXTURES/$name" && "$SWANALYZE" session.swt --report full \
		--format json $(echo "$*" | sed 's/-t /--threshold /g')) \
		>"$T/want.json" 2>/dev/null
	set +f
	if [ "$rc" != 0 ] || ! cmp -s "$T/want.json" "$T/report"; then
		not_ok "$name $*: swanalyze's JSON"
	elif ! "$PYTHON" "$SRC/check-fields.py" "$T/want.json" "$T/fields" \
		>"$T/out" 2>&1; then
		not_ok "$name $*: the structs say what the JSON says"
	elif ! grep -q "$(case $name in
		synthetic-counters) printf '^bottleneck\t[0-9]*\tpattern\t.' ;;
		*) printf '^variant\t2\tcommand\t' ;;
		esac)" "$T/fields"; then
		not_ok "$name $*: no pattern (no third command line) in the structs"
	else
		ok "$name $*: swanalyze's JSON, the structs say what it says"
	fi
done
consume "$d" -t no_such_key=1
if [ "$(cat "$T/rc")" = 2 ] && grep -q "no_such_key" "$T/err"; then
	ok "an unknown key is refused with its name"
else
	not_ok "an unknown key is refused with its name"
fi

# The corrupt fixtures: swanalyze's status, message and (when it writes
# one) report. The consumer has no report where swanalyze has none (2 or
# 3: the engine refused a record), and 3 with the same report otherwise.
for d in "$FIXTURES"/corrupt/*/; do
	d=${d%/}
	[ -f "$d/session.swt" ] || continue
	name=corrupt/$(basename "$d")
	consume "$d"
	rc=$(cat "$T/rc")
	cp "$T/err" "$T/have.err"
	cp "$T/report" "$T/have.json" 2>/dev/null || : >"$T/have.json"
	(cd "$d" && "$SWANALYZE" session.swt --report full --format json) \
		>"$T/want.json" 2>"$T/want.err"
	want=$?
	sed -i 's/^swanalyze: /consumer: /' "$T/want.err"
	if [ -s "$T/want.json" ]; then
		want_rc=$want
	else
		want_rc=2
	fi
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name: exit $rc, want $want_rc (swanalyze: $want)"
	elif ! cmp -s "$T/want.err" "$T/have.err"; then
		diff -u "$T/want.err" "$T/have.err" | diag
		not_ok "$name: swanalyze's message"
	elif [ "$rc" = 3 ] && ! cmp -s "$T/want.json" "$T/have.json"; then
		not_ok "$name: swanalyze's report"
	else
		ok "$name: exit $rc, swanalyze's message and report"
	fi
	rm -f "$T/report"
done

done_testing
