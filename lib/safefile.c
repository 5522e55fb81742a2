// SPDX-License-Identifier: GPL-2.0
/* safefile.c - see safefile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"
#include "text.h"

#define SF_TMP_TRIES 16		/* fresh temporary names tried per file */
#define SF_COPY_BUF 65536

int safefile_dir_ok(int dfd, const char *path, char *err, size_t len)
{
	struct stat st;

	if (fstat(dfd, &st) < 0)
		return text_err(err, len, "fstat(%s): %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return text_err(err, len, "%s: not a directory", path);
	if (st.st_uid != geteuid())
		return text_err(err, len, "%s: owned by uid %u, not by this user "
				"(uid %u); refusing to write into it", path,
				(unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return text_err(err, len, "%s: writable by group or others (mode "
				"%04o); refusing to write into it", path,
				(unsigned)(st.st_mode & 07777));
	return 0;
}

int safefile_opendirat(int dfd, const char *name, const char *path,
		       bool create, char *err, size_t len)
{
	int fd;

	if (create && mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		return text_err(err, len, "mkdir(%s): %s", path, strerror(errno));
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return text_err(err, len, "open(%s): %s%s", path, strerror(errno),
				errno == ELOOP || errno == ENOTDIR ?
				" (must be a real directory, not a symlink)" : "");
	if (safefile_dir_ok(fd, path, err, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int safefile_opendir(const char *path, bool create, char *err, size_t len)
{
	char p[PATH_MAX];

	if (!*path || snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return text_err(err, len, "directory name '%.64s...': empty or too "
				"long", path);
	/* Missing parents: created like mkdir -p; only the last component,
	 * the one written into, has to pass the checks. */
	for (char *s = p + 1; create && *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return text_err(err, len, "mkdir(%s): %s", p, strerror(errno));
		*s = '/';
	}
	return safefile_opendirat(AT_FDCWD, path, path, create, err, len);
}

static int sf_write_all(int fd, const void *data, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* A fresh temporary file next to name: ".NAME.tmp.PID.RANDOM". */
static int sf_tmp(int dfd, const char *name, char *tmp, size_t tlen,
		  char *err, size_t len)
{
	struct timespec ts;
	int fd = -1;

	if (strchr(name, '/') || !*name || strlen(name) > NAME_MAX - 40)
		return text_err(err, len, "file name '%.64s': empty, too long or "
				"with a '/'", name);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int i = 0; i < SF_TMP_TRIES && fd < 0; i++) {
		snprintf(tmp, tlen, ".%s.tmp.%d.%lx", name, (int)getpid(),
			 (unsigned long)(ts.tv_nsec ^ (i * 2654435761UL)));
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return text_err(err, len, "open(%s): %s", tmp, strerror(errno));
	return fd;
}

/* fsync fd, close it and rename tmp over name in dfd; unlink tmp on
 * failure. */
static int sf_commit(int dfd, int fd, const char *tmp, const char *name,
		     char *err, size_t len)
{
	if (fsync(fd) < 0) {
		text_fmt(err, len, "fsync(%s): %s", tmp, strerror(errno));
		close(fd);
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(dfd, tmp, dfd, name) < 0) {
		text_fmt(err, len, "rename(%s, %s): %s", tmp, name, strerror(errno));
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return 0;
}

int safefile_write_at(int dfd, const char *name, const void *data, size_t n,
		      char *err, size_t len)
{
	char tmp[NAME_MAX + 1];
	int fd = sf_tmp(dfd, name, tmp, sizeof(tmp), err, len);

	if (fd < 0)
		return -1;
	if (sf_write_all(fd, data, n) < 0) {
		text_fmt(err, len, "write(%s): %s", tmp, strerror(errno));
		close(fd);
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return sf_commit(dfd, fd, tmp, name, err, len);
}

int safefile_write(const char *dir, const char *name, const void *data,
		   size_t n, char *err, size_t len)
{
	int dfd = safefile_opendir(dir, false, err, len), rc;

	if (dfd < 0)
		return -1;
	rc = safefile_write_at(dfd, name, data, n, err, len);
	close(dfd);
	return rc;
}

int safefile_copy_at(int from_dfd, const char *from, int to_dfd,
		     const char *to, char *err, size_t len)
{
	char tmp[NAME_MAX + 1], *buf;
	int in, out, rc = 0;
	ssize_t r;

	in = openat(from_dfd, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return text_err(err, len, "open(%s): %s", from, strerror(errno));
	if (!(buf = malloc(SF_COPY_BUF))) {
		close(in);
		return text_err(err, len, "out of memory");
	}
	if ((out = sf_tmp(to_dfd, to, tmp, sizeof(tmp), err, len)) < 0) {
		free(buf);
		close(in);
		return -1;
	}
	while (rc == 0 && (r = read(in, buf, SF_COPY_BUF)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || sf_write_all(out, buf, (size_t)r) < 0)
			rc = text_err(err, len, "copy %s to %s: %s", from, to,
				      strerror(errno));
	}
	free(buf);
	close(in);
	if (rc < 0) {
		close(out);
		unlinkat(to_dfd, tmp, 0);
		return -1;
	}
	return sf_commit(to_dfd, out, tmp, to, err, len);
}

FILE *safefile_create_at(int dfd, const char *name, char *err, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			O_CLOEXEC, 0644);
	FILE *f;

	if (fd < 0) {
		text_fmt(err, len, "open(%s): %s", name, strerror(errno));
		return NULL;
	}
	if (!(f = fdopen(fd, "w"))) {
		text_fmt(err, len, "fdopen(%s): %s", name, strerror(errno));
		close(fd);
	}
	return f;
}

bool safefile_name_ok(const char *name)
{
	if (!*name || *name == '<' || *name == '|')
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

void safefile_component(char *buf, size_t len, const char *s)
{
	size_t i = 0;

	for (; len && i < len - 1 && s[i]; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || strchr("._,+=-", c);

		buf[i] = ok && !(i == 0 && c == '.') ? c : '_';
	}
	if (len)
		buf[i] = '\0';
}
