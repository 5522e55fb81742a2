// SPDX-License-Identifier: GPL-2.0
/* variants_load.c - the runs of a variants report; see variants_load.h. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "options.h"
#include "text.h"
#include "variants_load.h"
#include "variants_text.h"

_Static_assert(VARIANT_IPI == VT_IPI + 1 && VARIANT_K_RCU == VT_KRCU + 1,
	       "vt_src follows enum bench_variant");

const char *vt_bench(enum vt_src s)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	for (size_t i = 0; i < n; i++)
		if (all[i]->variant == (enum bench_variant)(s + 1))
			return all[i]->name;
	return "?";
}

const char *vt_bench_list(char *buf, size_t len, const char *last)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int s = 0; s < VT_NSRC && o < len; s++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
				      !s ? "" : s + 1 < VT_NSRC ? ", " : last,
				      vt_bench((enum vt_src)s));
	return buf;
}

/* ---- the points of a row ---------------------------------------------- */

const char *vt_want(const struct vt *v, const struct rundir *rd, size_t k,
		    unsigned n, const char *nstr)
{
	const char *name = rd->summary.head[k];

	if (!strcmp(name, "bg-threads"))
		return nstr;
	if (!strcmp(name, "cmd"))
		return v->sel->cmd;
	/* With no busy CPU there is no victim or load: any point will do. */
	if (!strcmp(name, "victim"))
		return n ? v->sel->victim : NULL;
	if (!strcmp(name, "load"))
		return n ? v->sel->load : NULL;
	/* Every other parameter as in the run's first point. */
	return rd->summary.nrows ? csv_get(&rd->summary, 0, k) : NULL;
}

bool vt_row_is(const struct vt *v, const struct rundir *rd, size_t r,
	       unsigned n)
{
	char nstr[16];

	snprintf(nstr, sizeof(nstr), "%u", n);
	for (size_t k = 0; k < rd->nparams; k++) {
		const char *w = vt_want(v, rd, k, n, nstr);

		if (w && strcmp(csv_get(&rd->summary, r, k), w))
			return false;
	}
	return true;
}

const json_t *vt_meta_point(const struct vt *v, const struct rundir *rd,
			    unsigned n)
{
	const json_t *pts = json_object_get(rd->meta, "points"), *p;
	char nstr[16];
	size_t i;

	snprintf(nstr, sizeof(nstr), "%u", n);
	json_array_foreach(pts, i, p) {
		const json_t *params = json_object_get(p, "params");
		bool match = true;

		for (size_t k = 0; k < rd->nparams && match; k++) {
			const char *w = vt_want(v, rd, k, n, nstr);
			const char *s = json_string_value(
				json_object_get(params, rd->summary.head[k]));

			match = !w || (s && !strcmp(s, w));
		}
		if (match)
			return p;
	}
	return NULL;
}

/* ---- rows ------------------------------------------------------------- */

static int vt_cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void vt_add_row(struct vt *v, const char *s)
{
	char *end;
	unsigned long n = strtoul(s ? s : "", &end, 10);

	if (!s || !*s || *end || v->nrows == VT_MAX_ROWS)
		return;
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i] == n)
			return;
	v->rows[v->nrows++] = (unsigned)n;
}

/* Rows: every --bg-threads value of the runs, measured or not. */
static void vt_rows(struct vt *v)
{
	for (size_t i = 0; i < v->nruns; i++) {
		const struct rundir *rd = &v->runs[i];
		int c = rundir_param(rd, "bg-threads");
		const json_t *p;
		size_t k;

		for (size_t r = 0; c >= 0 && r < rd->summary.nrows; r++)
			vt_add_row(v, csv_get(&rd->summary, r, (size_t)c));
		json_array_foreach(json_object_get(rd->meta, "points"), k, p)
			vt_add_row(v, json_string_value(json_object_get(
				json_object_get(p, "params"), "bg-threads")));
	}
	qsort(v->rows, v->nrows, sizeof(v->rows[0]), vt_cmp_unsigned);
}

/* ---- loading ---------------------------------------------------------- */

/* lenient: path came from a directory of runs, where a run of another
 * benchmark is left out (said on stderr), not an error. */
static int vt_load_one(struct vt *v, const char *path, bool lenient, char *err,
		       size_t len)
{
	struct rundir *rd = &v->runs[v->nruns];
	char why[VT_TEXT], names[256];
	const char *b;
	int s = 0;

	if (v->nruns == VT_MAX_RUNS)
		return text_err(err, len, "more than %d run directories",
				VT_MAX_RUNS);
	if (rundir_load(path, rd, why, sizeof(why)) < 0)
		return text_err(err, len, "%s is not a run directory (%s); give "
				"runs of %s", path, why,
				vt_bench_list(names, sizeof(names), " or "));
	b = rundir_bench(rd);
	while (s < VT_NSRC && strcmp(b, vt_bench((enum vt_src)s)))
		s++;
	if (s == VT_NSRC) {
		char e[RUNDIR_PATH_MAX];

		if (lenient)
			fprintf(stderr, "gupsync variants: %s: a run of %s, not of a "
				"variant: left out\n",
				text_escape(e, sizeof(e), path), b);
		else
			text_fmt(err, len, "%s is a run of %s; allowed: runs of "
				 "%s", path, b, vt_bench_list(names, sizeof(names), ", "));
		rundir_free(rd);
		return lenient ? 0 : -1;
	}
	v->src[v->nruns++] = (enum vt_src)s;
	v->nsrc[s]++;
	return 0;
}

static int vt_has_meta(const char *dir, const char *name)
{
	char p[RUNDIR_PATH_MAX + 16];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s%smeta.json", dir, name, *name ? "/" : "");
	return stat(p, &st) == 0;
}

static int vt_skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A run directory, or a directory holding runs (what the run mode
 * leaves): load them. */
static int vt_load(struct vt *v, const char *path, char *err, size_t len)
{
	struct dirent **ents;
	int n, found = 0, rc = 0;

	if (vt_has_meta(path, ""))
		return vt_load_one(v, path, false, err, len);
	n = scandir(path, &ents, vt_skip_dots, alphasort);
	for (int i = 0; i < n; i++) {
		char sub[RUNDIR_PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
		if (!rc && vt_has_meta(path, ents[i]->d_name)) {
			found++;
			rc = vt_load_one(v, sub, true, err, len);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return rc < 0 || found ? rc : vt_load_one(v, path, false, err, len);
}

void vt_free(struct vt *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nruns; i++)
		rundir_free(&v->runs[i]);
	free(v);
}

int vt_open(struct vt **out, char *const *dirs, size_t ndirs,
	    const struct variants_sel *sel, char *err, size_t len)
{
	struct vt *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v) {
		text_fmt(err, len, "out of memory");
		return 1;
	}
	v->sel = sel;
	for (size_t i = 0; i < ndirs; i++)
		if (vt_load(v, dirs[i], err, len) < 0) {
			vt_free(v);
			return EXIT_USAGE;
		}
	if (!v->nruns) {
		text_fmt(err, len, "no run directory given");
		vt_free(v);
		return EXIT_USAGE;
	}
	vt_rows(v);
	*out = v;
	return 0;
}
