# test-sampler-backends.sh — swrec --sampler: the BPF backend and /proc
# record the same processes alike, and auto falls back to /proc where BPF
# cannot load; as root without capabilities too (setpriv), the kernel
# refusing it rather than the hook.
#
#   sh test-sampler-backends.sh SWREC SWREPLAY SWANALYZE REC_WORKLOAD \
#      PYTHON COMPARE TMPDIR
#
# Two swrec -p run at once on one tree (a busy process, two spinning
# threads of another, one that touched 300 MB, a syscall-heavy one), one
# per backend; sampler_compare.py checks every row of each against the
# other's rows around it, and their reports. Where BPF cannot load (not
# root, a kernel before 6.7, built without it) those points are skipped
# and say why; the fallback ones run everywhere.

. "$(dirname "$0")/../tap-core.sh"

tap_args 7 "$0 SWREC SWREPLAY SWANALYZE REC_WORKLOAD PYTHON COMPARE TMPDIR" \
	"$@"
SWREC=$1
SWREPLAY=$2
SWANALYZE=$3
WORKLOAD=$4
PYTHON=$5
COMPARE=$6
T=$7
tap_sandbox

# sampler_of FILE: the header's sampler field
sampler_of() {
	"$SWREPLAY" --dump "$1" | head -n 1 |
		sed -n 's/.*"sampler":"\([a-z]*\)".*/\1/p'
}

# --- the fallback, everywhere ---------------------------------------------
run env SWT_SAMPLER_BPF_FAIL=1 "$SWREC" -o "$T/fb.swt" -i 100ms -- true
check "auto falls back to /proc when BPF cannot load, and says so" \
	sh -c '[ "$1" -eq 0 ] && [ "$('"$SWREPLAY"' --dump "$2" | head -n 1 |
		sed -n "s/.*\"sampler\":\"\([a-z]*\)\".*/\1/p")" = proc ] &&
		grep -q "sampled /proc: BPF sampler: " "$3"' \
	sh "$rc" "$T/fb.swt" "$T/err"

run env SWT_SAMPLER_BPF_FAIL=1 "$SWREC" --sampler bpf -o "$T/fb2.swt" -- true
check "--sampler bpf fails, writing nothing, when BPF cannot load" \
	sh -c '[ "$1" -ne 0 ] && grep -q -- "--sampler=bpf: BPF sampler" "$2" &&
		[ ! -e "$3" ]' sh "$rc" "$T/err" "$T/fb2.swt"

run "$SWREC" --sampler proc -o "$T/proc.swt" -i 100ms -- true
check "--sampler proc says proc in the header" \
	[ "$rc" -eq 0 ] && [ "$(sampler_of "$T/proc.swt")" = proc ]

run "$SWREC" --sampler nope -o "$T/x.swt" -- true
check "--sampler takes auto, bpf or proc only" \
	sh -c '[ "$1" -eq 2 ] && grep -q "auto, bpf, proc" "$2"' sh "$rc" \
	"$T/err"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	# (a checkout, and so the build, may be where nobody cannot go, as
	# under /root or a mktemp -d: swrec, which links no library of the
	# build, is copied to a directory of its own under /tmp)
	U=$(mktemp -d /tmp/swt-nobody.XXXXXX)
	chmod 755 "$U"
	cp "$SWREC" "$U/swrec"
	mkdir "$U/out" && chmod 1777 "$U/out"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$U/swrec" -o "$U/out/s.swt" -i 100ms -- true
	cp "$U/out/s.swt" "$T/nobody.swt" 2>/dev/null || true
	rm -rf "$U"
	check "an unprivileged swrec (auto) records from /proc" \
		[ "$rc" -eq 0 ] && [ "$(sampler_of "$T/nobody.swt")" = proc ]
else
	skip "an unprivileged swrec (auto) records from /proc" \
		"needs root and setpriv to become nobody"
fi

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	setpriv --inh-caps=-all --bounding-set=-all true 2>/dev/null; then
	# root without capabilities (a container without CAP_BPF): the
	# kernel refuses the load, not swrec's hook
	run setpriv --inh-caps=-all --bounding-set=-all \
		"$SWREC" -o "$T/nocap.swt" -i 100ms -- true
	check "root without capabilities (auto) records from /proc, saying why" \
		sh -c '[ "$1" -eq 0 ] && [ "$2" = proc ] &&
			grep -q "sampled /proc: BPF sampler: " "$3" &&
			! grep -q SWT_SAMPLER_BPF_FAIL "$3"' sh "$rc" \
		"$(sampler_of "$T/nocap.swt")" "$T/err"
else
	skip "root without capabilities (auto) records from /proc, saying why" \
		"needs root and setpriv to drop the capabilities"
fi

# --- both backends on the same processes ----------------------------------
run "$SWREC" --sampler bpf -o "$T/probe.swt" -i 100ms -- true
if [ "$rc" -ne 0 ]; then
	why=$(head -n 1 "$T/err")
	for d in "the header says bpf" "the /proc reads are measured" \
		"rows agree" "reports agree"; do
		skip "$d" "BPF cannot load here: $why"
	done
	done_testing
fi
check "the header says bpf" [ "$(sampler_of "$T/probe.swt")" = bpf ]

# the tree, in a process group of its own (killed as one at the end)
setsid sh -c '"$1" busy & "$1" spin-threads 2 & "$1" alloc 300 >"$2" &
	"$1" syscalls & wait' sh "$WORKLOAD" "$T/alloc.out" &
tree=$!
n=0
until grep -q ready "$T/alloc.out" 2>/dev/null; do
	n=$((n + 1))
	if [ "$n" -gt 6000 ]; then
		echo "Bail out! the 300 MB workload never got ready"
		kill -KILL "-$tree"
		exit 1
	fi
	sleep 0.05
done
"$SWREC" -q -p "$tree" --sampler bpf --duration 4s -i 200ms \
	-o "$T/bpf.swt" 2>"$T/bpf.err" &
b=$!
"$SWREC" -q -p "$tree" --sampler proc --duration 4s -i 200ms \
	-o "$T/procs.swt" 2>"$T/proc.err" &
p=$!
wait "$b"
rb=$?
wait "$p"
rp=$?
kill -KILL "-$tree"
wait "$tree" 2>/dev/null

# The /proc sampler measures what its reads of /proc cost (the end
# record's proc_read_cpu_ns over proc_reads: the baseline of the exit
# accounting's cost); the BPF one reads no counters there.
end_field() {	# end_field FILE NAME
	"$SWREPLAY" --dump "$1" | tail -n 1 | tr ',' '\n' |
		sed -n "s/^\"$2\":\([0-9]*\).*/\1/p"
}
if [ "$rp" -eq 0 ]; then
	prn=$(end_field "$T/procs.swt" proc_reads)
	prd=$(end_field "$T/procs.swt" proc_read_cpu_ns)
	brn=$(end_field "$T/bpf.swt" proc_reads)
	# 4 s at 200 ms of the tree's 5 processes: 100 reads, fewer on a
	# loaded machine
	if [ "${prn:-0}" -ge 20 ] && [ "${prd:-0}" -gt 0 ] &&
		{ [ "$rb" -ne 0 ] || [ "${brn:-0}" -lt "${prn:-0}" ]; }; then
		ok "the /proc reads are measured: $prn reads, $prd ns (BPF: ${brn:-0})"
	else
		not_ok "the /proc reads are measured: ${prn:-none} reads, ${prd:-none} ns (BPF: ${brn:-0})"
	fi
else
	not_ok "the /proc reads are measured (swrec --sampler proc failed)"
fi

# the per-CPU RSS counters' lag: 3 counters, a batch each per CPU
cpus=$(getconf _NPROCESSORS_ONLN)
batch=$((2 * cpus > 32 ? 2 * cpus : 32))
lag_kib=$((3 * cpus * batch * $(getconf PAGESIZE) / 1024))

if [ "$rb" -eq 0 ] && [ "$rp" -eq 0 ] &&
	"$SWREPLAY" --dump "$T/bpf.swt" >"$T/bpf.jsonl" &&
	"$SWREPLAY" --dump "$T/procs.swt" >"$T/proc.jsonl" &&
	"$PYTHON" "$COMPARE" rows "$T/bpf.jsonl" "$T/proc.jsonl" "$lag_kib" \
		>"$T/out" 2>&1 &&
	"$PYTHON" "$COMPARE" rows "$T/proc.jsonl" "$T/bpf.jsonl" "$lag_kib" \
		>>"$T/out" 2>&1; then
	ok "rows agree: each within the other's around it (CPU 1 tick, RSS the lag)"
	diag <"$T/out"
else
	cat "$T/bpf.err" "$T/proc.err" >"$T/err" 2>/dev/null
	not_ok "rows agree: each within the other's around it (CPU 1 tick, RSS the lag)"
	diag <"$T/out"
fi

# over the time both sampled (their starts lie apart by swrec's start-up)
win=$("$PYTHON" "$COMPARE" window "$T/bpf.jsonl" "$T/proc.jsonl" 2>&1) ||
	win=""
set -- $win
if [ $# -eq 4 ] &&
	"$SWANALYZE" "$T/bpf.swt" --report full --format json \
		--group-by cmdline --from "$1" --to "$2" >"$T/bpf.json" &&
	"$SWANALYZE" "$T/procs.swt" --report full --format json \
		--group-by cmdline --from "$3" --to "$4" >"$T/proc.json" &&
	"$PYTHON" "$COMPARE" reports "$T/bpf.json" "$T/proc.json" "$lag_kib" \
		>"$T/out" 2>&1; then
	ok "reports agree over the time both sampled ($win): the same modules, memory within the lag, CPU"
	diag <"$T/out"
else
	not_ok "reports agree: the same modules, memory within the lag, CPU"
	diag <"$T/out"
fi
done_testing
