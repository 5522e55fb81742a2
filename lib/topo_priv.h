/* SPDX-License-Identifier: GPL-2.0 */
/*
 * topo_priv.h - the topology handle, private to placement.c (placing
 * workers) and topo_describe.c (describing the machine).  Others use
 * placement.h.
 */
#ifndef GUPSYNC_TOPO_PRIV_H
#define GUPSYNC_TOPO_PRIV_H

#include <hwloc.h>
#include <stdbool.h>

struct topo {
	hwloc_topology_t h;
	bool synthetic;
};

#define PLURAL(n) ((n) == 1 ? "" : "s")

/* How many objects of a type the topology has. */
static inline unsigned nb_type(const struct topo *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->h, type);

	return n > 0 ? (unsigned)n : 0;
}

#endif
