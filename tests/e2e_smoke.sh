#!/bin/bash
# SPDX-License-Identifier: MIT
# Smoke test: the shim is preloaded into Debian's python3 with a private
# session; the GIL is identified and every attempt that began ended.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
[ -x /usr/bin/python3 ] || gt_skip "/usr/bin/python3 not present"

gt_record "$GT_TMP/trace" -- /usr/bin/python3 -c '
import threading
def spin(n):
    while n: n -= 1
t = [threading.Thread(target=spin, args=(300000,)) for _ in range(2)]
[x.start() for x in t]; [x.join() for x in t]
' || gt_fail "python3 failed under the shim"

# Compact cycles read as the events they stand for (giltrace(7)).
babeltrace2 "$GT_TMP/trace" | /usr/bin/python3 "$(dirname "$0")/lib/gil_compact.py" >"$GT_TMP/text"
grep -q 'giltrace:gil_identified:.*runtime = "CPython 3' "$GT_TMP/text" || gt_fail "GIL not identified"
begins=$(grep -c 'giltrace:gil_acquire_begin:' "$GT_TMP/text")
ends=$(grep -c 'giltrace:gil_acquire_end:' "$GT_TMP/text")
[ "$begins" -gt 0 ] || gt_fail "no acquisitions traced"
[ "$begins" -eq "$ends" ] || gt_fail "$begins acquire begins but $ends ends"
echo "PASS: $begins acquisitions"
