/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysinfo_print.h - a sysinfo object (sysinfo.h) for people: the "# "
 * commentary of `gupsync info` and result headers, and the one-line
 * machine summary.
 */
#ifndef GUPSYNC_SYSINFO_PRINT_H
#define GUPSYNC_SYSINFO_PRINT_H

#include <jansson.h>
#include <stdio.h>

/* Human form, "# " commentary style, <= 72 columns where possible. */
void sysinfo_print(FILE *f, const json_t *info);
/* One line for result headers: "6.18.44 x86_64, AMD EPYC, 2 PUs, KVM guest" */
void sysinfo_oneline(const json_t *info, char *buf, size_t len);

#endif
