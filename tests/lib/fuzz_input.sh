# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# fuzz_input_say FILE: prints a failing fuzzer input as one line,
#   FUZZ-INPUT NAME SIZE xz-base64 DATA
# so that a failure found by CI, whose build tree goes with the run,
# can be turned back into the file:
#   sed -n 's/^.*FUZZ-INPUT [^ ]* [0-9]* xz-base64 //p' LOG | base64 -d | xz -d >FILE
# check-distros.sh prints such lines of a failed test in full.  Inputs
# too large for a log (over 256 KiB compressed) are named only.
fuzz_input_say() {
	local f=$1 data
	command -v xz >/dev/null || { echo "FUZZ-INPUT $(basename "$f") $(stat -c %s "$f") (xz is not installed)"; return 0; }
	data=$(xz -9 -c "$f" | base64 -w0)
	if [ ${#data} -gt 262144 ]; then
		echo "FUZZ-INPUT $(basename "$f") $(stat -c %s "$f") (too large to print: ${#data} bytes compressed)"
		return 0
	fi
	echo "FUZZ-INPUT $(basename "$f") $(stat -c %s "$f") xz-base64 $data"
}
