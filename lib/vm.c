// SPDX-License-Identifier: GPL-2.0
/* vm.c - see vm.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "options.h"
#include "vm.h"

int vm_script_path(const char *exe, char *out, size_t len, char *err,
		   size_t errlen)
{
	const char *env = getenv(VM_SCRIPT_ENV);
	const char *slash = strrchr(exe, '/');
	int n;

	if (env && *env)
		n = snprintf(out, len, "%s", env);
	else if (slash)
		n = snprintf(out, len, "%.*s/%s", (int)(slash - exe), exe,
			     VM_SCRIPT_REL);
	else
		n = snprintf(out, len, "%s", VM_SCRIPT_REL);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "path of %s too long", VM_SCRIPT_REL);
		return -1;
	}
	if (access(out, X_OK) < 0) {
		snprintf(err, errlen, "access(%s, X_OK): %s; the script ships in "
			 "the source tree next to gupsync (or set %s)", out,
			 strerror(errno), VM_SCRIPT_ENV);
		return -1;
	}
	return 0;
}

int vm_command(int argc, char **argv, const char *cmdline)
{
	char exe[PATH_MAX], script[PATH_MAX], err[PATH_MAX + 256];
	char **args = calloc(argc + 1, sizeof(char *));
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	(void)cmdline;
	if (!args || n < 0) {
		fprintf(stderr, "gupsync vm: readlink(/proc/self/exe): %s\n",
			strerror(args ? errno : ENOMEM));
		return 1;
	}
	exe[n] = 0;
	if (vm_script_path(exe, script, sizeof(script), err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync vm: %s\n", err);
		return 1;
	}
	if (setenv("GUPSYNC_BIN", exe, 1) < 0) {
		fprintf(stderr, "gupsync vm: setenv(GUPSYNC_BIN): %s\n", strerror(errno));
		return 1;
	}
	args[0] = script;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	execv(script, args);
	fprintf(stderr, "gupsync vm: execv(%s): %s\n", script, strerror(errno));
	free(args);
	return 1;
}

int kdev_open(struct gupsync_info *info, char *why, size_t len)
{
	int fd = open(GUPSYNC_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "open(%s): %s: %s", GUPSYNC_DEVICE,
			 strerror(errno), errno == EACCES ? "needs root" : KDEV_HINT);
		return -1;
	}
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, GUPSYNC_IOC_INFO, info) < 0 ||
	    info->abi_version != GUPSYNC_ABI_VERSION) {
		snprintf(why, len, "%s: ABI version %u, this gupsync needs %u: "
			 "rebuild and reload gupsync.ko", GUPSYNC_DEVICE,
			 info->abi_version, GUPSYNC_ABI_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}

int ksamples_init(struct ksamples *s, size_t cap)
{
	s->v = malloc(cap * sizeof(double));
	s->n = s->dropped = 0;
	s->cap = s->v ? cap : 0;
	return s->v ? 0 : -1;
}

void ksamples_add(struct ksamples *s, const uint64_t *ns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s->n < s->cap)
			s->v[s->n++] = (double)ns[i];
		else
			s->dropped++;
	}
}

void ksamples_free(struct ksamples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int ksamples_stats(const struct ksamples *const *s, size_t n, struct stats *out)
{
	size_t total = 0, k = 0;
	double *all;
	int rc;

	for (size_t i = 0; i < n; i++)
		total += s[i] ? s[i]->n : 0;
	*out = (struct stats){ .min = NAN, .max = NAN, .mean = NAN,
		.stddev = NAN, .median = NAN, .p10 = NAN, .p90 = NAN,
		.p99 = NAN, .ci_lo = NAN, .ci_hi = NAN };
	all = total ? malloc(total * sizeof(double)) : NULL;
	if (!all)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s[i]) {
			memcpy(all + k, s[i]->v, s[i]->n * sizeof(double));
			k += s[i]->n;
		}
	rc = stats_compute(all, total, out);
	free(all);
	return rc;
}
