// SPDX-License-Identifier: GPL-2.0
/*
 * plot_gnuplot.c - run gnuplot on the plots/ scripts, one figure at a
 * time; see plot_gnuplot.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_gnuplot.h"
#include "safefile.h"
#include "text.h"

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

/*
 * The scripts: plots/ next to the gupsync executable.  GUPSYNC_PLOTS
 * overrides it, but not for root: a root tool does not take the programs
 * it runs from its environment (sudo -E).  Never ./plots: the current
 * directory may be anyone's.  An absolute path without control
 * characters, as it goes into gnuplot's `load`.
 */
static const char *pl_scripts_dir_set;

void pl_set_scripts_dir(const char *dir)
{
	pl_scripts_dir_set = dir;
}

static int pl_scripts(char *buf, size_t len, char *err, size_t elen)
{
	const char *env = pl_scripts_dir_set ? pl_scripts_dir_set :
			  getenv("GUPSYNC_PLOTS");
	char exe[PATH_MAX], test[PATH_MAX + 32];
	ssize_t n;

	if (env && *env && (pl_scripts_dir_set || geteuid() != 0)) {
		if (!realpath(env, exe))
			return text_err(err, elen, "GUPSYNC_PLOTS=%s: %s", env,
					strerror(errno));
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return text_err(err, elen, "readlink(/proc/self/exe): %s",
					strerror(errno));
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		text_append(exe, sizeof(exe), "/plots");
	}
	snprintf(test, sizeof(test), "%s/common.gp", exe);
	if (access(test, R_OK) < 0)
		return text_err(err, elen, "%s: %s (the plots/ directory next to "
				"the gupsync executable)", test, strerror(errno));
	if (!safefile_name_ok(exe) || exe[0] != '/' ||
	    snprintf(buf, len, "%s", exe) >= (int)len)
		return text_err(err, elen, "plot scripts directory %s: not an "
				"absolute path without control characters", exe);
	return 0;
}

/* gnuplot's absolute path: not found through PATH, which may be anyone's. */
static const char *pl_gnuplot_path(void)
{
	static const char *const where[] = { "/usr/bin/gnuplot",
		"/usr/local/bin/gnuplot", "/bin/gnuplot" };

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/*
 * gnuplot's stdout and stderr go to PL_WORK_LOG in the work directory, not
 * to the user's terminal: its warnings ("empty y range") are noise when it
 * succeeds.  When it fails, the last non-blank line of the log (made
 * printable) joins the error.
 */
static void pl_log_line(int workfd, char *line, size_t len)
{
	char buf[4096];
	ssize_t n = 0;
	int fd = openat(workfd, PL_WORK_LOG, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t e, b, o = 0;

	*line = 0;
	if (fd >= 0) {
		off_t sz = lseek(fd, 0, SEEK_END);

		if (sz > (off_t)sizeof(buf) - 1)
			lseek(fd, sz - (off_t)sizeof(buf) + 1, SEEK_SET);
		else
			lseek(fd, 0, SEEK_SET);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	e = (size_t)n;
	while (e && (buf[e - 1] == '\n' || buf[e - 1] == ' ' || buf[e - 1] == '\r'))
		e--;
	for (b = e; b && buf[b - 1] != '\n'; b--)
		;
	for (; b < e && o + 1 < len; b++)
		line[o++] = (buf[b] >= 0x20 && buf[b] < 0x7f) ? buf[b] : '?';
	line[o] = 0;
}

/*
 * gnuplot in the private work directory (fg->work), on names gupsync made
 * up (PL_WORK_DATA, PL_WORK_OUT): no path from a run directory or the
 * command line reaches it, so "<cmd" and "|cmd" stay names.  -d: no
 * gnuplotrc or ~/.gnuplot; a fixed PATH, HOME the work directory, nothing
 * else from the environment (no GNUPLOT_*, no GNUTERM).
 */
static int pl_gnuplot(struct pl_fig *fg, const char *script, const char *vars)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], all[16384] = "";
	char home[PATH_MAX + 8];
	char *argv[] = { "gnuplot", "-d", "-e", all, path, NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", home, NULL };
	const char *gp = pl_gnuplot_path();
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, st;

	if (pl_scripts(dir, sizeof(dir), fg->err, fg->len) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, script);
	if (access(path, R_OK) < 0)
		return text_err(fg->err, fg->len, "%s: %s", path, strerror(errno));
	if (!gp)
		return text_err(fg->err, fg->len, "gnuplot not found in /usr/bin, "
				"/usr/local/bin or /bin; `make deps` installs "
				"gnuplot-nox");
	snprintf(home, sizeof(home), "HOME=%s", fg->work);
	pl_var(all, sizeof(all), "plotdir", dir);
	pl_var(all, sizeof(all), "datafile", PL_WORK_DATA);
	pl_var(all, sizeof(all), "outbase", PL_WORK_OUT);
	text_append(all, sizeof(all), "%s", vars);
	if ((rc = posix_spawn_file_actions_init(&fa)) ||
	    (rc = posix_spawn_file_actions_addchdir_np(&fa, fg->work)) ||
	    (rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) ||
	    (rc = posix_spawn_file_actions_addopen(&fa, 2, PL_WORK_LOG,
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, 2, 1)) ||
	    (rc = posix_spawn(&pid, gp, &fa, NULL, argv, envp))) {
		posix_spawn_file_actions_destroy(&fa);
		return text_err(fg->err, fg->len, "posix_spawn(%s): %s", gp,
				strerror(rc));
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return text_err(fg->err, fg->len, "waitpid(gnuplot): %s",
					strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char line[256];

		pl_log_line(fg->workfd, line, sizeof(line));
		unlinkat(fg->workfd, PL_WORK_LOG, 0);
		return text_err(fg->err, fg->len, "gnuplot %s failed (status "
				"%d)%s%s", path, st, *line ? ": " : "", line);
	}
	unlinkat(fg->workfd, PL_WORK_LOG, 0);
	return 0;
}

/* Copy the work directory's figure into place as DIR/NAME.png, .svg. */
static int pl_add(struct pl_fig *fg, const char *name)
{
	static const char *const ext[] = { ".png", ".svg" };
	struct plot_files *pf = fg->out;

	for (int i = 0; i < 2; i++) {
		char from[64], to[NAME_MAX + 1], p[PATH_MAX + NAME_MAX + 2], **more;

		snprintf(from, sizeof(from), "%s%s", PL_WORK_OUT, ext[i]);
		snprintf(to, sizeof(to), "%s%s", name, ext[i]);
		if (faccessat(fg->workfd, from, R_OK, 0) < 0)
			return text_err(fg->err, fg->len, "gnuplot wrote no %s", to);
		if (safefile_copy_at(fg->workfd, from, fg->outfd, to, fg->err,
				     fg->len) < 0)
			return -1;
		unlinkat(fg->workfd, from, 0);
		if (pf->n == pf->cap) {
			pf->cap = pf->cap ? 2 * pf->cap : 64;
			more = realloc(pf->path, pf->cap * sizeof(*more));
			if (!more)
				return text_err(fg->err, fg->len, "out of memory");
			pf->path = more;
		}
		snprintf(p, sizeof(p), "%s/%s", fg->dir, to);
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

/* Render one figure from its data file (written before, see pl_data):
 * the data file goes to DIR/data/NAME.dat, the figure to DIR/NAME.*. */
int pl_render(struct pl_fig *fg, const char *script, const char *name,
	      const struct pl_curves *cv, const char *t1,
	      const char *xlabel, const char *ylabel)
{
	char vars[12288] = "", yfmt[16], file[PL_NAME_MAX + 1];
	char dat[PL_NAME_MAX + 8], title[640];
	double xrange = cv->xmax > cv->xmin ? cv->xmax - cv->xmin : 0.0;
	/* A constant series (every median and CI bound the same, e.g. 0
	 * IPIs): a flat line in a range of our own, said in the title, not
	 * gnuplot's "empty y range" guess. */
	bool flat = isfinite(cv->ymin) && cv->ymin == cv->ymax;
	double pad = !flat ? 0 : cv->ymin ? fabs(cv->ymin) * 0.1 : 1.0;
	double ylo = flat && cv->ymin >= 0 && cv->ymin - pad < 0 ? 0 : cv->ymin - pad;

	/* The name comes from metric names and parameter values of the
	 * run directories: a file name of safe characters only. */
	safefile_component(file, sizeof(file), name);
	snprintf(dat, sizeof(dat), "%s.dat", file);
	if (safefile_copy_at(fg->workfd, PL_WORK_DATA, fg->datafd, dat, fg->err,
			     fg->len) < 0)
		return -1;
	if (!cv->n)
		return 0;
	snprintf(title, sizeof(title), "%s%s", t1, flat ? " - flat: every "
		 "value the same" : "");
	pl_var(vars, sizeof(vars), "t1", title);
	text_append(vars, sizeof(vars), "yflat=%d; ylo=%.17g; yhi=%.17g;", flat,
		    flat ? ylo : 0.0, flat ? cv->ymax + pad : 0.0);
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
	if (pl_gnuplot(fg, script, vars) < 0)
		return -1;
	return pl_add(fg, file);
}
