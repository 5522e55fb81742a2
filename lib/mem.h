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

/* An anonymous private region of 'size' bytes aligned to 'align' (a
 * power of two), nothing faulted in yet and no madvise: NULL with err. */
void *mem_aligned(size_t size, size_t align, char *err, size_t len);
/* Write one byte per 4K page: every page of [p, p+size) faulted in. */
void mem_touch(void *p, size_t size);
/* The same as mem_touch() (every 4K page written, so populated), the
 * faults taken by one MADV_POPULATE_WRITE where the kernel has it. */
void mem_populate(void *p, size_t size);

/* A populated 4K page made PROT_READ: a FOLL_WRITE GUP-fast on it fails,
 * so the slow path (mmap_lock) runs - the control of a GUP-fast proof.
 * NULL with err.  Free with mem_free(p, PAGE_4K). */
char *mem_ro_page(char *err, size_t len);

/* AnonHugePages (kB) of the VMA containing addr, from /proc/self/smaps;
 * -1 if not found. */
long mem_anon_huge_kb(const void *addr);

#endif
