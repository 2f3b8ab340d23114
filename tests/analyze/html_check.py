"""html_check.py — the checks of tests/analyze/test-html.sh on a page and
on what Chromium made of it. Python 3 standard library only.

  html_check.py static PAGE        no script, no external src/href/url()
  html_check.py png FILE.png       a screenshot that is not blank
  html_check.py dom DOM KIND       Chromium's DOM holds the tables and
                                   charts of a report or diff
  html_check.py console STDERR     no console message in Chromium's log
  html_check.py trap PORTFILE LOG  a proxy that accepts and counts: writes
                                   its port to PORTFILE, one line per
                                   connection to LOG, until killed

Each check prints what it found and exits 1 on failure.
"""
import re
import socket
import struct
import sys
import zlib


def fail(msg):
    print(msg)
    sys.exit(1)


def check_static(path):
    page = open(path, encoding="utf-8").read()
    found = []
    if re.search(r"<script", page, re.I):
        found.append("a <script> element")
    for m in re.finditer(r"""(?:src|href|xlink:href)\s*=\s*["']([^"']*)""",
                         page, re.I):
        if not m.group(1).startswith("#"):
            found.append("a link out of the page: " + m.group(1))
    for m in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", page, re.I):
        if not m.group(1).startswith("#"):
            found.append("a CSS url() out of the page: " + m.group(1))
    if re.search(r"@import|@font-face", page, re.I):
        found.append("an @import or @font-face")
    if re.search(r"https?://", page, re.I):
        found.append("an http(s):// address")
    if found:
        fail("; ".join(found[:5]))
    print(f"static: {len(page)} bytes, no script, nothing from outside")


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced
    RGB or RGBA PNG (what Chromium writes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail(f"{path}: PNG depth {depth} colour type {ctype} interlace "
             f"{interlace}: not what this check decodes")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 0xff
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def check_png(path):
    w, h, bpp, rows = png_pixels(path)
    colours, nonwhite = set(), 0
    for row in rows:
        for x in range(0, w * bpp, bpp):
            px = row[x:x + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                nonwhite += 1
    share = nonwhite * 1000 // (w * h)
    print(f"png: {w}x{h}, {len(colours)} colours, {share / 10:.1f} % "
          "not white")
    if len(colours) < 64:
        fail("too few colours: blank or unstyled")
    if share < 20:
        fail("less than 2 % of the pixels drawn: blank")


def check_dom(path, kind):
    dom = open(path, encoding="utf-8").read()
    want = ["<table", "<thead>", "<svg", "</html>"]
    if kind == "report":
        want += ['id="s-modules"', 'class="bt"', 'id="s-counters"',
                 'class="rate"', 'id="s-recommendations"', 'class="p p-']
    else:
        want += ['class="verdict', 'id="s-changes"', 'class="pair"',
                 'id="s-metrics"']
    missing = [w for w in want if w not in dom]
    if missing:
        fail("the DOM lacks: " + ", ".join(missing))
    print(f"dom: {len(dom)} bytes, {dom.count('<table')} tables, "
          f"{dom.count('<svg')} svg")


def check_console(path):
    bad = [l.rstrip() for l in open(path, errors="replace")
           if ":CONSOLE" in l or "Uncaught" in l]
    if bad:
        fail("console messages:\n" + "\n".join(bad[:10]))
    print("console: no message")


def trap(portfile, log):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    with open(portfile + ".tmp", "w") as f:
        f.write(f"{s.getsockname()[1]}\n")
    import os
    os.rename(portfile + ".tmp", portfile)
    with open(log, "a") as out:
        while True:
            c, _ = s.accept()
            # the request line names what was asked for (CONNECT
            # host:port, GET http://...)
            c.settimeout(2)
            try:
                first = c.recv(512).split(b"\r\n")[0]
            except OSError:
                first = b"?"
            out.write("connection: %s\n" % first.decode("ascii",
                                                            "replace"))
            out.flush()
            c.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "static":
        check_static(*args)
    elif cmd == "png":
        check_png(*args)
    elif cmd == "dom":
        check_dom(*args)
    elif cmd == "console":
        check_console(*args)
    elif cmd == "trap":
        trap(*args)
    else:
        fail(f"unknown check {cmd}")


if __name__ == "__main__":
    main()
