#!/bin/sh
# bench/mutate/run.sh — robustness of the three readers over field-aware
# mutations of real sessions (bench/mutate/swt_mutate.c).
#
#   sh bench/mutate/run.sh BUILD N [RATE] [OUTDIR]
#
# BUILD is a meson build directory, best one with
# -Db_sanitize=address,undefined -Db_lundef=false (then a sanitizer report
# is a failure). For i = 1..N, session i is swt-mutate of one of the
# fixtures' session.swt (in turn) with seed i and RATE per mille (default
# 20), and each of
#     swanalyze FILE --report full --format json
#     swreplay --check FILE
#     swreplay --dump FILE
# must end within 60 s with a documented status (0, 2 when nothing of the
# file can be read as a session, 3 when it is damaged) and no sanitizer
# report, and the three must agree on 2 (a file refused by one is refused
# by all). Failing sessions are kept in OUTDIR (default a new directory
# under $TMPDIR) with the tools' stderr; the last line is
# "N passed, N failed". Runs two at a time.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD N [RATE] [OUTDIR]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
n=$2
rate=${3:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${4:-$(mktemp -d "${TMPDIR:-/tmp}/swt-mutate.XXXXXX")}
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ninja -C "$build" bench/swt-mutate analyze/swanalyze replay/swreplay \
	>/dev/null

ls "$src"/fixtures/*/session.swt >"$out/inputs"
n_in=$(wc -l <"$out/inputs")

# one: mutate and check session $1; prints "ok" or "FAIL reason"
one() {
	i=$1
	in=$(sed -n "$(( (i - 1) % n_in + 1 ))p" "$out/inputs")
	f=$out/m$i.swt
	if ! "$build/bench/swt-mutate" "$in" "$f" "$i" "$rate" \
		2>"$out/m$i.mutate"; then
		echo "FAIL $i mutate $(head -c 200 "$out/m$i.mutate")"
		return
	fi
	bad=
	for tool in analyze check dump; do
		case $tool in
		analyze) set -- "$build/analyze/swanalyze" "$f" --report full \
				--format json ;;
		check) set -- "$build/replay/swreplay" --check "$f" ;;
		dump) set -- "$build/replay/swreplay" --dump "$f" ;;
		esac
		rc=0
		timeout 60 "$@" >/dev/null 2>"$out/m$i.$tool" || rc=$?
		if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" \
			"$out/m$i.$tool"; then
			bad="$bad $tool:sanitizer"
		elif [ "$rc" = 124 ]; then
			bad="$bad $tool:hang"
		elif [ "$rc" != 0 ] && [ "$rc" != 2 ] && [ "$rc" != 3 ]; then
			bad="$bad $tool:status-$rc"
		fi
		refused="${refused:-}$([ "$rc" = 2 ] && echo y || echo n)"
	done
	case $refused in
	yyy|nnn) ;;
	*) bad="$bad disagree:$refused" ;;
	esac
	refused=
	if [ -n "$bad" ]; then
		echo "FAIL $i ($(basename "$(dirname "$in")"))$bad"
	else
		rm -f "$f" "$out/m$i".*
		echo "ok $i"
	fi
}

export build out rate n_in
i=1
: >"$out/results"
while [ "$i" -le "$n" ]; do
	one "$i" >>"$out/results" &
	if [ $((i % 2)) = 0 ]; then
		wait
	fi
	i=$((i + 1))
done
wait
grep FAIL "$out/results" | sort -n -k2 || true
p=$(grep -c '^ok' "$out/results" || true)
f=$(grep -c '^FAIL' "$out/results" || true)
echo "inputs: $n_in sessions; mutations: $n at $rate per mille; kept in $out"
echo "$p passed, $f failed"
[ "$f" = 0 ]
