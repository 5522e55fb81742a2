// SPDX-License-Identifier: GPL-2.0
/*
 * interrupts.c - rows of /proc/interrupts, summed or per CPU; see
 * interrupts.h.
 */
#include "interrupts.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header line "           CPU0       CPU1": number of CPU columns. */
static size_t irq_header_cpus(const char *line)
{
	size_t n = 0;

	for (const char *p = line; (p = strstr(p, "CPU")) != NULL; p += 3)
		n++;
	return n;
}

/*
 * Values after "ROW:" up to the first token that is not a plain number
 * (the chip/description), at most max (the header's CPU count, so a
 * numeric-looking description cannot be taken for a CPU).  Rows such as
 * "ERR:   0" carry a single total: they yield one value.
 */
static size_t irq_parse_values(const char *p, uint64_t *vals, size_t cap,
			       size_t max, uint64_t *sum)
{
	size_t n = 0;

	*sum = 0;
	while (n < max) {
		char *end;
		unsigned long long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || (*end && !isspace((unsigned char)*end)))
			break;
		if (n < cap)
			vals[n] = v;
		*sum += v;
		n++;
		p = end;
	}
	return n;
}

/* The line's label ("CAL", "24") matches row? Returns the text after ':'. */
static const char *irq_match(const char *line, const char *row)
{
	size_t rl = strlen(row);

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, row, rl) == 0 && line[rl] == ':')
		return line + rl + 1;
	return NULL;
}

static int irq_scan(const char *path, const char *row, uint64_t *vals,
		    size_t cap, size_t *n, uint64_t *total)
{
	FILE *f = fopen(path ? path : INTERRUPTS_PATH, "r");
	char *line = NULL;
	size_t sz = 0, max = SIZE_MAX;
	int rc = -1, err = ENOENT;
	bool first = true;

	if (!f)
		return -1;
	while (getline(&line, &sz, f) > 0) {
		const char *rest;

		if (first && !strchr(line, ':')) {
			size_t h = irq_header_cpus(line);

			if (h)
				max = h;
			first = false;
			continue;
		}
		first = false;
		rest = irq_match(line, row);
		if (!rest)
			continue;
		*n = irq_parse_values(rest, vals, cap, max, total);
		if (*n == 0)
			err = EINVAL; /* "ROW:" with no numbers: malformed */
		else
			rc = 0;
		break;
	}
	free(line);
	fclose(f);
	if (rc != 0)
		errno = err;
	return rc;
}

int interrupts_row(const char *path, const char *row, uint64_t *total)
{
	size_t n;

	return irq_scan(path, row, NULL, 0, &n, total);
}

/* *n is the number of values on the row: the CPU count for per-CPU rows. */
int interrupts_row_percpu(const char *path, const char *row, uint64_t *vals,
			  size_t cap, size_t *n)
{
	uint64_t total;

	return irq_scan(path, row, vals, cap, n, &total);
}
