// SPDX-License-Identifier: GPL-2.0
/*
 * plot_gnuplot.c - run gnuplot on the plots/ scripts, one figure at a
 * time; see plot_gnuplot.h.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_gnuplot.h"
#include "text.h"

extern char **environ;

#define PL_DODGE 0.012		/* x shift between curves, of the x range */
#define PL_XTICS 8		/* about this many x tics, whole CPUs */
#define PL_YTICS 5		/* and about this many y tics */
#define PL_SINGLE_X 0.8		/* share of the x range curves spread over
				 * when all points have one CPU count */

/* name='value'; with ' doubled (gnuplot's single-quoted strings). */
static void pl_var(char *buf, size_t len, const char *name, const char *val)
{
	size_t off;

	text_append(buf, len, "%s='", name);
	for (off = strlen(buf); *val && off + 3 < len; val++) {
		if (*val == '\'')
			buf[off++] = '\'';
		buf[off++] = *val;
	}
	buf[off] = '\0';
	text_append(buf, len, "'; ");
}

/* name='1 2 3'; one word per curve. */
static void pl_words(char *buf, size_t len, const char *name, const int *v,
		     int n)
{
	char w[4 * PL_MAX_CURVES + 1] = "";

	for (int i = 0; i < n; i++)
		text_append(w, sizeof(w), "%s%d", i ? " " : "", v[i]);
	pl_var(buf, len, name, w);
}

static void pl_scripts(char *buf, size_t len)
{
	const char *env = getenv("GUPSYNC_PLOTS");
	char exe[PATH_MAX], test[PATH_MAX + 32];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(test, sizeof(test), "%s/plots/common.gp", exe);
		/* A truncated path would not be the directory: fall back. */
		if (access(test, R_OK) == 0 &&
		    snprintf(buf, len, "%s/plots", exe) < (int)len)
			return;
	}
	snprintf(buf, len, "plots");
}

static int pl_gnuplot(struct pl_fig *fg, const char *script, const char *vars,
		      const char *outbase)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], all[16384] = "";
	char *argv[] = { "gnuplot", "-e", all, path, NULL };
	pid_t pid;
	int rc, st;

	pl_scripts(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, script);
	if (access(path, R_OK) < 0) {
		snprintf(fg->err, fg->len, "%s: %s (set GUPSYNC_PLOTS to the "
			 "plots/ directory)", path, strerror(errno));
		return -1;
	}
	pl_var(all, sizeof(all), "plotdir", dir);
	pl_var(all, sizeof(all), "outbase", outbase);
	text_append(all, sizeof(all), "%s", vars);
	rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc) {
		snprintf(fg->err, fg->len, "posix_spawnp(gnuplot): %s; `make deps` "
			 "installs gnuplot-nox", strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(fg->err, fg->len, "waitpid(gnuplot): %s",
				 strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(fg->err, fg->len, "gnuplot %s for %s failed (status %d)",
			 path, outbase, st);
		return -1;
	}
	return 0;
}

static int pl_add(struct pl_fig *fg, const char *outbase)
{
	static const char *const ext[] = { ".png", ".svg" };
	struct plot_files *pf = fg->out;

	for (int i = 0; i < 2; i++) {
		char p[PATH_MAX], **more;

		snprintf(p, sizeof(p), "%s%s", outbase, ext[i]);
		if (access(p, R_OK) < 0)
			return text_err(fg->err, fg->len, "gnuplot wrote no %s", p);
		if (pf->n == pf->cap) {
			pf->cap = pf->cap ? 2 * pf->cap : 64;
			more = realloc(pf->path, pf->cap * sizeof(*more));
			if (!more)
				return text_err(fg->err, fg->len, "out of memory");
			pf->path = more;
		}
		if (!(pf->path[pf->n] = strdup(p)))
			return text_err(fg->err, fg->len, "out of memory");
		pf->n++;
	}
	return 0;
}

/*
 * The y tic format: from 1000 up an SI prefix (3.12M), below it plain,
 * with as many decimals as tics about a fifth of the range apart need, so
 * that 3.12M and 3.13M do not both read 3.1M; %g when all is below 1.
 */
static void pl_yfmt(const struct pl_curves *cv, char *buf, size_t len)
{
	double a = fmax(fabs(cv->ymin), fabs(cv->ymax));
	double unit = a >= 1000 ? pow(1000, floor(log10(a) / 3)) : 1;
	double step = (cv->ymax - cv->ymin) / unit / PL_YTICS;
	int dec = step > 0 ? (int)ceil(-log10(step)) : 1;

	dec = dec < 0 ? 0 : dec > 4 ? 4 : dec;
	if (!(a >= 1))
		snprintf(buf, len, "%%g");
	else
		snprintf(buf, len, a >= 1000 ? "%%.%ds%%c" : "%%.%df", dec);
}

/* Render one figure from its data file (written before, see pl_data). */
int pl_render(struct pl_fig *fg, const char *script, const char *name,
	      const struct pl_curves *cv, const char *t1,
	      const char *xlabel, const char *ylabel)
{
	char vars[12288] = "", outbase[PATH_MAX], data[PATH_MAX + 16], yfmt[16];
	double xrange = cv->xmax > cv->xmin ? cv->xmax - cv->xmin : 0.0;

	if (!cv->n)
		return 0;
	snprintf(outbase, sizeof(outbase), "%s/%s", fg->dir, name);
	snprintf(data, sizeof(data), "%s/data/%s.dat", fg->dir, name);
	pl_var(vars, sizeof(vars), "datafile", data);
	pl_var(vars, sizeof(vars), "t1", t1);
	pl_var(vars, sizeof(vars), "t2", fg->t2);
	pl_var(vars, sizeof(vars), "t3", fg->t3);
	pl_var(vars, sizeof(vars), "xlabel", xlabel);
	pl_var(vars, sizeof(vars), "ylabel", ylabel);
	pl_yfmt(cv, yfmt, sizeof(yfmt));
	pl_var(vars, sizeof(vars), "yfmt", yfmt);
	pl_words(vars, sizeof(vars), "lcs", cv->lc, cv->n);
	pl_words(vars, sizeof(vars), "pts", cv->pt, cv->n);
	pl_words(vars, sizeof(vars), "dts", cv->dt, cv->n);
	/* One CPU count only: the curves side by side across a unit range. */
	text_append(vars, sizeof(vars), "nblocks=%d; dodge=%g; xstep=%g; "
		    "xmin=%g; xmax=%g;", cv->n, xrange > 0 ? PL_DODGE * xrange :
		    PL_SINGLE_X / cv->n, fmax(1.0, ceil(xrange / PL_XTICS)),
		    cv->xmin, cv->xmax);
	if (pl_gnuplot(fg, script, vars, outbase) < 0)
		return -1;
	return pl_add(fg, outbase);
}
