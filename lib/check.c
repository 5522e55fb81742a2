// SPDX-License-Identifier: GPL-2.0
/* check.c - see check.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "counters.h"
#include "knobs.h"
#include "options.h"
#include "results.h"
#include "sysinfo.h"
#include "workers.h"

#define PAGE 4096ul
#define HPAGE (2ul << 20)
#define VIEW_OFF 2048		/* where the two views are compared */
#define COL_PAGE 7		/* the held page of the 2 MiB region */
#define PROBE_OFF 0x10		/* uprobe in the test file's first page */
#define NOP 0x90
#define RET 0xc3
#define INT3 0xcc
#define KSM_SCAN_PAGES 20000	/* ksmd pace for the checks */
#define KSM_SLEEP_MS 1
#define KSM_MORE_SCANS 2	/* full scans the held page gets after the control merged */
#define POLL_NS 500000ull
#define THP_ENABLED_PATH "/sys/kernel/mm/transparent_hugepage/enabled"

static uint64_t check_ksm_wait = CHECK_KSM_WAIT_NS;
static uint64_t check_seq;

void check_set_ksm_wait(uint64_t ns)
{
	check_ksm_wait = ns;
}

const char *check_verdict_name(enum check_verdict v)
{
	static const char *const names[] = {
		"PROTECTED", "NOT PROTECTED", "replaced as expected",
		"NOT REPLACED", "SKIPPED", "ERROR",
	};
	return v <= CHECK_ERROR ? names[v] : "?";
}

enum check_verdict check_judge(enum pin_kind pin, bool acted, bool views_agree)
{
	if (pin == PIN_NONE)
		return acted ? CHECK_REPLACED : CHECK_NOT_REPLACED;
	return views_agree ? CHECK_PROTECTED : CHECK_NOT_PROTECTED;
}

static int check_skip(struct check_result *r, const char *why)
{
	r->verdict = CHECK_SKIPPED;
	snprintf(r->detail, sizeof(r->detail), "%s", why);
	return 0;
}

static int check_error(struct check_result *r, const char *why)
{
	r->verdict = CHECK_ERROR;
	snprintf(r->detail, sizeof(r->detail), "%s", why);
	return -1;
}

static uint64_t check_pattern(void)
{
	return 0x6775707379000000ull ^ (++check_seq << 32) ^ now_ns();
}

/* io_uring: a write through the pin must show in the mapping; vmsplice:
 * a write to the mapping must show through the hold.  1 agree, 0 not,
 * -1 could not look. */
static int check_views(struct pin *p, char *page, char *why, size_t len)
{
	uint64_t pat = check_pattern(), seen = 0;

	if (p->kind == PIN_NONE)
		return 1;
	if (p->kind == PIN_IO_URING) {
		if (pin_write(p, VIEW_OFF, &pat, sizeof(pat), why, len) < 0)
			return -1;
		memcpy(&seen, page + VIEW_OFF, sizeof(seen));
	} else {
		memcpy(page + VIEW_OFF, &pat, sizeof(pat));
		if (pin_read(p, VIEW_OFF, &seen, sizeof(seen), why, len) < 0)
			return -1;
	}
	return seen == pat;
}

static void check_describe(struct check_result *r, const struct check_target *t,
			   enum pin_kind pin)
{
	char pfn[80];
	const char *views = pin == PIN_NONE ? "" :
		pin == PIN_IO_URING ? (r->views_agree ? "; write through pin visible" :
				       "; write through pin LOST (not in the mapping)") :
		(r->views_agree ? "; mapping write seen through the hold" :
		 "; mapping write NOT seen through the hold: it holds a stale page");

	if (!r->pfn_before || !r->pfn_after)
		snprintf(pfn, sizeof(pfn), "PFN unknown");
	else if (r->pfn_before == r->pfn_after)
		snprintf(pfn, sizeof(pfn), "PFN unchanged");
	else
		snprintf(pfn, sizeof(pfn), "PFN %#" PRIx64 " -> %#" PRIx64, r->pfn_before,
			 r->pfn_after);
	snprintf(r->detail, sizeof(r->detail), "%s; %s%s", t->note, pfn, views);
}

static void check_attempt(const struct check_replacer *rep, struct check_target *t,
			  struct pin *p, struct check_result *r)
{
	char why[256] = "";
	int agree;

	pin_mapped_pfn(t->page, &r->pfn_before, why, sizeof(why));
	if (rep->attempt(t, p->kind, why, sizeof(why)) < 0) {
		check_skip(r, why);
		return;
	}
	pin_mapped_pfn(t->page, &r->pfn_after, why, sizeof(why));
	r->err = t->err;
	r->acted = t->acted;
	agree = check_views(p, t->page, why, sizeof(why));
	if (agree < 0) {
		check_error(r, why);
		return;
	}
	r->views_agree = agree;
	r->verdict = check_judge(p->kind, t->acted, agree);
	check_describe(r, t, p->kind);
}

int check_one(const struct check_replacer *rep, enum pin_kind pin,
	      struct check_result *r)
{
	struct check_target t = { 0 };
	struct pin p;
	char why[256] = "";

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s/%s", rep->name, pin_kind_name(pin));
	if (!pin_available(pin, why, sizeof(why)))
		return check_skip(r, why);
	if (rep->prepare(&t, why, sizeof(why)) < 0) {
		rep->cleanup(&t);
		return check_skip(r, why);
	}
	if (pin_open(&p, pin, why, sizeof(why)) < 0 ||
	    pin_hold(&p, t.page, PAGE, why, sizeof(why)) < 0)
		check_error(r, why);
	else
		check_attempt(rep, &t, &p, r);
	pin_close(&p);
	rep->cleanup(&t);
	return r->verdict == CHECK_ERROR ? -1 : 0;
}

/* ---- MADV_COLLAPSE -------------------------------------------------------- */

/* THP "always" would fault huge pages where 4K ones are wanted. */
static int check_thp_madvise(char *why, size_t len)
{
	char val[KNOB_VALUE_MAX];

	if (knob_read(THP_ENABLED_PATH, val, sizeof(val)) < 0) {
		snprintf(why, len, "THP not available: cannot read %s", THP_ENABLED_PATH);
		return -1;
	}
	return strcmp(val, "always") ? 0 :
	       knob_set(THP_ENABLED_PATH, "madvise", why, len);
}

static int col_prepare(struct check_target *t, char *why, size_t len)
{
	if (check_thp_madvise(why, len) < 0 ||
	    !(t->base = pin_anon_region(HPAGE, HPAGE, why, len)))
		return -1;
	t->len = HPAGE;
	t->page = t->base + COL_PAGE * PAGE;
	return 0;
}

static int col_attempt(struct check_target *t, enum pin_kind pin, char *why,
		       size_t len)
{
	int rc = madvise(t->base, t->len, MADV_COLLAPSE);

	(void)pin, (void)why, (void)len;
	t->err = rc ? errno : 0;
	t->acted = pin_mapped_thp(t->page) == 1;
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
	"collapse", col_prepare, col_attempt, col_cleanup,
};

/* ---- KSM ------------------------------------------------------------------ */

/* Pages: 0 held, 1 its twin, 2 and 3 an unheld pair (the in-run control:
 * once they merged, ksmd has seen this range with settled checksums). */
enum { KSM_HELD, KSM_TWIN, KSM_C1, KSM_C2, KSM_NPAGES };

static void ksm_fill(char *page, uint64_t pat)
{
	for (size_t k = 0; k < PAGE / sizeof(pat); k++)
		((uint64_t *)page)[k] = pat + k;
}

static int ksm_prepare(struct check_target *t, char *why, size_t len)
{
	uint64_t held = check_pattern(), pair = check_pattern();

	t->len = KSM_NPAGES * PAGE;
	t->base = mmap(NULL, t->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->base == MAP_FAILED) {
		t->base = NULL;
		snprintf(why, len, "mmap(%zu): %s", t->len, strerror(errno));
		return -1;
	}
	t->page = t->base;
	for (int i = 0; i < KSM_NPAGES; i++)
		ksm_fill(t->base + i * PAGE, i < KSM_C1 ? held : pair);
	return pin_ksm_start(KSM_SCAN_PAGES, KSM_SLEEP_MS, true, why, len);
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
	char *c = t->base + KSM_C1 * PAGE, who[64];
	uint64_t t0 = now_ns(), t1;

	(void)pin;
	if (madvise(t->base, t->len, MADV_MERGEABLE) < 0) {
		snprintf(why, len, "madvise(MADV_MERGEABLE): %s", strerror(errno));
		return -1;
	}
	while (!ksm_pair_merged(c, c + PAGE) && now_ns() - t0 < check_ksm_wait)
		sleep_ns(POLL_NS);
	t1 = now_ns();
	if (!ksm_pair_merged(c, c + PAGE) || !ksm_wait_scans(KSM_MORE_SCANS, t0)) {
		snprintf(why, len, "ksmd merged nothing within %.0f s (%d other "
			 "mergeable process(es) %s share it)", check_ksm_wait / 1e9,
			 pin_ksm_others(who, sizeof(who)), who);
		return -1;
	}
	t->acted = ksm_pair_merged(t->page, t->page + PAGE);
	t->err = t->acted ? 0 : EBUSY;
	/* After full scans, unmapped pages of earlier checks are gone from
	 * this process's count: 4 = all merged, 2 = the control pair only. */
	snprintf(t->note, sizeof(t->note), "control pair merged in %.0f ms; page "
		 "%s after %d more full scans; ksm_merging_pages %ld",
		 (t1 - t0) / 1e6, t->acted ? "MERGED" : "not merged", KSM_MORE_SCANS,
		 pin_ksm_self("ksm_merging_pages"));
	return 0;
}

static void ksm_cleanup(struct check_target *t)
{
	if (t->base)
		munmap(t->base, t->len);
	pin_ksm_stop();
}

const struct check_replacer check_ksm = {
	"ksm", ksm_prepare, ksm_attempt, ksm_cleanup,
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
	unsigned char buf[2 * PAGE];
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
	t->len = 2 * PAGE;
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
 * (valid_vma()): read-only while it goes in, writable again after. */
static int up_attempt(struct check_target *t, enum pin_kind pin, char *why,
		      size_t len)
{
	struct up_ctx *u = t->ctx;
	int rc;

	(void)pin;
	if (mprotect(t->base, t->len, PROT_READ | PROT_EXEC) < 0) {
		snprintf(why, len, "mprotect(PROT_READ|PROT_EXEC): %s", strerror(errno));
		return -1;
	}
	rc = uprobe_ev_enable(&u->ev, true, why, len);
	t->acted = (unsigned char)t->page[PROBE_OFF] == INT3;
	if (mprotect(t->base, t->len, PROT_READ | PROT_WRITE) < 0 && rc == 0) {
		snprintf(why, len, "mprotect(PROT_READ|PROT_WRITE): %s", strerror(errno));
		rc = -1;
	}
	t->err = rc ? errno : 0;
	snprintf(t->note, sizeof(t->note), "uprobe enabled: %s",
		 t->acted ? "int3 in the mapped page" : "no int3 in the mapped page");
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
	"uprobe", up_prepare, up_attempt, up_cleanup,
};

/* ---- races ------------------------------------------------------------------- */

#define RACE_HDR 0x4755505359000000ull	/* page i's first word: RACE_HDR | i */
#define RACE_DWELL_NS 1000000ull	/* KSM: held and identical, ksmd's turn */

struct race {
	char *base;
	size_t len;
	unsigned npages;
	bool ksm;
	uint64_t deadline;
	pthread_rwlock_t lock;	/* read: a pin cycle; write: a demotion */
	atomic_int held;	/* a hold is in place now */
	struct pin pins[2];	/* io_uring, vmsplice (those available) */
	unsigned npins;
	uint64_t cycles, violations, races, replaced, skipped;
	pthread_mutex_t note_lock;	/* both threads note violations */
	char first[256];	/* the first violation or error */
	volatile bool failed;
};

static void race_note(struct race *r, bool violation, const char *what)
{
	pthread_mutex_lock(&r->note_lock);
	if (violation)
		r->violations++;
	else
		r->failed = true;
	if (!r->first[0])
		snprintf(r->first, sizeof(r->first), "%s", what);
	pthread_mutex_unlock(&r->note_lock);
}

/* KSM: the held page back to the content its twin has. */
static int race_restore(struct pin *p, char *page, char *why, size_t len)
{
	uint64_t v;

	memcpy(&v, page + PAGE + VIEW_OFF, sizeof(v));	/* the twin's word */
	if (p->kind == PIN_IO_URING)
		return pin_write(p, VIEW_OFF, &v, sizeof(v), why, len);
	memcpy(page + VIEW_OFF, &v, sizeof(v));
	return 0;
}

/* One look through the hold; KSM: then identical again, and a dwell. */
static void race_look(struct race *r, struct pin *p, char *page)
{
	char why[256];
	int agree = check_views(p, page, why, sizeof(why));

	if (agree < 0)
		race_note(r, false, why);
	else if (!agree)
		race_note(r, true, p->kind == PIN_IO_URING ?
			  "a write through the io_uring pin did not show in the mapping" :
			  "a write to the mapping did not show through the vmsplice hold");
	if (r->ksm && agree > 0 && race_restore(p, page, why, sizeof(why)) < 0)
		race_note(r, false, why);
}

static void race_ksm_cycle(struct race *r, struct pin *p, char *page)
{
	long f0 = pin_ksm_counter("full_scans");

	race_look(r, p, page);
	sleep_ns(RACE_DWELL_NS);
	r->races += pin_ksm_counter("full_scans") != f0;
	race_look(r, p, page);
}

/* A vmsplice hold on a page ksmd merged before the hold would hold the
 * shared KSM page, which a write through the mapping COWs away from: not
 * a replacement.  Break the COW first and skip holds that still land on a
 * KSM page. */
static bool race_hold(struct race *r, struct pin *p, char *page)
{
	char why[256];

	if (r->ksm) {
		r->replaced += pin_mapped_ksm(page) == 1;
		/* COW-break a merged page */
		*(volatile char *)(page + VIEW_OFF) = *(volatile char *)(page + VIEW_OFF);
	}
	if (pin_hold(p, page, PAGE, why, sizeof(why)) < 0) {
		race_note(r, false, why);
		return false;
	}
	if (r->ksm && p->kind == PIN_VMSPLICE && pin_mapped_ksm(page) == 1) {
		r->skipped++;
		pin_release(p, NULL, 0);
		return false;
	}
	return true;
}

static void *race_pinner(void *arg)
{
	struct race *r = arg;

	for (uint64_t i = 0; now_ns() < r->deadline && !r->failed; i++) {
		struct pin *p = &r->pins[i % r->npins];
		char *page = r->base + (r->ksm ? 0 : 1 + i % (r->npages - 1)) * PAGE;

		pthread_rwlock_rdlock(&r->lock);
		if (race_hold(r, p, page)) {
			atomic_store(&r->held, 1);
			if (r->ksm)
				race_ksm_cycle(r, p, page);
			else
				race_look(r, p, page);
			atomic_store(&r->held, 0);
			pin_release(p, NULL, 0);
			r->cycles++;
		}
		pthread_rwlock_unlock(&r->lock);
	}
	return NULL;
}

/* After a collapse: every page's first word unchanged, then back to 4K
 * pages (copy out, zap, copy in: 4K faults) so the next one can run. */
static void race_demote(struct race *r, char *copy)
{
	for (unsigned i = 0; i < r->npages; i++)
		if (((uint64_t *)(r->base + i * PAGE))[0] != (RACE_HDR | i))
			race_note(r, true, "a page's data changed across a collapse");
	pthread_rwlock_wrlock(&r->lock);
	memcpy(copy, r->base, r->len);
	if (madvise(r->base, r->len, MADV_DONTNEED) < 0)
		race_note(r, false, "madvise(MADV_DONTNEED) of the race region failed");
	memcpy(r->base, copy, r->len);
	pthread_rwlock_unlock(&r->lock);
}

static uint64_t race_collapser(struct race *r, uint64_t *eagain)
{
	char *copy = malloc(r->len);
	uint64_t attempts = 0;

	while (copy && now_ns() < r->deadline && !r->failed) {
		int was = atomic_load(&r->held), rc;

		rc = madvise(r->base, r->len, MADV_COLLAPSE);
		attempts++;
		r->races += was || atomic_load(&r->held);
		*eagain += rc < 0 && errno == EAGAIN;
		if (rc == 0) {
			r->replaced++;
			race_demote(r, copy);
		}
	}
	free(copy);
	return attempts;
}

static int race_setup(struct race *r, bool ksm, uint64_t ns, char *why, size_t len)
{
	pthread_rwlockattr_t attr;
	enum pin_kind kinds[] = { PIN_IO_URING, PIN_VMSPLICE };

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->note_lock, NULL);
	r->ksm = ksm;
	r->npages = ksm ? 2 : HPAGE / PAGE;
	r->len = r->npages * PAGE;
	for (int k = 0; k < 2; k++)
		if (pin_available(kinds[k], why, len) &&
		    pin_open(&r->pins[r->npins], kinds[k], why, len) == 0)
			r->npins++;
	if (!r->npins)
		return -1;
	if (!ksm && check_thp_madvise(why, len) < 0)
		return -1;
	if (!(r->base = pin_anon_region(r->len, ksm ? PAGE : HPAGE, why, len)))
		return -1;
	for (unsigned i = 0; i < r->npages; i++)
		if (ksm)
			ksm_fill(r->base + i * PAGE, RACE_HDR);
		else
			((uint64_t *)(r->base + i * PAGE))[0] = RACE_HDR | i;
	/* The writer must get in between two pin cycles. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&r->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	r->deadline = now_ns() + ns;
	return 0;
}

static void race_teardown(struct race *r)
{
	for (unsigned k = 0; k < r->npins; k++)
		pin_close(&r->pins[k]);
	if (r->base)
		munmap(r->base, r->len);
	pthread_rwlock_destroy(&r->lock);
	pthread_mutex_destroy(&r->note_lock);
}

/* After the pinner is joined. */
static int race_finish(struct race *r, struct check_result *res, const char *what)
{
	res->cycles = r->cycles;
	res->violations = r->violations;
	res->races = r->races;
	res->replaced = r->replaced;
	res->views_agree = !r->violations;
	if (r->failed)
		return check_error(res, r->first);
	res->verdict = r->violations ? CHECK_NOT_PROTECTED : CHECK_PROTECTED;
	snprintf(res->detail, sizeof(res->detail), "%s; %" PRIu64 " violations%s%s",
		 what, r->violations, r->first[0] ? ": " : "", r->first);
	return 0;
}

int check_race_collapse(uint64_t ns, struct check_result *res)
{
	struct race r;
	char why[256], what[320];
	uint64_t eagain = 0;
	pthread_t tid;

	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "race/collapse");
	if (race_setup(&r, false, ns, why, sizeof(why)) < 0) {
		race_teardown(&r);
		return check_skip(res, why);
	}
	if (pthread_create(&tid, NULL, race_pinner, &r)) {
		race_teardown(&r);
		return check_error(res, "pthread_create(pinner) failed");
	}
	res->attempts = race_collapser(&r, &eagain);
	pthread_join(tid, NULL);
	snprintf(what, sizeof(what), "%.1f s: %" PRIu64 " collapses (%" PRIu64
		 " succeeded, %" PRIu64 " EAGAIN), %" PRIu64 " overlapped a held "
		 "page; %" PRIu64 " pin cycles", ns / 1e9, res->attempts, r.replaced,
		 eagain, r.races, r.cycles);
	race_finish(&r, res, what);
	race_teardown(&r);
	return res->verdict == CHECK_ERROR ? -1 : 0;
}

int check_race_ksm(uint64_t ns, struct check_result *res)
{
	struct race r;
	char why[256], what[320];
	long f0;
	pthread_t tid;

	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "race/ksm");
	if (race_setup(&r, true, ns, why, sizeof(why)) < 0 ||
	    pin_ksm_start(KSM_SCAN_PAGES, KSM_SLEEP_MS, true, why, sizeof(why)) < 0 ||
	    (madvise(r.base, r.len, MADV_MERGEABLE) < 0 &&
	     snprintf(why, sizeof(why), "madvise(MADV_MERGEABLE): %s",
		      strerror(errno)))) {
		race_teardown(&r);
		pin_ksm_stop();
		return check_skip(res, why);
	}
	f0 = pin_ksm_counter("full_scans");
	if (pthread_create(&tid, NULL, race_pinner, &r)) {
		race_teardown(&r);
		pin_ksm_stop();
		return check_error(res, "pthread_create(pinner) failed");
	}
	pthread_join(tid, NULL);
	res->attempts = (uint64_t)(pin_ksm_counter("full_scans") - f0);
	snprintf(what, sizeof(what), "%.1f s: %" PRIu64 " pin cycles (%" PRIu64
		 " skipped), %" PRIu64 " with a ksmd full scan while held and "
		 "identical, %" PRIu64 " merges between holds, %" PRIu64 " full scans",
		 ns / 1e9, r.cycles, r.skipped, r.races, r.replaced, res->attempts);
	race_finish(&r, res, what);
	race_teardown(&r);
	pin_ksm_stop();
	return res->verdict == CHECK_ERROR ? -1 : 0;
}

/* ---- gupsync check ------------------------------------------------------------ */

#define CHECK_MAX 16

struct check_conf {
	uint64_t race_ns;
	const char *output;
};

static const struct opt_spec check_opts[] = {
	{ "race-time", OPT_DURATION, "how long each race check runs (0: none)",
	  "2s", 0, 600000000000ull, NULL, false,
	  offsetof(struct check_conf, race_ns) },
	{ "output", OPT_STR, "directory that receives check-<date>/check.json "
	  "(\"-\": write none)", "results", 0, 0, NULL, false,
	  offsetof(struct check_conf, output) },
	{ NULL },
};

/* A control that acted without a new PFN (uprobes writing in place) did
 * what it should, but "replaced" would be wrong. */
static const char *check_verdict_text(const struct check_result *r)
{
	if (r->verdict == CHECK_REPLACED && r->pfn_before &&
	    r->pfn_before == r->pfn_after)
		return "acted as expected, in place";
	return check_verdict_name(r->verdict);
}

static void check_print(const struct check_result *r)
{
	printf("%-22s %s (%s)\n", r->path, check_verdict_text(r), r->detail);
	fflush(stdout);
}

/* A held page kept proves nothing if the unheld one was kept too. */
static void check_gate(struct check_result *r, const struct check_result *control)
{
	char why[sizeof(r->detail)];

	if (r->verdict != CHECK_PROTECTED || control->verdict == CHECK_REPLACED)
		return;
	snprintf(why, sizeof(why), "the unheld control was not replaced either "
		 "(%.200s): no evidence either way", control->detail);
	check_skip(r, why);
}

static size_t check_paths(struct check_result *res, uint64_t race_ns)
{
	const struct check_replacer *reps[] = { &check_collapse, &check_ksm,
						&check_uprobe };
	const enum pin_kind holds[] = { PIN_IO_URING, PIN_VMSPLICE };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		size_t control = n;

		check_one(reps[i], PIN_NONE, &res[n]);
		check_print(&res[n++]);
		for (size_t k = 0; k < sizeof(holds) / sizeof(holds[0]); k++) {
			check_one(reps[i], holds[k], &res[n]);
			check_gate(&res[n], &res[control]);
			check_print(&res[n++]);
		}
	}
	if (race_ns) {
		check_race_collapse(race_ns, &res[n]);
		check_print(&res[n++]);
		check_race_ksm(race_ns, &res[n]);
		check_print(&res[n++]);
	}
	return n;
}

static json_t *check_json(const struct check_result *r)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:b, s:I, s:I, s:b, s:I, s:I, s:I, "
			 "s:I, s:I}", "path", r->path, "verdict",
			 check_verdict_name(r->verdict), "detail", r->detail, "errno",
			 r->err, "acted", r->acted, "pfn_before", (json_int_t)r->pfn_before,
			 "pfn_after", (json_int_t)r->pfn_after, "views_agree",
			 r->views_agree, "cycles", (json_int_t)r->cycles, "attempts",
			 (json_int_t)r->attempts, "races", (json_int_t)r->races,
			 "replaced", (json_int_t)r->replaced, "violations",
			 (json_int_t)r->violations);
}

static void check_save(const struct check_conf *c, json_t *info,
		       const struct check_result *res, size_t n)
{
	char dir[1024], err[256];
	json_t *j, *arr = json_array();

	if (!strcmp(c->output, "-"))
		return;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, check_json(&res[i]));
	j = json_pack("{s:O, s:I, s:o}", "machine", info, "race_time_ns",
		      (json_int_t)c->race_ns, "results", arr);
	if (!j || results_mkdir(c->output, "check", dir, sizeof(dir), err,
				sizeof(err)) < 0 ||
	    results_write_json(dir, "check.json", j, err, sizeof(err)) < 0)
		fprintf(stderr, "gupsync check: results not written: %s\n",
			j ? err : "out of memory");
	else
		printf("# results: %s/check.json\n", dir);
	json_decref(j);
}

/* Exit status: 1 on an internal error, 4 when nothing was checked. */
static int check_summary(const struct check_result *res, size_t n)
{
	size_t count[CHECK_ERROR + 1] = { 0 };

	for (size_t i = 0; i < n; i++)
		count[res[i].verdict]++;
	printf("# %zu PROTECTED, %zu NOT PROTECTED, %zu SKIPPED, %zu errors; "
	       "controls: %zu replaced, %zu not\n", count[CHECK_PROTECTED],
	       count[CHECK_NOT_PROTECTED], count[CHECK_SKIPPED], count[CHECK_ERROR],
	       count[CHECK_REPLACED], count[CHECK_NOT_REPLACED]);
	for (size_t i = 0; i < n; i++)
		if (res[i].verdict == CHECK_NOT_PROTECTED)
			printf("# FINDING: %s: a pinned page was replaced; this kernel "
			       "loses writes through pins on this path\n", res[i].path);
	if (count[CHECK_ERROR])
		return 1;
	return count[CHECK_PROTECTED] + count[CHECK_NOT_PROTECTED] ? 0 : EXIT_SKIP;
}

int check_main(int argc, char **argv)
{
	const struct opt_spec *const tables[] = { check_opts };
	struct check_conf c;
	void *confs[] = { &c };
	struct check_result res[CHECK_MAX];
	struct opt_set set;
	char err[OPT_ERR_LEN], line[256];
	bool help = false;
	json_t *info;
	size_t n;
	int rc;

	if (opt_parse(tables, 1, argc - 1, argv + 1, &set, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync check: %s\n", err);
		return EXIT_USAGE;
	}
	if (help) {
		printf("usage: gupsync check [OPTIONS]\n\nIs a page that GUP pinned "
		       "ever replaced?  MADV_COLLAPSE, KSM and uprobes\nagainst an "
		       "io_uring pin and a vmsplice hold, then races.\n\n");
		opt_help(stdout, tables, 1);
		return 0;
	}
	opt_apply(&set, 0, confs);
	counters_tracefs(err, sizeof(err));	/* before any thread */
	info = sysinfo_collect();
	sysinfo_oneline(info, line, sizeof(line));
	printf("# gupsync check: is a page that GUP pinned ever replaced?\n"
	       "# machine: %s\n", line);
	fflush(stdout);
	n = check_paths(res, c.race_ns);
	rc = check_summary(res, n);
	check_save(&c, info, res, n);
	json_decref(info);
	return rc;
}

int check_command(int argc, char **argv, const char *cmdline)
{
	(void)cmdline;
	return check_main(argc, argv);
}
