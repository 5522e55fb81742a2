/* SPDX-License-Identifier: GPL-2.0 */
/*
 * options.h - strict command-line parsing and validation.
 *
 * Every parser returns 0 on success or -1 with a one-line message in err
 * that names what was wrong and what is allowed, e.g.
 *   "--threads: '0' is out of range; allowed: 1..64".
 * Callers print it and exit with status 2 (EXIT_USAGE) before any file is
 * written.
 *
 * Option tables: a benchmark (and the harness) describes its options with a
 * NULL-name-terminated array of struct opt_spec.  Options marked .list take
 * a comma-separated list (numbers also as ranges "1-4"); the harness runs
 * the cross product of all list values as data points, the last option
 * varying fastest.  For each point, opt_apply() stores the current value of
 * every option at .offset in the table's config struct:
 *   OPT_U64, OPT_SIZE, OPT_DURATION -> uint64_t (sizes in bytes, durations
 *                                      in ns)
 *   OPT_ENUM                         -> int (index into .choices)
 *   OPT_STR                          -> const char * (points into argv or .def)
 *   OPT_FLAG                         -> bool (takes no value)
 */
#ifndef GUPSYNC_OPTIONS_H
#define GUPSYNC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2    /* bad input */
#define EXIT_SKIP 4     /* kselftest KSFT_SKIP: a prerequisite is missing */
#define OPT_ERR_LEN 256
#define OPT_MAX_LIST 64 /* values one list option may take */
#define OPT_MAX 48      /* options in one parsed set (all tables together) */
#define OPT_MAX_TABLES 2

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

struct opt_val {
	const struct opt_spec *spec;
	unsigned table;		/* index of the table the spec came from */
	bool given;		/* on the command line (else the default) */
	size_t n;		/* number of values (1 unless .list) */
	union opt_value v[OPT_MAX_LIST];
};

struct opt_set {
	size_t n;
	struct opt_val vals[OPT_MAX];
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

/*
 * Parse argv[0..argc) ("--name=value", "--name value", "--flag") against up
 * to OPT_MAX_TABLES tables.  Every option of every table ends up in *set,
 * with its default when not given.  Errors: unknown option, missing value,
 * bad value, option given twice, a required option (def == NULL, not
 * FLAG) missing, a positional argument.  "--help"/"-h" sets *help and
 * stops.
 */
int opt_parse(const struct opt_spec *const tables[], unsigned ntables,
	      int argc, char *const argv[], struct opt_set *set, bool *help,
	      char *err, size_t errlen);

const struct opt_val *opt_find(const struct opt_set *set, const char *name);

/* Number of data points: the product of the list lengths. */
size_t opt_npoints(const struct opt_set *set);
/* Store the values of point idx (0 <= idx < opt_npoints) into confs[table]. */
void opt_apply(const struct opt_set *set, size_t idx, void *const confs[]);
/* The value of option 'name' at point idx, formatted; "" if unknown. */
void opt_point_value(const struct opt_set *set, size_t idx, const char *name,
		     char *buf, size_t len);

/* Help: one block per option: "  --name=VALUE  help (default: x; range a..b)". */
void opt_help(FILE *f, const struct opt_spec *const tables[], unsigned ntables);

#endif
