"""Checks of swreplay --export perfetto, for test-perfetto.sh.

  perfetto_check.py DECODED.txt
      DECODED.txt is `protoc --decode=perfetto.protos.Trace` of the trace
      (protobuf text format). Checks the rules of docs/exports.md: every
      packet is on sequence 1 and has a timestamp, the first clears the
      incremental state, timestamps never go back; track descriptors have
      unique non-zero uuids and name only parents described before them;
      processes and threads are named, a thread's parent is its process;
      every event's track was described before it; slices only on thread
      tracks, every SLICE_BEGIN closed by a SLICE_END on its track,
      properly nested, never before it, none left open; counter values
      only on counter tracks, their times monotonic per track; instants
      named. Prints "key value" lines (packets, tracks, processes,
      threads, counter_tracks, slices, counters, instants, alerts,
      marks, cpu_integral_ms: the session's CPU % integrated over the
      intervals its values end, from the session counters' times) for the
      script to compare.

Exits 1 with the first failure on stderr.
"""
import sys

TYPES = {"TYPE_SLICE_BEGIN": 1, "TYPE_SLICE_END": 2, "TYPE_INSTANT": 3,
         "TYPE_COUNTER": 4}


def fail(msg):
    sys.stderr.write("perfetto_check: " + msg + "\n")
    sys.exit(1)


def unquote(s):
    """A text-format string literal (C escapes, octal bytes) as str."""
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        fail("not a string literal: " + s)
    out = bytearray()
    i, body = 0, s[1:-1]
    simple = {"n": 10, "t": 9, "r": 13, '"': 34, "'": 39, "\\": 92}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e in "01234567":
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(int(body[i + 1:j], 8))
            i = j
        else:
            fail("unknown escape in " + s)
    return out.decode("utf-8")   # strict: the export writes UTF-8


def parse(path):
    """The text format as nested dicts: key -> list of values (str for
    scalars as written, dict for messages)."""
    root = {}
    stack = [root]
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line == "}":
                stack.pop()
                if not stack:
                    fail("line %d: unbalanced }" % lineno)
                continue
            if line.endswith("{"):
                msg = {}
                stack[-1].setdefault(line[:-1].strip(), []).append(msg)
                stack.append(msg)
                continue
            key, sep, value = line.partition(": ")
            if not sep:
                fail("line %d: cannot read %r" % (lineno, line))
            stack[-1].setdefault(key, []).append(value)
    if len(stack) != 1:
        fail("unterminated message")
    return root.get("packet", [])


def one(msg, key, default=None):
    v = msg.get(key)
    if v is None:
        return default
    if len(v) != 1:
        fail("%s repeated: %r" % (key, v))
    return v[0]


def main(path):
    packets = parse(path)
    tracks = {}            # uuid -> ("process"|"thread"|"counter"|"plain", desc)
    stacks = {}            # thread track -> [(name, ts)]
    last_counter = {}      # counter track -> ts
    n = {"packets": len(packets), "tracks": 0, "processes": 0,
         "threads": 0, "counter_tracks": 0, "slices": 0, "counters": 0,
         "instants": 0, "alerts": 0, "marks": 0}
    last_ts = None
    grid = {0}             # times of the session's counters: the samples
    ses_cpu = []           # (ts, value) of the session's CPU %
    for i, p in enumerate(packets):
        where = "packet %d" % i
        if one(p, "trusted_packet_sequence_id") != "1":
            fail(where + ": trusted_packet_sequence_id is not 1")
        flags = one(p, "sequence_flags")
        if i == 0 and flags != "1":
            fail("the first packet does not clear the incremental state")
        if i > 0 and flags is not None:
            fail(where + ": sequence_flags after the first packet")
        ts = one(p, "timestamp")
        if ts is None:
            fail(where + ": no timestamp")
        ts = int(ts)
        if last_ts is not None and ts < last_ts:
            fail("%s: timestamp %d before the previous %d" %
                 (where, ts, last_ts))
        last_ts = ts
        td, te = one(p, "track_descriptor"), one(p, "track_event")
        if (td is None) == (te is None):
            fail(where + ": not exactly one of track_descriptor, "
                 "track_event")
        if td is not None:
            uuid = int(one(td, "uuid", "0"))
            if uuid == 0 or uuid in tracks:
                fail("%s: track uuid %d zero or described twice" %
                     (where, uuid))
            parent = one(td, "parent_uuid")
            if parent is not None and int(parent) not in tracks:
                fail("%s: parent %s not described before" % (where, parent))
            n["tracks"] += 1
            if one(td, "process") is not None:
                pd = one(td, "process")
                if one(pd, "pid") is None or \
                        not unquote(one(pd, "process_name", '""')):
                    fail(where + ": a process without pid or name")
                tracks[uuid] = ("process", pd)
                n["processes"] += 1
            elif one(td, "thread") is not None:
                thd = one(td, "thread")
                if one(thd, "pid") is None or one(thd, "tid") is None or \
                        not unquote(one(thd, "thread_name", '""')):
                    fail(where + ": a thread without pid, tid or name")
                kind, pdesc = tracks.get(int(parent or 0), (None, None))
                if kind != "process" or one(pdesc, "pid") != one(thd, "pid"):
                    fail(where + ": a thread's parent is not its process")
                tracks[uuid] = ("thread", thd)
                stacks[uuid] = []
                n["threads"] += 1
            elif one(td, "counter") is not None:
                if parent is None or not unquote(one(td, "name", '""')):
                    fail(where + ": a counter track without parent or name")
                tracks[uuid] = ("counter", td)
                n["counter_tracks"] += 1
            else:
                if not unquote(one(td, "name", '""')):
                    fail(where + ": a plain track without a name")
                tracks[uuid] = ("plain", td)
            continue
        track = int(one(te, "track_uuid", "0"))
        if track not in tracks:
            fail("%s: track %d used before it is described" %
                 (where, track))
        kind = tracks[track][0]
        typ = TYPES.get(one(te, "type"))
        name = one(te, "name")
        if typ == 1:
            if kind != "thread" or not name or not unquote(name):
                fail(where + ": a slice begins unnamed or off a thread")
            stacks[track].append((unquote(name), ts))
        elif typ == 2:
            if kind != "thread" or not stacks[track]:
                fail("%s: SLICE_END with no open slice on track %d" %
                     (where, track))
            _, begin_ts = stacks[track].pop()
            if ts < begin_ts:
                fail(where + ": a slice ends before it begins")
            n["slices"] += 1
        elif typ == 3:
            if not name or not unquote(name):
                fail(where + ": an unnamed instant")
            n["instants"] += 1
            cats = [unquote(c) for c in te.get("categories", [])]
            n["alerts"] += "alert" in cats
            n["marks"] += "mark" in cats
        elif typ == 4:
            if kind != "counter":
                fail(where + ": a counter value off a counter track")
            if (one(te, "counter_value") is None) == \
                    (one(te, "double_counter_value") is None):
                fail(where + ": a counter event needs exactly one value")
            if track in last_counter and ts < last_counter[track]:
                fail(where + ": a counter goes back in time")
            last_counter[track] = ts
            n["counters"] += 1
            desc = tracks[track][1]
            par = tracks.get(int(one(desc, "parent_uuid", "0")))
            if par and par[0] == "plain" and \
                    unquote(one(par[1], "name", '""')) == "session" and \
                    unquote(one(desc, "name", '""')) in ("CPU %", "RSS MB"):
                grid.add(ts)
                if unquote(one(desc, "name", '""')) == "CPU %":
                    ses_cpu.append((ts, float(one(te, "double_counter_value"))))
        else:
            fail("%s: unknown type %r" % (where, one(te, "type")))
    for track, st in stacks.items():
        if st:
            fail("track %d: %d slice(s) never ended, first %r" %
                 (track, len(st), st[0][0]))
    for k in ("packets", "tracks", "processes", "threads", "counter_tracks",
              "slices", "counters", "instants", "alerts", "marks"):
        print(k, n[k])
    times = sorted(grid)
    integral = 0.0
    for ts, v in ses_cpu:
        prev = max(t for t in times if t < ts) if ts > 0 else 0
        integral += v / 100.0 * (ts - prev) / 1e6
    print("cpu_integral_ms", "%.0f" % integral)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: perfetto_check.py DECODED.txt")
    main(sys.argv[1])
