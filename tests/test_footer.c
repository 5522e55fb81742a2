// SPDX-License-Identifier: GPL-2.0
/*
 * test_footer.c - the footer a run prints under its table
 * (run_print_footer(): lib/output_text.c, lib/output_proof.c) on a
 * hand-built struct run of four points (threads=1,2 x size=4K,2M): proof
 * verdicts of one shape said once with a table of the numbers that
 * differ, in blocks of one conclusion; one verdict at every point said
 * once; a verdict of its own shape printed whole; notes that differ only
 * in numbers said once with ranges; the header's futex hash not repeated;
 * "PU0", "4K" and "x86_64" are words, not numbers.
 *
 * Nothing is measured.  The footer goes to a temporary file (stdout is
 * dup2()ed there and back: stdout is TAP here) and is compared whole.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "run.h"
#include "sysinfo.h"

#define NPOINTS 4
#define FOOTER_MAX 8192

struct fake_conf {
	uint64_t threads, size;
};

static const struct opt_spec fake_opts[] = {
	{ "threads", OPT_U64, "workers", "1", 1, 64, NULL, true,
	  offsetof(struct fake_conf, threads) },
	{ "size", OPT_SIZE, "page size", "4K", 4096, 2 << 20, NULL, true,
	  offsetof(struct fake_conf, size) },
	{ NULL },
};

static const struct bench fake_bench = {
	.name = "fake",
	.summary = "a benchmark that is never run",
	.kernel_path = "none",
	.kind = BENCH_THROUGHPUT,
	.modes = { { "a", "the one mode", false } },
};

static int setup_points(void **state, const char *threads, size_t npoints)
{
	const struct opt_spec *tables[] = { fake_opts };
	char *const argv[] = { (char *)threads, "--size=4K,2M" };
	struct run *r = calloc(1, sizeof(*r));
	char err[OPT_ERR_LEN];
	bool help = false;

	if (!r)
		return -1;
	*state = r;
	r->b = &fake_bench;
	r->nmodes = 1;
	r->nmeasured = 1;
	if (opt_parse(tables, 1, 2, argv, &r->opts, &help, err, sizeof(err)) < 0)
		return -1;
	r->npoints = opt_npoints(&r->opts);
	r->points = calloc(r->npoints, sizeof(*r->points));
	if (r->npoints != npoints || !r->points)
		return -1;
	snprintf(r->dir, sizeof(r->dir), "results/fake-1");
	snprintf(r->futex_hash, sizeof(r->futex_hash), "global (test)");
	for (size_t i = 0; i < r->npoints; i++) {
		r->points[i].status = BENCH_OK;
		r->points[i].trials_checked = 6;
		r->points[i].trials_proven = 6;
	}
	return 0;
}

static int setup_run(void **state)
{
	return setup_points(state, "--threads=1,2", NPOINTS);
}

/* Six points: threads 1..3 x size 4K, 2M. */
static int setup_run6(void **state)
{
	return setup_points(state, "--threads=1,2,3", 6);
}

static int teardown_run(void **state)
{
	struct run *r = *state;

	for (size_t i = 0; i < r->npoints; i++) {
		struct note *n = r->points[i].notes;

		while (n) {
			struct note *next = n->next;

			free(n);
			n = next;
		}
	}
	free(r->points);
	json_decref(r->meta);
	free(r);
	return 0;
}

static void add_note(struct run *r, size_t i, const char *key, const char *val)
{
	struct note *n = calloc(1, sizeof(*n)), **tail = &r->points[i].notes;

	assert_non_null(n);
	snprintf(n->key, sizeof(n->key), "%s", key);
	snprintf(n->val, sizeof(n->val), "%s", val);
	while (*tail)
		tail = &(*tail)->next;
	*tail = n;
}

static void set_verdicts(struct run *r, const char *const v[NPOINTS])
{
	for (size_t i = 0; i < NPOINTS; i++)
		snprintf(r->points[i].verdict, sizeof(r->points[i].verdict), "%s",
			 v[i]);
}

/* The footer's lines from "# proof" up to "# files" (both excluded when
 * from is "# proof": only the proof part), or all of it (from NULL). */
static void footer(struct run *r, const char *from, char *out, size_t len)
{
	char path[] = "/tmp/gupsync-test-footer-XXXXXX", *buf;
	int fd = mkstemp(path), saved;
	ssize_t n;

	assert_true(fd >= 0);
	unlink(path);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	run_print_footer(r);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	buf = calloc(1, FOOTER_MAX);
	assert_non_null(buf);
	n = pread(fd, buf, FOOTER_MAX - 1, 0);
	close(fd);
	assert_true(n > 0);
	if (from) {
		char *a = strstr(buf, from);

		assert_non_null(a);
		snprintf(out, len, "%s", a);
	} else {
		snprintf(out, len, "%s", buf);
	}
	free(buf);
}

/* One shape, two conclusions: the text once, a row per point. */
static void test_proof_table(void **state)
{
	struct run *r = *state;
	static const char *const v[NPOINTS] = {
		"IPIs 0.002/op on PU0, 4K pages, expected 0.00 (model 2/op) -> none",
		"IPIs 1.950/op on PU0, 4K pages, expected 1.98 (model 2/op) -> as expected",
		"IPIs 0.001/op on PU0, 4K pages, expected 0.00 (model 2/op) -> none",
		"IPIs 2.010/op on PU0, 4K pages, expected 1.99 (model 2/op) -> as expected",
	};
	char out[FOOTER_MAX];

	set_verdicts(r, v);
	footer(r, "# proof", out, sizeof(out));
	assert_string_equal(out,
		"# proof (every trial too): IPIs [a]/op on PU0, 4K pages, expected [b]\n"
		"#   (model 2/op)\n"
		"#   threads size     a    b\n"
		"#   -> none\n"
		"#         1   4K 0.002 0.00\n"
		"#         2   4K 0.001 0.00\n"
		"#   -> as expected\n"
		"#         1   2M 1.950 1.98\n"
		"#         2   2M 2.010 1.99\n");
}

/* A block of 3 or more points that a parameter value names (size=4K:
 * every 4K point) is one line of ranges; a block it does not name is
 * listed row by row. */
static void test_proof_block_summary(void **state)
{
	struct run *r = *state;
	static const char *const v[6] = {
		"IPIs 0.002/op, expected 0.00 -> none",
		"IPIs 1.950/op, expected 1.98 -> as expected",
		"IPIs 0.001/op, expected 0.00 -> none",
		"IPIs 2.010/op, expected 1.99 -> as expected",
		"IPIs 0.004/op, expected 0.00 -> none",
		"IPIs 0.500/op, expected 1.98 -> fewer",
	};
	char out[FOOTER_MAX];

	for (size_t i = 0; i < 6; i++)
		snprintf(r->points[i].verdict, sizeof(r->points[i].verdict), "%s",
			 v[i]);
	footer(r, "# proof", out, sizeof(out));
	assert_string_equal(out,
		"# proof (every trial too): IPIs [a]/op, expected [b]\n"
		"#   -> none: size=4K, 3 points: a 0.001..0.004, b 0.00\n"
		"#   threads size     a    b\n"
		"#   -> as expected\n"
		"#         1   2M 1.950 1.98\n"
		"#         2   2M 2.010 1.99\n"
		"#   -> fewer\n"
		"#         3   2M 0.500 1.98\n");
	/* A point of the block whose trials did not all show the path: the
	 * block is listed, with the trials column. */
	r->points[2].trials_proven = 5;
	footer(r, "# proof", out, sizeof(out));
	assert_non_null(strstr(out, "#   -> none\n"));
	assert_non_null(strstr(out, "5/6"));
}

/* Where not every trial showed the path: a trials column and a WARNING. */
static void test_proof_trials(void **state)
{
	struct run *r = *state;
	static const char *const v[NPOINTS] = {
		"x 1 -> ok", "x 2 -> ok", "x 3 -> ok", "x 4 -> ok",
	};
	char out[FOOTER_MAX];

	set_verdicts(r, v);
	r->points[2].trials_proven = 4;
	footer(r, "# proof", out, sizeof(out));
	assert_string_equal(out,
		"# proof: x [a] -> ok\n"
		"#   threads size a trials\n"
		"#         1   4K 1    6/6\n"
		"#         1   2M 2    6/6\n"
		"#         2   4K 3    4/6\n"
		"#         2   2M 4    6/6\n"
		"#   WARNING: not every trial showed the path where trials is short\n");
}

/* The same verdict everywhere: one line; a shape of its own: whole. */
static void test_proof_once_and_whole(void **state)
{
	struct run *r = *state;
	static const char *const same[NPOINTS] = {
		"mmap_lock 0.0000 (x86_64) -> fast", "mmap_lock 0.0000 (x86_64) -> fast",
		"mmap_lock 0.0000 (x86_64) -> fast", "mmap_lock 0.0000 (x86_64) -> fast",
	};
	static const char *const odd[NPOINTS] = {
		"a 1 -> ok", "a 2 -> ok", "a 3 -> ok", "WARNING: b 0 -> not ok",
	};
	char out[FOOTER_MAX];

	set_verdicts(r, same);
	footer(r, "# proof", out, sizeof(out));
	assert_string_equal(out, "# proof, every point (every trial too): "
			    "mmap_lock 0.0000 (x86_64) ->\n#   fast\n");
	set_verdicts(r, odd);
	footer(r, "# proof", out, sizeof(out));
	assert_string_equal(out,
		"# proof (every trial too): a [a] -> ok\n"
		"#   threads size a\n"
		"#         1   4K 1\n"
		"#         1   2M 2\n"
		"#         2   4K 3\n"
		"# proof threads=2 size=2M (every trial too): WARNING: b 0 -> not ok\n");
}

/* Notes: the same everywhere once; numbers-only differences (3 or more
 * values) once with ranges; 2 values by their parameter (a note named as
 * its parameter by the parameter alone); what the header said (futex
 * hash, the machine line's topology and paravirt features) not again. */
static void test_notes(void **state)
{
	struct run *r = *state;
	static const char *const v[NPOINTS] = {
		"ok -> ok", "ok -> ok", "ok -> ok", "ok -> ok",
	};
	static const char *const slices[NPOINTS] = {
		"slices of 752 ops, 1324 pairs", "slices of 761 ops, 1301 pairs",
		"slices of 718 ops, 1389 pairs", "slices of 764 ops, 1329 pairs",
	};
	char out[FOOTER_MAX];

	r->meta = json_pack("{s:{s:{s:s,s:b,s:b},s:{s:b,s:s}}}", "machine",
			    "cpu", "hypervisor", "KVM", "kvm_pv_tlb_flush", 1,
			    "kvm_pv_send_ipi", 1, "topology", "available", 1,
			    "description", "1 package, 2 PUs");
	assert_non_null(r->meta);
	set_verdicts(r, v);
	for (size_t i = 0; i < NPOINTS; i++) {
		add_note(r, i, "futex_hash", "global (test)");
		add_note(r, i, "topology", "1 package, 2 PUs");
		add_note(r, i, "paravirt", "KVM guest: PV TLB flush ON");
		add_note(r, i, "cpus", "2 PUs");
		add_note(r, i, "slices", slices[i]);
		add_note(r, i, "region", i % 2 ? "2097152 bytes" : "4096 bytes");
		add_note(r, i, "size", i % 2 ? "a huge page" : "a page");
	}
	footer(r, NULL, out, sizeof(out));
	assert_non_null(strstr(out,
		"# notes:\n"
		"#   cpus: 2 PUs\n"
		"#   slices: slices of 718..764 ops, 1301..1389 pairs (each point's:\n"
		"#   meta.json)\n"
		"#   region, size=4K: 4096 bytes\n"
		"#   size=4K: a page\n"
		"#   region, size=2M: 2097152 bytes\n"
		"#   size=2M: a huge page\n"
		"# proof, every point (every trial too): ok -> ok\n"));
	assert_null(strstr(out, "futex_hash"));
	assert_null(strstr(out, "topology"));
	assert_null(strstr(out, "paravirt"));
}

/* The machine line: paravirt features and topology in the header. */
static void test_machine_line(void **state)
{
	json_t *m = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:b,s:b},s:{s:b,s:s}}",
			      "kernel", "release", "6.18.0", "machine", "x86_64",
			      "cpu", "model", "AMD EPYC", "hypervisor", "KVM",
			      "kvm_pv_tlb_flush", 1, "kvm_pv_send_ipi", 0,
			      "topology", "available", 1, "description",
			      "1 package, 2 cores, 2 PUs (no SMT)");
	char buf[512];

	(void)state;
	sysinfo_machine(m, buf, sizeof(buf));
	assert_string_equal(buf, "6.18.0 x86_64, AMD EPYC, KVM guest (PV TLB "
			    "flush on, PV send-IPI off); 1 package, 2 cores, 2 "
			    "PUs (no SMT)");
	json_object_set_new(json_object_get(m, "cpu"), "kvm_pv_send_ipi",
			    json_true());
	sysinfo_machine(m, buf, sizeof(buf));
	assert_string_equal(buf, "6.18.0 x86_64, AMD EPYC, KVM guest (PV TLB "
			    "flush, send-IPI); 1 package, 2 cores, 2 PUs (no SMT)");
	json_object_del(m, "cpu");
	sysinfo_machine(m, buf, sizeof(buf));
	assert_string_equal(buf, "6.18.0 x86_64, unknown CPU, bare metal; 1 "
			    "package, 2 cores, 2 PUs (no SMT)");
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_proof_table, setup_run,
						teardown_run),
		cmocka_unit_test(test_machine_line),
		cmocka_unit_test_setup_teardown(test_proof_block_summary,
						setup_run6, teardown_run),
		cmocka_unit_test_setup_teardown(test_proof_trials, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_proof_once_and_whole,
						setup_run, teardown_run),
		cmocka_unit_test_setup_teardown(test_notes, setup_run,
						teardown_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
