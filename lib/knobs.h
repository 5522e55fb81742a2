/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knobs.h - save, set and restore sysfs/proc knobs; leave the machine as
 * it was found.
 *
 * knob_set() first appends the old value to a journal file (fsync'd), then
 * writes the new one.  knobs_restore() writes the old values back in
 * reverse order and removes the journal.  It runs at exit (atexit), and on
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT from an async-signal-safe handler
 * (paths and old values are prepared when set; the handler only uses
 * open/write/close/unlink), which then re-raises the signal.
 *
 * The journal lives in /run (tmpfs) on purpose: after a reboot every knob
 * is back at its boot value and an old journal must not be replayed.  The
 * owning process holds an flock on it; knobs_recover() (run at every start
 * and by `gupsync restore`) replays a journal whose owner is gone.
 *
 * A journal is replayed only if it is a regular file owned by root (or
 * this user) and writable by no one else, and only its allowlisted paths
 * (knobs_allowlist), opened O_NOFOLLOW.  GUPSYNC_JOURNAL moves it (for
 * tests) only when its directory is owned by this user and not
 * world-writable.
 *
 * Paths are as on the real machine ("/sys/kernel/mm/transparent_hugepage/
 * enabled"); all accesses are prefixed with the root given to knobs_init()
 * so tests use a fake sysfs tree.  Selector files ("always [madvise]
 * never") read back as the selected word.
 */
#ifndef GUPSYNC_KNOBS_H
#define GUPSYNC_KNOBS_H

#include <stdbool.h>
#include <stddef.h>

#define KNOBS_JOURNAL_DEFAULT "/run/gupsync/knobs.journal"
#define KNOB_VALUE_MAX 256
#define KNOBS_MAX 64

/*
 * The knobs gupsync sets, exactly (NULL-terminated): the only files a
 * journal replay writes, so a planted journal cannot write anything else.
 * knob_set() refuses any other path on the real machine (root ""), so
 * every knob it sets can be restored.
 */
extern const char *const knobs_allowlist[];
/* Whether full (root prefix included) is root + an allowlisted path. */
bool knobs_allowed(const char *full);

/* root: "" for the real machine; journal: NULL for the default (or the
 * GUPSYNC_JOURNAL environment variable).  Installs the handlers. */
int knobs_init(const char *root, const char *journal, char *err, size_t errlen);

/* Current value, trailing newline removed, "[x]" selector resolved. */
int knob_read(const char *path, char *buf, size_t len);

/* Journal the old value (first time this path is set), then write value.
 * Writing a value equal to the current one is a no-op (nothing journaled). */
int knob_set(const char *path, const char *value, char *err, size_t errlen);

/* Restore everything set by this process; remove the journal.  Returns the
 * number of knobs that could not be restored (each reported on stderr). */
int knobs_restore(void);

/*
 * Replay a journal left by a process that is gone (no flock held).
 * Returns the number of knobs restored (0 if no journal), -1 on error with
 * msg.  A journal whose owner still runs is left alone (returns 0 and says
 * so in msg).  msg lists what was restored ("path: old -> restored").
 */
int knobs_recover(char *msg, size_t len);

/* Test hook: forget in-memory state without restoring (simulates a crash). */
void knobs_forget_for_test(void);

/* A line that a signal ending the process writes to stderr after the
 * knobs are restored (the run's "gupsync run --resume DIR"); NULL: none.
 * Set from the main thread only. */
void knobs_exit_note(const char *text);

#endif
