// SPDX-License-Identifier: GPL-2.0
/*
 * run_prepare.c - a run before it measures: the harness's options, the
 * data points parsed and placed (run_prepare()), what a dry run prints,
 * and the time model of a run that is not started (run_model()).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eta.h"
#include "futexhash.h"
#include "placement.h"
#include "run.h"
#include "slices.h"
#include "text.h"

#define MIN_TARGET_TRIALS 3
#define RUN_MIN_CI_TRIALS 6	/* a 95% CI of the median (stats.h) */
#define MAX_TRIALS 10000

static const char *const unit_names[] = { "pu", "core", NULL };
/* Same order as the names place_parse() takes. */
const char *const placement_names[] = {
	"compact", "scatter", "none", "list", NULL,
};
static const char *const order_names[] = {
	"sequential", "interleave", "random", NULL,
};

static const char *const interleave_names[] = { "slices", "windows", NULL };

static const struct opt_spec harness_opts[] = {
	{ .name = "threads", .type = OPT_U64,
	  .help = "workers, one per PU/core; a list or range is swept",
	  .def = "1", .min = 1, .max = PLACE_MAX_CPUS, .list = true,
	  .offset = offsetof(struct run_conf, threads) },
	{ .name = "bg-threads", .type = OPT_U64,
	  .help = "background workers (victims/load) placed after the "
	  "measured ones",
	  .def = "0", .max = PLACE_MAX_CPUS, .list = true,
	  .offset = offsetof(struct run_conf, bg_threads) },
	{ .name = "placement", .type = OPT_ENUM,
	  .help = "compact: fill a core, L3, package first; scatter: spread; "
	  "none: unbound; list: --cpu-list",
	  .def = "compact", .choices = placement_names, .list = true,
	  .offset = offsetof(struct run_conf, placement) },
	{ .name = "cpu-list", .type = OPT_STR,
	  .help = "PUs in order for --placement list, e.g. 0-3,8",
	  .def = "unset", .offset = offsetof(struct run_conf, cpu_list) },
	{ .name = "unit", .type = OPT_ENUM,
	  .help = "what one worker gets: a PU, or a whole core",
	  .def = "pu", .choices = unit_names,
	  .offset = offsetof(struct run_conf, unit) },
	{ .name = "trials", .type = OPT_U64,
	  .help = "trials per data point (each runs every mode; benchmarks "
	  "with a throughput pair in slices: 40 unless given)",
	  .def = "10", .min = 1, .max = MAX_TRIALS,
	  .offset = offsetof(struct run_conf, trials) },
	{ .name = "order", .type = OPT_ENUM,
	  .help = "sequential: all trials of a point, then the next; "
	  "interleave: trial t of every point, then t+1 (drift hits all "
	  "alike); random: interleave in a shuffled order (--seed)",
	  .def = "sequential", .choices = order_names,
	  .offset = offsetof(struct run_conf, order) },
	{ .name = "seed", .type = OPT_U64, .help = "seed of --order random",
	  .def = "1", .max = UINT32_MAX,
	  .offset = offsetof(struct run_conf, seed) },
	{ .name = "target-time", .type = OPT_DURATION,
	  .help = "instead of --trials: as many trials as fit in this time "
	  "per point",
	  .def = "0", .max = 24 * 3600 * 1000000000ull,
	  .offset = offsetof(struct run_conf, target_ns) },
	{ .name = "duration", .type = OPT_DURATION,
	  .help = "timed window per mode and trial (a throughput pair in slices: 125ms "
	  "unless given)",
	  .def = "500ms", .min = 1000000, .max = 3600 * 1000000000ull,
	  .offset = offsetof(struct run_conf, duration_ns) },
	{ .name = "warmup", .type = OPT_DURATION,
	  .help = "run before each timed window, not counted (a throughput pair in "
	  "slices: 20ms unless given)",
	  .def = "100ms", .max = 3600 * 1000000000ull,
	  .offset = offsetof(struct run_conf, warmup_ns) },
	{ .name = "topology", .type = OPT_STR,
	  .help = "\"machine\" (this one) or an hwloc synthetic topology such "
	  "as \"package:2 core:4 pu:2\" (then only --dry-run)",
	  .def = "machine", .offset = offsetof(struct run_conf, topology) },
	{ .name = "output", .type = OPT_STR,
	  .help = "directory that receives the run directory",
	  .def = "results", .offset = offsetof(struct run_conf, output) },
	{ .name = "dry-run", .type = OPT_FLAG,
	  .help = "print the data points and placement, run nothing",
	  .offset = offsetof(struct run_conf, dry_run) },
	{ .name = "no-counters", .type = OPT_FLAG,
	  .help = "read no perf counters in the timed windows (the proof pass "
	  "still does)",
	  .offset = offsetof(struct run_conf, no_counters) },
	{ .name = "keep-aslr", .type = OPT_FLAG,
	  .help = "leave ASLR on (by default gupsync re-executes itself with "
	  "it off)",
	  .offset = offsetof(struct run_conf, keep_aslr) },
	{ .name = "fit", .type = OPT_FLAG,
	  .help = "skip the data points whose workers do not fit this "
	  "topology's PUs (each said, with why) instead of refusing the run; "
	  "sweep uses it",
	  .offset = offsetof(struct run_conf, fit) },
	{ .name = "oversubscribe", .type = OPT_FLAG,
	  .help = "with --placement none: allow more workers than PUs",
	  .offset = offsetof(struct run_conf, oversubscribe) },
	{ .name = "quiet", .type = OPT_FLAG,
	  .help = "no progress lines on stderr",
	  .offset = offsetof(struct run_conf, quiet) },
	{ .name = "futex-hash", .type = OPT_ENUM,
	  .help = "hash of private futexes (6.16+): global (the baseline of "
	  "every private - shared difference stays put), or process (the "
	  "kernel's per-process default, which moves with the thread count)",
	  .def = "global", .choices = futex_hash_names,
	  .offset = offsetof(struct run_conf, futex_hash) },
	{ .name = "interleave", .type = OPT_ENUM,
	  .help = "a benchmark's paired modes (see its modes above): slices = "
	  "alternate in ABBA slices within one window of twice --duration, "
	  "median of the slice pairs; windows = one window per mode (the old "
	  "way)",
	  .def = "slices", .choices = interleave_names,
	  .offset = offsetof(struct run_conf, interleave) },
	{ .name = "slice", .type = OPT_DURATION,
	  .help = "target length of one slice of --interleave slices "
	  "(converted to a count of the leader's ops from the last ns per op)",
	  .def = SLICE_DEFAULT, .min = SLICE_MIN_NS, .max = SLICE_MAX_NS,
	  .offset = offsetof(struct run_conf, slice_ns) },
	{ .name = "budget", .type = OPT_DURATION,
	  .help = "the whole run's wall time: as many trials (up to --trials "
	  "or the default) as the time model says fit, at least 6 (a 95% CI "
	  "of the median needs 6), then shorter windows; the header says what "
	  "was chosen",
	  .def = "0", .min = 0, .max = 24 * 3600 * 1000000000ull,
	  .offset = offsetof(struct run_conf, budget_ns) },
	{ NULL },
};

const struct opt_spec *run_harness_opts(void)
{
	return harness_opts;
}

int run_usage(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gupsync run %s: ", r->b->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

void run_point_label(const struct run *r, size_t i, char *buf, size_t len)
{
	size_t off = 0;
	char v[64];

	buf[0] = 0;
	for (size_t k = 0; k < r->opts.n && off < len; k++) {
		const struct opt_spec *s = r->opts.vals[k].spec;

		if (!s->list || r->opts.vals[k].n < 2)	/* only what varies */
			continue;
		opt_point_value(&r->opts, i, s->name, v, sizeof(v));
		off += snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
				s->name, v);
	}
}

void run_help(const struct bench *b)
{
	const struct opt_spec *tables[] = { harness_opts, b->opts };

	printf("usage: gupsync run %s [options]\n\n%s\nkernel path: %s\n",
	       b->name, b->summary, b->kernel_path);
	printf("\nmodes (each trial runs every mode; proof modes run once per point):\n");
	for (unsigned m = 0; m < BENCH_MAX_MODES && b->modes[m].name; m++)
		printf("  %-10s %s%s\n", b->modes[m].name, b->modes[m].what,
		       b->modes[m].proof_only ? " [proof only]" : "");
	printf("\nharness options:\n");
	opt_help(stdout, tables, 1);
	if (b->opts && b->opts[0].name) {
		printf("\n%s options:\n", b->name);
		opt_help(stdout, tables + 1, 1);
	}
}

unsigned run_nmodes(const struct bench *b)
{
	unsigned n = 0;

	while (n < BENCH_MAX_MODES && b->modes[n].name)
		n++;
	return n;
}

/*
 * A bench whose pair alternates in slices gets more, shorter trials unless
 * the user chose: the CI of the median over 10 trials is [x(2), x(9)],
 * which the machine's slow changes of state keep wide; 40 trials of
 * 2 x 125 ms (CI [x(14), x(27)]) take about the same time, and a warm-up
 * of 20 ms is enough when both modes run in every slice of the window.
 * Measured on the 2-vCPU VM (README "Precision"): gup_fast_rel's CI
 * half-width 0.3-1.3% of the median this way, 0.9-1.2% with 20 x 250 ms.
 */
#define PAIR_TRIALS 40
#define PAIR_DURATION_NS 125000000ull
#define PAIR_WARMUP_NS 20000000ull

static void pair_defaults(struct run *r)
{
	const struct opt_val *t = opt_find(&r->opts, "trials");
	const struct opt_val *d = opt_find(&r->opts, "duration");
	const struct opt_val *w = opt_find(&r->opts, "warmup");

	/* A latency pair keeps its windows: one of 2 x 500 ms holds ~100
	 * normal grace periods (rcu-wait), 125 ms would hold ~25. */
	if (!run_slicing(r) || r->b->kind != BENCH_THROUGHPUT)
		return;
	if (t && !t->given)
		r->rc.trials = PAIR_TRIALS;
	if (d && !d->given)
		r->rc.duration_ns = PAIR_DURATION_NS;
	if (w && !w->given)
		r->rc.warmup_ns = PAIR_WARMUP_NS;
	for (size_t i = 0; i < r->npoints; i++) {
		r->points[i].rc.trials = r->rc.trials;
		r->points[i].rc.duration_ns = r->rc.duration_ns;
		r->points[i].rc.warmup_ns = r->rc.warmup_ns;
	}
}

/* --output DIR is made if missing, but its parent must exist: a typo
 * in a path is bad input (exit 2), not a tree of new directories. */
static bool output_parent_missing(const char *out, char *err, size_t len)
{
	char parent[1024], *slash;
	struct stat st;

	snprintf(parent, sizeof(parent), "%s", out);
	while ((slash = strrchr(parent, '/')) && slash > parent && !slash[1])
		*slash = '\0';			/* "a/b/" -> "a/b" */
	slash = strrchr(parent, '/');
	if (!slash)
		return false;			/* "results": here */
	slash[slash == parent] = '\0';	/* "/x" -> "/" */
	if (!stat(parent, &st) && S_ISDIR(st.st_mode))
		return false;
	snprintf(err, len, "--output %.80s: %.80s does not exist (or is not a "
		 "directory); create it first", out, parent);
	return true;
}

/* Parse, validate every point and its placement: all before any file. */
int run_prepare(struct run *r, int argc, char *const argv[])
{
	const struct opt_spec *tables[] = { harness_opts, r->b->opts };
	char err[OPT_ERR_LEN];
	bool help = false;

	if (opt_parse(tables, r->b->opts ? 2 : 1, argc, argv, &r->opts, &help,
		      err, sizeof(err)) < 0)
		return run_usage(r, "%s", err);
	if (help) {
		run_help(r->b);
		return 1;
	}
	r->bconf = calloc(1, r->b->conf_size ? r->b->conf_size : 1);
	r->npoints = opt_npoints(&r->opts);
	r->points = calloc(r->npoints, sizeof(*r->points));
	if (!r->bconf || !r->points)
		return run_usage(r, "out of memory");
	opt_apply(&r->opts, 0, (void *const[]){ &r->rc, r->bconf });
	if (opt_find(&r->opts, "trials")->given &&
	    opt_find(&r->opts, "target-time")->given)
		return run_usage(r, "--trials and --target-time: give one (the "
				 "target time chooses the trials)");
	if (opt_find(&r->opts, "budget")->given &&
	    opt_find(&r->opts, "target-time")->given)
		return run_usage(r, "--budget and --target-time: give one (both "
				 "choose the trials)");
	if (!strcmp(r->rc.output, "-"))
		return run_usage(r, "--output -: a run always writes its run "
				 "directory (check's '-' means none); give a directory");
	if (!r->rc.dry_run && output_parent_missing(r->rc.output, err, sizeof(err)))
		return run_usage(r, "%s", err);
	if (topo_open(strcmp(r->rc.topology, "machine") ? r->rc.topology : NULL,
		      &r->topo, err, sizeof(err)) < 0)
		return run_usage(r, "%s", err);
	r->dry = r->rc.dry_run || topo_is_synthetic(r->topo);
	for (size_t i = 0; i < r->npoints; i++)
		if (run_prepare_point(r, i))
			return EXIT_USAGE;
	pair_defaults(r);
	r->trials = r->rc.trials;
	if (r->rc.target_ns) {
		uint64_t per = (r->rc.warmup_ns + r->rc.duration_ns) * r->nmeasured;
		uint64_t t = r->rc.target_ns / (per ? per : 1);

		r->trials = t < MIN_TARGET_TRIALS ? MIN_TARGET_TRIALS :
			    t > MAX_TRIALS ? MAX_TRIALS : t;
	}
	if (r->rc.budget_ns)
		eta_fit(r, r->rc.budget_ns / 1e9, RUN_MIN_CI_TRIALS);
	return 0;
}

void run_dry(struct run *r)
{
	char topo[256], val[64], head[512];

	topo_describe(r->topo, topo, sizeof(topo));
	snprintf(head, sizeof(head), "%s: %zu data points, %llu trials each; "
		 "topology: %s%s", r->b->name, r->npoints,
		 (unsigned long long)r->trials, topo,
		 topo_is_synthetic(r->topo) ? " (synthetic)" : "");
	fputs("# ", stdout);
	text_wrap(stdout, 2, "#   ", TEXT_WIDTH, head);
	snprintf(head, sizeof(head), "estimated: about %.0f s in all (the "
		 "time model: windows, proof pass, setup and saving; plots "
		 "not included)", eta_left_s(r) + ETA_START_S);
	fputs("# ", stdout);
	text_wrap(stdout, 2, "#   ", TEXT_WIDTH, head);
	eta_budget_note(r, stdout);
	printf("# PUs: the measured workers' CPUs, then after | the background "
	       "workers'\n");
	for (size_t i = 0; i < r->npoints; i++) {
		struct run_point *rp = &r->points[i];

		run_point_label(r, i, val, sizeof(val));
		if (rp->status == BENCH_SKIP) {
			printf("%-40s skipped: %s\n", val, rp->reason);
			continue;
		}
		if (rp->rc.threads + rp->rc.bg_threads && rp->pus[0] < 0) {
			printf("%-40s PUs: none, %llu workers unbound "
			       "(--placement none)\n", val, (unsigned long long)
			       (rp->rc.threads + rp->rc.bg_threads));
			continue;
		}
		printf("%-40s PUs:", val);
		for (unsigned k = 0; k < rp->rc.threads + rp->rc.bg_threads; k++)
			printf("%s%d", k == rp->rc.threads ? " | background:" : " ",
			       rp->pus[k]);
		if (rp->rc.threads + rp->rc.bg_threads > 1)
			printf("  (0-1: %s)", place_relation(r->topo, rp->pus[0],
							      rp->pus[1]));
		printf("\n");
	}
}

int run_model(const struct bench *b, int argc, char *const argv[],
	      struct eta_model *m, char *err, size_t len)
{
	struct run r = { .b = b, .argc = argc, .argv = argv };
	int rc;

	r.nmodes = run_nmodes(b);
	for (unsigned k = 0; k < r.nmodes; k++)
		r.nmeasured += !b->modes[k].proof_only;
	rc = run_prepare(&r, argc, argv);
	if (rc) {
		snprintf(err, len, "its options do not parse (exit %d)", rc);
		return -1;
	}
	eta_model(&r, m);
	return 0;
}
