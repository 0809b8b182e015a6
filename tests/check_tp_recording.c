/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * shim/tp_recording.c: a name event counts as recorded only when every
 * session that connected a probe to it is active with the event and its
 * channel enabled.  The giltrace tracepoints are defined here for real
 * (LTTng-UST's tracepoint library registers them and lends its RCU read
 * lock); no session daemon is involved, so nothing but this test ever
 * connects probes, and the test connects its own: LTTng-UST's public
 * structures (lttng/ust-events.h) as a session starting, started,
 * stopped would leave them.
 */
#define LTTNG_UST_TRACEPOINT_DEFINE
/* No probes compiled in: the provider is not linked. */
#define LTTNG_UST_TRACEPOINT_PROBE_DYNAMIC_LINKAGE
#include "giltrace_tp.h"

#include <check.h>
#include <lttng/ust-events.h>

#include "tp_recording.h"

#define TP	lttng_ust_tracepoint_giltrace___gil_identified

/* What tp_recorded says of gil_identified, the tracepoint TP. */
#define ASSERT_RECORDED(want)	ck_assert_int_eq(tp_recorded(TP_GIL_IDENTIFIED), want)

/* One recorder event in a session of its own, as LTTng-UST links them. */
struct fake_session {
	struct lttng_ust_session session;
	struct lttng_ust_channel_common chan_common;
	struct lttng_ust_channel_buffer chan;
	struct lttng_ust_event_common event;
	struct lttng_ust_event_recorder recorder;
};

static void probe_func(void)
{
}

static void fake_session_init(struct fake_session *f, int active)
{
	memset(f, 0, sizeof(*f));
	f->session.active = active;
	f->chan_common.enabled = 1;
	f->chan_common.session = &f->session;
	f->chan.parent = &f->chan_common;
	f->event.type = LTTNG_UST_EVENT_TYPE_RECORDER;
	f->event.enabled = 1;
	f->event.child = &f->recorder;
	f->recorder.parent = &f->event;
	f->recorder.chan = &f->chan;
}

static struct lttng_ust_event_common notifier = {
	.type = LTTNG_UST_EVENT_TYPE_NOTIFIER,
	.enabled = 1,
};

/* A new array of probes, as LTTng-UST makes one at each change. */
static struct lttng_ust_tracepoint_probe probes_a[3], probes_b[3];

static void connect(struct lttng_ust_tracepoint_probe *probes, void *first, void *second)
{
	memset(probes, 0, 3 * sizeof(*probes));
	probes[0].func = probe_func;
	probes[0].data = first;
	if (second) {
		probes[1].func = probe_func;
		probes[1].data = second;
	}
	TP.probes = probes;
	TP.state = 1;
}

static void disconnect(void)
{
	TP.probes = NULL;
	TP.state = 0;
}

static void setup(void)
{
	ck_assert_msg(LTTNG_UST_TP_RCU_LINK_TEST(), "LTTng-UST's tracepoint library did not load");
	disconnect();
	tp_recording_after_fork_child();
}

START_TEST(test_disabled)
{
	ASSERT_RECORDED(0);
}
END_TEST

/* lttng_session_enable: probes connected, then a round trip per channel
 * to the daemon, then active. */
START_TEST(test_session_starting)
{
	struct fake_session s;

	fake_session_init(&s, 0);
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(0);
	ASSERT_RECORDED(0);
	s.session.active = 1;
	ASSERT_RECORDED(1);
	ASSERT_RECORDED(1);
}
END_TEST

START_TEST(test_event_or_channel_disabled)
{
	struct fake_session s;

	fake_session_init(&s, 1);
	s.event.enabled = 0;
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(0);
	s.event.enabled = 1;
	s.chan_common.enabled = 0;
	ASSERT_RECORDED(0);
	s.chan_common.enabled = 1;
	ASSERT_RECORDED(1);
}
END_TEST

/* A second session starting beside a recording one: names told now
 * would miss it. */
START_TEST(test_second_session_starting)
{
	struct fake_session one, two;

	fake_session_init(&one, 1);
	fake_session_init(&two, 0);
	connect(probes_a, &one.event, NULL);
	ASSERT_RECORDED(1);
	connect(probes_b, &one.event, &two.event);
	ASSERT_RECORDED(0);
	two.session.active = 1;
	ASSERT_RECORDED(1);
}
END_TEST

/* A second session that started beside a recording one while the
 * process made no GIL event (nothing saw it not recording yet): the
 * first array that has its recorder counts as a change, so that names
 * are told again for it; one without a new recorder (a session that
 * stopped) does not. */
START_TEST(test_second_session_unseen)
{
	struct fake_session one, two;
	unsigned int changes;

	fake_session_init(&one, 1);
	fake_session_init(&two, 1);
	connect(probes_a, &one.event, NULL);
	ASSERT_RECORDED(1);
	changes = tp_recording_changes();
	ASSERT_RECORDED(1);
	ck_assert_uint_eq(tp_recording_changes(), changes);
	connect(probes_b, &one.event, &two.event);
	ASSERT_RECORDED(1);
	ck_assert_uint_eq(tp_recording_changes(), changes + 1);
	/* The first session stops: its array comes back at the first one's
	 * address, with nothing new in it. */
	connect(probes_a, &two.event, NULL);
	ASSERT_RECORDED(1);
	ck_assert_uint_eq(tp_recording_changes(), changes + 1);
}
END_TEST

/* The first recorders a process sees are no change: no name was told
 * before them, and counting them would tell each twice in one trace. */
START_TEST(test_first_recorder_no_change)
{
	struct fake_session s;
	unsigned int changes = tp_recording_changes();

	fake_session_init(&s, 1);
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(1);
	ck_assert_uint_eq(tp_recording_changes(), changes);
}
END_TEST

/* A session stopped, then another started whose array of probes comes
 * back at the same address: seen stopped, it is walked again. */
START_TEST(test_restart_same_address)
{
	struct fake_session s;

	fake_session_init(&s, 1);
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(1);
	disconnect();
	ASSERT_RECORDED(0);
	s.session.active = 0;
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(0);
	s.session.active = 1;
	ASSERT_RECORDED(1);
}
END_TEST

/* A notifier writes no trace: alone it records nothing, beside a
 * recorder it changes nothing. */
START_TEST(test_notifier)
{
	struct fake_session s;

	connect(probes_a, &notifier, NULL);
	ASSERT_RECORDED(0);
	fake_session_init(&s, 1);
	connect(probes_b, &notifier, &s.event);
	ASSERT_RECORDED(1);
}
END_TEST

/* A forked child's tracer makes its sessions again, maybe at the same
 * addresses: what the parent saw recording counts for nothing. */
START_TEST(test_fork_child)
{
	struct fake_session s;

	fake_session_init(&s, 1);
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(1);
	tp_recording_after_fork_child();
	s.session.active = 0;
	ASSERT_RECORDED(0);
	s.session.active = 1;
	ASSERT_RECORDED(1);
}
END_TEST

/* Each name event is asked about its own tracepoint. */
START_TEST(test_per_event)
{
	struct fake_session s;

	fake_session_init(&s, 1);
	connect(probes_a, &s.event, NULL);
	ASSERT_RECORDED(1);
	ck_assert_int_eq(tp_recorded(TP_PY_CODE), 0);
	ck_assert_int_eq(tp_recorded(TP_GIL_CALLSITE), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tp_recording");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, disconnect);
	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_session_starting);
	tcase_add_test(tc, test_event_or_channel_disabled);
	tcase_add_test(tc, test_second_session_starting);
	tcase_add_test(tc, test_second_session_unseen);
	tcase_add_test(tc, test_first_recorder_no_change);
	tcase_add_test(tc, test_restart_same_address);
	tcase_add_test(tc, test_notifier);
	tcase_add_test(tc, test_fork_child);
	tcase_add_test(tc, test_per_event);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* The tracepoints are this process's: no fork per test. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
