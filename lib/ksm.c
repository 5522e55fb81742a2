// SPDX-License-Identifier: GPL-2.0
/* ksm.c - see ksm.h. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knobs.h"
#include "ksm.h"

long pin_ksm_counter(const char *name)
{
	char path[128], val[64];

	snprintf(path, sizeof(path), KSM_DIR "/%s", name);
	if (knob_read(path, val, sizeof(val)) < 0)
		return -1;
	return strtol(val, NULL, 10);
}

const char *pin_ksm_self_text(const char *key, char *buf, size_t len)
{
	long v = pin_ksm_self(key);

	if (v < 0)
		snprintf(buf, len, "%s unavailable", key);
	else
		snprintf(buf, len, "%s %ld", key, v);
	return buf;
}

long pin_ksm_self(const char *key)
{
	FILE *f = fopen("/proc/self/ksm_stat", "r");
	char line[128], k[64];
	long v, found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

int pin_ksm_others(char *who, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], line[128], comm[32];
	int n = 0;

	who[0] = 0;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		FILE *f;
		bool yes = false;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ksm_stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof(line), f))
			yes |= !strcmp(line, "ksm_mergeable: yes\n");
		fclose(f);
		if (!yes || n++)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if ((f = fopen(path, "r"))) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
			snprintf(who, len, "%s[%d]", comm, pid);
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* smart_scan (6.7+) may be missing: then it is left out. */
static const char *const pin_ksm_knobs[] = {
	KSM_DIR "/pages_to_scan", KSM_DIR "/sleep_millisecs", KSM_DIR "/smart_scan",
	KSM_DIR "/run",
};
#define PIN_KSM_NKNOBS (sizeof(pin_ksm_knobs) / sizeof(pin_ksm_knobs[0]))
static char pin_ksm_saved[PIN_KSM_NKNOBS][KNOB_VALUE_MAX];

int pin_ksm_start(unsigned pages_to_scan, unsigned sleep_ms, bool thorough,
		  char *err, size_t len)
{
	char v[PIN_KSM_NKNOBS][KNOB_VALUE_MAX];

	for (size_t i = 0; i < PIN_KSM_NKNOBS; i++)
		if (knob_read(pin_ksm_knobs[i], pin_ksm_saved[i],
			      sizeof(pin_ksm_saved[i])) < 0)
			pin_ksm_saved[i][0] = 0;
	if (!pin_ksm_saved[PIN_KSM_NKNOBS - 1][0]) {
		snprintf(err, len, "KSM not available: cannot read %s/run "
			 "(CONFIG_KSM off?)", KSM_DIR);
		return -1;
	}
	snprintf(v[0], sizeof(v[0]), "%u", pages_to_scan);
	snprintf(v[1], sizeof(v[1]), "%u", sleep_ms);
	snprintf(v[2], sizeof(v[2]), "%s", thorough ? "0" : pin_ksm_saved[2]);
	snprintf(v[3], sizeof(v[3]), "1");
	for (size_t i = 0; i < PIN_KSM_NKNOBS; i++)
		if (pin_ksm_saved[i][0] && knob_set(pin_ksm_knobs[i], v[i], err, len) < 0)
			return -1;
	return 0;
}

void pin_ksm_stop(void)
{
	char err[256];

	/* run first: ksmd stops before its pace changes back. */
	for (size_t i = PIN_KSM_NKNOBS; i-- > 0;)
		if (pin_ksm_saved[i][0] &&
		    knob_set(pin_ksm_knobs[i], pin_ksm_saved[i], err, sizeof(err)) < 0)
			fprintf(stderr, "gupsync: %s\n", err);
}

