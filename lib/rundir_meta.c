// SPDX-License-Identifier: GPL-2.0
/* rundir_meta.c - meta.json of a run directory, read and checked; see
 * rundir_ld.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir_ld.h"
#include "text.h"

#define META_MAX_BYTES (16u << 20)

/* ---- meta.json --------------------------------------------------------- */

static int read_regular(const char *path, size_t max, char **out, size_t *n,
			char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t got = 0;
	char *buf;

	*out = NULL;
	if (fd < 0)
		return text_fmt(why, len, "%s", strerror(errno)), -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		text_fmt(why, len, "%s", !S_ISREG(st.st_mode) ?
			 "not a regular file (a FIFO, a device or a directory?)" :
			 "too large");
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	*n = 0;
	while (buf && *n < (size_t)st.st_size &&
	       (got = read(fd, buf + *n, (size_t)st.st_size - *n)) > 0)
		*n += (size_t)got;
	close(fd);
	if (!buf || got < 0) {
		text_fmt(why, len, "%s", buf ? strerror(errno) : "out of memory");
		free(buf);
		return -1;
	}
	buf[*n] = '\0';
	*out = buf;
	return 0;
}

/*
 * Every string in meta.json with control characters escaped (text_escape),
 * in memory: what the readers print from a run directory cannot drive the
 * terminal, whoever wrote the file.
 */
static json_t *rd_escaped(const json_t *v)
{
	size_t n = 4 * json_string_length(v) + 1;
	char *e = malloc(n);
	json_t *out = e ? json_string(text_escape(e, n, json_string_value(v))) : NULL;

	free(e);
	return out;
}

static void rd_json_escape(json_t *o)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		if (json_is_string(v) && text_has_ctl(json_string_value(v)))
			json_object_set_new(o, k, rd_escaped(v));
		else
			rd_json_escape(v);
	}
	json_array_foreach(o, i, v) {
		if (json_is_string(v) && text_has_ctl(json_string_value(v)))
			json_array_set_new(o, i, rd_escaped(v));
		else
			rd_json_escape(v);
	}
}

static int meta_format(struct ld *c, const char *path)
{
	const json_t *f = json_object_get(c->rd->meta, "format");
	const json_t *maj = json_object_get(f, "major");

	if (!f)
		return 0;	/* written before the field: 1.0 */
	if (!json_is_integer(maj) || !json_is_integer(json_object_get(f, "minor")))
		return ld_problem(c, "%s: \"format\" is not {\"major\": N, \"minor\": N}",
			       path);
	if (json_integer_value(maj) > RUNDIR_FORMAT_MAJOR)
		return ld_problem(c, "%s: format %lld.%lld is newer than this gupsync "
			       "reads (%d.x): use a newer gupsync", path,
			       (long long)json_integer_value(maj),
			       (long long)json_integer_value(json_object_get(f, "minor")),
			       RUNDIR_FORMAT_MAJOR);
	return 0;
}

static int meta_metrics(struct ld *c, const char *path)
{
	const json_t *m = json_object_get(c->rd->meta, "metrics"), *e;
	size_t k;

	if (!m)
		return c->full ?
		       ld_problem(c, "%s: no \"metrics\"", path) : 0;
	if (!json_is_array(m))
		return ld_problem(c, "%s: \"metrics\" is not an array", path);
	json_array_foreach(m, k, e) {
		const char *b = json_string_value(json_object_get(e, "better"));

		if (!json_is_string(json_object_get(e, "name")) ||
		    !json_is_string(json_object_get(e, "unit")) || !b ||
		    (strcmp(b, "higher") && strcmp(b, "lower") && *b))
			return ld_problem(c, "%s: metrics[%zu] lacks a name, a unit or "
				       "a better of higher, lower or \"\"", path, k);
	}
	return 0;
}

static int meta_points(struct ld *c, const char *path)
{
	const json_t *p = json_object_get(c->rd->meta, "points"), *e, *v;
	const json_t *o = json_object_get(c->rd->meta, "options");
	const char *key;
	size_t k;

	if (c->full &&
	    (!p || !json_is_object(o) ||
	     !json_is_array(json_object_get(c->rd->meta, "argv"))))
		return ld_problem(c, "%s: lacks \"points\", \"options\" or \"argv\" "
			       "(not written by gupsync run?)", path);
	if (p && !json_is_array(p))
		return ld_problem(c, "%s: \"points\" is not an array", path);
	json_array_foreach(p, k, e) {
		const json_t *params = json_object_get(e, "params");

		if (!json_is_object(params))
			return ld_problem(c, "%s: points[%zu] has no params", path, k);
		json_object_foreach((json_t *)params, key, v)
			if (!json_is_string(v))
				return ld_problem(c, "%s: points[%zu].params.%s is not a "
					       "string", path, k, key);
	}
	return 0;
}

int ld_meta_load(struct ld *c)
{
	char path[RUNDIR_PATH_MAX + 32], why[256];
	const json_t *t, *name;
	json_error_t je;
	size_t n;
	char *buf;

	snprintf(path, sizeof(path), "%s/meta.json", c->rd->path);
	if (read_regular(path, META_MAX_BYTES, &buf, &n, why, sizeof(why)) < 0)
		return ld_problem(c, "%s: %s", path, why);
	c->rd->meta = json_loadb(buf, n, 0, &je);
	free(buf);
	if (!c->rd->meta)
		return ld_problem(c, "%s:%d: %s", path, je.line, je.text);
	if (!json_is_object(c->rd->meta))
		return ld_problem(c, "%s: not a JSON object", path);
	rd_json_escape(c->rd->meta);
	name = json_object_get(json_object_get(c->rd->meta, "bench"), "name");
	if (!json_is_string(name) || !json_string_length(name))
		return ld_problem(c, "%s: no bench.name", path);
	/* A directory gupsync run wrote (it records argv) is held to all
	 * that run writes, whichever reader opens it. */
	c->full = c->flags & RUNDIR_STRICT ||
		  json_is_array(json_object_get(c->rd->meta, "argv"));
	t = json_object_get(json_object_get(c->rd->meta, "method"), "trials");
	if (t && (!json_is_integer(t) || json_integer_value(t) < 1 ||
		  json_integer_value(t) > TRIAL_MAX))
		return ld_problem(c, "%s: method.trials is not a count", path);
	c->trials = t ? (size_t)json_integer_value(t) : 0;
	if (!t && c->full)
		return ld_problem(c, "%s: no method.trials", path);
	return meta_format(c, path) | meta_metrics(c, path) |
	       meta_points(c, path);
}

const json_t *ld_meta_metric(const struct ld *c, const char *name)
{
	const json_t *m = json_object_get(c->rd->meta, "metrics"), *e;
	size_t k;

	json_array_foreach(m, k, e) {
		const char *s = json_string_value(json_object_get(e, "name"));

		if (s && !strcmp(s, name))
			return e;
	}
	return NULL;
}
