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
/* A run's "machine:" line: the one line's facts with the paravirt
 * features and the topology, which the IPI benchmarks' notes then need
 * not repeat: "6.18.44 x86_64, AMD EPYC, KVM guest (PV TLB flush,
 * send-IPI); 1 package, 1 L3 (8 MiB), 2 cores, 2 PUs (no SMT), ..." */
void sysinfo_machine(const json_t *info, char *buf, size_t len);

#endif
