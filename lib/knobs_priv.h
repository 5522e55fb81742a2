/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knobs_priv.h - the state knobs.c (the knobs set, restoring them) shares
 * with knobs_journal.c (the journal file).  Internal to the two; other
 * code includes knobs.h.
 */
#ifndef GUPSYNC_KNOBS_PRIV_H
#define GUPSYNC_KNOBS_PRIV_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* The journal (knobs_journal.c): its path, this process's locked fd on
 * it (-1: none yet), and whether it is ours to unlink at restore. */
extern char knobs_journal[PATH_MAX];
extern int knobs_journal_fd;
extern volatile sig_atomic_t knobs_journal_owned;
/* knobs_init() has run once (knobs.c). */
extern bool knobs_inited;

/* Async-signal-safe.  Returns 0 or -errno (knobs.c). */
int knobs_write_fd(int fd, const char *data, size_t len);
/* journal (NULL: GUPSYNC_JOURNAL if safe, else the default) becomes the
 * journal path; -1 with err if unusable. */
int knobs_set_journal_path(const char *journal, char *err, size_t errlen);
/* Create, lock and link the journal into place; sets knobs_journal_fd. */
int knobs_journal_create(char *err, size_t errlen);
/* Append buf to fd and fsync it; -1 with errno. */
int knobs_write_all(int fd, const char *buf, size_t len);

#endif
