// SPDX-License-Identifier: GPL-2.0
/*
 * output_text.c - a run's text on stdout around its table (table.c): the
 * header (what ran, on what, how) and the footer (other work, notes said
 * once, proof verdicts, files), as "# " lines that fit an email.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output_priv.h"
#include "run.h"
#include "stats.h"
#include "sysinfo.h"
#include "text.h"

#define COMMENT_WIDTH TEXT_WIDTH

/* A "# " commentary line, wrapped at spaces to fit an email; continuation
 * lines start with "#   ". */
void out_comment(const char *fmt, ...)
{
	char buf[2048], *p = buf;
	size_t room = COMMENT_WIDTH - 2;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# ");
	while (strlen(p) > room) {
		char *cut = p + room;

		while (cut > p && *cut != ' ')
			cut--;
		if (cut == p) {	/* one long word (a path): whole, on its own */
			cut = strchr(p, ' ');
			if (!cut)
				break;
		}
		printf("%.*s\n#   ", (int)(cut - p), p);
		p = *cut == ' ' ? cut + 1 : cut;
		room = COMMENT_WIDTH - 4;
	}
	printf("%s\n", p);
}

/* The config facts reviewers ask for, from the machine's kernel config. */
static void config_line(const json_t *info, char *buf, size_t len)
{
	static const char *const names[] = {
		"HZ", "PREEMPT_DYNAMIC", "PREEMPT_RCU", "RCU_LAZY", "PT_RECLAIM",
		"MMU_GATHER_RCU_TABLE_FREE", "PARAVIRT", "NO_HZ_FULL", NULL,
	};
	const json_t *cfg = json_object_get(info, "config");
	const char *why = json_string_value(json_object_get(cfg, "why"));
	size_t off = 0;

	buf[0] = 0;
	if (!json_is_string(json_object_get(cfg, "source"))) {
		snprintf(buf, len, "not available (%s)", why ? why : "no kernel config");
		return;
	}
	for (size_t i = 0; names[i] && off < len; i++) {
		const char *v = sysinfo_config(info, names[i]);

		off += snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
				names[i], v ? v : "n");
	}
}

void run_print_header(struct run *r)
{
	const json_t *info = json_object_get(r->meta, "machine");
	char line[1024];
	size_t off = 0;

	out_comment("gupsync %s: %s", r->b->name, r->b->summary);
	out_comment("kernel path: %s", r->b->kernel_path);
	sysinfo_machine(info, line, sizeof(line));
	out_comment("machine: %s", line);
	config_line(info, line, sizeof(line));
	out_comment("config: %s", line);
	out_comment("method: %llu trials x %u mode%s x %llu ms (+%llu ms warm-up); "
		"median [95%% CI of the median] over trials",
		(unsigned long long)r->trials, r->nmeasured,
		r->nmeasured > 1 ? "s, order alternating," : "",
		(unsigned long long)(r->rc.duration_ns / 1000000),
		(unsigned long long)(r->rc.warmup_ns / 1000000));
	out_comment("futex hash: %s", r->futex_hash);
	{
		const char *hvf = json_string_value(json_object_get(json_object_get(
			info, "cpu"), "tlb_flush_by_hypervisor"));

		if (hvf)
			out_comment("remote TLB flushes: by the hypervisor (%s): no "
				"IPIs to count for them", hvf);
	}
	if (r->b->pair.test && run_slicing(r))
		out_comment("pairing: %s and %s alternate in ABBA slices of about "
			"%.0f us (--slice%s) within one window of 2 x duration; per "
			"trial the median over slice pairs (slices.csv)",
			r->b->modes[r->b->pair.base].name,
			r->b->modes[r->b->pair.test].name, r->rc.slice_ns / 1e3,
			r->b->kind == BENCH_LATENCY ? "; each caller at least one "
			"call" : "");
	else if (r->b->pair.test)
		out_comment("pairing: %s and %s in windows of their own "
			"(--interleave windows)", r->b->modes[r->b->pair.base].name,
			r->b->modes[r->b->pair.test].name);
	line[0] = 0;
	for (size_t c = 0; c < counters_n(r->ctr) && off < sizeof(line); c++)
		if (!counter_ok(r->ctr, c))
			off += snprintf(line + off, sizeof(line) - off, "%s%s",
					off ? ", " : "", counter_spec(r->ctr, c));
	if (off)
		out_comment("not supported here: %s", line);
	out_comment("results: %s/", r->dir);
	fflush(stdout);
}

#define BUSY_WARN_CPUS 0.1	/* other work worth a warning, in CPUs */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* The largest per-point median of the columns ending in suffix. */
static double worst_median(const struct run *r, const char *suffix)
{
	double worst = 0;

	for (size_t i = 0; i < r->npoints; i++)
		for (size_t k = 0; k < r->ncols; k++) {
			struct stats st;

			if (r->points[i].status == BENCH_OK &&
			    ends_with(r->cols[k].name, suffix) &&
			    run_col_stats(r, &r->points[i], k, &st) == 0 &&
			    st.median > worst)
				worst = st.median;
		}
	return worst;
}

/* How much else ran: a busy machine or host disturbs every number.  One
 * line on a quiet machine. */
static void other_work(const struct run *r)
{
	double other = worst_median(r, "_other_cpus");
	double steal = worst_median(r, "_steal_cpus");
	bool busy = other >= BUSY_WARN_CPUS || steal >= BUSY_WARN_CPUS;

	double driven = worst_median(r, "_driven_cpus");
	char mine[200] = "";

	if (r->b->driven_kthreads[0]) {
		snprintf(mine, sizeof(mine), "; %s%s%s%s kthreads (driven, apart) "
			 "%.2f", r->b->driven_kthreads[0],
			 r->b->driven_kthreads[1] ? ", " : "",
			 r->b->driven_kthreads[1] ? r->b->driven_kthreads[1] : "",
			 r->b->driven_kthreads[1] && r->b->driven_kthreads[2] ?
			 ", ..." : "", isnan(driven) ? 0 : driven);
	}
	out_comment("%sother work: %.2f CPUs by other tasks, %.2f host steal "
		"(worst point)%s%s", busy ? "WARNING: " : "", other,
		steal, mine, busy ? ": these numbers are disturbed; rerun on a "
		"quiet machine" : "");
}

/* Note `key` of a point, or NULL. */
static const struct note *note_of(const struct run_point *rp, const char *key)
{
	const struct note *n = rp->notes;

	while (n && strcmp(n->key, key))
		n = n->next;
	return n;
}

/* Whether point i has note n (the same key and value). */
static bool has_note(const struct run *r, size_t i, const struct note *n)
{
	const struct note *m = note_of(&r->points[i], n->key);

	return m && !strcmp(m->val, n->val);
}

/*
 * The parameters that decide note n, when they can be named: each
 * parameter that varies over the points done but not over those with n,
 * as "name=value ..." in label.  It holds only if exactly the points that
 * match the label have n; "" where every point has n; false otherwise.
 */
static bool note_label(const struct run *r, const struct note *n, char *label,
		       size_t len)
{
	size_t first = r->npoints, np = r->opts.n;
	bool in_label[np ? np : 1];
	char v[64], w[64];

	*label = '\0';
	for (size_t i = 0; i < r->npoints && first == r->npoints; i++)
		if (r->points[i].status == BENCH_OK && has_note(r, i, n))
			first = i;
	for (size_t k = 0; k < np; k++) {
		bool varies = false, same = true;

		in_label[k] = false;
		if (!r->opts.vals[k].spec->list)	/* not a parameter */
			continue;
		opt_point_value(&r->opts, first, r->opts.vals[k].spec->name, v,
				sizeof(v));
		for (size_t i = 0; i < r->npoints; i++) {
			if (r->points[i].status != BENCH_OK)
				continue;
			opt_point_value(&r->opts, i, r->opts.vals[k].spec->name, w,
					sizeof(w));
			varies |= strcmp(v, w) != 0;
			same &= !has_note(r, i, n) || !strcmp(v, w);
		}
		if (!varies || !same)
			continue;
		in_label[k] = true;
		snprintf(label + strlen(label), len - strlen(label), "%s%s=%s",
			 *label ? " " : "", r->opts.vals[k].spec->name, v);
	}
	/* Every point that matches the label has the note. */
	for (size_t i = 0; i < r->npoints; i++) {
		bool match = r->points[i].status == BENCH_OK;

		for (size_t k = 0; k < np && match; k++) {
			if (!in_label[k])
				continue;
			opt_point_value(&r->opts, first, r->opts.vals[k].spec->name,
					v, sizeof(v));
			opt_point_value(&r->opts, i, r->opts.vals[k].spec->name, w,
					sizeof(w));
			match = !strcmp(v, w);
		}
		if (match && !has_note(r, i, n))
			return false;
	}
	return true;
}

/* Whether note n of point i was said before it: by an earlier point
 * (the same key and value) that could name its parameters. */
static bool said_before(const struct run *r, size_t i, const struct note *n)
{
	char label[256];

	if (!note_label(r, n, label, sizeof(label)))
		return false;
	for (size_t j = 0; j < i; j++)
		if (r->points[j].status == BENCH_OK && has_note(r, j, n))
			return true;
	return false;
}

/* A note every point has that repeats a header line: "futex hash:", the
 * machine line's paravirt features and topology, "remote TLB flushes". */
static bool said_in_header(const struct run *r, const struct note *n)
{
	const json_t *info = json_object_get(r->meta, "machine");
	const json_t *cpu = json_object_get(info, "cpu");
	const char *topo = json_string_value(json_object_get(json_object_get(
		info, "topology"), "description"));

	if (!strcmp(n->key, "futex_hash"))
		return !strcmp(n->val, r->futex_hash);
	if (!strcmp(n->key, "topology"))
		return topo && !strcmp(n->val, topo);
	if (!strcmp(n->key, "paravirt"))	/* bare metal, or PV features */
		return !json_is_string(json_object_get(cpu, "hypervisor")) ||
		       json_is_boolean(json_object_get(cpu, "kvm_pv_tlb_flush"));
	if (!strcmp(n->key, "tlb_flush"))
		return json_is_string(json_object_get(cpu,
						      "tlb_flush_by_hypervisor"));
	return false;
}

/* A label of one parameter named as the note: "load=spin" for "load". */
static bool label_is_key(const char *label, const char *key)
{
	size_t k = strlen(key);

	return !strncmp(label, key, k) && label[k] == '=' && !strchr(label, ' ');
}

/* The first point done (before i) with a note of n's key. */
static bool first_with_key(const struct run *r, size_t i, const struct note *n)
{
	for (size_t j = 0; j < i; j++)
		if (r->points[j].status == BENCH_OK && note_of(&r->points[j], n->key))
			return false;
	return true;
}

/*
 * Notes, each said once: those the same at every point (the machine's:
 * paravirt, topology, ...) first; then those a few parameters decide
 * ("flush, pages=512: ..."); those that differ only in their numbers
 * once, with ranges.  Per point only its verdict and notes that are its
 * own.  meta.json keeps every note of every point.
 */
static void print_notes(const struct run *r, bool *own)
{
	char label[256], merged[512];
	bool any = false;

	/* Pass 0: the notes of every point; pass 1: those of a few. */
	for (int pass = 0; pass < 2; pass++) {

		for (size_t i = 0; i < r->npoints; i++) {
			if (r->points[i].status != BENCH_OK)
				continue;
			for (const struct note *n = r->points[i].notes; n; n = n->next) {
				bool named;

				if (said_in_header(r, n))
					continue;
				if (note_merged(r, n)) {
					if (!first_with_key(r, i, n) ||
					    note_merged_text(r, n, merged,
							     sizeof(merged)) != !pass)
						continue;
					if (!any)
						out_comment("notes:");
					any = true;
					out_comment("  %s: %s", n->key, merged);
					continue;
				}
				named = note_label(r, n, label, sizeof(label));
				own[i] |= !named;
				if (!named || !*label != !pass || said_before(r, i, n))
					continue;
				if (!any)
					out_comment("notes:");
				any = true;
				if (pass && label_is_key(label, n->key))
					out_comment("  %s: %s", label, n->val);
				else if (pass)
					out_comment("  %s, %s: %s", n->key, label, n->val);
				else
					out_comment("  %s: %s", n->key, n->val);
			}
		}
	}
}

void run_print_footer(struct run *r)
{
	bool own[r->npoints ? r->npoints : 1];
	char label[256], lb[256];

	other_work(r);
	memset(own, 0, sizeof(own));
	print_notes(r, own);
	print_proofs(r);
	for (size_t i = 0; i < r->npoints; i++) {
		const struct run_point *rp = &r->points[i];
		bool any = false;

		if (rp->status != BENCH_OK || !own[i])
			continue;
		run_point_label(r, i, label, sizeof(label));
		for (const struct note *n = rp->notes; n; n = n->next) {
			if (note_label(r, n, lb, sizeof(lb)) || note_merged(r, n) ||
			    said_in_header(r, n))
				continue;
			if (!any)
				out_comment("notes of %s:", label[0] ? label : "the point");
			any = true;
			out_comment("  %s: %s", n->key, n->val);
		}
	}
	/* Before anything on stderr (a sweep's next progress line): a log
	 * of both must not start that line inside the footer. */
	fflush(stdout);
}
