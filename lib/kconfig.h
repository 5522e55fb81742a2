/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kconfig.h - the running kernel's build configuration, read once from
 * /proc/config.gz (through gzip: no zlib dependency) or else
 * /boot/config-RELEASE; the "config" object of sysinfo (sysinfo.h).
 */
#ifndef GUPSYNC_KCONFIG_H
#define GUPSYNC_KCONFIG_H

#include <jansson.h>

/*
 * {source: path, <each option that changes what the benchmarks measure>:
 * value or null, preempt_model: "none"|"voluntary"|"lazy"|"full"|"rt"|
 * null}, or {source: null, why} when no config can be read.
 */
json_t *kconfig_json(void);

/* This machine's value of an option (name without "CONFIG_"): "y", "250",
 * ...; NULL when it is not set or there is no config to read. */
const char *kconfig_get(const char *name);

#endif
