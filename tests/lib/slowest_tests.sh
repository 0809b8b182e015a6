#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# slowest_tests.sh DIR [N]: the N (8) tests below DIR that took longest,
# on one line, from the "# took N s" lines tests/lib/timed_test_driver.sh
# ends each log with; nothing if no log has one.  Exit status 0.
dir=$1
n=${2:-8}
find "$dir" -name '*.log' -exec grep -H '^# took [0-9]* s$' {} + 2>/dev/null |
	sed 's|^\(.*/\)\{0,1\}\([^/]*\)\.log:# took \([0-9]*\) s$|\3 \2|' |
	sort -rn | head -n "$n" |
	awk '{ s = s (NR > 1 ? ", " : "") $2 " " $1 " s" } END { if (NR) print "slowest: " s }'
exit 0
