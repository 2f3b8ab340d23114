# swrec --remote-write when the receiver fails (a fake receiver,
# fleet_util.py fake, that decodes every body and logs its status and
# samples): down at the start, killed in the middle, answering 500, 429,
# 500 three times then 204, never, 400. Each time swrec samples on schedule (no
# deadline missed), the session file is whole (swanalyze export sends all
# its samples afterwards), and the counts of sent, failed, dropped and
# unsent samples are printed and stored in the file (an Anomaly record
# "remote_write") and add up. Credentials come from files and are sent,
# never printed.
#
#   sh test-faults.sh SWREC SWANALYZE SWREPLAY PYTHON3 TMPDIR
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 5 "$0 SWREC SWANALYZE SWREPLAY PYTHON3 TMPDIR" "$@"
SWREC=$1
SWANALYZE=$2
SWREPLAY=$3
PY=$4
T=$5
U="$(dirname "$0")/fleet_util.py"
tap_sandbox

fake_pid=""
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	[ -n "$fake_pid" ] && wait "$fake_pid" 2>/dev/null
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

# fake MODE: start the fake receiver, $port its port, $T/log its log
fake() {
	cleanup
	rm -f "$T/port" "$T/log"
	: >"$T/log"
	"$PY" "$U" fake "$T/port" "$T/log" "$1" &
	fake_pid=$!
	n=0
	while [ ! -s "$T/port" ] && [ $n -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	port=$(cat "$T/port")
}

# taken: the samples the fake receiver logged as taken (204)
taken() {
	awk '$1 == 204 { n += $2 } END { print n + 0 }' "$T/log"
}

# taken_all N: it logged N samples taken, N > 0
taken_all() {
	[ "$(taken)" -eq "$1" ] && [ "$1" -gt 0 ]
}

# wait_for CMD...: the fake receiver logs a request after it answered it,
# so a client can be done before its last line is in the log: CMD again
# until it holds, for up to 30 s
wait_for() {
	w=0
	until "$@"; do
		[ $w -ge 300 ] && return 1
		sleep 0.1
		w=$((w + 1))
	done
}

# counts FILE: the remote_write record's figures as shell variables
counts() {
	"$SWREPLAY" --dump "$1" | "$PY" -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r.get("anomaly_kind") == "remote_write":
        w = r["detail"].split()
        print(" ".join("%s=%s" % (w[i], w[i + 1])
                       for i in range(0, len(w), 2)))
' >"$T/counts"
	samples=x sent=x failed=x dropped=x unsent=x requests=x retries=x
	[ -s "$T/counts" ] && . "$T/counts"
}

# on_schedule FILE: the sampling loop went on while the receiver failed:
# after swrec's first two intervals (its first samples can be seconds late
# on a busy runner with or without a receiver: the first scan of a /proc
# of thousands of processes under ASan), no two samples as far apart as a
# request's timeout (1 s here),
# over at least 5 intervals. A loop that waited on the network would stall
# that long at each request to the receiver that never answers, and for
# the backoff before each retry. (On a quiet machine the largest gap is
# the interval, 100 ms, to a few ms; a 2-core runner at load 50 from
# other jobs was seen to stall any swrec for 500 ms.)
on_schedule() {
	"$SWREPLAY" --dump "$1" | "$PY" -c '
import json, sys
t = [json.loads(l)["t_ns"] for l in sys.stdin
     if json.loads(l).get("kind") == "sample"]
gaps = [(b - a) / 1e6 for a, b in zip(t[2:], t[3:])]
print("%d intervals after the first two, the largest %.0f ms" %
      (len(gaps), max(gaps or [0])))
sys.exit(not (len(gaps) >= 5 and max(gaps) < 1000))' >"$T/sched"
	st=$?
	diag <"$T/sched"
	return $st
}

# whole FILE: every sample of the file goes to a receiver that takes them
whole() {
	want=$("$SWANALYZE" export --print "$1" | wc -l)
	fake ok
	"$SWANALYZE" export --remote-write "http://127.0.0.1:$port/api/v1/write" \
		"$1" >/dev/null 2>&1 || return 1
	wait_for taken_all "$want"
}

# record NAME URL [swrec options]: ${secs:-3} s at 100 ms
record() {
	name=$1
	url=$2
	shift 2
	run "$SWREC" -i 100ms -o "$T/$name.swt" --remote-write "$url" \
		--remote-write-timeout 1s "$@" -- sleep "${secs:-3}"
}

adds_up() {
	[ "$samples" -gt 0 ] &&
		[ $((sent + failed + dropped + unsent)) -eq "$samples" ]
}

# ---- down at the start
dead=$("$PY" "$U" port)
record down "http://127.0.0.1:$dead/api/v1/write"
check "down: swrec records" [ "$rc" -eq 0 ]
check "down: the summary says nothing was sent and why" \
	grep -q "remote-write: [0-9]* samples, 0 sent.*last failure: .*onnect" \
	"$T/err"
counts "$T/down.swt"
check "down: the counts are stored and add up ($samples = 0 + $failed + $dropped + $unsent)" \
	adds_up
check "down: retried (connection refused)" [ "$retries" -gt 0 ]
check "down: sampled on schedule" on_schedule "$T/down.swt"
check "down: the file has every sample (backfilled later)" \
	whole "$T/down.swt"

# ---- 500, always: retried, then failed
fake 500
record e500 "http://127.0.0.1:$port/api/v1/write"
check "500: swrec records" [ "$rc" -eq 0 ]
counts "$T/e500.swt"
check "500: retried ($retries)" [ "$retries" -gt 0 ]
check "500: nothing counted sent, the counts add up" \
	sh -c "[ $sent -eq 0 ] && [ $((failed + dropped + unsent)) -eq $samples ]"
check "500: the server's message is printed" grep -q "HTTP 500: fake says no" "$T/err"
check "500: sampled on schedule" on_schedule "$T/e500.swt"
check "500: the file has every sample" whole "$T/e500.swt"

# ---- 429: retried like a 5xx
fake 429
record e429 "http://127.0.0.1:$port/api/v1/write"
counts "$T/e429.swt"
check "429: retried ($retries), counts add up" \
	sh -c "[ $retries -gt 0 ] && [ $((sent + failed + dropped + unsent)) -eq $samples ]"

# ---- 500 three times, then accepted: nothing lost
fake flaky
record flaky "http://127.0.0.1:$port/api/v1/write"
counts "$T/flaky.swt"
check "flaky: every sample sent after retries ($sent of $samples, $retries retries)" \
	sh -c "[ $sent -eq $samples ] && [ $retries -ge 3 ] && [ $samples -gt 0 ]"
wait_for taken_all "$samples"
got=$(taken)
check "flaky: the receiver got them ($got)" [ "$got" -eq "$samples" ]

# ---- a receiver that takes the request and never answers
fake hang
record hang "http://127.0.0.1:$port/api/v1/write"
counts "$T/hang.swt"
check "hang: nothing sent, the counts add up" \
	sh -c "[ $sent -eq 0 ] && [ $((failed + dropped + unsent)) -eq $samples ] && [ $samples -gt 0 ]"
check "hang: sampled on schedule" on_schedule "$T/hang.swt"

# ---- 400: refused, not retried, the server's message said
fake 400
run "$SWANALYZE" export --remote-write "http://127.0.0.1:$port/api/v1/write" \
	"$T/flaky.swt"
check "400: export exits 4" [ "$rc" -eq 4 ]
check "400: the server's message is printed" \
	grep -q "HTTP 400: fake says no" "$T/err"
check "400: not retried" grep -q "(0 retries)" "$T/err"

# ---- killed in the middle
fake ok
# (longer: the receiver dies after its first answer, which a busy runner
# may give seconds after the start)
secs=6 record killed "http://127.0.0.1:$port/api/v1/write" &
rec_pid=$!
n=0
while [ ! -s "$T/log" ] && [ $n -lt 600 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill "$fake_pid"
wait "$fake_pid" 2>/dev/null
fake_pid=""
wait "$rec_pid"
counts "$T/killed.swt"
check "killed: some sent before, the rest counted ($sent sent of $samples)" \
	sh -c "[ $sent -gt 0 ] && [ $sent -lt $samples ]"
check "killed: the counts add up" adds_up
check "killed: sampled on schedule" on_schedule "$T/killed.swt"
check "killed: the file has every sample" whole "$T/killed.swt"

# ---- credentials from a file: sent, never printed
printf 'tok-%s\n' "s3cr3t" >"$T/token"
fake ok
record auth "http://127.0.0.1:$port/api/v1/write" \
	--bearer-token-file "$T/token"
check "auth: the token is sent" \
	wait_for grep -q "Bearer tok-s3cr3t" "$T/log"
check "auth: the token is not printed" sh -c "! grep -q s3cr3t '$T/err'"
printf 'bob:pa55\n' >"$T/basic"
fake ok
run "$SWANALYZE" export --remote-write "http://127.0.0.1:$port/api/v1/write" \
	--basic-auth-file "$T/basic" --header 'X-Scope-OrgID: team-a' \
	"$T/auth.swt"
check "basic auth and a header: sent" \
	wait_for grep -q "^204 [0-9]* Basic Ym9iOnBhNTU= team-a$" "$T/log"
check "basic auth: the password is not printed" \
	sh -c "! grep -q pa55 '$T/err'"
run "$SWANALYZE" export --remote-write "http://127.0.0.1:$port/api/v1/write" \
	--header 'no colon' "$T/auth.swt"
check "a header without a colon: exit 2" [ "$rc" -eq 2 ]
run "$SWANALYZE" export --remote-write "http://127.0.0.1:$port/api/v1/write" \
	--bearer-token-file "$T/nonexistent" "$T/auth.swt"
check "a token file that cannot be read: exit 2, named" \
	sh -c "[ $rc -eq 2 ] && grep -q nonexistent '$T/err'"

done_testing
