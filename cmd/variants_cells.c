// SPDX-License-Identifier: GPL-2.0
/* variants_cells.c - a cell's numbers and the notes; see variants_cells.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "text.h"
#include "variants_cells.h"
#include "variants_text.h"

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
	if (t->nn < VT_NELEM(t->ns))
		t->ns[t->nn++] = (unsigned)n;
}

void vt_print_notes(FILE *f, const struct vt *v)
{
	for (size_t i = 0; i < v->nnotes; i++) {
		const struct vt_note *t = &v->notes[i];
		char ns[128] = "";

		for (size_t k = 0; !t->all_rows && k < t->nn; k++)
			text_append(ns, sizeof(ns), "%s%u", k ? "," : " (n=",
				    t->ns[k]);
		if (ns[0])
			text_append(ns, sizeof(ns), ")");
		vt_say(f, VT_HANG, "%s %s%s: %s", t->mark == '-' ? "--" : "!!",
		       t->what, ns, t->why);
	}
}

/* ---- why a cell has no number, or a doubtful one ---------------------- */

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
			vt_note(v, '-', vt_bench(src), n, "point %s: %s",
				vt_jstr(p, "status"), vt_jstr(p, "reason"));
			return;
		}
	}
	vt_sel_desc(v, src, n, sel, sizeof(sel));
	vt_note(v, '-', vt_bench(src), n, "no point with bg-threads=n%s", sel);
}

/* A point whose proof failed, or that warned, still has numbers: say so. */
static void vt_doubts(struct vt *v, const struct rundir *rd, enum vt_src src,
		      unsigned n)
{
	const json_t *p = vt_meta_point(v, rd, n), *note;
	const char *key;

	if (p && json_is_false(json_object_get(p, "proven")))
		vt_note(v, '!', vt_bench(src), n, "unproven (%s): %s",
			rundir_name(rd), vt_jstr(p, "proof"));
	json_object_foreach((json_t *)json_object_get(p, "notes"), key, note) {
		const char *s = json_string_value(note);

		if (s && !strncmp(s, "WARNING", strlen("WARNING")))
			vt_note(v, '!', vt_bench(src), n, "%s: %s", key, s);
	}
}

/* ---- the numbers ------------------------------------------------------ */

void vt_lookup(struct vt *v, const struct vt_col *c, unsigned n,
	       double out[3])
{
	const struct rundir *seen = NULL;
	char what[64];

	out[0] = out[1] = out[2] = NAN;
	/* the benchmark and the column ("NAME ipis"), as two columns have
	 * the same head */
	snprintf(what, sizeof(what), "%s %.*s", vt_bench(c->src),
		 (int)strcspn(c->head, " "), c->head);
	if (!v->nsrc[c->src]) {
		vt_note(v, '-', vt_bench(c->src), -1, "no run of it given");
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
