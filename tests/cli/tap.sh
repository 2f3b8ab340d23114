# tap.sh — TAP helpers for the swreplay CLI tests, sourced by test-*.sh.
#
# Every script is run by meson as
#   sh test-X.sh SWREPLAY MKSESSION TMPDIR VERSION SRCDIR
# and works only inside TMPDIR, which it empties first (fixtures and the
# source tree stay read-only).

set -u

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWREPLAY MKSESSION TMPDIR VERSION SRCDIR"
	exit 1
fi
SWREPLAY=$1
MKSESSION=$2
T=$3
VERSION=$4
SRCDIR=$5

LC_ALL=C
export LC_ALL

rm -rf "$T" && mkdir -p "$T" || {
	echo "Bail out! cannot create $T"
	exit 1
}

tap_n=0
tap_failed=0

diag() {
	sed 's/^/# /'
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	# show what the last run printed
	if [ -f "$T/out" ]; then
		echo "stdout:" | diag
		head -n 20 "$T/out" | cut -c 1-300 | diag
	fi
	if [ -f "$T/err" ]; then
		echo "stderr:" | diag
		head -n 20 "$T/err" | diag
	fi
	if [ -n "${rc:-}" ]; then
		echo "exit status: $rc" | diag
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# check DESCRIPTION COMMAND...: one test point, ok when COMMAND succeeds.
check() {
	tap_desc=$1
	shift
	if "$@"; then
		ok "$tap_desc"
	else
		not_ok "$tap_desc"
	fi
}

# run COMMAND...: stdout into $T/out, stderr into $T/err, status into $rc.
run() {
	rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# mk KIND FILE [N]: write a session with mksession; its record count goes
# into $records. Bails out on failure: nothing after it would mean anything.
mk() {
	mk_kind=$1
	shift
	if ! "$MKSESSION" "$mk_kind" "$@" >"$T/mk.out" 2>"$T/mk.err"; then
		echo "Bail out! mksession $mk_kind failed: $(cat "$T/mk.err")"
		exit 1
	fi
	records=$(sed -n 's/^records //p' "$T/mk.out")
}

file_size() {
	wc -c <"$1" | tr -d ' '
}

# flip_byte FILE OFFSET: invert every bit of one byte, in place.
flip_byte() {
	fb_old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	fb_new=$(printf '\\%03o' $((fb_old ^ 255)))
	printf "$fb_new" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

# cut_file SRC DST BYTES: the first BYTES bytes of SRC.
cut_file() {
	dd if="$1" of="$2" bs="$3" count=1 2>/dev/null
}

# Value of a "key: value" line of a check report in $T/out.
report() {
	sed -n "s/^$1: //p" "$T/out"
}

lines() {
	wc -l <"$1" | tr -d ' '
}

# Every stderr line is one diagnostic naming the file: "swreplay: FILE: ".
stderr_names() {
	[ -s "$T/err" ] || return 1
	while IFS= read -r sn_line; do
		case $sn_line in
		"swreplay: $1: "*) ;;
		*) return 1 ;;
		esac
	done <"$T/err"
}

# stderr has a line that names the file and a byte offset ("byte N" or
# "offset N").
stderr_offset() {
	grep -F "swreplay: $1: " "$T/err" |
		grep -E '(byte|offset) [0-9]+' >/dev/null
}
