// SPDX-License-Identifier: GPL-2.0
/* pin.c - see pin.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fusehold.h"
#include "mem.h"
#include "pin.h"

#define PIN_PAGE 4096ul
#define PIN_RING_ENTRIES 4
#define PIN_ODIRECT_WAIT_MS 5000	/* for the read to reach the FUSE server */
/* pagemap entry: bit 63 present, bits 0-54 the PFN (zeroed unless
 * CAP_SYS_ADMIN); kpageflags bit 22 is KPF_THP. */
#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)
#define KPF_KSM_BIT 21
#define KPF_THP_BIT 22

const char *pin_kind_name(enum pin_kind k)
{
	return k == PIN_IO_URING ? "io_uring-pin" :
	       k == PIN_VMSPLICE ? "vmsplice-pin" :
	       k == PIN_ODIRECT ? "odirect-fuse" : "unpinned";
}

int pin_open(struct pin *p, enum pin_kind kind, char *err, size_t len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->data[0] = p->data[1] = p->view[0] = p->view[1] = -1;
	if (kind == PIN_NONE)
		return 0;
	if (kind == PIN_ODIRECT)
		return fusehold_start(&p->fuse, err, len);
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
	fusehold_stop(p->fuse);
	p->fuse = NULL;
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

/* PIN_ODIRECT: the reader thread's read(2) of the FUSE file. */
static void *pin_reader(void *arg)
{
	struct pin *p = arg;
	int fd = open(fusehold_file(p->fuse), O_RDONLY | O_DIRECT | O_CLOEXEC);

	p->read_rc = fd < 0 ? -1 : pread(fd, p->addr, p->len, 0);
	p->read_err = errno;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Start the read and wait until the server holds it: by then the kernel
 * has pinned the pages (fuse_get_user_pages() runs before the request is
 * sent). */
static int pin_odirect(struct pin *p, char *err, size_t errlen)
{
	int rc = pthread_create(&p->reader, NULL, pin_reader, p);

	if (rc) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		return -1;
	}
	p->reading = true;
	if (fusehold_wait_read(p->fuse, PIN_ODIRECT_WAIT_MS) == 1)
		return 0;
	fusehold_stop(p->fuse);		/* ends a read that did not get there */
	p->fuse = NULL;
	pthread_join(p->reader, NULL);
	p->reading = false;
	snprintf(err, errlen, "O_DIRECT read of the FUSE file: %s",
		 p->read_rc < 0 ? strerror(p->read_err) :
		 "did not reach the server in time");
	return -1;
}

/* Answer the held read with the range as mapped now, data at off; the
 * read then completes into the pages it pinned. */
static int pin_odirect_answer(struct pin *p, size_t off, const void *data,
			      size_t n, char *err, size_t errlen)
{
	static char buf[PIN_MAX_LEN];
	int rc;

	memcpy(buf, p->addr, p->len);
	if (data)
		memcpy(buf + off, data, n);
	rc = fusehold_answer(p->fuse, buf, p->len, err, errlen);
	pthread_join(p->reader, NULL);
	p->reading = false;
	p->held = false;
	if (rc == 0 && p->read_rc != (ssize_t)p->len) {
		snprintf(err, errlen, "the held O_DIRECT read returned %zd (%s)",
			 p->read_rc, p->read_rc < 0 ? strerror(p->read_err) : "short");
		return -1;
	}
	return rc;
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
	} else if (p->kind == PIN_ODIRECT) {
		if (pin_odirect(p, err, errlen) < 0)
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
	if (p->kind == PIN_ODIRECT)
		return pin_odirect_answer(p, 0, NULL, 0, err ? err : scratch,
					  err ? errlen : sizeof(scratch));
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
	if (p->kind == PIN_ODIRECT)
		return pin_odirect_answer(p, off, data, n, err, errlen);
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
	char *p = mem_aligned(size, align, err, len);

	if (p)
		mem_populate(p, size);
	return p;
}
