/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knobs.c - save, set and restore sysfs/proc knobs (see knobs.h).
 *
 * Journal format (text):
 *   gupsync-knobs-journal 1 pid=<pid>
 *   <path>\t<old value>        one line per knob, in the order they were set
 * <path> is the file actually written, root prefix included, so a replay
 * touches exactly what was changed whatever root the recovering process
 * was started with.  A last line without '\n' is an append cut short by a
 * crash: the knob was not written yet (the journal is always written and
 * fsync'd first), so recovery skips it.
 *
 * The journal appears at its final path only once it holds its header and
 * its owner's flock (built under a per-pid temporary name, then link()ed),
 * so a recovering process can never take the lock on a half-made journal,
 * and link() failing with EEXIST tells a new owner a stale journal is there.
 *
 * knobs_journal.c places, creates and appends to the journal;
 * knobs_recover.c replays a journal whose owner is gone.
 *
 * Not thread-safe: call knob_set()/knobs_restore() from one thread at a
 * time (another thread is fine when they take turns, as a latency pair's
 * leader worker does while the main thread waits).  The signal handler
 * may run on any thread; entries are complete before the count that
 * publishes them is raised, and a write never follows its restore.
 */
#include "knobs.h"
#include "knobs_priv.h"
#include "knobs_recover.h"

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* sysfs show() output is at most one page. */
#define KNOBS_READ_MAX 4096
/* How long a signal handler naps while another thread finishes a restore. */
#define KNOBS_SPIN_NS 1000000L

struct knob_entry {
	char path[PATH_MAX];		/* root prefix included */
	char line[KNOB_VALUE_MAX + 1];	/* old value + '\n', ready to write */
	size_t linelen;
};

static const int knobs_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define KNOBS_NSIGNALS (sizeof(knobs_signals) / sizeof(knobs_signals[0]))

static struct knob_entry knobs_tab[KNOBS_MAX];
static atomic_int knobs_count;
/* Held by whoever restores; a handler never gives it back (it re-raises). */
static atomic_int knobs_busy;
static char knobs_root[PATH_MAX];
bool knobs_inited;

const char *const knobs_allowlist[] = {
	"/sys/kernel/mm/transparent_hugepage/enabled",			/* thp.c, k-gup */
	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan",	/* collapse */
	"/sys/kernel/mm/ksm/pages_to_scan",				/* ksm.c */
	"/sys/kernel/mm/ksm/sleep_millisecs",
	"/sys/kernel/mm/ksm/smart_scan",
	"/sys/kernel/mm/ksm/run",
	"/sys/kernel/rcu_expedited",					/* rcu-wait, k-rcu */
	"/sys/kernel/rcu_normal",
	NULL
};

bool knobs_allowed(const char *full)
{
	size_t n = strlen(knobs_root);

	if (strncmp(full, knobs_root, n))
		return false;
	for (size_t i = 0; knobs_allowlist[i]; i++)
		if (!strcmp(full + n, knobs_allowlist[i]))
			return true;
	return false;
}

/* Async-signal-safe.  Returns 0 or -errno. */
int knobs_write_fd(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Async-signal-safe: open/write/close only.  Returns 0 or -errno.  O_TRUNC
 * is what `echo v > knob` does; it replaces a regular file's content.  A
 * knob is never a symlink: one is not followed. */
int knobs_write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = knobs_write_fd(fd, data, len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

static int knobs_full_path(char *out, size_t len, const char *path)
{
	if (!path || path[0] != '/' || strpbrk(path, "\t\n")) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(out, len, "%s%s", knobs_root, path) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Reads at most KNOBS_READ_MAX - 1 bytes; a longer file is no knob. */
static int knobs_read_file(const char *full, char *buf, size_t len)
{
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	size_t used = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + used, len - 1 - used)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (used += (size_t)n) == len - 1) {
			int saved = n < 0 ? errno : EFBIG;

			close(fd);
			errno = saved;
			return -1;
		}
	}
	close(fd);
	buf[used] = '\0';
	return 0;
}

/* "always [madvise] never\n" -> "madvise"; "0\n" -> "0". */
static void knobs_resolve(char *s)
{
	char *lb = strchr(s, '['), *rb = lb ? strchr(lb, ']') : NULL;
	size_t n = strlen(s);

	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	if (lb && rb) {
		*rb = '\0';
		memmove(s, lb + 1, strlen(lb + 1) + 1);
	}
}

int knob_read(const char *path, char *buf, size_t len)
{
	char full[PATH_MAX], raw[KNOBS_READ_MAX];

	if (knobs_full_path(full, sizeof(full), path) < 0 ||
	    knobs_read_file(full, raw, sizeof(raw)) < 0)
		return -1;
	knobs_resolve(raw);
	if (strlen(raw) >= len) {
		errno = ERANGE;
		return -1;
	}
	strcpy(buf, raw);
	return 0;
}

/* Async-signal-safe: the knobs in reverse order, then the journal. */
static int knobs_restore_quiet(bool report)
{
	int failed = 0;

	for (int i = atomic_load(&knobs_count) - 1; i >= 0; i--) {
		struct knob_entry *e = &knobs_tab[i];
		int rc = knobs_write_file(e->path, e->line, e->linelen);

		if (rc < 0) {
			failed++;
			if (report)
				fprintf(stderr, "knobs: cannot restore %s to '%.*s': %s\n",
					e->path, (int)e->linelen - 1, e->line,
					strerror(-rc));
		}
	}
	atomic_store(&knobs_count, 0);
	/* Only our own journal: the path may belong to another run by now. */
	if (knobs_journal_owned) {
		knobs_journal_owned = 0;
		unlink(knobs_journal);
	}
	return failed;
}

static void knobs_lock_spin(void)
{
	const struct timespec nap = { 0, KNOBS_SPIN_NS };

	while (atomic_exchange(&knobs_busy, 1))
		nanosleep(&nap, NULL);
}

/* What a signal that ends the process says on stderr (knobs_exit_note). */
static char knobs_note[1200];
static volatile sig_atomic_t knobs_note_len;

void knobs_exit_note(const char *text)
{
	knobs_note_len = 0;
	if (text && *text) {
		snprintf(knobs_note, sizeof(knobs_note), "%s", text);
		knobs_note_len = (sig_atomic_t)strlen(knobs_note);
	}
}

static void knobs_on_signal(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int saved = errno;

	knobs_lock_spin();
	knobs_restore_quiet(false);
	if (knobs_note_len) {
		ssize_t w = write(STDERR_FILENO, knobs_note, (size_t)knobs_note_len);

		(void)w;	/* best effort */
	}
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/* Blocked while we run; delivered, now fatal, when we return. */
	raise(sig);
	errno = saved;
}

int knobs_restore(void)
{
	sigset_t block, old;
	int failed;

	/* A handler on this thread would spin on the lock we hold. */
	sigemptyset(&block);
	for (size_t i = 0; i < KNOBS_NSIGNALS; i++)
		sigaddset(&block, knobs_signals[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	knobs_lock_spin();
	failed = knobs_restore_quiet(true);
	if (knobs_journal_fd >= 0) {
		close(knobs_journal_fd);
		knobs_journal_fd = -1;
	}
	atomic_store(&knobs_busy, 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return failed;
}

static void knobs_at_exit(void)
{
	knobs_restore();
}

/* A forked child shares the journal's open file description, hence the
 * flock; it must neither keep the lock alive nor restore at its exit. */
static void knobs_at_fork_child(void)
{
	if (knobs_journal_fd >= 0)
		close(knobs_journal_fd);
	knobs_journal_fd = -1;
	knobs_journal_owned = 0;
	atomic_store(&knobs_count, 0);
}

/*
 * Catch the fatal signals so that the knobs are restored first.  A signal
 * that this process inherited ignored stays ignored (nohup ignores SIGHUP; a
 * non-interactive shell starts background jobs with SIGINT and SIGQUIT
 * ignored): the starter asked for it.  Called by every knobs_init(), so a
 * forked child whose dispositions changed since the first call gets handlers
 * for the signals it no longer ignores.
 */
static int knobs_catch_signals(char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = knobs_on_signal };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < KNOBS_NSIGNALS; i++)
		sigaddset(&sa.sa_mask, knobs_signals[i]);
	for (size_t i = 0; i < KNOBS_NSIGNALS; i++) {
		struct sigaction old;
		int sig = knobs_signals[i];

		if (sigaction(sig, NULL, &old) < 0 ||
		    (old.sa_handler != SIG_IGN && sigaction(sig, &sa, NULL) < 0)) {
			text_fmt(err, errlen, "sigaction(%s): %s",
				 strsignal(sig), strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int knobs_install(char *err, size_t errlen)
{
	if (atexit(knobs_at_exit) != 0 ||
	    pthread_atfork(NULL, NULL, knobs_at_fork_child) != 0) {
		text_fmt(err, errlen, "atexit/pthread_atfork failed");
		return -1;
	}
	return 0;
}

int knobs_init(const char *root, const char *journal, char *err, size_t errlen)
{
	if (!root)
		root = "";
	if (atomic_load(&knobs_count) > 0 || knobs_journal_fd >= 0) {
		text_fmt(err, errlen, "knobs_init: knobs are still set; "
			 "knobs_restore() first");
		return -1;
	}
	if (strlen(root) >= sizeof(knobs_root) / 2) {
		text_fmt(err, errlen, "knobs root '%s': longer than %zu bytes",
			 root, sizeof(knobs_root) / 2 - 1);
		return -1;
	}
	if (knobs_set_journal_path(journal, err, errlen) < 0)
		return -1;
	strcpy(knobs_root, root);
	if (knobs_catch_signals(err, errlen) < 0 ||
	    (!knobs_inited && knobs_install(err, errlen) < 0))
		return -1;
	knobs_inited = true;
	return 0;
}

static int knobs_find(const char *full)
{
	for (int i = 0; i < atomic_load(&knobs_count); i++)
		if (strcmp(knobs_tab[i].path, full) == 0)
			return i;
	return -1;
}

/* Journal first (fsync'd), then publish the entry to the handler. */
static int knobs_remember(const char *full, const char *old, char *err,
			  size_t errlen)
{
	int n = atomic_load(&knobs_count);
	struct knob_entry *e;
	char line[PATH_MAX + KNOB_VALUE_MAX + 2];
	int len;

	if (n >= KNOBS_MAX) {
		text_fmt(err, errlen, "cannot set %s: more than %d knobs", full,
			 KNOBS_MAX);
		return -1;
	}
	if (strchr(old, '\n')) {
		text_fmt(err, errlen, "cannot journal %s: its value spans several "
			 "lines; only one-line knobs are supported", full);
		return -1;
	}
	if (knobs_journal_fd < 0 && knobs_journal_create(err, errlen) < 0)
		return -1;
	len = snprintf(line, sizeof(line), "%s\t%s\n", full, old);
	if (knobs_write_all(knobs_journal_fd, line, (size_t)len) < 0) {
		text_fmt(err, errlen, "cannot write journal %s: %s", knobs_journal,
			 strerror(errno));
		return -1;
	}
	e = &knobs_tab[n];
	strcpy(e->path, full);
	e->linelen = (size_t)snprintf(e->line, sizeof(e->line), "%s\n", old);
	atomic_store(&knobs_count, n + 1);
	return 0;
}

/*
 * A knob's write under the restore lock, with the fatal signals blocked
 * (a handler on this thread would spin on the lock we hold).  A thread
 * other than the main one may set a knob (a latency pair's leader worker
 * switches rcu_expedited between calls) while a signal's handler restores
 * on the main thread: the lock orders the two, and once the handler has
 * restored (it never gives the lock back) no write undoes it: -EBUSY.
 */
static int knobs_write_locked(const char *full, const char *buf, size_t len)
{
	sigset_t block, old;
	int rc = -EBUSY;

	sigemptyset(&block);
	for (size_t i = 0; i < KNOBS_NSIGNALS; i++)
		sigaddset(&block, knobs_signals[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (!atomic_exchange(&knobs_busy, 1)) {
		rc = knobs_write_file(full, buf, len);
		atomic_store(&knobs_busy, 0);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int knob_set(const char *path, const char *value, char *err, size_t errlen)
{
	char full[PATH_MAX], cur[KNOB_VALUE_MAX], buf[KNOB_VALUE_MAX + 1];
	int rc;

	if (!knobs_inited) {
		text_fmt(err, errlen, "knob_set(%s): knobs_init() not called", path);
		return -1;
	}
	if (!value || strchr(value, '\n') || strlen(value) >= KNOB_VALUE_MAX) {
		text_fmt(err, errlen, "knob %s: bad value (one line, under %d bytes)",
			 path, KNOB_VALUE_MAX);
		return -1;
	}
	if (knobs_full_path(full, sizeof(full), path) < 0) {
		text_fmt(err, errlen, "knob path '%s': %s (must be absolute, "
			 "without tabs or newlines)", path ? path : "(null)",
			 strerror(errno));
		return -1;
	}
	if (!knobs_root[0] && !knobs_allowed(full)) {
		text_fmt(err, errlen, "knob %s: not in knobs_allowlist (knobs.c), "
			 "so a crash could not restore it", path);
		return -1;
	}
	if (knob_read(path, cur, sizeof(cur)) < 0) {
		text_fmt(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (strcmp(cur, value) == 0)
		return 0;
	if (knobs_find(full) < 0 && knobs_remember(full, cur, err, errlen) < 0)
		return -1;
	rc = knobs_write_locked(full, buf,
				(size_t)snprintf(buf, sizeof(buf), "%s\n", value));
	if (rc < 0) {
		text_fmt(err, errlen, "cannot write '%s' to %s: %s", value, path,
			 strerror(-rc));
		return -1;
	}
	return 0;
}

void knobs_forget_for_test(void)
{
	if (knobs_journal_fd >= 0)
		close(knobs_journal_fd);
	knobs_journal_fd = -1;
	knobs_journal_owned = 0;
	atomic_store(&knobs_count, 0);
}
