// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_csv.c - libFuzzer harness for lib/csv.c: any bytes as a CSV file
 * (with and without CSV_TORN_OK), every cell through csv_number(), every
 * row written back with csv_write_row().  `make fuzz` runs it; make test
 * replays its corpus and regression files (tests/fuzz.t).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static void one(const uint8_t *data, size_t size, unsigned flags)
{
	char *text = malloc(size + 1), err[512];
	struct csv t;
	FILE *sink;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (csv_parse_n(text, size, "fuzz.csv", flags, &t, err, sizeof(err)) < 0)
		return;		/* csv_parse_n freed text */
	sink = fopen("/dev/null", "w");
	for (size_t r = 0; r < t.nrows; r++) {
		for (size_t k = 0; k < t.ncols; k++) {
			double v;

			csv_number(csv_get(&t, r, k), &v);
		}
		if (sink)
			csv_write_row(sink, &t, r);
	}
	if (sink) {
		csv_write_row(sink, &t, (size_t)-1);
		fclose(sink);
	}
	(void)csv_col(&t, "median");
	csv_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, 0);
	one(data, size, CSV_TORN_OK);
	return 0;
}
