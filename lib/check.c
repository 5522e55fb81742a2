// SPDX-License-Identifier: GPL-2.0
/* check.c - see check.h: the detector (check_one()) and `gupsync check`. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "counters.h"
#include "mem.h"
#include "options.h"
#include "results.h"
#include "sysinfo.h"
#include "workers.h"

static uint64_t check_seq;

const char *check_verdict_name(enum check_verdict v)
{
	static const char *const names[] = {
		"PROTECTED", "NOT PROTECTED", "replaced as expected",
		"NOT REPLACED", "SKIPPED", "ERROR",
	};
	return v <= CHECK_ERROR ? names[v] : "?";
}

enum check_verdict check_judge(enum pin_kind pin, bool acted, bool views_agree)
{
	if (pin == PIN_NONE)
		return acted ? CHECK_REPLACED : CHECK_NOT_REPLACED;
	return views_agree ? CHECK_PROTECTED : CHECK_NOT_PROTECTED;
}

int check_skip(struct check_result *r, const char *why)
{
	r->verdict = CHECK_SKIPPED;
	snprintf(r->detail, sizeof(r->detail), "%s", why);
	return 0;
}

int check_error(struct check_result *r, const char *why)
{
	r->verdict = CHECK_ERROR;
	snprintf(r->detail, sizeof(r->detail), "%s", why);
	return -1;
}

uint64_t check_pattern(void)
{
	return 0x6775707379000000ull ^ (++check_seq << 32) ^ now_ns();
}

int check_views(struct pin *p, char *page, char *why, size_t len)
{
	uint64_t pat = check_pattern(), seen = 0;

	if (p->kind == PIN_NONE)
		return 1;
	if (p->kind == PIN_IO_URING) {
		if (pin_write(p, CHECK_VIEW_OFF, &pat, sizeof(pat), why, len) < 0)
			return -1;
		memcpy(&seen, page + CHECK_VIEW_OFF, sizeof(seen));
	} else {
		memcpy(page + CHECK_VIEW_OFF, &pat, sizeof(pat));
		if (pin_read(p, CHECK_VIEW_OFF, &seen, sizeof(seen), why, len) < 0)
			return -1;
	}
	return seen == pat;
}

static void check_describe(struct check_result *r, const struct check_target *t,
			   enum pin_kind pin)
{
	char pfn[80];
	const char *views = pin == PIN_NONE ? "" :
		pin == PIN_IO_URING ? (r->views_agree ? "; write through pin visible" :
				       "; write through pin LOST (not in the mapping)") :
		(r->views_agree ? "; mapping write seen through the hold" :
		 "; mapping write NOT seen through the hold: it holds a stale page");

	if (!r->pfn_before || !r->pfn_after)
		snprintf(pfn, sizeof(pfn), "PFN unknown");
	else if (r->pfn_before == r->pfn_after)
		snprintf(pfn, sizeof(pfn), "PFN unchanged");
	else
		snprintf(pfn, sizeof(pfn), "PFN %#" PRIx64 " -> %#" PRIx64, r->pfn_before,
			 r->pfn_after);
	snprintf(r->detail, sizeof(r->detail), "%s; %s%s", t->note, pfn, views);
}

static void check_attempt(const struct check_replacer *rep, struct check_target *t,
			  struct pin *p, struct check_result *r)
{
	char why[256] = "";
	int agree;

	pin_mapped_pfn(t->page, &r->pfn_before, why, sizeof(why));
	if (rep->attempt(t, p->kind, why, sizeof(why)) < 0) {
		check_skip(r, why);
		return;
	}
	pin_mapped_pfn(t->page, &r->pfn_after, why, sizeof(why));
	r->err = t->err;
	r->acted = t->acted;
	agree = check_views(p, t->page, why, sizeof(why));
	if (agree < 0) {
		check_error(r, why);
		return;
	}
	r->views_agree = agree;
	r->verdict = check_judge(p->kind, t->acted, agree);
	check_describe(r, t, p->kind);
}

int check_one(const struct check_replacer *rep, enum pin_kind pin,
	      struct check_result *r)
{
	struct check_target t = { 0 };
	struct pin p;
	char why[256] = "";

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s/%s", rep->name, pin_kind_name(pin));
	if (!pin_available(pin, why, sizeof(why)))
		return check_skip(r, why);
	if (rep->prepare(&t, why, sizeof(why)) < 0) {
		rep->cleanup(&t);
		return check_skip(r, why);
	}
	if (pin_open(&p, pin, why, sizeof(why)) < 0 ||
	    pin_hold(&p, t.page, PAGE_4K, why, sizeof(why)) < 0)
		check_error(r, why);
	else
		check_attempt(rep, &t, &p, r);
	pin_close(&p);
	rep->cleanup(&t);
	return r->verdict == CHECK_ERROR ? -1 : 0;
}

/* ---- gupsync check ------------------------------------------------------------ */

#define CHECK_MAX 16

struct check_conf {
	uint64_t race_ns;
	const char *output;
};

static const struct opt_spec check_opts[] = {
	{ "race-time", OPT_DURATION, "how long each race check runs (0: none)",
	  "2s", 0, 600000000000ull, NULL, false,
	  offsetof(struct check_conf, race_ns) },
	{ "output", OPT_STR, "directory that receives check-<date>/check.json "
	  "(\"-\": write none)", "results", 0, 0, NULL, false,
	  offsetof(struct check_conf, output) },
	{ NULL },
};

/* A control that acted without a new PFN (uprobes writing in place) did
 * what it should, but "replaced" would be wrong. */
static const char *check_verdict_text(const struct check_result *r)
{
	if (r->verdict == CHECK_REPLACED && r->pfn_before &&
	    r->pfn_before == r->pfn_after)
		return "acted as expected, in place";
	return check_verdict_name(r->verdict);
}

static void check_print(const struct check_result *r)
{
	printf("%-22s %s (%s)\n", r->path, check_verdict_text(r), r->detail);
	fflush(stdout);
}

/* A held page kept proves nothing if the unheld one was kept too. */
static void check_gate(struct check_result *r, const struct check_result *control)
{
	char why[sizeof(r->detail)];

	if (r->verdict != CHECK_PROTECTED || control->verdict == CHECK_REPLACED)
		return;
	snprintf(why, sizeof(why), "the unheld control was not replaced either "
		 "(%.200s): no evidence either way", control->detail);
	check_skip(r, why);
}

static size_t check_paths(struct check_result *res, uint64_t race_ns)
{
	const struct check_replacer *reps[] = { &check_collapse, &check_ksm,
						&check_uprobe };
	const enum pin_kind holds[] = { PIN_IO_URING, PIN_VMSPLICE };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		size_t control = n;

		check_one(reps[i], PIN_NONE, &res[n]);
		check_print(&res[n++]);
		for (size_t k = 0; k < sizeof(holds) / sizeof(holds[0]); k++) {
			check_one(reps[i], holds[k], &res[n]);
			check_gate(&res[n], &res[control]);
			check_print(&res[n++]);
		}
	}
	if (race_ns) {
		check_race_collapse(race_ns, &res[n]);
		check_print(&res[n++]);
		check_race_ksm(race_ns, &res[n]);
		check_print(&res[n++]);
	}
	return n;
}

static json_t *check_json(const struct check_result *r)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:b, s:I, s:I, s:b, s:I, s:I, s:I, "
			 "s:I, s:I}", "path", r->path, "verdict",
			 check_verdict_name(r->verdict), "detail", r->detail, "errno",
			 r->err, "acted", r->acted, "pfn_before", (json_int_t)r->pfn_before,
			 "pfn_after", (json_int_t)r->pfn_after, "views_agree",
			 r->views_agree, "cycles", (json_int_t)r->cycles, "attempts",
			 (json_int_t)r->attempts, "races", (json_int_t)r->races,
			 "replaced", (json_int_t)r->replaced, "violations",
			 (json_int_t)r->violations);
}

static void check_save(const struct check_conf *c, json_t *info,
		       const struct check_result *res, size_t n)
{
	char dir[1024], err[256];
	json_t *j, *arr = json_array();

	if (!strcmp(c->output, "-"))
		return;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, check_json(&res[i]));
	j = json_pack("{s:O, s:I, s:o}", "machine", info, "race_time_ns",
		      (json_int_t)c->race_ns, "results", arr);
	if (!j || results_mkdir(c->output, "check", dir, sizeof(dir), err,
				sizeof(err)) < 0 ||
	    results_write_json(dir, "check.json", j, err, sizeof(err)) < 0)
		fprintf(stderr, "gupsync check: results not written: %s\n",
			j ? err : "out of memory");
	else
		printf("# results: %s/check.json\n", dir);
	json_decref(j);
}

/* Exit status: 1 on an internal error, 4 when nothing was checked. */
static int check_summary(const struct check_result *res, size_t n)
{
	size_t count[CHECK_ERROR + 1] = { 0 };

	for (size_t i = 0; i < n; i++)
		count[res[i].verdict]++;
	printf("# %zu PROTECTED, %zu NOT PROTECTED, %zu SKIPPED, %zu errors; "
	       "controls: %zu replaced, %zu not\n", count[CHECK_PROTECTED],
	       count[CHECK_NOT_PROTECTED], count[CHECK_SKIPPED], count[CHECK_ERROR],
	       count[CHECK_REPLACED], count[CHECK_NOT_REPLACED]);
	for (size_t i = 0; i < n; i++)
		if (res[i].verdict == CHECK_NOT_PROTECTED)
			printf("# FINDING: %s: a pinned page was replaced; this kernel "
			       "loses writes through pins on this path\n", res[i].path);
	if (count[CHECK_ERROR])
		return 1;
	return count[CHECK_PROTECTED] + count[CHECK_NOT_PROTECTED] ? 0 : EXIT_SKIP;
}

int check_main(int argc, char **argv)
{
	const struct opt_spec *const tables[] = { check_opts };
	struct check_conf c;
	void *confs[] = { &c };
	struct check_result res[CHECK_MAX];
	struct opt_set set;
	char err[OPT_ERR_LEN], line[256];
	bool help = false;
	json_t *info;
	size_t n;
	int rc;

	if (opt_parse(tables, 1, argc - 1, argv + 1, &set, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync check: %s\n", err);
		return EXIT_USAGE;
	}
	if (help) {
		printf("usage: gupsync check [OPTIONS]\n\nIs a page that GUP pinned "
		       "ever replaced?  MADV_COLLAPSE, KSM and uprobes\nagainst an "
		       "io_uring pin and a vmsplice hold, then races.\n\n");
		opt_help(stdout, tables, 1);
		return 0;
	}
	opt_apply(&set, 0, confs);
	counters_tracefs(err, sizeof(err));	/* before any thread */
	info = sysinfo_collect();
	sysinfo_oneline(info, line, sizeof(line));
	printf("# gupsync check: is a page that GUP pinned ever replaced?\n"
	       "# machine: %s\n", line);
	fflush(stdout);
	n = check_paths(res, c.race_ns);
	rc = check_summary(res, n);
	check_save(&c, info, res, n);
	json_decref(info);
	return rc;
}

int check_command(int argc, char **argv, const char *cmdline)
{
	(void)cmdline;
	return check_main(argc, argv);
}
