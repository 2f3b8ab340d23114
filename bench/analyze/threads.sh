#!/bin/sh
# bench/analyze/threads.sh — swanalyze on a long session decoded on one
# thread and on several, against `zstd -dc` of the same file, in one run,
# alternated (docs/performance.md, "Decoding on several threads"). Target
# (issue 17): the analysis within 3x the wall time of `zstd -dc`, and the
# same report whatever the number of threads (checked on every run).
# Also the floor under it: the same records read as the analysis reads
# them and nothing done with them (swt-bench-decode, bench_decode.c), on
# 1 and THREADS threads. Then one more run on THREADS threads recorded by
# swrec, for the CPU of each thread (the caller's, the decoding threads').
#
# Usage: bench/analyze/threads.sh [RUNS]      (default 5)
#   BUILD_DIR  meson build directory (default: build-bench, release)
#   BASE       a baseline swanalyze binary (another tree's), run too
#   THREADS    the threaded run's --threads (default: nproc)
#   SESSION    an existing session to use (else one is written)
#   PROCS, SAMPLES  the session written (default 1000 processes x 86400 s
#              = 24 h, 106 MB)
#   LONE_THREAD_ROWS  no-lone-thread-rows: the session written without the
#              row of each process's one thread (as swrec writes it; 69 MB)
#   REPORT     the report (default full)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
runs=${1:-5}
procs=${PROCS:-1000}
samples=${SAMPLES:-86400}
report=${REPORT:-full}
threads=${THREADS:-$(nproc)}
base=${BASE:-}

[ -x /usr/bin/time ] || { echo "threads.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
command -v zstd >/dev/null || { echo "threads.sh: needs zstd" >&2; exit 2; }
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" bench/analyze/swt-bench-mkfixture \
	bench/analyze/swt-bench-decode analyze/swanalyze record/swrec >/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-threads.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE
. "$src/bench/facts.sh"
session=$(bench_session "$build" "$out" "$procs" "$samples")
swa=$build/analyze/swanalyze

echo "## swanalyze on several decoding threads against zstd -dc"
echo "command:    ${LONE_THREAD_ROWS:+LONE_THREAD_ROWS=$LONE_THREAD_ROWS }${BUILD_DIR:+BUILD_DIR=$BUILD_DIR }${BASE:+BASE=$BASE }${THREADS:+THREADS=$THREADS }${SESSION:+SESSION=$SESSION }sh bench/analyze/threads.sh $runs"
bench_facts "$src" "$build" proto
echo "file:       $session, $(wc -c <"$session") bytes"
echo "report:     --report $report, threads 1 and $threads${base:+, baseline $base}"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"

# wall seconds and CPU seconds (user + system) of one command; its peak
# RSS (MB) goes into $out/rss.NAME
timed() {
	tname=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$out/t" "$@" || {
		echo "threads.sh: failed: $*" >&2
		exit 1
	}
	awk '{ printf "%.1f\n", $4 / 1024 }' "$out/t" >>"$out/rss.$tname"
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$out/t"
}

z=""; one=""; many=""; bw=""; zc=""; onec=""; manyc=""; bc=""
d1=""; dn=""
dec=$build/bench/analyze/swt-bench-decode
i=1
while [ "$i" -le "$runs" ]; do
	# the first of the runs changes from one repetition to the next
	for k in 0 1 2 3 4 5; do
		case $(( (k + i) % 6 )) in
		0) r=$(timed z sh -c 'zstd -dcq "$1" >/dev/null' sh "$session")
		   z="$z ${r% *}"; zc="$zc ${r#* }"; zr=$r ;;
		1) r=$(timed one "$swa" "$session" --report "$report" \
			-o "$out/r1" --threads 1)
		   one="$one ${r% *}"; onec="$onec ${r#* }"; r1=$r ;;
		2) r=$(timed many "$swa" "$session" --report "$report" \
			-o "$out/rn" --threads "$threads")
		   many="$many ${r% *}"; manyc="$manyc ${r#* }"; rn=$r ;;
		3) if [ -n "$base" ]; then
			r=$(timed base "$base" "$session" --report "$report" \
				-o "$out/rb")
			bw="$bw ${r% *}"; bc="$bc ${r#* }"; rb=$r
		   fi ;;
		# the floor: the records read as the analysis reads them,
		# nothing done with them (bench_decode.c)
		4) r=$(timed dec1 sh -c '"$1" "$2" 1 >/dev/null' sh "$dec" \
			"$session")
		   d1="$d1 ${r% *}"; rd1=$r ;;
		5) r=$(timed decn sh -c '"$1" "$2" "$3" >/dev/null' sh "$dec" \
			"$session" "$threads")
		   dn="$dn ${r% *}"; rdn=$r ;;
		esac
	done
	cmp -s "$out/r1" "$out/rn" || {
		echo "threads.sh: the reports of --threads 1 and $threads differ" >&2
		exit 1
	}
	if [ -n "$base" ]; then
		cmp -s "$out/r1" "$out/rb" || {
			echo "threads.sh: the report differs from the baseline's" >&2
			exit 1
		}
	fi
	echo "run $i (wall s / CPU s): zstd -dc $zr; threads 1 $r1;" \
		"threads $threads $rn${base:+; baseline $rb};" \
		"decode only, threads 1 $rd1, threads $threads $rdn"
	i=$((i + 1))
done
median() { echo "$@" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ a[NR] = $1 }
	END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mz=$(median $z)
m1=$(median $one)
mn=$(median $many)
echo "reports:    identical (--threads 1 and $threads${base:+, and the baseline}), every run"
echo "median wall: zstd -dc $mz s; threads 1 $m1 s" \
	"($(awk -v a="$m1" -v b="$mz" 'BEGIN { printf "%.2f", a / b }') x zstd);" \
	"threads $threads $mn s" \
	"($(awk -v a="$mn" -v b="$mz" 'BEGIN { printf "%.2f", a / b }') x zstd)"
md1=$(median $d1)
mdn=$(median $dn)
echo "median wall: decode only (the floor), threads 1 $md1 s" \
	"($(awk -v a="$md1" -v b="$mz" 'BEGIN { printf "%.2f", a / b }') x zstd);" \
	"threads $threads $mdn s" \
	"($(awk -v a="$mdn" -v b="$mz" 'BEGIN { printf "%.2f", a / b }') x zstd)"
if [ -n "$base" ]; then
	mb=$(median $bw)
	echo "median wall: baseline $mb s" \
		"($(awk -v a="$mb" -v b="$mz" 'BEGIN { printf "%.2f", a / b }') x zstd)"
fi
echo "median CPU: zstd -dc $(median $zc) s; threads 1 $(median $onec) s;" \
	"threads $threads $(median $manyc) s${base:+; baseline $(median $bc) s}"
rb=""
[ -z "$base" ] || rb="; baseline $(sort -n "$out/rss.base" | tail -n 1)"
echo "peak RSS MB: threads 1 $(sort -n "$out/rss.one" | tail -n 1);" \
	"threads $threads $(sort -n "$out/rss.many" | tail -n 1)$rb"
# whose CPU the threads' is: one more run of --threads N recorded by
# swrec (0.1 s samples; as root each thread's CPU is its exit record's),
# its thread modules' CPU seconds (the caller's thread is `swanalyze`,
# the decoding threads `swt-decode`)
swrec=$build/record/swrec
if [ -x "$swrec" ] && [ "$threads" -gt 1 ]; then
	if "$swrec" -q -o "$out/self.swt" -i 0.1 -- "$swa" "$session" \
		--report "$report" -o /dev/null --threads "$threads" &&
		"$swa" "$out/self.swt" --report full --format csv \
			-o "$out/self.csv"; then
		echo "per thread: $(awk -F, '$1 == "modules" && $3 == "thread" {
			printf "%s%s %s s", sep, $2, $8; sep = ", " }' \
			"$out/self.csv") (CPU of one more run of --threads" \
			"$threads, recorded by swrec -i 0.1)"
	else
		echo "per thread: not measured (swrec failed)"
	fi
fi
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
