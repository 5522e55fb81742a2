/* SPDX-License-Identifier: GPL-2.0 */
/*
 * safefile.h - files written as root where other users can see them.
 *
 * gupsync runs as root on shared machines, and the directories it writes
 * into (a results tree, RUN/plots, -o DIR) may have been prepared by
 * someone else.  So a file is never opened for writing at its final
 * name: it is created under a fresh temporary name with
 * O_CREAT|O_EXCL|O_NOFOLLOW (openat on a directory descriptor), written,
 * fsync'd and renamed over the final name.  rename(2) replaces a symlink
 * planted at the final name instead of following it, so nothing outside
 * the directory changes, and a reader sees the old complete file or the
 * new one.
 *
 * A directory is written into only if gupsync just created it, or if it
 * is a real directory (not a symlink) owned by the caller and writable by
 * no one else: otherwise its owner could swap files under us.
 */
#ifndef GUPSYNC_SAFEFILE_H
#define GUPSYNC_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether the open directory dfd may be written into (see above);
 * path names it in the message. */
int safefile_dir_ok(int dfd, const char *path, char *err, size_t len);

/*
 * Open directory path for writing into, creating it (and missing parents,
 * mode 0755) if create.  The last component must not be a symlink, and
 * the directory must pass safefile_dir_ok().  Returns an O_DIRECTORY
 * descriptor, or -1 with err.
 */
int safefile_opendir(const char *path, bool create, char *err, size_t len);

/* The same for name inside the open directory dfd. */
int safefile_opendirat(int dfd, const char *name, const char *path,
		       bool create, char *err, size_t len);

/* Replace dfd/name with data[0..n) (mode 0644), as described above. */
int safefile_write_at(int dfd, const char *name, const void *data, size_t n,
		      char *err, size_t len);

/* The same with a directory path (checked by safefile_opendir, not
 * created). */
int safefile_write(const char *dir, const char *name, const void *data,
		   size_t n, char *err, size_t len);

/* Replace to_dfd/to with a copy of from_dfd/from (not followed if a
 * symlink). */
int safefile_copy_at(int from_dfd, const char *from, int to_dfd,
		     const char *to, char *err, size_t len);

/* A new file name in dfd for writing, created O_EXCL|O_NOFOLLOW; the
 * stream is for a file nobody else may have opened before. */
FILE *safefile_create_at(int dfd, const char *name, char *err, size_t len);

/*
 * Whether a name (a path or part of one) may reach a program that
 * interprets it: gnuplot runs "<cmd" as a data file and "|cmd" as an
 * output, and a newline ends a tracefs or gnuplot command.  Refused:
 * empty, a leading '<' or '|', any control character.
 */
bool safefile_name_ok(const char *name);

/* A file-name component from an untrusted string: every character but
 * [A-Za-z0-9._,+=-] becomes '_', as does a leading '.', at most len-1
 * characters. */
void safefile_component(char *buf, size_t len, const char *s);

#endif
