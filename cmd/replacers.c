// SPDX-License-Identifier: GPL-2.0
/* replacers.c - see replacers.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "ksm.h"
#include "mem.h"
#include "thp.h"
#include "uprobe.h"
#include "workers.h"

#define COL_PAGE 7		/* the held page of the 2 MiB region */
#define PROBE_OFF 0x10		/* uprobe in the test file's first page */
#define NOP 0x90
#define RET 0xc3
#define INT3 0xcc
#define KSM_MORE_SCANS 2	/* full scans the held page gets after the control merged */
#define POLL_NS 500000ull

static uint64_t check_ksm_wait = CHECK_KSM_WAIT_NS;

void check_set_ksm_wait(uint64_t ns)
{
	check_ksm_wait = ns;
}

/* ---- MADV_COLLAPSE -------------------------------------------------------- */

static int col_prepare(struct check_target *t, char *why, size_t len)
{
	/* THP "always" would fault huge pages where 4K ones are wanted. */
	if (thp_madvise(THP_OK_4K_FAULTS, NULL, 0, why, len) < 0 ||
	    !(t->base = pin_anon_region(HPAGE_PMD_SIZE, HPAGE_PMD_SIZE, why, len)))
		return -1;
	t->len = HPAGE_PMD_SIZE;
	t->page = t->base + COL_PAGE * PAGE_4K;
	return 0;
}

static int col_attempt(struct check_target *t, enum pin_kind pin, char *why,
		       size_t len)
{
	int rc = madvise(t->base, t->len, MADV_COLLAPSE);

	(void)pin, (void)why, (void)len;
	t->err = rc ? errno : 0;
	t->acted = pin_mapped_thp(t->page) == 1;
	/* khugepaged's refcount check (is_refcount_suitable()) fails on a
	 * held page: SCAN_PAGE_COUNT, which MADV_COLLAPSE returns as EAGAIN. */
	t->backed_off = !t->acted && t->err == EAGAIN;
	snprintf(t->note, sizeof(t->note), "MADV_COLLAPSE -> %s%s",
		 rc ? strerrorname_np(t->err) : "0", t->acted ? ", THP mapped" : "");
	return 0;
}

static void col_cleanup(struct check_target *t)
{
	if (t->base)
		munmap(t->base, t->len);
}

const struct check_replacer check_collapse = {
	.name = "collapse",
	.backoff = "EAGAIN from MADV_COLLAPSE",
	.prepare = col_prepare,
	.attempt = col_attempt,
	.cleanup = col_cleanup,
};

/* ---- KSM ------------------------------------------------------------------ */

/* Pages: 0 held, 1 its twin, 2 and 3 an unheld pair (the in-run control:
 * once they merged, ksmd has seen this range with settled checksums). */
enum { KSM_HELD, KSM_TWIN, KSM_C1, KSM_C2, KSM_NPAGES };

void check_ksm_fill(char *page, uint64_t pat)
{
	for (size_t k = 0; k < PAGE_4K / sizeof(pat); k++)
		((uint64_t *)page)[k] = pat + k;
}

static int ksm_prepare(struct check_target *t, char *why, size_t len)
{
	uint64_t held = check_pattern(), pair = check_pattern();

	t->len = KSM_NPAGES * PAGE_4K;
	t->base = mmap(NULL, t->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->base == MAP_FAILED) {
		t->base = NULL;
		snprintf(why, len, "mmap(%zu): %s", t->len, strerror(errno));
		return -1;
	}
	t->page = t->base;
	for (int i = 0; i < KSM_NPAGES; i++)
		check_ksm_fill(t->base + i * PAGE_4K, i < KSM_C1 ? held : pair);
	return pin_ksm_start(CHECK_KSM_SCAN_PAGES, CHECK_KSM_SLEEP_MS, true, why, len);
}

static uint64_t pfn_of(const char *p)
{
	uint64_t pfn = 0;
	char why[160];

	pin_mapped_pfn(p, &pfn, why, sizeof(why));
	return pfn;
}

static bool ksm_pair_merged(const char *a, const char *b)
{
	uint64_t x = pfn_of(a);

	return x && x == pfn_of(b);
}

static bool ksm_wait_scans(long scans, uint64_t t0)
{
	long f0 = pin_ksm_counter("full_scans");

	while (pin_ksm_counter("full_scans") < f0 + scans)
		if (now_ns() - t0 > check_ksm_wait)
			return false;
		else
			sleep_ns(POLL_NS);
	return true;
}

static int ksm_attempt(struct check_target *t, enum pin_kind pin, char *why,
		       size_t len)
{
	char *c = t->base + KSM_C1 * PAGE_4K, who[64], mp[64];
	uint64_t t0 = now_ns(), t1;

	(void)pin;
	if (madvise(t->base, t->len, MADV_MERGEABLE) < 0) {
		snprintf(why, len, "madvise(MADV_MERGEABLE): %s", strerror(errno));
		return -1;
	}
	while (!ksm_pair_merged(c, c + PAGE_4K) && now_ns() - t0 < check_ksm_wait)
		sleep_ns(POLL_NS);
	t1 = now_ns();
	if (!ksm_pair_merged(c, c + PAGE_4K) || !ksm_wait_scans(KSM_MORE_SCANS, t0)) {
		snprintf(why, len, "ksmd merged nothing within %.0f s (%d other "
			 "mergeable process(es) %s share it)", check_ksm_wait / 1e9,
			 pin_ksm_others(who, sizeof(who)), who);
		return -1;
	}
	t->acted = t->merged = ksm_pair_merged(t->page, t->page + PAGE_4K);
	/* write_protect_page() refuses a page with more references than
	 * mappings: the held page stays unmerged while the pair merged. */
	t->backed_off = !t->acted;
	t->err = 0;	/* ksmd reports no errno to us */
	/* After full scans, unmapped pages of earlier checks are gone from
	 * this process's count: 4 = all merged, 2 = the control pair only. */
	snprintf(t->note, sizeof(t->note), "control pair merged in %.0f ms; page "
		 "%s after %d more full scans; %s",
		 (t1 - t0) / 1e6, t->acted ? "MERGED" : "not merged", KSM_MORE_SCANS,
		 pin_ksm_self_text("ksm_merging_pages", mp, sizeof(mp)));
	return 0;
}

static void ksm_cleanup(struct check_target *t)
{
	if (t->base)
		munmap(t->base, t->len);
	pin_ksm_stop();
}

const struct check_replacer check_ksm = {
	.name = "ksm",
	.backoff = "the held page left unmerged while its twin pair merged",
	.prepare = ksm_prepare,
	.attempt = ksm_attempt,
	.cleanup = ksm_cleanup,
};

/* ---- uprobes ------------------------------------------------------------------ */

struct up_ctx {
	char dir[64], file[96];
	struct uprobe_ev ev;
};

/* Two pages of NOPs (a probe needs a decodable instruction), mapped
 * privately and written once: the held page is an anonymous COW copy of a
 * file page, the kind uprobe_write_opcode() used to replace with a copy. */
static int up_file(struct up_ctx *u, char *why, size_t len)
{
	unsigned char buf[2 * PAGE_4K];
	int fd;

	memset(buf, NOP, sizeof(buf));
	buf[sizeof(buf) - 1] = RET;
	if (pin_exec_dir(u->dir, sizeof(u->dir), why, len) < 0)
		return -1;
	snprintf(u->file, sizeof(u->file), "%s/text", u->dir);
	fd = open(u->file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		snprintf(why, len, "write(%s): %s", u->file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void up_unlink(struct up_ctx *u)
{
	if (u->file[0])
		unlink(u->file);
	if (u->dir[0])
		rmdir(u->dir);
	u->file[0] = u->dir[0] = 0;
}

static int up_prepare(struct check_target *t, char *why, size_t len)
{
	struct up_ctx *u = calloc(1, sizeof(*u));
	int fd;

	if (!(t->ctx = u)) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	u->ev.slot = -1;
	if ((fd = up_file(u, why, len)) < 0)
		return -1;
	t->len = 2 * PAGE_4K;
	t->base = mmap(NULL, t->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (t->base == MAP_FAILED) {
		t->base = NULL;
		snprintf(why, len, "mmap(%s, MAP_PRIVATE): %s", u->file, strerror(errno));
		return -1;
	}
	t->page = t->base;
	t->page[100] = NOP;	/* COW: now an anonymous page */
	if (uprobe_ev_add(&u->ev, "check", u->file, PROBE_OFF, why, len) < 0)
		return -1;
	up_unlink(u);	/* the probe holds the inode: nothing left on disk */
	return 0;
}

/* A probe is only installed where the mapping is not writable
 * (valid_vma()): read-only while it goes in, writable again after.
 * Before Linux 6.16 uprobe_write_opcode() put a new anonymous copy with
 * the int3 in place of the mapped page (__replace_page(), no refcount
 * check); since "kernel/events/uprobes: uprobe_write_opcode() rewrite" it
 * writes the int3 into the mapped anonymous page itself. */
static int up_attempt(struct check_target *t, enum pin_kind pin, char *why,
		      size_t len)
{
	struct up_ctx *u = t->ctx;
	uint64_t pfn0 = 0, pfn1 = 0;
	int rc;

	(void)pin;
	pin_mapped_pfn(t->page, &pfn0, why, len);
	if (mprotect(t->base, t->len, PROT_READ | PROT_EXEC) < 0) {
		snprintf(why, len, "mprotect(PROT_READ|PROT_EXEC): %s", strerror(errno));
		return -1;
	}
	rc = uprobe_ev_enable(&u->ev, true, why, len);
	t->err = rc ? errno : 0;
	t->acted = (unsigned char)t->page[PROBE_OFF] == INT3;
	if (mprotect(t->base, t->len, PROT_READ | PROT_WRITE) < 0 && rc == 0) {
		snprintf(why, len, "mprotect(PROT_READ|PROT_WRITE): %s", strerror(errno));
		rc = -1;
	}
	pin_mapped_pfn(t->page, &pfn1, why, len);
	t->backed_off = t->acted && pfn0 && pfn0 == pfn1;
	snprintf(t->note, sizeof(t->note), "uprobe registered: %s",
		 t->acted ? "int3 in the mapped page" : "no int3 in the mapped page");
	return rc;
}

/* Unregistration puts the original instruction back: the PFN after it. */
static int up_undo(struct check_target *t, char *why, size_t len)
{
	struct up_ctx *u = t->ctx;
	int rc;

	if (mprotect(t->base, t->len, PROT_READ | PROT_EXEC) < 0) {
		snprintf(why, len, "mprotect(PROT_READ|PROT_EXEC): %s", strerror(errno));
		return -1;
	}
	rc = uprobe_ev_enable(&u->ev, false, why, len);
	if (mprotect(t->base, t->len, PROT_READ | PROT_WRITE) < 0 && rc == 0) {
		snprintf(why, len, "mprotect(PROT_READ|PROT_WRITE): %s", strerror(errno));
		rc = -1;
	}
	return rc;
}

static void up_cleanup(struct check_target *t)
{
	struct up_ctx *u = t->ctx;

	if (!u)
		return;
	uprobe_ev_remove(&u->ev);
	if (t->base)
		munmap(t->base, t->len);
	up_unlink(u);
	free(u);
}

const struct check_replacer check_uprobe = {
	.name = "uprobe",
	.backoff = "the int3 written into the held page itself",
	.in_place = "uprobe_write_opcode() writes the int3 in place on this "
		    "kernel (Linux 6.16 and later)",
	.prepare = up_prepare,
	.attempt = up_attempt,
	.undo = up_undo,
	.cleanup = up_cleanup,
};

