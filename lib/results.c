// SPDX-License-Identifier: GPL-2.0
/* results.c - see results.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "results.h"
#include "safefile.h"

#define RUNDIR_TRIES 100

int results_mkdir(const char *base, const char *bench, char *dir, size_t len,
		  char *err, size_t errlen)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (mkdir(base, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir(%s): %s", base, strerror(errno));
		return -1;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int i = 1; i <= RUNDIR_TRIES; i++) {
		if (i == 1)
			snprintf(dir, len, "%s/%s-%s", base, bench, stamp);
		else
			snprintf(dir, len, "%s/%s-%s-%d", base, bench, stamp, i);
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			snprintf(err, errlen, "mkdir(%s): %s", dir, strerror(errno));
			return -1;
		}
	}
	snprintf(err, errlen, "mkdir(%s): %d run directories with this name exist",
		 dir, RUNDIR_TRIES);
	return -1;
}

int results_write(const char *dir, const char *name, const char *data,
		  size_t n, char *err, size_t errlen)
{
	return safefile_write(dir, name, data, n, err, errlen);
}

int results_write_json(const char *dir, const char *name, const json_t *j,
		       char *err, size_t errlen)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (!s) {
		snprintf(err, errlen, "json_dumps(%s): out of memory", name);
		return -1;
	}
	rc = results_write(dir, name, s, strlen(s), err, errlen);
	free(s);
	return rc;
}

int textbuf_open(struct textbuf *t)
{
	t->data = NULL;
	t->len = 0;
	t->f = open_memstream(&t->data, &t->len);
	return t->f ? 0 : -1;
}

int textbuf_flush_to(struct textbuf *t, const char *dir, const char *name,
		     char *err, size_t errlen)
{
	fflush(t->f);
	return results_write(dir, name, t->data, t->len, err, errlen);
}

void textbuf_close(struct textbuf *t)
{
	if (t->f)
		fclose(t->f);
	free(t->data);
	t->f = NULL;
	t->data = NULL;
}

void csv_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("NA", f);
	else
		fprintf(f, "%.9g", v);
}
