// SPDX-License-Identifier: GPL-2.0
/*
 * knobs_journal.c - the journal file of knobs.c (format: knobs.c): which
 * path it lives at (knobs_init()'s, GUPSYNC_JOURNAL when safe, or the
 * default), how it comes into being (built and locked under a per-pid
 * name, then link()ed into place) and how a line is appended (fsync'd).
 * The journal's state is shared with knobs.c through knobs_priv.h.
 */
#include "knobs.h"
#include "knobs_priv.h"
#include "knobs_recover.h"

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char knobs_journal[PATH_MAX];
int knobs_journal_fd = -1;
volatile sig_atomic_t knobs_journal_owned;

/*
 * GUPSYNC_JOURNAL is a testing aid: honoured only when its directory
 * exists, is owned by this user and is not world-writable, so that nobody
 * else can plant a journal there for root to replay.  Otherwise ignored
 * (said once on stderr).
 */
static const char *knobs_env_journal(void)
{
	const char *env = getenv("GUPSYNC_JOURNAL");
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (!env || !*env)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", env);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (slash && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && !(st.st_mode & S_IWOTH))
		return env;
	if (!knobs_inited)
		fprintf(stderr, "gupsync: GUPSYNC_JOURNAL=%s ignored: its directory "
			"must exist, be owned by uid %u and not be world-writable\n",
			env, (unsigned)geteuid());
	return NULL;
}

int knobs_set_journal_path(const char *journal, char *err, size_t errlen)
{
	if (!journal)
		journal = knobs_env_journal();
	if (!journal || !*journal)
		journal = KNOBS_JOURNAL_DEFAULT;
	if (strlen(journal) >= sizeof(knobs_journal) || strchr(journal, '/') == NULL) {
		text_fmt(err, errlen, "journal path '%s': must contain a '/' and be "
			 "shorter than %zu bytes", journal, sizeof(knobs_journal));
		return -1;
	}
	strcpy(knobs_journal, journal);
	return 0;
}

const char *knobs_journal_path(char *err, size_t errlen)
{
	if (!knobs_journal[0] && knobs_set_journal_path(NULL, err, errlen) < 0)
		return NULL;
	return knobs_journal;
}

bool knobs_journal_held(void)
{
	return knobs_journal_fd >= 0;
}


static int knobs_mkdir_parents(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	strcpy(dir, path);
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			text_fmt(err, errlen, "mkdir(%s): %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Appends survive a crash of this process once written; fsync is for
 * the machine (and costs little: a few lines per run). */
int knobs_write_all(int fd, const char *buf, size_t len)
{
	int rc = knobs_write_fd(fd, buf, len);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return fsync(fd);
}

/* Build the journal under a private name, locked and with its header, then
 * link() it into place: EEXIST means a stale journal (or a live owner). */
int knobs_journal_create(char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32], head[64];
	int fd, n;

	if (knobs_mkdir_parents(knobs_journal, err, errlen) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", knobs_journal, (int)getpid());
	/* A stale one of a dead process with our pid: ours to remove. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		text_fmt(err, errlen, "open(%s): %s", tmp, strerror(errno));
		return -1;
	}
	n = snprintf(head, sizeof(head), "%s %d pid=%d\n", KNOBS_JOURNAL_MAGIC,
		     KNOBS_JOURNAL_VERSION, (int)getpid());
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	    knobs_write_all(fd, head, (size_t)n) < 0 || link(tmp, knobs_journal) < 0) {
		if (errno == EEXIST)
			text_fmt(err, errlen, "journal %s exists (a running gupsync, "
				 "or a crashed one: run `gupsync restore`)",
				 knobs_journal);
		else
			text_fmt(err, errlen, "creating journal %s: %s", tmp,
				 strerror(errno));
		unlink(tmp);
		close(fd);
		return -1;
	}
	unlink(tmp);
	knobs_journal_fd = fd;
	knobs_journal_owned = 1;
	return 0;
}
