# facts.sh — machine and build facts every benchmark prints with its
# figures, sourced by bench/*/run.sh. POSIX sh.

# bench_facts SRC BUILD SUBTREE: the commit (marked when SUBTREE has
# uncommitted changes), the build type, CPUs and kernel.
bench_facts() {
	echo "commit:     $(git -C "$1" rev-parse --short HEAD 2>/dev/null ||
		echo unknown)$(git -C "$1" diff --quiet HEAD -- "$3" \
		2>/dev/null || echo " ($3/ modified)")"
	echo "buildtype:  $(meson introspect --buildoptions "$2" 2>/dev/null |
		python3 -c 'import json,sys
print(next(o["value"] for o in json.load(sys.stdin)
	if o["name"] == "buildtype"))' 2>/dev/null || echo unknown)"
	echo "nproc:      $(nproc)"
	echo "cpu:        $(sed -n 's/^model name[[:space:]]*: //p' \
		/proc/cpuinfo | sort | uniq -c |
		sed 's/^ *\([0-9]*\) /\1 x /')"
	echo "kernel:     $(uname -r)"
}

# bench_session BUILD OUT PROCS SAMPLES: the session a benchmark reads:
# $SESSION when set, else one of PROCS processes x SAMPLES 1 s samples
# written by swt-bench-mkfixture into the directory OUT (each process's
# one thread as a row of its own, which swrec would not write, unless
# LONE_THREAD_ROWS=no-lone-thread-rows). Prints its path.
bench_session() {
	if [ -n "${SESSION:-}" ]; then
		echo "$SESSION"
		return
	fi
	"$1/bench/analyze/swt-bench-mkfixture" bench "$2/bench-$3x$4.swt" \
		"$3" "$4" "${LONE_THREAD_ROWS:-lone-thread-rows}" >&2 || return 1
	echo "$2/bench-$3x$4.swt"
}

# bpf_stats_on: the kernel counts the runs of its BPF programs and their
# time (kernel.bpf_stats_enabled) until bpf_stats_restore puts the setting
# back (call it from the script's exit trap). Needs root.
bpf_stats_on() {
	bpf_stats0=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
}
bpf_stats_restore() {
	if [ -n "${bpf_stats0:-}" ]; then
		sysctl -q kernel.bpf_stats_enabled="$bpf_stats0"
	fi
	bpf_stats0=
}

# bpf_prog_counts SELECTOR...: "run_cnt run_time_ns" of the program that
# `bpftool prog show SELECTOR...` shows (`id N`, `name NAME`): a line for
# each such program.
bpf_prog_counts() {
	bpftool prog show "$@" | awk '/ run_time_ns / {
	    for (k = 1; k < NF; k++) {
		if ($k == "run_time_ns") t = $(k + 1)
		if ($k == "run_cnt") c = $(k + 1) }
	    print c, t }'
}
