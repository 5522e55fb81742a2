// SPDX-License-Identifier: GPL-2.0
/*
 * topo_describe.c - the machine's topology in words ("1 package, 1 L3
 * (8 MiB), 2 cores, 2 PUs (no SMT), 1 NUMA node") and as hwloc's
 * synthetic string, for headers and meta.json.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "placement.h"
#include "topo_priv.h"

/* Append to buf at *off, never past len (snprintf semantics, clamped). */
static void buf_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void buf_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (r > 0)
		*off += (size_t)r < len - *off ? (size_t)r : len - *off - 1;
}

static void format_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (b >= 1024 && b % 1024 == 0 && u + 1 < sizeof(units) / sizeof(*units)) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)b, units[u]);
}

/* " (32 MiB)" or " (16 MiB each)" when every L3 has the same known size. */
static void l3_size_note(const struct topo *t, unsigned nl3, char *buf,
			 size_t len)
{
	hwloc_obj_t o = NULL;
	uint64_t size = 0;
	char sz[32];

	buf[0] = '\0';
	while ((o = hwloc_get_next_obj_by_type(t->h, HWLOC_OBJ_L3CACHE, o))) {
		if (!o->attr->cache.size ||
		    (size && size != o->attr->cache.size))
			return;
		size = o->attr->cache.size;
	}
	if (!size)
		return;
	format_bytes(size, sz, sizeof(sz));
	snprintf(buf, len, " (%s%s)", sz, nl3 > 1 ? " each" : "");
}

void topo_describe(const struct topo *t, char *buf, size_t len)
{
	unsigned npkg = nb_type(t, HWLOC_OBJ_PACKAGE);
	unsigned nl3 = nb_type(t, HWLOC_OBJ_L3CACHE);
	unsigned ncore = nb_type(t, HWLOC_OBJ_CORE);
	unsigned npu = nb_type(t, HWLOC_OBJ_PU);
	unsigned nnuma = nb_type(t, HWLOC_OBJ_NUMANODE);
	char note[48];
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (npkg)
		buf_add(buf, len, &off, "%u package%s, ", npkg, PLURAL(npkg));
	if (nl3) {
		l3_size_note(t, nl3, note, sizeof(note));
		buf_add(buf, len, &off, "%u L3%s%s, ", nl3, PLURAL(nl3), note);
	}
	if (ncore)
		buf_add(buf, len, &off, "%u core%s, ", ncore, PLURAL(ncore));
	buf_add(buf, len, &off, "%u PU%s", npu, PLURAL(npu));
	/* SMT siblings share a core's TLB and L1: say whether they exist. */
	if (ncore && npu == ncore)
		buf_add(buf, len, &off, " (no SMT)");
	else if (ncore && npu % ncore == 0)
		buf_add(buf, len, &off, " (%u-way SMT)", npu / ncore);
	else if (ncore)
		buf_add(buf, len, &off, " (SMT)");
	buf_add(buf, len, &off, ", %u NUMA node%s", nnuma, PLURAL(nnuma));
}

void topo_synthetic_string(const struct topo *t, char *buf, size_t len)
{
	if (!len)
		return;
	if (hwloc_topology_export_synthetic(t->h, buf, len, 0) < 0)
		snprintf(buf, len,
			 "(not exportable: hwloc_topology_export_synthetic: %s; "
			 "the topology is probably asymmetric)",
			 strerror(errno));
}
