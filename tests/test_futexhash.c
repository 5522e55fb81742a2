// SPDX-License-Identifier: GPL-2.0
/*
 * test_futexhash.c - lib/futexhash.c: the phrases recorded for each
 * PR_FUTEX_HASH answer, and (in a forked child, so this process keeps its
 * own hash) that --futex-hash global leaves a multi-threaded process on
 * the global hash and that the switch is reported as one-way.  Changes
 * only the child's own futex hash: no machine state.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "futexhash.h"

#define CHILD_SKIP 4		/* the kernel has no PR_FUTEX_HASH */

static void test_describe(void **state)
{
	char buf[160];

	(void)state;
	assert_int_equal(futex_hash_describe(-1, EINVAL, 0, buf, sizeof(buf)), -1);
	assert_non_null(strstr(buf, "pre-6.16"));
	assert_int_equal(futex_hash_describe(-1, EPERM, 0, buf, sizeof(buf)), -1);
	assert_non_null(strstr(buf, "GET_SLOTS"));
	assert_int_equal(futex_hash_describe(0, 0, 1, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "global (prctl"));
	assert_int_equal(futex_hash_describe(0, 0, 0, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "one thread"));
	assert_int_equal(futex_hash_describe(16, 0, 0, buf, sizeof(buf)), 16);
	assert_string_equal(buf, "process-private, 16 slots");
}

static void *idle_thread(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/* In the child: global before the thread, still global after it. */
static int child_global(void *arg)
{
	char buf[160];
	pthread_t t;

	(void)arg;
	if (futex_hash_apply(FUTEX_HASH_GLOBAL, buf, sizeof(buf)) < 0)
		return 1;
	if (strstr(buf, "pre-6.16"))
		return CHILD_SKIP;
	if (pthread_create(&t, NULL, idle_thread, NULL))
		return 2;
	if (futex_hash_now(buf, sizeof(buf)) != 0)
		return 3;
	/* One-way: asking for the process hash now says it cannot be. */
	if (futex_hash_apply(FUTEX_HASH_PROCESS, buf, sizeof(buf)) < 0 ||
	    !strstr(buf, "one-way"))
		return 5;
	return 0;
}

/* In the child: the kernel's default gives a thread a private hash. */
static int child_process(void *arg)
{
	char buf[160];
	pthread_t t;

	(void)arg;
	if (futex_hash_apply(FUTEX_HASH_PROCESS, buf, sizeof(buf)) < 0)
		return 1;
	if (strstr(buf, "pre-6.16"))
		return CHILD_SKIP;
	if (pthread_create(&t, NULL, idle_thread, NULL))
		return 2;
	return futex_hash_now(buf, sizeof(buf)) > 0 &&
	       strstr(buf, "process-private") ? 0 : 3;
}

static void run_child(int (*fn)(void *))
{
	int status = fork_wait(fn, NULL);

	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == CHILD_SKIP)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_global(void **state)
{
	(void)state;
	run_child(child_global);
}

static void test_process(void **state)
{
	(void)state;
	run_child(child_process);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_global),
		cmocka_unit_test(test_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
