/* SPDX-License-Identifier: GPL-2.0 */
/* mem.h - memory a benchmark works on: aligned anonymous regions, THP. */
#ifndef GUPSYNC_MEM_H
#define GUPSYNC_MEM_H

#include <stddef.h>

#define PAGE_4K 4096ul
#define HPAGE_PMD_SIZE (2ul << 20) /* x86-64 PMD-mapped THP */
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

/*
 * An anonymous private region of 'size' bytes aligned to 'align', every
 * page written once (so it is populated).  hugepage: MADV_HUGEPAGE before
 * the first touch, else MADV_NOHUGEPAGE (so THP=always cannot sneak a huge
 * page in).  Returns NULL with err filled.  Free with mem_free(p, size).
 */
void *mem_region(size_t size, size_t align, int hugepage, char *err, size_t len);
void mem_free(void *p, size_t size);

/* AnonHugePages (kB) of the VMA containing addr, from /proc/self/smaps;
 * -1 if not found. */
long mem_anon_huge_kb(const void *addr);

#endif
