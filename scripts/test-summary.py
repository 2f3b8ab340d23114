#!/usr/bin/env python3
"""Print one 'N passed, N failed' line from meson testlog.json files.

TAP tests count each of their test points (ok / not ok); other tests count
once. Exits 1 when anything failed (or nothing ran), 0 otherwise."""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            res = t.get("result", "")
            points = re.findall(r"^(ok|not ok)\b.*?(# *(SKIP|skip).*)?$",
                                t.get("stdout") or "", re.M)
            if t.get("protocol") == "tap" or points:
                p = sum(1 for k, _, s in points if k == "ok" and not s)
                s_ = sum(1 for k, _, s in points if s)
                n = sum(1 for k, _, s in points if k == "not ok" and not s)
                if res not in ("OK", "EXPECTEDFAIL", "SKIP") and n == 0:
                    n = 1   # crashed or timed out outside a test point
                passed += p
                failed += n
                skipped += s_
            elif res in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif res == "SKIP":
                skipped += 1
            else:
                failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
