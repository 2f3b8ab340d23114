#!/bin/sh
# ninja.sh — what swrec costs during a real build (issue 12): clean ninja
# builds of this repository recorded by swrec as it is by default (process
# events from BPF where it loads), with --sampler=proc, with
# --proc-events=connector, with
# --no-proc-events and with --no-exits (and by another swrec, OLD, if
# given), alternated, RUNS rounds. For each: the recorder's CPU, the part
# of it spent on exit accounting (the end record's exit_acct_cpu_ns), the
# processes that exited, and that part per exiting process (write_ms: of
# it, writing the records of processes never sampled); beside it, what
# one /proc sample of a process cost in the same recording (us_per_psample:
# the recorder's CPU less its exit accounting, over the process-samples it
# took: mostly first samples of new processes, whose reading of /proc
# costs the most: the cost a short-lived process would have had, sampled
# once); us_per_procread: what reading one tracked process's counters
# from /proc cost in the same recording, under the same load (the end
# record's proc_read_cpu_ns over proc_reads: only where the tracked
# processes are read from /proc, the variant sampler=proc, which takes
# its exit accounting from the same BPF events as the default);
# us_unseen: what a process that lived and died between two samples cost
# in all (its share of the accounting, and its own two records) against
# us_first: what a process found by a scan cost past the listing, its
# first /proc sample (command line, program and counters: the end
# record's proc_first_read_cpu_ns over proc_first_reads), and us_sampled:
# that and its two records (sampled_write_cpu_ns over sampled_records,
# twice), in the same recording; and,
# where BPF ran, what its programs cost the build's processes in the
# kernel (kernel.bpf_stats_enabled: run time per exec and per fork).
#
#   sh bench/rec/ninja.sh BUILD [RUNS [OLD_SWREC]]
#   VARIANTS="default no-exits" sh bench/rec/ninja.sh ...   (a subset)
#
# BUILD: a release build directory of this tree (meson setup B
# --buildtype=release); the build measured is a fresh meson setup of the
# sources in a temporary directory. Needs root for the exit accounting.
set -eu

BUILD=${1:?usage: ninja.sh BUILD [RUNS [OLD_SWREC]]}
RUNS=${2:-3}
OLD=${3:-}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SWREC=$BUILD/record/swrec
DUMP="$BUILD/replay/swreplay --dump"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

field() {	# field NAME < end record
	tr ',' '\n' | sed -n "s/^\"$1\":\\([0-9a-z]*\\).*/\\1/p" | head -n 1
}

# NUM / DEN / 1000 with one decimal, or "-" when DEN is missing or 0
ratio_us() {
	awk -v n="${1:-0}" -v d="${2:-0}" \
		'BEGIN { if (d > 0) printf "%.1f", n / d / 1e3; else printf "-" }'
}

printf '%-22s %3s %8s %9s %12s %10s %9s %6s %6s %12s %15s %15s %10s %10s %10s %8s\n' \
	variant run samples psamples recorder_ms exit_ms write_ms exits \
	unseen us_per_exit us_per_psample us_per_procread us_unseen \
	us_first us_sampled bpf_us
variants=${VARIANTS:-"default sampler=proc proc-events=connector no-proc-events no-exits"}
# the BPF programs' own run time (reset by each load)
old_stats=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
sysctl -qw kernel.bpf_stats_enabled=1 2>/dev/null || true
trap 'rm -rf "$TMP"; sysctl -qw kernel.bpf_stats_enabled="$old_stats" 2>/dev/null || true' EXIT
[ -n "$OLD" ] && variants="old $variants"
run=1
while [ "$run" -le "$RUNS" ]; do
	for v in $variants; do
		rm -rf "$TMP/b" "$TMP/s.swt"
		meson setup "$TMP/b" "$SRC" >/dev/null 2>&1
		case $v in
		old) "$OLD" -q -o "$TMP/s.swt" -- ninja -C "$TMP/b" >/dev/null 2>&1 ;;
		default)
			# the programs' run time, read while swrec runs
			"$SWREC" -q -o "$TMP/s.swt" -- sh -c '
				ninja -C "$1" >/dev/null 2>&1
				bpftool -j prog show 2>/dev/null >"$2"' sh \
				"$TMP/b" "$TMP/progs" >/dev/null 2>&1 ;;
		*) "$SWREC" "--$v" -q -o "$TMP/s.swt" -- ninja -C "$TMP/b" >/dev/null 2>&1 ;;
		esac
		$DUMP "$TMP/s.swt" | tail -n 1 >"$TMP/end"
		exits=$($DUMP "$TMP/s.swt" | grep -c '"kind":"proc_exit"' || true)
		# processes never sampled: their start and exit records come
		# at the same tick
		unseen=$($DUMP "$TMP/s.swt" | python3 -c '
import json, sys
t = {}
n = 0
for line in sys.stdin:
    if "\"proc_start\"" not in line and "\"proc_exit\"" not in line:
        continue
    r = json.loads(line)
    k = (r["pid"], r["start_ticks"])
    if r["kind"] == "proc_start":
        t[k] = r["t_ns"]
    elif t.pop(k, None) == r["t_ns"]:
        n += 1
print(n)')
		psamples=$($DUMP "$TMP/s.swt" | grep '"kind":"sample"' |
			grep -o '{"pid":' | wc -l)
		cpu=$(field recorder_cpu_ns <"$TMP/end")
		ex=$(field exit_acct_cpu_ns <"$TMP/end")
		bpf=-
		if [ "$v" = default ] && [ -s "$TMP/progs" ]; then
			bpf=$(python3 -c '
import json, sys
t = sum(p.get("run_time_ns", 0) for p in json.load(open(sys.argv[1]))
        if p.get("name", "").startswith("swt_"))
print("%.1f" % (t / 1e3))' "$TMP/progs")
		fi
		rm -f "$TMP/progs"
		wr=$(field exit_write_cpu_ns <"$TMP/end")
		prd=$(field proc_read_cpu_ns <"$TMP/end")
		prn=$(field proc_reads <"$TMP/end")
		frd=$(field proc_first_read_cpu_ns <"$TMP/end")
		frn=$(field proc_first_reads <"$TMP/end")
		swr=$(field sampled_write_cpu_ns <"$TMP/end")
		srn=$(field sampled_records <"$TMP/end")
		procread=$(ratio_us "$prd" "$prn")
		us_first=$(ratio_us "$frd" "$frn")
		# a process never sampled: its share of the accounting, and its
		# own two records; one found by a scan: its first read and two
		# records
		us_unseen=-
		[ -n "$ex" ] && [ "$unseen" -gt 0 ] &&
			us_unseen=$(echo "$ex ${wr:-0} $exits $unseen" |
				awk '{ printf "%.1f", (($1 - $2) / $3 + $2 / $4) / 1e3 }')
		us_sampled=-
		[ "$us_first" != - ] && [ "${srn:-0}" -gt 0 ] &&
			us_sampled=$(echo "$frd $frn $swr $srn" |
				awk '{ printf "%.1f", ($1 / $2 + 2 * $3 / $4) / 1e3 }')
		printf '%-22s %3d %8s %9d %12.1f %10.1f %9.1f %6d %6d %12.1f %15.1f %15s %10s %10s %10s %8s\n' \
			"$v" "$run" "$(field samples <"$TMP/end")" "$psamples" \
			"$(echo "$cpu" | awk '{ print $1 / 1e6 }')" \
			"$(echo "${ex:-0}" | awk '{ print $1 / 1e6 }')" \
			"$(echo "${wr:-0}" | awk '{ print $1 / 1e6 }')" "$exits" \
			"$unseen" \
			"$(echo "${ex:-0} $exits" | awk '{ print $2 ? $1 / $2 / 1e3 : 0 }')" \
			"$(echo "$cpu ${ex:-0} $psamples" |
				awk '{ print $3 ? ($1 - $2) / $3 / 1e3 : 0 }')" \
			"$procread" "$us_unseen" "$us_first" "$us_sampled" \
			"$bpf"
	done
	run=$((run + 1))
done
