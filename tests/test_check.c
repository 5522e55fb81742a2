/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_check.c - the `gupsync check` detector, on this machine.
 *
 * The judgement tables (control, held, race) row by row with synthetic
 * inputs; then on this machine: an unheld region must be replaced (the
 * control), a held one reported PROTECTED with the replacer's back-off, a
 * collapse that fails for another reason (MADV_NOHUGEPAGE: EINVAL) must
 * not be PROTECTED, uprobes must be judged by their control (in place:
 * NOT APPLICABLE), a race too short to overlap anything must be SKIPPED,
 * and a replacement forced on purpose must be reported NOT PROTECTED: a "replacer" that zaps the held page (MADV_DONTNEED, then a
 * fault maps a new page while the pin keeps the old one) is exactly what a
 * kernel that loses writes through pins would do, so the detector is
 * shown to catch it.  Knobs (THP "always" -> "madvise", KSM) go through a
 * journal in a mkdtemp directory and are restored at the end.  Where THP,
 * io_uring, KSM, tracefs or uprobes are missing, or not root, the test
 * skips with the reason on stderr.  No timing is asserted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "counters.h"
#include "knobs.h"
#include "options.h"

#define KSM_WAIT_NS 1500000000ull	/* each test stays under 2 s */
#define RACE_NS 100000000ull
#define PAGE 4096ul

static char tmpdir[64];
static char journal[128];
static char no_root[128];

static int group_setup(void **state)
{
	char err[256];

	(void)state;
	if (geteuid() != 0) {
		snprintf(no_root, sizeof(no_root), "needs root (pagemap PFNs, "
			 "tracefs, sysfs knobs)");
		return 0;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_check.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(journal, sizeof(journal), "%s/journal", tmpdir);
	setenv("GUPSYNC_JOURNAL", journal, 1);
	if (knobs_init("", journal, err, sizeof(err)) < 0) {
		fprintf(stderr, "# knobs_init: %s\n", err);
		return -1;
	}
	/* Mounting tracefs privately needs a single-threaded process: before
	 * io_uring starts its workers. */
	counters_tracefs(err, sizeof(err));
	check_set_ksm_wait(KSM_WAIT_NS);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!tmpdir[0])
		return 0;
	knobs_restore();
	unlink(journal);
	rmdir(tmpdir);
	return 0;
}

#define NEED_ROOT()                                                      \
	do {                                                             \
		if (no_root[0]) {                                        \
			fprintf(stderr, "# skip: %s\n", no_root);        \
			skip();                                          \
		}                                                        \
	} while (0)

/* A check that was skipped skips the test, with its reason. */
static void skip_if_skipped(const struct check_result *r)
{
	if (r->verdict == CHECK_SKIPPED) {
		fprintf(stderr, "# skip %s: %s\n", r->path, r->detail);
		skip();
	}
}

/* Run one check. */
static void run(const struct check_replacer *rep, enum pin_kind pin,
		struct check_result *r)
{
	NEED_ROOT();
	assert_int_equal(check_one(rep, pin, NULL, r), 0);
	skip_if_skipped(r);
}

/* Run one check that must come to verdict. */
static void run_expect(const struct check_replacer *rep, enum pin_kind pin,
		       enum check_verdict verdict, struct check_result *r)
{
	run(rep, pin, r);
	assert_int_equal(r->verdict, verdict);
}

/* Run one race check for RACE_NS; its verdict says what it saw. */
static void run_race(int (*race)(uint64_t ns, struct check_result *r),
		     struct check_result *r)
{
	NEED_ROOT();
	assert_int_equal(race(RACE_NS, r), 0);
	if (!r->cycles)		/* a prerequisite missing, not a short race */
		skip_if_skipped(r);
	assert_true(r->cycles > 0);
	assert_int_equal(r->verdict == CHECK_NOT_PROTECTED, r->violations > 0);
	assert_int_equal(r->verdict, race_judge(r->races, r->violations, false));
}

/* Control: acted x moved. */
static void test_judge_control(void **state)
{
	(void)state;
	assert_int_equal(check_judge_control(true, true), CHECK_REPLACED);
	assert_int_equal(check_judge_control(true, false), CHECK_IN_PLACE);
	assert_int_equal(check_judge_control(false, false), CHECK_DID_NOTHING);
	assert_int_equal(check_judge_control(false, true), CHECK_DID_NOTHING);
	assert_string_equal(check_verdict_name(CHECK_IN_PLACE), "acted in place");
	assert_string_equal(check_verdict_name(CHECK_NOT_PROTECTED), "NOT PROTECTED");
	assert_string_equal(check_verdict_name(CHECK_NOT_APPLICABLE), "NOT APPLICABLE");
	assert_string_equal(pin_kind_name(PIN_IO_URING), "io_uring-pin");
}

/* Held: every control verdict, then with a replacing control every
 * combination of views_agree x moved x backed_off. */
static void test_judge_held(void **state)
{
	static const struct {
		enum check_verdict control;
		bool agree, moved, backed_off;
		enum check_verdict want;
	} rows[] = {
		/* the control decides first, whatever the held run saw */
		{ CHECK_IN_PLACE, true, false, true, CHECK_NOT_APPLICABLE },
		{ CHECK_IN_PLACE, false, true, false, CHECK_NOT_APPLICABLE },
		{ CHECK_DID_NOTHING, true, false, true, CHECK_SKIPPED },
		{ CHECK_DID_NOTHING, false, true, false, CHECK_SKIPPED },
		{ CHECK_SKIPPED, true, false, true, CHECK_SKIPPED },
		{ CHECK_ERROR, true, false, true, CHECK_SKIPPED },
		/* replaced: PROTECTED needs all three */
		{ CHECK_REPLACED, true, false, true, CHECK_PROTECTED },
		{ CHECK_REPLACED, true, false, false, CHECK_SKIPPED },
		{ CHECK_REPLACED, true, true, true, CHECK_NOT_PROTECTED },
		{ CHECK_REPLACED, true, true, false, CHECK_NOT_PROTECTED },
		{ CHECK_REPLACED, false, false, true, CHECK_NOT_PROTECTED },
		{ CHECK_REPLACED, false, false, false, CHECK_NOT_PROTECTED },
		{ CHECK_REPLACED, false, true, true, CHECK_NOT_PROTECTED },
		{ CHECK_REPLACED, false, true, false, CHECK_NOT_PROTECTED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum check_verdict v = check_judge_held(rows[i].control, rows[i].agree,
							rows[i].moved,
							rows[i].backed_off);

		if (v != rows[i].want)
			fail_msg("row %zu: %s, want %s", i, check_verdict_name(v),
				 check_verdict_name(rows[i].want));
	}
}

/* Race: failed x violations x overlaps below/at the floor. */
static void test_judge_race(void **state)
{
	(void)state;
	assert_int_equal(race_judge(RACE_MIN_OVERLAP, 0, true), CHECK_ERROR);
	assert_int_equal(race_judge(0, 1, true), CHECK_ERROR);
	assert_int_equal(race_judge(0, 1, false), CHECK_NOT_PROTECTED);
	assert_int_equal(race_judge(RACE_MIN_OVERLAP, 3, false), CHECK_NOT_PROTECTED);
	assert_int_equal(race_judge(0, 0, false), CHECK_SKIPPED);
	assert_int_equal(race_judge(RACE_MIN_OVERLAP - 1, 0, false), CHECK_SKIPPED);
	assert_int_equal(race_judge(RACE_MIN_OVERLAP, 0, false), CHECK_PROTECTED);
	assert_int_equal(race_judge(100 * RACE_MIN_OVERLAP, 0, false), CHECK_PROTECTED);
}

static void test_collapse_control_replaced(void **state)
{
	struct check_result r;

	(void)state;
	run(&check_collapse, PIN_NONE, &r);
	if (r.verdict == CHECK_DID_NOTHING && r.err) {
		/* e.g. ENOMEM: no free 2 MiB page here now; not the detector */
		fprintf(stderr, "# skip: %s\n", r.detail);
		skip();
	}
	assert_int_equal(r.verdict, CHECK_REPLACED);
	assert_true(r.acted);
	assert_int_equal(r.err, 0);
	assert_true(r.pfn_before != r.pfn_after);
	assert_string_equal(r.path, "collapse/unpinned");
}

static void test_collapse_io_uring_protected(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&check_collapse, PIN_IO_URING, CHECK_PROTECTED, &r);
	assert_int_equal(r.err, EAGAIN);
	assert_true(r.backed_off);
	assert_false(r.moved);
	assert_true(r.views_agree);
	assert_true(r.pfn_before == r.pfn_after);
	assert_non_null(strstr(r.detail, "EAGAIN"));
}

static void test_collapse_vmsplice_protected(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&check_collapse, PIN_VMSPLICE, CHECK_PROTECTED, &r);
	assert_int_equal(r.err, EAGAIN);
}

/* The forced replacement: the held page zapped, a new one faulted in. */
static int zap_prepare(struct check_target *t, char *why, size_t len)
{
	t->base = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->base == MAP_FAILED) {
		t->base = NULL;
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -1;
	}
	t->len = PAGE;
	t->page = t->base;
	t->page[0] = 1;
	return 0;
}

static int zap_attempt(struct check_target *t, enum pin_kind pin, char *why,
		       size_t len)
{
	(void)pin, (void)why, (void)len;
	t->err = madvise(t->page, PAGE, MADV_DONTNEED) ? errno : 0;
	t->page[0] = 2;		/* a new page */
	t->acted = true;
	snprintf(t->note, sizeof(t->note), "page zapped and refaulted");
	return 0;
}

static void zap_cleanup(struct check_target *t)
{
	if (t->base)
		munmap(t->base, t->len);
}

static const struct check_replacer zap = {
	.name = "zap",
	.backoff = "none (a zap never backs off)",
	.prepare = zap_prepare,
	.attempt = zap_attempt,
	.cleanup = zap_cleanup,
};

/* A collapse that fails for another reason: the region is not
 * THP-eligible (MADV_NOHUGEPAGE), so MADV_COLLAPSE returns EINVAL. */
static int nohuge_prepare(struct check_target *t, char *why, size_t len)
{
	if (check_collapse.prepare(t, why, len) < 0)
		return -1;
	if (madvise(t->base, t->len, MADV_NOHUGEPAGE) < 0) {
		snprintf(why, len, "madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
		return -1;
	}
	return 0;
}

static const struct check_replacer nohuge = {
	.name = "collapse-nohuge",
	.backoff = "EAGAIN from MADV_COLLAPSE",
	.prepare = nohuge_prepare,
	.attempt = NULL,	/* check_collapse's, set in the test */
	.cleanup = NULL,
};

static void test_detector_sees_lost_write_io_uring(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&zap, PIN_IO_URING, CHECK_NOT_PROTECTED, &r);
	assert_false(r.views_agree);
	assert_true(r.pfn_before != r.pfn_after);
	assert_non_null(strstr(r.detail, "LOST"));
}

static void test_detector_sees_stale_hold_vmsplice(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&zap, PIN_VMSPLICE, CHECK_NOT_PROTECTED, &r);
	assert_false(r.views_agree);
}

static void test_detector_control(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&zap, PIN_NONE, CHECK_REPLACED, &r);
}

static void test_collapse_not_eligible_not_protected(void **state)
{
	struct check_replacer rep = nohuge;
	struct check_result c, r;

	(void)state;
	rep.attempt = check_collapse.attempt;
	rep.cleanup = check_collapse.cleanup;
	run_expect(&rep, PIN_NONE, CHECK_DID_NOTHING, &c);
	assert_int_equal(c.err, EINVAL);
	NEED_ROOT();
	/* Judged against a control that was replaced, as in `gupsync check`
	 * when the ordinary collapse control succeeded: still no verdict. */
	assert_int_equal(check_one(&rep, PIN_IO_URING, NULL, &r), 0);
	assert_int_equal(r.verdict, CHECK_SKIPPED);
	assert_int_equal(r.err, EINVAL);
	assert_false(r.backed_off);
	assert_non_null(strstr(r.detail, "EINVAL"));
	/* And against its own control (did nothing): SKIPPED as well. */
	assert_int_equal(check_one(&rep, PIN_VMSPLICE, &c, &r), 0);
	assert_int_equal(r.verdict, CHECK_SKIPPED);
}

static void test_ksm_control_merged(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&check_ksm, PIN_NONE, CHECK_REPLACED, &r);
	assert_true(r.acted);
	assert_int_equal(access(journal, F_OK), 0);	/* KSM knobs journaled */
}

static void test_ksm_io_uring_protected(void **state)
{
	struct check_result r;

	(void)state;
	run_expect(&check_ksm, PIN_IO_URING, CHECK_PROTECTED, &r);
	assert_false(r.acted);
	assert_true(r.backed_off);
	assert_int_equal(r.err, 0);
}

static void test_uprobe_io_uring(void **state)
{
	struct check_result c, r;

	(void)state;
	run(&check_uprobe, PIN_NONE, &c);
	assert_true(c.acted);	/* the int3 reached the mapped page */
	assert_true(c.verdict == CHECK_REPLACED || c.verdict == CHECK_IN_PLACE);
	assert_int_equal(check_one(&check_uprobe, PIN_IO_URING, &c, &r), 0);
	skip_if_skipped(&r);
	if (c.verdict == CHECK_IN_PLACE) {
		/* Linux 6.16 and later: the int3 goes into the page itself */
		assert_int_equal(c.pfn_before, c.pfn_after);
		assert_int_equal(r.verdict, CHECK_NOT_APPLICABLE);
		assert_non_null(strstr(r.detail, "nothing to protect"));
	} else {
		/* __replace_page(): the detector must say which way it went */
		assert_true(r.verdict == CHECK_PROTECTED ||
			    r.verdict == CHECK_NOT_PROTECTED);
		assert_int_equal(r.verdict == CHECK_PROTECTED,
				 r.views_agree && !r.moved);
	}
}

static void test_race_collapse(void **state)
{
	struct check_result r;

	(void)state;
	run_race(check_race_collapse, &r);
	/* How many overlaps a short race gets depends on the machine's load;
	 * too few is SKIPPED, which run_race() checked against race_judge(). */
	assert_true(r.verdict == CHECK_PROTECTED || r.verdict == CHECK_NOT_PROTECTED ||
		    (r.verdict == CHECK_SKIPPED && r.races < RACE_MIN_OVERLAP));
	assert_true(r.attempts > 0);
}

/* 1 us cannot overlap RACE_MIN_OVERLAP collapses: never PROTECTED. */
static void test_race_too_short_skipped(void **state)
{
	struct check_result r;

	(void)state;
	NEED_ROOT();
	assert_int_equal(check_race_collapse(1000, &r), 0);
	assert_int_equal(r.verdict, CHECK_SKIPPED);
	assert_true(r.races < RACE_MIN_OVERLAP);
	assert_non_null(strstr(r.detail, "too little activity"));
}

static void test_race_ksm(void **state)
{
	struct check_result r;

	(void)state;
	run_race(check_race_ksm, &r);
}

/* The exit status from the verdicts: NOT APPLICABLE is neither a pass
 * nor a failure. */
static void test_summary_exit(void **state)
{
	struct check_result res[4];

	(void)state;
	memset(res, 0, sizeof(res));
	res[0].verdict = CHECK_IN_PLACE;
	res[1].verdict = CHECK_NOT_APPLICABLE;
	res[2].verdict = CHECK_NOT_APPLICABLE;
	res[3].verdict = CHECK_SKIPPED;
	assert_int_equal(check_summary(res, 4), EXIT_SKIP);
	res[3].verdict = CHECK_PROTECTED;
	assert_int_equal(check_summary(res, 4), 0);
	res[3].verdict = CHECK_NOT_PROTECTED;
	assert_int_equal(check_summary(res, 4), 0);
	res[2].verdict = CHECK_ERROR;
	assert_int_equal(check_summary(res, 4), 1);
}

static void test_main_bad_option(void **state)
{
	char *argv1[] = { "check", "--bogus", NULL };
	char *argv2[] = { "check", "--race-time=soon", NULL };

	(void)state;
	assert_int_equal(cmd_check(2, argv1, NULL), EXIT_USAGE);
	assert_int_equal(cmd_check(2, argv2, NULL), EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_control),
		cmocka_unit_test(test_judge_held),
		cmocka_unit_test(test_judge_race),
		cmocka_unit_test(test_collapse_control_replaced),
		cmocka_unit_test(test_collapse_io_uring_protected),
		cmocka_unit_test(test_collapse_vmsplice_protected),
		cmocka_unit_test(test_detector_sees_lost_write_io_uring),
		cmocka_unit_test(test_detector_sees_stale_hold_vmsplice),
		cmocka_unit_test(test_detector_control),
		cmocka_unit_test(test_collapse_not_eligible_not_protected),
		cmocka_unit_test(test_ksm_control_merged),
		cmocka_unit_test(test_ksm_io_uring_protected),
		cmocka_unit_test(test_uprobe_io_uring),
		cmocka_unit_test(test_race_collapse),
		cmocka_unit_test(test_race_too_short_skipped),
		cmocka_unit_test(test_race_ksm),
		cmocka_unit_test(test_summary_exit),
		cmocka_unit_test(test_main_bad_option),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
