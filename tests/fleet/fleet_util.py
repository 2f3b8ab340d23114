"""Helpers of the remote-write tests (tests/fleet/*.sh), stdlib only.

  fleet_util.py port                  a free loopback TCP port
  fleet_util.py wait URL SECONDS      poll URL until it answers 200
  fleet_util.py query BASE PROMQL T SECONDS
                                      poll BASE/api/v1/query until PROMQL
                                      has a value at time T (s; "now": at
                                      each poll's time); print it
  fleet_util.py fake PORTFILE LOG MODE
                                      a remote-write receiver that decodes
                                      each body (snappy, protobuf) and
                                      logs "status samples" per request;
                                      MODE: ok, 500, 429, 400, flaky (500
                                      for the first 3 requests, then ok),
                                      hang (never answers)
"""
import http.server
import json
import socket
import sys
import time
import urllib.parse
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait(url, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return 0
        except Exception:
            pass
        time.sleep(0.2)
    print("%s: no answer in %s s" % (url, seconds), file=sys.stderr)
    return 1


def query(base, promql, t, seconds):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        q = urllib.parse.urlencode({
            "query": promql,
            "time": time.time() if t == "now" else t})
        try:
            with urllib.request.urlopen(base + "/api/v1/query?" + q,
                                        timeout=10) as r:
                d = json.load(r)
            res = d["data"]["result"]
            last = d
            if res:
                print(res[0]["value"][1])
                return 0
        except Exception as e:
            last = e
        time.sleep(0.3)
    print("%s: no value in %s s: %s" % (promql, seconds, last),
          file=sys.stderr)
    return 1


def unsnappy(b):
    """snappy block format"""
    i, n, shift = 0, 0, 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            break
    out = bytearray()
    while i < len(b):
        tag = b[i]
        i += 1
        t = tag & 3
        if t == 0:
            ln = tag >> 2
            if ln >= 60:
                nb = ln - 59
                ln = int.from_bytes(b[i:i + nb], "little")
                i += nb
            ln += 1
            out += b[i:i + ln]
            i += ln
            continue
        if t == 1:
            ln = ((tag >> 2) & 7) + 4
            off = ((tag >> 5) << 8) | b[i]
            i += 1
        elif t == 2:
            ln = (tag >> 2) + 1
            off = int.from_bytes(b[i:i + 2], "little")
            i += 2
        else:
            ln = (tag >> 2) + 1
            off = int.from_bytes(b[i:i + 4], "little")
            i += 4
        for _ in range(ln):
            out.append(out[-off])
    assert len(out) == n, "snappy: length"
    return bytes(out)


def fields(b):
    """(field number, wire type, value) of a protobuf message"""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 2:
            ln, i = varint(b, i)
            v = b[i:i + ln]
            i += ln
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def varint(b, i):
    n, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return n, i


def count_samples(body):
    n = 0
    for f, _, ts in fields(unsnappy(body)):
        if f == 1:
            n += sum(1 for g, _, _ in fields(ts) if g == 2)
    return n


def fake(portfile, log, mode):
    state = {"n": 0}

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = (self.headers.get("Content-Encoding") == "snappy" and
                  self.headers.get("X-Prometheus-Remote-Write-Version") ==
                  "0.1.0")
            n = count_samples(body)
            state["n"] += 1
            if mode == "hang":
                time.sleep(60)
                return
            if not ok:
                status = 400
            elif mode == "500" or (mode == "flaky" and state["n"] <= 3):
                status = 500
            elif mode == "429":
                status = 429
            elif mode == "400":
                status = 400
            else:
                status = 204
            self.send_response(status)
            msg = b"" if status == 204 else b"fake says no"
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            self.wfile.flush()
            # logged once answered: a test that kills the receiver when
            # the log grows knows that the client had its answer
            with open(log, "a") as fp:
                fp.write("%d %d %s %s\n" % (
                    status, n, self.headers.get("Authorization", "-"),
                    self.headers.get("X-Scope-OrgID", "-")))

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(portfile + ".tmp", "w") as fp:
        fp.write(str(srv.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "port":
        print(free_port())
    elif a[0] == "wait":
        sys.exit(wait(a[1], float(a[2])))
    elif a[0] == "query":
        sys.exit(query(a[1], a[2], a[3], float(a[4])))
    elif a[0] == "fake":
        fake(a[1], a[2], a[3])
