// SPDX-License-Identifier: GPL-2.0
/* uprobe.c - see uprobe.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "counters.h"
#include "uprobe.h"

#define UPROBE_SLOTS 8
#define UPROBE_PATH_MAX 280
#define UPROBE_GROUP_FMT "gupsync_%d"

/* What the exit and signal cleanup needs, prepared when the event is
 * added, so the handler only calls open/write/close. */
struct uprobe_slot {
	volatile sig_atomic_t live, enabled;
	char enable_path[UPROBE_PATH_MAX];
	char events_path[UPROBE_PATH_MAX];
	char removal[80];	/* "-:group/name\n" */
	size_t removal_len;
};

static struct uprobe_slot up_slots[UPROBE_SLOTS];
static const int up_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define UP_NSIGNALS (sizeof(up_signals) / sizeof(up_signals[0]))
static struct sigaction up_old[UP_NSIGNALS];
static bool up_hooked;

static int up_write(const char *path, const char *s, size_t n, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t w;
	int e;

	if (fd < 0)
		return -1;
	w = write(fd, s, n);
	e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)n ? 0 : -1;
}

/* Async-signal-safe. */
static void up_slot_clean(struct uprobe_slot *s)
{
	if (s->enabled)
		up_write(s->enable_path, "0", 1, O_TRUNC);
	s->enabled = 0;
	/* O_APPEND: truncating uprobe_events would remove every probe. */
	if (s->live)
		up_write(s->events_path, s->removal, s->removal_len, O_APPEND);
	s->live = 0;
}

static void up_clean_all(void)
{
	for (int i = 0; i < UPROBE_SLOTS; i++)
		up_slot_clean(&up_slots[i]);
}

/* Remove our probes, then do what was there before (the knobs restore,
 * which re-raises; or the default action). */
static void up_on_signal(int sig)
{
	up_clean_all();
	for (size_t i = 0; i < UP_NSIGNALS; i++) {
		if (up_signals[i] != sig)
			continue;
		if (up_old[i].sa_handler == SIG_IGN)
			return;
		if (up_old[i].sa_handler != SIG_DFL &&
		    !(up_old[i].sa_flags & SA_SIGINFO)) {
			up_old[i].sa_handler(sig);
			return;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void up_hook(void)
{
	struct sigaction sa = { .sa_handler = up_on_signal };

	if (up_hooked)
		return;
	up_hooked = true;
	atexit(up_clean_all);
	for (size_t i = 0; i < UP_NSIGNALS; i++)
		if (sigaction(up_signals[i], &sa, &up_old[i]) == 0 &&
		    up_old[i].sa_handler == SIG_IGN)
			sigaction(up_signals[i], &up_old[i], NULL);
}

static bool up_owner_alive(int pid)
{
	char path[64], stat[64];
	FILE *f;
	bool zombie = false;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r"))) {
		/* "pid (comm) S ...": a zombie cleans up nothing more. */
		zombie = fgets(stat, sizeof(stat), f) && strstr(stat, ") Z ");
		fclose(f);
	}
	return !zombie;
}

/* Probes of gupsync processes that are gone (killed by SIGKILL).  Read
 * the list whole first: tracefs will not delete while it is being read. */
static void up_remove_stale(const char *tracefs)
{
	char path[UPROBE_PATH_MAX], line[512], name[64], rm[UPROBE_PATH_MAX];
	char stale[UPROBE_SLOTS * 4][80];
	size_t n = 0;
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/uprobe_events", tracefs);
	if (!(f = fopen(path, "r")))
		return;
	while (n < sizeof(stale) / sizeof(stale[0]) && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*c:" UPROBE_GROUP_FMT "/%63s", &pid, name) == 2 &&
		    pid != getpid() && !up_owner_alive(pid))
			snprintf(stale[n++], sizeof(stale[0]), UPROBE_GROUP_FMT "/%s",
				 pid, name);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		snprintf(rm, sizeof(rm), "%.180s/events/%.79s/enable", tracefs, stale[i]);
		up_write(rm, "0", 1, O_TRUNC);
		snprintf(rm, sizeof(rm), "-:%.79s\n", stale[i]);
		if (up_write(path, rm, strlen(rm), O_APPEND) < 0)
			fprintf(stderr, "gupsync: removing stale uprobe %s: %s\n",
				stale[i], strerror(errno));
		else
			fprintf(stderr, "gupsync: removed uprobe %s left by a killed "
				"run\n", stale[i]);
	}
}

/* A path that goes into a uprobe_events line ("p:G/N PATH:OFFSET"):
 * absolute, no space, colon or control character that would end it. */
static bool up_path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ':')
			return false;
	return true;
}

int uprobe_ev_add(struct uprobe_ev *ev, const char *name, const char *path,
		  uint64_t offset, char *err, size_t len)
{
	const char *tracefs = counters_tracefs(err, len);
	struct uprobe_slot *s = NULL;
	char def[UPROBE_PATH_MAX + 128];

	ev->slot = -1;
	ev->enabled = false;
	if (!tracefs)
		return -1;
	for (int i = 0; i < UPROBE_SLOTS && !s; i++)
		if (!up_slots[i].live)
			s = &up_slots[i], ev->slot = i;
	if (!s) {
		snprintf(err, len, "uprobe: more than %d events at once", UPROBE_SLOTS);
		return -1;
	}
	up_hook();
	up_remove_stale(tracefs);
	snprintf(ev->tracefs, sizeof(ev->tracefs), "%s", tracefs);
	snprintf(ev->group, sizeof(ev->group), UPROBE_GROUP_FMT, (int)getpid());
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	snprintf(s->events_path, sizeof(s->events_path), "%s/uprobe_events", tracefs);
	snprintf(s->enable_path, sizeof(s->enable_path), "%s/events/%s/%s/enable",
		 tracefs, ev->group, ev->name);
	s->removal_len = (size_t)snprintf(s->removal, sizeof(s->removal),
					  "-:%s/%s\n", ev->group, ev->name);
	if (!up_path_ok(path)) {
		snprintf(err, len, "uprobe: path '%s': not absolute, or a space, "
			 "colon or control character in it", path);
		ev->slot = -1;
		return -1;
	}
	snprintf(def, sizeof(def), "p:%s/%s %s:0x%" PRIx64 "\n", ev->group,
		 ev->name, path, offset);
	if (up_write(s->events_path, def, strlen(def), O_APPEND) < 0) {
		snprintf(err, len, "write(%s, \"p:%s/%s %s:0x%" PRIx64 "\"): %s "
			 "(see %s/error_log)", s->events_path, ev->group, ev->name,
			 path, offset, strerror(errno), tracefs);
		ev->slot = -1;
		return -1;
	}
	s->live = 1;
	return 0;
}

int uprobe_ev_enable(struct uprobe_ev *ev, bool on, char *err, size_t len)
{
	struct uprobe_slot *s;

	if (ev->slot < 0) {
		snprintf(err, len, "uprobe: event not added");
		return -1;
	}
	s = &up_slots[ev->slot];
	if (on)
		s->enabled = 1;	/* before the write: a signal may come mid-way */
	if (up_write(s->enable_path, on ? "1" : "0", 1, O_TRUNC) < 0) {
		snprintf(err, len, "write(%s, %d): %s", s->enable_path, on,
			 strerror(errno));
		return -1;
	}
	s->enabled = on;
	ev->enabled = on;
	return 0;
}

long uprobe_ev_hits(const struct uprobe_ev *ev)
{
	char path[UPROBE_PATH_MAX], line[512], name[64];
	long hits = -1, h;
	FILE *f;

	snprintf(path, sizeof(path), "%s/uprobe_profile", ev->tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "  <file> <event> <hits>"; the event name has no group, the file
	 * may carry " (deleted)": take the last two words. */
	while (hits < 0 && fgets(line, sizeof(line), f)) {
		char *end = line + strcspn(line, "\n"), *sp;

		*end = 0;
		sp = strrchr(line, ' ');
		if (!sp || sscanf(sp, " %ld", &h) != 1)
			continue;
		while (sp > line && sp[-1] == ' ')
			sp--;
		*sp = 0;
		sp = strrchr(line, ' ');
		if (sp && sscanf(sp, " %63s", name) == 1 && !strcmp(name, ev->name))
			hits = h;
	}
	fclose(f);
	return hits;
}

void uprobe_ev_remove(struct uprobe_ev *ev)
{
	if (ev->slot < 0)
		return;
	up_slot_clean(&up_slots[ev->slot]);
	ev->slot = -1;
	ev->enabled = false;
}

/* A directory to put the uprobe copy in: its path fit for tracefs, and
 * as root one nobody else could swap the copy in: owned by root and not
 * writable by others unless sticky (/tmp).  TMPDIR may come from anyone
 * (sudo -E). */
static bool up_dir_ok(const char *d)
{
	struct statvfs sv;
	struct stat st;

	if (!up_path_ok(d) || statvfs(d, &sv) < 0 || (sv.f_flag & ST_NOEXEC) ||
	    stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	return geteuid() != 0 || (st.st_uid == 0 &&
		(!(st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_mode & S_ISVTX)));
}

int pin_exec_dir(char *dir, size_t len, char *err, size_t errlen)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp", "/dev/shm", "." };
	const char *env = getenv("TMPDIR");
	char cwd[PATH_MAX];

	for (int i = -1; i < (int)(sizeof(dirs) / sizeof(dirs[0])); i++) {
		const char *d = i < 0 ? env : dirs[i];

		if (d && !strcmp(d, "."))
			d = getcwd(cwd, sizeof(cwd));
		if (!d || !up_dir_ok(d))
			continue;
		snprintf(dir, len, "%s/gupsync-uprobe-XXXXXX", d);
		if (mkdtemp(dir))
			return 0;
	}
	snprintf(err, errlen, "no writable directory without noexec (tried "
		 "$TMPDIR, /tmp, /var/tmp, /dev/shm, .; as root only ones owned "
		 "by root, and paths without spaces, colons or control "
		 "characters)");
	dir[0] = 0;
	return -1;
}

int uprobe_file_offset(const void *addr, char *path, size_t plen,
		       uint64_t *offset, char *err, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096 + 128], file[4096];
	unsigned long lo, hi, off, ino = 0;
	struct stat exe;
	int found = 0;

	if (!f) {
		snprintf(err, len, "open(/proc/self/maps): %s", strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %*s %lx %*s %lu %4095s", &lo, &hi,
			       &off, &ino, file) == 5 && file[0] == '/' &&
			(uintptr_t)addr >= lo && (uintptr_t)addr < hi;
	fclose(f);
	if (!found) {
		snprintf(err, len, "address %p is not in a file mapping", addr);
		return -1;
	}
	/* Our own executable: read it through /proc/self/exe, which stays
	 * the file we run even if a rebuild replaced the one at its path. */
	if (stat("/proc/self/exe", &exe) == 0 && exe.st_ino == ino)
		snprintf(file, sizeof(file), "/proc/self/exe");
	snprintf(path, plen, "%s", file);
	*offset = (uintptr_t)addr - lo + off;
	return 0;
}
