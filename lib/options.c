// SPDX-License-Identifier: GPL-2.0
/*
 * options.c - strict command-line parsing and validation; see options.h.
 *
 * Strict on purpose: a typo in a sweep ("--size=4x") must stop the run
 * before anything is measured or written, not silently fall back to a
 * default and produce a plausible-looking but wrong result file.
 */
#include "options.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define QUOTE_MAX 40	/* bytes of a bad value echoed back in a message */
#define ITEM_MAX 128	/* longest list element; any valid one is shorter */
#define NUM_MAX 32	/* a formatted number with its unit */
#define HELP_COL 30	/* column where help text starts */
#define HELP_WIDTH 79	/* last column help text may use */

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MIN (60 * NSEC_PER_SEC)
#define NSEC_PER_HOUR (60 * NSEC_PER_MIN)

/* A user value in a message: at most QUOTE_MAX bytes, "..." if cut. */
#define QFMT "'%.*s%s'"
#define QARG(s) QUOTE_MAX, (s), (strlen(s) > QUOTE_MAX ? "..." : "")

struct opt_unit {
	const char *name;
	uint64_t mult;
};

/* Largest first: opt_format picks the first one that divides exactly. */
static const struct opt_unit size_units[] = {
	{ "T", 1ULL << 40 }, { "G", 1ULL << 30 },
	{ "M", 1ULL << 20 }, { "K", 1ULL << 10 },
};

static const struct opt_unit time_units[] = {
	{ "h", NSEC_PER_HOUR }, { "m", NSEC_PER_MIN }, { "s", NSEC_PER_SEC }, { "ms", NSEC_PER_MSEC },
	{ "us", NSEC_PER_USEC }, { "ns", 1 },
};

#define NUNITS(a) (sizeof(a) / sizeof((a)[0]))

static __attribute__((format(printf, 3, 4)))
int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

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

static __attribute__((format(printf, 3, 4)))
void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

enum scan_result { SCAN_OK, SCAN_NONE, SCAN_OVERFLOW };

/* Leading decimal digits of s; *end points past them. */
static enum scan_result scan_u64(const char *s, uint64_t *v, const char **end)
{
	const char *p = s;
	bool overflow = false;
	uint64_t x = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (x > (UINT64_MAX - d) / 10)
			overflow = true;
		x = x * 10 + d;
	}
	*v = x;
	*end = p;
	if (p == s)
		return SCAN_NONE;
	return overflow ? SCAN_OVERFLOW : SCAN_OK;
}

static void fmt_scaled(uint64_t v, const struct opt_unit *u, size_t nu,
		       char *buf, size_t len)
{
	if (v == 0) {
		snprintf(buf, len, "0");
		return;
	}
	for (size_t i = 0; i < nu; i++) {
		if (v % u[i].mult == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", v / u[i].mult,
				 u[i].name);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

static void fmt_num(enum opt_type t, uint64_t v, char *buf, size_t len)
{
	if (t == OPT_SIZE)
		fmt_scaled(v, size_units, NUNITS(size_units), buf, len);
	else if (t == OPT_DURATION)
		fmt_scaled(v, time_units, NUNITS(time_units), buf, len);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/* "4K..1G", or ">= 1" when there is no upper bound worth printing. */
static void fmt_range(enum opt_type t, uint64_t min, uint64_t max, char *buf,
		      size_t len)
{
	char lo[NUM_MAX], hi[NUM_MAX];

	fmt_num(t, min, lo, sizeof(lo));
	fmt_num(t, max, hi, sizeof(hi));
	if (max == UINT64_MAX)
		snprintf(buf, len, ">= %s", lo);
	else
		snprintf(buf, len, "%s..%s", lo, hi);
}

/* Multiplier for a size suffix: "", "B", "K", "KB", "KiB", ... ; 0 = bad. */
static uint64_t size_mult(const char *p)
{
	if (!*p || !strcasecmp(p, "B"))
		return 1;
	for (size_t i = 0; i < NUNITS(size_units); i++) {
		const char *rest = p + 1;

		if (toupper((unsigned char)*p) != size_units[i].name[0])
			continue;
		if (!*rest || !strcasecmp(rest, "B") || !strcasecmp(rest, "iB"))
			return size_units[i].mult;
	}
	return 0;
}

/* Unit names are case-sensitive: "m" is minutes, "M" would be a size. */
static uint64_t time_mult(const char *p)
{
	if (!*p)
		return NSEC_PER_SEC;	/* a bare number is seconds */
	for (size_t i = 0; i < NUNITS(time_units); i++)
		if (!strcmp(p, time_units[i].name))
			return time_units[i].mult;
	return 0;
}

/* How each numeric type is written, for "is not a ..." messages. */
static const struct {
	const char *noun, *hint;
} num_syntax[] = {
	[OPT_U64] = { "number", "" },
	[OPT_SIZE] = { "size", ", in bytes or with suffix K, M, G, T" },
	[OPT_DURATION] = { "duration", ", with unit ns, us, ms, s, m or h (bare number: s)" },
};

/* Digits times the multiplier of their suffix, within [min, max]. */
static int parse_num(const char *s, enum opt_type t, uint64_t min,
		     uint64_t max, uint64_t *out, char *err, size_t len)
{
	char range[2 * NUM_MAX + 4];
	uint64_t v, mult = 0;
	const char *end;
	enum scan_result r = scan_u64(s, &v, &end);

	if (r != SCAN_NONE)
		mult = t == OPT_SIZE ? size_mult(end) :
		       t == OPT_DURATION ? time_mult(end) : !*end;
	fmt_range(t, min, max, range, sizeof(range));
	if (!mult)
		return fail(err, len, QFMT " is not a %s; allowed: %s%s", QARG(s),
			    num_syntax[t].noun, range, num_syntax[t].hint);
	if (r == SCAN_OVERFLOW || v > UINT64_MAX / mult || v * mult < min ||
	    v * mult > max)
		return fail(err, len, QFMT " is out of range; allowed: %s",
			    QARG(s), range);
	*out = v * mult;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      char *err, size_t errlen)
{
	return parse_num(s, OPT_U64, min, max, out, err, errlen);
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	       char *err, size_t errlen)
{
	return parse_num(s, OPT_SIZE, min, max, out, err, errlen);
}

int parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		   uint64_t *out_ns, char *err, size_t errlen)
{
	return parse_num(s, OPT_DURATION, min_ns, max_ns, out_ns, err, errlen);
}

/* One cpu id at *p, advancing *p; list is the whole input, for messages. */
static int cpu_id(const char *list, const char **p, unsigned max_id,
		  uint64_t *id, char *err, size_t len)
{
	const char *start = *p;
	enum scan_result r = scan_u64(start, id, p);

	if (r == SCAN_NONE)
		return fail(err, len,
			    QFMT " is not a cpu list; allowed: ids 0..%u, ranges a-b, separated by commas",
			    QARG(list), max_id);
	if (r == SCAN_OVERFLOW || *id > max_id)
		return fail(err, len,
			    "cpu %.*s in " QFMT " is out of range; allowed: 0..%u",
			    (int)(*p - start), start, QARG(list), max_id);
	return 0;
}

static int cpu_add(const char *list, int id, int *cpus, size_t cap,
		   size_t *n, char *err, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (cpus[i] == id)
			return fail(err, len, "cpu %d appears twice in " QFMT,
				    id, QARG(list));
	if (*n >= cap)
		return fail(err, len, QFMT " lists more than %zu cpus",
			    QARG(list), cap);
	cpus[(*n)++] = id;
	return 0;
}

int parse_cpulist(const char *s, unsigned max_id, int *cpus, size_t cap,
		  size_t *n, char *err, size_t errlen)
{
	const char *p = s;
	uint64_t lo, hi;

	*n = 0;
	if (max_id > INT_MAX)
		max_id = INT_MAX;
	for (;;) {
		if (*p == ',' || !*p)
			return fail(err, errlen,
				    QFMT " has an empty element; allowed: e.g. 0-3,8 with ids 0..%u",
				    QARG(s), max_id);
		if (cpu_id(s, &p, max_id, &lo, err, errlen))
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (cpu_id(s, &p, max_id, &hi, err, errlen))
				return -1;
		}
		if (*p && *p != ',')
			return fail(err, errlen,
				    QFMT " is not a cpu list; allowed: ids 0..%u, ranges a-b, separated by commas",
				    QARG(s), max_id);
		if (lo > hi)
			return fail(err, errlen,
				    "%" PRIu64 "-%" PRIu64 " in " QFMT " is a descending range; allowed: a-b with a <= b",
				    lo, hi, QARG(s));
		for (uint64_t id = lo; id <= hi; id++)
			if (cpu_add(s, (int)id, cpus, cap, n, err, errlen))
				return -1;
		if (!*p++)
			return 0;
	}
}

static void join_choices(const char *const *choices, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; choices[i]; i++)
		append(buf, len, "%s%s", i ? ", " : "", choices[i]);
}

int parse_enum(const char *s, const char *const *choices, int *out,
	       char *err, size_t errlen)
{
	char list[OPT_ERR_LEN];

	for (int i = 0; choices[i]; i++) {
		if (!strcmp(s, choices[i])) {
			*out = i;
			return 0;
		}
	}
	join_choices(choices, list, sizeof(list));
	return fail(err, errlen, QFMT " is not one of: %s", QARG(s), list);
}

void opt_format(const struct opt_spec *spec, union opt_value v, char *buf,
		size_t len)
{
	switch (spec->type) {
	case OPT_U64:
	case OPT_SIZE:
	case OPT_DURATION:
		fmt_num(spec->type, v.u, buf, len);
		break;
	case OPT_ENUM:
		snprintf(buf, len, "%s", spec->choices[v.e]);
		break;
	case OPT_STR:
		snprintf(buf, len, "%s", v.s ? v.s : "");
		break;
	case OPT_FLAG:
		snprintf(buf, len, "%s", v.b ? "yes" : "no");
		break;
	}
}

/* What a value of this option may be, for "allowed: ..." messages. */
static void describe_allowed(const struct opt_spec *sp, char *buf, size_t len)
{
	char choices[OPT_ERR_LEN];

	switch (sp->type) {
	case OPT_ENUM:
		join_choices(sp->choices, choices, sizeof(choices));
		snprintf(buf, len, "one of: %s", choices);
		break;
	case OPT_STR:
		snprintf(buf, len, "a non-empty string");
		break;
	case OPT_FLAG:
		snprintf(buf, len, "no value");
		break;
	default:
		fmt_range(sp->type, sp->min, sp->max, buf, len);
	}
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
	return fail(err, len, "flags take no value");
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
			return fail(err, len, "'%s' appears twice in " QFMT,
				    shown, QARG(whole));
		}
	}
	if (val->n >= OPT_MAX_LIST)
		return fail(err, len, QFMT " has more than %d values",
			    QARG(whole), OPT_MAX_LIST);
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
		return fail(err, len,
			    "'%s-%s' is a descending range; allowed: a-b with a <= b",
			    item, dash + 1);
	if (hi.u - lo.u >= OPT_MAX_LIST)
		return fail(err, len, QFMT " has more than %d values",
			    QARG(whole), OPT_MAX_LIST);
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
			return fail(err, len, QFMT " has an empty element",
				    QARG(s));
		if (n >= sizeof(item))
			return fail(err, len, "'%.*s...' is too long",
				    QUOTE_MAX, p);
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
		describe_allowed(val->spec, allowed, sizeof(allowed));
		return fail(err, len, "empty value; allowed: %s", allowed);
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
		return fail(err, len, "unknown option '--%.*s'; see --help",
			    (int)nlen, name);
	val = &set->vals[idx];
	if (val->given)
		return fail(err, len, "--%s: given twice", val->spec->name);
	val->given = true;
	if (val->spec->type == OPT_FLAG) {
		if (eq)
			return fail(err, len, "--%s: is a flag and takes no value",
				    val->spec->name);
		val->v[0].b = true;
		return 0;
	}
	if (eq) {
		value = eq + 1;
	} else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2)) {
		value = argv[++*i];
	} else {
		describe_allowed(val->spec, why, sizeof(why));
		return fail(err, len, "--%s: missing value; allowed: %s",
			    val->spec->name, why);
	}
	if (parse_values(val, value, why, sizeof(why)))
		return fail(err, len, "--%s: %s", val->spec->name, why);
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
			describe_allowed(val->spec, why, sizeof(why));
			return fail(err, len, "--%s: is required; allowed: %s",
				    val->spec->name, why);
		}
		if (points > SIZE_MAX / val->n)
			return fail(err, len, "--%s: too many data points",
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
			return fail(err, errlen,
				    "unknown option " QFMT "; see --help",
				    QARG(arg));
		} else {
			return fail(err, errlen,
				    "unexpected argument " QFMT "; options are --name=value",
				    QARG(arg));
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

static const char *metavar(enum opt_type t)
{
	static const char *const names[] = {
		[OPT_U64] = "N", [OPT_SIZE] = "SIZE", [OPT_DURATION] = "TIME",
		[OPT_ENUM] = "NAME", [OPT_STR] = "STR", [OPT_FLAG] = "",
	};

	return names[t];
}

/* Words of text from column col on, wrapped at HELP_WIDTH under HELP_COL. */
static void help_wrap(FILE *f, size_t col, const char *text)
{
	bool first = true;

	for (const char *p = text; *p;) {
		size_t w = strcspn(p, " ");

		if (w && !first && col + 1 + w > HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (w && !first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		first = first && !w;
		p += w + (p[w] == ' ');
	}
	fputc('\n', f);
}

/* "  --name=SIZE[,SIZE...]", padded to HELP_COL (own line if too long). */
static void help_left(FILE *f, const struct opt_spec *sp)
{
	const char *mv = metavar(sp->type);
	char left[HELP_COL + 64];
	size_t col;

	snprintf(left, sizeof(left), "  --%s%s%s", sp->name, *mv ? "=" : "", mv);
	if (sp->list)
		append(left, sizeof(left), "[,%s...]", mv);
	col = strlen(left);
	fputs(left, f);
	if (col + 2 > HELP_COL) {	/* keep at least two spaces */
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", (int)(HELP_COL - col), "");
}

/* "help (default: 4K; range 4K..1G)", wrapped. */
static void help_text(FILE *f, const struct opt_spec *sp)
{
	char text[2 * OPT_ERR_LEN], allowed[OPT_ERR_LEN];

	snprintf(text, sizeof(text), "%s", sp->help ? sp->help : "");
	if (sp->type == OPT_FLAG) {	/* nothing to add: flags default off */
		help_wrap(f, HELP_COL, text);
		return;
	}
	append(text, sizeof(text), " (%s%s", sp->def ? "default: " : "required",
	       sp->def ? sp->def : "");
	describe_allowed(sp, allowed, sizeof(allowed));
	if (sp->type == OPT_ENUM)
		append(text, sizeof(text), "; %s", allowed);
	else if (sp->type != OPT_STR)
		append(text, sizeof(text), "; range %s", allowed);
	append(text, sizeof(text), ")");
	help_wrap(f, HELP_COL, text);
}

void opt_help(FILE *f, const struct opt_spec *const tables[], unsigned ntables)
{
	for (unsigned t = 0; t < ntables; t++) {
		if (t)
			fputc('\n', f);
		for (const struct opt_spec *sp = tables[t]; sp->name; sp++) {
			help_left(f, sp);
			help_text(f, sp);
		}
	}
}
