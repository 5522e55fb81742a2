/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testutil.h - small helpers the cmocka tests share: a double-precision
 * assert_near() (cmocka 1.1.5's assert_float_equal compares in float) and
 * temporary directories made with mkdtemp and removed whole.
 * Include after <cmocka.h>.
 */
#ifndef GUPSYNC_TESTUTIL_H
#define GUPSYNC_TESTUTIL_H

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Fill tmpl ("/tmp/NAME.XXXXXX") with a new directory; 0 or -1. */
static inline int make_tmpdir(char *tmpl)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

#endif
