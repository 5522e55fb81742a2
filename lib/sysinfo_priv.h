/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysinfo_priv.h - shared by sysinfo.c (collecting the machine object) and
 * sysinfo_cpu.c (its "cpu" part).  Others use sysinfo.h.
 */
#ifndef GUPSYNC_SYSINFO_PRIV_H
#define GUPSYNC_SYSINFO_PRIV_H

#include <jansson.h>
#include <stddef.h>

#define SI_VAL_LEN 256      /* one sysfs/proc value */
#define SI_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* First line of a small file, newline stripped; "a [b] c" resolves to "b". */
int si_read(const char *path, char *buf, size_t len);

static inline json_t *si_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The "cpu" object (sysinfo_cpu.c). */
json_t *si_cpu(void);

#endif
