// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_rundir.c - libFuzzer harness for the run-directory loader
 * (lib/rundir_load.c) and what readers take from it (lib/rundir.c).  The
 * input is a directory in one file: meta.json, summary.csv, trials.csv,
 * evidence.csv, samples.csv and slices.csv separated by lines
 * "=====FILE\n" (a file not given is absent).  It is written to a private directory under
 * /dev/shm (or TMPDIR), removed at exit, and loaded every way a reader
 * loads it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"

static const char *const files[] = {
	"meta.json", "summary.csv", "trials.csv", "evidence.csv", "samples.csv",
	"slices.csv",
};
#define NFILES (sizeof(files) / sizeof(files[0]))
#define SEP "=====FILE\n"

static char dir[256];

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if (!p)
		return;
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

/* The private directory goes when the process ends (libFuzzer exits
 * through exit(), the replay by returning from main). */
static void cleanup(void)
{
	for (size_t k = 0; k < NFILES; k++)
		put(files[k], NULL, 0);
	rmdir(dir);
}

static void readers(struct rundir *rd)
{
	char buf[1024];
	size_t *rows;
	double *v;
	long n;

	rundir_config(rd, buf, sizeof(buf));
	rundir_method(rd, buf, sizeof(buf));
	rundir_machine(rd, buf, sizeof(buf));
	(void)rundir_bench(rd), (void)rundir_kernel(rd), (void)rundir_command(rd);
	(void)rundir_placement(rd), (void)rundir_name(rd);
	n = rundir_points(&rd->summary, rd->nparams, &rows);
	for (long i = 0; i < n && rd->summary.ncols > rd->nparams; i++) {
		const char *names[1] = { rd->summary.head[0] };
		const char *vals[1] = { csv_get(&rd->summary, rows[i], 0) };

		if (rundir_trial_values(rd, names, vals, rd->nparams ? 1 : 0,
					csv_get(&rd->summary, rows[i], rd->nparams),
					&v) >= 0)
			free(v);
	}
	free(rows);
	if (rd->nparams)
		(void)rundir_nvalues(rd, 1, rd->summary.head[0]);
	(void)rundir_load_samples(rd, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char err[1024];
	struct rundir rd;
	FILE *devnull;

	if (!dir[0]) {
		const char *base = access("/dev/shm", W_OK) ? getenv("TMPDIR") : "/dev/shm";

		snprintf(dir, sizeof(dir), "%s/gupsync-fuzz-XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	for (size_t k = 0; k < NFILES; k++) {
		const uint8_t *q = p < end ? memmem(p, (size_t)(end - p), SEP,
						    strlen(SEP)) : NULL;
		size_t n = q ? (size_t)(q - p) : (size_t)(end - p);

		put(files[k], p < end || k == 0 ? p : NULL, p < end ? n : 0);
		p = q ? q + strlen(SEP) : end;
	}
	if (rundir_load(dir, &rd, err, sizeof(err)) == 0) {
		readers(&rd);
		rundir_free(&rd);
	}
	devnull = fopen("/dev/null", "w");
	if (rundir_open(dir, RUNDIR_SAMPLES | RUNDIR_STRICT, devnull, &rd, err,
			sizeof(err)) == 0)
		rundir_free(&rd);
	if (rundir_open(dir, RUNDIR_TORN_OK | RUNDIR_SAMPLES, NULL, &rd, err,
			sizeof(err)) == 0)
		rundir_free(&rd);
	if (devnull)
		fclose(devnull);
	return 0;
}
