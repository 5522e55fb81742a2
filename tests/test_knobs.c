/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_knobs.c - knobs.c on a fake sysfs tree in a mkdtemp directory:
 * selector reads, set/restore, the journal, restore on exit and on signals,
 * recovery after a crash, a live owner left alone, error paths.
 * Scenarios that end a process run in a fork()ed child; children report
 * through their exit status only (never through cmocka).
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "knobs.h"
#include "knobs_recover.h"

#define THP "/sys/kernel/mm/transparent_hugepage/enabled"
#define RCU "/sys/kernel/rcu_expedited"
/* A second name (hard link) for the RCU file, to see the order of
 * restores. */
#define RCU_ALIAS "/sys/rcu_alias"
#define THP_BOOT "always [madvise] never\n"
#define ERRLEN 512
/* Exit codes of children that failed before reaching their ending. */
#define CHILD_SETUP_FAILED 90
#define CHILD_SURVIVED 91

static char root[64];
static char journal[128];
/* The live-owner child; teardown kills it if a failed assert left it. */
static pid_t owner_pid;

static void fake_path(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s%s", root, path);
}

static void put_file(const char *path, const char *content)
{
	fake_put(root, path, content);
}

static void put_journal(const char *content)
{
	FILE *f;

	assert_int_equal(make_parents(journal), 0);
	f = fopen(journal, "w");
	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void assert_knob(const char *path, const char *want)
{
	char buf[KNOB_VALUE_MAX];

	assert_int_equal(knob_read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static int journal_exists(void)
{
	return access(journal, F_OK) == 0;
}

static int journal_lines(void)
{
	FILE *f = fopen(journal, "r");
	int c, n = 0;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int group_setup(void **state)
{
	char thp[256];

	(void)state;
	strcpy(root, "/tmp/test_knobs.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(journal, sizeof(journal), "%s/run/gupsync/knobs.journal", root);
	fake_path(thp, sizeof(thp), THP);
	return make_parents(thp);
}

static int group_teardown(void **state)
{
	(void)state;
	return rm_tree(root);
}

/* Fresh knob files, no journal, no state, knobs_init on the fake root. */
static int setup(void **state)
{
	char err[ERRLEN], alias[256], target[256];

	(void)state;
	knobs_forget_for_test();
	unlink(journal);
	put_file(THP, THP_BOOT);
	put_file(RCU, "0\n");
	fake_path(alias, sizeof(alias), RCU_ALIAS);
	fake_path(target, sizeof(target), RCU);
	unlink(alias);
	/* A hard link: knobs are opened O_NOFOLLOW, a symlink is refused. */
	if (link(target, alias) < 0)
		return -1;
	if (knobs_init(root, journal, err, sizeof(err)) < 0) {
		fprintf(stderr, "# knobs_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (owner_pid > 0) {
		kill(owner_pid, SIGKILL);
		waitpid(owner_pid, NULL, 0);
		owner_pid = 0;
	}
	knobs_restore();
	return 0;
}

/* Child: set both knobs the way a benchmark would. */
static int child_set_two(void)
{
	char err[ERRLEN];

	if (knobs_init(root, journal, err, sizeof(err)) < 0 ||
	    knob_set(THP, "never", err, sizeof(err)) < 0 ||
	    knob_set(RCU, "1", err, sizeof(err)) < 0) {
		fprintf(stderr, "# child: %s\n", err);
		return -1;
	}
	return 0;
}

static int child_raise(void *arg)
{
	int sig = *(int *)arg;

	if (child_set_two() < 0)
		return CHILD_SETUP_FAILED;
	if (sig == SIGQUIT)	/* its default action dumps core */
		prctl(PR_SET_DUMPABLE, 0);
	raise(sig);
	return CHILD_SURVIVED;
}

static int child_exit(void *arg)
{
	(void)arg;
	if (child_set_two() < 0)
		return CHILD_SETUP_FAILED;
	exit(0);	/* atexit handlers run */
}

static void assert_all_restored(void)
{
	assert_knob(THP, "madvise");
	assert_knob(RCU, "0");
	assert_false(journal_exists());
}

static void test_read_resolves_selector(void **state)
{
	char buf[KNOB_VALUE_MAX], tiny[4];

	(void)state;
	assert_knob(THP, "madvise");
	assert_knob(RCU, "0");
	assert_int_equal(knob_read("/sys/nonexistent", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(knob_read(THP, tiny, sizeof(tiny)), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_set_and_restore(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_int_equal(knob_set(THP, "never", err, sizeof(err)), 0);
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	assert_knob(THP, "never");
	assert_knob(RCU, "1");
	assert_true(journal_exists());
	assert_int_equal(journal_lines(), 3);
	assert_int_equal(knobs_restore(), 0);
	assert_all_restored();
}

static void test_same_value_journals_once(void **state)
{
	char err[ERRLEN];

	(void)state;
	/* Equal to the current value: nothing journaled, no journal made. */
	assert_int_equal(knob_set(THP, "madvise", err, sizeof(err)), 0);
	assert_false(journal_exists());
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	assert_int_equal(knob_set(RCU, "2", err, sizeof(err)), 0);
	assert_int_equal(journal_lines(), 2);
	/* The first old value is the one restored. */
	assert_int_equal(knobs_restore(), 0);
	assert_knob(RCU, "0");
}

static void test_restore_is_reverse_order(void **state)
{
	char err[ERRLEN];

	(void)state;
	/* Two names for one file: only the reverse order ends at "0". */
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	assert_int_equal(knob_set(RCU_ALIAS, "2", err, sizeof(err)), 0);
	assert_int_equal(knobs_restore(), 0);
	assert_knob(RCU, "0");
}

static void test_crash_then_recover(void **state)
{
	char err[ERRLEN], msg[1024];

	(void)state;
	assert_int_equal(knob_set(THP, "never", err, sizeof(err)), 0);
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	knobs_forget_for_test();
	assert_true(journal_exists());
	assert_knob(RCU, "1");
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 2);
	assert_non_null(strstr(msg, RCU ": restored to '0'"));
	assert_non_null(strstr(msg, THP ": restored to 'madvise'"));
	assert_all_restored();
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 0);
}

static void test_stale_journal_blocks_set(void **state)
{
	char err[ERRLEN], msg[1024];

	(void)state;
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	knobs_forget_for_test();
	/* A new run must not bury the crashed run's old values. */
	assert_int_equal(knob_set(THP, "never", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "gupsync restore"));
	assert_knob(THP, "madvise");
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 1);
	assert_knob(RCU, "0");
}

static void test_recover_without_journal(void **state)
{
	char msg[256];

	(void)state;
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 0);
}

static void test_signal_restores(void **state)
{
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

	(void)state;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int sig = sigs[i], status = fork_wait(child_raise, &sig);

		if (!WIFSIGNALED(status))
			fail_msg("signal %d: child exited %d", sig, WEXITSTATUS(status));
		assert_int_equal(WTERMSIG(status), sig);
		assert_all_restored();
	}
}

static void test_exit_restores(void **state)
{
	int status;

	(void)state;
	status = fork_wait(child_exit, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_all_restored();
}

static int child_sigkill(void *arg)
{
	(void)arg;
	if (child_set_two() < 0)
		return CHILD_SETUP_FAILED;
	raise(SIGKILL);
	return CHILD_SURVIVED;
}

static void test_sigkill_then_recover(void **state)
{
	char msg[1024];
	int status;

	(void)state;
	status = fork_wait(child_sigkill, NULL);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_true(journal_exists());
	assert_knob(THP, "never");
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 2);
	assert_all_restored();
}

/* Child: set a knob, tell the parent, wait to be released, exit. */
static int child_owner(void *arg)
{
	int *fds = arg;	/* [0] read end "go", [1] write end "ready" */
	char err[ERRLEN], c = 'r';

	if (knobs_init(root, journal, err, sizeof(err)) < 0 ||
	    knob_set(RCU, "1", err, sizeof(err)) < 0 ||
	    write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1)
		return CHILD_SETUP_FAILED;
	exit(0);
}

static void test_live_owner_left_alone(void **state)
{
	int ready[2], go[2], fds[2], status;
	char msg[1024], c, pidstr[32];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	fds[0] = go[0];
	fds[1] = ready[1];
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		default_signals();
		_exit(child_owner(fds));
	}
	owner_pid = pid;
	close(ready[1]);	/* a child that dies early gives EOF, not a hang */
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 0);
	snprintf(pidstr, sizeof(pidstr), "pid %d", (int)pid);
	assert_non_null(strstr(msg, pidstr));
	assert_non_null(strstr(msg, "is running"));
	assert_knob(RCU, "1");
	assert_true(journal_exists());
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	close(ready[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	owner_pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_all_restored();
}

/* A benchmark's forked worker must neither restore nor keep the lock. */
static int child_plain_exit(void *arg)
{
	(void)arg;
	exit(0);
}

static int child_recover(void *arg)
{
	char msg[1024];

	(void)arg;
	return knobs_recover(msg, sizeof(msg)) == 0 &&
	       strstr(msg, "is running") ? 0 : CHILD_SETUP_FAILED;
}

static void test_forked_child_leaves_knobs_alone(void **state)
{
	char err[ERRLEN];
	int status;

	(void)state;
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	status = fork_wait(child_plain_exit, NULL);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_knob(RCU, "1");
	assert_true(journal_exists());
	/* The lock is still ours: another process sees a live owner. */
	status = fork_wait(child_recover, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(knobs_restore(), 0);
	assert_all_restored();
}

static void test_missing_file(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_int_equal(knob_set("/sys/kernel/nope", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read /sys/kernel/nope"));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_false(journal_exists());
}

static void test_bad_input(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_int_equal(knob_set(RCU, "1\n2", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad value"));
	assert_int_equal(knob_set("sys/relative", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must be absolute"));
	put_file(RCU, "0\n1\n");
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "several lines"));
	assert_false(journal_exists());
}

static void test_malformed_journal(void **state)
{
	char msg[1024];

	(void)state;
	put_journal("not a journal\n");
	assert_int_equal(knobs_recover(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "line 1"));
	assert_true(journal_exists());

	put_journal("gupsync-knobs-journal 1 pid=1\n/sys/x 0\n");
	assert_int_equal(knobs_recover(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "line 2"));
	assert_true(journal_exists());
}

static void test_torn_last_line_skipped(void **state)
{
	char msg[1024], line[512];

	(void)state;
	put_file(RCU, "1\n");
	/* The crash hit while the THP line was appended: THP was not changed. */
	snprintf(line, sizeof(line), "gupsync-knobs-journal 1 pid=1\n"
		 "%s%s\t0\n%s%s\talw", root, RCU, root, THP);
	put_journal(line);
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "incomplete"));
	assert_all_restored();
}

static void test_journal_from_environment(void **state)
{
	char err[ERRLEN], other[160];

	(void)state;
	snprintf(other, sizeof(other), "%s/env.journal", root);
	setenv("GUPSYNC_JOURNAL", other, 1);
	assert_int_equal(knobs_init(root, NULL, err, sizeof(err)), 0);
	unsetenv("GUPSYNC_JOURNAL");
	assert_int_equal(knob_set(RCU, "1", err, sizeof(err)), 0);
	assert_int_equal(access(other, F_OK), 0);
	assert_false(journal_exists());
	assert_int_equal(knobs_restore(), 0);
	assert_int_equal(access(other, F_OK), -1);
	assert_knob(RCU, "0");
}

/* A planted line naming a file that is no knob: nothing is written, the
 * journal is refused whole and left for a human to look at. */
static void test_journal_outside_allowlist(void **state)
{
	char msg[1024], line[512], victim[256];
	char *after;

	(void)state;
	fake_path(victim, sizeof(victim), "/etc/victim");
	fake_put(root, "/etc/victim", "precious\n");
	put_file(RCU, "1\n");
	snprintf(line, sizeof(line), "gupsync-knobs-journal 1 pid=1\n"
		 "%s%s\t0\n%s\towned\n", root, RCU, victim);
	put_journal(line);
	assert_int_equal(knobs_recover(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "knobs_allowlist"));
	after = read_whole(victim);
	assert_string_equal(after, "precious\n");
	free(after);
	assert_knob(RCU, "1");
	assert_true(journal_exists());
}

/* An allowlisted knob that is a symlink is not followed. */
static void test_replay_does_not_follow_symlink(void **state)
{
	char msg[1024], line[512], victim[256], knob[256];
	char *after;

	(void)state;
	fake_path(victim, sizeof(victim), "/etc/victim");
	fake_put(root, "/etc/victim", "precious\n");
	fake_path(knob, sizeof(knob), RCU);
	unlink(knob);
	assert_int_equal(symlink(victim, knob), 0);
	snprintf(line, sizeof(line), "gupsync-knobs-journal 1 pid=1\n%s\t0\n",
		 knob);
	put_journal(line);
	assert_int_equal(knobs_recover(msg, sizeof(msg)), -1);
	after = read_whole(victim);
	assert_string_equal(after, "precious\n");
	free(after);
	unlink(knob);
}

/* A journal someone else could have written is not replayed. */
static void test_writable_journal_refused(void **state)
{
	char msg[1024], line[512];

	(void)state;
	put_file(RCU, "1\n");
	snprintf(line, sizeof(line), "gupsync-knobs-journal 1 pid=1\n%s%s\t0\n",
		 root, RCU);
	put_journal(line);
	assert_int_equal(chmod(journal, 0666), 0);
	assert_int_equal(knobs_recover(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "not replayed"));
	assert_knob(RCU, "1");
	assert_int_equal(chmod(journal, 0644), 0);
	assert_int_equal(knobs_recover(msg, sizeof(msg)), 1);
	assert_knob(RCU, "0");
}

/* GUPSYNC_JOURNAL in a world-writable directory is ignored. */
static void test_journal_env_world_writable_ignored(void **state)
{
	char err[ERRLEN], dir[160], other[192];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/shared", root);
	mkdir(dir, 0777);
	assert_int_equal(chmod(dir, 01777), 0);
	snprintf(other, sizeof(other), "%s/env.journal", dir);
	setenv("GUPSYNC_JOURNAL", other, 1);
	assert_int_equal(knobs_init(root, NULL, err, sizeof(err)), 0);
	unsetenv("GUPSYNC_JOURNAL");
	assert_string_equal(knobs_journal_path(err, sizeof(err)),
			    KNOBS_JOURNAL_DEFAULT);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_read_resolves_selector),
		T(test_set_and_restore),
		T(test_same_value_journals_once),
		T(test_restore_is_reverse_order),
		T(test_crash_then_recover),
		T(test_stale_journal_blocks_set),
		T(test_recover_without_journal),
		T(test_signal_restores),
		T(test_exit_restores),
		T(test_sigkill_then_recover),
		T(test_live_owner_left_alone),
		T(test_forked_child_leaves_knobs_alone),
		T(test_missing_file),
		T(test_bad_input),
		T(test_malformed_journal),
		T(test_torn_last_line_skipped),
		T(test_journal_from_environment),
		T(test_journal_outside_allowlist),
		T(test_replay_does_not_follow_symlink),
		T(test_writable_journal_refused),
		T(test_journal_env_world_writable_ignored),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
