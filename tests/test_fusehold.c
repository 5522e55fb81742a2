// SPDX-License-Identifier: GPL-2.0
/*
 * test_fusehold.c - the FUSE server that holds an O_DIRECT read in flight
 * (lib/fusehold.c): the read waits until answered and then carries the
 * answer; a SIGKILL'd holder leaves no mount in the init namespace and
 * its directory goes at the next start.  Needs root and /dev/fuse; skipped
 * without them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fusehold.h"

#define PAGE 4096

struct reader {
	const char *file;
	char *buf;
	ssize_t rc;
	int err;
};

static void *read_main(void *arg)
{
	struct reader *r = arg;
	int fd = open(r->file, O_RDONLY | O_DIRECT);

	r->rc = fd < 0 ? -1 : pread(fd, r->buf, PAGE, 0);
	r->err = errno;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Whether a mount table names path. */
static bool mounted_in(const char *mountinfo, const char *path)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen(mountinfo, "re");

	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, path) != NULL;
	if (f)
		fclose(f);
	return found;
}

static bool can_run(void)
{
	char why[128];

	if (fusehold_available(why, sizeof(why)))
		return true;
	print_message("skipped: %s\n", why);
	return false;
}

/* First (the test process has not unshared yet): a holder killed with a
 * read in flight. */
static void test_sigkill_leaves_nothing(void **state)
{
	char dir[256] = "";
	int pipefd[2], status;
	struct stat st;
	pid_t pid;

	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct reader r;
		struct fusehold *f;
		char err[256];
		pthread_t t;

		signal(SIGKILL, SIG_DFL);
		if (fusehold_start(&f, err, sizeof(err)) < 0)
			_exit(3);
		r.file = fusehold_file(f);
		r.buf = aligned_alloc(PAGE, PAGE);
		pthread_create(&t, NULL, read_main, &r);
		if (fusehold_wait_read(f, 5000) != 1)
			_exit(4);
		dprintf(pipefd[1], "%s\n", fusehold_file(f));
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], dir, sizeof(dir) - 1) > 0);
	close(pipefd[0]);
	*strrchr(dir, '/') = '\0';	/* the mount point */
	assert_false(mounted_in("/proc/1/mountinfo", dir));
	assert_false(mounted_in("/proc/self/mountinfo", dir));
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_false(mounted_in("/proc/1/mountinfo", dir));
	assert_int_equal(stat(dir, &st), 0);	/* left behind ... */
	assert_true(fusehold_cleanup_stale() >= 1);
	assert_int_equal(stat(dir, &st), -1);	/* ... until the next start */
}

static void test_hold_and_answer(void **state)
{
	struct reader r = { 0 };
	struct fusehold *f;
	char err[256], *answer;
	pthread_t t;

	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(fusehold_start(&f, err, sizeof(err)), 0);
	r.file = fusehold_file(f);
	r.buf = aligned_alloc(PAGE, PAGE);
	answer = malloc(PAGE);
	assert_non_null(r.buf);
	memset(r.buf, 0x11, PAGE);
	memset(answer, 0x5a, PAGE);
	assert_int_equal(fusehold_answer(f, answer, PAGE, err, sizeof(err)), -1);
	assert_int_equal(pthread_create(&t, NULL, read_main, &r), 0);
	assert_int_equal(fusehold_wait_read(f, 5000), 1);
	assert_int_equal(fusehold_reads(f), 1);
	usleep(20000);
	assert_int_equal((unsigned char)r.buf[0], 0x11);	/* still in flight */
	assert_int_equal(fusehold_answer(f, answer, PAGE, err, sizeof(err)), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, PAGE);
	assert_memory_equal(r.buf, answer, PAGE);
	/* A read that is never answered ends with EIO at stop. */
	assert_int_equal(pthread_create(&t, NULL, read_main, &r), 0);
	assert_int_equal(fusehold_wait_read(f, 5000), 1);
	fusehold_stop(f);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err, EIO);
	free(r.buf);
	free(answer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_leaves_nothing),
		cmocka_unit_test(test_hold_and_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
