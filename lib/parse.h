/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - the value of one option: its types, the primitive parsers
 * (numbers, sizes, durations, cpu lists, names) and the way back to text.
 * options.h builds command-line parsing on these.
 *
 * Every parser returns 0 on success or -1 with a one-line message in err
 * that names what was wrong and what is allowed, e.g.
 *   "--threads: '0' is out of range; allowed: 1..64".
 * Callers print it and exit with status 2 (EXIT_USAGE) before any file is
 * written.
 */
#ifndef GUPSYNC_PARSE_H
#define GUPSYNC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPT_ERR_LEN 256

/* A user value in a message: at most OPT_QUOTE_MAX bytes, "..." if cut.
 * printf(OPT_QFMT, OPT_QARG(s)); needs <string.h>. */
#define OPT_QUOTE_MAX 40
#define OPT_QFMT "'%.*s%s'"
#define OPT_QARG(s) OPT_QUOTE_MAX, (s), (strlen(s) > OPT_QUOTE_MAX ? "..." : "")

enum opt_type { OPT_U64, OPT_SIZE, OPT_DURATION, OPT_ENUM, OPT_STR, OPT_FLAG };

struct opt_spec {
	const char *name;	    /* long name without "--"; NULL ends a table */
	enum opt_type type;
	const char *help;	    /* one line */
	const char *def;	    /* default, as the user would type it; NULL = none */
	uint64_t min, max;	    /* inclusive range for U64/SIZE/DURATION */
	const char *const *choices; /* OPT_ENUM: NULL-terminated names */
	bool list;		    /* accepts a list; each value is a data point */
	size_t offset;		    /* offsetof(config struct, field) */
};

union opt_value {
	uint64_t u;	/* U64, SIZE (bytes), DURATION (ns) */
	int e;		/* ENUM index */
	const char *s;	/* STR */
	bool b;		/* FLAG */
};

/* Primitive parsers. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      char *err, size_t errlen);
/* "4096", "4K", "2M", "1G", "1T" (binary, case-insensitive, optional B/iB). */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	       char *err, size_t errlen);
/* "250ms", "2s", "100us", "500ns", "1m"; a bare number is seconds. -> ns */
int parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		   uint64_t *out_ns, char *err, size_t errlen);
/* "0-3,8" -> cpus in the order given; rejects duplicates and ids > max_id. */
int parse_cpulist(const char *s, unsigned max_id, int *cpus, size_t cap,
		  size_t *n, char *err, size_t errlen);
int parse_enum(const char *s, const char *const *choices, int *out,
	       char *err, size_t errlen);

/* Format a value back the way a user would type it ("2M", "500ms", "3"). */
void opt_format(const struct opt_spec *spec, union opt_value v, char *buf,
		size_t len);

/* What a value of this option may be, for "allowed: ..." messages and
 * help: "one of: a, b", "4K..1G", ">= 1", "a non-empty string". */
void opt_allowed(const struct opt_spec *spec, char *buf, size_t len);

#endif
