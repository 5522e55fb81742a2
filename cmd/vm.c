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

	/* Root does not run a program named by its environment (sudo -E). */
	if (env && *env && geteuid() != 0)
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

/*
 * The script's environment: a fixed PATH, no HOME (no user rc files for
 * make, apt-get or qemu), GUPSYNC_BIN, and of the caller's only the
 * script's testing aids (as root: where work directories go, the probe
 * timeout and the default --tcg mode, which the script checks like the
 * option; not the cache, which holds what the guest boots).  envp has
 * room for VM_ENV_MAX entries.
 */
#define VM_ENV_MAX 8
static void vm_env(char **envp, char (*buf)[PATH_MAX + 64], const char *exe)
{
	static const char *const pass[] = { "GUPSYNC_VM_WORK",
		"GUPSYNC_VM_PROBE_TIMEOUT", "GUPSYNC_VM_TCG", "GUPSYNC_VM_CACHE" };
	size_t n = 0, npass = sizeof(pass) / sizeof(pass[0]) - (geteuid() == 0);

	envp[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	envp[n++] = "LC_ALL=C";
	snprintf(buf[0], sizeof(buf[0]), "GUPSYNC_BIN=%s", exe);
	envp[n++] = buf[0];
	for (size_t i = 0; i < npass; i++) {
		const char *v = getenv(pass[i]);

		if (v && *v) {
			snprintf(buf[n], sizeof(buf[n]), "%s=%s", pass[i], v);
			envp[n] = buf[n];
			n++;
		}
	}
	envp[n] = NULL;
}

int cmd_vm(int argc, char **argv, const char *cmdline)
{
	char exe[PATH_MAX], script[PATH_MAX], err[PATH_MAX + 256];
	static char envbuf[VM_ENV_MAX][PATH_MAX + 64];
	char *envp[VM_ENV_MAX + 1];
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
	vm_env(envp, envbuf, exe);
	args[0] = script;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	execve(script, args, envp);
	fprintf(stderr, "gupsync vm: execv(%s): %s\n", script, strerror(errno));
	free(args);
	return 1;
}
