/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_rcu_wait.c - the rcu-wait benchmark's knob handling on a fake sysfs
 * root (mkdtemp): the up-front write probe, the per-mode switch, rcu_normal
 * held at 0, skips with a reason, and rcu_expedited back at its value on
 * every exit path (teardown, exit, SIGINT, a crash then recovery); and the
 * --load kinds (lib/victim.c) by name, with which of them are busy peers.
 * The benchmark's statics are reached by including its file.  Scenarios
 * that end a process run in a fork()ed child that reports only through
 * its exit status.
 */
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "testutil.h"

#include "../bench/rcu_wait.c"

#define ERRLEN 512
#define RO_PROC_FILE "/proc/sys/kernel/osrelease" /* 0444, even for root */
#define CHILD_SETUP_FAILED 90
#define CHILD_SURVIVED 91

enum ending { END_EXIT, END_SIGINT, END_CRASH };

static char root[64];
static char journal[128];
static struct rcu_point rp;
static struct rcu_conf conf;
static struct point pt;

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

static int group_setup(void **state)
{
	char dir[256];

	(void)state;
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

static void free_notes(void)
{
	while (pt.notes) {
		struct note *n = pt.notes;

		pt.notes = n->next;
		free(n);
	}
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
	free_notes();
	memset(&rp, 0, sizeof(rp));
	pt = (struct point){ .conf = &conf, .priv = &rp };
	if (knobs_init(root, journal, err, sizeof(err)) < 0) {
		fprintf(stderr, "# knobs_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	knobs_restore();
	free_notes();
	return 0;
}

static void test_modes_switch_and_teardown_restores(void **state)
{
	(void)state;
	assert_int_equal(rcu_prepare_knobs(&pt), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "0");	/* the probe flipped it back */
	assert_int_equal(rcu_mode_enter(&pt, MODE_EXPEDITED), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "1");
	assert_int_equal(rcu_mode_enter(&pt, MODE_NORMAL), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "0");
	assert_int_equal(rcu_mode_enter(&pt, MODE_EXPEDITED), BENCH_OK);
	rcu_teardown(&pt);
	assert_knob(RCU_EXPEDITED, "0");
}

static void test_starts_from_expedited_one(void **state)
{
	(void)state;
	put_file(RCU_EXPEDITED, "1\n");
	assert_int_equal(rcu_prepare_knobs(&pt), BENCH_OK);
	assert_int_equal(rcu_mode_enter(&pt, MODE_NORMAL), BENCH_OK);
	assert_knob(RCU_EXPEDITED, "0");
	assert_int_equal(knobs_restore(), 0);
	assert_knob(RCU_EXPEDITED, "1");
}

static void test_rcu_normal_held_at_zero(void **state)
{
	(void)state;
	put_file(RCU_NORMAL, "1\n");
	assert_int_equal(rcu_prepare_knobs(&pt), BENCH_OK);
	assert_knob(RCU_NORMAL, "0");
	assert_non_null(pt.notes);
	assert_non_null(strstr(pt.notes->val, "rcu_normal=1 -> 0"));
	assert_int_equal(knobs_restore(), 0);
	assert_knob(RCU_NORMAL, "1");
}

static void test_absent_knob_skips(void **state)
{
	char full[256];

	(void)state;
	fake_path(full, sizeof(full), RCU_EXPEDITED);
	assert_int_equal(unlink(full), 0);
	assert_int_equal(rcu_prepare_knobs(&pt), BENCH_SKIP);
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
	assert_int_equal(rcu_prepare_knobs(&pt), BENCH_SKIP);
	assert_non_null(strstr(pt.skip_reason, "cannot write"));
	assert_false(rp.knob_ready);
	/* knob_set journaled it before the write failed: let the restore
	 * in teardown() find a writable file. */
	assert_int_equal(unlink(full), 0);
	put_file(RCU_EXPEDITED, "0\n");
}

/* --load keeps its names and order; only spin, syscall and gup
 * load a peer CPU so that an expedited wait must IPI it. */
static void test_load_kinds(void **state)
{
	static const char *const names[] = {
		"idle", "spin", "syscall", "gup", "sleep", NULL,
	};
	static const bool busy[] = { false, true, true, true, false };

	(void)state;
	assert_ptr_equal(rcu_opts[0].choices, victim_names);
	pt.nbg = 1;
	for (int i = 0; names[i]; i++) {
		assert_string_equal(victim_names[i], names[i]);
		conf.load = i;
		assert_int_equal(busy_peer(&pt), busy[i]);
	}
	assert_null(victim_names[sizeof(busy) / sizeof(busy[0])]);
	pt.nbg = 0;
	assert_false(busy_peer(&pt));
}

/* Child: the benchmark in an expedited window, then the given ending. */
static int child_end(enum ending how)
{
	char err[ERRLEN];

	if (knobs_init(root, journal, err, sizeof(err)) < 0 ||
	    rcu_prepare_knobs(&pt) != BENCH_OK ||
	    rcu_mode_enter(&pt, MODE_EXPEDITED) != BENCH_OK)
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
