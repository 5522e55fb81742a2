/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loopdev.h - a loop block device of our own, for O_DIRECT reads that go
 * through the block layer (block/fops.c -> bio_iov_iter_get_pages() ->
 * iov_iter_extract_pages(): pin_user_pages_fast(), FOLL_PIN, since about
 * Linux 6.3; get_user_pages_fast() with FOLL_GET before).
 *
 * Its backing is a memfd (shmem: nothing on disk, gone with the last
 * reference); the device is found with LOOP_CTL_GET_FREE and configured
 * read-only with LO_FLAGS_AUTOCLEAR, so the kernel detaches it when the
 * last descriptor closes - at exit, on a signal, or when the process is
 * killed.  Nothing is left behind, and nothing needs restoring.  Block i
 * (4 KiB) holds loopdev_word(tag, i) in every 8-byte word: a read's data
 * says which block it came from.
 */
#ifndef GUPSYNC_LOOPDEV_H
#define GUPSYNC_LOOPDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOPDEV_BLOCK 4096u

struct loopdev {
	int fd;			/* the device, O_RDONLY | O_DIRECT */
	int num;		/* /dev/loopN */
	unsigned nblocks;
	uint64_t tag;
};

/* The word block i of a device tagged tag is filled with. */
static inline uint64_t loopdev_word(uint64_t tag, unsigned i)
{
	return tag ^ ((uint64_t)i << 32) ^ i;
}

/* Whether loop devices can be had here; why if not. */
bool loopdev_available(char *why, size_t len);
/* A device of nblocks blocks, filled, open for O_DIRECT reads. */
int loopdev_open(struct loopdev *l, unsigned nblocks, uint64_t tag, char *err,
		 size_t len);
/* Close it; the kernel detaches it (autoclear). */
void loopdev_close(struct loopdev *l);

#endif
