// SPDX-License-Identifier: GPL-2.0
/* vm.c - see vm.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
