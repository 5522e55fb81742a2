/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knobs_recover.h - what knobs_recover.c, which replays a journal left by
 * a process that is gone (knobs_recover(), declared in knobs.h), shares
 * with knobs.c, which writes journals: their header, their path and the
 * knob writer.  Internal to the two; other code includes knobs.h.
 */
#ifndef GUPSYNC_KNOBS_RECOVER_H
#define GUPSYNC_KNOBS_RECOVER_H

#include <stdbool.h>
#include <stddef.h>

/* First line of a journal: "gupsync-knobs-journal 1 pid=<pid>". */
#define KNOBS_JOURNAL_MAGIC "gupsync-knobs-journal"
#define KNOBS_JOURNAL_VERSION 1

/* The journal's path: knobs_init()'s, else GUPSYNC_JOURNAL or the
 * default.  NULL (err filled) if that path is unusable. */
const char *knobs_journal_path(char *err, size_t errlen);
/* Whether this process holds a journal of its own (knobs set, locked). */
bool knobs_journal_held(void);
/* Write data to path (root prefix included) as `echo > path` does.
 * Async-signal-safe.  Returns 0 or -errno. */
int knobs_write_file(const char *path, const char *data, size_t len);

#endif
