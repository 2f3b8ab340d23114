# Remote-write end to end. Backfill: swrec records a spinning shell, `swanalyze export
# --remote-write` sends the session to Debian's prometheus (remote-write
# receiver on, an out-of-order window) and victoria-metrics, each on a
# loopback port chosen now, and their query APIs give back the report's
# figures: the tree's CPU seconds (the last total), its average CPU (the
# end series, and the mean of the per-interval ratio), the process
# module's average and weight, the tree's disk writes (sent per interval)
# and a process module's calls (dd's restarts), within the rounding of the
# report's figures; a program's TCP bytes sent, per interval, into the
# prometheus. Live: `swrec --remote-write` into the prometheus, whose query
# API has the session's CPU while swrec still runs, and at the end the
# report's CPU and disk write totals and the end series. Skips (with the
# reason) where the servers are not installed: scripts/setup-debian.sh
# --fleet.
#
#   sh test-receivers.sh SWREC SWANALYZE SWREPLAY PYTHON3 OLD.swt TMPDIR
#
# OLD.swt: a session recorded more than a day ago (a fixture), which the
# prometheus (a window of 1 d) refuses: the answer is explained, not
# retried.
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 6 "$0 SWREC SWANALYZE SWREPLAY PYTHON3 OLD.swt TMPDIR" "$@"
SWREC=$1
SWANALYZE=$2
SWREPLAY=$3
PY=$4
OLD=$5
T=$6
U="$(dirname "$0")/fleet_util.py"
tap_sandbox

PROM=$(command -v prometheus || true)
VM=$(command -v victoria-metrics || true)
if [ -z "$PROM" ] || [ -z "$VM" ]; then
	skip "remote-write into prometheus and victoria-metrics" \
		"prometheus or victoria-metrics is not installed (sh scripts/setup-debian.sh --fleet)"
	done_testing
fi

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

# Prometheus: the receiver, and a window for samples older than its head
cat >"$T/prom.yml" <<EOC
global:
  scrape_interval: 1h
storage:
  tsdb:
    out_of_order_time_window: 1d
EOC
PP=$("$PY" "$U" port)
"$PROM" --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PP" --web.enable-remote-write-receiver \
	>"$T/prom.log" 2>&1 &
pids="$pids $!"
VP=$("$PY" "$U" port)
"$VM" -httpListenAddr="127.0.0.1:$VP" -storageDataPath="$T/vm" \
	-retentionPeriod=1y -search.latencyOffset=0s -search.disableCache \
	>"$T/vm.log" 2>&1 &
pids="$pids $!"

# (and three dd writing 1 MiB each, the same command of the same parent:
# disk bytes, and calls of a process module, its restarts)
run "$SWREC" -q -i 100ms -o "$T/s.swt" -- sh -c \
	'i=0; while [ $i -lt 300000 ]; do i=$((i+1));
	case $i in *00000) dd if=/dev/zero of="$0" bs=64k count=16 \
		conv=fsync 2>/dev/null;; esac; done; sleep 0.5' "$T/w"
check "swrec records a spinning shell" [ "$rc" -eq 0 ]
run "$SWANALYZE" "$T/s.swt" --report full --format json -o "$T/r.json"
check "swanalyze writes its JSON report" [ "$rc" -eq 0 ]

run "$PY" "$U" wait "http://127.0.0.1:$PP/-/ready" 120
check "prometheus is ready" [ "$rc" -eq 0 ]
run "$PY" "$U" wait "http://127.0.0.1:$VP/health" 120
check "victoria-metrics is ready" [ "$rc" -eq 0 ]

# the figures the servers must give back, and the time to ask at
"$PY" - "$T/r.json" "$T/s.swt" >"$T/expect" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
m = [m for m in d["modules"] if m["kind"] == "process" and m["name"] == "sh"]
m = m[0]
dd = [m for m in d["modules"] if m["kind"] == "process" and m["name"] == "dd"]
print(d["session"]["cpu_s"], d["cpu_percent"]["avg"], m["cpu_percent_avg"],
      m["weight"], d["session"]["io_write_mb"] or 0,
      dd[0]["calls"] if dd else "none")
EOP
read -r cpu_s cpu_avg sh_avg sh_weight io_w dd_calls <"$T/expect"
"$SWANALYZE" export --print "$T/s.swt" >"$T/series" 2>"$T/err"
check "export --print lists the series" [ -s "$T/series" ]
sid=$(sed -n 's/.*session="\([0-9a-f]*\)".*/\1/p' "$T/series" | head -n 1)
# the plain mean of the tree's per-interval CPU ratios sent, in %
n_ratio=$(grep -c '^swt_session_cpu_ratio{' "$T/series" || true)
sent_ratio=$(awk '/^swt_session_cpu_ratio\{/ { s += $(NF - 1); n++ }
	END { if (n) printf "%.6f", s / n * 100 }' "$T/series")
# a time after the session's end (the end series' timestamp), in seconds
tq=$(awk '{ t = $NF } END { printf "%.3f", t / 1000 + 1 }' "$T/series")
run "$SWANALYZE" export --print "$T/s.swt"
check "export --print is deterministic" cmp -s "$T/out" "$T/series"

# near A B TOL: |A - B| <= TOL, A and B numbers. TOL is half the last
# digit of the report's figure (0.05 for one decimal), and a value exactly
# on that edge is the report's too: 1.75 MB shows as 1.8, 51.95 % as 52.0.
# In binary neither side is exact (1.8 - 1.75 = 0.0500000000000000444,
# a server gives 51.949999999999996), so the comparison allows the
# doubles' own error, 1e-9 of the magnitude, and no more.
near() {
	[ -n "$1" ] && [ -n "$2" ] || return 1
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		m = a < 0 ? -a : a; if (b > m) m = b; if (-b > m) m = -b
		exit !(d <= t + 1e-9 * (m > 1 ? m : 1)) }'
}

for srv in prometheus:$PP victoria-metrics:$VP; do
	name=${srv%%:*}
	port=${srv#*:}
	run "$SWANALYZE" export --remote-write \
		"http://127.0.0.1:$port/api/v1/write" --label test=backfill \
		"$T/s.swt"
	check "$name: swanalyze export sends every sample" \
		[ "$rc" -eq 0 ]
	grep -q " 0 failed" "$T/err" || echo "export: $(cat "$T/err")" | diag
	base="http://127.0.0.1:$port"
	sel="session=\"$sid\",test=\"backfill\""
	v=$("$PY" "$U" query "$base" \
		"max_over_time(swt_session_cpu_seconds_total{$sel}[1h])" \
		"$tq" 60)
	check "$name: the tree's CPU seconds are the report's ($v = $cpu_s)" \
		near "$v" "$cpu_s" 0.0005
	v=$("$PY" "$U" query "$base" \
		"swt_session_cpu_average_ratio{$sel} * 100" "$tq" 60)
	check "$name: the tree's average CPU is the report's ($v = $cpu_avg %)" \
		near "$v" "$cpu_avg" 0.05
	# the per-interval ratios: their plain mean is that of the samples
	# sent (export --print); the report weighs each interval by its
	# length, which checks 8 and 9 compare (the two means part on a
	# machine whose ticks come late: 42.1 against 34.7 % under ASan)
	v=$("$PY" "$U" query "$base" \
		"avg_over_time(swt_session_cpu_ratio{$sel}[1h]) * 100" "$tq" 60)
	check "$name: the tree's CPU per interval is what was sent ($v ~ $sent_ratio %, $n_ratio intervals)" \
		near "$v" "$sent_ratio" 0.01
	v=$("$PY" "$U" query "$base" \
		"swt_module_cpu_average_ratio{$sel,kind=\"process\",module=\"sh\"} * 100" \
		"$tq" 60)
	check "$name: the shell's average CPU is the report's ($v = $sh_avg %)" \
		near "$v" "$sh_avg" 0.05
	v=$("$PY" "$U" query "$base" \
		"swt_module_weight{$sel,kind=\"process\",module=\"sh\"}" "$tq" 60)
	check "$name: the shell's weight is the report's ($v = $sh_weight)" \
		near "$v" "$sh_weight" 0.0005
	# disk bytes and calls: running totals per interval, the last the
	# report's (its JSON has MB to one decimal)
	v=$("$PY" "$U" query "$base" \
		"count_over_time(swt_session_io_written_bytes_total{$sel}[1h])" \
		"$tq" 60)
	check "$name: the tree's disk writes come per interval ($v samples)" \
		[ -n "$v" ] && [ "${v%%.*}" -gt 3 ]
	v=$("$PY" "$U" query "$base" \
		"max_over_time(swt_session_io_written_bytes_total{$sel}[1h]) / 1048576" \
		"$tq" 60)
	check "$name: the tree's disk writes are the report's ($v = $io_w MB)" \
		near "$v" "$io_w" 0.05
	v=$("$PY" "$U" query "$base" \
		"max_over_time(swt_module_calls_total{$sel,kind=\"process\",module=\"dd\"}[1h])" \
		"$tq" 60)
	check "$name: dd's calls are the report's ($v = $dd_calls)" \
		[ "$dd_calls" != 0 ] && near "$v" "$dd_calls" 0
done

# ---- TCP bytes per interval: a program sending 64 KiB every 100 ms to
# itself over loopback for 1.5 s (the sockets are read as root only: else
# the report has no network figures, and the test says so)
cat >"$T/tcp.py" <<'EOPY'
import socket, threading, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def serve():
    c, _ = srv.accept()
    while c.recv(65536):
        pass
threading.Thread(target=serve, daemon=True).start()
cl = socket.create_connection(srv.getsockname())
for i in range(15):
    cl.sendall(b"x" * 65536)
    time.sleep(0.1)
cl.close()
time.sleep(0.3)
EOPY
"$SWREC" -q -i 100ms -o "$T/tcp.swt" -- "$PY" "$T/tcp.py" 2>"$T/err"
net_s=$("$SWANALYZE" "$T/tcp.swt" --report full --format json |
	"$PY" -c 'import json, sys
print(json.load(sys.stdin)["session"]["net_sent_mb"])')
if [ "$net_s" = None ]; then
	skip "prometheus: the tree's TCP bytes per interval" \
		"swrec read no sockets (not root?)"
else
	"$SWANALYZE" export --remote-write "http://127.0.0.1:$PP/api/v1/write" \
		--label test=tcp "$T/tcp.swt" 2>"$T/err" || cat "$T/err" | diag
	w=$("$SWANALYZE" export --print "$T/tcp.swt" |
		awk '/^swt_session_network_sent_bytes_total/ { v = $(NF - 1); n++ }
		END { print v, n }')
	v=$("$PY" "$U" query "http://127.0.0.1:$PP" \
		'max_over_time(swt_session_network_sent_bytes_total{test="tcp"}[1h])' \
		now 60)
	n=$("$PY" "$U" query "http://127.0.0.1:$PP" \
		'count_over_time(swt_session_network_sent_bytes_total{test="tcp"}[1h])' \
		now 60)
	check "prometheus: the tree's TCP bytes sent come per interval ($n samples = ${w#* }), the last the report's ($v bytes ~ $net_s MB)" \
		eval '[ -n "$v" ] && [ "$n" = "${w#* }" ] && [ "${n:-0}" -gt 3 ] &&
		near "$v" "${w% *}" 0 &&
		near "$(awk -v v="$v" "BEGIN { print v / 1048576 }")" "$net_s" 0.05'
fi

# ---- a session older than the window: refused, explained, not retried
# (Prometheus 2.42 answers "too old sample" with a 500)
run "$SWANALYZE" export --remote-write "http://127.0.0.1:$PP/api/v1/write" \
	"$OLD"
check "old session: export exits 4" [ "$rc" -eq 4 ]
check "old session: the out-of-order window is explained" \
	grep -q "HTTP [45]00: .*out_of_order_time_window" "$T/err"
check "old session: not retried" grep -q "(0 retries)" "$T/err"

# ---- live: the samples appear while swrec runs
"$SWREC" -q -i 100ms -o "$T/live.swt" \
	--remote-write "http://127.0.0.1:$PP/api/v1/write" --label test=live \
	-- sh -c 'while [ ! -e "$0" ]; do i=0;
		while [ $i -lt 3000 ]; do i=$((i+1)); done;
		dd if=/dev/zero of="$0.w" bs=64k count=1 conv=fsync \
			2>/dev/null; done' "$T/stop" \
	>"$T/live.out" 2>"$T/live.err" &
rec=$!
v=$("$PY" "$U" query "http://127.0.0.1:$PP" \
	'max(swt_session_cpu_seconds_total{test="live"})' now 120)
running=no
kill -0 "$rec" 2>/dev/null && running=yes
check "live: prometheus has the session's CPU ($v s) while swrec runs" \
	[ -n "$v" ] && [ "$running" = yes ]
: >"$T/stop"
rc=0
wait "$rec" || rc=$?
check "live: swrec ends well" [ "$rc" -eq 0 ]
"$SWANALYZE" "$T/live.swt" --report full --format json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d["session"]["cpu_s"], d["session"]["io_write_mb"] or 0)' >"$T/live.cpu"
read -r cpu_s io_w <"$T/live.cpu"
v=$("$PY" "$U" query "http://127.0.0.1:$PP" \
	'swt_session_total_weight{test="live"}' now 60)
check "live: the end series arrive (total weight $v)" [ -n "$v" ]
v=$("$PY" "$U" query "http://127.0.0.1:$PP" \
	'max_over_time(swt_session_cpu_seconds_total{test="live"}[1h])' now 60)
# (and what a backfill of the file would send last: tells the series'
# figures from the receiver's)
wc=$("$SWANALYZE" export --print "$T/live.swt" |
	awk '/^swt_session_cpu_seconds_total/ { v = $(NF - 1) } END { print v }')
check "live: the tree's CPU seconds are the report's ($v = $cpu_s; a backfill's last $wc)" \
	near "$v" "$cpu_s" 0.0005
v=$("$PY" "$U" query "http://127.0.0.1:$PP" \
	'max_over_time(swt_session_io_written_bytes_total{test="live"}[1h]) / 1048576' \
	now 60)
check "live: the tree's disk writes are the report's ($v = $io_w MB)" \
	near "$v" "$io_w" 0.05
# to the byte: what a backfill of the file sends last
w=$("$SWANALYZE" export --print "$T/live.swt" |
	awk '/^swt_session_io_written_bytes_total/ { v = $(NF - 1) } END { print v }')
v=$("$PY" "$U" query "http://127.0.0.1:$PP" \
	'max_over_time(swt_session_io_written_bytes_total{test="live"}[1h])' \
	now 60)
check "live: the tree's disk writes are the file's to the byte ($v = $w)" \
	near "$v" "$w" 0
"$SWREPLAY" --dump "$T/live.swt" | grep -q '"anomaly_kind":"remote_write".*failed 0 dropped 0 unsent 0' 
check "live: the file says every sample was sent" [ $? -eq 0 ]

done_testing
