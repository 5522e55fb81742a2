// SPDX-License-Identifier: GPL-2.0
/*
 * knobs_recover.c - replay a knob journal whose owner is gone (it crashed
 * or was killed with SIGKILL): knobs_recover() of knobs.h.  The journal
 * format is described in knobs.c, which writes it.
 *
 * Only a journal nobody holds an flock on is replayed, under that lock,
 * and removed while still locked: two recoverers (or a recoverer and a
 * new run) can never both replay it.
 */
#include "knobs.h"
#include "knobs_recover.h"

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Append to msg; lines are separated by '\n', no trailing newline. */
__attribute__((format(printf, 3, 4)))
static void knobs_msg_add(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	if (msg[0])
		text_append(msg, len, "\n");
	va_start(ap, fmt);
	text_vappend(msg, len, fmt, ap);
	va_end(ap);
}

struct knobs_replay {
	char path[PATH_MAX];
	char old[KNOB_VALUE_MAX];
};

/* Parse one "<path>\t<old>\n" line; returns a reason or NULL. */
static const char *knobs_parse_line(char *line, struct knobs_replay *r)
{
	char *tab = strchr(line, '\t');

	line[strcspn(line, "\n")] = '\0';
	if (!tab)
		return "no tab between path and value";
	*tab = '\0';
	if (line[0] != '/')
		return "path is not absolute";
	if (strlen(line) >= sizeof(r->path) || strlen(tab + 1) >= sizeof(r->old))
		return "path or value too long";
	if (!knobs_allowed(line))
		return "not a knob gupsync sets (knobs_allowlist)";
	strcpy(r->path, line);
	strcpy(r->old, tab + 1);
	return NULL;
}

/* Returns the number of entries, -1 (msg set) if malformed. */
static int knobs_parse(const char *journal, FILE *f, struct knobs_replay *tab,
		       char *msg, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, n = 0, pid, ver;
	const char *why = NULL;
	ssize_t got;

	while (!why && (got = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (lineno == 1) {
			if (sscanf(line, KNOBS_JOURNAL_MAGIC " %d pid=%d", &ver, &pid) != 2 ||
			    ver != KNOBS_JOURNAL_VERSION)
				why = "not a version 1 '" KNOBS_JOURNAL_MAGIC "' header";
		} else if (line[got - 1] != '\n') {
			knobs_msg_add(msg, len, "line %d: incomplete (crash while "
				      "journaling; knob was not changed), skipped", lineno);
		} else if (n >= KNOBS_MAX) {
			why = "too many entries";
		} else {
			why = knobs_parse_line(line, &tab[n++]);
		}
	}
	free(line);
	if (!why && lineno == 0)
		why = "empty file";
	if (why) {
		text_fmt(msg, len, "malformed journal %s, line %d: %s; left in place",
			 journal, lineno > 0 ? lineno : 1, why);
		return -1;
	}
	return n;
}

static int knobs_replay(const struct knobs_replay *tab, int n, char *msg,
			size_t len)
{
	int failed = 0;

	for (int i = n - 1; i >= 0; i--) {
		char buf[KNOB_VALUE_MAX + 1];
		int rc = knobs_write_file(tab[i].path, buf,
			(size_t)snprintf(buf, sizeof(buf), "%s\n", tab[i].old));

		if (rc < 0) {
			failed++;
			knobs_msg_add(msg, len, "%s: cannot restore '%s': %s",
				      tab[i].path, tab[i].old, strerror(-rc));
		} else {
			knobs_msg_add(msg, len, "%s: restored to '%s'", tab[i].path,
				      tab[i].old);
		}
	}
	return failed;
}

/* Locked the journal open on fd; replay and remove it. */
static int knobs_recover_locked(const char *journal, int fd, char *msg,
				size_t len)
{
	FILE *f = fdopen(fd, "r");
	struct knobs_replay *tab = calloc(KNOBS_MAX, sizeof(*tab));
	int n = -1, failed;

	if (!f || !tab) {
		text_fmt(msg, len, "recovering %s: %s", journal, strerror(errno));
		free(tab);
		f ? fclose(f) : close(fd);
		return -1;
	}
	n = knobs_parse(journal, f, tab, msg, len);
	if (n >= 0) {
		failed = knobs_replay(tab, n, msg, len);
		/* Unlink while still locked; a waiter then sees the inode gone. */
		if (unlink(journal) < 0)
			knobs_msg_add(msg, len, "unlink(%s): %s", journal,
				      strerror(errno));
		else if (failed)
			knobs_msg_add(msg, len, "journal %s removed", journal);
		if (failed)
			n = -1;
	}
	free(tab);
	fclose(f);
	return n;
}

/* Only root (or this user) writes journals; one that anybody else could
 * have written is not replayed. */
static int knobs_journal_trusted(const char *journal, int fd, char *msg,
				 size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return text_err(msg, len, "fstat(%s): %s", journal, strerror(errno));
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return text_err(msg, len, "journal %s: not a regular file owned by "
				"root and writable only by its owner (uid %u, mode "
				"%04o); not replayed, left in place", journal,
				(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return 0;
}

static void knobs_report_owner(const char *journal, int fd, char *msg,
			       size_t len)
{
	char head[128];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	int ver, pid = -1;

	head[n > 0 ? n : 0] = '\0';
	if (sscanf(head, KNOBS_JOURNAL_MAGIC " %d pid=%d", &ver, &pid) != 2)
		pid = -1;
	text_fmt(msg, len, "another gupsync (pid %d) is running; its journal %s "
		 "is left alone", pid, journal);
}

int knobs_recover(char *msg, size_t len)
{
	struct stat held, now;
	const char *journal;
	int fd;

	text_fmt(msg, len, "%s", "");
	journal = knobs_journal_path(msg, len);
	if (!journal)
		return -1;
	if (knobs_journal_held()) {
		text_fmt(msg, len, "journal %s belongs to this process", journal);
		return 0;
	}
	fd = open(journal, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		text_fmt(msg, len, "open(%s): %s", journal, strerror(errno));
		return -1;
	}
	if (knobs_journal_trusted(journal, fd, msg, len) < 0) {
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = errno == EWOULDBLOCK ? 0 : -1;

		if (rc == 0)
			knobs_report_owner(journal, fd, msg, len);
		else
			text_fmt(msg, len, "flock(%s): %s", journal,
				 strerror(errno));
		close(fd);
		return rc;
	}
	/* Another recoverer may have replayed and removed it meanwhile. */
	if (fstat(fd, &held) < 0 || stat(journal, &now) < 0 ||
	    held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
		close(fd);
		return 0;
	}
	return knobs_recover_locked(journal, fd, msg, len);
}
