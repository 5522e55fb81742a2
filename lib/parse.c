// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - the primitive parsers of option values and the way back to
 * text; see parse.h.
 *
 * Strict on purpose: a typo in a sweep ("--size=4x") must stop the run
 * before anything is measured or written, not silently fall back to a
 * default and produce a plausible-looking but wrong result file.
 */
#include "parse.h"

#include "text.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NUM_MAX 32	/* a formatted number with its unit */

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MIN (60 * NSEC_PER_SEC)
#define NSEC_PER_HOUR (60 * NSEC_PER_MIN)

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
		return text_err(err, len, OPT_QFMT " is not a %s; allowed: %s%s",
				OPT_QARG(s), num_syntax[t].noun, range,
				num_syntax[t].hint);
	if (r == SCAN_OVERFLOW || v > UINT64_MAX / mult || v * mult < min ||
	    v * mult > max)
		return text_err(err, len, OPT_QFMT " is out of range; allowed: %s",
				OPT_QARG(s), range);
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
		return text_err(err, len,
				OPT_QFMT " is not a cpu list; allowed: ids 0..%u, ranges a-b, separated by commas",
				OPT_QARG(list), max_id);
	if (r == SCAN_OVERFLOW || *id > max_id)
		return text_err(err, len,
				"cpu %.*s in " OPT_QFMT " is out of range; allowed: 0..%u",
				(int)(*p - start), start, OPT_QARG(list), max_id);
	return 0;
}

static int cpu_add(const char *list, int id, int *cpus, size_t cap,
		   size_t *n, char *err, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (cpus[i] == id)
			return text_err(err, len, "cpu %d appears twice in " OPT_QFMT,
					id, OPT_QARG(list));
	if (*n >= cap)
		return text_err(err, len, OPT_QFMT " lists more than %zu cpus",
				OPT_QARG(list), cap);
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
			return text_err(err, errlen,
					OPT_QFMT " has an empty element; allowed: e.g. 0-3,8 with ids 0..%u",
					OPT_QARG(s), max_id);
		if (cpu_id(s, &p, max_id, &lo, err, errlen))
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (cpu_id(s, &p, max_id, &hi, err, errlen))
				return -1;
		}
		if (*p && *p != ',')
			return text_err(err, errlen,
					OPT_QFMT " is not a cpu list; allowed: ids 0..%u, ranges a-b, separated by commas",
					OPT_QARG(s), max_id);
		if (lo > hi)
			return text_err(err, errlen,
					"%" PRIu64 "-%" PRIu64 " in " OPT_QFMT " is a descending range; allowed: a-b with a <= b",
					lo, hi, OPT_QARG(s));
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
		text_append(buf, len, "%s%s", i ? ", " : "", choices[i]);
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
	return text_err(err, errlen, OPT_QFMT " is not one of: %s", OPT_QARG(s),
			list);
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

void opt_allowed(const struct opt_spec *sp, char *buf, size_t len)
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
