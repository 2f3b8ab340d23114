# tap.sh — TAP helpers for the swreplay CLI tests, sourced by test-*.sh.
#
# Every script is run by meson as
#   sh test-X.sh SWREPLAY MKSESSION TMPDIR VERSION SRCDIR
# and works only inside TMPDIR, which it empties first (fixtures and the
# source tree stay read-only).

set -u

# the test-point helpers shared with the other shell tests
. "$(dirname "$0")/../tap-core.sh"

tap_args 5 "$0 SWREPLAY MKSESSION TMPDIR VERSION SRCDIR" "$@"
SWREPLAY=$1
MKSESSION=$2
T=$3
VERSION=$4
SRCDIR=$5
tap_sandbox

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
