/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysinfo.h - what this machine is and offers; `gupsync info` and the
 * "machine" object of every meta.json.
 *
 * Collected into a jansson object with these keys (each feature has
 * "available": true/false and "why" when false):
 *   kernel      {release, version, machine}
 *   config      {source: "/proc/config.gz"|"/boot/config-R"|null, why,
 *                HZ, PREEMPT model, PREEMPT_RCU, RCU_LAZY, NO_HZ_FULL,
 *                TRANSPARENT_HUGEPAGE, KSM, UPROBES, MMU_GATHER_RCU_TABLE_FREE,
 *                PT_RECLAIM, PARAVIRT, GUP_TEST, MEMBARRIER, IO_URING ...}
 *   cmdline     the kernel command line; nohz_full/isolcpus called out
 *   cpu         {model, vendor, flags of interest (hypervisor, invlpgb...),
 *                hypervisor: "KVM"|... or null}
 *   topology    {description, synthetic, pus, cores}
 *   memory      {total_kib}
 *   knobs       THP enabled/defrag, khugepaged scan/pages, KSM run,
 *                rcu_expedited, rcu_normal, nr_hugepages, randomize_va_space
 *   daemons     DAMON kdamonds state, khugepaged, ksmd
 *   perf        {paranoid, hw:cycles, hw:instructions, sw:*, tp:ipi:*,
 *                tp:tlb:tlb_flush, tp:mmap_lock:*} -> available/why
 *   interrupts  {CAL: available, TLB: available}
 *   membarrier  supported commands by name
 *   io_uring    available/why (io_uring_setup probe, io_uring_disabled)
 */
#ifndef GUPSYNC_SYSINFO_H
#define GUPSYNC_SYSINFO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sysinfo_print.h"	/* sysinfo_print(), sysinfo_oneline() */

json_t *sysinfo_collect(void);
/* Whether remote TLB flushes go through the hypervisor (no IPIs), with
 * the kernel's words for it in why (sysinfo.c). */
bool sysinfo_hv_tlb_flush(char *why, size_t len);
/* A config option's value ("y", "250", ...) or NULL; reads the same sources. */
const char *sysinfo_config(const json_t *info, const char *name);

#endif
