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
#include "odirect.h"
#include "options.h"
#include "results.h"
#include "sysinfo.h"
#include "workers.h"

static uint64_t check_seq;

const char *check_verdict_name(enum check_verdict v)
{
	static const char *const names[] = {
		"PROTECTED", "NOT PROTECTED", "NOT APPLICABLE", "replaced",
		"acted in place", "did nothing", "SKIPPED", "ERROR",
	};
	return v <= CHECK_ERROR ? names[v] : "?";
}

enum check_verdict check_judge_control(bool acted, bool moved)
{
	if (!acted)
		return CHECK_DID_NOTHING;
	return moved ? CHECK_REPLACED : CHECK_IN_PLACE;
}

enum check_verdict check_judge_held(enum check_verdict control, bool views_agree,
				    bool moved, bool backed_off)
{
	if (control == CHECK_IN_PLACE)
		return CHECK_NOT_APPLICABLE;
	if (control != CHECK_REPLACED)
		return CHECK_SKIPPED;
	if (!views_agree || moved)
		return CHECK_NOT_PROTECTED;
	return backed_off ? CHECK_PROTECTED : CHECK_SKIPPED;
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

/* check_views(), keeping the word written and the word seen. */
static int check_views_seen(struct pin *p, char *page, uint64_t *pat,
			    uint64_t *seen, char *why, size_t len)
{
	*pat = check_pattern();
	*seen = 0;
	if (p->kind == PIN_NONE)
		return 1;
	if (p->kind == PIN_IO_URING || p->kind == PIN_ODIRECT) {
		if (pin_write(p, CHECK_VIEW_OFF, pat, sizeof(*pat), why, len) < 0)
			return -1;
		memcpy(seen, page + CHECK_VIEW_OFF, sizeof(*seen));
	} else {
		memcpy(page + CHECK_VIEW_OFF, pat, sizeof(*pat));
		if (pin_read(p, CHECK_VIEW_OFF, seen, sizeof(*seen), why, len) < 0)
			return -1;
	}
	return *seen == *pat;
}

int check_views(struct pin *p, char *page, char *why, size_t len)
{
	uint64_t pat, seen;

	return check_views_seen(p, page, &pat, &seen, why, len);
}

static void check_describe(struct check_result *r, const struct check_target *t,
			   enum pin_kind pin, uint64_t pat, uint64_t seen)
{
	char pfn[120], undone[80] = "", views[160] = "";

	if (r->undone)
		snprintf(undone, sizeof(undone), r->pfn_undone ? ", %#" PRIx64
			 " after unregistration" : ", not mapped after "
			 "unregistration (PTE zapped)", r->pfn_undone);
	if (pin == PIN_IO_URING)
		snprintf(views, sizeof(views), "; wrote %#" PRIx64 " through the pin, "
			 "the mapping reads %#" PRIx64 ": %s", pat, seen,
			 r->views_agree ? "visible" : "write LOST");
	else if (pin == PIN_ODIRECT)
		snprintf(views, sizeof(views), "; the held O_DIRECT read completed "
			 "with %#" PRIx64 ", the mapping reads %#" PRIx64 ": %s", pat,
			 seen, r->views_agree ? "arrived" : "read LOST");
	else if (pin == PIN_VMSPLICE)
		snprintf(views, sizeof(views), "; wrote %#" PRIx64 " to the mapping, "
			 "the hold reads %#" PRIx64 ": %s", pat, seen,
			 r->views_agree ? "seen" : "NOT seen, the hold has a stale page");
	if (!r->pfn_before || !r->pfn_after)
		snprintf(pfn, sizeof(pfn), "PFN unknown");
	else if (r->pfn_before == r->pfn_after)
		snprintf(pfn, sizeof(pfn), "PFN %#" PRIx64 " unchanged%s",
			 r->pfn_before, undone);
	else
		snprintf(pfn, sizeof(pfn), "PFN %#" PRIx64 " -> %#" PRIx64 "%s%s",
			 r->pfn_before, r->pfn_after, pin == PIN_NONE ? "" :
			 " (the hold keeps the first)", undone);
	snprintf(r->detail, sizeof(r->detail), "%s; %s%s", t->note, pfn, views);
}

/* Why a held run came to its verdict, after what was seen. */
static void check_explain(const struct check_replacer *rep, struct check_result *r,
			  const struct check_result *control)
{
	size_t n = strlen(r->detail);
	char *d = r->detail + n;
	size_t left = sizeof(r->detail) - n;

	switch (r->verdict) {
	case CHECK_NOT_APPLICABLE:
		snprintf(d, left, ": the unheld control acted in place too: %s; "
			 "nothing to protect", rep->in_place ? rep->in_place :
			 "no page is replaced on this kernel");
		break;
	case CHECK_SKIPPED:
		if (control && control->verdict != CHECK_REPLACED)
			snprintf(d, left, ": the unheld control %s (%.120s): no "
				 "evidence either way", control->verdict ==
				 CHECK_DID_NOTHING ? "did nothing" : "could not be judged",
				 control->detail);
		else
			snprintf(d, left, ": no back-off (%s) and nothing "
				 "replaced: the kernel did not try (%s)", rep->backoff,
				 r->err ? strerrorname_np(r->err) : "no errno");
		break;
	case CHECK_NOT_PROTECTED:
		snprintf(d, left, ": %s", r->moved ? "the held page was replaced" :
			 "the views parted");
		break;
	default:
		break;
	}
}

static void check_attempt(const struct check_replacer *rep, struct check_target *t,
			  struct pin *p, const struct check_result *control,
			  struct check_result *r)
{
	char why[256] = "";
	uint64_t pat, seen;
	int agree;

	pin_mapped_pfn(t->page, &r->pfn_before, why, sizeof(why));
	if (rep->attempt(t, p->kind, why, sizeof(why)) < 0) {
		check_skip(r, why);
		return;
	}
	pin_mapped_pfn(t->page, &r->pfn_after, why, sizeof(why));
	r->err = t->err;
	r->acted = t->acted;
	r->backed_off = t->backed_off;
	r->moved = t->merged || (r->pfn_before && r->pfn_after &&
				 r->pfn_before != r->pfn_after);
	agree = check_views_seen(p, t->page, &pat, &seen, why, sizeof(why));
	if (agree < 0) {
		check_error(r, why);
		return;
	}
	r->views_agree = agree;
	if (rep->undo && rep->undo(t, why, sizeof(why)) == 0) {
		r->undone = true;
		pin_mapped_pfn(t->page, &r->pfn_undone, why, sizeof(why));
	}
	if (p->kind == PIN_NONE)
		r->verdict = check_judge_control(r->acted, r->moved);
	else
		r->verdict = check_judge_held(control ? control->verdict :
					      CHECK_REPLACED, agree, r->moved,
					      r->backed_off);
	check_describe(r, t, p->kind, pat, seen);
	if (p->kind != PIN_NONE)
		check_explain(rep, r, control);
}

int check_one(const struct check_replacer *rep, enum pin_kind pin,
	      const struct check_result *control, struct check_result *r)
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
		check_attempt(rep, &t, &p, control, r);
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
	{ .name = "race-time", .type = OPT_DURATION,
	  .help = "how long each race check runs (0: none)",
	  .def = "2s", .max = 600000000000ull,
	  .offset = offsetof(struct check_conf, race_ns) },
	{ .name = "output", .type = OPT_STR,
	  .help = "directory that receives check-<date>/check.json (\"-\": "
	  "write none)",
	  .def = "results", .offset = offsetof(struct check_conf, output) },
	{ NULL },
};

static void check_print(const struct check_result *r)
{
	printf("%-22s %s (%s)\n", r->path, check_verdict_name(r->verdict), r->detail);
	fflush(stdout);
}

static size_t check_paths(struct check_result *res, uint64_t race_ns,
			  struct odirect_proof *odirect)
{
	const struct check_replacer *reps[] = { &check_collapse, &check_ksm,
						&check_uprobe };
	const enum pin_kind holds[] = { PIN_IO_URING, PIN_VMSPLICE, PIN_ODIRECT };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		size_t control = n;

		check_one(reps[i], PIN_NONE, NULL, &res[n]);
		check_print(&res[n++]);
		for (size_t k = 0; k < sizeof(holds) / sizeof(holds[0]); k++) {
			check_one(reps[i], holds[k], &res[control], &res[n]);
			check_print(&res[n++]);
		}
	}
	check_odirect_proof(odirect);
	printf("# odirect-fuse path: %s\n", odirect->text);
	fflush(stdout);
	if (race_ns) {
		check_race_collapse(race_ns, &res[n]);
		check_print(&res[n++]);
		check_race_ksm(race_ns, &res[n]);
		check_print(&res[n++]);
		check_race_odirect(race_ns, &res[n]);
		check_print(&res[n++]);
		check_race_odirect_ksm(race_ns, &res[n]);
		check_print(&res[n++]);
	}
	return n;
}

static json_t *check_json(const struct check_result *r)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:I, s:I, s:b}",
			      "path", r->path, "verdict",
			      check_verdict_name(r->verdict), "detail", r->detail,
			      "errno", r->err, "acted", r->acted, "moved", r->moved,
			      "backed_off", r->backed_off, "pfn_before",
			      (json_int_t)r->pfn_before, "pfn_after",
			      (json_int_t)r->pfn_after, "views_agree", r->views_agree);

	if (j && r->undone)
		json_object_set_new(j, "pfn_unregistered", json_integer(
					    (json_int_t)r->pfn_undone));
	if (j)
		json_object_update_new(j, json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "cycles",
			(json_int_t)r->cycles, "attempts", (json_int_t)r->attempts,
			"races", (json_int_t)r->races, "races_min",
			(json_int_t)RACE_MIN_OVERLAP, "replaced",
			(json_int_t)r->replaced, "violations",
			(json_int_t)r->violations, "eagain_held",
			(json_int_t)r->eagain_held, "eagain_unheld",
			(json_int_t)r->eagain_unheld));
	return j;
}

static void check_save(const struct check_conf *c, json_t *info,
		       const struct check_result *res, size_t n,
		       const struct odirect_proof *od)
{
	char dir[1024], err[256];
	json_t *j, *arr = json_array();

	if (!strcmp(c->output, "-"))
		return;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, check_json(&res[i]));
	j = json_pack("{s:O, s:I, s:o, s:{s:b, s:i, s:f, s:i, s:f, s:s}}", "machine",
		      info, "race_time_ns", (json_int_t)c->race_ns, "results", arr,
		      "odirect_proof", "proven", od->proven, "held_reads",
		      (int)od->reads, "mmap_lock_per_held_read", od->fast_per_read,
		      "control_reads", (int)od->control_reads,
		      "mmap_lock_per_control_read", od->slow_per_read, "verdict",
		      od->text);
	if (!j || results_mkdir(c->output, "check", dir, sizeof(dir), err,
				sizeof(err)) < 0 ||
	    results_write_json(dir, "check.json", j, err, sizeof(err)) < 0)
		fprintf(stderr, "gupsync check: results not written: %s\n",
			j ? err : "out of memory");
	else
		printf("# results: %s/check.json\n", dir);
	json_decref(j);
}

int check_summary(const struct check_result *res, size_t n)
{
	size_t count[CHECK_ERROR + 1] = { 0 };

	for (size_t i = 0; i < n; i++)
		count[res[i].verdict]++;
	printf("# %zu PROTECTED, %zu NOT PROTECTED, %zu SKIPPED, %zu NOT APPLICABLE, "
	       "%zu errors; controls: %zu replaced, %zu in place, %zu did nothing\n",
	       count[CHECK_PROTECTED], count[CHECK_NOT_PROTECTED],
	       count[CHECK_SKIPPED], count[CHECK_NOT_APPLICABLE], count[CHECK_ERROR],
	       count[CHECK_REPLACED], count[CHECK_IN_PLACE], count[CHECK_DID_NOTHING]);
	for (size_t i = 0; i < n; i++)
		if (res[i].verdict == CHECK_NOT_PROTECTED)
			printf("# FINDING: %s: a pinned page was replaced; this kernel "
			       "loses writes through pins on this path\n", res[i].path);
	if (count[CHECK_ERROR])
		return 1;
	return count[CHECK_PROTECTED] + count[CHECK_NOT_PROTECTED] ? 0 : EXIT_SKIP;
}

int cmd_check(int argc, char **argv, const char *cmdline)
{
	const struct opt_spec *const tables[] = { check_opts };
	struct check_conf c;
	void *confs[] = { &c };
	struct check_result res[CHECK_MAX];
	struct odirect_proof odirect;
	struct opt_set set;
	char err[OPT_ERR_LEN], line[256];
	bool help = false;
	json_t *info;
	size_t n;
	int rc;

	(void)cmdline;
	if (opt_parse(tables, 1, argc - 1, argv + 1, &set, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync check: %s\n", err);
		return EXIT_USAGE;
	}
	if (help) {
		printf("usage: gupsync check [OPTIONS]\n\n"
		       "Is a page that GUP pinned ever replaced?  MADV_COLLAPSE,\n"
		       "KSM and uprobes against an io_uring pin, a vmsplice hold\n"
		       "and an O_DIRECT read held in flight by a FUSE server\n"
		       "(odirect-fuse), then races.  Each path runs first on an unheld page,\n"
		       "the control:\n"
		       "  replaced        held runs are PROTECTED (views agree, PFN\n"
		       "                  unchanged, and the kernel's back-off seen:\n"
		       "                  EAGAIN from MADV_COLLAPSE; KSM: the held\n"
		       "                  page unmerged while its twin pair merged;\n"
		       "                  uprobes: the int3 in the held page), NOT\n"
		       "                  PROTECTED (page replaced or views parted),\n"
		       "                  or SKIPPED (no back-off: the real errno)\n"
		       "  acted in place  held runs are NOT APPLICABLE: nothing is\n"
		       "                  replaced (uprobes since Linux 6.16)\n"
		       "  did nothing     held runs are SKIPPED\n"
		       "A race verdict needs %d attempts that provably overlapped a\n"
		       "hold (0 violations in %d: rate < 1%% at 95%% confidence);\n"
		       "fewer is SKIPPED (too little activity).\n"
		       "Exit 0 when a line came to PROTECTED or NOT PROTECTED, 4\n"
		       "when none did, 1 on an internal error, 2 on bad options.\n\n",
		       RACE_MIN_OVERLAP, RACE_MIN_OVERLAP);
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
	n = check_paths(res, c.race_ns, &odirect);
	rc = check_summary(res, n);
	check_save(&c, info, res, n, &odirect);
	json_decref(info);
	return rc;
}
