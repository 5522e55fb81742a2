/* SPDX-License-Identifier: GPL-2.0 */
/*
 * placement.h - which CPU each worker runs on, decided with hwloc.
 *
 * Policies (will-it-scale's lessons: count CPUs in the same object type you
 * bind to, and print the placement):
 *   compact    fill a core, then an L3, then a package, before the next:
 *              PUs (or cores, with unit=core) in hwloc logical order.
 *   scatter    spread over packages, then L3s, then cores (hwloc_distrib),
 *              one PU per worker.
 *   list:LIST  explicit OS PU indices, "list:0-3,8", used in that order.
 *   none       no binding; workers float (pus[i] = -1).
 * The unit (pu or core) says what one worker gets: with unit=core, compact
 * and scatter use one PU per core (the first PU of the core), so SMT
 * siblings are left idle.
 *
 * A topology is this machine's, or a synthetic one in hwloc syntax
 * ("package:2 l3cache:2 core:4 pu:2") so placement is testable anywhere.
 * Binding is only possible on the real topology.
 */
#ifndef GUPSYNC_PLACEMENT_H
#define GUPSYNC_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#define PLACE_MAX_CPUS 4096

enum place_policy { PLACE_COMPACT, PLACE_SCATTER, PLACE_LIST, PLACE_NONE };
enum place_unit { PLACE_UNIT_PU, PLACE_UNIT_CORE };

struct place_spec {
	enum place_policy policy;
	enum place_unit unit;
	int list[PLACE_MAX_CPUS]; /* PLACE_LIST: OS PU indices, in order */
	size_t nlist;
	bool oversubscribe;	/* PLACE_NONE: more workers than PUs */
};

struct topo; /* opaque, wraps hwloc_topology_t */

/* synthetic == NULL or "": this machine.  Bad synthetic string -> -1, err. */
int topo_open(const char *synthetic, struct topo **out, char *err, size_t errlen);
void topo_close(struct topo *t);
bool topo_is_synthetic(const struct topo *t);
/* Number of units workers can be placed on (PUs or cores). */
unsigned topo_count(const struct topo *t, enum place_unit unit);
/* "1 package, 1 L3 (32 MiB), 2 cores, 2 PUs (no SMT), 1 NUMA node" */
void topo_describe(const struct topo *t, char *buf, size_t len);
/* hwloc's synthetic description of this topology (for meta.json). */
void topo_synthetic_string(const struct topo *t, char *buf, size_t len);

/* "compact", "scatter", "none", "list:0-3,8"; unit is set separately. */
int place_parse(const char *s, struct place_spec *spec, char *err, size_t errlen);
const char *place_policy_name(enum place_policy p);

/*
 * OS PU index for each of n workers (pus[i] = -1 for PLACE_NONE).
 * Errors: n larger than the units available for the policy (e.g. 5 workers
 * with unit=core on 4 cores; list shorter than n), a list PU that does not
 * exist in the topology.  Workers never share a PU.
 */
int place_cpus(const struct topo *t, const struct place_spec *spec, size_t n,
	       int *pus, char *err, size_t errlen);

/* Bind the calling thread to OS PU 'pu' (real topology only). */
int place_bind_self(const struct topo *t, int pu, char *err, size_t errlen);

/*
 * Relation of two PUs, for placement-sensitive results (IPI targets):
 * "self", "smt" (same core), "l3" (same L3, other core), "package",
 * "numa" (same NUMA node, other package), "machine".
 */
const char *place_relation(const struct topo *t, int pu_a, int pu_b);

#endif
