// SPDX-License-Identifier: GPL-2.0
/*
 * test_options.c - the option parsers, opt_parse() errors, list expansion,
 * the cross product of data points, opt_format() round trips and help.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "options.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)
#define MS 1000000ULL
#define SEC 1000000000ULL

static char err[OPT_ERR_LEN];

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' does not contain '%s'", hay, needle);
}

static void assert_starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("'%s' does not start with '%s'", s, prefix);
}

/* ---- parse_u64 ---- */

static void test_u64_good(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("1", 1, 64, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_u64("64", 1, 64, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 64);
	assert_int_equal(parse_u64("007", 1, 64, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u64("0", 0, 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX, &v,
				   err, sizeof(err)), 0);
	assert_true(v == UINT64_MAX);
}

static void test_u64_bad(void **state)
{
	static const char *const junk[] = {
		"", "-1", "+1", "1x", " 1", "1 ", "0x10", "1.0", "abc", "1,2",
	};
	uint64_t v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		assert_int_equal(parse_u64(junk[i], 1, 64, &v, err,
					   sizeof(err)), -1);
		assert_contains(err, "is not a number; allowed: 1..64");
	}
	assert_int_equal(parse_u64("abc", 1, 64, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'abc' is not a number; allowed: 1..64");
	assert_int_equal(parse_u64("0", 1, 64, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'0' is out of range; allowed: 1..64");
	assert_int_equal(parse_u64("65", 1, 64, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'65' is out of range; allowed: 1..64");
	assert_int_equal(parse_u64("18446744073709551616", 0, UINT64_MAX, &v,
				   err, sizeof(err)), -1);
	assert_contains(err, "'18446744073709551616' is out of range");
	assert_contains(err, "allowed: >= 0");
	assert_int_equal(parse_u64("99999999999999999999999", 1, 64, &v, err,
				   sizeof(err)), -1);
	assert_contains(err, "out of range");
	assert_int_equal(v, 42);	/* untouched on error */
}

/* A very long bad value is cut short, so the "allowed" part survives. */
static void test_long_value_quoted_short(void **state)
{
	char big[600];
	uint64_t v;

	(void)state;
	memset(big, '7', sizeof(big) - 2);
	big[sizeof(big) - 2] = 'x';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse_u64(big, 1, 64, &v, err, sizeof(err)), -1);
	assert_contains(err, "...' is not a number; allowed: 1..64");
}

/* ---- parse_size ---- */

static void test_size_good(void **state)
{
	static const struct { const char *s; uint64_t v; } ok[] = {
		{ "4096", 4096 }, { "4K", 4 * KIB }, { "4k", 4 * KIB },
		{ "2M", 2 * MIB }, { "2m", 2 * MIB }, { "1G", GIB },
		{ "1T", TIB }, { "4KiB", 4 * KIB }, { "4KB", 4 * KIB },
		{ "4kib", 4 * KIB }, { "4kb", 4 * KIB }, { "4096B", 4096 },
		{ "0", 0 }, { "0K", 0 }, { "16777215T", 16777215 * TIB },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (parse_size(ok[i].s, 0, UINT64_MAX, &v, err, sizeof(err)))
			fail_msg("'%s': %s", ok[i].s, err);
		assert_true(v == ok[i].v);
	}
	assert_int_equal(parse_size("4K", 4 * KIB, GIB, &v, err, sizeof(err)), 0);
	assert_int_equal(parse_size("1G", 4 * KIB, GIB, &v, err, sizeof(err)), 0);
	assert_true(v == GIB);
}

static void test_size_bad(void **state)
{
	static const char *const junk[] = {
		"", "K", "2.5M", "4X", "-4K", "+4K", "4KiBB", "4 K", "4iB",
		"4KK", "4Ki", "4MiG", " 4K", "4K ",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		if (!parse_size(junk[i], 0, UINT64_MAX, &v, err, sizeof(err)))
			fail_msg("'%s' accepted as %llu", junk[i],
				 (unsigned long long)v);
		assert_contains(err, "is not a size; allowed:");
	}
	assert_int_equal(parse_size("2.5M", 4 * KIB, GIB, &v, err,
				    sizeof(err)), -1);
	assert_contains(err, "'2.5M' is not a size; allowed: 4K..1G");
	assert_int_equal(parse_size("4095", 4 * KIB, GIB, &v, err,
				    sizeof(err)), -1);
	assert_string_equal(err, "'4095' is out of range; allowed: 4K..1G");
	assert_int_equal(parse_size("2G", 4 * KIB, GIB, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'2G' is out of range; allowed: 4K..1G");
	/* 2^24 T = 2^64 bytes: overflow is out of range, not wrapped to 0. */
	assert_int_equal(parse_size("16777216T", 0, UINT64_MAX, &v, err,
				    sizeof(err)), -1);
	assert_contains(err, "'16777216T' is out of range");
	assert_int_equal(parse_size("18446744073709551616", 0, UINT64_MAX, &v,
				    err, sizeof(err)), -1);
	assert_contains(err, "out of range");
}

/* ---- parse_duration ---- */

static void test_duration_good(void **state)
{
	static const struct { const char *s; uint64_t ns; } ok[] = {
		{ "500ns", 500 }, { "100us", 100000 }, { "250ms", 250 * MS },
		{ "2s", 2 * SEC }, { "1m", 60 * SEC }, { "2h", 7200 * SEC },
		{ "3", 3 * SEC },
		{ "0", 0 }, { "0ns", 0 },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (parse_duration(ok[i].s, 0, UINT64_MAX, &v, err, sizeof(err)))
			fail_msg("'%s': %s", ok[i].s, err);
		assert_true(v == ok[i].ns);
	}
	assert_int_equal(parse_duration("1ms", MS, 10 * SEC, &v, err,
					sizeof(err)), 0);
	assert_int_equal(parse_duration("10s", MS, 10 * SEC, &v, err,
					sizeof(err)), 0);
	assert_true(v == 10 * SEC);
}

static void test_duration_bad(void **state)
{
	static const char *const junk[] = {
		"", "ms", "1d", "1.5s", "2S", "2MS", "-1s", "1 s", "1sec", "5x",
		"1H",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		if (!parse_duration(junk[i], 0, UINT64_MAX, &v, err,
				    sizeof(err)))
			fail_msg("'%s' accepted", junk[i]);
		assert_contains(err, "is not a duration; allowed:");
	}
	assert_int_equal(parse_duration("999us", MS, 10 * SEC, &v, err,
					sizeof(err)), -1);
	assert_string_equal(err, "'999us' is out of range; allowed: 1ms..10s");
	assert_int_equal(parse_duration("11", MS, 10 * SEC, &v, err,
					sizeof(err)), -1);
	assert_string_equal(err, "'11' is out of range; allowed: 1ms..10s");
	assert_int_equal(parse_duration("18446744073709551615s", 0, UINT64_MAX,
					&v, err, sizeof(err)), -1);
	assert_contains(err, "out of range");
}

/* ---- parse_cpulist ---- */

static void test_cpulist_good(void **state)
{
	int cpus[16];
	size_t n;

	(void)state;
	assert_int_equal(parse_cpulist("0-3,8", 15, cpus, 16, &n, err,
				       sizeof(err)), 0);
	assert_int_equal(n, 5);
	for (int i = 0; i < 4; i++)
		assert_int_equal(cpus[i], i);
	assert_int_equal(cpus[4], 8);
	assert_int_equal(parse_cpulist("5,1,3-3", 7, cpus, 16, &n, err,
				       sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(cpus[0], 5);
	assert_int_equal(cpus[1], 1);
	assert_int_equal(cpus[2], 3);
	assert_int_equal(parse_cpulist("0-7", 7, cpus, 8, &n, err,
				       sizeof(err)), 0);
	assert_int_equal(n, 8);
	assert_int_equal(cpus[7], 7);
}

static void test_cpulist_bad(void **state)
{
	static const struct { const char *s; const char *msg; } bad[] = {
		{ "3-1", "descending range" },
		{ "0,0", "cpu 0 appears twice in '0,0'" },
		{ "0-2,1", "cpu 1 appears twice in '0-2,1'" },
		{ "8", "cpu 8 in '8' is out of range; allowed: 0..7" },
		{ "0-8", "cpu 8 in '0-8' is out of range; allowed: 0..7" },
		{ "99999999999999999999", "out of range; allowed: 0..7" },
		{ "0,,1", "empty element" }, { "", "empty element" },
		{ ",0", "empty element" }, { "0,", "empty element" },
		{ "a", "'a' is not a cpu list; allowed: ids 0..7" },
		{ "0-", "not a cpu list" }, { "1-2-3", "not a cpu list" },
		{ "-1", "not a cpu list" }, { "0 ,1", "not a cpu list" },
		{ "0-7", "lists more than 4 cpus" },
	};
	int cpus[4];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!parse_cpulist(bad[i].s, 7, cpus, 4, &n, err, sizeof(err)))
			fail_msg("'%s' accepted", bad[i].s);
		assert_contains(err, bad[i].msg);
	}
}

/* ---- parse_enum ---- */

static const char *const modes[] = { "compact", "scatter", "none", NULL };

static void test_enum(void **state)
{
	int e = -1;

	(void)state;
	assert_int_equal(parse_enum("compact", modes, &e, err, sizeof(err)), 0);
	assert_int_equal(e, 0);
	assert_int_equal(parse_enum("none", modes, &e, err, sizeof(err)), 0);
	assert_int_equal(e, 2);
	assert_int_equal(parse_enum("foo", modes, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "'foo' is not one of: compact, scatter, none");
	assert_int_equal(parse_enum("Compact", modes, &e, err, sizeof(err)), -1);
	assert_int_equal(parse_enum("", modes, &e, err, sizeof(err)), -1);
	assert_int_equal(e, 2);
}

/* ---- opt_format ---- */

static const struct opt_spec size_spec = { .name = "s", .type = OPT_SIZE,
					   .max = UINT64_MAX };
static const struct opt_spec time_spec = { .name = "t",
					   .type = OPT_DURATION,
					   .max = UINT64_MAX };

static void assert_formats(const struct opt_spec *sp, union opt_value v,
			   const char *want)
{
	char buf[64];

	opt_format(sp, v, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	static const struct opt_spec u = { .name = "u", .type = OPT_U64 };
	static const struct opt_spec e = { .name = "e", .type = OPT_ENUM,
					   .choices = modes };
	static const struct opt_spec f = { .name = "f", .type = OPT_FLAG };
	static const struct opt_spec s = { .name = "s", .type = OPT_STR };

	(void)state;
	assert_formats(&size_spec, (union opt_value){ .u = 2 * MIB }, "2M");
	assert_formats(&size_spec, (union opt_value){ .u = 4 * KIB }, "4K");
	assert_formats(&size_spec, (union opt_value){ .u = 1536 }, "1536");
	assert_formats(&size_spec, (union opt_value){ .u = 3 * KIB }, "3K");
	assert_formats(&size_spec, (union opt_value){ .u = 1536 * KIB }, "1536K");
	assert_formats(&size_spec, (union opt_value){ .u = TIB }, "1T");
	assert_formats(&size_spec, (union opt_value){ .u = 0 }, "0");
	assert_formats(&time_spec, (union opt_value){ .u = 500 * MS }, "500ms");
	assert_formats(&time_spec, (union opt_value){ .u = 2 * SEC }, "2s");
	assert_formats(&time_spec, (union opt_value){ .u = 90 * SEC }, "90s");
	assert_formats(&time_spec, (union opt_value){ .u = 120 * SEC }, "2m");
	assert_formats(&time_spec, (union opt_value){ .u = 86400 * SEC }, "24h");
	assert_formats(&time_spec, (union opt_value){ .u = 100000 }, "100us");
	assert_formats(&time_spec, (union opt_value){ .u = 7 }, "7ns");
	assert_formats(&u, (union opt_value){ .u = UINT64_MAX },
		       "18446744073709551615");
	assert_formats(&e, (union opt_value){ .e = 1 }, "scatter");
	assert_formats(&f, (union opt_value){ .b = true }, "yes");
	assert_formats(&f, (union opt_value){ .b = false }, "no");
	assert_formats(&s, (union opt_value){ .s = "a b" }, "a b");
}

static void roundtrip(const struct opt_spec *sp, uint64_t v)
{
	char buf[64];
	uint64_t back;
	int rc;

	opt_format(sp, (union opt_value){ .u = v }, buf, sizeof(buf));
	if (sp->type == OPT_SIZE)
		rc = parse_size(buf, 0, UINT64_MAX, &back, err, sizeof(err));
	else
		rc = parse_duration(buf, 0, UINT64_MAX, &back, err, sizeof(err));
	if (rc || back != v)
		fail_msg("%llu -> '%s' -> %s", (unsigned long long)v, buf,
			 rc ? err : "a different value");
}

static void test_format_roundtrip(void **state)
{
	static const uint64_t bases[] = { 1, 3, 7, 1000, 1024, 1536, 60 };

	(void)state;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		for (uint64_t m = 1; m <= TIB; m *= 1000) {
			roundtrip(&size_spec, bases[i] * m);
			roundtrip(&time_spec, bases[i] * m);
		}
		for (uint64_t m = 1; m <= TIB; m <<= 10)
			roundtrip(&size_spec, bases[i] * m);
	}
	roundtrip(&size_spec, 0);
	roundtrip(&time_spec, 0);
	roundtrip(&size_spec, UINT64_MAX);
	roundtrip(&time_spec, UINT64_MAX);
}

/* ---- opt_parse: two tables, as a benchmark and the harness use them ---- */

struct bench_conf {
	uint64_t threads;
	uint64_t size;
	int mode;
	bool verbose;
};

struct harness_conf {
	uint64_t runtime;
	uint64_t repeat;
	const char *out;
};

static const struct opt_spec bench_opts[] = {
	{ .name = "threads", .type = OPT_U64, .help = "worker threads",
	  .def = "1", .min = 1, .max = 100, .list = true,
	  .offset = offsetof(struct bench_conf, threads) },
	{ .name = "size", .type = OPT_SIZE, .help = "buffer per thread",
	  .def = "4K", .min = 4 * KIB, .max = GIB, .list = true,
	  .offset = offsetof(struct bench_conf, size) },
	{ .name = "mode", .type = OPT_ENUM, .help = "placement",
	  .def = "compact", .choices = modes, .list = true,
	  .offset = offsetof(struct bench_conf, mode) },
	{ .name = "verbose", .type = OPT_FLAG, .help = "say more",
	  .offset = offsetof(struct bench_conf, verbose) },
	{ 0 },
};

static const struct opt_spec harness_opts[] = {
	{ .name = "runtime", .type = OPT_DURATION, .help = "per point",
	  .def = "250ms", .min = MS, .max = 10 * SEC,
	  .offset = offsetof(struct harness_conf, runtime) },
	{ .name = "repeat", .type = OPT_U64, .help = "repeats", .def = "1",
	  .min = 1, .max = 10, .list = true,
	  .offset = offsetof(struct harness_conf, repeat) },
	{ .name = "out", .type = OPT_STR, .help = "result file",
	  .def = "results/x.csv",
	  .offset = offsetof(struct harness_conf, out) },
	{ 0 },
};

static const struct opt_spec required_opts[] = {
	{ .name = "file", .type = OPT_STR, .help = "input" },
	{ .name = "count", .type = OPT_U64, .help = "how many", .min = 1,
	  .max = 9 },
	{ 0 },
};

static const struct opt_spec *const two[] = { bench_opts, harness_opts };
static struct opt_set set;

/* opt_parse() on the NULL-terminated arguments; help must stay false. */
static int parse(const struct opt_spec *const *tables, unsigned ntables, ...)
{
	char *argv[32];
	int argc = 0;
	bool help = true;
	va_list ap;
	int rc;

	va_start(ap, ntables);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(err, 0, sizeof(err));
	rc = opt_parse(tables, ntables, argc, argv, &set, &help, err,
		       sizeof(err));
	assert_false(help);
	return rc;
}

static void test_parse_defaults(void **state)
{
	const struct opt_val *v;

	(void)state;
	assert_int_equal(parse(two, 2, NULL), 0);
	assert_int_equal(set.n, 7);
	v = opt_find(&set, "size");
	assert_non_null(v);
	assert_false(v->given);
	assert_int_equal(v->table, 0);
	assert_int_equal(v->n, 1);
	assert_true(v->v[0].u == 4 * KIB);
	v = opt_find(&set, "runtime");
	assert_int_equal(v->table, 1);
	assert_true(v->v[0].u == 250 * MS);
	assert_string_equal(opt_find(&set, "out")->v[0].s, "results/x.csv");
	assert_false(opt_find(&set, "verbose")->v[0].b);
	assert_int_equal(opt_find(&set, "mode")->v[0].e, 0);
	assert_null(opt_find(&set, "nope"));
	assert_int_equal(opt_npoints(&set), 1);
}

static void test_parse_forms(void **state)
{
	const struct opt_val *v;

	(void)state;
	assert_int_equal(parse(two, 2, "--threads=2", "--size", "2M",
			       "--verbose", "--out", "o.csv", "--mode=none",
			       "--runtime=1s", NULL), 0);
	v = opt_find(&set, "threads");
	assert_true(v->given);
	assert_true(v->v[0].u == 2);
	assert_true(opt_find(&set, "size")->v[0].u == 2 * MIB);
	assert_true(opt_find(&set, "verbose")->v[0].b);
	assert_true(opt_find(&set, "verbose")->given);
	assert_string_equal(opt_find(&set, "out")->v[0].s, "o.csv");
	assert_int_equal(opt_find(&set, "mode")->v[0].e, 2);
	assert_true(opt_find(&set, "runtime")->v[0].u == SEC);
	assert_false(opt_find(&set, "repeat")->given);
}

static void test_parse_lists(void **state)
{
	const struct opt_val *v;

	(void)state;
	assert_int_equal(parse(two, 2, "--threads=8,1-3,16", "--size=4K,2M",
			       "--mode=scatter,compact", NULL), 0);
	v = opt_find(&set, "threads");
	assert_int_equal(v->n, 5);
	assert_true(v->v[0].u == 8 && v->v[1].u == 1 && v->v[2].u == 2 &&
		    v->v[3].u == 3 && v->v[4].u == 16);
	v = opt_find(&set, "size");
	assert_int_equal(v->n, 2);
	assert_true(v->v[1].u == 2 * MIB);
	v = opt_find(&set, "mode");
	assert_int_equal(v->n, 2);
	assert_int_equal(v->v[0].e, 1);
	assert_int_equal(opt_npoints(&set), 5 * 2 * 2);
	/* Exactly OPT_MAX_LIST values is fine, one more is not. */
	assert_int_equal(parse(two, 2, "--threads=1-40,41-64", NULL), 0);
	assert_int_equal(opt_find(&set, "threads")->n, OPT_MAX_LIST);
	assert_int_equal(parse(two, 2, "--threads=1-40,41-65", NULL), -1);
	assert_starts(err, "--threads: ");
	assert_contains(err, "more than 64 values");
	assert_int_equal(parse(two, 2, "--threads=1-100", NULL), -1);
	assert_contains(err, "more than 64 values");
}

static void test_parse_list_errors(void **state)
{
	static const struct { const char *arg, *msg; } bad[] = {
		{ "--threads=1-4,2", "--threads: '2' appears twice in '1-4,2'" },
		{ "--threads=3,3", "--threads: '3' appears twice" },
		{ "--size=4K,4096", "--size: '4K' appears twice" },
		{ "--mode=none,none", "--mode: 'none' appears twice" },
		{ "--threads=4-1", "--threads: '4-1' is a descending range" },
		{ "--threads=0-3", "--threads: '0' is out of range; allowed: 1..100" },
		{ "--threads=1,,2", "--threads: '1,,2' has an empty element" },
		{ "--threads=1,", "--threads: '1,' has an empty element" },
		{ "--threads=", "--threads: empty value; allowed: 1..100" },
		{ "--threads=-3", "--threads: '-3' is not a number" },
		{ "--threads=1-", "--threads: '' is not a number" },
		{ "--size=4K-8K", "--size: '4K-8K' is not a size" },
		{ "--size=4X", "--size: '4X' is not a size; allowed: 4K..1G" },
		{ "--runtime=1,2", "--runtime: '1,2' is not a duration" },
		{ "--mode=foo", "--mode: 'foo' is not one of: compact, scatter, none" },
		{ "--out=", "--out: empty value; allowed: a non-empty string" },
		{ "--mode=", "--mode: empty value; allowed: one of: compact," },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(two, 2, bad[i].arg, NULL), -1);
		assert_contains(err, bad[i].msg);
		assert_starts(err, "--");
	}
}

static void test_parse_errors(void **state)
{
	(void)state;
	assert_int_equal(parse(two, 2, "--foo=3", NULL), -1);
	assert_string_equal(err, "unknown option '--foo'; see --help");
	assert_int_equal(parse(two, 2, "--foo", NULL), -1);
	assert_string_equal(err, "unknown option '--foo'; see --help");
	assert_int_equal(parse(two, 2, "-x", NULL), -1);
	assert_contains(err, "unknown option '-x'");
	assert_int_equal(parse(two, 2, "--", NULL), -1);
	assert_contains(err, "'--'");
	assert_int_equal(parse(two, 2, "--threads=2", "extra", NULL), -1);
	assert_contains(err, "'extra'");
	assert_int_equal(parse(two, 2, "--verbose", "yes", NULL), -1);
	assert_contains(err, "'yes'");
	assert_int_equal(parse(two, 2, "--threads=2", "--threads=3", NULL), -1);
	assert_string_equal(err, "--threads: given twice");
	assert_int_equal(parse(two, 2, "--verbose", "--verbose", NULL), -1);
	assert_starts(err, "--verbose: ");
	assert_int_equal(parse(two, 2, "--verbose=yes", NULL), -1);
	assert_starts(err, "--verbose: ");
	assert_contains(err, "takes no value");
	assert_int_equal(parse(two, 2, "--threads", NULL), -1);
	assert_string_equal(err, "--threads: missing value; allowed: 1..100");
	assert_int_equal(parse(two, 2, "--threads", "--size=4K", NULL), -1);
	assert_starts(err, "--threads: missing value");
	assert_int_equal(parse(two, 2, "--runtime", "0", NULL), -1);
	assert_string_equal(err, "--runtime: '0' is out of range; allowed: 1ms..10s");
}

static void test_parse_required(void **state)
{
	static const struct opt_spec *const req[] = { required_opts };

	(void)state;
	assert_int_equal(parse(req, 1, "--count=3", NULL), -1);
	assert_starts(err, "--file: ");
	assert_contains(err, "required");
	assert_int_equal(parse(req, 1, "--file=x", NULL), -1);
	assert_starts(err, "--count: ");
	assert_contains(err, "required; allowed: 1..9");
	assert_int_equal(parse(req, 1, "--file=x", "--count", "9", NULL), 0);
	assert_string_equal(opt_find(&set, "file")->v[0].s, "x");
	assert_true(opt_find(&set, "count")->v[0].u == 9);
}

static void test_parse_help(void **state)
{
	static const char *const helps[] = { "-h", "--help" };
	bool help = false;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char *argv[] = { "--threads=2", (char *)helps[i], "--bogus" };

		help = false;
		assert_int_equal(opt_parse(two, 2, 3, argv, &set, &help, err,
					   sizeof(err)), 0);
		assert_true(help);
	}
}

/* Every (threads, size, repeat) combination once, the last varying fastest. */
static void test_cross_product(void **state)
{
	static const uint64_t threads[] = { 1, 2 }, sizes[] = { 4 * KIB, 8 * KIB };
	struct bench_conf bc;
	struct harness_conf hc;
	void *const confs[] = { &bc, &hc };
	char buf[32];
	size_t idx = 0;

	(void)state;
	assert_int_equal(parse(two, 2, "--threads=1,2", "--size=4K,8K",
			       "--repeat=1-3", "--verbose", NULL), 0);
	assert_int_equal(opt_npoints(&set), 12);
	for (size_t t = 0; t < 2; t++) {
		for (size_t s = 0; s < 2; s++) {
			for (uint64_t r = 1; r <= 3; r++, idx++) {
				memset(&bc, 0xff, sizeof(bc));
				memset(&hc, 0xff, sizeof(hc));
				opt_apply(&set, idx, confs);
				assert_true(bc.threads == threads[t]);
				assert_true(bc.size == sizes[s]);
				assert_true(hc.repeat == r);
				assert_int_equal(bc.mode, 0);
				assert_true(bc.verbose);
				assert_true(hc.runtime == 250 * MS);
				assert_string_equal(hc.out, "results/x.csv");
			}
		}
	}
	opt_point_value(&set, 5, "size", buf, sizeof(buf));
	assert_string_equal(buf, "8K");		/* 5 = t0, s1, r3 */
	opt_point_value(&set, 6, "threads", buf, sizeof(buf));
	assert_string_equal(buf, "2");
	opt_point_value(&set, 7, "repeat", buf, sizeof(buf));
	assert_string_equal(buf, "2");
	opt_point_value(&set, 7, "runtime", buf, sizeof(buf));
	assert_string_equal(buf, "250ms");
	opt_point_value(&set, 7, "nope", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* Programming errors in a table abort, whatever argv says. */
static void assert_aborts(const struct opt_spec *const *tables,
			  unsigned ntables)
{
	struct rlimit no_core = { 0, 0 };
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		bool help;

		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGABRT, SIG_DFL);
		if (!freopen("/dev/null", "w", stderr))
			_exit(1);
		opt_parse(tables, ntables, 0, NULL, &set, &help, err,
			  sizeof(err));
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_table_bugs(void **state)
{
	static const struct opt_spec bad_def[] = {
		{ .name = "n", .type = OPT_U64, .def = "0", .min = 1, .max = 2 },
		{ 0 },
	};
	static const struct opt_spec dup[] = {
		{ .name = "threads", .type = OPT_U64, .def = "1", .max = 2 },
		{ 0 },
	};
	static const struct opt_spec str_list[] = {
		{ .name = "s", .type = OPT_STR, .def = "a", .list = true },
		{ 0 },
	};
	static const struct opt_spec *const t1[] = { bad_def };
	static const struct opt_spec *const t2[] = { bench_opts, dup };
	static const struct opt_spec *const t3[] = { str_list };

	(void)state;
	assert_aborts(t1, 1);
	assert_aborts(t2, 2);
	assert_aborts(t3, 1);
}

static void test_help(void **state)
{
	static const char *const want[] = {
		"  --threads=N[,N...]", "--size=SIZE[,SIZE...]",
		"(default: 4K; range 4K..1G)", "--mode=NAME[,NAME...]",
		"one of: compact,", "  --verbose                   say more\n", "--runtime=TIME",
		"range 1ms..10s", "--repeat=N[,N...]", "--out=STR",
	};
	static const struct opt_spec *const req[] = { required_opts };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	opt_help(f, two, 2);
	opt_help(f, req, 1);
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_contains(text, want[i]);
	assert_contains(text, "--file=STR");
	assert_contains(text, "(required)");
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchrnul(line, '\n');
		if (nl - line > 80)
			fail_msg("help line over 80 columns: %.*s",
				 (int)(nl - line), line);
		if (!*nl)
			break;
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_good),
		cmocka_unit_test(test_u64_bad),
		cmocka_unit_test(test_long_value_quoted_short),
		cmocka_unit_test(test_size_good),
		cmocka_unit_test(test_size_bad),
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_cpulist_good),
		cmocka_unit_test(test_cpulist_bad),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_lists),
		cmocka_unit_test(test_parse_list_errors),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_required),
		cmocka_unit_test(test_parse_help),
		cmocka_unit_test(test_cross_product),
		cmocka_unit_test(test_table_bugs),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
