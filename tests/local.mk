# Tests: check programs for pure logic, e2e scripts recording real traces
# with a private LTTng session daemon (tests/lib/lttng.sh).

AM_TESTS_ENVIRONMENT = GT_BUILDDIR=$(abs_top_builddir) GT_SRCDIR=$(abs_top_srcdir) \
	GT_SANITIZERS=$(enable_sanitizers) GT_CC="$(CC)"; \
	export GT_BUILDDIR GT_SRCDIR GT_SANITIZERS GT_CC;

TESTS += tests/e2e_smoke.sh
EXTRA_DIST += tests/lib/lttng.sh tests/e2e_smoke.sh

# Manual pages (lead).
TESTS += tests/man_lint.sh
EXTRA_DIST += tests/man_lint.sh
