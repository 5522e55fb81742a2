// SPDX-License-Identifier: GPL-2.0
/* futexhash.c - see futexhash.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "futexhash.h"

/* include/uapi/linux/prctl.h since 6.16; Debian 12's headers predate it. */
#ifndef PR_FUTEX_HASH
#define PR_FUTEX_HASH 78
#define PR_FUTEX_HASH_SET_SLOTS 1
#define PR_FUTEX_HASH_GET_SLOTS 2
#endif

#define SET_GLOBAL "global (prctl PR_FUTEX_HASH_SET_SLOTS 0)"
#define NO_HASH "global: pre-6.16 kernel, no per-process futex hash"

const char *const futex_hash_names[] = { "global", "process", NULL };

/* Set once this process switched: the kernel does not switch back. */
static bool switched_global;

int futex_hash_describe(int ret, int err, int set_global, char *buf,
			size_t len)
{
	if (ret < 0 && err == EINVAL) {
		snprintf(buf, len, "%s", NO_HASH);
		return -1;
	}
	if (ret < 0) {
		snprintf(buf, len, "prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS): %s",
			 strerror(err));
		return -1;
	}
	if (ret == 0)
		snprintf(buf, len, "%s", set_global ? SET_GLOBAL :
			 "global (no per-process hash: the process had one thread)");
	else
		snprintf(buf, len, "process-private, %d slots", ret);
	return ret;
}

int futex_hash_apply(enum futex_hash_mode mode, char *buf, size_t len)
{
	int ret;

	if (mode == FUTEX_HASH_GLOBAL) {
		/* One-way: a second run in this process (a sweep) finds the
		 * switch made, and the kernel answers EBUSY to asking again. */
		if (switched_global) {
			snprintf(buf, len, "%s", SET_GLOBAL);
			return 0;
		}
		ret = prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, 0, 0, 0);
		if (ret < 0 && errno == EBUSY &&
		    prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0) == 0)
			ret = 0;	/* already on the global hash */
		if (ret < 0 && errno == EINVAL) {
			snprintf(buf, len, "%s", NO_HASH);
			return 0;
		}
		if (ret < 0) {
			snprintf(buf, len, "prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, 0): %s",
				 strerror(errno));
			return -1;
		}
		switched_global = true;
		snprintf(buf, len, "%s", SET_GLOBAL);
		return 0;
	}
	if (switched_global) {
		snprintf(buf, len, "%s (by an earlier run in this process: the "
			 "switch is one-way, so not process-private)", SET_GLOBAL);
		return 0;
	}
	ret = prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0);
	if (ret < 0 && errno == EINVAL)
		snprintf(buf, len, "%s", NO_HASH);
	else
		snprintf(buf, len, "process-private (the kernel's default; "
			 "slots per point, once the workers run)");
	return 0;
}

int futex_hash_now(char *buf, size_t len)
{
	int ret = prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0);

	return futex_hash_describe(ret, ret < 0 ? errno : 0, switched_global,
				   buf, len);
}
