/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fusehold.h - a FUSE file whose reads wait for the caller: direct I/O
 * held in flight for as long as we choose.
 *
 * A tiny FUSE server (libfuse3, low-level API, in a process of its own)
 * serves one file with direct_io.  A read(2) of it makes the kernel take the reader's
 * pages (fs/fuse/file.c fuse_get_user_pages(): iov_iter_extract_pages(),
 * a FOLL_PIN by pin_user_pages_fast() since Linux 6.4 or so; before that
 * iov_iter_get_pages2(), FOLL_GET by get_user_pages_fast()), then send
 * the READ request and wait for the answer.  The server parks the request
 * until fusehold_answer(): until then the reader's page is pinned by an
 * O_DIRECT read in flight, and the answer is written into whatever page
 * the pin holds - the page the process maps, unless something replaced
 * it.  That is the "O_DIRECT data lands in a page the process no longer
 * maps" of the collapse/KSM protection.
 *
 * The mount lives in a mount namespace of the process's own
 * (fusehold_start() unshares one if it can), on a directory under
 * /run/gupsync that only root can write.  The server process dies with
 * its parent, which aborts the connection, so a SIGKILL'd gupsync leaves
 * no process stuck on a read, no mount outside its namespace, and a
 * directory that the next start removes.
 */
#ifndef GUPSYNC_FUSEHOLD_H
#define GUPSYNC_FUSEHOLD_H

#include <stdbool.h>
#include <stddef.h>

#define FUSEHOLD_DIR "/run/gupsync"

struct fusehold;

/* Whether a FUSE server can run here (root, /dev/fuse); why if not. */
bool fusehold_available(char *why, size_t len);

/* Mount and serve; *out the server.  -1 with err. */
int fusehold_start(struct fusehold **out, char *err, size_t len);
/* The served file (1 MiB, direct_io: every read reaches the server). */
const char *fusehold_file(const struct fusehold *f);
/* Wait up to timeout_ms for a read to be parked: 1 yes, 0 timed out. */
int fusehold_wait_read(struct fusehold *f, int timeout_ms);
/* Answer the parked read with n bytes of data (its length at most what
 * was asked).  -1 with err when none is parked. */
int fusehold_answer(struct fusehold *f, const void *data, size_t n, char *err,
		    size_t len);
/* Reads the server has seen. */
unsigned long fusehold_reads(const struct fusehold *f);
/* Fail a parked read (EIO), unmount, stop; NULL is fine. */
void fusehold_stop(struct fusehold *f);

/* Remove the directories that servers of dead processes left under
 * FUSEHOLD_DIR (their mounts went with their namespaces); returns how
 * many.  fusehold_start() does it first. */
int fusehold_cleanup_stale(void);

#endif
