/* SPDX-License-Identifier: GPL-2.0 */
/*
 * odirect.h - how `gupsync check` shows that its O_DIRECT hold (a FUSE
 * read held in flight, pin.h PIN_ODIRECT) was pinned by GUP-fast.
 */
#ifndef GUPSYNC_ODIRECT_H
#define GUPSYNC_ODIRECT_H

#include <stdbool.h>

struct odirect_proof {
	unsigned reads;		/* held reads that completed with a page */
	unsigned control_reads;	/* PROT_READ reads that failed with EFAULT */
	double fast_per_read;	/* mmap_lock per read, reader's thread */
	double slow_per_read;	/* the same in the control */
	bool proven;
	char text[320];		/* the verdict in numbers */
};

/* Run the reads and judge them; 0 proven, -1 not (pr->text says why). */
int check_odirect_proof(struct odirect_proof *pr);

#endif
