# swreplay --dump: one JSON object per record and line, header first; what
# a damaged file still yields; exit status and diagnostics.
. "$(dirname "$0")/tap.sh"

GOLDEN=$SRCDIR/expected-clean.jsonl

# The zstd version is the writer's library version: not part of the golden.
normalize() {
	sed 's/"zstd_version":"[^"]*"/"zstd_version":"-"/' "$1"
}

# Lines of $T/out whose record kind is $1.
kinds() {
	sed -n 's/^{"kind":"\([a-z_]*\)".*/\1/p' "$T/out"
}

f=$T/clean.swt
mk clean "$f"
clean_records=$records
run "$SWREPLAY" --dump "$f"
check "dump of a clean session exits 0" [ "$rc" -eq 0 ]
check "dump of a clean session prints nothing on stderr" [ ! -s "$T/err" ]
check "dump prints the header and every record, one per line" \
	[ "$(lines "$T/out")" -eq $((clean_records + 1)) ]
order="header proc_start proc_start sample events alert drops anomaly"
order="$order sample proc_exit end "
check "dump prints records in file order, header first" \
	[ "$(kinds | tr '\n' ' ')" = "$order" ]
check "dump starts every line with kind and t_ns" \
	eval '! grep -v "^{\"kind\":\"[a-z_]*\",\"t_ns\":-\{0,1\}[0-9]*[,}]" \
	      "$T/out" >/dev/null'
check "dump splits cmdline into argv" \
	grep -q '"cmdline":\["sh","-c","echo hi"\]' "$T/out"
check "dump keeps an unterminated last argument and escapes bad UTF-8" \
	grep -q '"cmdline":\["wörk","-\\u00ffx"\]' "$T/out"
check "dump writes io values of an unavailable /proc/PID/io as null" \
	grep -q '"pid":101,"flags":17,[^}]*"io_read":null,"io_write":null' \
	"$T/out"
check "dump writes the network of an unreadable fd directory as null" \
	grep -q '"pid":101,"flags":17,[^}]*"net_tx":null,"net_rx":null,"socks_tcp":null' \
	"$T/out"
check "dump writes network columns and interfaces" \
	grep -q '"net_tx":20000,"net_rx":30000,"socks_tcp":2,"socks_udp":1,"socks_other":3}.*"netdevs":\[{"name":"lo","rx_bytes":1000,"tx_bytes":1000},{"name":"eth0","rx_bytes":5000,"tx_bytes":7000}\]' \
	"$T/out"
check "dump writes flags as numbers" \
	grep -q '"pid":101,"flags":6,' "$T/out"
check "dump escapes strings" \
	grep -q '"name":"io \\"thread\\""' "$T/out"
check "dump writes bytes with NULs as \\u0000" \
	grep -q '"detail":"a\\u0000b\\""' "$T/out"
cp "$T/out" "$T/clean.jsonl"

if [ "${SWT_UPDATE_GOLDEN:-}" = 1 ]; then
	normalize "$T/clean.jsonl" >"$GOLDEN"
	skip "dump of the clean session matches the golden" "updated $GOLDEN"
else
	normalize "$T/clean.jsonl" >"$T/clean.norm"
	if diff -u "$GOLDEN" "$T/clean.norm" >"$T/golden.diff"; then
		ok "dump of the clean session matches the golden"
	else
		not_ok "dump of the clean session matches the golden"
		diag <"$T/golden.diff"
	fi
fi

if command -v python3 >/dev/null; then
	run python3 -c '
import json, sys
def no_float(s):
    raise ValueError("float " + s)
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    obj = json.loads(line, parse_float=no_float)
    keys = list(obj)
    assert keys[:2] == ["kind", "t_ns"], keys
    n += 1
assert n > 0
' "$T/clean.jsonl"
	check "every dump line is JSON with integers only" [ "$rc" -eq 0 ]
else
	skip "every dump line is JSON with integers only" "no python3"
fi

run "$SWREPLAY" --dump "$f"
check "dump is deterministic" cmp -s "$T/out" "$T/clean.jsonl"

# A crashed session: everything flushed is dumped, then exit 3.
f=$T/crash.swt
mk crash "$f"
crash_records=$records
run "$SWREPLAY" --dump "$f"
check "dump of a crashed session exits 3" [ "$rc" -eq 3 ]
check "dump of a crashed session prints every flushed record" \
	[ "$(lines "$T/out")" -eq $((crash_records + 1)) ]
check "dump of a crashed session: same records as the clean one" \
	eval 'head -n $((crash_records + 1)) "$T/clean.jsonl" |
	      cmp -s - "$T/out"'
check "dump of a crashed session: diagnostics name the file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f"'

# Many chunks, one corrupted in the middle of the file.
f=$T/big.swt
mk big "$f" 400
big_records=$records
run "$SWREPLAY" --dump "$f"
check "dump of a session of many chunks exits 0" [ "$rc" -eq 0 ]
check "dump of a session of many chunks prints every record" \
	[ "$(lines "$T/out")" -eq $((big_records + 1)) ]
cp "$T/out" "$T/big.jsonl"

f=$T/corrupt.swt
cp "$T/big.swt" "$f"
flip_byte "$f" $(( $(file_size "$f") / 2 ))
run "$SWREPLAY" --check "$f"
check_records=$(report records)
run "$SWREPLAY" --dump "$f"
check "dump of a corrupted session exits 3" [ "$rc" -eq 3 ]
check "dump of a corrupted session loses some records" \
	[ "$(lines "$T/out")" -lt $((big_records + 1)) ]
check "dump of a corrupted session prints what --check counts" \
	[ "$(lines "$T/out")" -eq $((check_records + 1)) ]
check "dump of a corrupted session keeps the first chunk" \
	grep -q '^{"kind":"sample","t_ns":1000000000,' "$T/out"
check "dump of a corrupted session keeps the last chunk" \
	eval 'grep -q "^{\"kind\":\"sample\",\"t_ns\":40900000000," "$T/out" &&
	      grep -q "^{\"kind\":\"end\"," "$T/out"'
check "dump of a corrupted session: intact records are unchanged" \
	eval 'grep -vxF -f "$T/big.jsonl" "$T/out" >"$T/extra";
	      [ ! -s "$T/extra" ]'
check "dump of a corrupted session: one warning naming file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f" &&
	      [ "$(lines "$T/err")" -eq 1 ]'

# A write error on stdout is an I/O error (4), not a data error.
if [ -w /dev/full ]; then
	rc=0
	"$SWREPLAY" --dump "$T/big.swt" >/dev/full 2>"$T/err" || rc=$?
	check "a failed write of the dump exits 4" [ "$rc" -eq 4 ]
	check "a failed write of the dump is one line on stderr" \
		eval '[ "$(lines "$T/err")" -eq 1 ] &&
		      grep -q "^swreplay: standard output: " "$T/err"'
else
	skip "a failed write of the dump exits 4" "no /dev/full"
	skip "a failed write of the dump is one line on stderr" "no /dev/full"
fi

done_testing
