#!/bin/bash
# SPDX-License-Identifier: MIT
# Lint every manual page with mandoc; warnings are errors.
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
command -v mandoc >/dev/null || { echo "SKIP: mandoc not installed (apt-get install mandoc)" >&2; exit 77; }
status=0 n=0
for page in "$srcdir"/man/*.[1-8]; do
	[ -e "$page" ] || continue
	n=$((n + 1))
	if ! out=$(mandoc -T lint -W warning "$page" 2>&1) || [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no manual pages found in $srcdir/man" >&2; exit 1; }
[ $status -eq 0 ] && echo "PASS: $n manual pages lint clean"
exit $status
