# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The CPythons on this machine, for the tests and benchmarks that run
# each, and for the shim's training at build time (scripts/pgo_train.sh).
# Defines functions only.
#
#   . tests/lib/pythons.sh
#   gt_pythons                   # "NAME PATH" lines

# gt_pythons: "NAME PATH" per interpreter present; prints skipped ones.
# NAME is the pyenv version, "debian" for Debian's /usr/bin/python3 or
# "debian-3.X" for its other /usr/bin/python3.X (tests match debian*
# for what is true of Debian's builds: stripped, Py_GetVersion in the
# executable).
gt_pythons() {
	local root v
	if [ "${GT_SANITIZERS:-no}" = yes ]; then
		echo "skipping every CPython: sanitizer build (only our own C programs are instrumented)" >&2
		return 0
	fi
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	for v in 2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0; do
		if [ -x "$root/versions/$v/bin/python" ]; then
			echo "$v $root/versions/$v/bin/python"
		else
			echo "skipping CPython $v: $root/versions/$v/bin/python not present" >&2
		fi
	done
	if [ -x /usr/bin/python3 ]; then
		echo "debian /usr/bin/python3"
	else
		echo "skipping Debian's python3: /usr/bin/python3 not present" >&2
	fi
	# The release's other CPythons (unstable ships several python3.X
	# beside its default), stripped like python3: "debian-3.X".  The
	# default one is python3 already.
	local py def
	def=$(readlink -f /usr/bin/python3 2>/dev/null || true)
	for py in /usr/bin/python3.[0-9]*; do
		[[ $py =~ ^/usr/bin/python3\.[0-9]+$ ]] && [ -x "$py" ] || continue
		[ "$(readlink -f "$py")" != "$def" ] || continue
		echo "debian-${py#/usr/bin/python} $py"
	done
}
