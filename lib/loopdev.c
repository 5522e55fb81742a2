// SPDX-License-Identifier: GPL-2.0
/* loopdev.c - see loopdev.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loopdev.h"

#define LOOPDEV_TRIES 8		/* another process may take the free one first */

bool loopdev_available(char *why, size_t len)
{
	if (access("/dev/loop-control", R_OK | W_OK) < 0) {
		snprintf(why, len, "/dev/loop-control: %s (CONFIG_BLK_DEV_LOOP, root)",
			 strerror(errno));
		return false;
	}
	return true;
}

/* The backing: a memfd with block i filled with loopdev_word(tag, i). */
static int backing(unsigned nblocks, uint64_t tag, char *err, size_t len)
{
	uint64_t buf[LOOPDEV_BLOCK / sizeof(uint64_t)];
	int fd = memfd_create("gupsync-loop", MFD_CLOEXEC);

	if (fd < 0) {
		snprintf(err, len, "memfd_create: %s", strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < nblocks; i++) {
		for (size_t w = 0; w < sizeof(buf) / sizeof(buf[0]); w++)
			buf[w] = loopdev_word(tag, i);
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * LOOPDEV_BLOCK) !=
		    (ssize_t)sizeof(buf)) {
			snprintf(err, len, "filling the backing: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

int loopdev_open(struct loopdev *l, unsigned nblocks, uint64_t tag, char *err,
		 size_t len)
{
	struct loop_config cfg = { .block_size = LOOPDEV_BLOCK };
	int ctl, back, dev = -1;
	char path[32];

	memset(l, 0, sizeof(*l));
	l->fd = l->num = -1;
	if (!loopdev_available(err, len))
		return -1;
	back = backing(nblocks, tag, err, len);
	if (back < 0)
		return -1;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(err, len, "/dev/loop-control: %s", strerror(errno));
		close(back);
		return -1;
	}
	cfg.fd = (unsigned)back;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name),
		 "gupsync-loop");
	for (int t = 0; t < LOOPDEV_TRIES && dev < 0; t++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0) {
			snprintf(err, len, "LOOP_CTL_GET_FREE: %s", strerror(errno));
			break;
		}
		snprintf(path, sizeof(path), "/dev/loop%d", n);
		dev = open(path, O_RDONLY | O_CLOEXEC);
		if (dev < 0) {
			snprintf(err, len, "%s: %s", path, strerror(errno));
			break;
		}
		if (ioctl(dev, LOOP_CONFIGURE, &cfg) < 0) {
			snprintf(err, len, "LOOP_CONFIGURE %s: %s", path, strerror(errno));
			close(dev);
			dev = -1;
			if (errno != EBUSY)
				break;
			continue;	/* taken meanwhile: the next free one */
		}
		l->num = n;
	}
	close(ctl);
	close(back);		/* the device holds the backing now */
	if (dev < 0)
		return -1;
	/* Our own descriptor for the reads; the configuring one goes, and
	 * autoclear detaches the device when this one closes. */
	l->fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	close(dev);
	if (l->fd < 0) {
		snprintf(err, len, "%s (O_DIRECT): %s", path, strerror(errno));
		return -1;
	}
	l->nblocks = nblocks;
	l->tag = tag;
	return 0;
}

void loopdev_close(struct loopdev *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
