// SPDX-License-Identifier: GPL-2.0
/* mem.c - see mem.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

void *mem_aligned(size_t size, size_t align, char *err, size_t len)
{
	/* Over-allocate by 'align' and trim, so the region starts aligned
	 * and a 2 MiB region can be mapped by one PMD. */
	size_t total = size + align;
	char *raw = mmap(NULL, total, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED) {
		snprintf(err, len, "mmap(%zu bytes): %s", total, strerror(errno));
		return NULL;
	}
	p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + total > p + size)
		munmap(p + size, (size_t)(raw + total - (p + size)));
	return p;
}

void mem_touch(void *p, size_t size)
{
	for (size_t off = 0; off < size; off += PAGE_4K)
		((volatile char *)p)[off] = 1;
}

void mem_populate(void *p, size_t size)
{
	/* One call instead of a write fault per page: the same 4K pages,
	 * without an exception each (dear where page faults are, as on PVM
	 * or shadow paging).  Linux 5.14+; elsewhere the writes fault them
	 * in.  The writes also give every page mem_touch()'s content (not
	 * all zero: the kernel treats zero-filled pages apart, e.g. when it
	 * splits underused THPs). */
	(void)madvise(p, size, MADV_POPULATE_WRITE);
	mem_touch(p, size);
}

void *mem_region(size_t size, size_t align, int hugepage, char *err, size_t len)
{
	char *p = mem_aligned(size, align, err, len);

	if (!p)
		return NULL;
	if (madvise(p, size, hugepage ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) < 0) {
		snprintf(err, len, "madvise(%p, %zu, %s): %s", (void *)p, size,
			 hugepage ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			 strerror(errno));
		munmap(p, size);
		return NULL;
	}
	mem_touch(p, size);
	return p;
}

char *mem_ro_page(char *err, size_t len)
{
	char *p = mem_region(PAGE_4K, PAGE_4K, 0, err, len);

	if (p && mprotect(p, PAGE_4K, PROT_READ) < 0) {
		snprintf(err, len, "mprotect(%p, 4K, PROT_READ): %s", (void *)p,
			 strerror(errno));
		munmap(p, PAGE_4K);
		return NULL;
	}
	return p;
}

void mem_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

long mem_anon_huge_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		/* VMA header lines start with "lo-hi perms ..." */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') &&
		    line[strspn(line, "0123456789abcdef")] == '-') {
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}
