# The three readers of a session agree on every corrupt fixture:
# `swreplay --check`, `swreplay --dump` and `swanalyze` exit with the same
# status (2: nothing of FILE can be read as a session; 3: damaged, the
# readable part was used), that status is the one fixtures/corrupt/*/expected
# implies ("open" -> 2, "next" -> 3), and they name the same damaged byte
# ranges (or, for 2, the same offset). An "analyze" fixture (intact chunks,
# an absurd value) checks out structurally (swreplay exits 0) and
# swanalyze refuses it with status 3, naming the record.
#
#   sh test-verdicts.sh SWREPLAY SWANALYZE TMPDIR CORRUPTDIR
. "$(dirname "$0")/../tap-core.sh"

tap_args 4 "$0 SWREPLAY SWANALYZE TMPDIR CORRUPTDIR" "$@"
SWREPLAY=$1
SWANALYZE=$2
T=$3
CORRUPT=$4
tap_sandbox

# ranges_check FILE: "OFFSET LENGTH" per damage line of a check report
ranges_check() {
	sed -n 's/^damage: offset=\([0-9]*\) length=\([0-9]*\) .*/\1 \2/p' "$1" |
		sort
}

# ranges_replay FILE: from swreplay's "at byte N (L bytes, ...)" lines
ranges_replay() {
	sed -n 's/^swreplay: .* at byte \([0-9]*\) (\([0-9]*\) bytes, .*/\1 \2/p' \
		"$1" | sort
}

# ranges_analyze FILE: from swanalyze's "(...: L bytes at offset N: ...)"
ranges_analyze() {
	sed -n 's/^swanalyze: .*: \([0-9]*\) bytes at offset \([0-9]*\): .*/\2 \1/p' \
		"$1" | sort
}

# open_offset FILE: the offset an open failure names ("FILE: offset N: ")
open_offset() {
	sed -n 's/^sw[a-z]*: .*: offset \([0-9]*\): .*/\1/p' "$1"
}

n_fixtures=0
for dir in "$CORRUPT"/*/; do
	name=$(basename "$dir")
	f=$dir/session.swt
	[ -f "$f" ] && [ -f "$dir/expected" ] || continue
	n_fixtures=$((n_fixtures + 1))
	case $(head -n 1 "$dir/expected") in
	open\ *) want=2 ;;
	next\ *) want=3 ;;
	analyze\ *) want=analyze ;;
	*) want=unknown ;;
	esac
	if [ "$want" = analyze ]; then
		# every chunk intact, a value absurd: the structure checks
		# out, the analysis refuses the record and says which
		run "$SWREPLAY" --check "$f"
		check "$name: swreplay --check finds the structure intact" \
			[ "$rc" = 0 ]
		run "$SWREPLAY" --dump "$f"
		check "$name: swreplay --dump reads it all" [ "$rc" = 0 ]
		run "$SWANALYZE" --report lightweight "$f"
		check "$name: swanalyze exits 3" [ "$rc" = 3 ]
		check "$name: swanalyze names the record and its frame" \
			grep -q "frame at offset [0-9]*: record [0-9]* (" \
			"$T/err"
		continue
	fi

	run "$SWREPLAY" --check "$f"
	rc_check=$rc
	cp "$T/out" "$T/check.out"
	cp "$T/err" "$T/check.err"
	run "$SWREPLAY" --dump "$f"
	rc_dump=$rc
	cp "$T/err" "$T/dump.err"
	run "$SWANALYZE" --report lightweight "$f"
	rc_an=$rc
	cp "$T/err" "$T/an.err"

	check "$name: swreplay --check exits $want" [ "$rc_check" = "$want" ]
	check "$name: swreplay --dump exits $want" [ "$rc_dump" = "$want" ]
	check "$name: swanalyze exits $want" [ "$rc_an" = "$want" ]

	if [ "$want" = 2 ]; then
		o=$(open_offset "$T/check.err")
		check "$name: --check names an offset" [ -n "$o" ]
		check "$name: --dump names the same offset" \
			[ "$(open_offset "$T/dump.err")" = "$o" ]
		check "$name: swanalyze names the same offset" \
			[ "$(open_offset "$T/an.err")" = "$o" ]
		check "$name: swanalyze writes no report" [ ! -s "$T/out" ]
		continue
	fi
	ranges_check "$T/check.out" >"$T/r.check"
	ranges_replay "$T/check.err" >"$T/r.checkerr"
	ranges_replay "$T/dump.err" >"$T/r.dump"
	ranges_analyze "$T/an.err" >"$T/r.an"
	check "$name: --check names damaged ranges" [ -s "$T/r.check" ]
	check "$name: --check is not intact" \
		eval '! grep -qx "status: intact" "$T/check.out"'
	check "$name: --check warns about the ranges it reports" \
		cmp -s "$T/r.check" "$T/r.checkerr"
	check "$name: --dump names the same ranges as --check" \
		cmp -s "$T/r.check" "$T/r.dump"
	check "$name: swanalyze names the same ranges as --check" \
		cmp -s "$T/r.check" "$T/r.an"
	check "$name: swanalyze still writes a report" [ -s "$T/out" ]
done
check "every corrupt fixture was run" [ "$n_fixtures" -ge 11 ]

# The two cases of issue 11 in detail.
f=$CORRUPT/swapped-chunks/session.swt
run "$SWREPLAY" --dump "$f"
sed -n 's/^{"kind":"[a-z_]*","t_ns":\(-*[0-9]*\),.*/\1/p' "$T/out" \
	>"$T/times"
check "swapped-chunks: --dump prints records" [ -s "$T/times" ]
check "swapped-chunks: --dump never goes back in time" \
	eval 'sort -n -c "$T/times" 2>/dev/null'
check "swapped-chunks: --dump names the chunk going back and its offset" \
	grep -q "at byte 647 (271 bytes, SWT_ECORRUPT): chunk at offset 647 goes back in time" "$T/err"
run "$SWANALYZE" --report lightweight "$f"
check "swapped-chunks: swanalyze names the lost time range" \
	grep -q "records lost between t=0.300 s and t=0.600 s (corrupt: 271 bytes at offset 647: " "$T/err"
check "swapped-chunks: swanalyze says the index loses nothing" \
	grep -q "damaged index ignored, no record lost (corrupt: 194 bytes at offset 1704: index disagrees" "$T/err"
check "swapped-chunks: swanalyze counts 16 of the 20 samples, 1 process" \
	eval 'grep -qx "  samples  *16" "$T/out" &&
		grep -qx "  processes  *1" "$T/out"'

f=$CORRUPT/zero-header-length/session.swt
for tool in "$SWREPLAY --check" "$SWREPLAY --dump" \
	    "$SWANALYZE --report lightweight"; do
	# shellcheck disable=SC2086 # the tool and its option
	run $tool "$f"
	check "zero-header-length: $(basename "${tool%% *}") ${tool##* } names offset 24" \
		grep -q ": offset 24: session header length is 0" "$T/err"
	check "zero-header-length: $(basename "${tool%% *}") ${tool##* } prints nothing" \
		[ ! -s "$T/out" ]
done
done_testing
