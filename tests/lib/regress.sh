# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The status a damaged trace of tests/corpus/regress/ must end in:
#
#   . tests/lib/regress.sh
#   want=$(gt_regress_want NAME)    # NAME: the file's name without .gtfz
#
# The status its name gives (NAME-STATUS), or where the libbabeltrace2
# installed here reads it differently, the one tests/corpus/regress/by-library
# documents for that version.

# Every test that reads these traces: those that make libbabeltrace2 2.1
# run away are found so by the watchdog's memory bound (giltrace-analyze(1),
# ENVIRONMENT), which a small one reaches in seconds, where the default
# 128 MiB takes 2.1 a minute or more a reading, and they are read many
# times.
export GILTRACE_WATCH_MIB=32

# The installed libbabeltrace2's version, MAJOR.MINOR, as its pkg-config
# file (the -dev package the build used) or its CLI says.
gt_babeltrace_version() {
	local v
	v=$(pkg-config --modversion babeltrace2 2>/dev/null) ||
		v=$(babeltrace2 --version 2>/dev/null | awk 'NR == 1 { print $2 }')
	echo "${v%.*}"
}

gt_regress_want() {
	local name=$1 table lib
	table=$(dirname "${BASH_SOURCE[0]}")/../corpus/regress/by-library
	lib=$(gt_babeltrace_version)
	awk -v name="$name" -v lib="$lib" -v dflt="${name##*-}" '
		function ge(a, b,   x, y) {	# version a >= b, MAJOR.MINOR
			split(a, x, "."); split(b, y, ".")
			return x[1] + 0 > y[1] + 0 || (x[1] + 0 == y[1] + 0 && x[2] + 0 >= y[2] + 0)
		}
		!/^#/ && $1 == name && ge(lib, $2) { want = $3 }
		END { print (want == "" ? dflt : want) }' "$table"
}
