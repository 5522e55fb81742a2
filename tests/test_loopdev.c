// SPDX-License-Identifier: GPL-2.0
/*
 * test_loopdev.c - the loop device of race/odirect (lib/loopdev.c): its
 * blocks carry their patterns through O_DIRECT reads; it is gone when
 * closed and when its holder is SIGKILL'd (autoclear: nothing to restore);
 * and a short race/odirect run gives consistent counts.  Needs root and
 * /dev/loop-control; skipped without them.  No timing is asserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "check.h"
#include "loopdev.h"
#include "race.h"

static bool can_run(void)
{
	char why[160];

	if (geteuid() == 0 && loopdev_available(why, sizeof(why)))
		return true;
	print_message("skipped: %s\n", geteuid() ? "needs root" : why);
	return false;
}

/* Whether /dev/loopN still has a backing file (attached). */
static bool attached(int num)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/block/loop%d/loop/backing_file", num);
	return access(path, F_OK) == 0;
}

/* Detaching may be deferred a little after the last close. */
static bool detached_soon(int num)
{
	for (int i = 0; i < 200 && attached(num); i++)
		usleep(10000);
	return !attached(num);
}

static void test_blocks_and_close(void **state)
{
	struct loopdev l;
	uint64_t *buf;
	char err[256];

	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(loopdev_open(&l, 8, 0x1234, err, sizeof(err)), 0);
	assert_true(attached(l.num));
	buf = aligned_alloc(LOOPDEV_BLOCK, LOOPDEV_BLOCK);
	assert_int_equal(pread(l.fd, buf, LOOPDEV_BLOCK, 3 * LOOPDEV_BLOCK),
			 LOOPDEV_BLOCK);
	for (size_t w = 0; w < LOOPDEV_BLOCK / sizeof(*buf); w++)
		assert_true(buf[w] == loopdev_word(0x1234, 3));
	assert_true(loopdev_word(0x1234, 3) != loopdev_word(0x1234, 4));
	loopdev_close(&l);
	assert_true(detached_soon(l.num));
	free(buf);
}

static void test_sigkill_detaches(void **state)
{
	int pipefd[2], num = -1, status;
	pid_t pid;

	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct loopdev l;
		char err[256];

		if (loopdev_open(&l, 4, 1, err, sizeof(err)) < 0)
			_exit(3);
		if (write(pipefd[1], &l.num, sizeof(l.num)) != sizeof(l.num))
			_exit(4);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &num, sizeof(num)), sizeof(num));
	close(pipefd[0]);
	assert_true(attached(num));
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_true(detached_soon(num));
}

/* A short race: counts that fit together, no violation. */
static void test_race_counts(void **state)
{
	struct check_result r;

	(void)state;
	if (!can_run())
		skip();
	check_race_odirect(200000000ull, &r);
	assert_string_equal(r.path, "race/odirect");
	if (r.verdict == CHECK_SKIPPED && !r.cycles) {
		print_message("skipped: %s\n", r.detail);
		skip();
	}
	assert_true(r.verdict == CHECK_PROTECTED || r.verdict == CHECK_SKIPPED);
	assert_int_equal(r.violations, 0);
	assert_true(r.races <= r.cycles);	/* spanned <= completed */
	assert_true(r.replaced <= r.attempts);
	assert_non_null(strstr(r.detail, "O_DIRECT reads"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_and_close),
		cmocka_unit_test(test_sigkill_detaches),
		cmocka_unit_test(test_race_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
