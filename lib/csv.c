// SPDX-License-Identifier: GPL-2.0
/* csv.c - read the CSV lib/results.c writes; see csv.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "text.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * One field starting at *p, unquoted in place; *p ends on the character
 * after it (',', '\n' or NUL); *nl counts the newlines inside quotes.
 * Returns NULL on a malformed quoted field.
 */
static char *csv_field_at(char **p, size_t *nl)
{
	char *s = *p, *w, *start;

	if (*s != '"') {
		start = s;
		s += strcspn(s, ",\n\"");
		if (*s == '"')
			return NULL;		/* a quote inside a bare field */
		if (s > start && s[-1] == '\r')	/* tolerate CRLF */
			s[-1] = '\0';
		*p = s;
		return start;
	}
	start = w = ++s;
	for (;;) {
		if (*s == '\0')
			return NULL;		/* unterminated quote */
		*nl += *s == '\n';
		if (*s == '"' && s[1] == '"') {
			*w++ = '"';
			s += 2;
		} else if (*s == '"') {
			s++;
			break;
		} else {
			*w++ = *s++;
		}
	}
	if (*s == '\r' && s[1] == '\n')
		s++;
	if (*s != ',' && *s != '\n' && *s != '\0')
		return NULL;		/* text after the closing quote */
	*w = '\0';
	*p = s;
	return start;
}

/* Split one line into fields; returns the count or -1. */
static long csv_line(char **p, char **out, size_t cap, size_t *nl)
{
	size_t n = 0;

	for (;;) {
		char *f = csv_field_at(p, nl);
		char c = **p;

		if (!f)
			return -1;
		if (n < cap)
			out[n] = f;
		n++;
		if (c != '\0')
			*(*p)++ = '\0';
		if (c != ',')
			return (long)n;
	}
}

/* Upper bounds for the allocations: lines in s, commas on its first. */
static size_t csv_count(const char *s, char c, bool first_line)
{
	size_t n = 1;

	for (; *s && !(first_line && *s == '\n'); s++)
		n += *s == c;
	return n;
}

static size_t line_at(const char *text, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* NUL bytes and a torn last line, before anything is parsed. */
static int csv_check_bytes(char *text, size_t n, const char *name,
			   unsigned flags, struct csv *t, char *err, size_t len)
{
	const char *nul = memchr(text, '\0', n);
	const char *nl;

	if (nul) {
		text_fmt(err, len, "%s:%zu: a NUL byte (binary data, not CSV text)",
			 name, line_at(text, (size_t)(nul - text)));
		return -1;
	}
	if (!n || text[n - 1] == '\n')
		return 0;
	nl = memrchr(text, '\n', n);
	if (!nl || !(flags & CSV_TORN_OK)) {
		text_fmt(err, len, "%s:%zu: the last line has no newline: cut short "
			 "(a crash, a full disk, a partial copy?)%s", name,
			 line_at(text, n),
			 nl ? "; `gupsync run --resume` drops it and measures it "
			      "again" : "");
		return -1;
	}
	t->torn_line = line_at(text, n);
	text[nl - text + 1] = '\0';
	return 0;
}

static int csv_header(struct csv *t, char **p, const char *name, char *err,
		      size_t len)
{
	size_t maxcols = csv_count(*p, ',', true), nl = 0;
	long n;

	t->head = calloc(maxcols, sizeof(char *));
	if (!t->head) {
		text_fmt(err, len, "%s: out of memory", name);
		return -1;
	}
	n = csv_line(p, t->head, maxcols, &nl);
	if (n <= 0 || (size_t)n > maxcols || nl || (n == 1 && !t->head[0][0])) {
		text_fmt(err, len, "%s:1: no header line, or a malformed one", name);
		return -1;
	}
	t->ncols = (size_t)n;
	for (size_t k = 0; k < t->ncols; k++) {
		if (text_has_ctl(t->head[k])) {
			text_fmt(err, len, "%s:1: a control character in column "
				 "%zu's name", name, k + 1);
			return -1;
		}
		if (!t->head[k][0]) {
			text_fmt(err, len, "%s:1: column %zu has no name", name, k + 1);
			return -1;
		}
		for (size_t j = 0; j < k; j++)
			if (!strcmp(t->head[j], t->head[k])) {
				text_fmt(err, len, "%s:1: column '%s' twice", name,
					 t->head[k]);
				return -1;
			}
	}
	return 0;
}

int csv_parse_n(char *text, size_t n, const char *name, unsigned flags,
		struct csv *t, char *err, size_t len)
{
	size_t maxrows, line = 1, nl = 0;
	char *p = text;
	long got;

	memset(t, 0, sizeof(*t));
	t->buf_ = text;
	if (csv_check_bytes(text, n, name, flags, t, err, len) < 0 ||
	    csv_header(t, &p, name, err, len) < 0)
		goto fail;
	maxrows = csv_count(p, '\n', false);
	t->cell = calloc(maxrows * t->ncols, sizeof(char *));
	t->line = calloc(maxrows, sizeof(size_t));
	if (!t->cell || !t->line) {
		text_fmt(err, len, "%s: out of memory", name);
		goto fail;
	}
	while (*p) {
		line += 1 + nl;
		nl = 0;
		got = csv_line(&p, t->cell + t->nrows * t->ncols, t->ncols, &nl);
		if (got == 1 && !t->cell[t->nrows * t->ncols][0])
			continue;		/* empty line */
		if (got < 0) {
			text_fmt(err, len, "%s:%zu: malformed quoted field", name, line);
			goto fail;
		}
		if (got != (long)t->ncols) {
			text_fmt(err, len, "%s:%zu: %ld fields, the header has %zu",
				 name, line, got, t->ncols);
			goto fail;
		}
		/* A string that could drive a terminal is damage, not data. */
		for (size_t k = 0; k < t->ncols; k++)
			if (text_has_ctl(t->cell[t->nrows * t->ncols + k])) {
				text_fmt(err, len, "%s:%zu: a control character "
					 "in field %zu", name, line, k + 1);
				goto fail;
			}
		t->line[t->nrows++] = line;
	}
	return 0;
fail:
	csv_free(t);
	return -1;
}

int csv_parse(char *text, const char *name, struct csv *t, char *err,
	      size_t len)
{
	return csv_parse_n(text, strlen(text), name, 0, t, err, len);
}

int csv_read(const char *path, unsigned flags, struct csv *t, char *err,
	     size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	char *text;

	memset(t, 0, sizeof(*t));
	if (fd < 0) {
		text_fmt(err, len, "open(%s): %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		text_fmt(err, len, "fstat(%s): %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		text_fmt(err, len, "%s: not a regular file (a FIFO, a device or "
			 "a directory?)", path);
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > CSV_MAX_BYTES) {
		text_fmt(err, len, "%s: %lld bytes; allowed: up to %llu", path,
			 (long long)st.st_size, CSV_MAX_BYTES);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	while (text && n < (size_t)st.st_size) {
		ssize_t got = read(fd, text + n, (size_t)st.st_size - n);

		if (got <= 0) {
			if (got < 0)
				text_fmt(err, len, "read(%s): %s", path, strerror(errno));
			else	/* shrank under us */
				break;
			free(text);
			close(fd);
			return -1;
		}
		n += (size_t)got;
	}
	close(fd);
	if (!text) {
		text_fmt(err, len, "%s: out of memory", path);
		return -1;
	}
	text[n] = '\0';
	return csv_parse_n(text, n, path, flags, t, err, len);
}

void csv_free(struct csv *t)
{
	free(t->head);
	free(t->cell);
	free(t->line);
	free(t->buf_);
	memset(t, 0, sizeof(*t));
}

int csv_col(const struct csv *t, const char *name)
{
	for (size_t k = 0; k < t->ncols; k++)
		if (!strcmp(t->head[k], name))
			return (int)k;
	return -1;
}

int csv_number(const char *s, double *v)
{
	const char *p = s;
	char *end;

	*v = NAN;
	if (!strcmp(s, "NA"))
		return 0;
	if (*p == '-')
		p++;
	if (!is_digit(*p))
		return -1;
	while (is_digit(*p))
		p++;
	if (*p == '.') {
		if (!is_digit(*++p))
			return -1;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return -1;
		while (is_digit(*p))
			p++;
	}
	if (*p)
		return -1;
	*v = strtod(s, &end);
	if (end != p || !isfinite(*v)) {
		*v = NAN;
		return -1;
	}
	return 1;
}

double csv_num_at(const struct csv *t, size_t row, size_t col)
{
	double v;

	csv_number(csv_get(t, row, col), &v);
	return v;
}

void csv_field(FILE *f, const char *s, int first)
{
	if (!first)
		fputc(',', f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_write_row(FILE *f, const struct csv *t, size_t row)
{
	for (size_t k = 0; k < t->ncols; k++)
		csv_field(f, row == (size_t)-1 ? t->head[k] : csv_get(t, row, k),
			!k);
	fputc('\n', f);
}
