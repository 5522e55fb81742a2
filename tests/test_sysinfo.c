// SPDX-License-Identifier: GPL-2.0
/*
 * test_sysinfo.c - sysinfo_collect() on this machine has the documented
 * shape (values vary by machine, so only types are checked), and the
 * printers and sysinfo_config() on a hand-made info object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sysinfo.h"

#define PRINT_COLS 80      /* "mostly" within this */
#define ONELINE_LEN 256

static const char *const top_keys[] = {
	"kernel", "config", "cmdline", "cpu", "topology", "memory", "knobs",
	"daemons", "perf", "interrupts", "membarrier", "io_uring",
};

/* Collected once: it probes counters and may mount tracefs (privately). */
static int group_setup(void **state)
{
	*state = sysinfo_collect();
	return *state ? 0 : -1;
}

static int group_teardown(void **state)
{
	json_decref(*state);
	return 0;
}

/* {"available": bool} plus a non-empty "why" string when false. */
static void assert_feature(const json_t *o, const char *what)
{
	const json_t *a = json_object_get(o, "available");

	if (!json_is_boolean(a))
		fail_msg("%s: no boolean \"available\"", what);
	if (json_is_false(a) &&
	    strlen(json_string_value(json_object_get(o, "why")) ?: "") == 0)
		fail_msg("%s: not available without a why", what);
}

static void test_collect_keys(void **state)
{
	const json_t *info = *state, *v, *perf, *cfg;
	const char *key;

	for (size_t i = 0; i < sizeof(top_keys) / sizeof(top_keys[0]); i++)
		if (!json_is_object(json_object_get(info, top_keys[i])))
			fail_msg("no object \"%s\"", top_keys[i]);
	assert_true(json_is_string(json_object_get(
		json_object_get(info, "kernel"), "release")));
	assert_true(json_is_string(json_object_get(
		json_object_get(info, "cmdline"), "line")));
	assert_true(json_is_integer(json_object_get(
		json_object_get(info, "memory"), "total_kib")));
	cfg = json_object_get(info, "config");
	v = json_object_get(cfg, "source");
	assert_true(json_is_string(v) || json_is_null(v));
	if (json_is_null(v))
		assert_true(json_is_string(json_object_get(cfg, "why")));
	assert_feature(json_object_get(info, "topology"), "topology");
	assert_feature(json_object_get(info, "membarrier"), "membarrier");
	assert_feature(json_object_get(info, "io_uring"), "io_uring");
	perf = json_object_get(info, "perf");
	assert_non_null(json_object_get(perf, "paranoid"));
	assert_non_null(json_object_get(perf, "hw:cycles"));
	assert_non_null(json_object_get(perf, "tp:tlb:tlb_flush"));
	json_object_foreach((json_t *)perf, key, v)
		if (strcmp(key, "paranoid"))
			assert_feature(v, key);
	json_object_foreach(json_object_get(info, "interrupts"), key, v)
		assert_feature(v, key);
	assert_non_null(json_object_get(json_object_get(info, "interrupts"),
					"CAL"));
}

/* Lines printed, and how many are wider than PRINT_COLS. */
static size_t print_lines(const json_t *info, char **text, size_t *wide)
{
	size_t len = 0, lines = 0;
	FILE *f = open_memstream(text, &len);

	assert_non_null(f);
	sysinfo_print(f, info);
	fclose(f);
	*wide = 0;
	for (char *p = *text, *nl; *p; p = nl + 1) {
		nl = strchrnul(p, '\n');
		if (strncmp(p, "# ", 2) != 0)
			fail_msg("line not in \"# \" style: %.*s",
				 (int)(nl - p), p);
		if (nl - p > PRINT_COLS)
			(*wide)++;
		lines++;
		if (!*nl)
			break;
	}
	return lines;
}

static void test_print_real(void **state)
{
	char *text = NULL;
	size_t wide, lines = print_lines(*state, &text, &wide);

	assert_true(lines > 0);
	if (wide * 10 > lines) /* "mostly": at most a tenth */
		fail_msg("%zu of %zu lines wider than %d:\n%s", wide, lines,
			 PRINT_COLS, text);
	free(text);
}

/* A machine described by hand: exact output is known. */
static json_t *fake_info(void)
{
	return json_pack(
		"{s:{s:s,s:s,s:s}, s:{s:s,s:s,s:n}, s:{s:s,s:s},"
		" s:{s:b,s:i}, s:{s:b,s:s}}",
		"kernel", "release", "0.0.0-fake", "version", "#1", "machine",
		"x86_64",
		"config", "source", "/boot/config-0.0.0-fake", "HZ", "1000",
		"NO_HZ_FULL",
		"cpu", "model", "Some CPU", "hypervisor", "KVM",
		"topology", "available", 1, "pus", 4,
		"io_uring", "available", 0, "why", "io_uring_setup: ENOSYS");
}

static void test_print_fake(void **state)
{
	json_t *info = fake_info();
	char *text = NULL;
	size_t wide;

	(void)state;
	assert_true(print_lines(info, &text, &wide) >= 4);
	assert_int_equal(wide, 0);
	assert_non_null(strstr(text, "# io_uring: not available "
				     "(io_uring_setup: ENOSYS)\n"));
	assert_non_null(strstr(text, "HZ=1000"));
	assert_non_null(strstr(text, "# topology: available"));
	free(text);
	json_decref(info);
}

static void test_oneline(void **state)
{
	json_t *info = fake_info();
	const json_t *k = json_object_get(*state, "kernel");
	char buf[ONELINE_LEN];

	sysinfo_oneline(info, buf, sizeof(buf));
	assert_string_equal(buf,
			    "0.0.0-fake x86_64, Some CPU, 4 PUs, KVM guest");
	json_decref(info);

	sysinfo_oneline(*state, buf, sizeof(buf));
	assert_non_null(strstr(buf, json_string_value(
		json_object_get(k, "release"))));
	assert_null(strchr(buf, '\n'));
}

static void test_config_lookup(void **state)
{
	json_t *info = fake_info();

	(void)state;
	assert_string_equal(sysinfo_config(info, "HZ"), "1000");
	assert_string_equal(sysinfo_config(info, "CONFIG_HZ"), "1000");
	assert_null(sysinfo_config(info, "NO_HZ_FULL")); /* "is not set" */
	/* not recorded, and info is another kernel: not looked up here */
	assert_null(sysinfo_config(info, "KSM"));
	json_decref(info);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_keys),
		cmocka_unit_test(test_print_real),
		cmocka_unit_test(test_print_fake),
		cmocka_unit_test(test_oneline),
		cmocka_unit_test(test_config_lookup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
