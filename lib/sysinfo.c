// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo.c - what this machine is and offers, collected into one object
 * (see sysinfo.h); kconfig.c reads the kernel config, sysinfo_cpu.c the
 * CPU and hypervisor, and sysinfo_print.c prints the object.  Read-only: nothing here writes a knob.  The one
 * side effect is counters_tracefs(), which may mount tracefs in this
 * process's private mount namespace to probe tracepoints.
 */
#include "sysinfo.h"
#include "sysinfo_priv.h"

#include "counters.h"
#include "kconfig.h"
#include "placement.h"

#include <dirent.h>
#include <errno.h>
#include <liburing.h>
#include <linux/membarrier.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SI_WHY_LEN 160
#define SI_IO_URING_ENTRIES 2
#define SI_CPU_DIR "/sys/devices/system/cpu/"
#define SI_DAMON_DIR "/sys/kernel/mm/damon/admin/kdamonds"
/* MEMBARRIER_CMD_GET_REGISTRATIONS is newer than Debian 12's headers. */
#define SI_MEMBARRIER_GET_REGISTRATIONS (1 << 9)

static const char *const si_cmdline_keys[] = {
	"nohz_full", "isolcpus", "rcu_nocbs", "preempt", "transparent_hugepage",
};

#define SI_THP "/sys/kernel/mm/transparent_hugepage/"
static const struct { const char *name, *path; } si_knobs[] = {
	{ "thp_enabled", SI_THP "enabled" },
	{ "thp_defrag", SI_THP "defrag" },
	{ "khugepaged_scan_sleep_ms",
	  SI_THP "khugepaged/scan_sleep_millisecs" },
	{ "khugepaged_pages_to_scan", SI_THP "khugepaged/pages_to_scan" },
	{ "ksm_run", "/sys/kernel/mm/ksm/run" },
	{ "rcu_expedited", "/sys/kernel/rcu_expedited" },
	{ "rcu_normal", "/sys/kernel/rcu_normal" },
	{ "nr_hugepages", "/proc/sys/vm/nr_hugepages" },
	{ "randomize_va_space", "/proc/sys/kernel/randomize_va_space" },
};

static const char *const si_perf_specs[] = {
	"hw:cycles", "hw:instructions", "sw:context-switches", "sw:task-clock",
	"tp:ipi:ipi_send_cpu", "tp:ipi:ipi_send_cpumask", "tp:tlb:tlb_flush",
	"tp:mmap_lock:mmap_lock_start_locking",
	"tp:huge_memory:mm_collapse_huge_page",
};

static const char *const si_irq_rows[] = { "CAL", "TLB" };

#define SI_MB(cmd) { MEMBARRIER_CMD_##cmd, #cmd }
static const struct { int bit; const char *name; } si_membarrier_cmds[] = {
	SI_MB(GLOBAL), SI_MB(GLOBAL_EXPEDITED),
	SI_MB(REGISTER_GLOBAL_EXPEDITED),
	SI_MB(PRIVATE_EXPEDITED), SI_MB(REGISTER_PRIVATE_EXPEDITED),
	SI_MB(PRIVATE_EXPEDITED_SYNC_CORE),
	SI_MB(REGISTER_PRIVATE_EXPEDITED_SYNC_CORE),
	SI_MB(PRIVATE_EXPEDITED_RSEQ), SI_MB(REGISTER_PRIVATE_EXPEDITED_RSEQ),
	{ SI_MEMBARRIER_GET_REGISTRATIONS, "GET_REGISTRATIONS" },
};

/* ---- small helpers ---------------------------------------------------- */

int si_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *l, *r;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = '\0';
		memmove(buf, l + 1, (size_t)(r - l));
	}
	return 0;
}

static json_t *si_feature(bool ok, const char *why)
{
	json_t *o = json_pack("{s:b}", "available", ok);

	if (!ok)
		json_object_set_new(o, "why", json_string(why));
	return o;
}

/* ---- kernel config ---------------------------------------------------- */

static json_t *si_config(void)
{
	json_t *o = kconfig_json();
	char live[SI_VAL_LEN];

	/* With PREEMPT_DYNAMIC the boot/runtime model may differ; debugfs
	 * shows it when mounted ("none (voluntary) full lazy"). */
	if (json_is_string(json_object_get(o, "source")) &&
	    si_read("/sys/kernel/debug/sched/preempt", live, sizeof(live)) == 0)
		json_object_set_new(o, "preempt_live", json_string(live));
	return o;
}

/* ---- cmdline, memory (cpu: sysinfo_cpu.c) --------------------------------------------- */

static json_t *si_cmdline(void)
{
	char line[4096], *save = NULL, cpus[SI_VAL_LEN];
	json_t *o = json_object();
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f || !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	json_object_set_new(o, "line", json_string(line));
	for (size_t i = 0; i < SI_LEN(si_cmdline_keys); i++)
		json_object_set_new(o, si_cmdline_keys[i], json_null());
	for (char *t = strtok_r(line, " ", &save); t && strcmp(t, "--");
	     t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');

		if (!eq)
			continue;
		*eq = '\0';
		if (json_object_get(o, t) && strcmp(t, "line"))
			json_object_set_new(o, t, json_string(eq + 1));
	}
	/* What the kernel made of it. */
	if (si_read(SI_CPU_DIR "nohz_full", cpus, sizeof(cpus)) == 0)
		json_object_set_new(o, "nohz_full_cpus", json_string(
			strcmp(cpus, "(null)") ? cpus : ""));
	if (si_read(SI_CPU_DIR "isolated", cpus, sizeof(cpus)) == 0)
		json_object_set_new(o, "isolated_cpus", json_string(cpus));
	return o;
}

static json_t *si_memory(void)
{
	char line[SI_VAL_LEN];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return json_pack("{s:I}", "total_kib", (json_int_t)kib);
}

static json_t *si_topology(void)
{
	char err[SI_WHY_LEN], desc[SI_VAL_LEN], syn[SI_VAL_LEN];
	struct topo *t;
	json_t *o;

	if (topo_open(NULL, &t, err, sizeof(err)) != 0)
		return si_feature(false, err);
	topo_describe(t, desc, sizeof(desc));
	topo_synthetic_string(t, syn, sizeof(syn));
	o = json_pack("{s:b,s:s,s:s,s:i,s:i}", "available", 1,
		      "description", desc, "synthetic", syn,
		      "pus", (int)topo_count(t, PLACE_UNIT_PU),
		      "cores", (int)topo_count(t, PLACE_UNIT_CORE));
	topo_close(t);
	return o;
}

/* ---- knobs, daemons --------------------------------------------------- */

static json_t *si_knobs_obj(void)
{
	json_t *o = json_object();
	char v[SI_VAL_LEN];

	for (size_t i = 0; i < SI_LEN(si_knobs); i++)
		json_object_set_new(o, si_knobs[i].name,
				    si_read(si_knobs[i].path, v, sizeof(v)) == 0
					    ? json_string(v) : json_null());
	return o;
}

/* pid of the first process whose comm is exactly comm, 0 if none. */
static long si_find_comm(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long pid = 0;

	while (d && !pid && (e = readdir(d))) {
		char path[64], c[SI_VAL_LEN];
		char *end;
		long p = strtol(e->d_name, &end, 10);

		if (*end || p <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", p);
		if (si_read(path, c, sizeof(c)) == 0 && strcmp(c, comm) == 0)
			pid = p;
	}
	if (d)
		closedir(d);
	return pid;
}

static json_t *si_damon(void)
{
	char path[SI_VAL_LEN], v[SI_VAL_LEN], why[SI_WHY_LEN];
	int n = 0, running = 0;

	if (si_read(SI_DAMON_DIR "/nr_kdamonds", v, sizeof(v)) != 0) {
		snprintf(why, sizeof(why), "%s/nr_kdamonds: %s", SI_DAMON_DIR,
			 strerror(errno));
		return si_feature(false, why);
	}
	n = atoi(v);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d/state", SI_DAMON_DIR, i);
		if (si_read(path, v, sizeof(v)) == 0 && strcmp(v, "on") == 0)
			running++;
	}
	return json_pack("{s:b,s:i,s:i}", "available", 1, "kdamonds", n,
			 "running", running);
}

static json_t *si_daemons(void)
{
	long khp = si_find_comm("khugepaged"), ksmd = si_find_comm("ksmd");
	char run[SI_VAL_LEN];
	json_t *o = json_object();

	json_object_set_new(o, "damon", si_damon());
	json_object_set_new(o, "khugepaged", json_pack("{s:b,s:o}", "running",
		khp > 0, "pid", khp > 0 ? json_integer(khp) : json_null()));
	/* ksm/run: 0 stopped, 1 merging, 2 unmerging everything */
	json_object_set_new(o, "ksmd", json_pack("{s:o,s:o}", "pid",
		ksmd > 0 ? json_integer(ksmd) : json_null(), "run",
		si_read("/sys/kernel/mm/ksm/run", run, sizeof(run)) == 0 ?
			json_string(run) : json_null()));
	return o;
}

/* ---- perf, membarrier, io_uring --------------------------------------- */

static json_t *si_probe(const char *spec)
{
	char why[COUNTER_WHY_LEN];

	return si_feature(counter_probe(spec, why, sizeof(why)) == 1, why);
}

static json_t *si_perf(void)
{
	char v[SI_VAL_LEN];
	json_t *o = json_object();

	json_object_set_new(o, "paranoid", si_read(
		"/proc/sys/kernel/perf_event_paranoid", v, sizeof(v)) == 0 ?
		json_integer(atoi(v)) : json_null());
	for (size_t i = 0; i < SI_LEN(si_perf_specs); i++)
		json_object_set_new(o, si_perf_specs[i],
				    si_probe(si_perf_specs[i]));
	return o;
}

static json_t *si_interrupts(void)
{
	json_t *o = json_object();
	char spec[32];

	for (size_t i = 0; i < SI_LEN(si_irq_rows); i++) {
		snprintf(spec, sizeof(spec), "irq:%s", si_irq_rows[i]);
		json_object_set_new(o, si_irq_rows[i], si_probe(spec));
	}
	return o;
}

static json_t *si_membarrier(const json_t *cmdline)
{
	long mask = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	const char *nohz;
	char why[SI_WHY_LEN];
	json_t *o, *cmds;

	if (mask < 0) {
		snprintf(why, sizeof(why), "membarrier(CMD_QUERY): %s",
			 strerror(errno));
		return si_feature(false, why);
	}
	cmds = json_array();
	for (size_t i = 0; i < SI_LEN(si_membarrier_cmds); i++)
		if (mask & si_membarrier_cmds[i].bit)
			json_array_append_new(cmds,
				json_string(si_membarrier_cmds[i].name));
	o = json_pack("{s:b,s:o}", "available", 1, "commands", cmds);
	/* GLOBAL (synchronize_rcu) is withheld when nohz_full is active. */
	nohz = json_string_value(json_object_get(cmdline, "nohz_full_cpus"));
	if (!(mask & MEMBARRIER_CMD_GLOBAL) && nohz && nohz[0])
		json_object_set_new(o, "note", json_string(
			"GLOBAL not offered: nohz_full is set"));
	return o;
}

static json_t *si_io_uring(void)
{
	struct io_uring ring;
	char why[SI_WHY_LEN], dis[SI_VAL_LEN];
	bool has_dis = si_read("/proc/sys/kernel/io_uring_disabled", dis,
			       sizeof(dis)) == 0;
	int rc = io_uring_queue_init(SI_IO_URING_ENTRIES, &ring, 0);
	json_t *o;

	if (rc == 0)
		io_uring_queue_exit(&ring);
	snprintf(why, sizeof(why), "io_uring_setup(%d entries): %s",
		 SI_IO_URING_ENTRIES, strerror(-rc));
	o = si_feature(rc == 0, why);
	json_object_set_new(o, "io_uring_disabled",
			    has_dis ? json_string(dis) : json_null());
	return o;
}

/* ---- collect ---------------------------------------------------------- */

static json_t *si_kernel(void)
{
	struct utsname u;
	char why[SI_WHY_LEN];

	if (uname(&u) != 0) {
		snprintf(why, sizeof(why), "uname: %s", strerror(errno));
		return si_feature(false, why);
	}
	return json_pack("{s:s,s:s,s:s}", "release", u.release, "version",
			 u.version, "machine", u.machine);
}

json_t *sysinfo_collect(void)
{
	json_t *o = json_object();
	json_t *cmdline = si_cmdline();

	json_object_set_new(o, "kernel", si_kernel());
	json_object_set_new(o, "config", si_config());
	json_object_set_new(o, "cmdline", cmdline);
	json_object_set_new(o, "cpu", si_cpu());
	json_object_set_new(o, "topology", si_topology());
	json_object_set_new(o, "memory", si_memory());
	json_object_set_new(o, "knobs", si_knobs_obj());
	json_object_set_new(o, "daemons", si_daemons());
	json_object_set_new(o, "perf", si_perf());
	json_object_set_new(o, "interrupts", si_interrupts());
	json_object_set_new(o, "membarrier", si_membarrier(cmdline));
	json_object_set_new(o, "io_uring", si_io_uring());
	return o;
}

/* The info's own value; for an option it did not record, this machine's
 * config, but only when info describes this running kernel. */
const char *sysinfo_config(const json_t *info, const char *name)
{
	const json_t *cfg = json_object_get(info, "config");
	const char *rel = json_string_value(
		json_object_get(json_object_get(info, "kernel"), "release"));
	struct utsname u;

	if (strncmp(name, "CONFIG_", 7) == 0)
		name += 7;
	if (json_object_get(cfg, name))
		return json_string_value(json_object_get(cfg, name));
	if (!rel || uname(&u) != 0 || strcmp(rel, u.release))
		return NULL;
	return kconfig_get(name);
}
