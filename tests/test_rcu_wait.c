/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_rcu_wait.c - the rcu-wait benchmark's knob handling on a fake sysfs
 * root (mkdtemp): the up-front write probe, the per-mode switch, rcu_normal
 * held at 0, skips with a reason, and rcu_expedited back at its value on
 * every exit path (teardown, exit, SIGINT, a crash then recovery); and the
 * --load kinds (lib/victim.c) by name, with which of them are busy peers
 * (as verify() judges them).  The benchmark is reached only through its
 * descriptor (bench_find("rcu-wait"): setup, mode_enter, teardown, opts,
 * verify), as the harness reaches it.  setup() also asks the machine
 * whether membarrier GLOBAL is a grace period here (2 CPUs, no
 * nohz_full); where not, the knob tests skip with that reason.  Scenarios
 * that end a process run in a fork()ed child that reports only through
 * its exit status.
 */
#include <ftw.h>
#include <linux/membarrier.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "benchutil.h"
#include "knobs.h"
#include "testutil.h"
#include "victim.h"

/* The knobs the benchmark switches (kernel ABI, so named here too). */
#define RCU_EXPEDITED "/sys/kernel/rcu_expedited"
#define RCU_NORMAL "/sys/kernel/rcu_normal"

#define ERRLEN 512
#define RO_PROC_FILE "/proc/sys/kernel/osrelease" /* 0444, even for root */
#define CHILD_SETUP_FAILED 90
#define CHILD_SURVIVED 91

enum ending { END_EXIT, END_SIGINT, END_CRASH };

static char root[64];
static char journal[128];
static const struct bench *b;
static struct point pt;
static unsigned mode_normal, mode_expedited;
static char no_grace_period[128];	/* why setup() cannot run here */

static void fake_path(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s%s", root, path);
}

static void put_file(const char *path, const char *content)
{
	fake_put(root, path, content);
}

static void assert_knob(const char *path, const char *want)
{
	char buf[KNOB_VALUE_MAX];

	assert_int_equal(knob_read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* What rcu_setup() checks before the knobs: membarrier GLOBAL offered
 * (not with nohz_full) and a second CPU online (else it does not wait). */
static void check_machine(void)
{
	long mask = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (mask < 0 || !(mask & MEMBARRIER_CMD_GLOBAL))
		snprintf(no_grace_period, sizeof(no_grace_period),
			 "membarrier GLOBAL not offered here");
	else if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		snprintf(no_grace_period, sizeof(no_grace_period),
			 "one CPU online: membarrier GLOBAL does not wait");
}

/* The benchmark's setup() (knobs on the fake root), or skip the test
 * where this machine makes it skip before it reaches the knobs. */
static int rcu_setup(struct point *p)
{
	if (no_grace_period[0]) {
		fprintf(stderr, "# %s\n", no_grace_period);
		skip();
	}
	return b->setup(p);
}

static int group_setup(void **state)
{
	char dir[256];

	(void)state;
	b = bench_find("rcu-wait");
	if (!b || !b->setup || !b->mode_enter || !b->teardown || !b->verify)
		return -1;
	for (unsigned m = 0; m < BENCH_MAX_MODES && b->modes[m].name; m++)
		if (!strcmp(b->modes[m].name, "expedited"))
			mode_expedited = m;
		else if (!strcmp(b->modes[m].name, "normal"))
			mode_normal = m;
	if (mode_expedited == mode_normal)
		return -1;
	check_machine();
	strcpy(root, "/tmp/test_rcu_wait.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(journal, sizeof(journal), "%s/knobs.journal", root);
	fake_path(dir, sizeof(dir), "/sys");
	if (mkdir(dir, 0755) < 0)
		return -1;
	fake_path(dir, sizeof(dir), "/sys/kernel");
	return mkdir(dir, 0755);
}

static int group_teardown(void **state)
{
	(void)state;
	return rm_tree(root);
}

/* Machine defaults, no journal, a fresh point, knobs on the fake root. */
static int setup(void **state)
{
	char err[ERRLEN];

	(void)state;
	knobs_forget_for_test();
	unlink(journal);
	put_file(RCU_EXPEDITED, "0\n");
	put_file(RCU_NORMAL, "0\n");
	test_point(&pt, b, 1, 0, 0, NULL);
	if (knobs_init(root, journal, err, sizeof(err)) < 0) {
		fprintf(stderr, "# knobs_init: %s\n", err);
		return -1;
	}
	return 0;
}

/* The value of the point's note key, or NULL. */
static const char *note(const struct point *p, const char *key)
{
	for (const struct note *n = p->notes; n; n = n->next)
		if (!strcmp(n->key, key))
			return n->val;
	return NULL;
}

static int teardown(void **state)
{
	(void)state;
	knobs_restore();
	test_point_free(&pt);
	return 0;
}

static void test_modes_switch_and_teardown_restores(void **state)
{
	(void)state;
	assert_int_equal(rcu_setup(&pt), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "0");	/* the probe flipped it back */
	assert_int_equal(b->mode_enter(&pt, mode_expedited), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "1");
	assert_int_equal(b->mode_enter(&pt, mode_normal), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "0");
	assert_int_equal(b->mode_enter(&pt, mode_expedited), BENCH_OK);
	b->teardown(&pt);
	assert_knob(RCU_EXPEDITED, "0");
}

static void test_starts_from_expedited_one(void **state)
{
	(void)state;
	put_file(RCU_EXPEDITED, "1\n");
	assert_int_equal(rcu_setup(&pt), BENCH_OK);
	assert_int_equal(b->mode_enter(&pt, mode_normal), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "0");
	assert_int_equal(knobs_restore(), 0);
	assert_knob(RCU_EXPEDITED, "1");
}

static void test_rcu_normal_held_at_zero(void **state)
{
	(void)state;
	put_file(RCU_NORMAL, "1\n");
	assert_int_equal(rcu_setup(&pt), BENCH_OK);
	assert_knob(RCU_NORMAL, "0");
	assert_non_null(note(&pt, "rcu_knobs"));
	assert_non_null(strstr(note(&pt, "rcu_knobs"), "rcu_normal=1 -> 0"));
	assert_int_equal(knobs_restore(), 0);
	assert_knob(RCU_NORMAL, "1");
}

static void test_absent_knob_skips(void **state)
{
	char full[256];

	(void)state;
	fake_path(full, sizeof(full), RCU_EXPEDITED);
	assert_int_equal(unlink(full), 0);
	assert_int_equal(rcu_setup(&pt), BENCH_SKIP);
	assert_non_null(strstr(pt.skip_reason, "cannot read " RCU_EXPEDITED));
}

static void test_unwritable_knob_skips(void **state)
{
	char full[256];

	(void)state;
	if (access(RO_PROC_FILE, R_OK) < 0) {
		fprintf(stderr, "# %s: %s\n", RO_PROC_FILE, strerror(errno));
		skip();
	}
	fake_path(full, sizeof(full), RCU_EXPEDITED);
	assert_int_equal(unlink(full), 0);
	assert_int_equal(symlink(RO_PROC_FILE, full), 0);
	assert_int_equal(rcu_setup(&pt), BENCH_SKIP);
	assert_non_null(strstr(pt.skip_reason, "cannot write"));
	b->teardown(&pt);	/* with no knob prepared: writes nothing */
	/* knob_set journaled it before the write failed: let the restore
	 * in teardown() find a writable file. */
	assert_int_equal(unlink(full), 0);
	put_file(RCU_EXPEDITED, "0\n");
}

/* The descriptor's --load option: its choices are lib/victim.c's kinds. */
static const struct opt_spec *load_opt(void)
{
	for (const struct opt_spec *o = b->opts; o && o->name; o++)
		if (!strcmp(o->name, "load"))
			return o;
	fail_msg("rcu-wait has no --load option");
	return NULL;
}

/* verify() of one normal and one expedited window, 100 calls each: the
 * normal one woke the GP kthread once per call, the expedited one sent
 * no rcu_exp_handler IPI.  Right unless a peer was busy. */
static bool verify_no_exp_ipi(const char *load, unsigned nbg, char *verdict,
			      size_t len)
{
	char arg[64], *argv[] = { arg };
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct point p;
	int wake = -1, ipi = -1;
	bool ok;

	snprintf(arg, sizeof(arg), "--load=%s", load);
	test_point(&p, b, 1, nbg, 1, argv);
	test_point_counters(&p, NULL);
	for (int k = 0; b->counters[k]; k++)
		if (strstr(b->counters[k], "sched_wakeup"))
			wake = test_counter(&p, b->counters[k]);
		else if (strstr(b->counters[k], "rcu_exp_handler"))
			ipi = test_counter(&p, b->counters[k]);
	assert_true(wake >= 0 && ipi >= 0);
	res[mode_normal].ops = res[mode_expedited].ops = 100;
	res[mode_normal].delta[wake] = 100;
	res[mode_expedited].delta[ipi] = 0;
	ok = b->verify(&p, res, verdict, len);
	test_point_free(&p);
	return ok;
}

/* --load keeps its names and order; only spin, syscall and gup
 * load a peer CPU so that an expedited wait must IPI it. */
static void test_load_kinds(void **state)
{
	static const char *const names[] = {
		"idle", "spin", "syscall", "gup", "sleep", NULL,
	};
	static const bool busy[] = { false, true, true, true, false };
	char verdict[512];

	(void)state;
	assert_ptr_equal(load_opt()->choices, victim_names);
	for (int i = 0; names[i]; i++) {
		assert_string_equal(victim_names[i], names[i]);
		assert_int_equal(verify_no_exp_ipi(names[i], 1, verdict,
						   sizeof(verdict)), !busy[i]);
		if (busy[i])
			assert_non_null(strstr(verdict, "did not IPI the busy peer"));
		else
			assert_non_null(strstr(verdict, "both waits ran as intended"));
	}
	assert_null(victim_names[sizeof(busy) / sizeof(busy[0])]);
	/* No background worker: no peer is busy, whatever --load says. */
	assert_true(verify_no_exp_ipi("spin", 0, verdict, sizeof(verdict)));
}

/* Child: the benchmark in an expedited window, then the given ending. */
static int child_end(enum ending how)
{
	char err[ERRLEN];

	if (knobs_init(root, journal, err, sizeof(err)) < 0 ||
	    rcu_setup(&pt) != BENCH_OK ||
	    b->mode_enter(&pt, mode_expedited) != BENCH_OK)
		return CHILD_SETUP_FAILED;
	if (how == END_EXIT)
		exit(0);		/* atexit restores */
	raise(how == END_SIGINT ? SIGINT : SIGKILL);
	return CHILD_SURVIVED;
}

static int child_end_cb(void *how)
{
	return child_end(*(enum ending *)how);
}

static int in_child(enum ending how)
{
	if (no_grace_period[0]) {	/* skip here, not in the child */
		fprintf(stderr, "# %s\n", no_grace_period);
		skip();
	}
	return fork_wait(child_end_cb, &how);
}

static void test_exit_restores(void **state)
{
	int st = in_child(END_EXIT);

	(void)state;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_knob(RCU_EXPEDITED, "0");
	assert_int_equal(access(journal, F_OK), -1);
}

static void test_sigint_restores(void **state)
{
	int st = in_child(END_SIGINT);

	(void)state;
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGINT);
	assert_knob(RCU_EXPEDITED, "0");
	assert_int_equal(access(journal, F_OK), -1);
}

static void test_crash_then_recover(void **state)
{
	char msg[ERRLEN];
	int st = in_child(END_CRASH);

	(void)state;
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_knob(RCU_EXPEDITED, "1");	/* nothing ran in the child */
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 1);
	assert_knob(RCU_EXPEDITED, "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_modes_switch_and_teardown_restores,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_starts_from_expedited_one,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rcu_normal_held_at_zero,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_knob_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_knob_skips,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigint_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_then_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_kinds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
