// SPDX-License-Identifier: GPL-2.0
/*
 * placement.c - which CPU each worker runs on, decided with hwloc.
 *
 * Everything is expressed in hwloc objects so that the count of workers and
 * the objects they are bound to come from the same place (will-it-scale
 * counted /proc/cpuinfo lines but bound per core).  Results are OS PU
 * indices, the numbers sched_getcpu() and the kernel's tracepoints report.
 */
#include "placement.h"
#include "options.h"
#include "topo_priv.h"

#include <errno.h>
#include <hwloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLACE_LIST_PREFIX "list:"
#define PLACE_RANGE_LEN 128 /* "0-31" style list of the topology's PUs */
#define PLACE_SYNTH_EXAMPLE "package:2 l3cache:2 core:4 pu:2"


static void place_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void place_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The PUs a synthetic description makes: the product of its "type:N"
 * arities (hwloc's own parser takes minutes and gigabytes for a million;
 * ask before it is built).  Attributes in parentheses are skipped.
 */
static double synth_pus(const char *s)
{
	double pus = 1;

	while (*s) {
		const char *colon = strchr(s, ':');
		char *end;
		double n;

		if (!colon)
			break;
		n = strtod(colon + 1, &end);
		if (end == colon + 1)
			break;
		pus *= n;
		s = end;
	}
	return pus;
}

int topo_open(const char *synthetic, struct topo **out, char *err,
	      size_t errlen)
{
	bool synth = synthetic && *synthetic;
	struct topo *t;

	if (synth && synth_pus(synthetic) > PLACE_MAX_CPUS) {
		place_err(err, errlen, "--topology: '%s' has %.0f PUs; at most %d",
			  synthetic, synth_pus(synthetic), PLACE_MAX_CPUS);
		return -1;
	}
	t = calloc(1, sizeof(*t));

	if (!t) {
		place_err(err, errlen, "topology: calloc: %s", strerror(errno));
		return -1;
	}
	t->synthetic = synth;
	if (hwloc_topology_init(&t->h) < 0) {
		place_err(err, errlen, "hwloc_topology_init: %s",
			  strerror(errno));
		free(t);
		return -1;
	}
	if (synth && hwloc_topology_set_synthetic(t->h, synthetic) < 0) {
		place_err(err, errlen,
			  "--topology: '%s' is not a valid hwloc synthetic "
			  "description (e.g. \"" PLACE_SYNTH_EXAMPLE "\")",
			  synthetic);
		hwloc_topology_destroy(t->h);
		free(t);
		return -1;
	}
	if (hwloc_topology_load(t->h) < 0) {
		place_err(err, errlen, "hwloc_topology_load(%s): %s",
			  synth ? synthetic : "this machine", strerror(errno));
		hwloc_topology_destroy(t->h);
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void topo_close(struct topo *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->h);
	free(t);
}

bool topo_is_synthetic(const struct topo *t)
{
	return t->synthetic;
}

/* The object type one worker gets; a topology without cores uses PUs. */
static hwloc_obj_type_t unit_type(const struct topo *t, enum place_unit unit)
{
	if (unit == PLACE_UNIT_CORE && nb_type(t, HWLOC_OBJ_CORE) > 0)
		return HWLOC_OBJ_CORE;
	return HWLOC_OBJ_PU;
}

unsigned topo_count(const struct topo *t, enum place_unit unit)
{
	return nb_type(t, unit_type(t, unit));
}

const char *place_policy_name(enum place_policy p)
{
	switch (p) {
	case PLACE_COMPACT: return "compact";
	case PLACE_SCATTER: return "scatter";
	case PLACE_LIST:    return "list";
	case PLACE_NONE:    return "none";
	}
	return "unknown";
}

int place_parse(const char *s, struct place_spec *spec, char *err,
		size_t errlen)
{
	static const enum place_policy simple[] = {
		PLACE_COMPACT, PLACE_SCATTER, PLACE_NONE
	};
	const size_t plen = strlen(PLACE_LIST_PREFIX);
	char why[OPT_ERR_LEN];

	for (size_t i = 0; i < sizeof(simple) / sizeof(*simple); i++) {
		if (!strcmp(s, place_policy_name(simple[i]))) {
			spec->policy = simple[i];
			spec->nlist = 0;
			return 0;
		}
	}
	if (!strncmp(s, PLACE_LIST_PREFIX, plen)) {
		if (parse_cpulist(s + plen, PLACE_MAX_CPUS - 1, spec->list,
				  PLACE_MAX_CPUS, &spec->nlist, why,
				  sizeof(why)) < 0) {
			place_err(err, errlen, "--placement list: %s", why);
			return -1;
		}
		spec->policy = PLACE_LIST;
		return 0;
	}
	place_err(err, errlen,
		  "--placement: '%s' is not one of: compact, scatter, none, "
		  "list:CPULIST", s);
	return -1;
}

/* OS index of the first PU (in logical order) of obj. */
static int first_pu(const struct topo *t, hwloc_obj_t obj)
{
	hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(
		t->h, obj->cpuset, HWLOC_OBJ_PU, 0);

	return pu ? (int)pu->os_index : -1;
}

/*
 * Objects of type leaf under obj in scatter order: the children's own
 * scatter orders, interleaved one from each child in turn.  So the first
 * workers go to distinct packages, then distinct L3s within them, then
 * distinct cores: worker 0 package 0, worker 1 package 1, worker 2 package
 * 0's second L3, ...  A prefix of this order is the scatter placement of
 * that many workers, so a sweep over worker counts only ever adds CPUs.
 * (hwloc_distrib spreads the same way but hands out consecutive workers
 * to the same package, and weighs by PUs, so with unit=core on a hybrid
 * CPU it can give two workers the same core.)
 */
static int scatter_leaves(const struct topo *t, hwloc_obj_t obj,
			  hwloc_obj_type_t leaf, hwloc_obj_t *out, size_t *nout)
{
	int cap = hwloc_get_nbobjs_inside_cpuset_by_type(t->h, obj->cpuset, leaf);
	hwloc_obj_t *tmp;
	size_t *start, *cnt, off = 0, k = 0;

	*nout = 0;
	if (obj->type == leaf) {
		out[(*nout)++] = obj;
		return 0;
	}
	if (!obj->arity || cap <= 0)
		return 0;
	tmp = malloc((size_t)cap * sizeof(*tmp));
	start = calloc(obj->arity, sizeof(*start));
	cnt = calloc(obj->arity, sizeof(*cnt));
	if (!tmp || !start || !cnt)
		goto fail;
	for (unsigned i = 0; i < obj->arity; i++) {
		start[i] = off;
		if (scatter_leaves(t, obj->children[i], leaf, tmp + off,
				   &cnt[i]) < 0)
			goto fail;
		off += cnt[i];
	}
	for (size_t r = 0; k < off; r++)
		for (unsigned i = 0; i < obj->arity; i++)
			if (r < cnt[i])
				out[k++] = tmp[start[i] + r];
	*nout = k;
	free(tmp);
	free(start);
	free(cnt);
	return 0;
fail:
	free(tmp);
	free(start);
	free(cnt);
	return -1;
}

/*
 * unit=pu with cores: every core's first PU (in core scatter order), then
 * every core's second PU, ..., so SMT siblings are used only when there
 * are more workers than cores.
 */
static size_t scatter_smt_rounds(const struct topo *t, hwloc_obj_t *cores,
				 size_t ncores, size_t n, int *pus)
{
	size_t k = 0, before;

	for (unsigned r = 0; k < n; r++) {
		before = k;
		for (size_t c = 0; c < ncores && k < n; c++) {
			hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(
				t->h, cores[c]->cpuset, HWLOC_OBJ_PU, r);
			if (pu)
				pus[k++] = (int)pu->os_index;
		}
		if (k == before) /* every core's PUs are used up */
			break;
	}
	return k;
}

static int place_scatter(const struct topo *t, enum place_unit unit,
			 size_t n, int *pus, char *err, size_t errlen)
{
	/* Spread over cores whenever there are any; PUs are a second pass. */
	hwloc_obj_type_t leaf = unit_type(t, PLACE_UNIT_CORE);
	size_t nleaf = nb_type(t, leaf), got;
	hwloc_obj_t *objs = malloc(nleaf * sizeof(*objs));

	if (!objs || scatter_leaves(t, hwloc_get_root_obj(t->h), leaf, objs,
				    &got) < 0) {
		place_err(err, errlen, "placement scatter: out of memory");
		free(objs);
		return -1;
	}
	if (unit == PLACE_UNIT_PU && leaf == HWLOC_OBJ_CORE) {
		got = scatter_smt_rounds(t, objs, got, n, pus);
	} else {
		for (size_t i = 0; i < n && i < got; i++)
			pus[i] = first_pu(t, objs[i]);
	}
	free(objs);
	/* Only a topology with PUs outside the core tree gets here. */
	if (got < n) {
		place_err(err, errlen,
			  "placement scatter: found %zu places under the "
			  "topology root for %zu workers", got, n);
		return -1;
	}
	return 0;
}

/* Logical order is hierarchical: this fills a core, an L3, a package. */
static void place_compact(const struct topo *t, enum place_unit unit,
			  size_t n, int *pus)
{
	hwloc_obj_type_t type = unit_type(t, unit);

	for (size_t i = 0; i < n; i++)
		pus[i] = first_pu(t, hwloc_get_obj_by_type(t->h, type, (unsigned)i));
}

static int place_list(const struct topo *t, const struct place_spec *spec,
		      size_t n, int *pus, char *err, size_t errlen)
{
	hwloc_const_cpuset_t all = hwloc_topology_get_topology_cpuset(t->h);
	char range[PLACE_RANGE_LEN];

	if (n > spec->nlist) {
		place_err(err, errlen,
			  "--placement list: has %zu CPUs, %zu workers need %zu",
			  spec->nlist, n, n);
		return -1;
	}
	hwloc_bitmap_list_snprintf(range, sizeof(range), all);
	for (size_t i = 0; i < spec->nlist; i++) {
		int cpu = spec->list[i];

		if (cpu < 0 || !hwloc_get_pu_obj_by_os_index(t->h, (unsigned)cpu)) {
			place_err(err, errlen,
				  "--placement list: CPU %d is not in this "
				  "topology; its PUs are %s", cpu, range);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (spec->list[j] == cpu) {
				place_err(err, errlen,
					  "--placement list: CPU %d is listed "
					  "twice; workers never share a PU", cpu);
				return -1;
			}
	}
	memcpy(pus, spec->list, n * sizeof(*pus));
	return 0;
}

int place_cpus(const struct topo *t, const struct place_spec *spec, size_t n,
	       int *pus, char *err, size_t errlen)
{
	unsigned avail = topo_count(t, spec->unit);
	bool core = unit_type(t, spec->unit) == HWLOC_OBJ_CORE;

	if (n == 0) {
		place_err(err, errlen, "0 workers: at least 1 is needed");
		return -1;
	}
	switch (spec->policy) {
	case PLACE_NONE:
		/* Unbound, but still bounded: more threads than PUs only
		 * when asked for by name. */
		avail = topo_count(t, PLACE_UNIT_PU);
		if (n > avail && !spec->oversubscribe) {
			place_err(err, errlen, "%zu workers but this topology has "
				  "%u PU%s; --placement none does not lift that "
				  "(add --oversubscribe to share PUs)", n, avail,
				  PLURAL(avail));
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			pus[i] = -1;
		return 0;
	case PLACE_LIST:
		return place_list(t, spec, n, pus, err, errlen);
	case PLACE_COMPACT:
	case PLACE_SCATTER:
		break;
	default:
		place_err(err, errlen, "placement: unknown policy %d",
			  (int)spec->policy);
		return -1;
	}
	if (n > avail) {
		place_err(err, errlen,
			  "%zu workers but this topology has %u %s%s (unit=%s)%s",
			  n, avail, core ? "core" : "PU", PLURAL(avail),
			  spec->unit == PLACE_UNIT_CORE ? "core" : "pu",
			  spec->oversubscribe ? "; bound workers never share a "
			  "PU: --oversubscribe is for --placement none" : "");
		return -1;
	}
	if (spec->policy == PLACE_SCATTER)
		return place_scatter(t, spec->unit, n, pus, err, errlen);
	place_compact(t, spec->unit, n, pus);
	return 0;
}

/* A negative pu is "float" (PLACE_NONE): nothing to bind. */
int place_bind_self(const struct topo *t, int pu, char *err, size_t errlen)
{
	hwloc_obj_t obj;

	if (pu < 0)
		return 0;
	if (t->synthetic) {
		place_err(err, errlen, "cannot bind on a synthetic topology");
		return -1;
	}
	obj = hwloc_get_pu_obj_by_os_index(t->h, (unsigned)pu);
	if (!obj) {
		place_err(err, errlen, "bind: CPU %d is not in this topology",
			  pu);
		return -1;
	}
	if (hwloc_set_cpubind(t->h, obj->cpuset, HWLOC_CPUBIND_THREAD) < 0) {
		place_err(err, errlen,
			  "hwloc_set_cpubind(PU %d, HWLOC_CPUBIND_THREAD): %s",
			  pu, strerror(errno));
		return -1;
	}
	return 0;
}

static bool same_ancestor(const struct topo *t, hwloc_obj_type_t type,
			  hwloc_obj_t a, hwloc_obj_t b)
{
	hwloc_obj_t x = hwloc_get_ancestor_obj_by_type(t->h, type, a);

	return x && x == hwloc_get_ancestor_obj_by_type(t->h, type, b);
}

/* NUMA nodes are memory children in hwloc 2, not ancestors: use cpusets. */
static bool same_numa(const struct topo *t, int a, int b)
{
	hwloc_obj_t node = NULL;

	while ((node = hwloc_get_next_obj_by_type(t->h, HWLOC_OBJ_NUMANODE,
						  node)))
		if (hwloc_bitmap_isset(node->cpuset, (unsigned)a) &&
		    hwloc_bitmap_isset(node->cpuset, (unsigned)b))
			return true;
	return false;
}

/* "unknown" when either PU is not in the topology (or is -1, floating). */
const char *place_relation(const struct topo *t, int pu_a, int pu_b)
{
	hwloc_obj_t a, b;

	if (pu_a < 0 || pu_b < 0)
		return "unknown";
	a = hwloc_get_pu_obj_by_os_index(t->h, (unsigned)pu_a);
	b = hwloc_get_pu_obj_by_os_index(t->h, (unsigned)pu_b);
	if (!a || !b)
		return "unknown";
	if (a == b)
		return "self";
	if (same_ancestor(t, HWLOC_OBJ_CORE, a, b))
		return "smt";
	if (same_ancestor(t, HWLOC_OBJ_L3CACHE, a, b))
		return "l3";
	if (same_ancestor(t, HWLOC_OBJ_PACKAGE, a, b))
		return "package";
	if (same_numa(t, pu_a, pu_b))
		return "numa";
	return "machine";
}
