/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testutil.h - small helpers the cmocka tests share: a double-precision
 * assert_near() (cmocka 1.1.5's assert_float_equal compares in float) and
 * temporary directories made with mkdtemp and removed whole.
 * Include after <cmocka.h>.
 */
#ifndef GUPSYNC_TESTUTIL_H
#define GUPSYNC_TESTUTIL_H

#include <errno.h>
#include <signal.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TESTUTIL_NFTW_FDS 16

#define assert_near(a, b, eps) \
	testutil_assert_near((a), (b), (eps), __FILE__, __LINE__)

static inline void testutil_assert_near(double a, double b, double eps,
					const char *file, int line)
{
	if (fabs(a - b) <= eps)
		return;
	fprintf(stderr, "%.17g != %.17g (eps %g)\n", a, b, eps);
	_fail(file, line);
}

static inline int testutil_rm_entry(const char *path, const struct stat *st,
				    int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove a directory tree (depth first); 0 or -1. */
static inline int rm_tree(const char *dir)
{
	return nftw(dir, testutil_rm_entry, TESTUTIL_NFTW_FDS,
		    FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p of the directory holding path; 0 or -1. */
static inline int make_parents(const char *path)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* A fake sysfs/proc file: root + path holds exactly content (made anew,
 * parents too).  Fails the test on error. */
static inline void fake_put(const char *root, const char *path,
			    const char *content)
{
	char full[4096];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	assert_int_equal(make_parents(full), 0);
	unlink(full);
	f = fopen(full, "w");
	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The whole file at path, malloc'd and NUL-terminated; NULL if it
 * cannot be opened. */
static inline char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r"), *m;
	char *buf = NULL;
	size_t len = 0;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* dir/name holds exactly text afterwards.  Fails the test on error. */
static inline void write_whole(const char *dir, const char *name,
			       const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Run fn(arg) in a child process; returns its wait status. */
/*
 * Give the signals a test sends their default disposition, unblocked.  A
 * test may be started with some of them ignored: a non-interactive shell
 * starts background jobs with SIGINT and SIGQUIT ignored, nohup ignores
 * SIGHUP, and an ignored signal stays ignored across fork and exec.  Every
 * child that is to be signalled calls this first.
 */
static inline void default_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		signal(sigs[i], SIG_DFL);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Run fn(arg) in a child with default signal dispositions; its status. */
static inline int fork_wait(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);	/* or the child's exit() repeats buffered TAP lines */
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		default_signals();
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* Fill tmpl ("/tmp/NAME.XXXXXX") with a new directory; 0 or -1. */
static inline int make_tmpdir(char *tmpl)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

#endif
