#!/bin/sh
# bench/client/tsc_soak.sh — a C client's event times, stamped with the TSC
# and converted by swrec, against CLOCK_MONOTONIC over a long session with
# CPU migrations (issue 17; docs/performance.md, "libswtrace with the TSC").
#
# Usage: BUILD_DIR=build-rel sh bench/client/tsc_soak.sh [SECONDS]
#   (default 600). Builds tsc_soak.c against the build's libswtrace, records
#   it with the build's swrec, and prints: the session's event clock, how
#   far each event's time lies from the CLOCK_MONOTONIC reading taken just
#   before it (min < 0 is conversion error; the positive tail is time
#   between the reading and the event, preemption included), whether any
#   event lies after the thread's next reading, and swrec's own
#   recalibration figures (SessionEnd tsc_*).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-rel}
secs=${1:-600}
out=$(mktemp -d "${TMPDIR:-/tmp}/swt-tsc-soak.XXXXXX")
trap 'rm -rf "$out"' EXIT
cc -O2 -I"$src/record/client" -o "$out/tsc_soak" "$src/bench/client/tsc_soak.c" \
	-L"$build/record/client" -lswtrace -Wl,-rpath,"$build/record/client" \
	-lpthread
. "$src/bench/facts.sh"
bench_facts "$src" "$build" record
"$build/record/swrec" -o "$out/s.swt" -- "$out/tsc_soak" "$secs"
"$build/replay/swreplay" --dump "$out/s.swt" > "$out/s.jsonl"
python3 - "$out/s.jsonl" <<'PY'
import collections, json, sys
by = collections.defaultdict(list)
hdr = end = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["kind"] == "header":
        hdr = r
    elif r["kind"] == "end":
        end = r
    elif r["kind"] == "events":
        for e in r["events"]:
            if e["kind"] == "count" and e["name"] == "clock":
                by[e["tid"]].append((e["value"], e["t_ns"]))
d = sorted(t - v for ev in by.values() for v, t in ev)
after = 0
for ev in by.values():
    ev.sort()
    after += sum(1 for (v, t), (v2, _) in zip(ev, ev[1:]) if t > v2)
print("event_clock %s; %d events on %d threads" % (
    hdr.get("event_clock"), len(d), len(by)))
print("event time - reading before it, ns: min %d (%d below 0), median %d, "
      "p99 %d, p99.9 %d, max %d" % (
          d[0], sum(1 for x in d if x < 0), d[len(d) // 2],
          d[int(len(d) * 0.99)], d[int(len(d) * 0.999)], d[-1]))
print("events after their thread's next reading: %d" % after)
print("swrec: %s" % {k: end.get(k) for k in end if k.startswith("tsc")})
PY
