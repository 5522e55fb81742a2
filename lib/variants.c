// SPDX-License-Identifier: GPL-2.0
/* variants.c - the IPI and the RCU variant side by side; see variants.h. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"
#include "placement.h"
#include "results.h"
#include "run.h"
#include "rundir.h"
#include "variants.h"

#define VT_MAX_RUNS 64
#define VT_MAX_ROWS 512		/* distinct --bg-threads values */
#define VT_MAX_NOTES 48
#define VT_MAX_COLS 8
#define VT_NUM_WIDTH 5		/* "14.9k", "-3.19": 3 significant digits */
#define VT_CI_WIDTH (3 * VT_NUM_WIDTH + 4)	/* "median [lo,hi]" */
#define VT_KEY_WIDTH 2		/* the row key, n */
#define VT_HANG 4		/* indent of a wrapped commentary line */
#define VT_TEXT 1024
#define NS_PER_US 1e-3

enum vt_src { VT_IPI, VT_RCU, VT_KIPI, VT_KRCU, VT_NSRC };

static const char *const vt_bench[VT_NSRC] = {
	"ipi-broadcast", "rcu-wait", "k-ipi", "k-rcu",
};

/* A column: where its number comes from in summary.csv, and its place. */
struct vt_col {
	const char *head;
	enum vt_src src;
	const char *metric;
	double scale;		/* to the unit shown */
	bool ci;		/* "median [lo,hi]" */
	bool busy_only;		/* meaningless with no busy other CPU */
	const char *top, *sub;	/* group labels starting at this column */
};

static const struct vt_col vt_user[] = {
	{ "ipi_us [95% CI]", VT_IPI, "op_p50_ns", NS_PER_US, true, false,
	  "IPI variant (membarrier)", "replacer" },
	{ "ipis", VT_IPI, "ipis_per_op", 1, false, false, NULL, "other CPUs" },
	{ "slow%", VT_IPI, "victim_slowdown_pct", 1, false, true, NULL, NULL },
	{ "sync", VT_RCU, "sync_rcu_us", 1, false, false,
	  "RCU variant (synchronize_rcu)", "replacer" },
	{ "exp_us [95% CI]", VT_RCU, "sync_rcu_exp_us", 1, true, false,
	  NULL, NULL },
	{ "ipis", VT_RCU, "exp_ipis_per_call", 1, false, false, NULL,
	  "other CPUs" },
	{ "loss%", VT_RCU, "exp_bg_loss_pct", 1, false, true, NULL, NULL },
};

static const struct vt_col vt_kernel[] = {
	{ "kipi_us [95% CI]", VT_KIPI, "all_ipi_ns", NS_PER_US, true, false,
	  "in-kernel IPI (k-ipi)", "replacer" },
	{ "tgts", VT_KIPI, "all_targets", 1, false, false, NULL, "others" },
	{ "ksync", VT_KRCU, "sync_rcu_ns", NS_PER_US, false, false,
	  "in-kernel RCU (k-rcu)", "replacer" },
	{ "kexp_us [95% CI]", VT_KRCU, "sync_rcu_exp_ns", NS_PER_US, true,
	  false, NULL, NULL },
};

#define VT_NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* A footnote, with the rows it applies to. */
struct vt_note {
	char mark;		/* '-' for a "--" cell, '!' for a doubt */
	char what[48];
	char why[512];
	unsigned ns[16];
	size_t nn;
	bool all_rows;
};

struct vt {
	const struct variants_sel *sel;
	struct rundir runs[VT_MAX_RUNS];
	enum vt_src src[VT_MAX_RUNS];
	size_t nruns, nsrc[VT_NSRC];
	unsigned rows[VT_MAX_ROWS];
	size_t nrows;
	struct vt_note notes[VT_MAX_NOTES];
	size_t nnotes;
};

/* ---- plain text -------------------------------------------------------- */

/* v in at most VT_NUM_WIDTH characters, about 3 significant digits: "0.50",
 * "58.2", "501", "14.9k", "-3.19"; "--" when missing. */
static void vt_num(double v, char *buf, size_t len)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T", "P" };

	if (isnan(v)) {
		snprintf(buf, len, "--");
		return;
	}
	for (size_t s = 0; s < VT_NCOLS(sfx); s++) {
		double x = v / pow(1e3, (double)s), a = fabs(x);
		int prec = a < 1 ? 2 : 2 - (int)floor(log10(a));

		if (prec < 0 && s + 1 < VT_NCOLS(sfx))
			continue;	/* four integer digits: next suffix */
		for (prec = prec < 0 ? 0 : prec; prec >= 0; prec--)
			if (snprintf(buf, len, "%.*f%s", prec, x, sfx[s]) <=
			    VT_NUM_WIDTH) {
				/* "-0.00" is zero */
				if (buf[0] == '-' && !strpbrk(buf, "123456789"))
					memmove(buf, buf + 1, strlen(buf));
				return;
			}
	}
	snprintf(buf, len, v < 0 ? "-huge" : "huge");
}

static void vt_trim_print(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(f, "%s\n", line);
}

/*
 * text as commentary lines of at most VARIANTS_WIDTH columns: "# " first,
 * then "# " and 'hang' spaces; a word longer than a line is cut.  Tabs
 * and newlines become spaces.
 */
__attribute__((format(printf, 3, 4)))
static void vt_say(FILE *f, int hang, const char *fmt, ...)
{
	char text[VT_TEXT], line[VARIANTS_WIDTH + 1];
	const char *p = text;
	va_list ap;
	int lead = 2;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (char *q = text; *q; q++)
		if (*q == '\t' || *q == '\n')
			*q = ' ';
	for (;;) {
		int room = VARIANTS_WIDTH - lead, n = (int)strlen(p);

		if (n > room) {	/* break at the last space that fits */
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			n = n ? n : room;
		}
		snprintf(line, sizeof(line), "#%*s%.*s", lead - 1, "", n, p);
		vt_trim_print(f, line);
		p += n + strspn(p + n, " ");	/* the first line keeps its indent */
		if (!*p)
			return;
		lead = 2 + hang;
	}
}

/* ---- footnotes -------------------------------------------------------- */

/* Add row n (or every row: n < 0) to the note (mark, what, why). */
__attribute__((format(printf, 5, 6)))
static void vt_note(struct vt *v, char mark, const char *what, long n,
		    const char *fmt, ...)
{
	struct vt_note *t = NULL, tmp = { .mark = mark };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp.why, sizeof(tmp.why), fmt, ap);
	va_end(ap);
	snprintf(tmp.what, sizeof(tmp.what), "%s", what);
	for (size_t i = 0; i < v->nnotes && !t; i++)
		if (v->notes[i].mark == mark && !strcmp(v->notes[i].what, what) &&
		    !strcmp(v->notes[i].why, tmp.why))
			t = &v->notes[i];
	if (!t) {
		if (v->nnotes == VT_MAX_NOTES)
			return;		/* the first ones say enough */
		t = &v->notes[v->nnotes++];
		*t = tmp;
	}
	if (n < 0) {
		t->all_rows = true;
		return;
	}
	for (size_t i = 0; i < t->nn; i++)
		if (t->ns[i] == (unsigned)n)
			return;
	if (t->nn < VT_NCOLS(t->ns))
		t->ns[t->nn++] = (unsigned)n;
}

static void vt_print_notes(FILE *f, const struct vt *v)
{
	for (size_t i = 0; i < v->nnotes; i++) {
		const struct vt_note *t = &v->notes[i];
		char ns[128] = "";
		size_t o = 0;

		for (size_t k = 0; !t->all_rows && k < t->nn && o < sizeof(ns); k++)
			o += snprintf(ns + o, sizeof(ns) - o, "%s%u",
				      k ? "," : " (n=", t->ns[k]);
		if (o && o < sizeof(ns))
			snprintf(ns + o, sizeof(ns) - o, ")");
		vt_say(f, VT_HANG, "%s %s%s: %s", t->mark == '-' ? "--" : "!!",
		       t->what, ns, t->why);
	}
}

/* ---- finding a cell's point ------------------------------------------- */

/* What parameter k of rd must be for row n; NULL: anything. */
static const char *vt_want(const struct vt *v, const struct rundir *rd,
			   size_t k, unsigned n, const char *nstr)
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

static bool vt_row_is(const struct vt *v, const struct rundir *rd, size_t r,
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

/* The meta.json point of row n, NULL if none. */
static const json_t *vt_meta_point(const struct vt *v, const struct rundir *rd,
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

static const char *vt_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "?";
}

/* The selection that applies to src, for notes: ", load=spin". */
static void vt_sel_desc(const struct vt *v, enum vt_src src, unsigned n,
			char *buf, size_t len)
{
	buf[0] = '\0';
	if (src == VT_IPI)
		snprintf(buf, len, ", cmd=%s%s%s", v->sel->cmd,
			 n ? ", victim=" : "", n ? v->sel->victim : "");
	else if (src == VT_RCU && n)
		snprintf(buf, len, ", load=%s", v->sel->load);
}

/* No run of src has row n: say why (skipped, failed or never asked). */
static void vt_point_missing(struct vt *v, enum vt_src src, unsigned n)
{
	char sel[128];

	for (size_t i = 0; i < v->nruns; i++) {
		const json_t *p = v->src[i] == src ?
				  vt_meta_point(v, &v->runs[i], n) : NULL;

		if (p) {
			vt_note(v, '-', vt_bench[src], n, "point %s: %s",
				vt_jstr(p, "status"), vt_jstr(p, "reason"));
			return;
		}
	}
	vt_sel_desc(v, src, n, sel, sizeof(sel));
	vt_note(v, '-', vt_bench[src], n, "no point with bg-threads=n%s", sel);
}

/* A point whose proof failed, or that warned, still has numbers: say so. */
static void vt_doubts(struct vt *v, const struct rundir *rd, enum vt_src src,
		      unsigned n)
{
	const json_t *p = vt_meta_point(v, rd, n), *note;
	const char *key;

	if (p && json_is_false(json_object_get(p, "proven")))
		vt_note(v, '!', vt_bench[src], n, "unproven (%s): %s",
			rundir_name(rd), vt_jstr(p, "proof"));
	json_object_foreach((json_t *)json_object_get(p, "notes"), key, note) {
		const char *s = json_string_value(note);

		if (s && !strncmp(s, "WARNING", strlen("WARNING")))
			vt_note(v, '!', vt_bench[src], n, "%s: %s", key, s);
	}
}

/* Median, CI low and high of column c at row n, NaN where missing (and a
 * note saying why). */
static void vt_lookup(struct vt *v, const struct vt_col *c, unsigned n,
		      double out[3])
{
	const struct rundir *seen = NULL;
	char what[64];

	out[0] = out[1] = out[2] = NAN;
	/* "rcu-wait ipis": the column, as two have the same name */
	snprintf(what, sizeof(what), "%s %.*s", vt_bench[c->src],
		 (int)strcspn(c->head, " "), c->head);
	if (!v->nsrc[c->src]) {
		vt_note(v, '-', vt_bench[c->src], -1, "no run of it given");
		return;
	}
	for (size_t i = 0; i < v->nruns; i++) {
		const struct rundir *rd = &v->runs[i];
		const struct csv *s = &rd->summary;
		int mc[3] = { csv_col(s, "median"), csv_col(s, "ci_lo"),
			      csv_col(s, "ci_hi") };

		for (size_t r = 0; v->src[i] == c->src && r < s->nrows; r++) {
			if (!vt_row_is(v, rd, r, n))
				continue;
			seen = seen ? seen : rd;
			if (strcmp(csv_get(s, r, rd->nparams), c->metric))
				continue;
			for (int k = 0; k < 3; k++)
				out[k] = mc[k] < 0 ? NAN :
					 csv_num_at(s, r, (size_t)mc[k]) * c->scale;
			vt_doubts(v, rd, c->src, n);
			if (!isnan(out[0]) && c->ci && (isnan(out[1]) || isnan(out[2])))
				vt_note(v, '-', what, n, "a CI bound missing in "
					"%s/summary.csv (a 95%% CI of the median "
					"takes 6 trials or more)", rundir_name(rd));
			if (!isnan(out[0]))
				return;
		}
	}
	if (seen && c->busy_only && !n)
		vt_note(v, '-', what, n, "no busy other CPU: nothing to slow down");
	else if (seen)
		vt_note(v, '-', what, n, "%s has no value in %s/summary.csv (not "
			"measured or not counted)", c->metric, rundir_name(seen));
	else
		vt_point_missing(v, c->src, n);
}

/* ---- the tables ------------------------------------------------------- */

static int vt_width(const struct vt_col *c)
{
	return c->ci ? VT_CI_WIDTH : VT_NUM_WIDTH;
}

/* Where each column starts. */
static void vt_layout(const struct vt_col *cols, size_t ncols, int *start)
{
	int pos = VT_KEY_WIDTH;

	for (size_t i = 0; i < ncols; i++) {
		start[i] = pos + 1;
		pos = start[i] + vt_width(&cols[i]);
	}
}

/* A commentary line with the group labels at their columns. */
static void vt_groups(FILE *f, const struct vt_col *cols, size_t ncols,
		      const int *start, bool sub)
{
	char line[VARIANTS_WIDTH + 1];
	int end = 0;

	memset(line, ' ', VARIANTS_WIDTH);
	line[VARIANTS_WIDTH] = '\0';
	line[0] = '#';
	for (size_t i = 0; i < ncols; i++) {
		const char *l = sub ? cols[i].sub : cols[i].top;
		int at = start[i] > end + 1 ? start[i] : end + 1, n;

		if (!l || at >= VARIANTS_WIDTH)
			continue;
		n = (int)strlen(l);
		n = at + n > VARIANTS_WIDTH ? VARIANTS_WIDTH - at : n;
		memcpy(line + at, l, (size_t)n);
		end = at + n;
	}
	vt_trim_print(f, line);
}

static void vt_cell(struct vt *v, const struct vt_col *c, unsigned n,
		    char *buf, size_t len)
{
	char m[16], lo[16], hi[16], tmp[64];
	double x[3];

	vt_lookup(v, c, n, x);
	vt_num(x[0], m, sizeof(m));
	vt_num(x[1], lo, sizeof(lo));
	vt_num(x[2], hi, sizeof(hi));
	if (!c->ci || isnan(x[0]))
		snprintf(tmp, sizeof(tmp), "%*s", VT_NUM_WIDTH, m);
	else
		snprintf(tmp, sizeof(tmp), "%*s [%s,%s]", VT_NUM_WIDTH, m, lo, hi);
	snprintf(buf, len, "%-*s", vt_width(c), tmp);
}

static void vt_table(FILE *f, struct vt *v, const struct vt_col *cols,
		     size_t ncols)
{
	char line[VT_TEXT], cell[64];
	int start[VT_MAX_COLS] = { 0 }, o;

	vt_layout(cols, ncols, start);
	vt_groups(f, cols, ncols, start, false);
	vt_groups(f, cols, ncols, start, true);
	o = snprintf(line, sizeof(line), "%*s", VT_KEY_WIDTH, "n");
	for (size_t i = 0; i < ncols; i++)
		o += snprintf(line + o, sizeof(line) - (size_t)o, cols[i].ci ?
			      " %-*s" : " %*s", vt_width(&cols[i]), cols[i].head);
	vt_trim_print(f, line);
	for (size_t r = 0; r < v->nrows; r++) {
		o = snprintf(line, sizeof(line), "%*u", VT_KEY_WIDTH, v->rows[r]);
		for (size_t i = 0; i < ncols; i++) {
			vt_cell(v, &cols[i], v->rows[r], cell, sizeof(cell));
			o += snprintf(line + o, sizeof(line) - (size_t)o, " %s", cell);
		}
		vt_trim_print(f, line);
	}
}

static void vt_legend(FILE *f, const struct vt *v)
{
	vt_say(f, 8, "n       other CPUs kept busy (--bg-threads): membarrier "
	       "targets (victim %s), rcu-wait load (%s); 0 = all others idle",
	       v->sel->victim, v->sel->load);
	vt_say(f, 0, "replacer's cost, us (the CPU replacing the entry waits):");
	vt_say(f, 10, "  ipi_us  one membarrier %s expedited call, p50 "
	       "(op_p50_ns)", v->sel->cmd);
	vt_say(f, 10, "  sync    synchronize_rcu(), p50 (sync_rcu_us)");
	vt_say(f, 10, "  exp_us  synchronize_rcu_expedited(), p50 "
	       "(sync_rcu_exp_us)");
	vt_say(f, 0, "cost to the other CPUs:");
	vt_say(f, 10, "  ipis    IPIs per membarrier call (ipis_per_op)");
	vt_say(f, 10, "  slow%%   victims' slowdown while the calls ran "
	       "(victim_slowdown_pct)");
	vt_say(f, 10, "  ipis    rcu_exp_handler IPIs per expedited call "
	       "(exp_ipis_per_call); a normal grace period sends none: CPUs "
	       "report quiescent states from their tick");
	vt_say(f, 10, "  loss%%   load throughput lost to expedited waits "
	       "(exp_bg_loss_pct)");
	vt_say(f, 2, "membarrier stands in for tlb_remove_table_sync_one(): "
	       "both IPI their targets and wait for every one, but membarrier "
	       "IPIs only CPUs running this mm (private) or a registered "
	       "process (global) and skips idle ones, where "
	       "smp_call_function() IPIs every other online CPU; k-ipi times "
	       "the real call (needs gupsync.ko).");
}

static void vt_kernel_legend(FILE *f)
{
	vt_say(f, 0, "in the kernel (gupsync.ko), us:");
	vt_say(f, 10, "  kipi_us smp_call_function() to every other online "
	       "CPU, waiting, p50 (all_ipi_ns): tlb_remove_table_sync_one()");
	vt_say(f, 10, "  tgts    CPUs it IPIed per call (all_targets)");
	vt_say(f, 10, "  ksync   synchronize_rcu(), p50 (sync_rcu_ns)");
	vt_say(f, 10, "  kexp_us synchronize_rcu_expedited(), p50 "
	       "(sync_rcu_exp_ns)");
}

/* Machine, configuration, and each run's method and fixed parameters. */
static void vt_provenance(FILE *f, const struct vt *v)
{
	char m0[512], m[512], cfg[512], meth[128], par[512];

	rundir_machine(&v->runs[0], m0, sizeof(m0));
	rundir_config(&v->runs[0], cfg, sizeof(cfg));
	vt_say(f, VT_HANG, "machine: %s", m0);
	vt_say(f, VT_HANG, "config: %s", cfg);
	for (size_t i = 0; i < v->nruns; i++) {
		const struct rundir *rd = &v->runs[i];
		size_t o = 0;

		rundir_machine(rd, m, sizeof(m));
		if (strcmp(m, m0))
			vt_say(f, VT_HANG, "WARNING: %s ran on another machine: %s",
			       rundir_name(rd), m);
		rundir_method(rd, meth, sizeof(meth));
		par[0] = '\0';
		for (size_t k = 0; k < rd->nparams && o < sizeof(par); k++) {
			const char *w = vt_want(v, rd, k, 1, "n");

			o += snprintf(par + o, sizeof(par) - o, " %s=%s",
				      rd->summary.head[k], w ? w : "any");
		}
		vt_say(f, VT_HANG, "method: %s %s: %s;%s", vt_bench[v->src[i]],
		       rundir_name(rd), meth, par);
	}
	vt_say(f, 0, "median [95%% CI of the median] over trials; --: no "
	       "data (see the notes)");
}

/* ---- loading ---------------------------------------------------------- */

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

static int vt_load_one(struct vt *v, const char *path, char *err, size_t len)
{
	struct rundir *rd = &v->runs[v->nruns];
	char why[VT_TEXT];
	const char *b;
	int s = 0;

	if (v->nruns == VT_MAX_RUNS) {
		snprintf(err, len, "more than %d run directories", VT_MAX_RUNS);
		return -1;
	}
	if (rundir_load(path, rd, why, sizeof(why)) < 0) {
		snprintf(err, len, "%s is not a run directory (%s); give runs of "
			 "ipi-broadcast, rcu-wait, k-ipi or k-rcu", path, why);
		return -1;
	}
	b = rundir_bench(rd);
	while (s < VT_NSRC && strcmp(b, vt_bench[s]))
		s++;
	if (s == VT_NSRC) {
		snprintf(err, len, "%s is a run of %s; allowed: runs of "
			 "ipi-broadcast, rcu-wait, k-ipi, k-rcu", path, b);
		rundir_free(rd);
		return -1;
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
		return vt_load_one(v, path, err, len);
	n = scandir(path, &ents, vt_skip_dots, alphasort);
	for (int i = 0; i < n; i++) {
		char sub[RUNDIR_PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
		if (!rc && vt_has_meta(path, ents[i]->d_name)) {
			found++;
			rc = vt_load_one(v, sub, err, len);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return rc < 0 || found ? rc : vt_load_one(v, path, err, len);
}

static void vt_free(struct vt *v)
{
	for (size_t i = 0; i < v->nruns; i++)
		rundir_free(&v->runs[i]);
	free(v);
}

int variants_report(FILE *f, char *const *dirs, size_t ndirs,
		    const struct variants_sel *sel, char *err, size_t len)
{
	struct vt *v = calloc(1, sizeof(*v));
	bool kernel;

	if (!v) {
		snprintf(err, len, "out of memory");
		return 1;
	}
	v->sel = sel;
	for (size_t i = 0; i < ndirs; i++)
		if (vt_load(v, dirs[i], err, len) < 0) {
			vt_free(v);
			return EXIT_USAGE;
		}
	if (!v->nruns) {
		snprintf(err, len, "no run directory given");
		vt_free(v);
		return EXIT_USAGE;
	}
	vt_rows(v);
	kernel = v->nsrc[VT_KIPI] || v->nsrc[VT_KRCU];
	vt_say(f, 0, "gupsync variants: the IPI and the RCU variant of the "
	       "protected replacement, per number n of busy other CPUs");
	vt_provenance(f, v);
	vt_table(f, v, vt_user, VT_NCOLS(vt_user));
	vt_legend(f, v);
	if (kernel) {
		vt_table(f, v, vt_kernel, VT_NCOLS(vt_kernel));
		vt_kernel_legend(f);
	}
	if (!v->nrows)
		vt_say(f, 0, "-- no data point in the given runs");
	vt_print_notes(f, v);
	vt_free(v);
	return 0;
}

/* ---- the command ------------------------------------------------------ */

static const char *const vt_cmds[] = { "private", "global", NULL };
static const char *const vt_victims[] = {
	"spin", "syscall", "sleep", "gup-fast", NULL,
};
static const char *const vt_loads[] = {
	"idle", "spin", "syscall", "gup-fast", "sleep", NULL,
};

struct vt_conf {
	int cmd, victim, load;
	const char *output;
};

static const struct opt_spec vt_opts[] = {
	{ "cmd", OPT_ENUM, "membarrier command of the IPI variant: private "
	  "(CPUs running this mm) or global expedited", "private", 0, 0,
	  vt_cmds, false, offsetof(struct vt_conf, cmd) },
	{ "victim", OPT_ENUM, "what ipi-broadcast's busy other CPUs do (n > 0)",
	  "spin", 0, 0, vt_victims, false, offsetof(struct vt_conf, victim) },
	{ "load", OPT_ENUM, "what rcu-wait's busy other CPUs do (n > 0)",
	  "spin", 0, 0, vt_loads, false, offsetof(struct vt_conf, load) },
	{ "output", OPT_STR, "where the runs go (only without RUN_DIRs)",
	  "results", 0, 0, NULL, false, offsetof(struct vt_conf, output) },
	{ NULL },
};

static void vt_usage(void)
{
	const struct opt_spec *const tables[] = { vt_opts };

	printf("usage: gupsync variants [OPTIONS] RUN_DIR...\n"
	       "       gupsync variants [OPTIONS] [-- HARNESS-OPTIONS...]\n\n"
	       "The IPI and the RCU variant of the protected replacement side\n"
	       "by side, per number n of other CPUs kept busy (--bg-threads):\n"
	       "the replacer's wait (membarrier expedited, standing in for\n"
	       "tlb_remove_table_sync_one(); synchronize_rcu() normal and\n"
	       "expedited) and the cost to the other CPUs (IPIs per call,\n"
	       "victims' slowdown, load throughput lost).\n\n"
	       "With RUN_DIRs: tabulate runs of ipi-broadcast and rcu-wait, and\n"
	       "of k-ipi and k-rcu (in-kernel, gupsync.ko) if given; a directory\n"
	       "of run directories stands for all of them.  Without: run\n"
	       "ipi-broadcast and rcu-wait briefly over n = 0..N-1 (N CPUs;\n"
	       "about 30 s on 2) into OUTPUT/variants-DATE/, then tabulate;\n"
	       "HARNESS-OPTIONS (--name=value) go to both runs, e.g.\n"
	       "-- --trials=20 --duration=1s.\n\n"
	       "Cells are medians [95%% CI] from summary.csv; \"--\" = no data,\n"
	       "and a note says why.  Where runs of one benchmark share a\n"
	       "point, the first given wins.  Exit status 2 on bad input.\n\n");
	opt_help(stdout, tables, 1);
}

/* Add a formatted argument to a run's argv (strings kept in buf). */
struct vt_args {
	char buf[16][128];
	char *argv[64];
	int argc, nbuf;
};

__attribute__((format(printf, 2, 3)))
static void vt_arg(struct vt_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->buf[a->nbuf], sizeof(a->buf[0]), fmt, ap);
	va_end(ap);
	a->argv[a->argc++] = a->buf[a->nbuf++];
}

/* The user's harness options last; one that repeats ours replaces it. */
static void vt_extra(struct vt_args *a, char **extra, int nextra)
{
	for (int e = 0; e < nextra && a->argc < 62; e++) {
		size_t kl = strcspn(extra[e], "=");

		for (int k = 0; k < a->argc; k++)
			if (!strncmp(a->argv[k], extra[e], kl) &&
			    a->argv[k][kl] == '=')
				a->argv[k--] = a->argv[--a->argc];
		a->argv[a->argc++] = extra[e];
	}
	a->argv[a->argc] = NULL;
}

/* Run one benchmark into dir; its exit status. */
static int vt_run_one(const char *name, struct vt_args *a, char **extra,
		      int nextra, const char *dir)
{
	const struct bench *b = bench_find(name);
	char line[2048];
	size_t o;

	if (!b) {
		fprintf(stderr, "gupsync variants: benchmark %s is not built in\n",
			name);
		return 1;
	}
	vt_arg(a, "--output=%s", dir);
	vt_extra(a, extra, nextra);
	o = (size_t)snprintf(line, sizeof(line), "gupsync run %s", name);
	for (int k = 0; k < a->argc && o < sizeof(line); k++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %s", a->argv[k]);
	fprintf(stderr, "gupsync variants: %s\n", line);
	return run_bench(b, a->argc, a->argv, line);
}

/* The run mode: the two short benchmarks over n = 0..N-1, then the table. */
static int vt_run_mode(const struct variants_sel *sel, const char *out,
		       char **extra, int nextra)
{
	struct vt_args ipi = { .argc = 0 }, rcu = { .argc = 0 };
	char err[VT_TEXT], dir[RUNDIR_PATH_MAX], *dirs[1] = { dir };
	struct topo *t;
	unsigned npu;
	int rc[2];

	if (topo_open(NULL, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		return 1;
	}
	npu = topo_count(t, PLACE_UNIT_PU);
	topo_close(t);
	if (results_mkdir(out, "variants", dir, sizeof(dir), err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		return 1;
	}
	vt_arg(&ipi, "--bg-threads=0-%u", npu - 1);
	vt_arg(&ipi, "--cmd=%s", sel->cmd);
	vt_arg(&ipi, "--victim=%s", sel->victim);
	vt_arg(&ipi, "--duration=100ms");
	vt_arg(&ipi, "--warmup=20ms");
	vt_arg(&ipi, "--trials=6");
	vt_arg(&ipi, "--order=interleave");
	vt_arg(&rcu, "--bg-threads=0-%u", npu - 1);
	/* n = 0 is the idle point: rcu-wait skips a load with no thread. */
	vt_arg(&rcu, strcmp(sel->load, "idle") ? "--load=idle,%s" : "--load=%s",
	       sel->load);
	vt_arg(&rcu, "--duration=300ms");
	vt_arg(&rcu, "--trials=6");
	vt_arg(&rcu, "--order=interleave");
	rc[0] = vt_run_one("ipi-broadcast", &ipi, extra, nextra, dir);
	if (rc[0] == EXIT_USAGE || rc[0] == 1)
		return rc[0];
	rc[1] = vt_run_one("rcu-wait", &rcu, extra, nextra, dir);
	if (rc[1] == EXIT_USAGE || rc[1] == 1)
		return rc[1];
	printf("\n");
	if (variants_report(stdout, dirs, 1, sel, err, sizeof(err))) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		return 1;
	}
	return rc[0] == EXIT_SKIP && rc[1] == EXIT_SKIP ? EXIT_SKIP : 0;
}

/* argv[1..) into options (with the value of "--name value") and RUN_DIRs,
 * up to "--"; returns the index after "--", or argc. */
static int vt_split(int argc, char **argv, char **opts, int *nopts,
		    char **dirs, int *ndirs)
{
	for (int i = 1; i < argc; i++) {
		bool valued = false;

		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (argv[i][0] != '-') {
			dirs[(*ndirs)++] = argv[i];
			continue;
		}
		for (int k = 0; vt_opts[k].name; k++)
			valued |= !strcmp(argv[i] + strspn(argv[i], "-"),
					  vt_opts[k].name);
		opts[(*nopts)++] = argv[i];
		if (valued && i + 1 < argc)
			opts[(*nopts)++] = argv[++i];
	}
	return argc;
}

static int vt_parse(int argc, char **argv, struct vt_conf *c, int *ndirs,
		    char **dirs, int *extra)
{
	const struct opt_spec *const tables[] = { vt_opts };
	char **opts = calloc((size_t)argc + 1, sizeof(char *)), err[OPT_ERR_LEN];
	struct opt_set set;
	bool help = false;
	int nopts = 0, rc = 0;

	if (!opts) {
		fprintf(stderr, "gupsync variants: out of memory\n");
		return 1;
	}
	*extra = vt_split(argc, argv, opts, &nopts, dirs, ndirs);
	if (opt_parse(tables, 1, nopts, opts, &set, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		rc = EXIT_USAGE;
	} else if (help) {
		vt_usage();
		rc = -1;
	} else if (*ndirs && (opt_find(&set, "output")->given || *extra < argc)) {
		fprintf(stderr, "gupsync variants: --output and -- OPTIONS are "
			"for running the benchmarks, not with RUN_DIRs\n");
		rc = EXIT_USAGE;
	} else {
		opt_apply(&set, 0, (void *const[]){ c });
	}
	free(opts);
	return rc;
}

int variants_main(int argc, char **argv)
{
	char **dirs = calloc((size_t)argc + 1, sizeof(char *)), err[VT_TEXT];
	struct vt_conf c;
	struct variants_sel sel;
	int ndirs = 0, extra = argc, rc;

	if (!dirs) {
		fprintf(stderr, "gupsync variants: out of memory\n");
		return 1;
	}
	rc = vt_parse(argc, argv, &c, &ndirs, dirs, &extra);
	if (!rc) {
		sel = (struct variants_sel){ vt_cmds[c.cmd], vt_victims[c.victim],
					     vt_loads[c.load] };
		if (ndirs)
			rc = variants_report(stdout, dirs, (size_t)ndirs, &sel,
					     err, sizeof(err));
		else
			rc = vt_run_mode(&sel, c.output, argv + extra,
					 argc - extra);
		if (ndirs && rc)
			fprintf(stderr, "gupsync variants: %s\n", err);
	}
	free(dirs);
	return rc < 0 ? 0 : rc;	/* < 0: --help */
}

int variants_command(int argc, char **argv, const char *cmdline)
{
	(void)cmdline;
	return variants_main(argc, argv);
}
