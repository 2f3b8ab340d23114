# test-threads.sh — swanalyze and swreplay decoding on several threads
# (--threads 2, 3, 8) print byte for byte what they print on one
# (--threads 1), with the same exit status: on every fixture (the damaged
# and truncated ones included), on chunks of 1 000 processes (more decoded
# than a thread holds unread), and on a session of many chunks, whole,
# cut inside a chunk (no index, its last frame unfinished), with a byte
# flipped in a chunk and with bytes inserted inside one (a resynchronisation
# the threads cannot predict).
#
#   sh test-threads.sh SWANALYZE SWREPLAY MKFIXTURE TMPDIR SRCDIR FIXTURES

if [ $# -ne 6 ]; then
	echo "Bail out! usage: $0 SWANALYZE SWREPLAY MKFIXTURE TMPDIR SRCDIR FIXTURES"
	exit 1
fi
SRC=$5
FIX=$6
set -- "$1" "$2" "$3" "$4" "$SRC" "$4"
. "$SRC/tap.sh"
SWANALYZE=$(abspath "$1")
SWREPLAY=$(abspath "$2")
MKFIXTURE=$(abspath "$3")
FIX=$(abspath "$FIX")
T=$(abspath "$4")
tap_sandbox
cd "$T" || echo "Bail out! cd $T"

# same_output NAME COMMAND...: COMMAND --threads 1, then with 2, 3 and 8
# threads: the same stdout, stderr and status each time.
same_output() {
	sname=$1
	shift
	rc1=0
	"$@" --threads 1 >o1 2>e1 || rc1=$?
	for thr in 2 3 8; do
		rcn=0
		"$@" --threads "$thr" >on 2>en || rcn=$?
		if [ "$rc1" != "$rcn" ] || ! cmp -s o1 on || ! cmp -s e1 en; then
			echo "$sname: --threads $thr differs from --threads 1" \
				"(status $rc1, $rcn)" | diag
			diff e1 en | head -n 5 | diag
			return 1
		fi
	done
	return 0
}

"$MKFIXTURE" window w.swt || echo "Bail out! mkfixture window"
size=$(wc -c <w.swt)
# cut inside a chunk: no index, an unfinished last frame
head -c $((size * 3 / 5)) w.swt >w-cut.swt
# a flipped byte in a chunk
cp w.swt w-flip.swt
printf '\377' | dd of=w-flip.swt bs=1 seek=$((size * 2 / 5)) conv=notrunc \
	2>/dev/null
# bytes inserted inside a chunk
{
	head -c $((size / 3)) w.swt
	printf 'not a frame, not a frame'
	tail -c +$((size / 3 + 1)) w.swt
} >w-garbage.swt
"$SWREPLAY" --check w.swt >check.txt 2>&1
check "the session has several chunks" \
	[ "$(sed -n "s/^chunks: \([0-9]*\) total.*/\1/p" check.txt)" -ge 8 ]

for f in w.swt w-cut.swt w-flip.swt w-garbage.swt; do
	check "swanalyze $f: the same report on 1, 2, 3 and 8 threads" \
		same_output "$f" "$SWANALYZE" "$f" --report full --format json
	check "swreplay $f: the same timeline on 1, 2, 3 and 8 threads" \
		same_output "$f" "$SWREPLAY" "$f" -f jsonl
	check "swreplay --check $f: the same summary on 1, 2, 3 and 8 threads" \
		same_output "$f" "$SWREPLAY" --check "$f"
done
check "swanalyze --from/--to: the same window report on 1, 2, 3 and 8 threads" \
	same_output window "$SWANALYZE" w.swt --report full --format json \
	--from 50 --to 120
check "swanalyze diff: the same diff on 1, 2, 3 and 8 threads" \
	same_output diff "$SWANALYZE" diff w.swt w-cut.swt --format json
check "swanalyze history: the same history on 1, 2, 3 and 8 threads" \
	same_output history "$SWANALYZE" history w.swt w-flip.swt w-cut.swt \
	--format json

# chunks that decode to more than a thread may hold unread (4 MB): the
# thread waits for room and decompresses the next frame meanwhile
# (pdec_ahead()); whole, and cut inside its last chunk
"$MKFIXTURE" bench big.swt 1000 1200 || echo "Bail out! mkfixture bench"
head -c $(($(wc -c <big.swt) * 4 / 5)) big.swt >big-cut.swt
for f in big.swt big-cut.swt; do
	check "swanalyze $f (chunks of 1 000 processes): the same report on 1, 2, 3 and 8 threads" \
		same_output "$f" "$SWANALYZE" "$f" --report full --format json
done
check "swreplay big.swt: the same timeline on 1, 2, 3 and 8 threads" \
	same_output big "$SWREPLAY" big.swt -f jsonl

n=0
for s in "$FIX"/*/session.swt "$FIX"/corrupt/*/session.swt; do
	[ -f "$s" ] || continue
	name=${s#"$FIX"/}
	check "swanalyze $name: the same report on 1, 2, 3 and 8 threads" \
		same_output "$name" "$SWANALYZE" "$s" --report full \
		--format json
	n=$((n + 1))
done
check "fixtures found ($n)" [ "$n" -ge 20 ]

done_testing
