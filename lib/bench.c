// SPDX-License-Identifier: GPL-2.0
/* bench.c - the registry of benchmarks and the helpers a bench/ file calls. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "counters.h"

/* Provided by the linker for the gupsync_bench section (weak: the tests
 * link lib/ without any benchmark). */
extern const struct bench *const __start_gupsync_bench[] __attribute__((weak));
extern const struct bench *const __stop_gupsync_bench[] __attribute__((weak));

static int by_name(const void *a, const void *b)
{
	const struct bench *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

size_t bench_all(const struct bench ***out)
{
	static const struct bench **sorted;
	static size_t n;

	if (!sorted && __start_gupsync_bench) {
		n = __stop_gupsync_bench - __start_gupsync_bench;
		sorted = calloc(n + 1, sizeof(*sorted));
		if (!sorted)
			n = 0;
		for (size_t i = 0; sorted && i < n; i++)
			sorted[i] = __start_gupsync_bench[i];
		if (sorted)
			qsort(sorted, n, sizeof(*sorted), by_name);
	}
	*out = sorted;
	return n;
}

const struct bench *bench_find(const char *name)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/* Workers call these from their own threads during worker_setup(). */
static pthread_mutex_t point_lock = PTHREAD_MUTEX_INITIALIZER;

void point_note(struct point *pt, const char *key, const char *fmt, ...)
{
	struct note *n, **tail = &pt->notes;
	va_list ap;

	pthread_mutex_lock(&point_lock);
	while (*tail && strcmp((*tail)->key, key))
		tail = &(*tail)->next;
	n = *tail ? *tail : calloc(1, sizeof(*n));	/* a key is noted once */
	if (n) {
		snprintf(n->key, sizeof(n->key), "%s", key);
		va_start(ap, fmt);
		vsnprintf(n->val, sizeof(n->val), fmt, ap);
		va_end(ap);
		*tail = n;
	}
	pthread_mutex_unlock(&point_lock);
}

int point_skip(struct point *pt, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&point_lock);
	if (!pt->skip_reason[0]) {	/* the first reason wins */
		va_start(ap, fmt);
		vsnprintf(pt->skip_reason, sizeof(pt->skip_reason), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&point_lock);
	return BENCH_SKIP;
}

void *point_worker_priv(const struct point *pt, unsigned id)
{
	return pt->worker_priv && id < pt->nthreads + pt->nbg ?
	       pt->worker_priv[id] : NULL;
}

static int find_counter(const struct counters *c, const char *spec)
{
	for (size_t i = 0; c && i < counters_n(c); i++)
		if (!strcmp(counter_spec(c, i), spec))
			return counter_ok(c, i) ? (int)i : -1;
	return -1;
}

int point_counter(const struct point *pt, const char *spec)
{
	return find_counter(pt->ctr, spec);
}

int point_thread_counter(const struct point *pt, const char *spec)
{
	return find_counter(pt->tctr, spec);
}

/* ---- descriptor validation (bench_check) ---- */

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"
#define METRIC_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
/* What the sweep sets are checked with: a topology of this many PUs. */
#define CHECK_NPU 2

/* The options a role in `gupsync variants` is run with (see enum
 * bench_variant); every role also needs bg_loop for --bg-threads. */
static const char *const role_opts[VARIANT_K_RCU + 1][3] = {
	[VARIANT_IPI] = { "cmd", "victim", NULL },
	[VARIANT_RCU] = { "load", NULL },
};

static bool is_word(const char *s, const char *chars)
{
	return s && s[0] && strspn(s, chars) == strlen(s);
}

static bool has_text(const char *s)
{
	return s && s[0];
}

/* A fault in b: the message, prefixed with its name, and -1. */
static int bad(const struct bench *b, char *err, size_t len,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(const struct bench *b, char *err, size_t len,
	       const char *fmt, ...)
{
	int o = snprintf(err, len, "%s: ", b->name ? b->name : "(no name)");
	va_list ap;

	va_start(ap, fmt);
	if (o >= 0 && (size_t)o < len)
		vsnprintf(err + o, len - o, fmt, ap);
	va_end(ap);
	return -1;
}

static size_t count_modes(const struct bench *b)
{
	size_t n = 0;

	while (n < BENCH_MAX_MODES && b->modes[n].name)
		n++;
	return n;
}

static int check_kind(const struct bench *b, char *err, size_t len)
{
	if (!is_word(b->name, NAME_CHARS))
		return bad(b, err, len, "name must be [a-z0-9-]+");
	if (!has_text(b->summary) || !has_text(b->kernel_path))
		return bad(b, err, len, "no summary or no kernel_path");
	if (b->kind != BENCH_THROUGHPUT && b->kind != BENCH_LATENCY)
		return bad(b, err, len, "kind %d is neither BENCH_THROUGHPUT "
			   "nor BENCH_LATENCY", (int)b->kind);
	if (b->kind == BENCH_THROUGHPUT && (!b->loop || b->op))
		return bad(b, err, len, "BENCH_THROUGHPUT needs loop() and no op()");
	if (b->kind == BENCH_LATENCY && (!b->op || b->loop))
		return bad(b, err, len, "BENCH_LATENCY needs op() and no loop()");
	return 0;
}

static int check_modes(const struct bench *b, char *err, size_t len)
{
	size_t nm = count_modes(b);
	struct bench_pair p = b->pair;

	if (!nm)
		return bad(b, err, len, "no mode");
	for (size_t m = nm; m < BENCH_MAX_MODES; m++)
		if (b->modes[m].name || b->modes[m].what)
			return bad(b, err, len, "mode %zu follows an empty one", m);
	if (b->modes[0].proof_only)
		return bad(b, err, len, "mode 0 (%s) is proof_only: it is the base "
			   "every trial measures", b->modes[0].name);
	for (size_t m = 0; m < nm; m++) {
		if (!is_word(b->modes[m].name, NAME_CHARS) ||
		    !has_text(b->modes[m].what))
			return bad(b, err, len, "mode %zu: name must be [a-z0-9-]+ "
				   "with a what", m);
		for (size_t k = 0; k < m; k++)
			if (!strcmp(b->modes[k].name, b->modes[m].name))
				return bad(b, err, len, "mode %s twice",
					   b->modes[m].name);
	}
	if (!p.test && !p.base)
		return 0;
	if (p.test >= nm || p.base >= nm || p.base == p.test)
		return bad(b, err, len, "pair %u/%u: not two of its %zu modes",
			   p.base, p.test, nm);
	if (b->modes[p.base].proof_only || b->modes[p.test].proof_only)
		return bad(b, err, len, "pair %u/%u: a proof_only mode", p.base,
			   p.test);
	return 0;
}

static int check_counters(const struct bench *b, char *err, size_t len)
{
	size_t n = 0;

	while (n < BENCH_MAX_COUNTERS && b->counters[n])
		n++;
	for (size_t c = n; c < BENCH_MAX_COUNTERS; c++)
		if (b->counters[c])
			return bad(b, err, len, "counter %zu follows an empty one", c);
	for (size_t c = 0; c < n; c++) {
		if (!has_text(b->counters[c]) || !strchr(b->counters[c], ':'))
			return bad(b, err, len, "counter %zu '%s' is no spec "
				   "(\"tp:...\", \"sw:...\")", c, b->counters[c]);
		for (size_t k = 0; k < c; k++)
			if (!strcmp(b->counters[k], b->counters[c]))
				return bad(b, err, len, "counter %s twice",
					   b->counters[c]);
	}
	return 0;
}

static int check_metrics(const struct bench *b, char *err, size_t len)
{
	size_t headlines = 0;

	if (!b->nmetrics && !b->metrics && !b->derive)
		return 0;
	if (!b->nmetrics || !b->metrics || !b->derive)
		return bad(b, err, len, "metrics, nmetrics and derive() go together");
	if (b->nmetrics > BENCH_MAX_METRICS)
		return bad(b, err, len, "%zu metrics, at most %d", b->nmetrics,
			   BENCH_MAX_METRICS);
	for (size_t i = 0; i < b->nmetrics; i++) {
		const struct metric_spec *s = &b->metrics[i];

		if (!is_word(s->name, METRIC_CHARS) || !has_text(s->unit))
			return bad(b, err, len, "metric %zu: name must be "
				   "[a-z0-9_]+ with a unit", i);
		if (s->better != BETTER_HIGHER && s->better != BETTER_LOWER &&
		    s->better != BETTER_NONE)
			return bad(b, err, len, "metric %s: better is %d", s->name,
				   (int)s->better);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(b->metrics[k].name, s->name))
				return bad(b, err, len, "metric %s twice", s->name);
		headlines += s->headline;
	}
	if (!headlines)
		return bad(b, err, len, "no headline metric");
	return 0;
}

static const struct opt_spec *find_opt(const struct opt_spec *t,
				       const char *name)
{
	for (; t && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* Bytes opt_apply() stores for an option (options.h). */
static size_t opt_field_size(enum opt_type type)
{
	switch (type) {
	case OPT_ENUM:
		return sizeof(int);
	case OPT_STR:
		return sizeof(const char *);
	case OPT_FLAG:
		return sizeof(bool);
	default:
		return sizeof(uint64_t);
	}
}

static int check_opts(const struct bench *b, const struct opt_spec *harness,
		      char *err, size_t len)
{
	if (!b->opts != !b->conf_size)
		return bad(b, err, len, "opts and conf_size go together");
	for (const struct opt_spec *o = b->opts; o && o->name; o++) {
		if (!o->name[0] || strchr(o->name, '='))
			return bad(b, err, len, "option '%s': bad name", o->name);
		if (find_opt(b->opts, o->name) != o)
			return bad(b, err, len, "option --%s twice", o->name);
		if (find_opt(harness, o->name))
			return bad(b, err, len, "option --%s is the harness's",
				   o->name);
		if (o->offset + opt_field_size(o->type) > b->conf_size)
			return bad(b, err, len, "option --%s: offset %zu is past "
				   "conf_size %zu", o->name, o->offset, b->conf_size);
	}
	return 0;
}

/* One sweep set, as `gupsync sweep` fills it in for CHECK_NPU PUs, parsed
 * against the harness's and the benchmark's options. */
static int check_set(const struct bench *b, const struct opt_spec *harness,
		     const char *which, const char *set, char *err, size_t len)
{
	const struct opt_spec *const tables[] = { harness, b->opts };
	static struct opt_set parsed;	/* large: not on the stack */
	char buf[1024], why[OPT_ERR_LEN], *argv[64], *save, *tok;
	const struct opt_val *bg;
	size_t o = 0;
	int argc = 0;
	bool help;

	for (const char *p = set; *p && o + 8 < sizeof(buf); p++) {
		const char *sub = NULL;

		if (p[0] == '%' && p[1])
			switch (p[1]) {
			case 'N': sub = "2"; break;
			case 'M': sub = "1"; break;
			case 'T': sub = "1-2"; break;
			case 'G': sub = "0-1"; break;
			}
		if (sub) {
			o += snprintf(buf + o, sizeof(buf) - o, "%s", sub);
			p++;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = 0;
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (opt_parse(tables, b->opts ? 2 : 1, argc, argv, &parsed, &help, why,
		      sizeof(why)) < 0 || help)
		return bad(b, err, len, "sweep %s set \"%s\": %s", which, set,
			   help ? "--help" : why);
	bg = opt_find(&parsed, "bg-threads");
	for (size_t k = 0; bg && !b->bg_loop && k < bg->n; k++)
		if (bg->v[k].u)
			return bad(b, err, len, "sweep %s set \"%s\": background "
				   "workers without bg_loop()", which, set);
	return 0;
}

static int check_roles(const struct bench *b, const struct opt_spec *harness,
		       char *err, size_t len)
{
	const struct bench_sweep *s = &b->sweep;

	if (s->order && (!has_text(s->short_args) || !has_text(s->full_args)))
		return bad(b, err, len, "sweep order %u without both sets",
			   s->order);
	if (!s->order && (s->short_args || s->full_args))
		return bad(b, err, len, "sweep sets without an order");
	if (s->order && (check_set(b, harness, "short", s->short_args, err, len) < 0 ||
			 check_set(b, harness, "full", s->full_args, err, len) < 0))
		return -1;
	if (b->variant < VARIANT_NONE || b->variant > VARIANT_K_RCU)
		return bad(b, err, len, "variant %d is no role", (int)b->variant);
	if (b->variant == VARIANT_NONE)
		return 0;
	if (!b->bg_loop)
		return bad(b, err, len, "a variants role needs bg_loop() "
			   "(variants runs it over --bg-threads)");
	for (size_t k = 0; role_opts[b->variant][k]; k++)
		if (!find_opt(b->opts, role_opts[b->variant][k]))
			return bad(b, err, len, "its variants role needs option --%s",
				   role_opts[b->variant][k]);
	return 0;
}

int bench_check(const struct bench *b, const struct opt_spec *harness,
		char *err, size_t len)
{
	if (check_kind(b, err, len) < 0 || check_modes(b, err, len) < 0 ||
	    check_counters(b, err, len) < 0 || check_metrics(b, err, len) < 0 ||
	    check_opts(b, harness, err, len) < 0 ||
	    check_roles(b, harness, err, len) < 0)
		return -1;
	return 0;
}

int bench_check_all(const struct opt_spec *harness, char *err, size_t len)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	for (size_t i = 0; i < n; i++) {
		const struct bench *b = all[i];

		if (bench_check(b, harness, err, len) < 0)
			return -1;
		for (size_t k = 0; k < i; k++) {
			if (!strcmp(all[k]->name, b->name))
				return bad(b, err, len, "registered twice");
			if (b->sweep.order && all[k]->sweep.order == b->sweep.order)
				return bad(b, err, len, "sweep order %u is %s's too",
					   b->sweep.order, all[k]->name);
			if (b->variant && all[k]->variant == b->variant)
				return bad(b, err, len, "variants role %d is %s's too",
					   (int)b->variant, all[k]->name);
		}
	}
	return 0;
}
