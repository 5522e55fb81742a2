/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uprobe.h - uprobes on files this process maps, through tracefs
 * uprobe_events: add, enable, count hits, remove (also at exit and on
 * fatal signals), and the places a probe needs (a directory that allows
 * exec, the file offset of a code address).
 */
#ifndef GUPSYNC_UPROBE_H
#define GUPSYNC_UPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A probe "p:gupsync_<pid>/<name> <path>:<offset>".  Every event added is
 * disabled and removed again at exit and on SIGINT/SIGTERM/SIGHUP/SIGQUIT
 * (chained before the previous handler, e.g. the knobs restore); a probe
 * left by a process that died without either (SIGKILL) is removed by the
 * next uprobe_ev_add().  Single-threaded use.
 */
struct uprobe_ev {
	char group[32], name[32];
	char tracefs[200];
	int slot;		/* in the cleanup table; -1 when not added */
	bool enabled;
};
int uprobe_ev_add(struct uprobe_ev *ev, const char *name, const char *path,
		  uint64_t offset, char *err, size_t len);
int uprobe_ev_enable(struct uprobe_ev *ev, bool on, char *err, size_t len);
/* Hits from uprobe_profile; -1 if not found. */
long uprobe_ev_hits(const struct uprobe_ev *ev);
void uprobe_ev_remove(struct uprobe_ev *ev);
/* A new directory (mkdtemp) on a file system that allows exec, for files
 * to probe: $TMPDIR, /tmp, /var/tmp, /dev/shm, then ".". */
int pin_exec_dir(char *dir, size_t len, char *err, size_t errlen);
/* File offset of code address addr in the object mapped there, and that
 * object's path (from /proc/self/maps). */
int uprobe_file_offset(const void *addr, char *path, size_t plen,
		       uint64_t *offset, char *err, size_t len);

#endif
