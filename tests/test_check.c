/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_check.c - the `gupsync check` detector, on this machine.
 *
 * An unheld region must be replaced (the control), a held one reported
 * PROTECTED, and a replacement forced on purpose must be reported NOT
 * PROTECTED: a "replacer" that zaps the held page (MADV_DONTNEED, then a
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
	assert_int_equal(check_one(rep, pin, r), 0);
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
	skip_if_skipped(r);
	assert_true(r->cycles > 0);
	assert_int_equal(r->verdict == CHECK_NOT_PROTECTED, r->violations > 0);
}

static void test_judge(void **state)
{
	(void)state;
	assert_int_equal(check_judge(PIN_NONE, true, true), CHECK_REPLACED);
	assert_int_equal(check_judge(PIN_NONE, false, true), CHECK_NOT_REPLACED);
	assert_int_equal(check_judge(PIN_IO_URING, false, true), CHECK_PROTECTED);
	assert_int_equal(check_judge(PIN_IO_URING, true, true), CHECK_PROTECTED);
	assert_int_equal(check_judge(PIN_IO_URING, true, false), CHECK_NOT_PROTECTED);
	assert_int_equal(check_judge(PIN_VMSPLICE, false, false), CHECK_NOT_PROTECTED);
	assert_string_equal(check_verdict_name(CHECK_NOT_PROTECTED), "NOT PROTECTED");
	assert_string_equal(pin_kind_name(PIN_IO_URING), "io_uring-pin");
}

static void test_collapse_control_replaced(void **state)
{
	struct check_result r;

	(void)state;
	run(&check_collapse, PIN_NONE, &r);
	if (r.verdict == CHECK_NOT_REPLACED && r.err) {
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
	"zap", zap_prepare, zap_attempt, zap_cleanup,
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
}

static void test_uprobe_io_uring(void **state)
{
	struct check_result c, r;

	(void)state;
	/* the control: int3 reached the page */
	run_expect(&check_uprobe, PIN_NONE, CHECK_REPLACED, &c);
	run(&check_uprobe, PIN_IO_URING, &r);
	/* Either way the kernel does it, the detector must say which. */
	assert_true(r.verdict == CHECK_PROTECTED || r.verdict == CHECK_NOT_PROTECTED);
	assert_int_equal(r.verdict == CHECK_PROTECTED, r.views_agree);
}

static void test_race_collapse(void **state)
{
	struct check_result r;

	(void)state;
	run_race(check_race_collapse, &r);
	assert_true(r.verdict == CHECK_PROTECTED || r.verdict == CHECK_NOT_PROTECTED);
	assert_true(r.attempts > 0);
}

static void test_race_ksm(void **state)
{
	struct check_result r;

	(void)state;
	run_race(check_race_ksm, &r);
}

static void test_main_bad_option(void **state)
{
	char *argv1[] = { "check", "--bogus", NULL };
	char *argv2[] = { "check", "--race-time=soon", NULL };

	(void)state;
	assert_int_equal(check_main(2, argv1), EXIT_USAGE);
	assert_int_equal(check_main(2, argv2), EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_collapse_control_replaced),
		cmocka_unit_test(test_collapse_io_uring_protected),
		cmocka_unit_test(test_collapse_vmsplice_protected),
		cmocka_unit_test(test_detector_sees_lost_write_io_uring),
		cmocka_unit_test(test_detector_sees_stale_hold_vmsplice),
		cmocka_unit_test(test_detector_control),
		cmocka_unit_test(test_ksm_control_merged),
		cmocka_unit_test(test_ksm_io_uring_protected),
		cmocka_unit_test(test_uprobe_io_uring),
		cmocka_unit_test(test_race_collapse),
		cmocka_unit_test(test_race_ksm),
		cmocka_unit_test(test_main_bad_option),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
