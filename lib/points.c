// SPDX-License-Identifier: GPL-2.0
/*
 * points.c - one data point made ready before anything runs: its config
 * (the benchmark's check()), the memory its workers would map, its
 * placement and the PUs of its workers.  Bad input is refused here with
 * exit 2 (run_usage), before any file is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"
#include "run.h"

/* Whether "list" is one of the --placement values (then --cpu-list is
 * for those points, and the others leave it aside). */
static bool list_swept(const struct run *r)
{
	const struct opt_val *v = opt_find(&r->opts, "placement");

	for (size_t k = 0; v && k < v->n; k++)
		if (!strcmp(placement_names[v->v[k].e], "list"))
			return true;
	return false;
}

/* --placement NAME (+ --cpu-list for "list") -> a place_spec. */
static int placement_spec(struct run *r, struct run_point *rp)
{
	const char *name = placement_names[rp->rc.placement];
	bool is_list = !strcmp(name, "list");
	char err[OPT_ERR_LEN], s[OPT_ERR_LEN];

	if (is_list && !strcmp(rp->rc.cpu_list, "unset"))
		return run_usage(r, "--placement list needs --cpu-list, e.g. "
				 "--cpu-list 0-3,8");
	if (!is_list && strcmp(rp->rc.cpu_list, "unset") && !list_swept(r))
		return run_usage(r, "--cpu-list is only for --placement list");
	snprintf(s, sizeof(s), is_list ? "list:%s" : "%s",
		 is_list ? rp->rc.cpu_list : name);
	rp->place = calloc(1, sizeof(*rp->place));
	if (!rp->place)
		return run_usage(r, "out of memory");
	if (place_parse(s, rp->place, err, sizeof(err)) < 0)
		return run_usage(r, "%s", err);
	rp->place->unit = rp->rc.unit;
	rp->place->oversubscribe = rp->rc.oversubscribe;
	return 0;
}

/* MemAvailable of /proc/meminfo in bytes; 0 if unknown. */
static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kb = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

/* A point whose workers would map more than the machine has is refused
 * before anything runs (the OOM killer is not an error message). */
static int check_memory(struct run *r, struct run_point *rp)
{
	char how[128] = "";
	uint64_t per, need, have;

	if (!r->b->mem_per_worker)
		return 0;
	per = r->b->mem_per_worker(rp->conf, how, sizeof(how));
	need = per * rp->rc.threads;
	have = mem_available();
	if (!have || need <= have)
		return 0;
	return run_usage(r, "--threads=%llu: needs about %.1f GiB (%llu workers "
			 "x %.2f GiB: %s); this machine has %.1f GiB available",
			 (unsigned long long)rp->rc.threads, need / 1073741824.0,
			 (unsigned long long)rp->rc.threads, per / 1073741824.0,
			 how, have / 1073741824.0);
}

int run_prepare_point(struct run *r, size_t i)
{
	struct run_point *rp = &r->points[i];
	char err[OPT_ERR_LEN];
	int rc;

	rp->status = POINT_NOT_RUN;
	rp->conf = calloc(1, r->b->conf_size ? r->b->conf_size : 1);
	if (!rp->conf)
		return run_usage(r, "out of memory");
	opt_apply(&r->opts, i, (void *const[]){ &rp->rc, rp->conf });
	if (r->b->check && r->b->check(rp->conf, err, sizeof(err)) < 0)
		return run_usage(r, "%s", err);
	if (rp->rc.bg_threads && !r->b->bg_loop)
		return run_usage(r, "--bg-threads: %s has no background workers; "
				 "allowed: 0", r->b->name);
	if (check_memory(r, rp) || placement_spec(r, rp))
		return EXIT_USAGE;
	rp->pus = calloc(rp->rc.threads + rp->rc.bg_threads, sizeof(int));
	if (!rp->pus)
		return run_usage(r, "out of memory");
	rc = place_cpus(r->topo, rp->place, rp->rc.threads + rp->rc.bg_threads,
			rp->pus, err, sizeof(err));
	/* --fit (sweeps): a point with more workers than the topology has
	 * PUs is skipped with the reason, the others run. */
	if (rc < 0 && rp->rc.fit && rp->rc.threads + rp->rc.bg_threads >
	    topo_count(r->topo, PLACE_UNIT_PU)) {
		rp->status = BENCH_SKIP;
		snprintf(rp->reason, sizeof(rp->reason), "does not fit: %llu "
			 "measured + %llu background workers, %u PUs here",
			 (unsigned long long)rp->rc.threads,
			 (unsigned long long)rp->rc.bg_threads,
			 topo_count(r->topo, PLACE_UNIT_PU));
		rc = 0;
	}
	/* The PUs are all a point keeps: its spec (a 16 KiB CPU list) goes,
	 * so a sweep of many points costs what its points need. */
	free(rp->place);
	rp->place = NULL;
	if (rc < 0)
		return run_usage(r, "--threads=%llu --bg-threads=%llu: %s",
				 (unsigned long long)rp->rc.threads,
				 (unsigned long long)rp->rc.bg_threads, err);
	return 0;
}
