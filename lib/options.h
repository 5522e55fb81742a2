/* SPDX-License-Identifier: GPL-2.0 */
/*
 * options.h - strict command-line parsing and validation.
 *
 * Errors are one-line messages in err, as for the primitive parsers of
 * parse.h (included here, with opthelp.h for --help).
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
 * Tables use designated initialisers, so a field left out is 0/NULL/false
 * (no default = required, no .choices, not a list):
 *   { .name = "threads", .type = OPT_U64, .help = "workers",
 *     .def = "1", .min = 1, .max = 64, .list = true,
 *     .offset = offsetof(struct my_conf, threads) },
 */
#ifndef GUPSYNC_OPTIONS_H
#define GUPSYNC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opthelp.h"
#include "parse.h"

#define EXIT_USAGE 2    /* bad input */
#define EXIT_SKIP 4     /* kselftest KSFT_SKIP: a prerequisite is missing */
#define OPT_MAX_LIST 64 /* values one list option may take */
#define OPT_MAX 48      /* options in one parsed set (all tables together) */
#define OPT_MAX_TABLES 2

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

#endif
