// SPDX-License-Identifier: GPL-2.0
/* pin.c - see pin.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "counters.h"
#include "knobs.h"
#include "pin.h"

#define PIN_PAGE 4096ul
#define PIN_RING_ENTRIES 4
/* pagemap entry: bit 63 present, bits 0-54 the PFN (zeroed unless
 * CAP_SYS_ADMIN); kpageflags bit 22 is KPF_THP. */
#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)
#define KPF_KSM_BIT 21
#define KPF_THP_BIT 22

const char *pin_kind_name(enum pin_kind k)
{
	return k == PIN_IO_URING ? "io_uring-pin" :
	       k == PIN_VMSPLICE ? "vmsplice-pin" : "unpinned";
}

int pin_open(struct pin *p, enum pin_kind kind, char *err, size_t len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->data[0] = p->data[1] = p->view[0] = p->view[1] = -1;
	if (kind == PIN_NONE)
		return 0;
	if (pipe2(p->data, O_CLOEXEC) < 0 ||
	    (kind == PIN_VMSPLICE && pipe2(p->view, O_CLOEXEC) < 0)) {
		snprintf(err, len, "pipe2: %s", strerror(errno));
		pin_close(p);
		return -1;
	}
	if (kind == PIN_IO_URING) {
		rc = io_uring_queue_init(PIN_RING_ENTRIES, &p->ring, 0);
		if (rc < 0) {
			snprintf(err, len, "io_uring_queue_init(%d): %s",
				 PIN_RING_ENTRIES, strerror(-rc));
			pin_close(p);
			return -1;
		}
		p->ring_ok = true;
	}
	return 0;
}

void pin_close(struct pin *p)
{
	if (p->held)
		pin_release(p, NULL, 0);
	if (p->ring_ok)
		io_uring_queue_exit(&p->ring);
	p->ring_ok = false;
	for (int i = 0; i < 2; i++) {
		if (p->data[i] >= 0)
			close(p->data[i]);
		if (p->view[i] >= 0)
			close(p->view[i]);
		p->data[i] = p->view[i] = -1;
	}
}

static int pin_vmsplice(struct pin *p, char *err, size_t errlen)
{
	struct iovec iov = { p->addr, p->len };

	while (iov.iov_len) {
		ssize_t n = vmsplice(p->data[1], &iov, 1, 0);

		if (n <= 0) {
			snprintf(err, errlen, "vmsplice(%p, %zu): %s", iov.iov_base,
				 iov.iov_len, n < 0 ? strerror(errno) : "no progress");
			return -1;
		}
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= (size_t)n;
	}
	return 0;
}

int pin_hold(struct pin *p, void *addr, size_t len, char *err, size_t errlen)
{
	struct iovec iov = { addr, len };
	int rc;

	if (p->held || !len || len % PIN_PAGE || len > PIN_MAX_LEN) {
		snprintf(err, errlen, "pin_hold(%p, %zu): %s", addr, len,
			 p->held ? "already holding" : "length must be 4K..64K, whole pages");
		return -1;
	}
	p->addr = addr;
	p->len = len;
	if (p->kind == PIN_NONE)
		return 0;
	if (p->kind == PIN_VMSPLICE) {
		if (pin_vmsplice(p, err, errlen) < 0)
			return -1;
	} else if ((rc = io_uring_register_buffers(&p->ring, &iov, 1)) < 0) {
		snprintf(err, errlen, "io_uring_register_buffers(%p, %zu): %s",
			 addr, len, strerror(-rc));
		return -1;
	}
	p->held = true;
	return 0;
}

/* Read exactly n bytes from a pipe. */
static int pin_read_full(int fd, void *buf, size_t n, char *err, size_t errlen)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			snprintf(err, errlen, "read(pipe, %zu): %s", n - got,
				 r < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

int pin_release(struct pin *p, char *err, size_t errlen)
{
	char scratch[PIN_PAGE];
	int rc = 0;

	if (!p->held)
		return 0;
	p->held = false;
	if (p->kind == PIN_IO_URING) {
		rc = io_uring_unregister_buffers(&p->ring);
		if (rc < 0 && err)
			snprintf(err, errlen, "io_uring_unregister_buffers: %s",
				 strerror(-rc));
		return rc < 0 ? -1 : 0;
	}
	/* Reading the pipe empty drops its page references. */
	for (size_t left = p->len; left && rc == 0; left -= PIN_PAGE)
		rc = pin_read_full(p->data[0], scratch, PIN_PAGE, err, errlen);
	return rc;
}

/* One fixed-buffer op on the held range and its completion. */
static int pin_fixed(struct pin *p, bool to_page, size_t off, size_t n,
		     char *err, size_t errlen)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&p->ring);
	struct io_uring_cqe *cqe;
	int rc;

	if (!sqe) {
		snprintf(err, errlen, "io_uring_get_sqe: ring full");
		return -1;
	}
	if (to_page)
		io_uring_prep_read_fixed(sqe, p->data[0], p->addr + off, n, 0, 0);
	else
		io_uring_prep_write_fixed(sqe, p->data[1], p->addr + off, n, 0, 0);
	rc = io_uring_submit_and_wait(&p->ring, 1);
	if (rc >= 0)
		rc = io_uring_wait_cqe(&p->ring, &cqe);
	if (rc < 0) {
		snprintf(err, errlen, "io_uring_submit_and_wait: %s", strerror(-rc));
		return -1;
	}
	rc = cqe->res;
	io_uring_cqe_seen(&p->ring, cqe);
	if (rc != (int)n) {
		snprintf(err, errlen, "IORING_OP_%s_FIXED(%zu bytes): %s",
			 to_page ? "READ" : "WRITE", n,
			 rc < 0 ? strerror(-rc) : "short transfer");
		return -1;
	}
	return 0;
}

static int pin_range_ok(const struct pin *p, size_t off, size_t n, char *err,
			size_t errlen)
{
	if (p->held && off + n <= p->len && n <= PIN_PAGE)
		return 0;
	snprintf(err, errlen, "pin: %s", !p->held ? "nothing held" :
		 "range outside the held pages or over 4K");
	return -1;
}

int pin_write(struct pin *p, size_t off, const void *data, size_t n,
	      char *err, size_t errlen)
{
	if (pin_range_ok(p, off, n, err, errlen) < 0)
		return -1;
	if (p->kind != PIN_IO_URING) {
		snprintf(err, errlen, "%s: no write through this hold",
			 pin_kind_name(p->kind));
		return -1;
	}
	if (write(p->data[1], data, n) != (ssize_t)n) {
		snprintf(err, errlen, "write(pipe, %zu): %s", n, strerror(errno));
		return -1;
	}
	return pin_fixed(p, true, off, n, err, errlen);
}

int pin_read(struct pin *p, size_t off, void *buf, size_t n, char *err,
	     size_t errlen)
{
	static char scratch[PIN_MAX_LEN];
	ssize_t t;

	if (pin_range_ok(p, off, n, err, errlen) < 0)
		return -1;
	if (p->kind == PIN_IO_URING) {
		if (pin_fixed(p, false, off, n, err, errlen) < 0)
			return -1;
		return pin_read_full(p->data[0], buf, n, err, errlen);
	}
	if (p->kind != PIN_VMSPLICE) {
		snprintf(err, errlen, "unpinned: nothing to read through");
		return -1;
	}
	/* tee() duplicates the pipe's page references without consuming
	 * them: the hold stays, the copy shows the held pages' bytes. */
	t = tee(p->data[0], p->view[1], p->len, 0);
	if (t != (ssize_t)p->len) {
		snprintf(err, errlen, "tee(%zu): %s", p->len,
			 t < 0 ? strerror(errno) : "short");
		return -1;
	}
	if (pin_read_full(p->view[0], scratch, p->len, err, errlen) < 0)
		return -1;
	memcpy(buf, scratch + off, n);
	return 0;
}

bool pin_available(enum pin_kind kind, char *why, size_t len)
{
	struct pin p;
	char *page;
	bool ok;

	if (kind == PIN_NONE)
		return true;
	page = pin_anon_region(PIN_PAGE, PIN_PAGE, why, len);
	if (!page)
		return false;
	ok = pin_open(&p, kind, why, len) == 0 &&
	     pin_hold(&p, page, PIN_PAGE, why, len) == 0;
	if (p.held)
		pin_release(&p, NULL, 0);
	pin_close(&p);
	munmap(page, PIN_PAGE);
	return ok;
}

static int pin_pread_u64(const char *path, uint64_t index, uint64_t *v,
			 char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(why, len, "open(%s): %s", path, strerror(errno));
		return -1;
	}
	n = pread(fd, v, sizeof(*v), (off_t)(index * sizeof(*v)));
	if (n != sizeof(*v))
		snprintf(why, len, "pread(%s, entry %" PRIu64 "): %s", path, index,
			 n < 0 ? strerror(errno) : "short read");
	close(fd);
	return n == sizeof(*v) ? 0 : -1;
}

int pin_mapped_pfn(const void *addr, uint64_t *pfn, char *why, size_t len)
{
	uint64_t e;

	*pfn = 0;
	if (pin_pread_u64("/proc/self/pagemap", (uintptr_t)addr / PIN_PAGE, &e,
			  why, len) < 0)
		return -1;
	if (!(e & PM_PRESENT))
		return 0;
	*pfn = e & PM_PFN_MASK;
	if (!*pfn) {
		snprintf(why, len, "/proc/self/pagemap hides PFNs (needs CAP_SYS_ADMIN)");
		return -1;
	}
	return 0;
}

static int pin_mapped_flag(const void *addr, int bit)
{
	uint64_t pfn, flags;
	char why[160];

	if (pin_mapped_pfn(addr, &pfn, why, sizeof(why)) < 0 || !pfn ||
	    pin_pread_u64("/proc/kpageflags", pfn, &flags, why, sizeof(why)) < 0)
		return -1;
	return (int)((flags >> bit) & 1);
}

int pin_mapped_thp(const void *addr)
{
	return pin_mapped_flag(addr, KPF_THP_BIT);
}

int pin_mapped_ksm(const void *addr)
{
	return pin_mapped_flag(addr, KPF_KSM_BIT);
}

void *pin_anon_region(size_t size, size_t align, char *err, size_t len)
{
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
	for (size_t off = 0; off < size; off += PIN_PAGE)
		p[off] = 1;
	return p;
}

/* ---- KSM ---------------------------------------------------------------- */

long pin_ksm_counter(const char *name)
{
	char path[128], val[64];

	snprintf(path, sizeof(path), KSM_DIR "/%s", name);
	if (knob_read(path, val, sizeof(val)) < 0)
		return -1;
	return strtol(val, NULL, 10);
}

long pin_ksm_self(const char *key)
{
	FILE *f = fopen("/proc/self/ksm_stat", "r");
	char line[128], k[64];
	long v, found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

int pin_ksm_others(char *who, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], line[128], comm[32];
	int n = 0;

	who[0] = 0;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		FILE *f;
		bool yes = false;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ksm_stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof(line), f))
			yes |= !strcmp(line, "ksm_mergeable: yes\n");
		fclose(f);
		if (!yes || n++)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if ((f = fopen(path, "r"))) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
			snprintf(who, len, "%s[%d]", comm, pid);
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* smart_scan (6.7+) may be missing: then it is left out. */
static const char *const pin_ksm_knobs[] = {
	KSM_DIR "/pages_to_scan", KSM_DIR "/sleep_millisecs", KSM_DIR "/smart_scan",
	KSM_DIR "/run",
};
#define PIN_KSM_NKNOBS (sizeof(pin_ksm_knobs) / sizeof(pin_ksm_knobs[0]))
static char pin_ksm_saved[PIN_KSM_NKNOBS][KNOB_VALUE_MAX];

int pin_ksm_start(unsigned pages_to_scan, unsigned sleep_ms, bool thorough,
		  char *err, size_t len)
{
	char v[PIN_KSM_NKNOBS][KNOB_VALUE_MAX];

	for (size_t i = 0; i < PIN_KSM_NKNOBS; i++)
		if (knob_read(pin_ksm_knobs[i], pin_ksm_saved[i],
			      sizeof(pin_ksm_saved[i])) < 0)
			pin_ksm_saved[i][0] = 0;
	if (!pin_ksm_saved[PIN_KSM_NKNOBS - 1][0]) {
		snprintf(err, len, "KSM not available: cannot read %s/run "
			 "(CONFIG_KSM off?)", KSM_DIR);
		return -1;
	}
	snprintf(v[0], sizeof(v[0]), "%u", pages_to_scan);
	snprintf(v[1], sizeof(v[1]), "%u", sleep_ms);
	snprintf(v[2], sizeof(v[2]), "%s", thorough ? "0" : pin_ksm_saved[2]);
	snprintf(v[3], sizeof(v[3]), "1");
	for (size_t i = 0; i < PIN_KSM_NKNOBS; i++)
		if (pin_ksm_saved[i][0] && knob_set(pin_ksm_knobs[i], v[i], err, len) < 0)
			return -1;
	return 0;
}

void pin_ksm_stop(void)
{
	char err[256];

	/* run first: ksmd stops before its pace changes back. */
	for (size_t i = PIN_KSM_NKNOBS; i-- > 0;)
		if (pin_ksm_saved[i][0] &&
		    knob_set(pin_ksm_knobs[i], pin_ksm_saved[i], err, sizeof(err)) < 0)
			fprintf(stderr, "gupsync: %s\n", err);
}

/* ---- uprobe events ------------------------------------------------------ */

#define UPROBE_SLOTS 8
#define UPROBE_PATH_MAX 280
#define UPROBE_GROUP_FMT "gupsync_%d"

/* What the exit and signal cleanup needs, prepared when the event is
 * added, so the handler only calls open/write/close. */
struct uprobe_slot {
	volatile sig_atomic_t live, enabled;
	char enable_path[UPROBE_PATH_MAX];
	char events_path[UPROBE_PATH_MAX];
	char removal[80];	/* "-:group/name\n" */
	size_t removal_len;
};

static struct uprobe_slot up_slots[UPROBE_SLOTS];
static const int up_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define UP_NSIGNALS (sizeof(up_signals) / sizeof(up_signals[0]))
static struct sigaction up_old[UP_NSIGNALS];
static bool up_hooked;

static int up_write(const char *path, const char *s, size_t n, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t w;
	int e;

	if (fd < 0)
		return -1;
	w = write(fd, s, n);
	e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)n ? 0 : -1;
}

/* Async-signal-safe. */
static void up_slot_clean(struct uprobe_slot *s)
{
	if (s->enabled)
		up_write(s->enable_path, "0", 1, O_TRUNC);
	s->enabled = 0;
	/* O_APPEND: truncating uprobe_events would remove every probe. */
	if (s->live)
		up_write(s->events_path, s->removal, s->removal_len, O_APPEND);
	s->live = 0;
}

static void up_clean_all(void)
{
	for (int i = 0; i < UPROBE_SLOTS; i++)
		up_slot_clean(&up_slots[i]);
}

/* Remove our probes, then do what was there before (the knobs restore,
 * which re-raises; or the default action). */
static void up_on_signal(int sig)
{
	up_clean_all();
	for (size_t i = 0; i < UP_NSIGNALS; i++) {
		if (up_signals[i] != sig)
			continue;
		if (up_old[i].sa_handler == SIG_IGN)
			return;
		if (up_old[i].sa_handler != SIG_DFL &&
		    !(up_old[i].sa_flags & SA_SIGINFO)) {
			up_old[i].sa_handler(sig);
			return;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void up_hook(void)
{
	struct sigaction sa = { .sa_handler = up_on_signal };

	if (up_hooked)
		return;
	up_hooked = true;
	atexit(up_clean_all);
	for (size_t i = 0; i < UP_NSIGNALS; i++)
		if (sigaction(up_signals[i], &sa, &up_old[i]) == 0 &&
		    up_old[i].sa_handler == SIG_IGN)
			sigaction(up_signals[i], &up_old[i], NULL);
}

static bool up_owner_alive(int pid)
{
	char path[64], stat[64];
	FILE *f;
	bool zombie = false;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r"))) {
		/* "pid (comm) S ...": a zombie cleans up nothing more. */
		zombie = fgets(stat, sizeof(stat), f) && strstr(stat, ") Z ");
		fclose(f);
	}
	return !zombie;
}

/* Probes of gupsync processes that are gone (killed by SIGKILL).  Read
 * the list whole first: tracefs will not delete while it is being read. */
static void up_remove_stale(const char *tracefs)
{
	char path[UPROBE_PATH_MAX], line[512], name[64], rm[UPROBE_PATH_MAX];
	char stale[UPROBE_SLOTS * 4][80];
	size_t n = 0;
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/uprobe_events", tracefs);
	if (!(f = fopen(path, "r")))
		return;
	while (n < sizeof(stale) / sizeof(stale[0]) && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*c:" UPROBE_GROUP_FMT "/%63s", &pid, name) == 2 &&
		    pid != getpid() && !up_owner_alive(pid))
			snprintf(stale[n++], sizeof(stale[0]), UPROBE_GROUP_FMT "/%s",
				 pid, name);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		snprintf(rm, sizeof(rm), "%.180s/events/%.79s/enable", tracefs, stale[i]);
		up_write(rm, "0", 1, O_TRUNC);
		snprintf(rm, sizeof(rm), "-:%.79s\n", stale[i]);
		if (up_write(path, rm, strlen(rm), O_APPEND) < 0)
			fprintf(stderr, "gupsync: removing stale uprobe %s: %s\n",
				stale[i], strerror(errno));
		else
			fprintf(stderr, "gupsync: removed uprobe %s left by a killed "
				"run\n", stale[i]);
	}
}

int uprobe_ev_add(struct uprobe_ev *ev, const char *name, const char *path,
		  uint64_t offset, char *err, size_t len)
{
	const char *tracefs = counters_tracefs(err, len);
	struct uprobe_slot *s = NULL;
	char def[UPROBE_PATH_MAX + 128];

	ev->slot = -1;
	ev->enabled = false;
	if (!tracefs)
		return -1;
	for (int i = 0; i < UPROBE_SLOTS && !s; i++)
		if (!up_slots[i].live)
			s = &up_slots[i], ev->slot = i;
	if (!s) {
		snprintf(err, len, "uprobe: more than %d events at once", UPROBE_SLOTS);
		return -1;
	}
	up_hook();
	up_remove_stale(tracefs);
	snprintf(ev->tracefs, sizeof(ev->tracefs), "%s", tracefs);
	snprintf(ev->group, sizeof(ev->group), UPROBE_GROUP_FMT, (int)getpid());
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	snprintf(s->events_path, sizeof(s->events_path), "%s/uprobe_events", tracefs);
	snprintf(s->enable_path, sizeof(s->enable_path), "%s/events/%s/%s/enable",
		 tracefs, ev->group, ev->name);
	s->removal_len = (size_t)snprintf(s->removal, sizeof(s->removal),
					  "-:%s/%s\n", ev->group, ev->name);
	snprintf(def, sizeof(def), "p:%s/%s %s:0x%" PRIx64 "\n", ev->group,
		 ev->name, path, offset);
	if (up_write(s->events_path, def, strlen(def), O_APPEND) < 0) {
		snprintf(err, len, "write(%s, \"p:%s/%s %s:0x%" PRIx64 "\"): %s "
			 "(see %s/error_log)", s->events_path, ev->group, ev->name,
			 path, offset, strerror(errno), tracefs);
		ev->slot = -1;
		return -1;
	}
	s->live = 1;
	return 0;
}

int uprobe_ev_enable(struct uprobe_ev *ev, bool on, char *err, size_t len)
{
	struct uprobe_slot *s;

	if (ev->slot < 0) {
		snprintf(err, len, "uprobe: event not added");
		return -1;
	}
	s = &up_slots[ev->slot];
	if (on)
		s->enabled = 1;	/* before the write: a signal may come mid-way */
	if (up_write(s->enable_path, on ? "1" : "0", 1, O_TRUNC) < 0) {
		snprintf(err, len, "write(%s, %d): %s", s->enable_path, on,
			 strerror(errno));
		return -1;
	}
	s->enabled = on;
	ev->enabled = on;
	return 0;
}

long uprobe_ev_hits(const struct uprobe_ev *ev)
{
	char path[UPROBE_PATH_MAX], line[512], name[64];
	long hits = -1, h;
	FILE *f;

	snprintf(path, sizeof(path), "%s/uprobe_profile", ev->tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "  <file> <event> <hits>"; the event name has no group, the file
	 * may carry " (deleted)": take the last two words. */
	while (hits < 0 && fgets(line, sizeof(line), f)) {
		char *end = line + strcspn(line, "\n"), *sp;

		*end = 0;
		sp = strrchr(line, ' ');
		if (!sp || sscanf(sp, " %ld", &h) != 1)
			continue;
		while (sp > line && sp[-1] == ' ')
			sp--;
		*sp = 0;
		sp = strrchr(line, ' ');
		if (sp && sscanf(sp, " %63s", name) == 1 && !strcmp(name, ev->name))
			hits = h;
	}
	fclose(f);
	return hits;
}

void uprobe_ev_remove(struct uprobe_ev *ev)
{
	if (ev->slot < 0)
		return;
	up_slot_clean(&up_slots[ev->slot]);
	ev->slot = -1;
	ev->enabled = false;
}

int pin_exec_dir(char *dir, size_t len, char *err, size_t errlen)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp", "/dev/shm", "." };
	const char *env = getenv("TMPDIR");
	struct statvfs sv;

	for (int i = -1; i < (int)(sizeof(dirs) / sizeof(dirs[0])); i++) {
		const char *d = i < 0 ? env : dirs[i];

		if (!d || statvfs(d, &sv) < 0 || (sv.f_flag & ST_NOEXEC))
			continue;
		snprintf(dir, len, "%s/gupsync-uprobe-XXXXXX", d);
		if (mkdtemp(dir))
			return 0;
	}
	snprintf(err, errlen, "no writable directory without noexec (tried "
		 "$TMPDIR, /tmp, /var/tmp, /dev/shm, .)");
	dir[0] = 0;
	return -1;
}

int uprobe_file_offset(const void *addr, char *path, size_t plen,
		       uint64_t *offset, char *err, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096 + 128], file[4096];
	unsigned long lo, hi, off;
	int found = 0;

	if (!f) {
		snprintf(err, len, "open(/proc/self/maps): %s", strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &lo, &hi,
			       &off, file) == 4 && file[0] == '/' &&
			(uintptr_t)addr >= lo && (uintptr_t)addr < hi;
	fclose(f);
	if (!found) {
		snprintf(err, len, "address %p is not in a file mapping", addr);
		return -1;
	}
	snprintf(path, plen, "%s", file);
	*offset = (uintptr_t)addr - lo + off;
	return 0;
}
