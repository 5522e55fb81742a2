// SPDX-License-Identifier: GPL-2.0
/*
 * options.c - strict command-line parsing and validation; see options.h.
 * Option tables are checked as they are read (a bad table is a bug and
 * aborts); argv then fills one value list per option, and the data points
 * are the cross product of those lists.
 */
#include "options.h"

#include "text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_MAX 128	/* longest list element; any valid one is shorter */

/* A bug in an option table, not bad user input: stop loudly. */
static __attribute__((format(printf, 1, 2), noreturn))
void opt_bug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("options: bug in option table: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static int parse_one(const struct opt_spec *sp, const char *s,
		     union opt_value *v, char *err, size_t len)
{
	switch (sp->type) {
	case OPT_U64:
		return parse_u64(s, sp->min, sp->max, &v->u, err, len);
	case OPT_SIZE:
		return parse_size(s, sp->min, sp->max, &v->u, err, len);
	case OPT_DURATION:
		return parse_duration(s, sp->min, sp->max, &v->u, err, len);
	case OPT_ENUM:
		return parse_enum(s, sp->choices, &v->e, err, len);
	case OPT_STR:
		v->s = s;
		return 0;
	case OPT_FLAG:
		break;
	}
	return text_err(err, len, "flags take no value");
}

static bool same_value(enum opt_type t, union opt_value a, union opt_value b)
{
	if (t == OPT_ENUM)
		return a.e == b.e;
	return a.u == b.u;	/* lists are numeric or enum (check_spec) */
}

static int add_value(struct opt_val *val, union opt_value v, const char *whole,
		     char *err, size_t len)
{
	char shown[OPT_ERR_LEN / 2];

	for (size_t i = 0; i < val->n; i++) {
		if (same_value(val->spec->type, val->v[i], v)) {
			opt_format(val->spec, v, shown, sizeof(shown));
			return text_err(err, len, "'%s' appears twice in " OPT_QFMT,
					shown, OPT_QARG(whole));
		}
	}
	if (val->n >= OPT_MAX_LIST)
		return text_err(err, len, OPT_QFMT " has more than %d values",
				OPT_QARG(whole), OPT_MAX_LIST);
	val->v[val->n++] = v;
	return 0;
}

/* "a-b" of a U64 list: every number from a to b inclusive. */
static int add_range(struct opt_val *val, char *item, char *dash,
		     const char *whole, char *err, size_t len)
{
	const struct opt_spec *sp = val->spec;
	union opt_value lo, hi;

	*dash = '\0';
	if (parse_u64(item, sp->min, sp->max, &lo.u, err, len) ||
	    parse_u64(dash + 1, sp->min, sp->max, &hi.u, err, len))
		return -1;
	if (lo.u > hi.u)
		return text_err(err, len,
				"'%s-%s' is a descending range; allowed: a-b with a <= b",
				item, dash + 1);
	if (hi.u - lo.u >= OPT_MAX_LIST)
		return text_err(err, len, OPT_QFMT " has more than %d values",
				OPT_QARG(whole), OPT_MAX_LIST);
	/* Count, not compare, so hi == UINT64_MAX cannot wrap around. */
	for (uint64_t k = 0; k <= hi.u - lo.u; k++) {
		union opt_value v = { .u = lo.u + k };

		if (add_value(val, v, whole, err, len))
			return -1;
	}
	return 0;
}

static int parse_list(struct opt_val *val, const char *s, char *err,
		      size_t len)
{
	char item[ITEM_MAX];
	union opt_value v;
	const char *p = s;

	for (;;) {
		size_t n = strcspn(p, ",");
		char *dash;

		if (n == 0)
			return text_err(err, len, OPT_QFMT " has an empty element",
					OPT_QARG(s));
		if (n >= sizeof(item))
			return text_err(err, len, "'%.*s...' is too long",
					OPT_QUOTE_MAX, p);
		memcpy(item, p, n);
		item[n] = '\0';
		dash = strchr(item + 1, '-');	/* "-3" is a bad number */
		if (val->spec->type == OPT_U64 && dash) {
			if (add_range(val, item, dash, s, err, len))
				return -1;
		} else if (parse_one(val->spec, item, &v, err, len) ||
			   add_value(val, v, s, err, len)) {
			return -1;
		}
		p += n;
		if (!*p++)
			return 0;
	}
}

static int parse_values(struct opt_val *val, const char *s, char *err,
			size_t len)
{
	char allowed[OPT_ERR_LEN];

	val->n = 0;
	if (!*s) {
		opt_allowed(val->spec, allowed, sizeof(allowed));
		return text_err(err, len, "empty value; allowed: %s", allowed);
	}
	if (val->spec->list)
		return parse_list(val, s, err, len);
	if (parse_one(val->spec, s, &val->v[0], err, len))
		return -1;
	val->n = 1;
	return 0;
}

static void check_spec(const struct opt_spec *sp)
{
	bool numeric = sp->type == OPT_U64 || sp->type == OPT_SIZE ||
		       sp->type == OPT_DURATION;

	if (!sp->name[0] || strchr(sp->name, '='))
		opt_bug("bad option name '%s'", sp->name);
	if (sp->type == OPT_ENUM && !sp->choices)
		opt_bug("--%s: enum without choices", sp->name);
	/* STR list items would need copies; nothing needs them yet. */
	if (sp->list && (sp->type == OPT_STR || sp->type == OPT_FLAG))
		opt_bug("--%s: only numbers and enums can be lists", sp->name);
	if (numeric && sp->min > sp->max)
		opt_bug("--%s: min > max", sp->name);
}

static int find_index(const struct opt_set *set, const char *name, size_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		const char *have = set->vals[i].spec->name;

		if (strlen(have) == len && !strncmp(have, name, len))
			return (int)i;
	}
	return -1;
}

static void add_spec(struct opt_set *set, const struct opt_spec *sp,
		     unsigned table)
{
	char err[OPT_ERR_LEN];
	struct opt_val *val;

	check_spec(sp);
	if (find_index(set, sp->name, strlen(sp->name)) >= 0)
		opt_bug("--%s is defined twice", sp->name);
	if (set->n >= OPT_MAX)
		opt_bug("more than %d options", OPT_MAX);
	val = &set->vals[set->n++];
	memset(val, 0, sizeof(*val));
	val->spec = sp;
	val->table = table;
	if (sp->type == OPT_FLAG) {
		val->v[0].b = false;
		val->n = 1;
	} else if (sp->def && parse_values(val, sp->def, err, sizeof(err))) {
		/* Checked for every run, so a bad default never ships. */
		opt_bug("--%s: default: %s", sp->name, err);
	}
}

static void init_set(const struct opt_spec *const tables[], unsigned ntables,
		     struct opt_set *set)
{
	if (ntables > OPT_MAX_TABLES)
		opt_bug("%u tables, at most %d", ntables, OPT_MAX_TABLES);
	set->n = 0;
	for (unsigned t = 0; t < ntables; t++)
		for (const struct opt_spec *sp = tables[t]; sp->name; sp++)
			add_spec(set, sp, t);
}

/* argv[*i] is "--name[=value]"; "--name value" consumes argv[*i + 1]. */
static int parse_arg(struct opt_set *set, int argc, char *const argv[], int *i,
		     char *err, size_t len)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '='), *value;
	size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
	int idx = find_index(set, name, nlen);
	char why[OPT_ERR_LEN];
	struct opt_val *val;

	if (idx < 0)
		return text_err(err, len, "unknown option '--%.*s'; see --help",
				(int)nlen, name);
	val = &set->vals[idx];
	if (val->given)
		return text_err(err, len, "--%s: given twice", val->spec->name);
	val->given = true;
	if (val->spec->type == OPT_FLAG) {
		if (eq)
			return text_err(err, len, "--%s: is a flag and takes no value",
					val->spec->name);
		val->v[0].b = true;
		return 0;
	}
	if (eq) {
		value = eq + 1;
	} else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2)) {
		value = argv[++*i];
	} else {
		opt_allowed(val->spec, why, sizeof(why));
		return text_err(err, len, "--%s: missing value; allowed: %s",
				val->spec->name, why);
	}
	if (parse_values(val, value, why, sizeof(why)))
		return text_err(err, len, "--%s: %s", val->spec->name, why);
	return 0;
}

/* After argv: required options present, and the points countable. */
static int check_set(const struct opt_set *set, char *err, size_t len)
{
	char why[OPT_ERR_LEN];
	size_t points = 1;

	for (size_t i = 0; i < set->n; i++) {
		const struct opt_val *val = &set->vals[i];

		if (!val->n) {
			opt_allowed(val->spec, why, sizeof(why));
			return text_err(err, len, "--%s: is required; allowed: %s",
					val->spec->name, why);
		}
		if (points > SIZE_MAX / val->n)
			return text_err(err, len, "--%s: too many data points",
					val->spec->name);
		points *= val->n;
	}
	return 0;
}

int opt_parse(const struct opt_spec *const tables[], unsigned ntables,
	      int argc, char *const argv[], struct opt_set *set, bool *help,
	      char *err, size_t errlen)
{
	*help = false;
	init_set(tables, ntables, set);
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			*help = true;
			return 0;
		}
		if (!strncmp(arg, "--", 2) && arg[2]) {
			if (parse_arg(set, argc, argv, &i, err, errlen))
				return -1;
		} else if (arg[0] == '-') {
			return text_err(err, errlen,
					"unknown option " OPT_QFMT "; see --help",
					OPT_QARG(arg));
		} else {
			return text_err(err, errlen,
					"unexpected argument " OPT_QFMT "; options are --name=value",
					OPT_QARG(arg));
		}
	}
	return check_set(set, err, errlen);
}

const struct opt_val *opt_find(const struct opt_set *set, const char *name)
{
	int i = find_index(set, name, strlen(name));

	return i < 0 ? NULL : &set->vals[i];
}

size_t opt_npoints(const struct opt_set *set)
{
	size_t points = 1;

	for (size_t i = 0; i < set->n; i++)
		points *= set->vals[i].n;
	return points;
}

static void store(const struct opt_spec *sp, union opt_value v, void *conf)
{
	void *field = (char *)conf + sp->offset;

	switch (sp->type) {
	case OPT_U64:
	case OPT_SIZE:
	case OPT_DURATION:
		*(uint64_t *)field = v.u;
		break;
	case OPT_ENUM:
		*(int *)field = v.e;
		break;
	case OPT_STR:
		*(const char **)field = v.s;
		break;
	case OPT_FLAG:
		*(bool *)field = v.b;
		break;
	}
}

/* Index into vals[i].v at point idx: the last option varies fastest. */
static size_t value_index(const struct opt_set *set, size_t i, size_t idx)
{
	for (size_t j = set->n; --j > i;)
		idx /= set->vals[j].n;
	return idx % set->vals[i].n;
}

void opt_apply(const struct opt_set *set, size_t idx, void *const confs[])
{
	for (size_t i = 0; i < set->n; i++) {
		const struct opt_val *val = &set->vals[i];

		if (!val->n)
			opt_bug("--%s: opt_apply on a set that failed to parse",
				val->spec->name);
		if (confs[val->table])
			store(val->spec, val->v[value_index(set, i, idx)],
			      confs[val->table]);
	}
}

void opt_point_value(const struct opt_set *set, size_t idx, const char *name,
		     char *buf, size_t len)
{
	int i = find_index(set, name, strlen(name));

	if (i < 0 || !set->vals[i].n) {
		snprintf(buf, len, "%s", "");
		return;
	}
	opt_format(set->vals[i].spec, set->vals[i].v[value_index(set, i, idx)],
		   buf, len);
}
